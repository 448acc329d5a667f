import CreditDomain
import CreditStore
import Foundation
import SampleData
import TestSupport
import Testing

@testable import CreditPortal
@testable import NodeRuntime

@Suite("The operators' regular bulletin (定期通报)", .serialized)
struct BulletinPageTests {
    /// Every numbered decision the node holds falls in exactly one month's bulletin, with its
    /// lateness; each month's figures add up by kind, by region and by authority.
    @Test func eachDecisionIsCountedInTheMonthItWasDecided() throws {
        let f = try PortalFixture()
        let pages = OperationsPages(node: f.node)
        let records: [StoredRecord] = try f.node.store.allRecords().filter { f.node.resolvedKinds[$0.kind]?.decisionNumbering != nil }.map {
            try #require(try f.node.store.record(key: $0.key))
        }
        let months = Set(records.compactMap { r -> CalendarMonth? in r.decisionDate.flatMap { CivilDate.parse($0) }.map(CalendarMonth.init) })
        #expect(months.count > 3)
        var decided = 0
        var late = 0
        for month in months {
            let page = try pages.bulletin(reader: "测试", now: PortalFixture.now, month: month.iso)
            let expected = records.filter { $0.decisionDate?.hasPrefix(month.iso + "-") == true }
            let expectedLate = expected.filter { $0.late }.count
            #expect(page.total.records == expected.count && page.total.late == expectedLate, "\(month)")
            #expect(page.kinds.reduce(0) { $0 + $1.records } == page.total.records)
            #expect(page.regions.reduce(0) { $0 + $1.total } == page.total.records)
            let listed: Int = (page.flagged + page.clean).reduce(0) { $0 + $1.decided }
            #expect(listed == page.total.records)
            #expect(page.flagged.allSatisfy { a in a.late + a.corrected + a.suspectedMissing + a.concealed > 0 })
            #expect(page.clean.allSatisfy { a in a.late + a.corrected + a.suspectedMissing + a.concealed == 0 && a.remark == "按时、完整" })
            decided += page.total.records
            late += page.total.late
        }
        #expect(decided == records.count && late == records.filter { $0.late }.count && late > 0)
    }

    @Test func withoutAMonthItIsTheLastWholeOneAndItSaysWhetherItCanStillGrow() throws {
        let f = try PortalFixture()
        let pages = OperationsPages(node: f.node)
        // 2026-11-25: October's deadlines (seven working days after the 31st) have passed; November's have not.
        let october = try pages.bulletin(reader: "测试", now: PortalFixture.now, month: nil)
        #expect(october.month == "2026-10" && october.monthName == "2026年10月" && !october.open && october.closesOn == "2026-11-10")
        #expect(october.previous == "2026-09" && october.next == "2026-11")
        let november = try pages.bulletin(reader: "测试", now: PortalFixture.now, month: "2026年11月")
        #expect(november.open && november.next == nil && november.months.first { $0.selected }?.value == "2026-11")
        #expect(november.months.count == OperationsPages.bulletinMonthsOffered && november.months.first?.value == "2026-11")
    }

