/// A calendar month — 2026年11月 — the period of a credit office's regular bulletin (定期通报).
public struct CalendarMonth: Hashable, Sendable, Comparable, CustomStringConvertible {
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
    /// One authority's decisions of a kind in one jurisdiction decided in the month: how many,
    /// how many late, how many corrected after an objection.
    public struct Tally: Sendable, Hashable {
        public var authority: String
        public var jurisdiction: String
        public var decided: Int
        public var late: Int
        public var corrected: Int

        public init(authority: String, jurisdiction: String, decided: Int, late: Int = 0, corrected: Int = 0) {
            self.authority = authority
            self.jurisdiction = jurisdiction
            self.decided = decided
            self.late = late
            self.corrected = corrected
        }
    }

    /// One authority's line for one kind.
    public struct Line: Sendable, Hashable {
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

    /// The missing numbers of `gaps` (as `DecisionGap.find` gives them, over every number the
    /// node holds) that belong to the month whose decisions are numbered `monthNumbers`, by
    /// authority: a run of missing numbers belongs to the month of the reported number that ends
    /// it — they were given before that one, and after the one that begins it. Summed over every
    /// month, they are exactly the numbers `gaps` calls missing.
    public static func missing(in gaps: [DecisionGap], monthNumbers: [(authority: String, number: DecisionNumber)]) -> [String: Int] {
        struct Numbered: Hashable {
            var authority: String
            var series: String
            var year: Int
            var number: Int
        }
        let month = Set(
            monthNumbers.map { Numbered(authority: $0.authority, series: $0.number.series, year: $0.number.year, number: $0.number.number) })
        guard !month.isEmpty else { return [:] }
        var out: [String: Int] = [:]
        for gap in gaps {
            var run = 0
            for (i, n) in gap.missing.enumerated() {
                run += 1
                // The run ends where the next number was reported.
                guard i + 1 == gap.missing.count || gap.missing[i + 1] != n + 1 else { continue }
                if month.contains(Numbered(authority: gap.authority, series: gap.series, year: gap.year, number: n + 1)) {
                    out[gap.authority, default: 0] += run
                }
                run = 0
            }
        }
        return out
    }

    /// Every authority's line for `kind` in a month, from its tallies, the missing numbers
    /// `missing` attributes to the month and the authorities of the kind's unexplained
    /// withdrawals dated in it; the flagged lines first, most problems first.
    public static func lines(kind: String, tallies: [Tally], missing: [String: Int], concealedBy: [String]) -> [Line] {
        var lines: [String: Line] = [:]
        for t in tallies {
            lines[t.authority, default: Line(kind: kind, authority: t.authority)].decided += t.decided
            lines[t.authority]!.late += t.late
            lines[t.authority]!.corrected += t.corrected
        }
        for (authority, count) in missing { lines[authority, default: Line(kind: kind, authority: authority)].suspectedMissing += count }
        for authority in concealedBy { lines[authority, default: Line(kind: kind, authority: authority)].concealed += 1 }
        return lines.values.sorted {
            let l = ($0.late + $0.corrected + $0.suspectedMissing + $0.concealed, $0.decided)
            let r = ($1.late + $1.corrected + $1.suspectedMissing + $1.concealed, $1.decided)
            return l != r ? l > r : $0.authority < $1.authority
        }
    }
}
