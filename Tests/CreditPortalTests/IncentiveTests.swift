import CreditDomain
import Foundation
import Testing

@testable import CreditPortal
@testable import CreditStore
@testable import NodeRuntime
@testable import SampleData

/// “信易+”守信激励场景 (seed 004 item 12): the departments' incentive scenarios, shown to the public
/// while in force and counted for the office against the target of 15.
@Suite("信易+: incentive scenarios on the portal and against the target", .serialized)
struct IncentiveTests {
    /// `count` generated scenarios of the fixture's first village, then `edit` on the rows.
    static func scenarios(_ f: PortalFixture, count: Int, seed: UInt64, edit: (inout [SampleRow], (String) -> Int) -> Void = { _, _ in })
        throws -> IngestReport
    {
        let kind = try f.node.catalogue.kind(named: IncentiveScenarios.kind)
        var rows = try f.generated(kind, count: count, seed: seed)
        edit(&rows) { kind.index[$0]! }
        return try f.ingest(rows, kind: kind, name: "incentives-\(seed).csv")
    }

    @Test func scenariosInForceAreCountedByCategoryAndRegionAgainstTheTarget() throws {
        let f = try PortalFixture()
        let today = ChinaTime.date(PortalFixture.now)
        let report = try Self.scenarios(f, count: 6, seed: 81) { rows, at in
            rows[0].values[at("CJMC")] = "信易租"
            rows[0].values[at("JLLB")] = "免交押金"
            rows[1].values[at("XZQH")] = PortalFixture.township  // the township's own
            rows[2].values[at("YXQZ")] = "2026-11-01"  // ended before today: not in force
            rows[2].values[at("FBRQ")] = "2026-10-01"
        }
        #expect(report.accepted == 6)
        // Refused with the reason: a class the catalogue does not know; an end before the publication.
        let refused = try Self.scenarios(f, count: 2, seed: 82) { rows, at in
            rows[0].values[at("JLLB")] = "发放奖金"
            rows[1].values[at("YXQZ")] = "2026-01-01"
        }
        #expect(refused.accepted == 0 && refused.rejected == 2)

        let ledger = try #require(try IncentiveScenarios.compute(f.node, today: today))
        #expect(ledger.total == 5 && ledger.target == 15 && !ledger.reached && ledger.missing == 10)
        #expect(ledger.categories.map(\.name) == ["减免费用", "享受优惠", "免交押金", "降低门槛", "绿色通道", "享受便利"])
        #expect(ledger.categories.map(\.count).reduce(0, +) == 5 && (ledger.categories.first { $0.name == "免交押金" }?.count ?? 0) >= 1)
        #expect(ledger.regions.map(\.code) == [PortalFixture.township] + PortalFixture.villages)
        #expect(ledger.regions.map(\.scenarios) == [1, 4, 0] && ledger.regions[0].name == "本级")
        #expect(ledger.scenarios.map(\.published) == ledger.scenarios.map(\.published).sorted(by: >))
        #expect(ledger.scenarios.contains { $0.name == "信易租" && $0.category == "免交押金" })

        // Ten more: the target reached. A scenario withdrawn leaves the count.
        #expect(try Self.scenarios(f, count: 10, seed: 83).accepted == 10)
        let reached = try #require(try IncentiveScenarios.compute(f.node, today: today))
        #expect(reached.total == 15 && reached.reached && reached.missing == 0)
        let first = try #require(reached.scenarios.first)
        _ = try StatusDesk(node: f.node).enter(
            key: first.recordKey, StatusChange(action: .withdrawn, date: today, reason: "场景停止实施", unit: first.publisher), now: PortalFixture.now)
        let after = try #require(try IncentiveScenarios.compute(f.node, today: today))
        #expect(after.total == 14 && !after.reached && !after.scenarios.contains { $0.recordKey == first.recordKey })

        // A catalogue without the kind: nothing computed, the office's page says so.
        let without = try f.nodeWithout(kind: IncentiveScenarios.kind)
        #expect(try IncentiveScenarios.compute(without, today: today) == nil)
        #expect(try OperationsPages(node: without).incentives(reader: "测试", now: PortalFixture.now).ledger == nil)
    }

