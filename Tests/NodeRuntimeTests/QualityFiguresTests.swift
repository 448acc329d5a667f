import CreditDomain
import Foundation
import TestSupport
import Testing

@testable import NodeRuntime

@Suite("The four rates' figures for /metrics")
struct QualityFiguresTests {
    static func records(_ kinds: [KindQuality]) -> Int { kinds.reduce(0) { $0 + $1.records } }

    @Test func aScrapeComputesThemAgainOnlyWhenTheStoreChangedAndWhatItKeptIsOld() throws {
        let net = try OfflineChain()
        try net.ingest(net.village, rows: 10, seed: 1)
        let t0 = Date(timeIntervalSince1970: 1_800_000_000)
        let first = Self.records(try QualityFigures.latest(net.village, now: t0))
        #expect(first == (try net.village.store.counts().records) && first > 0)
        try net.ingest(net.village, rows: 10, seed: 2)
        // The store changed, but what was kept is younger than the refresh period: kept.
        #expect(Self.records(try QualityFigures.latest(net.village, now: t0 + 10)) == first)
        // Older: computed again, with the new records.
        let later = Self.records(try QualityFigures.latest(net.village, now: t0 + QualityFigures.refreshSeconds + 1))
        #expect(later == (try net.village.store.counts().records) && later > first)
        #expect(
            try Metrics.text(net.village, now: t0 + QualityFigures.refreshSeconds + 2).contains(
                "creditnet_kind_records{node=\"420102002201\",kind=\"penalty\"}"))
    }
}
