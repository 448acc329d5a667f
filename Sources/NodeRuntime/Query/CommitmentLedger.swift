import CreditDomain
import CreditStore
import Foundation

/// 信用承诺履约: the commitments of the node's area (信用承诺, seed 004 item 7) — how many each
/// accepting unit (受理单位) took, how many were kept in full, partly or not at all, how many
/// are still unchecked and how many of those past the catalogue's check period — and the list
/// of those to follow up. Read from the tallies the store keeps as commitments are written
/// (`NodeStore.applyCommitmentRule`); what `/ops/commitments` and `credit-node commitments` show.
public struct CommitmentLedger: Sendable, Encodable {
    /// One accepting unit, region or type (or the whole area).
    public struct Line: Sendable, Encodable {
        public var code: String
        public var name: String
        public var commitments: Int
        /// By outcome, in `CommitmentLedger.outcomes`' order.
        public var outcomes: [Int]
        /// Checked, but not kept in full (every outcome but the kept one).
        public var broken: Int
        public var unchecked: Int
        /// Unchecked past the check period.
        public var overdue: Int
        /// Kept in full of those checked: `87.50 %`, `—` with none checked.
        public var keptRate: String
    }

    /// The kind's name (信用承诺), the outcomes the catalogue lists (全部履行, 部分履行, 全部未履行)
    /// and which of them is kept in full.
    public var kind: String
    public var outcomes: [String]
    public var kept: String
    /// Days after the commitment's date by which its outcome should be recorded, and the day
    /// before which an unchecked one is overdue.
    public var checkDays: Int
    public var overdueBefore: String
    public var total: Line
    /// Units with something to follow up first (most broken and overdue), then the rest by size.
    public var acceptors: [Line]
    public var regions: [Line]
    public var types: [Line]

    /// The kind with a fulfilment rule, and its rule; nil when the catalogue has none.
    public static func rule(_ node: NodeContext) -> (kind: ResolvedKind, rule: FulfilmentRule)? {
        for kind in node.catalogue.kinds {
            if let rule = kind.fulfilment, let resolved = node.resolvedKinds[kind.slug] { return (resolved, rule) }
        }
        return nil
    }

    /// The day before which an unchecked commitment is overdue, on `today`.
    public static func overdueBefore(_ rule: FulfilmentRule, today: CivilDate) -> CivilDate { today.adding(days: -rule.checkDays) }

    /// The ledger on `today`; nil when the catalogue has no fulfilment rule.
    public static func compute(_ node: NodeContext, today: CivilDate) throws -> CommitmentLedger? {
        guard let (kind, rule) = rule(node) else { return nil }
        let outcomes = kind.enumerationValues(of: rule.field).isEmpty ? [rule.kept] : kind.enumerationValues(of: rule.field)
        let before = overdueBefore(rule, today: today)
        let tallies = try node.store.commitmentTallies()
        let overdue = try node.store.uncheckedCommitments(before: before)
        let names = try node.store.commitmentAcceptorNames()
        let c = node.configuration
        let areas = try node.childRegions()
        var total = Accumulator(code: c.code.digits, name: c.name ?? c.code.digits, width: outcomes.count)
        var acceptors: [String: Accumulator] = [:]
        var regions: [String: Accumulator] = [:]
        var types: [String: Accumulator] = [:]
        func add(_ into: inout [String: Accumulator], _ code: String, _ name: @autoclosure () -> String, _ body: (inout Accumulator) -> Void) {
            body(&into[code, default: Accumulator(code: code, name: name(), width: outcomes.count)])
        }
        for t in tallies {
            let count = { (a: inout Accumulator) in a.count(t.records, outcome: t.fulfilment, outcomes: outcomes, kept: rule.kept) }
            count(&total)
            add(&acceptors, t.acceptor, Masking.maskResidentIDs(in: names[t.acceptor] ?? (t.acceptor.isEmpty ? "（未填受理单位）" : t.acceptor)), count)
            let (code, name) = areas.region(of: t.jurisdiction)
            add(&regions, code, name, count)
            add(&types, t.type, t.type.isEmpty ? "（未填类型）" : Masking.maskResidentIDs(in: t.type), count)
        }
        for o in overdue {
            total.overdue += o.records
            add(&acceptors, o.acceptor, Masking.maskResidentIDs(in: names[o.acceptor] ?? o.acceptor)) { $0.overdue += o.records }
            let (code, name) = areas.region(of: o.jurisdiction)
            add(&regions, code, name) { $0.overdue += o.records }
        }
        let order = { (a: Line, b: Line) in (a.broken + a.overdue, a.commitments, b.code) > (b.broken + b.overdue, b.commitments, a.code) }
        // Regions in the children's order, this node's own level last; types in the catalogue's.
        let regionOrder = c.children.map(\.digits) + [c.code.digits]
        let typeOrder = kind.enumerationValues(of: rule.type)
        return CommitmentLedger(
            kind: kind.name, outcomes: outcomes, kept: rule.kept, checkDays: rule.checkDays, overdueBefore: before.iso, total: total.line,
            acceptors: acceptors.values.map(\.line).sorted(by: order),
            regions: regions.values.map(\.line).sorted {
                (regionOrder.firstIndex(of: $0.code) ?? .max) < (regionOrder.firstIndex(of: $1.code) ?? .max)
            },
            types: types.values.map(\.line).sorted {
                ((typeOrder.firstIndex(of: $0.code) ?? .max), $0.code) < ((typeOrder.firstIndex(of: $1.code) ?? .max), $1.code)
            })
    }

