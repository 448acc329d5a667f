import CreditDomain
import CreditStore
import Foundation
import SampleData
import TestSupport
import Testing

@testable import CreditPortal
@testable import NodeRuntime

/// 四率走势: the four rates month by month against 四清零 and new objections.
@Suite("The four rates month by month (四率走势)", .serialized)
struct TrendTests {
    /// 20 December 2026: November's last deadline (9 December) has passed.
    static let december = Date(timeIntervalSince1970: Double(CivilDate(year: 2026, month: 12, day: 20)!.dayNumber) * 86_400 + 2 * 3600)

    /// Each month of the trend is that month's bulletin, its figures and its deadline; the span
    /// is the months asked for, ending with `to`.
    @Test func eachMonthIsThatMonthsBulletin() throws {
        let f = try PortalFixture()
        let pages = OperationsPages(node: f.node)
        let page = try pages.trend(reader: "测试", now: PortalFixture.now, to: "2026-11", months: nil)
        #expect(page.months.map(\.month) == ["2025-12"] + (1...11).map { String(format: "2026-%02d", $0) })
        #expect(page.fromName == "2025年12月" && page.toName == "2026年11月" && page.newestFirst.first?.month == "2026-11")
        var decided = 0
        for row in page.months {
            let bulletin = try pages.bulletin(reader: "测试", now: PortalFixture.now, month: row.month)
            let (a, b) = (row.rates, bulletin.total)
            let ours: [Int] = [a.records, a.late, a.quarantined, a.corrected, a.suspectedMissing, a.concealed]
            let its: [Int] = [b.records, b.late, b.quarantined, b.corrected, b.suspectedMissing, b.concealed]
            #expect(ours == its, "\(row.month)")
            #expect(row.closesOn == bulletin.closesOn && row.open == bulletin.open)
            decided += a.records
        }
        #expect(decided > 0)
        // On 25 November only November is still open; every earlier month with decisions was
        // all late (the fixture's late decisions are spread over the months before October's end).
        #expect(page.months.filter(\.open).map(\.month) == ["2026-11"] && page.months.last?.status == "统计中")
        let october = try #require(page.months.first { $0.month == "2026-10" })
        #expect(october.status == "未清零" && october.shortOf?.hasPrefix("迟报 \(october.rates.late) 条") == true && october.rates.late > 0)
        #expect(page.closed == 11 && page.clearedMonths == 0 && page.latestClosed?.month == "2026-10")

        let six = try pages.trend(reader: "测试", now: PortalFixture.now, to: "2026年10月", months: "6")
        #expect(six.months.map(\.month) == ["2026-05", "2026-06", "2026-07", "2026-08", "2026-09", "2026-10"])
        #expect(six.countOptions.first { $0.selected }?.value == 6 && six.toOptions.first { $0.selected }?.value == "2026-10")
        // A count the form does not offer is offered as asked, chosen.
        let nine = try pages.trend(reader: "测试", now: PortalFixture.now, to: "2026-10", months: "9")
        #expect(nine.countOptions.map(\.value) == [6, 9, 12, 24] && nine.countOptions.first { $0.selected }?.value == 9)
        // Without `to`, the current month ends the trend.
        #expect(try pages.trend(reader: "测试", now: PortalFixture.now, to: nil, months: nil).months.last?.month == "2026-11")
    }