    @Test func aMonthThatCannotBeReadOrHasNotBegunIsRefusedWithWhatToWrite() throws {
        let f = try PortalFixture()
        let pages = OperationsPages(node: f.node)
        for (text, says) in [("2026-13", "无法识别"), ("11月", "无法识别"), ("2026-12", "尚未开始")] {
            #expect {
                _ = try pages.bulletin(reader: "测试", now: PortalFixture.now, month: text)
            } throws: { e in (e as? PortalPages.BadParameter)?.message.contains(says) == true }
        }
        // What was typed is said back, a resident ID number masked.
        #expect {
            _ = try pages.bulletin(reader: "测试", now: PortalFixture.now, month: PortalFixture.hiddenID)
        } throws: { e in
            guard let message = (e as? PortalPages.BadParameter)?.message else { return false }
            return message.contains("无法识别") && !message.contains(PortalFixture.hiddenID)
        }
    }

    /// An office that reported 1号, 2号 and 4号, the last in November, is named in November's
    /// bulletin for the missing 3号, by the name its records give; a withdrawal that month for a
    /// reason the catalogue does not allow is named too; the sample offices stay clean.
    @Test func theOfficesToFollowUpAreNamedWithWhatEachShouldDo() throws {
        let f = try PortalFixture()
        let kind = try f.node.catalogue.kind(named: "penalty")
        var options = SampleGenerator.Options(seed: 99, node: f.node.configuration.code, asOf: PortalFixture.asOf)
        options.faultShare = 0
        options.lateShare = 0
        options.jurisdictions = try PortalFixture.villages.map { try DivisionCode($0) }
        var generator = SampleGenerator(options)
        var rows = generator.rows(kind: kind, count: 3)
        let number = try #require(kind.index["WSH"]), authority = try #require(kind.index["CFJGDM"])
        let name = try #require(kind.index["CFJG"]), date = try #require(kind.index["JDRQ"])
        for (i, (n, day)) in [(1, "2026-10-09"), (2, "2026-10-12"), (4, "2026-11-18")].enumerated() {
            rows[i].values[number] = "仙桃城管罚〔2026〕\(n)号"
            rows[i].values[authority] = rows[0].values[authority]
            rows[i].values[name] = "仙桃市城市管理执法局"
            rows[i].values[date] = day
        }
        let path = try f.dir.write("gap.csv", Array(SampleGenerator.csv(kind: kind, rows: rows, header: .codes).utf8))
        #expect(try FileIngestion(node: f.node).ingest(file: path, kind: "penalty", now: PortalFixture.now).accepted == 3)
        let pages = OperationsPages(node: f.node)
        let november = try pages.bulletin(reader: "测试", now: PortalFixture.now, month: "2026-11")
        let office = try #require(november.flagged.first { $0.authority == rows[0].values[authority] })
        #expect(office.name == "仙桃市城市管理执法局" && office.decided == 1 && office.suspectedMissing == 1 && office.remark.contains("文号缺 1 个"))
        // Flagged in October too (its two late decisions): two months running.
        #expect(office.streak == 2 && office.streakText == "连续 2 个月需要整改" && november.persistentCount == nil)
        #expect(november.total.suspectedMissing == 1 && november.kinds.first { $0.kind == "行政处罚" }?.suspectedMissing == 1)
        // October: its two decisions, late (entered on 25 November), nothing missing yet between them.
        let october = try pages.bulletin(reader: "测试", now: PortalFixture.now, month: "2026-10")
        let before = try #require(october.flagged.first { $0.authority == rows[0].values[authority] })
        #expect(before.decided == 2 && before.late == 2 && before.suspectedMissing == 0 && before.remark.hasPrefix("迟报 2 条"))

        let key = try #require(
            try f.node.store.allRecords().first { $0.kind == "penalty" && $0.key.hasPrefix("penalty|\(rows[0].values[authority])|") }?.key)
        _ = try StatusDesk(node: f.node).enter(
            key: key, StatusChange(action: .withdrawn, date: PortalFixture.asOf, reason: "企业申请撤下", unit: "仙桃市城市管理执法局"), now: PortalFixture.now)
        let after = try pages.bulletin(reader: "测试", now: PortalFixture.now, month: "2026-11")
        let named = try #require(after.flagged.first { $0.authority == rows[0].values[authority] })
        #expect(named.concealed == 1 && named.remark.contains("目录未列明的理由") && after.total.concealed == 1)
        #expect(try pages.bulletin(reader: "测试", now: PortalFixture.now, month: "2026-10").total.concealed == 0)
    }

    @Test func theListenerServesThePageItsJSONAndTheCSV() async throws {
        let f = try PortalFixture()
        try await withOperatorsListener(f.node, tls: false) { port in
            let base = "http://127.0.0.1:\(port)"
            let page = try await fetch(base + "/ops/bulletin?month=2026-11")
            #expect(page.status == 200 && page.body.contains("2026年11月定期通报") && page.body.contains("需要整改的决定机关"))
            #expect(page.body.contains("公示时限至") && !page.body.contains("<script>"))
            let json = try await fetch(base + "/ops/bulletin?month=2026-11&format=json")
            let object = try #require(try JSONSerialization.jsonObject(with: Data(json.body.utf8)) as? [String: Any])
            #expect(object["month"] as? String == "2026-11" && (object["total"] as? [String: Any])?["records"] as? Int ?? 0 > 0)
            let csv = try await fetch(base + "/ops/bulletin?month=2026-11&format=csv")
            let lines = csv.body.split(separator: "\r\n")
            #expect(
                csv.status == 200 && lines.first?.contains("决定机关") == true && lines.count > 1
                    && lines.dropFirst().allSatisfy { $0.hasPrefix("2026-11,") })
            let wrong = try await fetch(base + "/ops/bulletin?month=next")
            #expect(wrong.status == 400 && wrong.body.contains("无法识别"))
            #expect(try await fetch(base + "/ops/bulletin?month=2030-01&format=csv").status == 400)
        }
    }

    /// A bulletin is read again once the store changed — at once where it was cheap, after fifty
    /// times its cost (10 s to 5 minutes) where it was dear, after an hour where it was dear and
    /// its month closed — and kept while nothing changed.
    @Test func aBuiltBulletinIsKeptWhileTheStoreIsUnchangedOrItWasDearAndIsYoung() {
        let at = PortalFixture.now
        let figures = BulletinFigures(lines: [], counts: [], quarantined: [:], gapsAt: at)
        let cheap = BulletinsKept.Kept(version: [5, 1], at: at, cost: 0.01, closed: true, figures: figures)
        #expect(cheap.serve(version: [5, 1], now: at.addingTimeInterval(3_600)))
        #expect(!cheap.serve(version: [6, 1], now: at) && !cheap.serve(version: [5, 2], now: at))
        let dear = BulletinsKept.Kept(version: [5, 1], at: at, cost: 0.5, closed: false, figures: figures)
        #expect(dear.serve(version: [6, 1], now: at.addingTimeInterval(24)))
        #expect(!dear.serve(version: [6, 1], now: at.addingTimeInterval(26)))
        // A clock set back is no reason to serve old figures.
        #expect(!dear.serve(version: [6, 1], now: at.addingTimeInterval(-1)))
        // A dear month whose deadlines had passed: kept an hour, then read again.
        let closed = BulletinsKept.Kept(version: [5, 1], at: at, cost: 0.5, closed: true, figures: figures)
        #expect(closed.serve(version: [6, 1], now: at.addingTimeInterval(26)) && closed.serve(version: [6, 2], now: at.addingTimeInterval(3_599)))
        #expect(!closed.serve(version: [6, 1], now: at.addingTimeInterval(3_601)) && !closed.serve(version: [6, 1], now: at.addingTimeInterval(-1)))
        // A cheap one is read again at once, closed or not.
        #expect(!cheap.serve(version: [6, 1], now: at.addingTimeInterval(1)))
    }

    /// Each rate is set against the month before's (较上月), in percentage points; where either
    /// month had nothing to divide by, nothing is said.
    @Test func eachRateIsSetAgainstTheMonthBefore() throws {
        let f = try PortalFixture()
        let pages = OperationsPages(node: f.node)
        let october = try pages.bulletin(reader: "测试", now: PortalFixture.now, month: "2026-10")
        let november = try pages.bulletin(reader: "测试", now: PortalFixture.now, month: "2026-11")
        // The fixture's October decisions were all sent late, November's all in time.
        #expect(october.total.records > 0 && october.total.late == october.total.records && november.total.late == 0)
        #expect(november.change.late == "较上月下降 100.00 个百分点" && november.change.concealed == "与上月持平")
        // December 2024 had no decision: January 2025 is set against nothing.
        let january = try pages.bulletin(reader: "测试", now: PortalFixture.now, month: "2025-01")
        #expect(january.change.late == nil && january.change.error == nil && january.change.missing == nil && january.change.concealed == nil)

        func row(records: Int, late: Int, refused: Int) -> OperationsPages.RatesRow {
            .init(slug: "", kind: "", records: records, late: late, quarantined: refused, corrected: 0, suspectedMissing: 0, concealed: 0)
        }
        let change = OperationsPages.RateChanges(row(records: 4, late: 1, refused: 1), against: row(records: 10, late: 1, refused: 0))
        #expect(change.late == "较上月上升 15.00 个百分点" && change.error == "较上月上升 20.00 个百分点" && change.missing == "与上月持平")
        #expect(OperationsPages.RateChanges(row(records: 0, late: 0, refused: 0), against: row(records: 10, late: 1, refused: 0)).late == nil)
    }

    /// An authority flagged this month and each month before it is said to be so, up to three
    /// months (连续三个月); a month without anything to follow up ends the run.
    @Test func anAuthorityFlaggedMonthAfterMonthIsSaidSo() {
        let late = { (a: String) in Bulletin.Line(kind: "penalty", authority: a, decided: 2, late: 1) }
        let clean = { (a: String) in Bulletin.Line(kind: "penalty", authority: a, decided: 2) }
        let lines = [late("A"), late("B"), late("C"), clean("D"), Bulletin.Line(kind: "license", authority: "A", decided: 1, concealed: 1)]
        let earlier: [Set<String>] = [["penalty A", "penalty C", "penalty D"], ["penalty A", "penalty B", "license X"]]
        let streaks = OperationsPages.streaks(lines, earlier: earlier)
        #expect(streaks == ["penalty A": 3, "penalty B": 1, "penalty C": 2, "license A": 1])
        #expect(OperationsPages.streakWords(1) == nil && OperationsPages.streakWords(2) == "连续 2 个月需要整改")
        #expect(OperationsPages.streakWords(3) == "连续 3 个月及以上需要整改")
        // Without months before (the first month a node holds): each once.
        #expect(OperationsPages.streaks(lines, earlier: [[], []]).values.allSatisfy { $0 == 1 })
    }

    /// Whether a month was closed when its figures were built: its last deadline passed that day.
    @Test func aMonthIsKeptAsClosedOnceItsLastDeadlineHasPassed() throws {
        let f = try PortalFixture()
        let pages = OperationsPages(node: f.node)
        // 25 November: October's deadline (10 November) has passed, November's has not.
        _ = try pages.bulletin(reader: "测试", now: PortalFixture.now, month: "2026-10")
        _ = try pages.bulletin(reader: "测试", now: PortalFixture.now, month: "2026-11")
        let kept = pages.bulletins.value.withLock { $0 }
        #expect(kept[try #require(CalendarMonth("2026-10"))]?.closed == true)
        #expect(kept[try #require(CalendarMonth("2026-11"))]?.closed == false)
    }

    /// A row refused into quarantine changes no record, yet the month's error figure: the kept
    /// bulletin is read again.
    @Test func aRefusedRowIsCountedInTheMonthItWasSent() throws {
        let f = try PortalFixture()
        let pages = OperationsPages(node: f.node)
        let before = try pages.bulletin(reader: "测试", now: PortalFixture.now, month: "2026-11")
        let kind = try f.node.catalogue.kind(named: "penalty")
        var options = SampleGenerator.Options(seed: 5, node: f.node.configuration.code, asOf: PortalFixture.asOf)
        options.faultShare = 1
        options.jurisdictions = [try DivisionCode(PortalFixture.villages[0])]
        var generator = SampleGenerator(options)
        let path = try f.dir.write("bad.csv", Array(SampleGenerator.csv(kind: kind, rows: generator.rows(kind: kind, count: 5), header: .codes).utf8))
        let report = try FileIngestion(node: f.node).ingest(file: path, kind: "penalty", now: PortalFixture.now)
        #expect(report.rejected > 0)
        let after = try pages.bulletin(reader: "测试", now: PortalFixture.now, month: "2026-11")
        #expect(after.total.quarantined == before.total.quarantined + report.rejected)
        // Sent in November: October's bulletin does not count them.
        #expect(try pages.bulletin(reader: "测试", now: PortalFixture.now, month: "2026-10").total.quarantined == 0)
    }
}
