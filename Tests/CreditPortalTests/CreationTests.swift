import CreditDomain
import Foundation
import Testing

@testable import CreditPortal
@testable import CreditStore
@testable import NodeRuntime
@testable import SampleData

/// 三信创建: each child region's households rated by the village credit points, its 信用户 and
/// their levels, and its subjects on a list in force — figures only.
@Suite("三信创建: households rated, 信用户 and lists in force by region", .serialized)
struct CreationTests {
    /// The portal fixture (lists in force in both villages) with ratings in its first village:
    /// 2026 — A rated twice (105 points, 四星信用户, then 115, 五星信用户), B 85 (信用户), C 70 (none);
    /// 2025 — D 95 (三星信用户).
    static func fixture() throws -> PortalFixture {
        let f = try PortalFixture()
        let kind = try f.node.catalogue.kind(named: CreditCreation.kind)
        let code = try #require(kind.index["XDR_ZJHM"])
        let usccIndex = try #require(kind.index["XDR_SHXYM"])
        var people: [SampleRow] = []
        var seen: Set<String> = []
        for row in try f.generated(kind, count: 60, seed: 31) where seen.insert(row.values[code] + row.values[usccIndex]).inserted {
            people.append(row)
        }
        try #require(people.count >= 4)
        func rated(_ row: SampleRow, number: String, year: Int, points: Int, level: String, on day: String) throws -> SampleRow {
            var r = row
            for (field, value) in [("JFBH", number), ("JFND", String(year)), ("JFZ", String(points)), ("JFDJ", level), ("PDRQ", day)] {
                r.values[try #require(kind.index[field])] = value
            }
            return r
        }
        let rows = [
            try rated(people[0], number: "JF-A1", year: 2026, points: 105, level: "四星信用户", on: "2026-11-01"),
            try rated(people[0], number: "JF-A2", year: 2026, points: 115, level: "五星信用户", on: "2026-11-02"),
            try rated(people[1], number: "JF-B", year: 2026, points: 85, level: "信用户", on: "2026-11-01"),
            try rated(people[2], number: "JF-C", year: 2026, points: 70, level: "", on: "2026-11-01"),
            try rated(people[3], number: "JF-D", year: 2025, points: 95, level: "三星信用户", on: "2025-12-20"),
        ]
        let report = try f.ingest(rows, kind: kind, name: "积分.csv")
        try #require(report.accepted == 5, "\(report.rejections)")
        return f
    }

    @Test func aYearsRatingsAndListsAreCountedByRegion() throws {
        let f = try Self.fixture()
        let today = ChinaTime.date(PortalFixture.now)
        let newest = try #require(try CreditCreation.compute(f.node, year: nil, today: today))
        #expect(newest.year == 2026 && newest.years == [2026, 2025] && newest.levels == ["五星信用户", "信用户"])
        #expect(newest.regions.map(\.code) == PortalFixture.villages)
        let first = newest.regions[0]
        // A rated twice is one household, by its newest rating (no 四星 column); C rated below 80 is no 信用户.
        #expect(first.households == 3 && first.creditHouseholds == 2 && first.levels == [1, 1])
        #expect(first.creditShare == "66.7 %" && first.averagePoints == "90.0")
        #expect(newest.regions[1].households == 0 && newest.regions[1].creditShare == nil)
        // The fixture's lists in force: 6 entries with sanctions, 4 with rewards, over both villages.
        #expect(newest.total.sanctioned == 6 && newest.total.honoured == 4)
        #expect(newest.regions.map(\.sanctioned).reduce(0, +) == 6)
        let before = try #require(try CreditCreation.compute(f.node, year: 2025, today: today))
        #expect(before.total.households == 1 && before.levels == ["三星信用户"] && before.total.averagePoints == "95.0")
        let none = try #require(try CreditCreation.compute(f.node, year: 2024, today: today))
        #expect(none.total.households == 0 && none.levels.isEmpty && none.total.creditShare == nil)
    }

    @Test func thePageItsCSVAndItsRefusals() async throws {
        let f = try Self.fixture()
        try await withOperatorsListener(f.node, tls: false) { port in
            let base = "http://127.0.0.1:\(port)/ops/creation"
            let page = try await fetch(base)
            #expect(page.status == 200 && page.body.contains("<h1>三信创建") && page.body.contains("<a href=\"/ops/creation\">三信创建</a>"))
            #expect(page.body.contains("<span class=\"count\">66.7 %</span><span class=\"count-name\">信用户占比</span>"))
            #expect(page.body.contains("<option value=\"2025\">2025 年</option>") && page.body.contains("<th scope=\"col\">五星信用户</th>"))
            let earlier = try await fetch(base + "?year=2025")
            #expect(earlier.status == 200 && earlier.body.contains("<span class=\"count\">1</span><span class=\"count-name\">2025 年评定户数</span>"))
            let empty = try await fetch(base + "?year=2024")
            #expect(empty.status == 200 && empty.body.contains("2024 年本地区尚无信用积分评定记录"))
            let csv = try await fetch(base + "?year=2026&format=csv")
            let lines = csv.body.split(separator: "\r\n")
            #expect(csv.status == 200 && lines.count == 1 + 2 + 1 && lines[0].contains("积分年度,地区,区划代码,评定户数,信用户,信用户占比,平均积分,五星信用户,信用户"))
            #expect(lines[1].hasPrefix("2026,") && lines[1].contains(",\(PortalFixture.villages[0]),3,2,66.7 %,90.0,1,1,"))
            // A year that is not one, or has not come: 400 with what to write.
            for bad in ["abc", "2031", "1999"] {
                let refused = try await fetch(base + "?year=\(bad)")
                #expect(refused.status == 400 && refused.body.contains("请写成"), "\(bad)")
            }
        }
    }

    @Test func aCatalogueWithoutPointsHasNothingToCount() throws {
        let f = try PortalFixture()
        let other = try f.nodeWithout(kind: CreditCreation.kind)
        #expect(try CreditCreation.compute(other, year: nil, today: ChinaTime.date(PortalFixture.now)) == nil)
        #expect(try OperationsPages(node: other).creation(reader: "x", now: PortalFixture.now, year: nil).ledger == nil)
    }

    /// Sample ratings hang together: the level follows the points, none under 80.
    @Test func sampleLevelsFollowThePoints() throws {
        let f = try PortalFixture()
        let kind = try f.node.catalogue.kind(named: CreditCreation.kind)
        let (points, level) = (try #require(kind.index["JFZ"]), try #require(kind.index["JFDJ"]))
        let rows = try f.generated(kind, count: 200, seed: 5)
        #expect(rows.allSatisfy { Names.creditHouseholdLevel(points: Int($0.values[points]) ?? 0) == $0.values[level] })
        #expect(rows.contains { $0.values[level].isEmpty } && rows.contains { $0.values[level] == "五星信用户" })
        #expect(Names.creditHouseholdLevel(points: 79) == "" && Names.creditHouseholdLevel(points: 80) == "信用户")
        #expect(Names.creditHouseholdLevel(points: 110) == "五星信用户" && Names.creditHouseholdLevel(points: 109) == "四星信用户")
    }
}
