import CreditDomain
import Foundation
import TestSupport
import Testing

@testable import NodeRuntime

@Suite("The four rates' figures for /metrics")
struct QualityFiguresTests {
    static func records(_ kinds: [KindQuality]) -> Int { kinds.reduce(0) { $0 + $1.records } }

    /// The counts come from the tallies at every call; the decision-number gaps, which read every
    /// number, are computed again only when the store changed and what was kept is old.
    @Test func theGapsAreComputedAgainOnlyWhenTheStoreChangedAndWhatWasKeptIsOld() throws {
        let net = try OfflineChain()
        try net.ingest(net.village, rows: 10, seed: 1)
        let t0 = Date(timeIntervalSince1970: 1_800_000_000)
        let first = try QualityFigures.latest(net.village, now: t0)
        #expect(Self.records(first.kinds) == (try net.village.store.counts().records) && first.gapsAt == t0)
        try net.ingest(net.village, rows: 10, seed: 2)
        // The store changed: the counts say so at once; the gaps kept are younger than the
        // shortest period they are kept for.
        let soon = try QualityFigures.latest(net.village, now: t0 + KeptFigures.refreshSecondsMin / 2)
        #expect(Self.records(soon.kinds) == (try net.village.store.counts().records) && Self.records(soon.kinds) > Self.records(first.kinds))
        #expect(soon.gapsAt == t0)
        // Older than the longest period: still answered at once while they are computed again in the background; or,
        // asked so, computed again now.
        // (The background computation, stamped `refreshSeconds + 1`, may finish before the call
        // that asks for them now: then the store has not changed since and what it kept serves.)
        // (`inlineBelow: 0`: as at a store whose gaps cost seconds; this one's cost milliseconds.)
        #expect(
            try QualityFigures.latest(net.village, now: t0 + KeptFigures.refreshSeconds + 1, inlineBelow: 0).gapsAt
                <= t0 + KeptFigures.refreshSeconds + 1)
        let later = try QualityFigures.latest(net.village, now: t0 + KeptFigures.refreshSeconds + 2, inBackground: false)
        #expect(later.gapsAt > t0 + KeptFigures.refreshSeconds && later.gapsAt <= t0 + KeptFigures.refreshSeconds + 2)
        #expect(Self.records(later.kinds) == (try net.village.store.counts().records))
        // Unchanged store: what was kept serves however old.
        #expect(try QualityFigures.latest(net.village, now: t0 + 10 * KeptFigures.refreshSeconds).gapsAt == later.gapsAt)
        #expect(
            try Metrics.text(net.village, now: t0 + KeptFigures.refreshSeconds + 3).contains(
                "creditnet_kind_records{node=\"420102002201\",kind=\"penalty\"}"))
    }

    /// A small store's gaps, cheap to compute, are computed again by the caller, who sees them current.
    @Test func cheapGapsAreComputedAgainByTheCaller() throws {
        let net = try OfflineChain()
        try net.ingest(net.village, rows: 10, seed: 1)
        let t0 = Date(timeIntervalSince1970: 1_800_000_000)
        #expect(try QualityFigures.latest(net.village, now: t0).gapsAt == t0)
        try net.ingest(net.village, rows: 10, seed: 2)
        let later = t0 + KeptFigures.refreshSeconds + 1
        // (Below `inlineCostMax` on any machine; `inlineBelow` says so even on a very slow one.)
        #expect(try QualityFigures.latest(net.village, now: later, inlineBelow: 30).gapsAt == later)
    }

    /// Kept fifty times what they cost to compute, between the shortest and the longest period.
    @Test(arguments: [(0.001, 10.0), (0.5, 25.0), (1.0, 50.0), (6.0, 300.0), (100.0, 300.0)])
    func theGapsAreKeptInProportionToTheirCost(cost: Double, kept: Double) {
        #expect(KeptFigures.keptFor(cost: cost) == kept)
    }
}
