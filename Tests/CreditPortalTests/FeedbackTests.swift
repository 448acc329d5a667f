import CreditDomain
import Foundation
import NodePKI
import TestSupport
import Testing

@testable import CreditPortal
@testable import CreditStore
@testable import NodeRuntime

/// 联合奖惩执行反馈: what units did after checking subjects against the lists, counted by month.
@Suite("Joint rewards and punishments: the units' feedback on the operators' page", .serialized)
struct FeedbackTests {
    static let person = "420102195010053181"
    static let finance = (code: CommitmentTests.unitA.code, name: CommitmentTests.unitA.name)
    static let ecology = (code: CommitmentTests.unitB.code, name: CommitmentTests.unitB.name)

    /// The portal fixture's township (clock on 2026-11-25) with five feedback rows sent by its
    /// first village's units: three of November — a punishment, an incentive to a person, a
    /// measure not applied with why — one of October, and one not applied without why (refused).
    static func fixture() throws -> (PortalFixture, IngestReport) {
        let f = try PortalFixture()
        let header =
            "反馈编号,奖惩类别,依据名单,办理事项,采取措施,执行结果,执行日期,执行单位,执行单位统一社会信用代码,行政相对人名称,行政相对人类别,统一社会信用代码,证件类型,证件号码,所属行政区划,数据来源单位,数据来源单位统一社会信用代码,备注"
        func row(
            _ n: Int, _ type: String, _ list: String, _ result: String, _ date: String, _ unit: (code: String, name: String), person: Bool,
            remark: String
        )
            -> String
        {
            let subject = person ? "张三,自然人,,身份证,\(Self.person)" : "江岸甲建筑有限公司,法人及非法人组织,\(GovernmentIntegrityTests.hospital.code),,"
            return
                "FK-\(n),\(type),\(list),政府采购资格审查,依照措施清单办理,\(result),\(date),\(unit.name),\(unit.code),\(subject),\(PortalFixture.villages[0]),\(unit.name),\(unit.code),\(remark)"
        }
        let csv = [
            header,
            row(1, "失信惩戒", "严重失信主体名单", "已实施", "2026-11-20", Self.finance, person: false, remark: ""),
            row(2, "守信激励", "红名单", "已实施", "2026-11-21", Self.ecology, person: true, remark: ""),
            row(3, "失信惩戒", "失信被执行人名单", "未实施", "2026-11-22", Self.finance, person: false, remark: "办理时该主体已被移出名单"),
            row(4, "失信惩戒", "严重失信主体名单", "已实施", "2026-10-30", Self.finance, person: false, remark: ""),
            row(5, "失信惩戒", "严重失信主体名单", "未实施", "2026-11-23", Self.finance, person: false, remark: ""),
        ].joined(separator: "\r\n")
        let report = try FileIngestion(node: f.node).ingest(
            bytes: Array(csv.utf8), name: "反馈.csv", kind: "联合奖惩执行反馈", format: .csv, now: PortalFixture.now, actor: AuditActor(role: "cli"))
        return (f, report)
    }

