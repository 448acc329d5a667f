import AsyncHTTPClient
import CreditDomain
import Foundation
import Testing

@testable import CreditPortal
@testable import CreditStore
@testable import NodeRuntime
@testable import SampleData

/// 联合奖惩典型案例: the office publishes a unit's feedback as a case the public reads.
@Suite("Joint rewards and punishments: typical cases", .serialized)
struct TypicalCaseTests {
    /// The fixture with four feedback rows of its first village: A, a punishment applied on a
    /// listed company (2026-11-20); B, an incentive not applied (2026-11-21); O, applied, then put
    /// under objection; P, applied, on a natural person whose ID number must never show.
    struct Fixture {
        let f: PortalFixture
        let desk: TypicalCases
        let a: StoredRecord
        let b: StoredRecord
        let objected: StoredRecord
        let person: StoredRecord
    }

    /// The node's records of `kind`, as stored.
    static func records(_ f: PortalFixture, kind: String) throws -> [StoredRecord] {
        try f.node.store.allRecords().filter { $0.kind == kind }.compactMap { try f.node.store.record(key: $0.key) }
    }

    /// A natural person's ID number, valid (its check character computed).
    static let personID: String = {
        let first = Array("42010219850315301".utf8)
        return String(decoding: first + [ResidentID.checkCharacter(first)], as: UTF8.self)
    }()

    /// The publishing office and its credit code (check characters computed).
    static let office = (name: "大智街道社会信用体系建设领导小组办公室", code: PortalFixture.creditCode("11420102", "MB000001"))

