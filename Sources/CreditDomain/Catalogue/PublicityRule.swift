import Foundation

/// How long a kind's records are shown publicly (DOMAIN.md §4), as catalogue data.
///
/// The last day of publicity is the earliest date among `untilFields` that a record gives;
/// otherwise the decision date plus the months of `monthsByValue` for the value of
/// `monthsField` (several values combined: the longest applies), or `defaultMonths`. A record is
/// shown at all only while `shownWhileField` holds one of `shownWhileValues` (a licence while
/// 当前状态 = 1, a listing while 名单状态 = 有效).
public struct PublicityRule: Codable, Sendable, Hashable {
    public var untilFields: [String]?
    public var monthsField: String?
    public var monthsByValue: [String: Int]?
    public var defaultMonths: Int?
    public var shownWhileField: String?
    public var shownWhileValues: [String]?
    /// The minimum publicity period before credit repair may be granted, in months from the
    /// decision date, per value of `monthsField` (several values: the longest applies), else
    /// `repairDefaultMinimumMonths`; nil: the kind sets none. 《信用修复管理办法》(NDRC order 36).
    public var repairMinimumMonthsByValue: [String: Int]?
    public var repairDefaultMinimumMonths: Int?
    /// Where the repair periods come from.
    public var repairSource: String?
}

/// What `credit-node check` reads from a network-wide list's record (bare field codes).
public struct ListingFields: Codable, Sendable, Hashable {
    /// The list's name (名单名称).
    public var name: String
    /// The listing date (列入日期).
    public var since: String
    /// The last day of the listing (有效期至), if any.
    public var until: String?
    /// The measures that apply (惩戒措施 / 激励措施).
    public var measures: String
    /// The deciding unit (认定单位).
    public var unit: String
    /// `sanction` (joint punishment) or `reward` (joint incentive).
    public var effect: String
}

extension RecordKind {
    /// The last day this record is shown publicly, or nil when the kind sets no limit.
    /// `value` gives a field's value by bare code (nil or empty when absent).
    public func publicityUntil(decision: CivilDate?, value: (String) -> String?) -> CivilDate? {
        guard let rule = publicity else { return nil }
        let given = (rule.untilFields ?? []).compactMap { value($0).flatMap { CivilDate.parse($0) } }.min()
        if let given { return given }
        guard let decision else { return nil }
        var months = rule.defaultMonths
        if let field = rule.monthsField, let table = rule.monthsByValue, let raw = value(field), !raw.isEmpty {
            let parts = raw.split(whereSeparator: { ";；,，、".contains($0) }).map { $0.trimmingCharacters(in: .whitespaces) }
            months = parts.compactMap { table[$0] }.max() ?? months
        }
        return months.map { decision.adding(months: $0).adding(days: -1) }
    }

    /// The first day credit repair may be granted: the day after the minimum publicity period
    /// (decision date plus the minimum months), or nil when the kind sets no minimum.
    public func earliestRepair(decision: CivilDate?, value: (String) -> String?) -> (date: CivilDate, months: Int)? {
        guard let rule = publicity, let decision else { return nil }
        var months = rule.repairDefaultMinimumMonths
        if let field = rule.monthsField, let table = rule.repairMinimumMonthsByValue, let raw = value(field), !raw.isEmpty {
            let parts = raw.split(whereSeparator: { ";；,，、".contains($0) }).map { $0.trimmingCharacters(in: .whitespaces) }
            months = parts.compactMap { table[$0] }.max() ?? months
        }
        return months.map { (decision.adding(months: $0), $0) }
    }

    /// Whether the record's fields allow it to be shown publicly at all (licence valid, listing in force).
    public func isShownPublicly(value: (String) -> String?) -> Bool {
        guard let rule = publicity, let field = rule.shownWhileField, let allowed = rule.shownWhileValues else { return true }
        return value(field).map { allowed.contains($0) } ?? false
    }
}

extension CivilDate {
    /// The same day `months` later, on the month's last day when it has fewer days.
    public func adding(months: Int) -> CivilDate {
        let total = year * 12 + (month - 1) + months
        let y = total / 12
        let m = total % 12 + 1
        return CivilDate(year: y, month: m, day: min(day, CivilDate.daysIn(month: m, year: y)))!
    }
}

/// How a kind's records are kept or broken afterwards (信用承诺: 履约践诺), as bare field codes:
/// the office follows up records whose `field` says they were not kept, and those still without
/// it `checkDays` after their date (the decision date: 承诺日期).
public struct FulfilmentRule: Codable, Sendable, Hashable {
    /// The field recording whether the record was kept (履约情况); empty until checked.
    public var field: String
    /// The value that means kept in full (全部履行); any other non-empty value is a breach to follow up.
    public var kept: String
    /// The unit that took the commitment and checks it (受理单位): its credit code and its name.
    public var acceptor: String
    public var acceptorName: String
    /// The record's type (承诺类型), counted on the office's page, and what was promised (承诺事项).
    public var type: String
    public var matter: String
    /// Days after the record's date by which the fulfilment should be recorded.
    public var checkDays: Int
    /// Where the rule comes from.
    public var source: String?
}
