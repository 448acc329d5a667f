import CreditDomain
import Foundation
import Testing

@testable import CreditPortal
@testable import CreditStore
@testable import NodeRuntime
@testable import SampleData

/// 重点领域预警 (seed 002 (九)): the penalties of each key area month by month, and the areas and
/// regions whose last whole month rose past the catalogue's rule (at least 5, and 1.5 times the
/// average of the five months before).
@Suite("重点领域预警: key areas whose dishonesty rose", .serialized)
struct KeyAreaWarningsTests {
    /// A penalty about `what` (违法行为类型) decided on `day` in `village`, its facts and authority
    /// naming no key area.
    typealias Case = (what: String, day: String, village: String)

    /// The fixture's township on an empty store, holding `cases`; the keys of those ingested.
    static func node(_ f: PortalFixture, _ cases: [Case]) throws -> (NodeContext, [String]) {
        let node = try f.node(named: "key-areas") { _ in }
        let kind = try node.catalogue.kind(named: "penalty")
        var rows = try f.generated(kind, count: cases.count, seed: 95)
        for (i, c) in cases.enumerated() {
            for (field, value) in [("WFXW", c.what), ("SY", "经查属实。"), ("CFJG", "江岸区综合行政执法局"), ("JDRQ", c.day), ("XZQH", c.village)] {
                rows[i].values[try #require(kind.index[field])] = value
            }
        }
        let file = try f.dir.write("key-areas.csv", Array(SampleGenerator.csv(kind: kind, rows: rows, header: .codes).utf8))
        let report = try FileIngestion(node: node).ingest(file: file, kind: "penalty", now: PortalFixture.now)
        #expect(report.accepted == cases.count, "\(report)")
        return (node, try node.store.allRecords().map(\.key))
    }

    static let (v0, v1) = (PortalFixture.villages[0], PortalFixture.villages[1])
    static let baseline = ["2026-05-10", "2026-06-10", "2026-07-10", "2026-08-10", "2026-09-10"]

    @Test func anAreaWhoseLastMonthRosePastTheRuleIsWarnedWithItsRegions() async throws {
        let f = try PortalFixture()
        // 安全生产: one a month in the second village, then seven in October in the first (one of
        // them withdrawn: not counted) and two so far in November. 食品安全: four in October (below
        // five). 生态环境: five a month, then six (not 1.5 times five).
        var cases: [Case] = Self.baseline.map { ("安全生产责任制落实不到位", $0, Self.v1) }
        cases += (1...7).map { ("未落实安全生产教育培训", "2026-10-\(10 + $0)", Self.v0) }
        cases += [("安全生产责任制落实不到位", "2026-11-03", Self.v0), ("安全生产责任制落实不到位", "2026-11-04", Self.v1)]
        cases += (1...4).map { ("销售过期食品", "2026-10-0\($0)", Self.v1) }
        cases += Self.baseline.flatMap { day in Array(repeating: ("超标排放大气污染物", day, Self.v0), count: 5) }
        cases += (1...6).map { ("超标排放大气污染物", "2026-10-2\($0)", Self.v1) }
        let (node, _) = try Self.node(f, cases)
        let withdrawn = try #require(
            try node.store.allRecords().compactMap { try node.store.record(key: $0.key) }.first {
                $0.decisionDate == "2026-10-11" && $0.fields["CF_WFXW"] == "未落实安全生产教育培训"
            })
        _ = try StatusDesk(node: node).enter(
            key: withdrawn.key,
            StatusChange(action: .withdrawn, date: ChinaTime.date(PortalFixture.now), reason: "行政复议决定撤销原处罚决定", unit: "江岸区综合行政执法局"),
            now: PortalFixture.now)

        let figures = try #require(try KeyAreaWarnings.compute(node, today: ChinaTime.date(PortalFixture.now)))
        #expect(figures.months == ["2026-05", "2026-06", "2026-07", "2026-08", "2026-09", "2026-10"])
        #expect(figures.latestMonth == "2026-10" && figures.currentMonth == "2026-11" && figures.kindName == "行政处罚")
        let area = { (name: String) in try #require(figures.areas.first { $0.name == name }) }
        let safety = try area("安全生产")
        #expect(safety.months == [1, 1, 1, 1, 1, 6] && safety.latest == 6 && safety.baseline == "1" && safety.change == "+500 %")
        #expect(safety.warning && safety.current == 2)
        // By region: the first village rose from none to six; the second had its one a month and none in October.
        #expect(safety.regions.map(\.code) == [Self.v0, Self.v1] && safety.regions.map(\.warning) == [true, false])
        #expect(safety.regions[0].latest == 6 && safety.regions[0].baseline == "0" && safety.regions[1].baseline == "1")
        let food = try area("食品安全")
        #expect(food.months == [0, 0, 0, 0, 0, 4] && !food.warning && food.change == "—")
        let environment = try area("生态环境")
        #expect(environment.months == [5, 5, 5, 5, 5, 6] && environment.change == "+20 %" && !environment.warning)
        #expect(figures.warned == ["安全生产"])
        #expect(try area("金融").months == [0, 0, 0, 0, 0, 0])

        // The office's page: the warned area named, its row and its regions marked.
        try await withOperatorsListener(node, tls: false) { port in
            let page = try await fetch("http://127.0.0.1:\(port)/ops/warnings")
            #expect(page.status == 200 && page.body.contains("2026-10 预警领域：<strong>安全生产</strong>"))
            #expect(page.body.contains("<h2>安全生产 · 按地区") && !page.body.contains("<h2>生态环境 · 按地区"))
            #expect(page.body.components(separatedBy: "class=\"row-warn\"").count - 1 == 2)
            let json = try await fetch("http://127.0.0.1:\(port)/ops/warnings?format=json")
            #expect(json.body.contains("\"warned\":[\"安全生产\"]"))
        }
    }

    @Test func withoutTheRuleOrAnyRiseThereIsNoWarning() async throws {
        let f = try PortalFixture()
        // A catalogue without keyAreas: nothing computed, and the page says why.
        let without = try f.node(named: "no-key-areas") { $0.keyAreas = nil }
        #expect(try KeyAreaWarnings.compute(without, today: ChinaTime.date(PortalFixture.now)) == nil)
        try await withOperatorsListener(without, tls: false) { port in
            let page = try await fetch("http://127.0.0.1:\(port)/ops/warnings")
            #expect(page.status == 200 && page.body.contains("没有设定重点领域"))
        }
        // Steady months: five a month, five in October — no warning.
        let cases: [Case] = (Self.baseline + ["2026-10-10"]).flatMap { day in Array(repeating: ("销售过期食品", day, Self.v0), count: 5) }
        let (node, _) = try Self.node(f, cases)
        let figures = try #require(try KeyAreaWarnings.compute(node, today: ChinaTime.date(PortalFixture.now)))
        #expect(figures.areas.first { $0.name == "食品安全" }?.months == [5, 5, 5, 5, 5, 5] && figures.warned.isEmpty)
        let page = try OperationsPages(node: node).warnings(reader: "测试", now: PortalFixture.now)
        #expect(!page.anyWarning && page.rule == "至少 5 件，且不低于前 5 个月月均的 1.5 倍")
    }
}
