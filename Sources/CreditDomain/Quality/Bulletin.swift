/// A calendar month — 2026年11月 — the period of a credit office's regular bulletin (定期通报).
public struct CalendarMonth: Hashable, Sendable, Comparable, Codable, CustomStringConvertible {
    public let year: Int
    public let month: Int

    /// Returns nil unless the month exists (years 1000–9999).
    public init?(year: Int, month: Int) {
        guard (1000...9999).contains(year), (1...12).contains(month) else { return nil }
        self.year = year
        self.month = month
    }

    /// The month a date falls in.
    public init(_ date: CivilDate) {
        year = date.year
        month = date.month
    }

    /// Reads `2026-11`, `2026-1` or `2026年11月`; nil for anything else.
    public init?(_ text: String) {
        let t = text.trimmingFieldWhitespace()
        let parts: [Substring]
        if t.hasSuffix("月"), let nian = t.firstIndex(of: "年") {
            parts = [t[..<nian], t[t.index(after: nian)..<t.index(before: t.endIndex)]]
        } else {
            parts = t.split(separator: "-", omittingEmptySubsequences: false)
        }
        guard parts.count == 2, parts[0].count == 4, (1...2).contains(parts[1].count),
            parts.allSatisfy({ $0.allSatisfy { $0.isASCII && $0.isNumber } }), let y = Int(parts[0]), let m = Int(parts[1])
        else { return nil }
        self.init(year: y, month: m)
    }

    /// Its first day.
    public var first: CivilDate { CivilDate(year: year, month: month, day: 1)! }
    /// The month after it, and the one before.
    public var next: CalendarMonth { month == 12 ? CalendarMonth(year: year + 1, month: 1)! : CalendarMonth(year: year, month: month + 1)! }
    public var previous: CalendarMonth { month == 1 ? CalendarMonth(year: year - 1, month: 12)! : CalendarMonth(year: year, month: month - 1)! }
    /// Its last day.
    public var last: CivilDate { next.first.adding(days: -1) }

    public func contains(_ date: CivilDate) -> Bool { date.year == year && date.month == month }

    /// `2026-11`.
    public var iso: String { month < 10 ? "\(year)-0\(month)" : "\(year)-\(month)" }
    /// `2026年11月`.
    public var chinese: String { "\(year)年\(month)月" }
    public var description: String { iso }

    public static func < (lhs: CalendarMonth, rhs: CalendarMonth) -> Bool { (lhs.year, lhs.month) < (rhs.year, rhs.month) }
}

/// A credit office's regular bulletin (定期通报, seed 000: "定期汇总各单位……信用信息公开……情况，定期通报"):
/// for one month, what each deciding authority reported of each kind of decision — how many it
/// decided that month, how many reached the platform after their publication deadline (迟报), how
/// many were corrected after an objection (错报), the numbers missing from its series before its
/// decisions of that month (漏报, suspected) and its withdrawals that month for a reason the
/// catalogue does not allow (瞒报, suspected).
public enum Bulletin {
    /// A decision as the bulletin reads it: its authority and document number (from the record's
    /// key), its date, and whether it was late or corrected.
    public struct Decision: Sendable, Hashable {
        public var authority: String
        public var number: String
        public var date: CivilDate
        public var late: Bool
        public var corrected: Bool

        public init(authority: String, number: String, date: CivilDate, late: Bool, corrected: Bool) {
            self.authority = authority
            self.number = number
            self.date = date
            self.late = late
            self.corrected = corrected
        }
    }

    /// One authority's line for one kind.
    public struct Line: Sendable, Hashable, Codable {
        public var kind: String
        public var authority: String
        public var decided: Int
        public var late: Int
        public var corrected: Int
        public var suspectedMissing: Int
        public var concealed: Int

        public init(
            kind: String, authority: String, decided: Int = 0, late: Int = 0, corrected: Int = 0, suspectedMissing: Int = 0, concealed: Int = 0
        ) {
            self.kind = kind
            self.authority = authority
            self.decided = decided
            self.late = late
            self.corrected = corrected
            self.suspectedMissing = suspectedMissing
            self.concealed = concealed
        }

        /// Whether anything in it calls for the authority's attention.
        public var flagged: Bool { late + corrected + suspectedMissing + concealed > 0 }
    }

    /// Missing decision numbers attributed to `month`, by authority. Within each authority's
    /// series and year (as `DecisionGap.find` groups them, with its plausibility bound
    /// `spanMax`), the numbers missing between two reported ones belong to the month of the
    /// later one's decision: they were given before it, and after the earlier one. Summed over
    /// every month, they are exactly the numbers `DecisionGap.find` calls missing.
    public static func missing(in month: CalendarMonth, decisions: [Decision], spanMax: Int = 100_000) -> [String: Int] {
        struct Group: Hashable {
            var authority: String
            var series: String
            var year: Int
        }
        var groups: [Group: [Int: CivilDate]] = [:]
        for d in decisions {
            guard let n = DecisionNumber(d.number) else { continue }
            let g = Group(authority: d.authority, series: n.series, year: n.year)
            // One number given twice (two records, one document) counts from its earliest date.
            if let seen = groups[g]?[n.number], seen <= d.date { continue }
            groups[g, default: [:]][n.number] = d.date
        }
        var out: [String: Int] = [:]
        for (g, dates) in groups {
            let numbers = dates.keys.sorted()
            guard let lo = numbers.first, let hi = numbers.last, hi - lo <= spanMax else { continue }
            for (a, b) in zip(numbers, numbers.dropFirst()) where b - a > 1 && month.contains(dates[b]!) {
                out[g.authority, default: 0] += b - a - 1
            }
        }
        return out
    }

    /// Every authority's line for `kind` in `month`, from the kind's decisions of the year up to
    /// the month's end (the earlier ones only bound the gaps) and the authorities of the kind's
    /// unexplained withdrawals dated in the month; the flagged lines first, most problems first.
    public static func lines(kind: String, month: CalendarMonth, decisions: [Decision], concealedBy: [String]) -> [Line] {
        var lines: [String: Line] = [:]
        for d in decisions where month.contains(d.date) {
            lines[d.authority, default: Line(kind: kind, authority: d.authority)].decided += 1
            if d.late { lines[d.authority]!.late += 1 }
            if d.corrected { lines[d.authority]!.corrected += 1 }
        }
        for (authority, count) in missing(in: month, decisions: decisions) {
            lines[authority, default: Line(kind: kind, authority: authority)].suspectedMissing += count
        }
        for authority in concealedBy { lines[authority, default: Line(kind: kind, authority: authority)].concealed += 1 }
        return lines.values.sorted {
            let l = ($0.late + $0.corrected + $0.suspectedMissing + $0.concealed, $0.decided)
            let r = ($1.late + $1.corrected + $1.suspectedMissing + $1.concealed, $1.decided)
            return l != r ? l > r : $0.authority < $1.authority
        }
    }
}
