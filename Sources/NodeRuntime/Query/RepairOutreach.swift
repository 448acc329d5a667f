import CreditDomain
import CreditStore
import Foundation

/// 信用修复提醒 (seed 004 item 13: 建立信用修复帮扶机制……通过电话、短信、培训等形式提醒失信主体
/// 主动纠正失信行为; 谁产生、谁公示、谁督促修复): the dishonesty records of the node's area still
/// shown — those of a kind with a minimum publicity period under 《信用修复管理办法》 (行政处罚,
/// 严重失信主体名单) — whose subjects may now apply for credit repair, or may within 30 days, by the
/// deciding authority that is to remind them; the list the office sends out. What `/ops/repair` and
/// `credit-node repair-due` show.
public struct RepairOutreach: Sendable, Encodable {
    /// How far ahead a record counts as soon repairable.
    public static let soonDays = 30

    /// Records counted together: in force, repairable now, repairable within `soonDays`.
    public struct Figures: Sendable, Encodable {
        public var name: String
        public var inForce = 0
        public var due = 0
        public var soon = 0

        /// One record in force: repairable now, soon, or later.
        mutating func count(due now: Bool, soon within: Bool) {
            inForce += 1
            if now { due += 1 } else if within { soon += 1 }
        }
    }

    public struct Entry: Sendable, Encodable {
        public var kindName: String
        public var subject: String
        /// The subject's code: a credit code whole, an ID number masked.
        public var subjectCode: String
        public var documentNumber: String
        public var authority: String
        public var decisionDate: String
        /// What was decided (处罚类别, 名单名称).
        public var what: String
        public var minimumMonths: Int
        /// The first day repair may be granted, and the days since (negative: still to come).
        public var repairableFrom: String
        public var daysSince: Int
        public var objected: Bool
    }

    public var today: String
    public var total: Figures
    /// Per kind, in the catalogue's order.
    public var kinds: [Figures]
    /// Per deciding authority, most due first.
    public var authorities: [Figures]
    /// The records repairable now, the longest repairable first.
    public var due: [Entry]

    /// The kinds whose records have a minimum publicity period before repair.
    static func repairKinds(_ node: NodeContext) -> [ResolvedKind] {
        node.catalogue.kinds.compactMap { node.resolvedKinds[$0.slug] }.filter {
            $0.kind.publicity.map { $0.repairDefaultMinimumMonths != nil || $0.repairMinimumMonthsByValue != nil } ?? false
        }
    }

    /// The area's records on `today`; nil when the catalogue has no kind with a minimum period.
    public static func compute(_ node: NodeContext, today: CivilDate) throws -> RepairOutreach? {
        let kinds = repairKinds(node)
        guard !kinds.isEmpty else { return nil }
        let soon = today.adding(days: Self.soonDays)
        var total = Figures(name: "合计")
        var perKind: [Figures] = []
        var perAuthority: [String: Figures] = [:]
        var due: [Entry] = []
        for kind in kinds {
            let rule = kind.kind.publicity
            // Read: the subject's name, the decision's number, the authority, what was decided, the months' field.
            let what = kind.kind.listing?.name ?? rule?.monthsField
            let read = [kind.kind.subjectName, "WSH", PublicRecord.authorityField(of: kind), what, rule?.monthsField].map { code in
                code.flatMap { kind.index[$0] != nil ? $0 : nil } ?? ""
            }
            let present = read.filter { !$0.isEmpty }
            let value = { (one: ListedSubject, code: String) -> String in
                guard !code.isEmpty, let i = present.firstIndex(of: code) else { return "" }
                return one.values[i]
            }
            var figures = Figures(name: kind.name)
            for one in try node.listedInForce(kind, today: today, fields: present) {
                // `listedInForce` holds only records active or under objection, within their publicity.
                guard let decided = CivilDate.parse(one.since),
                    let (from, months) = kind.kind.earliestRepair(
                        decision: decided,
                        value: { code in
                            let v = value(one, code)
                            return v.isEmpty ? nil : v
                        })
                else { continue }
                let authority = value(one, read[2])
                let (now, within) = (from <= today, from <= soon)
                total.count(due: now, soon: within)
                figures.count(due: now, soon: within)
                perAuthority[authority, default: Figures(name: authority.isEmpty ? "（未注明）" : authority)].count(due: now, soon: within)
                if now {
                    due.append(
                        Entry(
                            kindName: kind.name, subject: value(one, read[0]), subjectCode: Masking.shown(one.subjectCode),
                            documentNumber: Masking.maskResidentIDs(in: value(one, read[1])), authority: authority, decisionDate: one.since,
                            what: Masking.maskResidentIDs(in: value(one, read[3])), minimumMonths: months, repairableFrom: from.iso,
                            daysSince: today.dayNumber - from.dayNumber, objected: one.state == "objected"))
                }
            }
            perKind.append(figures)
        }
        due.sort { ($0.daysSince, $1.subject) > ($1.daysSince, $0.subject) }
        let authorities = perAuthority.values.sorted { ($0.due, $0.soon, $1.name) > ($1.due, $1.soon, $0.name) }
        return RepairOutreach(today: today.iso, total: total, kinds: perKind, authorities: authorities, due: due)
    }
}
