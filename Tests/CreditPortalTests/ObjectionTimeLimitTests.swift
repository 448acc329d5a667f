import AsyncHTTPClient
import CreditDomain
import Foundation
import NIOCore
import TestSupport
import Testing

@testable import CreditPortal
@testable import CreditStore
@testable import NodeRuntime

/// An objection's time limit (DOMAIN.md §4, catalogue `objectionWorkingDays`): the unit decides
/// within three working days of the objection, seven where another unit helps verify; the office
/// sees where each open objection stands and closes it from `/ops/work`; the person who objected
/// reads the limit, then the outcome, with their follow-up code.
@Suite("Objections: their time limit, and closing them from the office's pages")
struct ObjectionTimeLimitTests {
    static func day(_ month: Int, _ day: Int) -> CivilDate { CivilDate(year: 2026, month: month, day: day)! }
    static let limit = Catalogue.ObjectionTimeLimit(decide: 3, assisted: 7)

    @Test func theLimitCountsWorkingDaysThroughHolidaysAndWorkingWeekends() throws {
        let calendar = try PortalFixture().node.calendar
        // Opened the day before 国庆节: the holiday is skipped, its working Saturday counts.
        let autumn = try #require(ObjectionDueDates(openedOn: Self.day(9, 30), limit: Self.limit, calendar: calendar))
        #expect(autumn.decide == Self.day(10, 10) && autumn.assisted == Self.day(10, 15) && !autumn.provisional)
        // Opened on a Friday: the weekends are skipped.
        let friday = try #require(ObjectionDueDates(openedOn: Self.day(11, 20), limit: Self.limit, calendar: calendar))
        #expect(friday.decide == Self.day(11, 25) && friday.assisted == Self.day(12, 1))
        #expect(friday.standing(today: Self.day(11, 24), assisted: false) == .within)
        #expect(friday.standing(today: Self.day(11, 25), assisted: false) == .lastDay)
        #expect(friday.standing(today: Self.day(11, 26), assisted: false) == .overdue)
        // Marked for assisted verification (协查): seven working days.
        #expect(
            friday.standing(today: Self.day(11, 26), assisted: true) == .within && friday.standing(today: Self.day(12, 1), assisted: true) == .lastDay
        )
        #expect(friday.standing(today: Self.day(12, 2), assisted: true) == .overdue)
        // A catalogue that sets no limit: none is shown.
        #expect(ObjectionDueDates(openedOn: Self.day(11, 20), limit: nil, calendar: calendar) == nil)
    }

    @Test func aCatalogueWithAnImpossibleLimitIsRefusedWhenRead() throws {
        let dir = try TemporaryDirectory()
        let shipped = try #require(Catalogue.bundledURL)
        func load(_ limit: [String: Int]) throws -> Catalogue {
            var json = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: shipped)) as? [String: Any])
            json["objectionWorkingDays"] = limit
            let url = dir.url.appendingPathComponent("catalogue.json")
            try JSONSerialization.data(withJSONObject: json).write(to: url)
            return try Catalogue.load(from: url)
        }
        for (decide, assisted) in [(0, 7), (3, 2)] {
            let error = try #require(throws: CatalogueError.self) { try load(["decide": decide, "assisted": assisted]) }
            #expect(error.message.contains("objectionWorkingDays needs decide ≥ 1 and assisted ≥ decide"), "\(error.message)")
        }
        #expect(try load(["decide": 5, "assisted": 5]).objectionWorkingDays == Catalogue.ObjectionTimeLimit(decide: 5, assisted: 5))
        #expect(try Catalogue.bundled().objectionWorkingDays == Self.limit)
    }

    @Test func theOfficeSeesEachObjectionsLimitAndClosesItFromThePage() async throws {
        let f = try PortalFixture()
        let active = try f.node.store.allRecords().filter { $0.kind == "penalty" && $0.state == "active" }.map(\.key).sorted()
        // Two decided early enough to have been objected to on the 13th, then two more.
        let early = try active.filter { (try f.node.store.record(key: $0)?.decisionDate ?? "9") <= "2026-11-12" }
        try #require(early.count >= 2)
        let keys = Array(early.prefix(2)) + active.filter { !early.prefix(2).contains($0) }.prefix(2)
        let status = StatusDesk(node: f.node)
        let open = { (key: String, on: CivilDate) in
            _ = try status.enter(
                key: key, StatusChange(action: .objectionOpened, date: on, reason: "信用主体提出异议", unit: "江岸区信用办"), now: PortalFixture.now)
        }
        // Today is 2026-11-25. Opened 11-13 and 11-19: both past three working days.
        try open(keys[0], Self.day(11, 13))
        try open(keys[1], Self.day(11, 19))
        // A person's objection, accepted today: within its limit; the fixture's own (opened on
        // the 20th) is due today.
        let desk = ObjectionDesk(node: f.node)
        let request = try desk.submit(key: keys[2], name: "张三", contact: "13800000000", reason: "处罚对象有误", now: PortalFixture.now)
        _ = try desk.accept(id: request.id, unit: "江岸区信用办", now: PortalFixture.now)

        let work = try OperationsPages(node: f.node).work(reader: "测试", now: PortalFixture.now, csrf: "t")
        #expect(work.objectionCount == 4 && work.objectionsPastLimit == 2 && work.timeLimit?.decide == 3)
        #expect(work.objections.map(\.standing) == ["overdue", "overdue", "last-day", "within"])
        #expect(work.objections.map(\.due) == ["2026-11-18", "2026-11-24", "2026-11-25", "2026-11-30"])
        #expect(work.objections[1].standingLabel == "已超过 3 个工作日，逾期未办结" && work.objections[1].dueAssisted == "2026-11-30")
        #expect(work.objections[2].standingLabel == "今日到期（3 个工作日）" && work.objections.allSatisfy { !$0.assisted })
        // /metrics counts them by standing.
        let metrics = try Metrics.text(f.node, now: PortalFixture.now)
        let code = f.node.configuration.code.digits
        for (standing, count) in [("overdue", 2), ("last-day", 1), ("within", 1)] {
            #expect(metrics.contains("creditnet_objections_open{node=\"\(code)\",standing=\"\(standing)\"} \(count)"), "\(standing)")
        }
        // The record's page says when the objection was accepted and by when the unit decides.
        let objected = try await f.get("/records/" + PortalPages.escapePath(keys[0]))
        #expect(objected.body.contains("已于 2026-11-13 受理") && objected.body.contains("报送单位应在 2026-11-18 前作出处理决定（需其他单位协查的，2026-11-24 前）"))
        #expect(try await f.json("/records/" + PortalPages.escapePath(keys[0]))["objection"] != nil)
        // The person reads the limit with their code.
        let before = try f.portal.pages.objectionStatus(code: request.code, today: ChinaTime.date(PortalFixture.now)).page.request
        #expect(before?.dueBy == "2026-11-30" && before?.dueAssisted == "2026-12-04" && before?.closedOn == nil && before?.assisted == false)

        try await withOperatorsListener(f.node, tls: false) { port in
            let base = "http://127.0.0.1:\(port)"
            let client = HTTPClient(eventLoopGroupProvider: .singleton, configuration: .init(redirectConfiguration: .disallow))
            defer { _ = client.shutdown() }
            let (cookie, token, html) = try await formPage(client, base + "/ops/work")
            #expect(html.contains("4 件，超过办理时限 2 件") && html.contains("已超过 3 个工作日，逾期未办结"))
            let row = try #require(work.objections.first { $0.standing == "overdue" }?.id)
            #expect(html.contains("action=\"/ops/work/objections/\(row)/close\""))
            let dashboard = try await fetch(base + "/ops/")
            #expect(dashboard.body.contains("<span class=\"count\">2</span><span class=\"count-name\">超过办理时限的异议</span>"))
            #expect(dashboard.body.contains("<span class=\"count\">1</span><span class=\"count-name\">今日到期的异议</span>"))

            // A form as the page posts it: `outcome`, then the finding and unit, then the token.
            func post(_ path: String, _ outcome: String?, reason: String = "经核查，处罚对象与决定书一致", csrf: Bool = true) async throws -> (
                status: Int, location: String?, body: String
            ) {
                let fields = (outcome.map { [("outcome", $0)] } ?? []) + [("reason", reason), ("unit", "江岸区市场监督管理局")]
                let r = try await postForm(client, base + path, fields + (csrf ? [("csrf", token)] : []), cookie: csrf ? cookie : nil)
                return (r.status, r.location, r.body)
            }
            let close = "/ops/work/objections/\(row)/close"
            // 协查: the objection opened on the 19th needs another unit; its limit becomes seven
            // working days (11-30), and it is back within it. Refused first: no reason, another
            // site's form; then marked, and refused a second time.
            let helped = try #require(work.objections.first { $0.key == Masking.maskResidentIDs(in: keys[1]) }?.id)
            let assist = "/ops/work/objections/\(helped)/assist"
            #expect(html.contains("action=\"\(assist)\"") && html.contains("登记协查，时限延至 2026-11-30"))
            let unexplained = try await post(assist, nil, reason: "")
            #expect(unexplained.status == 400 && unexplained.body.contains("登记协查需填写协查单位和事项"))
            #expect(try await post(assist, nil, reason: "需税务部门核实", csrf: false).status == 400)
            #expect(try await post(assist, nil, reason: "需税务部门核实").status == 303)
            let twice = try await post(assist, nil, reason: "需税务部门核实")
            #expect(twice.status == 400 && twice.body.contains("这件异议已登记协查"))
            let marked = try OperationsPages(node: f.node).work(reader: "测试", now: PortalFixture.now, csrf: "t")
            let helpedRow = try #require(marked.objections.first { $0.id == helped })
            #expect(helpedRow.assisted && helpedRow.standing == "within" && helpedRow.due == "2026-11-30" && helpedRow.dueAssisted == nil)
            #expect(helpedRow.standingLabel == "在办理时限内（需协查，7 个工作日）" && marked.objectionsPastLimit == 1)
            #expect(try f.node.store.record(key: keys[1])?.state == "objected")
            let helpedPage = try await f.get("/records/" + PortalPages.escapePath(keys[1]))
            #expect(helpedPage.body.contains("报送单位应在 2026-11-30 前作出处理决定（需其他单位协查，办理时限已相应延长）"))
            let markedHTML = try await fetch(base + "/ops/work")
            #expect(!markedHTML.body.contains("action=\"\(assist)\"") && markedHTML.body.contains("已登记协查"))
            // Refused, nothing entered: another site's form; no outcome, or one the page does not
            // offer; no reason; a record that is not there; a record not under objection.
            #expect(try await post(close, "kept", csrf: false).status == 400)
            let noOutcome = try await post(close, nil)
            #expect(noOutcome.status == 400 && noOutcome.body.contains("请选择处理结果"))
            #expect(try await post(close, "withdrawn").status == 400)
            let noReason = try await post(close, "kept", reason: " ")
            #expect(noReason.status == 400 && noReason.body.contains("办结异议需填写处理决定"))
            let nowhere = try await post("/ops/work/objections/999999/close", "kept")
            #expect(nowhere.status == 400 && nowhere.body.contains("没有这条记录"))
            let quiet = try #require(try f.node.store.allRecords().first { $0.key == keys[3] && $0.state == "active" })
            let quietRow = try #require(try f.node.store.record(key: quiet.key)?.rowID)
            let notOpen = try await post("/ops/work/objections/\(quietRow)/close", "kept")
            #expect(notOpen.status == 400 && notOpen.body.contains("没有处理中异议的记录无需办结"), "\(notOpen.body.prefix(400))")
            #expect(try await post("/ops/work/objections/\(quietRow)/assist", nil).status == 400)
            #expect(try f.node.store.statusHistory(key: quiet.key).isEmpty)
            #expect(try f.node.store.record(key: keys[0])?.state == "objected")

            // Closed, kept: the mark is cleared here and goes to every tier with the next sync.
            let closed = try await post(close, "kept")
            #expect(closed.status == 303 && closed.location == "/ops/work")
            #expect(try f.node.store.record(key: keys[0])?.state == "active")
            let last = try #require(try f.node.store.statusHistory(key: keys[0]).last?.status)
            #expect(last.action == .objectionClosed && last.outcome == "kept" && last.unit == "江岸区市场监督管理局")
            let after = try OperationsPages(node: f.node).work(reader: "测试", now: PortalFixture.now, csrf: "t")
            #expect(after.objectionCount == 3 && after.objectionsPastLimit == 0)
            // The person's objection, corrected: they read the outcome.
            let theirs = try #require(after.objections.first { $0.key == Masking.maskResidentIDs(in: keys[2]) }?.id)
            let corrected = try await post("/ops/work/objections/\(theirs)/close", "corrected")
            #expect(corrected.status == 303)
        }
        // Closed: the record's page no longer says it is under objection.
        let cleared = try await f.get("/records/" + PortalPages.escapePath(keys[0]))
        #expect(cleared.status == .ok && !cleared.body.contains("id=\"objection-open\"") && !cleared.body.contains("受理，核查期间"))
        // The decision is published on the record's page, as the status page says it is.
        #expect(cleared.body.contains("异议已于 2026-11-25 办结：经核查记录无误，维持原记录。处理决定：经核查，处罚对象与决定书一致（江岸区市场监督管理局）。"))
        let published = try await f.json("/records/" + PortalPages.escapePath(keys[0]))["objectionDecided"] as? [String: Any]
        #expect(published?["closedOn"] as? String == "2026-11-25" && published?["unit"] as? String == "江岸区市场监督管理局")
        // A record never objected to says nothing of it.
        #expect(try await f.json("/records/" + PortalPages.escapePath(keys[3]))["objectionDecided"] == nil)
        let answered = try await f.get("/objections/status?code=" + request.code)
        #expect(answered.body.contains("已办结（2026-11-25）：经核查记录有误，已更正"), "\(answered.body)")
        #expect(!answered.body.contains("前核查并作出处理决定"))
        // The office's list of decided requests says it too.
        let decided = try OperationsPages(node: f.node).work(reader: "测试", now: PortalFixture.now, csrf: "t").decided
        #expect(decided.first { $0.id == request.id }?.state == "已受理 · 2026-11-25 办结（经核查记录有误，已更正）")
        // Someone objects again to the corrected record: the first person still reads their own
        // objection's outcome, and the second, who joined it, the new objection's time limit.
        let later = PortalFixture.now.addingTimeInterval(2 * 86_400)
        let second = try desk.submit(key: keys[2], name: "李四", contact: "13900000000", reason: "更正后仍有误", now: later)
        _ = try desk.accept(id: second.id, unit: "江岸区信用办", now: later)
        let third = try desk.submit(key: keys[2], name: "王五", contact: "13700000000", reason: "同一处罚", now: later)
        _ = try desk.accept(id: third.id, unit: "江岸区信用办", now: later)
        let first = try f.portal.pages.objectionStatus(code: request.code, today: Self.day(11, 27)).page.request
        #expect(first?.state == "已办结" && first?.closedOn == "2026-11-25" && first?.dueBy == nil, "\(String(describing: first))")
        for code in [second.code, third.code] {
            let theirs = try f.portal.pages.objectionStatus(code: code, today: Self.day(11, 27)).page.request
            #expect(theirs?.state == "已受理" && theirs?.dueBy == "2026-12-02" && theirs?.closedOn == nil, "\(String(describing: theirs))")
        }
        let openings = try f.node.store.statusHistory(key: keys[2]).filter { $0.status.action == .objectionOpened }
        let joined = try f.node.store.objectionRequest(id: third.id)?.opening
        #expect(openings.count == 2 && joined == "\(openings[1].origin):\(openings[1].seq)")
        // Requests accepted before v30 kept no opening: the migration finds each one's from the
        // time it was accepted.
        let ids = [request.id, second.id, third.id]
        let kept = try ids.map { try f.node.store.objectionRequest(id: $0)?.opening }
        #expect(kept[0] == "\(openings[0].origin):\(openings[0].seq)")
        try f.node.store.write { db in
            try db.execute(sql: "ALTER TABLE objection_requests DROP COLUMN opening")
            try Migrations.v30TheObjectionARequestOpened(db)
        }
        #expect(try ids.map { try f.node.store.objectionRequest(id: $0)?.opening } == kept)
        // The audit trail names the operator's decisions.
        #expect(try f.node.store.audit().last?.actor.role == "local")
    }
}