    static func fixture() throws -> Fixture {
        let f = try PortalFixture()
        let kind = try f.node.catalogue.kind(named: JointFeedback.kind)
        let listed = try f.node.store.allSubjects(kind: "blacklist").flatMap {
            try f.node.store.records(subject: $0).filter { $0.kind == "blacklist" }
        }
        .filter { $0.fields["SX_XDR_LB"] == "法人及非法人组织" }.sorted { $0.key < $1.key }
        try #require(listed.count >= 3)
        let day = { (d: Int) in CivilDate(year: 2026, month: 11, day: d)! }
        var rows = [
            try ListResponsesTests.feedback(f, on: listed[0], type: "失信惩戒", date: day(20), seed: 11),
            try ListResponsesTests.feedback(f, on: listed[1], type: "守信激励", date: day(21), result: "未实施", remark: "申请人未提出申请", seed: 12),
            try ListResponsesTests.feedback(f, on: listed[2], type: "失信惩戒", date: day(22), seed: 13),
            try ListResponsesTests.feedback(f, on: listed[0], type: "失信惩戒", date: day(23), seed: 14),
        ]
        for (code, value) in [
            ("XDR_MC", "张某某"), ("XDR_LB", "自然人"), ("XDR_SHXYM", ""), ("XDR_GSZC", ""), ("XDR_ZJLX", "01"), ("XDR_ZJHM", Self.personID),
            ("FRDB", ""), ("FR_ZJLX", ""), ("FR_ZJHM", ""),
        ] {
            rows[3].values[try #require(kind.index[code])] = value
        }
        let report = try f.ingest(rows, kind: kind, name: "反馈.csv")
        try #require(report.accepted == 4, "\(report.rejections)")
        let feedback = try Self.records(f, kind: JointFeedback.kind)
        let byNumber = { (n: String) in try #require(feedback.first { $0.fields["FK_FKBH"] == n }) }
        let o = try byNumber("FK-T13")
        _ = try StatusDesk(node: f.node).enter(
            key: o.key, StatusChange(action: .objectionOpened, date: day(24), reason: "执行单位对措施有异议", unit: "江岸区发展和改革局"), now: PortalFixture.now)
        return Fixture(
            f: f, desk: try #require(TypicalCases(node: f.node)), a: try byNumber("FK-T11"), b: try byNumber("FK-T12"), objected: o,
            person: try byNumber("FK-T14"))
    }

    static func draft(_ feedback: StoredRecord, number: String = "AL-2026-001", title: String = "某公司因列入严重失信主体名单被限制参加政府采购")
        -> TypicalCases.Draft
    {
        TypicalCases.Draft(
            feedbackKey: feedback.key, number: number, title: title, summary: "该公司列入严重失信主体名单，区财政局在政府采购资格审查中依法限制其参加。",
            measures: "限制参加政府采购活动", list: "严重失信主体名单", publisher: office.name, publisherCode: office.code)
    }

    static let actor = AuditActor(role: "operator", code: "420102002000", name: "信用办张三", serial: "5A17")

    @Test func aCaseIsPublishedFromAFeedbackAppliedAndNotUnderObjection() throws {
        let x = try Self.fixture()
        let today = ChinaTime.date(PortalFixture.now)
        // Offered: the feedback applied and not under objection, newest first.
        let offered = try x.desk.candidates(today: today, published: [])
        #expect(offered.map(\.number) == ["FK-T14", "FK-T11"] && offered.allSatisfy { !$0.published })
        #expect(offered[0].subjectCode == Masking.mask(Self.personID))
        // The form's first state: the feedback's list and measures, a number from its own.
        let (first, candidate) = try x.desk.draft(feedbackKey: x.a.key, today: today)
        #expect(first.number == "AL-FK-T11" && first.list == x.a.fields["FK_YJMD"] && first.measures == x.a.fields["FK_CQCS"])
        #expect(first.publisher.isEmpty && candidate.type == "失信惩戒")

        // Refused, nothing written: no title; a publisher's code that is not one.
        let caseCount = { try x.f.node.store.allRecords().filter { $0.kind == TypicalCases.kind }.count }
        var missing = Self.draft(x.a)
        missing.title = "  "
        var refusal = try #require(throws: TypicalCases.Refusal.self) { try x.desk.publish(missing, now: PortalFixture.now, actor: Self.actor) }
        #expect(refusal.code == .invalid && refusal.reasons.contains { $0.contains("案例标题") }, "\(refusal.reasons)")
        var badCode = Self.draft(x.a)
        badCode.publisherCode = "91420102MA4KXXXX"
        refusal = try #require(throws: TypicalCases.Refusal.self) { try x.desk.publish(badCode, now: PortalFixture.now, actor: Self.actor) }
        #expect(refusal.code == .invalid && refusal.reasons.contains { $0.contains("发布单位统一社会信用代码") }, "\(refusal.reasons)")
        #expect(try caseCount() == 0)

        // Published: the subject, region and category are the feedback's, the date today's.
        let published = try x.desk.publish(Self.draft(x.a), now: PortalFixture.now, actor: Self.actor)
        let stored = try #require(try x.f.node.store.record(key: published.key))
        #expect(stored.kind == "case" && stored.subjectCode == x.a.subjectCode && stored.jurisdiction == x.a.jurisdiction)
        #expect(stored.decisionDate == "2026-11-25" && stored.fields["AL_JCLB"] == "失信惩戒" && stored.fields["AL_GLFKBH"] == "FK-T11")
        #expect(stored.fields["AL_XDR_MC"] == x.a.fields["FK_XDR_MC"] && stored.fields["AL_FBDWDM"] == Self.office.code)
        #expect(try x.f.node.store.recentIngestions(limit: 1).first?.actor.name == "信用办张三")
        // Marked on the list; the office's next form starts with its name.
        let cases = try x.desk.published(today: today)
        #expect(cases.map(\.title) == [published.title] && cases[0].ownPublication && cases[0].region.contains(PortalFixture.villages[0]))
        #expect(try x.desk.candidates(today: today, published: cases).first { $0.number == "FK-T11" }?.published == true)
        #expect(try x.desk.draft(feedbackKey: x.person.key, today: today).draft.publisher == Self.office.name)
        // Counted with the month's feedback, in its subject's region.
        let november = try #require(CalendarMonth("2026-11"))
        let october = try #require(CalendarMonth("2026-10"))
        let month = try #require(try JointFeedback.compute(x.f.node, month: november))
        #expect(month.total.cases == 1 && month.regions[0].cases == 1 && month.regions[1].cases == 0)
        #expect(try JointFeedback.compute(x.f.node, month: october)?.total.cases == 0)

        // The same number again: refused, the first case unchanged; another number is another case.
        var again = Self.draft(x.a, title: "另一个标题")
        refusal = try #require(throws: TypicalCases.Refusal.self) { try x.desk.publish(again, now: PortalFixture.now, actor: Self.actor) }
        #expect(refusal.code == .numberTaken && refusal.reasons[0].contains(published.title))
        again.number = "AL-2026-002"
        let second = try x.desk.publish(again, now: PortalFixture.now, actor: Self.actor)
        #expect(try caseCount() == 2)
        // Withdrawn: off the list; its number is not used again.
        _ = try StatusDesk(node: x.f.node).enter(
            key: second.key, StatusChange(action: .withdrawn, date: today, reason: "更正：标题有误", unit: Self.office.name), now: PortalFixture.now)
        #expect(try x.desk.published(today: today).map(\.key) == [published.key])
        refusal = try #require(throws: TypicalCases.Refusal.self) { try x.desk.publish(again, now: PortalFixture.now, actor: Self.actor) }
        #expect(refusal.code == .numberTaken && refusal.reasons[0].contains("已撤回的《另一个标题》"))

        // Not publishable: a measure not applied, a feedback under objection, one the node lacks.
        for (key, code, words) in [
            (x.b.key, TypicalCases.Refusal.Code.notPublishable, "未实施"), (x.objected.key, .notPublishable, "异议处理中"),
            ("feedback|nothing", .unknownFeedback, "没有这条执行反馈"),
        ] {
            let r = try #require(throws: TypicalCases.Refusal.self) {
                try x.desk.publish(Self.draft(x.a, number: "AL-X").with(key), now: PortalFixture.now, actor: Self.actor)
            }
            #expect(r.code == code && r.reasons[0].contains(words), "\(r.reasons)")
        }
        #expect(try caseCount() == 2)
    }

    @Test func thePublicReadsTheCasesWithNoIDNumber() async throws {
        let x = try Self.fixture()
        let published = try x.desk.publish(
            Self.draft(x.person, number: "AL-2026-009", title: "张某某拒不履行判决被限制高消费"), now: PortalFixture.now, actor: Self.actor)
        // An ID number typed into a title or a summary is masked like any free text.
        var typed = Self.draft(x.a, title: "某公司因列入严重失信主体名单被限制参加政府采购（经办人\(Self.personID)）")
        typed.summary += "经办人身份证号\(Self.personID)。"
        let second = try x.desk.publish(typed, now: PortalFixture.now, actor: Self.actor)
        #expect(!second.title.contains(Self.personID) && second.title.contains(Masking.mask(Self.personID)))
        let list = try await x.f.get("/cases")
        #expect(list.status == .ok && list.body.contains("联合奖惩典型案例") && list.body.contains("张某某拒不履行判决被限制高消费"))
        #expect(list.body.contains("某公司因列入严重失信主体名单被限制参加政府采购") && list.body.contains("张某某"))
        let home = try await x.f.get("/")
        #expect(home.body.contains("更多典型案例") && home.body.contains("张某某拒不履行判决被限制高消费") && home.body.contains("href=\"/cases\""))
        let record = try await x.f.get(PortalPages.recordLink(published.key))
        #expect(record.status == .ok && record.body.contains("<title>张某某拒不履行判决被限制高消费") && record.body.contains("该公司列入严重失信主体名单"))
        #expect(record.body.contains("<h1>张某某拒不履行判决被限制高消费 <small>联合奖惩典型案例</small></h1>") && record.body.contains("<a href=\"/cases\">"))
        // Each case tagged with its category, not its kind; the listing says what it holds.
        #expect(list.body.contains("<span class=\"tag tag-sanction\">失信惩戒</span>") && list.body.contains("信用办审核发布"))
        let csv = try await x.f.get("/cases?format=csv")
        let json = try await x.f.get("/cases?format=json")
        let other = try await x.f.get(PortalPages.recordLink(second.key))
        #expect(other.status == .ok && other.body.contains("<title>某公司因列入严重失信主体名单被限制参加政府采购（经办人\(Masking.mask(Self.personID))）"))
        for body in [list.body, home.body, record.body, csv.body, json.body, other.body] {
            #expect(!body.contains(Self.personID))
        }
        #expect(record.body.contains(Masking.mask(Self.personID)))
        // The office's list as JSON: the person's case, the ID masked, the citation not written out.
        let held = String(decoding: try JSONEncoder().encode(try x.desk.published(today: ChinaTime.date(PortalFixture.now))), as: UTF8.self)
        #expect(held.contains(Masking.mask(Self.personID)) && !held.contains(Self.personID) && !held.contains("citation"))
        #expect(csv.status == .ok && csv.body.contains("张某某拒不履行判决被限制高消费"))
    }

    @Test func theOfficePublishesACaseOnItsPages() async throws {
        let x = try Self.fixture()
        try await withOperatorsListener(x.f.node, tls: false) { port in
            let base = "http://127.0.0.1:\(port)"
            let client = HTTPClient(eventLoopGroupProvider: .singleton, configuration: .init(redirectConfiguration: .disallow))
            defer { _ = client.shutdown() }
            let get = { (path: String) in try await getPage(client, base + path) }
            let page = try await get("/ops/cases")
            let link = "/ops/cases/new?feedback=" + PortalPages.escapePath(x.a.key)
            #expect(page.status == 200 && page.body.contains("可发布的执行反馈") && page.body.contains("href=\"\(link)\""))
            #expect(page.body.contains("本地区还没有发布典型案例") && !page.body.contains(Self.personID))
            #expect(!page.body.contains(PortalPages.escapePath(x.b.key)) && !page.body.contains(PortalPages.escapePath(x.objected.key)))
            let form = try await get(link)
            let cookie = try #require(form.cookie)
            let token = String(cookie.split(separator: "=")[1])
            #expect(form.status == 200 && form.body.contains("依据的执行反馈") && form.body.contains("value=\"AL-FK-T11\""))
            let draft = Self.draft(x.a)
            var fields = [
                ("feedback", draft.feedbackKey), ("number", draft.number), ("title", draft.title), ("summary", draft.summary),
                ("measures", draft.measures), ("list", draft.list), ("publisher", draft.publisher), ("publisherCode", draft.publisherCode),
            ]
            let post = { (fields: [(String, String)], cookie: String?) in try await postForm(client, base + "/ops/cases", fields, cookie: cookie) }
            // Without the page's token: the form again, what was typed kept, nothing written.
            let forged = try await post([("csrf", "x")] + fields, nil)
            #expect(forged.status == 400 && forged.body.contains("表单已过期") && forged.body.contains(draft.summary))
            // A title missing: the form again with why, the summary kept.
            fields[2].1 = ""
            let refused = try await post([("csrf", token)] + fields, cookie)
            #expect(refused.status == 400 && refused.body.contains("案例未发布") && refused.body.contains("案例标题") && refused.body.contains(draft.summary))
            #expect(try x.f.node.store.allRecords().filter { $0.kind == TypicalCases.kind }.isEmpty)
            // Published: back to the list, which confirms it.
            fields[2].1 = draft.title
            let done = try await post([("csrf", token)] + fields, cookie)
            let location = try #require(done.location)
            #expect(done.status == 303 && location.hasPrefix("/ops/cases?published="))
            let confirmed = try await get(location)
            #expect(confirmed.body.contains("已发布：《\(draft.title)》") && confirmed.body.contains("<span class=\"tag\">已发布</span>"))
            // A feedback that cannot be published: 400 naming why; one the node lacks: 404.
            let notApplied = try await get("/ops/cases/new?feedback=" + PortalPages.escapePath(x.b.key))
            #expect(notApplied.status == 400 && notApplied.body.contains("措施未实施"))
            #expect(try await get("/ops/cases/new?feedback=feedback%7Cnone").status == 404)
        }
    }

    @Test func aCatalogueWithoutTheKindSaysSo() async throws {
        let f = try PortalFixture()
        let without = try f.nodeWithout(kind: TypicalCases.kind)
        #expect(TypicalCases(node: without) == nil)
        let page = try OperationsPages(node: without).cases(reader: "测试", now: PortalFixture.now)
        #expect(!page.available && page.cases.isEmpty)
        // Sample rows of the kind are valid records, their text of their class.
        let kind = try f.node.catalogue.kind(named: TypicalCases.kind)
        let rows = try f.generated(kind, count: 20, seed: 5)
        let report = try f.ingest(rows, kind: kind, name: "案例.csv")
        #expect(report.accepted == 20, "\(report.rejections)")
        #expect(try TypicalCaseTests.records(f, kind: "case").allSatisfy { ($0.fields["AL_ALZY"] ?? "").contains($0.fields["AL_XDR_MC"] ?? "-") })
    }
}

extension TypicalCases.Draft {
    /// The same words for another feedback.
    func with(_ key: String) -> Self {
        var d = self
        d.feedbackKey = key
        return d
    }
}
