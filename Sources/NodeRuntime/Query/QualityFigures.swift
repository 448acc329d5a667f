import CreditDomain
import CreditStore
import Foundation
import Synchronization

/// The four rates' figures of one record kind at a node, as the operators' pages and `/metrics`
/// give them (the definitions: OPERATIONS.md, "The operators' pages").
public struct KindQuality: Sendable {
    public var slug: String
    public var name: String
    public var records: Int
    /// Entered after their publication deadline (迟报).
    public var late: Int
    /// Corrected after an objection (错报, with `quarantined`).
    public var corrected: Int
    /// Rows of the kind this node's validator refused (错报).
    public var quarantined: Int
    /// Gaps in each authority's decision numbers (漏报, suspected).
    public var gaps: [DecisionGap]
    /// Withdrawals whose reason names none the catalogue allows (瞒报, suspected).
    public var concealed: [Withdrawal] = []

    public var suspectedMissing: Int { gaps.reduce(0) { $0 + $1.missing.count } }
}

public enum QualityFigures {
    /// Per kind the node holds, in catalogue order, with the counts by kind and jurisdiction they
    /// were summed from: the counts read fresh from the tallies (migration v16), the decision
    /// number gaps as `gaps` gives them (every number of the kind is read to find them).
    public static func perKind(_ node: NodeContext, gaps: [String: [DecisionGap]]) throws -> (counts: [KindJurisdictionCount], kinds: [KindQuality]) {
        let counts = try node.store.recordsByKindAndJurisdiction()
        let quarantined = try node.store.quarantinedByKind()
        let unexplained = Dictionary(grouping: try node.store.withdrawals().filter { node.catalogue.withdrawalIsUnexplained($0.reason) }, by: \.kind)
        let held = Set(counts.map(\.kind)).union(quarantined.keys)
        var kinds: [KindQuality] = []
        for kind in node.catalogue.kinds where held.contains(kind.slug) {
            let of = counts.filter { $0.kind == kind.slug }
            kinds.append(
                KindQuality(
                    slug: kind.slug, name: kind.name, records: of.reduce(0) { $0 + $1.records }, late: of.reduce(0) { $0 + $1.late },
                    corrected: of.reduce(0) { $0 + $1.corrected }, quarantined: quarantined[kind.slug] ?? 0, gaps: gaps[kind.slug] ?? [],
                    concealed: unexplained[kind.slug] ?? []))
        }
        return (counts, kinds)
    }

    /// Every kind's gaps in its authorities' decision numbers, computed now: every decision
    /// number of the kind is read and each authority's sequences rebuilt.
    public static func gapsNow(_ node: NodeContext) throws -> [String: [DecisionGap]] {
        var out: [String: [DecisionGap]] = [:]
        for kind in node.catalogue.kinds {
            guard node.resolvedKinds[kind.slug]?.decisionNumbering != nil else { continue }
            let numbers = try node.store.decisionNumbers(kind: kind.slug)
                .compactMap { n in DecisionNumber(n.number).map { (authority: n.authority, number: $0) } }
            let gaps = DecisionGap.find(numbers)
            if !gaps.isEmpty { out[kind.slug] = gaps }
        }
        return out
    }

    /// The longest the gaps are kept while the store keeps changing: each computation reads every
    /// decision number (OPERATIONS.md), which pages and scrapes every few seconds at a province
    /// must not each do.
    public static let refreshSeconds: TimeInterval = 300
    /// The shortest: a small store's gaps are current within seconds.
    public static let refreshSecondsMin: TimeInterval = 10

    /// How long gaps that took `cost` seconds to compute are kept while the store changes: fifty
    /// times their cost (at most 2 % of one core spent computing them again), between
    /// `refreshSecondsMin` and `refreshSeconds` — seconds for a village or the demo's province,
    /// five minutes for a province of a million records (about 6 s a computation).
    public static func keptFor(cost: TimeInterval) -> TimeInterval { min(refreshSeconds, max(refreshSecondsMin, cost * 50)) }

    /// Gaps last computed, with the store's newest change then and when, and whether a
    /// computation is under way in the background.
    final class Kept: Sendable {
        let value = Mutex<(version: Int64, at: Date, cost: TimeInterval, gaps: [String: [DecisionGap]])?>(nil)
        let refreshing = Mutex(false)
        /// Held while the first computation runs: callers that find nothing kept wait for it
        /// rather than each reading every number.
        let first = Mutex(())
    }

    /// Gaps whose last computation took less than this are computed again by the caller, who
    /// then sees them current; dearer ones in the background.
    public static let inlineCostMax: TimeInterval = 0.2

    /// The gaps as last computed, and when. Kept while the store has no newer change or they are
    /// younger than `keptFor` their cost; older, the caller computes them now when that is cheap
    /// (under `inlineBelow` seconds last time) or `inBackground` is false, else they are still
    /// answered at once while one computation runs in the background. With nothing kept yet, the
    /// caller computes them — one caller at a time.
    public static func gaps(_ node: NodeContext, now: Date, inBackground: Bool = true, inlineBelow: TimeInterval = inlineCostMax) throws -> (
        gaps: [String: [DecisionGap]], at: Date
    ) {
        let version = try node.store.newestChangeID()
        let kept = node.qualityFigures
        if let k = kept.value.withLock({ $0 }) {
            if k.version == version || (now >= k.at && now.timeIntervalSince(k.at) < keptFor(cost: k.cost)) { return (k.gaps, k.at) }
            guard inBackground && k.cost >= inlineBelow else { return try computeAndKeep(node, version: version, at: now) }
            if kept.refreshing.withLock({ (busy: inout Bool) -> Bool in
                defer { busy = true }
                return !busy
            }) {
                DispatchQueue.global(qos: .utility).async {
                    _ = try? computeAndKeep(node, version: version, at: now)
                    kept.refreshing.withLock { $0 = false }
                }
            }
            return (k.gaps, k.at)
        }
        return try kept.first.withLock { _ in
            if let k = kept.value.withLock({ $0 }) { return (k.gaps, k.at) }
            return try computeAndKeep(node, version: version, at: now)
        }
    }

    private static func computeAndKeep(_ node: NodeContext, version: Int64, at: Date) throws -> (gaps: [String: [DecisionGap]], at: Date) {
        let started = ContinuousClock.now
        let gaps = try gapsNow(node)
        let seconds = started.duration(to: .now) / .seconds(1)
        // A background computation that finishes after a newer one must not put older gaps back.
        node.qualityFigures.value.withLock { kept in
            if let k = kept, k.version > version || (k.version == version && k.at > at) { return }
            kept = (version, at, seconds, gaps)
        }
        return (gaps, at)
    }

    /// The four rates' figures per kind for pages and scrapes: counts fresh, gaps as `gaps` keeps them.
    public static func latest(_ node: NodeContext, now: Date, inBackground: Bool = true, inlineBelow: TimeInterval = inlineCostMax) throws -> (
        counts: [KindJurisdictionCount], kinds: [KindQuality], gapsAt: Date
    ) {
        let (gaps, at) = try gaps(node, now: now, inBackground: inBackground, inlineBelow: inlineBelow)
        let figures = try perKind(node, gaps: gaps)
        return (figures.counts, figures.kinds, at)
    }
}
