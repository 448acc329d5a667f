import CreditDomain
import Foundation
import Testing

@testable import CreditPortal
@testable import CreditStore
@testable import NodeRuntime
@testable import SampleData

/// 联合奖惩 名单推送与响应: the area's subjects on a list in force, and whether a unit answered.
@Suite("Joint rewards and punishments: the lists pushed to the units and their answers", .serialized)
struct ListResponsesTests {
    /// A feedback row on the subject of `listing`, as the fixture's first village's units send it:
    /// the subject block copied from the listing, the category, date and result given.
    static func feedback(
        _ f: PortalFixture, on listing: StoredRecord, type: String, date: CivilDate, result: String = "已实施", remark: String = "", seed: UInt64
    ) throws -> SampleRow {
        let kind = try f.node.catalogue.kind(named: JointFeedback.kind)
        let listed = try #require(f.node.resolvedKinds[listing.kind])
        var row = try #require(try f.generated(kind, count: 1, seed: seed).first)
        let fields = listing.fields
        for spec in kind.fields where spec.code.hasPrefix("XDR_") || spec.code.hasPrefix("FR_") {
            row.values[try #require(kind.index[spec.code])] = fields[listed.kind.fullCode(spec.code)] ?? ""
        }
        for (code, value) in [("JCLB", type), ("ZXRQ", date.iso), ("ZXJG", result), ("BZ", remark), ("FKBH", "FK-T\(seed)")] {
            row.values[try #require(kind.index[code])] = value
        }
        return row
    }

    /// The fixture's lists in force (6 entries of 严重失信主体名单, 4 of 红名单, in its two
    /// villages, listed by 2026-11-20) and four feedback rows on them: A answered with a
    /// punishment; B answered only with an incentive (the wrong category: still pending); C
    /// answered before its listing date (still pending); D, on the red list, answered with an
    /// incentive not applied, saying why.
    static func fixture() throws -> (f: PortalFixture, a: StoredRecord, b: StoredRecord, c: StoredRecord, d: StoredRecord) {
        let f = try PortalFixture()
        let listed = try ["blacklist", "redlist"].flatMap { kind in
            try f.node.store.allSubjects(kind: kind).flatMap { try f.node.store.records(subject: $0).filter { $0.kind == kind } }
        }
        let black = listed.filter { $0.kind == "blacklist" }.sorted { $0.key < $1.key }
        let red = try #require(listed.first { $0.kind == "redlist" })
        try #require(black.count == 6 && Set(black.compactMap(\.subjectCode)).count == 6)
        let (a, b, c) = (black[0], black[1], black[2])
        let since = { (r: StoredRecord) in try #require(r.decisionDate.flatMap { CivilDate.parse($0) }) }
        let rows = [
            try feedback(f, on: a, type: "失信惩戒", date: try since(a).adding(days: 1), seed: 1),
            try feedback(f, on: b, type: "守信激励", date: try since(b).adding(days: 1), seed: 2),
            try feedback(f, on: c, type: "失信惩戒", date: try since(c).adding(days: -1), seed: 3),
            try feedback(f, on: red, type: "守信激励", date: try since(red), result: "未实施", remark: "申请人未提出申请", seed: 4),
        ]
        let report = try f.ingest(rows, kind: try f.node.catalogue.kind(named: JointFeedback.kind), name: "反馈.csv")
        try #require(report.accepted == 4, "\(report.rejections)")
        return (f, a, b, c, red)
    }

    @Test func anEntryIsAnsweredByFeedbackOfItsCategoryOnOrAfterItsListing() throws {
        let (f, a, b, c, d) = try Self.fixture()
        let today = ChinaTime.date(PortalFixture.now)
        let all = try #require(try ListResponses.compute(f.node, today: today))
        #expect(all.total.listed == 10 && all.sanctions.listed == 6 && all.rewards.listed == 4)
        #expect(all.total.answered == 2 && all.total.pending == 8 && all.sanctions.answered == 1 && all.rewards.answered == 1)
        #expect(all.total.answeredShare == "20.0 %")
        let byKey = Dictionary(uniqueKeysWithValues: all.entries.map { ($0.recordKey, $0) })
        #expect(byKey[a.key]?.pending == false && byKey[a.key]?.feedback == 1 && byKey[a.key]?.units == 1)
        // The wrong category, or feedback before the listing, does not answer it.
        #expect(byKey[b.key]?.pending == true && byKey[c.key]?.pending == true)
        #expect(byKey[d.key]?.pending == false && byKey[d.key]?.notApplied == 1 && byKey[d.key]?.category == "守信激励")
        // Pending first, the longest listed first; then the answered.
        #expect(all.entries.prefix(8).allSatisfy(\.pending) && all.entries.suffix(2).allSatisfy { !$0.pending })
        let waits = all.entries.prefix(8).map(\.days)
        #expect(waits == waits.sorted(by: >))
        // Every child region is counted; the entries can be kept to one.
        #expect(all.regions.map(\.code) == PortalFixture.villages && all.regions.map(\.listed).reduce(0, +) == 10)
        let second = try DivisionCode(PortalFixture.villages[1])
        let kept = try #require(try ListResponses.compute(f.node, today: today, region: second))
        #expect(kept.entries.allSatisfy { $0.jurisdiction == second.digits } && kept.entries.count == all.regions[1].listed)
        #expect(kept.total.listed == 10)
        let pending = try #require(try ListResponses.compute(f.node, today: today, show: .pending))
        let answered = try #require(try ListResponses.compute(f.node, today: today, show: .answered))
        #expect(pending.entries.count == 8 && Set(answered.entries.map(\.recordKey)) == [a.key, d.key])
        // No whole ID number of a listed person, and an organisation's code whole.
        for e in all.entries {
            #expect((try? ResidentID(e.subjectCode)) == nil)
            let code = try #require(try f.node.store.record(key: e.recordKey)?.subjectCode)
            if (try? SocialCreditCode(code)) != nil { #expect(e.subjectCode == code) }
        }
    }

    @Test func aListingRemovedOrEndedIsNoLongerPushed() throws {
        let (f, a, _, _, _) = try Self.fixture()
        let today = ChinaTime.date(PortalFixture.now)
        let blacklist = try f.node.catalogue.kind(named: "blacklist")
        // A's entry removed (名单状态 已移出) by a newer version; another's term ended yesterday.
        let fields = a.fields
        var removed = SampleRow(values: blacklist.fields.map { fields[blacklist.kind.fullCode($0.code)] ?? "" }, fault: nil)
        removed.values[try #require(blacklist.index["MDZT"])] = "已移出"
        removed.values[try #require(blacklist.index["YCRQ"])] = today.iso
        removed.values[try #require(blacklist.index["YCYY"])] = "信用修复完成"
        #expect(try f.ingest([removed], kind: blacklist, name: "removed.csv").updated == 1)
        var ended = try #require(try f.generated(blacklist, count: 1, seed: 99).first)
        ended.values[try #require(blacklist.index["YXQZ"])] = today.adding(days: -1).iso
        ended.values[try #require(blacklist.index["LRRQ"])] = today.adding(days: -200).iso
        ended.values[try #require(blacklist.index["GZRQ"])] = today.adding(days: -210).iso
        #expect(try f.ingest([ended], kind: blacklist, name: "ended.csv").accepted == 1)
        let now = try #require(try ListResponses.compute(f.node, today: today))
        #expect(now.total.listed == 9 && now.sanctions.listed == 5 && now.total.answered == 1)
        #expect(!now.entries.contains { $0.recordKey == a.key })
        // Yesterday the ended one was still in force and waiting.
        let yesterday = try #require(try ListResponses.compute(f.node, today: today.adding(days: -1)))
        #expect(
            yesterday.sanctions.listed == 6 && yesterday.entries.contains { $0.days == 199 && $0.pending && $0.until == today.adding(days: -1).iso })
    }

    /// `/ops/`'s card counts the entries no unit has answered, counted again when the store
    /// changes and when the day does (an entry whose term ended yesterday no longer waits).
    @Test func theDashboardCountsTheEntriesWaitingForAnAnswer() async throws {
        let (f, _, b, _, _) = try Self.fixture()
        let pages = OperationsPages(node: f.node)
        let now = PortalFixture.now
        let today = ChinaTime.date(now)
        let count = { (at: Date) in try pages.collection(reader: "测试", now: at).listPending }
        #expect(try count(now) == 8)
        // B answered with a punishment: the count kept a few seconds (it is dear at a province),
        // then one fewer.
        let answer = try Self.feedback(f, on: b, type: "失信惩戒", date: today, seed: 5)
        #expect(try f.ingest([answer], kind: try f.node.catalogue.kind(named: JointFeedback.kind), name: "反馈2.csv").accepted == 1)
        #expect(try count(now.addingTimeInterval(1)) == 8)
        #expect(try count(now.addingTimeInterval(KeptFigures.refreshSecondsMin + 1)) == 7)
        // A listing in force until today waits today, and no longer at midnight (16:00 UTC),
        // seconds later, though nothing changed.
        let blacklist = try f.node.catalogue.kind(named: "blacklist")
        var ending = try #require(try f.generated(blacklist, count: 1, seed: 98).first)
        ending.values[try #require(blacklist.index["YXQZ"])] = today.iso
        ending.values[try #require(blacklist.index["LRRQ"])] = today.adding(days: -100).iso
        ending.values[try #require(blacklist.index["GZRQ"])] = today.adding(days: -110).iso
        #expect(try f.ingest([ending], kind: blacklist, name: "ending.csv").accepted == 1)
        let midnight = now.addingTimeInterval(14 * 3600)
        #expect(try count(midnight.addingTimeInterval(-3)) == 8)
        #expect(try count(midnight.addingTimeInterval(3)) == 7)
        // /metrics says the same, for an alert on entries left waiting.
        let metrics = try Metrics.text(f.node, now: midnight.addingTimeInterval(4))
        let code = f.node.configuration.code.digits
        #expect(metrics.contains("creditnet_list_entries{node=\"\(code)\",answer=\"pending\"} 7"), "\(metrics)")
        #expect(metrics.contains("creditnet_list_entries{node=\"\(code)\",answer=\"answered\"} 3"))
        try await withOperatorsListener(f.node, tls: false) { port in
            let page = try await fetch("http://127.0.0.1:\(port)/ops/")
            #expect(
                page.body.contains(
                    "<a href=\"/ops/lists?show=pending#entries\"><span class=\"count\">8</span><span class=\"count-name\">联合奖惩待响应主体</span>"))
        }
    }

    @Test func theStoreReadsPlainFieldCodesOnly() throws {
        let (f, a, _, _, _) = try Self.fixture()
        let store = f.node.store
        #expect(throws: StoreError.self) {
            try store.listedInForce(kind: "blacklist", areaPrefix: "42", today: "2026-11-25", fields: ["SX_MDMC') --"])
        }
        #expect(throws: StoreError.self) {
            try store.feedbackOnListed(
                listKind: "blacklist", areaPrefix: "42", today: "2026-11-25", feedback: "feedback", since: "2026-01-01", fields: ["FK_JCLB'"])
        }
        let read = try store.listedInForce(kind: "blacklist", areaPrefix: "42", today: "2026-11-25", fields: ["SX_MDMC"])
        #expect(read.count == 6 && read.allSatisfy { !$0.values[0].isEmpty })
        // The feedback on listed subjects only: A's, B's and C's (the red list's subject is not
        // on this list), C's before its listing too, since the oldest listing.
        let oldest = try #require(read.map(\.since).min())
        let answers = try store.feedbackOnListed(
            listKind: "blacklist", areaPrefix: "42", today: "2026-11-25", feedback: "feedback", since: oldest, fields: ["FK_JCLB"])
        #expect(answers.count == 3 && answers.contains { $0[0] == a.subjectCode && $0[2] == "失信惩戒" })
        #expect(
            try store.feedbackOnListed(
                listKind: "blacklist", areaPrefix: "42", today: "2026-11-25", feedback: "feedback", since: "2027-01-01", fields: []
            ).isEmpty)
        // Another area holds none of them.
        #expect(try store.listedInForce(kind: "blacklist", areaPrefix: "4201030", today: "2026-11-25", fields: []).isEmpty)
    }

    /// The running figures an entry's answer is read from: the feedback on or after its listing.
    @Test func anEntrysAnswerIsThePrefixOnOrAfterItsListing() {
        let answers = ListResponses.Answers([
            ("2026-11-03", false, "U1"), ("2026-11-10", true, "U2"), ("2026-11-10", false, "U1"), ("2026-11-20", false, "U3"),
        ])
        let late = answers.since("2026-11-21")
        #expect(late.feedback == 0 && late.latest == nil)
        let on = answers.since("2026-11-20")
        #expect(on.feedback == 1 && on.units == 1 && on.notApplied == 0 && on.latest == "2026-11-20")
        let mid = answers.since("2026-11-10")
        #expect(mid.feedback == 3 && mid.units == 3 && mid.notApplied == 1)
        let all = answers.since("2026-01-01")
        #expect(all.feedback == 4 && all.units == 3 && all.notApplied == 1 && all.latest == "2026-11-20")
        #expect(ListResponses.Answers([]).since("2026-01-01").feedback == 0)
    }

    @Test func thePageItsCSVAndItsRefusals() async throws {
        let (f, _, _, _, _) = try Self.fixture()
        try await withOperatorsListener(f.node, tls: false) { port in
            let base = "http://127.0.0.1:\(port)/ops/lists"
            let page = try await fetch(base)
            #expect(page.status == 200 && page.body.contains("<h1>联合奖惩") && page.body.contains("<a href=\"/ops/lists\">联合奖惩</a>"))
            #expect(page.body.contains("<span class=\"count\">10</span><span class=\"count-name\">在列主体</span>"))
            #expect(page.body.contains("<span class=\"count\">8</span><span class=\"count-name\">待响应</span>"))
            #expect(page.body.contains("<a href=\"/ops/feedback\">执行反馈（按月）</a>"))
            let pending = try await fetch(base + "?show=pending")
            #expect(pending.status == 200 && pending.body.contains("aria-current=\"true\">待响应</a>"))
            #expect(pending.body.components(separatedBy: "standing-at-risk\">待响应</span>").count - 1 == 8)
            let csv = try await fetch(base + "?show=pending&format=csv")
            let lines = csv.body.split(separator: "\r\n")
            #expect(csv.status == 200 && lines.count == 9 && lines[0].contains("名单名称,奖惩类别,主体名称,主体代码,列入日期"))
            #expect(lines.dropFirst().allSatisfy { $0.hasSuffix(",待响应") })
            let village = PortalFixture.villages[0]
            let region = try await fetch(base + "?region=\(village)&format=csv")
            #expect(region.status == 200 && region.body.split(separator: "\r\n").dropFirst().allSatisfy { $0.contains(",\(village),") })
            let json = try await fetch(base + "?format=json")
            #expect(json.status == 200 && json.body.contains("\"answeredShare\":\"20.0 %\""))
            // What the filter cannot hold: 400 with what to write.
            let show = try await fetch(base + "?show=late")
            #expect(show.status == 400 && show.body.contains("pending（待响应）"))
            let elsewhere = try await fetch(base + "?region=420103000000")
            #expect(elsewhere.status == 400 && elsewhere.body.contains("不是本地区的下级区划"))
            // The feedback page links back to the lists.
            let feedback = try await fetch("http://127.0.0.1:\(port)/ops/feedback")
            #expect(feedback.status == 200 && feedback.body.contains("<a href=\"/ops/lists\">名单推送与响应</a>"))
        }
    }

    /// The reports' text says a region or unit with its code once.
    @Test func aRegionOrUnitIsSaidWithItsCodeOnce() {
        #expect(OperationsPages.named("江岸区", "420102000000") == "江岸区（420102000000）")
        #expect(OperationsPages.named("乡镇级 420102001000", "420102001000") == "乡镇级（420102001000）")
        #expect(OperationsPages.named("91420102MA4KX0B38Y", "91420102MA4KX0B38Y") == "（91420102MA4KX0B38Y）")
    }

    @Test func aCatalogueWithoutFeedbackCannotAnswerTheLists() throws {
        let (f, _, _, _, _) = try Self.fixture()
        let other = try f.nodeWithout(kind: JointFeedback.kind)
        #expect(try ListResponses.compute(other, today: ChinaTime.date(PortalFixture.now)) == nil)
        #expect(try OperationsPages(node: other).lists(reader: "x", now: PortalFixture.now, show: nil, region: nil).ledger == nil)
        #expect(try OperationsPages(node: other).collection(reader: "x", now: PortalFixture.now).listPending == nil)
        #expect(try !Metrics.text(other, now: PortalFixture.now).contains("creditnet_list_entries"))
    }
}