    @Test func thePublicReadsTheScenariosAndTheOfficeItsPageCSVAndText() async throws {
        let f = try PortalFixture()
        #expect(try Self.scenarios(f, count: 3, seed: 84) { rows, at in rows[0].values[at("CJMC")] = "信易游" }.accepted == 3)
        let listing = try await f.get("/incentives")
        #expect(listing.status == .ok && listing.body.contains("“信易+”守信激励场景") && listing.body.contains("信易游"))
        #expect(listing.body.contains("tag-reward") && listing.body.contains("href=\"/incentives\""))
        let json = try await f.json("/incentives")
        let rows = try #require(json["rows"] as? [[String: Any]])
        #expect(rows.count == 3 && rows.allSatisfy { $0["rewarding"] as? Bool == true && $0["subjectLink"] == nil })
        // Each row says whom it is for before what it gives.
        #expect(rows.allSatisfy { ($0["summary"] as? String)?.hasPrefix("适用对象：") == true })
        #expect(Set(rows.compactMap { $0["category"] as? String }).isSubset(of: ["减免费用", "享受优惠", "免交押金", "降低门槛", "绿色通道", "享受便利"]))
        // Chosen by 激励类别: only that class's scenarios, in the page, its CSV and its chips; another
        // value, or the filter on another listing, is refused.
        let classes = ["减免费用", "享受优惠", "免交押金", "降低门槛", "绿色通道", "享受便利"]
        let chips = try #require(json["categories"] as? [[String: Any]])
        #expect(chips.compactMap { $0["name"] as? String } == ["全部"] + classes && chips.first?["selected"] as? Bool == true)
        let chosen = try #require(rows.first?["category"] as? String)
        let filtered = try await f.json("/incentives?category=" + PortalPages.escapePath(chosen))
        let filteredRows = try #require(filtered["rows"] as? [[String: Any]])
        #expect(!filteredRows.isEmpty && filteredRows.allSatisfy { $0["category"] as? String == chosen })
        #expect(filteredRows.count == rows.filter { $0["category"] as? String == chosen }.count)
        #expect((filtered["categories"] as? [[String: Any]])?.first { $0["selected"] as? Bool == true }?["name"] as? String == chosen)
        let filteredCSV = try await f.get("/incentives?format=csv&category=" + PortalPages.escapePath(chosen))
        #expect(filteredCSV.body.split(separator: "\r\n").count == 1 + filteredRows.count)
        let unknown = try await f.get("/incentives?category=" + PortalPages.escapePath("发放奖金"))
        #expect(unknown.status == .badRequest && unknown.body.contains("激励类别应为"))
        #expect(try await f.get("/publicity/penalty?category=" + PortalPages.escapePath(chosen)).status == .badRequest)
        let link = try #require(rows.first?["recordLink"] as? String)
        let record = try await f.get(link)
        #expect(record.status == .ok && record.body.contains("激励内容"))
        let recordJSON = try await f.json(link)
        #expect(recordJSON["heading"] as? String == rows.first?["title"] as? String)
        let home = try await f.json("/")
        let counts = try #require(home["counts"] as? [[String: Any]])
        #expect(
            counts.contains { $0["kind"] as? String == IncentiveScenarios.kind && $0["count"] as? Int == 3 && $0["link"] as? String == "/incentives" }
        )

        try await withOperatorsListener(f.node, tls: false) { port in
            let base = "http://127.0.0.1:\(port)/ops/incentives"
            let page = try await fetch(base)
            #expect(page.status == 200 && page.body.contains("信易+激励场景") && page.body.contains("差 12") && page.body.contains("信易游"))
            let csv = try await fetch(base + "?format=csv")
            let lines = csv.body.split(separator: "\r\n")
            #expect(csv.status == 200 && lines.count == 4 && lines[0].hasSuffix("场景编号,场景名称,激励类别,适用对象,激励内容,发布单位,发布日期,有效期至,地区"))
            let cases = try await fetch("http://127.0.0.1:\(port)/ops/cases")
            #expect(cases.body.contains("href=\"/ops/incentives\""))
        }
        let text = try #require(try IncentivesDocument(node: f.node, now: PortalFixture.now)).text
        #expect(text.contains("在有效期内的场景 3 个，目标 15 个以上：还差 12 个") && text.contains("信易游"))
    }
}