    struct Accumulator {
        var code: String
        var name: String
        var commitments = 0
        var outcomes: [Int]
        var unchecked = 0
        var broken = 0
        var overdue = 0
        var keptCount = 0

        init(code: String, name: String, width: Int) {
            self.code = code
            self.name = name
            outcomes = Array(repeating: 0, count: width)
        }

        mutating func count(_ n: Int, outcome: String, outcomes names: [String], kept: String) {
            commitments += n
            if outcome.isEmpty { unchecked += n; return }
            if let i = names.firstIndex(of: outcome) { outcomes[i] += n }
            if outcome == kept { keptCount += n } else { broken += n }
        }

        var line: Line {
            let checked = commitments - unchecked
            return Line(
                code: code, name: name, commitments: commitments, outcomes: outcomes, broken: broken, unchecked: unchecked, overdue: overdue,
                keptRate: checked == 0 ? "—" : String(format: "%.2f %%", Double(keptCount) * 100 / Double(checked)))
        }
    }
}

/// A commitment to follow up, as an office reads it: ID numbers masked.
public struct CommitmentToFollowUp: Sendable, Encodable {
    public var id: Int64
    /// The commitment's code (承诺编码) and the record's key.
    public var number: String
    public var key: String
    public var subject: String
    public var subjectName: String
    public var jurisdiction: String
    public var acceptor: String
    public var acceptorName: String
    public var type: String
    public var matter: String
    public var committedOn: String
    /// The recorded outcome, empty while unchecked (`checked` false); days since the commitment.
    public var outcome: String
    public var checked: Bool
    public var days: Int
    /// What the office asks of the accepting unit, in words.
    public var remark: String

    /// Commitments to follow up on `today` — broken ones, and unchecked ones past the check
    /// period — oldest first after `after` (date and id), at most `limit`; in the region whose
    /// codes start with `areaPrefix`, of one accepting unit.
    public static func list(
        _ node: NodeContext, today: CivilDate, areaPrefix: String? = nil, acceptor: String? = nil, after: (date: String, id: Int64)? = nil,
        limit: Int
    ) throws -> [CommitmentToFollowUp] {
        guard let (kind, rule) = CommitmentLedger.rule(node) else { return [] }
        let code = kind.kind.fullCode
        let (typeField, matterField) = (code(rule.type), code(rule.matter))
        let names = try node.store.commitmentAcceptorNames()
        let found = try node.store.commitmentsToFollowUp(
            kept: rule.kept, uncheckedBefore: CommitmentLedger.overdueBefore(rule, today: today), brokenToo: true, areaPrefix: areaPrefix,
            acceptor: acceptor, fields: [typeField, matterField], after: after, limit: limit)
        return found.map { f in
            let days = CivilDate.parse(f.committedOn).map { today.dayNumber - $0.dayNumber } ?? 0
            return CommitmentToFollowUp(
                id: f.id, number: Masking.maskResidentIDs(in: f.key.split(separator: "|").last.map(String.init) ?? f.key),
                key: Masking.maskResidentIDs(in: f.key),
                subject: f.subject.map { (try? ResidentID($0)) != nil ? Masking.mask($0) : $0 } ?? "",
                subjectName: Masking.maskResidentIDs(in: f.subjectName ?? ""), jurisdiction: f.jurisdiction, acceptor: f.acceptor,
                acceptorName: Masking.maskResidentIDs(in: names[f.acceptor] ?? f.acceptor), type: f.fields[typeField] ?? "",
                matter: Masking.maskResidentIDs(in: f.fields[matterField] ?? ""), committedOn: f.committedOn, outcome: f.fulfilment,
                checked: !f.fulfilment.isEmpty, days: days,
                remark: f.fulfilment.isEmpty ? "已满 \(days) 天未报送履约情况，请受理单位核查" : "请受理单位核实失信情况，依法依规处理")
        }
    }
}