    /// November, read once its deadlines have passed: its decisions all came in time, none was
    /// refused, corrected, missing or withdrawn — 四清零 — and its objection is counted as new.
    /// One late decision, a refused row, a gap in an office's numbers or a withdrawal without an
    /// allowed reason each keeps it from 四清零, and the page says which.
    @Test func aClosedMonthWithNothingLateWrongMissingOrConcealedIsCleared() throws {
        let f = try PortalFixture()
        let pages = OperationsPages(node: f.node)
        func november() throws -> OperationsPages.TrendPage.MonthRow {
            try #require(try pages.trend(reader: "测试", now: Self.december, to: "2026-11", months: "3").months.last)
        }
        let clean = try november()
        #expect(!clean.open && clean.rates.records > 0 && clean.cleared && clean.status == "四清零" && clean.shortOf == nil)
        #expect(clean.newObjections == 1)
        let page = try pages.trend(reader: "测试", now: Self.december, to: "2026-11", months: "3")
        #expect(page.clearedMonths == 1 && page.latestClosed?.cleared == true && page.newObjections == 1)
        #expect(page.monthsWithoutNewObjection == page.closed - 1)

        // A penalty decided on 2 November and entered on the 25th: late.
        let kind = try f.node.catalogue.kind(named: "penalty")
        var rows = try f.generated(kind, count: 1, seed: 77)
        rows[0].values[try #require(kind.index["JDRQ"])] = "2026-11-02"
        rows[0].values[try #require(kind.index["WSH"])] = "趋势测试罚〔2026〕1号"
        #expect(try f.ingest(rows, kind: kind, name: "late.csv").accepted == 1)
        let late = try november()
        #expect(!late.cleared && late.status == "未清零" && late.shortOf == "迟报 1 条" && late.rates.late == 1)

        // A refused row sent in November adds an error.
        var options = SampleGenerator.Options(seed: 5, node: f.node.configuration.code, asOf: PortalFixture.asOf)
        options.faultShare = 1
        options.jurisdictions = [try DivisionCode(PortalFixture.villages[0])]
        var generator = SampleGenerator(options)
        let bad = try f.ingest(generator.rows(kind: kind, count: 2), kind: kind, name: "bad.csv")
        #expect(bad.rejected > 0)
        let wrong = try november()
        #expect(wrong.shortOf == "迟报 1 条，错误 \(bad.rejected) 条" && wrong.rates.quarantined == bad.rejected)

        // A withdrawal for a reason the catalogue does not allow.
        let key = try #require(try f.node.store.allRecords().first { $0.kind == "penalty" && $0.key.contains("趋势测试罚") }?.key)
        _ = try StatusDesk(node: f.node).enter(
            key: key, StatusChange(action: .withdrawn, date: PortalFixture.asOf, reason: "企业申请撤下", unit: "测试局"), now: PortalFixture.now)
        #expect(try november().shortOf?.hasSuffix("疑似瞒报 1 条") == true)
    }

    /// A month without decisions is not called cleared; a month still open is not judged.
    @Test func aMonthWithoutDecisionsOrStillOpenIsNotJudged() throws {
        let empty = OperationsPages.RatesRow(slug: "", kind: "", records: 0, late: 0, quarantined: 0, corrected: 0, suspectedMissing: 0, concealed: 0)
        let month = try #require(CalendarMonth("2026-11"))
        let closes = try #require(CivilDate.parse("2026-12-09"))
        let none = OperationsPages.monthRow(month, rates: empty, newObjections: 0, closesOn: closes, open: false)
        #expect(!none.cleared && none.status == "无决定报送" && none.shortOf == nil)
        var late = empty
        late.records = 4
        late.late = 1
        let open = OperationsPages.monthRow(month, rates: late, newObjections: 0, closesOn: closes, open: true)
        #expect(!open.cleared && open.status == "统计中" && open.shortOf == nil)
        var good = empty
        good.records = 4
        #expect(OperationsPages.monthRow(month, rates: good, newObjections: 2, closesOn: closes, open: false).cleared)
    }

    /// Each rate's chart: bars scaled to the highest month (at least 1 %), a mark where a month
    /// had decisions and none counted, nothing where it had none, open months marked.
    @Test func theChartsScaleEachRateToItsHighestMonth() throws {
        func row(_ month: String, records: Int, late: Int, open: Bool = false) throws -> OperationsPages.TrendPage.MonthRow {
            let rates = OperationsPages.RatesRow(
                slug: month, kind: month, records: records, late: late, quarantined: 0, corrected: 0, suspectedMissing: 0, concealed: 0)
            return OperationsPages.monthRow(
                try #require(CalendarMonth(month)), rates: rates, newObjections: 0, closesOn: try #require(CivilDate.parse("2027-01-12")), open: open)
        }
        let rows = [
            try row("2025-12", records: 10, late: 5), try row("2026-01", records: 10, late: 0), try row("2026-02", records: 0, late: 0),
            try row("2026-03", records: 20, late: 5, open: true),
        ]
        let charts = OperationsPages.rateCharts(rows)
        #expect(charts.map(\.title) == ["迟报率", "错误率", "漏报率", "瞒报率"])
        let late = charts[0]
        #expect(late.peak == "50.00 %" && late.bars.map(\.rate) == ["50.00 %", "0.00 %", "无决定", "25.00 %"])
        let full = late.baseline - late.top
        #expect(late.bars.map(\.height) == [full, 0, 0, full / 2 + full % 2])
        #expect(late.bars.map(\.zero) == [false, true, false, false] && late.bars.map(\.open) == [false, false, false, true])
        #expect(late.bars.map(\.label) == ["12月", "1月", "2月", "3月"] && late.bars.map(\.year) == ["2025", "2026", nil, nil])
        #expect(late.zeroMonths == 1 && late.labelled)
        // A rate of zero throughout is drawn against 1 %.
        #expect(charts[3].peak == "1.00 %" && charts[3].bars.allSatisfy { $0.height == 0 } && charts[3].zeroMonths == 2)
    }

    /// Each village's late rate by month, as each month's bulletin counts its region rows.
    @Test func eachRegionsLateRateIsCountedByMonth() throws {
        let f = try PortalFixture()
        let pages = OperationsPages(node: f.node)
        let page = try pages.trend(reader: "测试", now: Self.december, to: "2026-11", months: "12")
        let names = try f.node.childRegions()
        #expect(page.regions.prefix(2).map(\.name) == f.node.configuration.children.map { names.name(of: $0) })
        for (i, month) in page.months.enumerated() {
            let bulletin = try pages.bulletin(reader: "测试", now: Self.december, month: month.month)
            for region in bulletin.regions {
                let cell = try #require(page.regions.first { $0.name == region.name }?.cells[i])
                #expect(cell.rate == (region.total == 0 ? "—" : region.lateRate), "\(month.month) \(region.name)")
                let expected =
                    region.total == 0 ? "none" : region.late == 0 ? "zero" : Double(region.late) / Double(region.total) < 0.05 ? "some" : "many"
                #expect(cell.level == expected)
            }
        }
        // November: the fixture's decisions in both villages all in time.
        for region in page.regions.prefix(2) {
            #expect(region.cells.last?.level == "zero")
            #expect(region.monthsWithoutLate >= 1 && region.monthsWithoutLate <= region.closedMonths)
        }
    }

    @Test func aMonthOrCountThatCannotBeUsedIsRefusedWithWhatToWrite() throws {
        let f = try PortalFixture()
        let pages = OperationsPages(node: f.node)
        for (to, months, says) in [
            ("2026-11", "2", "3 至 24"), ("2026-11", "25", "3 至 24"), ("2026-11", "十二", "3 至 24"), ("2026-11", "-3", "3 至 24"),
            ("2026-13", nil, "无法识别"), ("2026-12", nil, "尚未开始"),
        ] {
            #expect {
                _ = try pages.trend(reader: "测试", now: PortalFixture.now, to: to, months: months)
            } throws: { e in (e as? PortalPages.BadParameter)?.message.contains(says) == true }
        }
        #expect {
            _ = try pages.trend(reader: "测试", now: PortalFixture.now, to: nil, months: PortalFixture.hiddenID)
        } throws: { e in
            guard let message = (e as? PortalPages.BadParameter)?.message else { return false }
            return message.contains("3 至 24") && !message.contains(PortalFixture.hiddenID)
        }
    }

    @Test func theListenerServesThePageItsJSONAndTheCSV() async throws {
        let f = try PortalFixture()
        try await withOperatorsListener(f.node, tls: false) { port in
            let base = "http://127.0.0.1:\(port)"
            let page = try await fetch(base + "/ops/trend?to=2026-11&months=12")
            #expect(page.status == 200 && page.body.contains("四率走势") && page.body.contains("四清零") && !page.body.contains("<script>"))
            #expect(page.body.contains("<svg") && page.body.contains("href=\"/ops/bulletin?month=2026-10\""))
            let json = try await fetch(base + "/ops/trend?to=2026-11&format=json")
            let object = try #require(try JSONSerialization.jsonObject(with: Data(json.body.utf8)) as? [String: Any])
            #expect(object["to"] as? String == "2026-11" && (object["months"] as? [Any])?.count == 12)
            let csv = try await fetch(base + "/ops/trend?to=2026-11&months=6&format=csv")
            let lines = csv.body.split(separator: "\r\n")
            #expect(csv.status == 200 && lines.first?.contains("四清零") == true && lines.count == 7)
            #expect(lines.last?.hasPrefix("2026-11,") == true && lines.last?.contains("统计中") == true)
            let wrong = try await fetch(base + "/ops/trend?months=99")
            #expect(wrong.status == 400 && wrong.body.contains("3 至 24"))
            #expect(try await fetch(base + "/ops/trend?to=2030-01&format=csv").status == 400)
            // The quality page and the bulletin lead to it.
            #expect(try await fetch(base + "/ops/quality").body.contains("href=\"/ops/trend\""))
            #expect(try await fetch(base + "/ops/bulletin?month=2026-10").body.contains("href=\"/ops/trend?to=2026-10\""))
        }
    }
}
