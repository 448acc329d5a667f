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

    /// The gaps as last computed, and when (`KeptFigure.latest`: kept while the store has no newer
    /// change or they are younger than `KeptFigures.keptFor` their cost, a dear computation run
    /// again in the background). Each computation reads every decision number, which pages and
    /// scrapes every few seconds at a province must not each do.
    public static func gaps(_ node: NodeContext, now: Date, inBackground: Bool = true, inlineBelow: TimeInterval = KeptFigures.inlineCostMax)
        throws -> (gaps: [String: [DecisionGap]], at: Date)
    {
        let (gaps, at) = try node.qualityFigures.latest(
            version: try node.store.newestChangeID(), now: now, inBackground: inBackground, inlineBelow: inlineBelow
        ) { try gapsNow(node) }
        return (gaps, at)
    }

    /// The four rates' figures per kind for pages and scrapes: counts fresh, gaps as `gaps` keeps them.
    public static func latest(_ node: NodeContext, now: Date, inBackground: Bool = true, inlineBelow: TimeInterval = KeptFigures.inlineCostMax) throws
        -> (
            counts: [KindJurisdictionCount], kinds: [KindQuality], gapsAt: Date
        )
    {
        let (gaps, at) = try gaps(node, now: now, inBackground: inBackground, inlineBelow: inlineBelow)
        let figures = try perKind(node, gaps: gaps)
        return (figures.counts, figures.kinds, at)
    }
}
