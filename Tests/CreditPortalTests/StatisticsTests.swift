import CreditDomain
import Foundation
import Testing

@testable import CreditPortal
@testable import CreditStore
@testable import NodeRuntime
@testable import SampleData

/// 公示统计 (seed 003 item 20: 7 个工作日内上网公开，提高行政管理透明度): what the area's departments
/// published, in all, and how much of it on time, by kind, region and deciding authority.
@Suite("公示统计: what was published and how much on time", .serialized)
struct StatisticsTests {
    @Test func eachKindRegionAndAuthorityCountsWhatWasPublishedAndHowMuchOnTime() async throws {
        let f = try PortalFixture()
        // One penalty of the township's own level (本级), besides the villages'.
        let penaltyKind = try f.node.catalogue.kind(named: "penalty")
        var own = try f.generated(penaltyKind, count: 1, seed: 91)
        own[0].values[try #require(penaltyKind.index["XZQH"])] = PortalFixture.township
        #expect(try f.ingest(own, kind: penaltyKind, name: "own.csv").accepted == 1)

        let page = try PortalPages(node: f.node).statistics()
        // The public kinds with a publication deadline, in catalogue order; none other.
        #expect(page.kinds.map(\.kind) == ["license", "penalty", "enforcement", "confirmation", "reward", "adjudication", "inspection"])
        let stored = try f.node.store.allRecords().compactMap { try f.node.store.record(key: $0.key) }
        for row in page.kinds {
            let records = stored.filter { $0.kind == row.kind }
            #expect(row.records == records.count && row.onTime == records.filter { !$0.late }.count, "\(row.kind)")
            #expect(row.workingDays == 7)
        }
        let penalty = try #require(page.kinds.first { $0.kind == "penalty" })
        #expect(penalty.records == 61 && penalty.onTime < penalty.records && penalty.link == "/publicity/penalty")
        #expect(penalty.onTimeRate == OperationsPages.rate(penalty.onTime, of: 61))
        #expect(page.kinds.first { $0.kind == "enforcement" }?.onTimeRate == "—")
        #expect(page.total.records == page.kinds.map(\.records).reduce(0, +) && page.total.onTime == page.kinds.map(\.onTime).reduce(0, +))

        // By region: the two villages, then the township's own level, which lists nothing of its own.
        #expect(page.regions.map(\.code) == PortalFixture.villages + [PortalFixture.township] && page.regions.last?.name == "本级")
        #expect(page.regions.map(\.records).reduce(0, +) == page.total.records)
        let column = try #require(page.kinds.firstIndex { $0.kind == "penalty" })
        let first = page.regions[0]
        #expect(first.cells[column].link == "/publicity/penalty?region=\(PortalFixture.villages[0])")
        #expect(first.cells[column].count == stored.filter { $0.kind == "penalty" && $0.jurisdiction == PortalFixture.villages[0] }.count)
        #expect(page.regions.last?.cells[column].count == 1 && page.regions.last?.cells.allSatisfy { $0.link == nil } == true)

        // By deciding authority: the 双公示 pair, the largest first; each links its decisions.
        #expect(Set(page.authorities.map(\.kind)) == ["行政处罚", "行政许可"])
        let penalties = page.authorities.filter { $0.kind == "行政处罚" }
        #expect(penalties.map(\.records) == penalties.map(\.records).sorted(by: >) && penalties.count <= PortalPages.statisticsAuthoritiesMax)
        #expect(penalties.count == PortalPages.statisticsAuthoritiesMax || penalties.map(\.records).reduce(0, +) == 61)
        let top = try #require(penalties.first)
        let link = try #require(top.link)
        let listed = try await f.json(link)
        let rows = try #require(listed["rows"] as? [[String: Any]])
        #expect(!rows.isEmpty && rows.allSatisfy { ($0["record"] as? [String: Any])?["authority"] as? String == top.authority })

        // Withdrawn, a penalty is no longer shown but was published: it still counts.
        let key = try #require(stored.first { $0.kind == "penalty" && $0.key != f.person.key }?.key)
        _ = try StatusDesk(node: f.node).enter(
            key: key,
            StatusChange(action: .withdrawn, date: ChinaTime.date(PortalFixture.now), reason: "行政复议决定撤销原处罚决定", unit: "江岸区市场监督管理局"),
            now: PortalFixture.now)
        #expect(try PortalPages(node: f.node).statistics().kinds.first { $0.kind == "penalty" }?.records == 61)

        // Kept a minute, as the home page's counts: a new penalty is counted a minute later.
        let pages = try PortalPages(node: f.node)
        let today = ChinaTime.date(PortalFixture.now)
        let before = try pages.statistics(today: today, now: PortalFixture.now).total.records
        #expect(try f.ingest(try f.generated(penaltyKind, count: 1, seed: 92), kind: penaltyKind, name: "more.csv").accepted == 1)
        #expect(try pages.statistics(today: today, now: PortalFixture.now).total.records == before)
        #expect(try pages.statistics(today: today, now: PortalFixture.now.addingTimeInterval(61)).total.records == before + 1)
    }

    @Test func aKindWithoutADeadlineIsLeftOutAndAnEmptyStoreCountsNothing() throws {
        let f = try PortalFixture()
        // A province whose catalogue sets no deadline for licences.
        let node = try f.node(named: "no-licence-deadline") { catalogue in
            for i in catalogue.kinds.indices where catalogue.kinds[i].slug == "license" { catalogue.kinds[i].publicationWorkingDays = nil }
        }
        let page = try PortalPages(node: node).statistics()
        #expect(!page.kinds.contains { $0.kind == "license" } && page.kinds.first?.kind == "penalty")
        #expect(page.total.records == 0 && page.total.onTimeRate == "—" && page.authorities.isEmpty && !page.hasAuthorities)
        // Every child region is listed, with nothing; no 本级 row without records of its own.
        #expect(page.regions.map(\.code) == PortalFixture.villages && page.regions.allSatisfy { $0.records == 0 })

        // A village has no regions below it: its own penalties are counted by kind, with no table by region.
        var config = NodeConfiguration(code: try DivisionCode(PortalFixture.villages[0]), dataDirectory: f.dir.path("village"))
        config.identity = f.node.configuration.identity
        let village = try NodeContext(configuration: config, clock: { PortalFixture.now })
        let kind = try village.catalogue.kind(named: "penalty")
        let file = try f.dir.write(
            "village.csv", Array(SampleGenerator.csv(kind: kind, rows: try f.generated(kind, count: 3, seed: 93), header: .codes).utf8))
        #expect(try FileIngestion(node: village).ingest(file: file, kind: "penalty", now: PortalFixture.now).accepted == 3)
        let own = try PortalPages(node: village).statistics()
        #expect(own.total.records == 3 && own.regions.isEmpty && !own.hasRegions)
    }

    @Test func thePageItsJSONAndTheLinkFromTheHomePage() async throws {
        let f = try PortalFixture()
        let response = try await f.get("/statistics")
        #expect(response.status == .ok && response.body.contains("<h1>公示统计</h1>"))
        #expect(response.body.contains("<th scope=\"col\" class=\"num\">按时公示率</th>") && response.body.contains("href=\"/catalogue\""))
        #expect(response.body.contains("href=\"/publicity/penalty?region=\(PortalFixture.villages[0])\""))
        let json = try await f.json("/statistics")
        #expect((json["kinds"] as? [[String: Any]])?.first?["kind"] as? String == "license")
        let home = try await f.get("/")
        #expect(home.body.contains("href=\"/statistics\""))
    }
}