    @Test func aMonthsFeedbackIsCountedByRegionUnitAndList() throws {
        let (f, report) = try Self.fixture()
        // Not applied without saying why: refused, as the catalogue's rule says.
        #expect(report.accepted == 4 && report.rejected == 1)
        #expect(report.rejections.first?.reasons.map(\.code) == ["required-when"] && report.rejections.first?.reasons.first?.field == "FK_BZ")
        let november = try #require(try JointFeedback.compute(f.node, month: CalendarMonth(year: 2026, month: 11)!))
        #expect(november.total.feedback == 3 && november.total.sanctions == 2 && november.total.rewards == 1 && november.total.notApplied == 1)
        #expect(november.units.map(\.code) == [Self.finance.code, Self.ecology.code] && november.units.map(\.feedback) == [2, 1])
        #expect(november.lists.count == 3 && november.lists.allSatisfy { $0.feedback == 1 })
        // Every child region, the one that sent nothing too.
        #expect(november.regions.map(\.code) == PortalFixture.villages && november.regions.map(\.feedback) == [3, 0])
        #expect(november.feedback.map(\.number) == ["FK-3", "FK-2", "FK-1"])
        #expect(november.feedback[0].remark == "办理时该主体已被移出名单" && november.feedback[0].result == "未实施")
        // The person's ID number is never shown whole.
        #expect(november.feedback[1].subjectCode == Masking.mask(Self.person))
        let october = try #require(try JointFeedback.compute(f.node, month: CalendarMonth(year: 2026, month: 10)!))
        #expect(october.total.feedback == 1 && october.feedback.map(\.number) == ["FK-4"])
        // The fields are named in the SQL as JSON paths: anything but a plain code is refused first.
        #expect(throws: StoreError.self) {
            try f.node.store.fieldValues(kind: "feedback", from: "2026-11-01", until: "2026-12-01", areaPrefix: "42", fields: ["FK_BZ') --"])
        }
        #expect(
            try f.node.store.fieldValues(kind: "feedback", from: "2026-11-01", until: "2026-12-01", areaPrefix: "42", fields: ["FK_FKBH"]).map {
                $0[3]
            } == ["FK-3", "FK-2", "FK-1"])
    }

    @Test func thePageItsCSVAndItsRefusals() async throws {
        let (f, _) = try Self.fixture()
        try await withOperatorsListener(f.node, tls: false) { port in
            let base = "http://127.0.0.1:\(port)/ops/feedback"
            let page = try await fetch(base)
            #expect(
                page.status == 200 && page.body.contains("<h1>联合奖惩")
                    && page.body.contains("<a href=\"/ops/feedback\" aria-current=\"page\">执行反馈（按月）</a>"))
            #expect(page.body.contains("<span class=\"count\">3</span><span class=\"count-name\">2026年11月执行反馈</span>"))
            #expect(page.body.contains(Self.finance.name) && page.body.contains("办理时该主体已被移出名单") && !page.body.contains(Self.person))
            let october = try await fetch(base + "?month=2026-10")
            #expect(october.status == 200 && october.body.contains("<span class=\"count\">1</span><span class=\"count-name\">2026年10月执行反馈</span>"))
            let csv = try await fetch(base + "?month=2026-11&format=csv")
            let lines = csv.body.split(separator: "\r\n")
            #expect(csv.status == 200 && lines.count == 4 && lines[0].contains("反馈编号,执行日期,奖惩类别,依据名单"))
            #expect(lines[1].hasPrefix("FK-3,2026-11-22,失信惩戒,失信被执行人名单") && !csv.body.contains(Self.person))
            let json = try await fetch(base + "?format=json")
            #expect(json.status == 200 && json.body.contains("\"month\":\"2026-11\""))
            // A month that is not one, or has not begun: 400 with how to write one.
            let bad = try await fetch(base + "?month=2026-13")
            #expect(bad.status == 400 && bad.body.contains("请写成 2026-11"))
            let future = try await fetch(base + "?month=2027-01")
            #expect(future.status == 400 && future.body.contains("尚未开始"))
        }
    }

    /// Each 市州 and 县 government reports a case a month at least: a city's counties with no
    /// typical case published this month are marked, whatever feedback they sent; a township's
    /// villages are held to nothing.
    @Test func aCountyWithoutACaseThisMonthIsMarked() async throws {
        let dir = try TemporaryDirectory()
        let issued = PortalFixture.now.addingTimeInterval(-30 * 86_400)
        let ca = try NetworkCA.create(now: issued)
        let certs = dir.url.appendingPathComponent("certs")
        try FileManager.default.createDirectory(at: certs, withIntermediateDirectories: true)
        try ca.issue(code: try DivisionCode("420100000000"), now: issued).write(to: certs, ca: ca.certificate)
        var config = NodeConfiguration(code: try DivisionCode("420100000000"), dataDirectory: dir.path("city"))
        config.identity = certs.path
        config.name = "武汉市"
        config.children = try ["420102000000", "420103000000"].map { try DivisionCode($0) }
        let city = try NodeContext(configuration: config, clock: { PortalFixture.now })
        let csv = [
            "反馈编号,奖惩类别,依据名单,办理事项,采取措施,执行结果,执行日期,执行单位,执行单位统一社会信用代码,行政相对人名称,行政相对人类别,统一社会信用代码,证件类型,证件号码,所属行政区划,数据来源单位,数据来源单位统一社会信用代码,备注",
            "FK-1,失信惩戒,严重失信主体名单,政府采购资格审查,依照措施清单办理,已实施,2026-11-20,\(Self.finance.name),\(Self.finance.code),江岸甲建筑有限公司,法人及非法人组织,\(GovernmentIntegrityTests.hospital.code),,,420102001201,\(Self.finance.name),\(Self.finance.code),",
            "FK-2,失信惩戒,严重失信主体名单,政府采购资格审查,依照措施清单办理,已实施,2026-11-21,\(Self.finance.name),\(Self.finance.code),\(Self.ecology.name),法人及非法人组织,\(Self.ecology.code),,,420103001201,\(Self.finance.name),\(Self.finance.code),",
        ].joined(separator: "\r\n")
        let report = try FileIngestion(node: city).ingest(
            bytes: Array(csv.utf8), name: "反馈.csv", kind: "feedback", format: .csv, now: PortalFixture.now, actor: AuditActor(role: "cli"))
        try #require(report.accepted == 2, "\(report.rejections)")
        let november = try #require(CalendarMonth(year: 2026, month: 11))
        // Feedback from both counties, no case yet: both are marked.
        var ledger = try #require(try JointFeedback.compute(city, month: november))
        #expect(ledger.minimumApplies && ledger.regions.map(\.feedback) == [1, 1] && ledger.regionsBelowMinimum == 2)
        // The office publishes the first county's feedback as a typical case: that county has met
        // the month's minimum; the second, with as much feedback and no case, has not.
        let feedback = try city.store.allRecords().filter { $0.kind == JointFeedback.kind }.compactMap { try city.store.record(key: $0.key) }
        let first = try #require(feedback.first { $0.fields["FK_FKBH"] == "FK-1" })
        let desk = try #require(TypicalCases(node: city))
        _ = try desk.publish(TypicalCaseTests.draft(first), now: PortalFixture.now, actor: TypicalCaseTests.actor)
        ledger = try #require(try JointFeedback.compute(city, month: november))
        #expect(ledger.regions.map(\.cases) == [1, 0] && ledger.regions.map(\.belowMinimum) == [false, true] && ledger.regionsBelowMinimum == 1)
        let october = try #require(try JointFeedback.compute(city, month: CalendarMonth(year: 2026, month: 10)!))
        #expect(october.regionsBelowMinimum == 2)
        let text = try #require(try FeedbackDocument(node: city, month: "2026-11", now: PortalFixture.now)).text
        #expect(
            text.contains("当月未报送案例的市县 1 个（每月至少发布 1 个典型案例）")
                && text.contains("420103000000）反馈 1：失信惩戒 1，守信激励 0，未实施 0，发布典型案例 0（当月未报送案例）")
                && text.contains("420102000000）反馈 1：失信惩戒 1，守信激励 0，未实施 0，发布典型案例 1\n"), "\(text)")
        // Cases are counted by region: the unit's line does not name them.
        #expect(text.split(separator: "\n").filter { $0.contains("发布典型案例") }.count == 1 + ledger.regions.count, "\(text)")
        try await withOperatorsListener(city, tls: false) { port in
            let page = try await fetch("http://127.0.0.1:\(port)/ops/feedback?month=2026-11")
            #expect(
                page.status == 200 && page.body.components(separatedBy: "当月未报送案例</span>").count - 1 == 1, "\(page.status) \(page.body.prefix(300))")
            #expect(page.body.contains("<span class=\"count\">1</span><span class=\"count-name\">当月未报送案例的市县</span>"))
        }
        // The township's villages: no such rule.
        let (f, _) = try Self.fixture()
        let township = try #require(try JointFeedback.compute(f.node, month: CalendarMonth(year: 2026, month: 11)!))
        #expect(!township.minimumApplies && township.regionsBelowMinimum == 0 && township.regions.allSatisfy { !$0.belowMinimum })
    }

    @Test func aCatalogueWithoutTheKindHasNothingToCount() throws {
        let (f, _) = try Self.fixture()
        let other = try f.nodeWithout(kind: JointFeedback.kind)
        #expect(try JointFeedback.compute(other, month: CalendarMonth(year: 2026, month: 11)!) == nil)
        #expect(try OperationsPages(node: other).feedback(reader: "x", now: PortalFixture.now, month: nil).ledger == nil)
    }
}
