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
    /// were summed from.
    public static func perKind(_ node: NodeContext) throws -> (counts: [KindJurisdictionCount], kinds: [KindQuality]) {
        let counts = try node.store.recordsByKindAndJurisdiction()
        let quarantined = try node.store.quarantinedByKind()
        let unexplained = Dictionary(grouping: try node.store.withdrawals().filter { node.catalogue.withdrawalIsUnexplained($0.reason) }, by: \.kind)
        let held = Set(counts.map(\.kind)).union(quarantined.keys)
        var kinds: [KindQuality] = []
        for kind in node.catalogue.kinds where held.contains(kind.slug) {
            let of = counts.filter { $0.kind == kind.slug }
            var gaps: [DecisionGap] = []
            if let numbering = node.resolvedKinds[kind.slug]?.decisionNumbering {
                let numbers = try node.store.decisionNumbers(kind: kind.slug, authorityField: numbering.authority, numberField: numbering.number)
                    .compactMap { n in DecisionNumber(n.number).map { (authority: n.authority, number: $0) } }
                gaps = DecisionGap.find(numbers)
            }
            kinds.append(
                KindQuality(
                    slug: kind.slug, name: kind.name, records: of.reduce(0) { $0 + $1.records }, late: of.reduce(0) { $0 + $1.late },
                    corrected: of.reduce(0) { $0 + $1.corrected }, quarantined: quarantined[kind.slug] ?? 0, gaps: gaps,
                    concealed: unexplained[kind.slug] ?? []))
        }
        return (counts, kinds)
    }

    /// How often a scrape may compute the figures again while the store keeps changing: each
    /// computation reads the whole records table (OPERATIONS.md), which a scrape every few seconds
    /// at a province must not do each time.
    public static let refreshSeconds: TimeInterval = 300

    /// Figures last computed, with the store's newest change then and when.
    final class Kept: Sendable {
        let value = Mutex<(version: Int64, at: Date, kinds: [KindQuality])?>(nil)
    }

    /// The figures for a scrape: those kept while the store has no newer change, or while they are
    /// younger than `refreshSeconds`; else computed again.
    static func latest(_ node: NodeContext, now: Date) throws -> [KindQuality] {
        let version = try node.store.newestChangeID()
        if let kept = node.qualityFigures.value.withLock({ $0 }),
            kept.version == version || now.timeIntervalSince(kept.at) < refreshSeconds
        {
            return kept.kinds
        }
        let kinds = try perKind(node).kinds
        node.qualityFigures.value.withLock { $0 = (version, now, kinds) }
        return kinds
    }
}
