/// Decision document numbers (文号) and the gaps in them: an authority numbers its decisions of a
/// kind one by one through the year — 仙桃城管罚〔2026〕1号, 2号, 4号 — so a number missing between
/// two it reported is a decision suspected never reported (漏报, DOMAIN.md §5).
public struct DecisionNumber: Sendable, Hashable {
    /// What comes before the year: the issuing authority's abbreviation and the kind's word (仙桃城管罚).
    public var series: String
    public var year: Int
    public var number: Int

    public init(series: String, year: Int, number: Int) {
        self.series = series
        self.year = year
        self.number = number
    }

    /// Reads `…〔YYYY〕N号` (also with [ ], ［ ］ or 【 】 around the year, as offices write them);
    /// nil for any other shape, which says nothing about gaps.
    public init?(_ text: String) {
        // (The fields' own trim, over bytes: Foundation's `trimmingCharacters` goes through `NSString`
        // on Linux, and the gaps read every number of the store — a million at a county.)
        let t = text.trimmingFieldWhitespace()
        guard t.hasSuffix("号") else { return nil }
        let brackets: [(Character, Character)] = [("〔", "〕"), ("[", "]"), ("［", "］"), ("【", "】")]
        for (open, close) in brackets {
            guard let o = t.lastIndex(of: open), let c = t.lastIndex(of: close), o < c else { continue }
            let yearText = t[t.index(after: o)..<c]
            let numberText = t[t.index(after: c)..<t.index(before: t.endIndex)]
            guard yearText.count == 4, let year = Int(yearText), (1949...2999).contains(year),
                !numberText.isEmpty, numberText.count <= 7, numberText.allSatisfy({ $0.isASCII && $0.isNumber }), let number = Int(numberText),
                number > 0
            else { return nil }
            series = String(t[..<o]).trimmingFieldWhitespace()
            self.year = year
            self.number = number
            return
        }
        return nil
    }
}

/// Numbers missing inside one series of one authority and year.
public struct DecisionGap: Sendable, Hashable, Codable {
    public var authority: String
    public var series: String
    public var year: Int
    /// The lowest and highest numbers reported.
    public var first: Int
    public var last: Int
    public var reported: Int
    /// The numbers between `first` and `last` that were not reported, in order.
    public var missing: [Int]

    /// Finds the gaps in what each authority reported: numbers grouped by (authority, series,
    /// year), each group's missing numbers between its lowest and highest. A group of one number,
    /// or without gaps, is left out; so is a group whose span is implausible for one office's
    /// year (`spanMax`), which says the numbers are not one sequence.
    public static func find(_ numbers: [(authority: String, number: DecisionNumber)], spanMax: Int = 100_000) -> [DecisionGap] {
        struct Group: Hashable {
            var authority: String
            var series: String
            var year: Int
        }
        var groups: [Group: Set<Int>] = [:]
        for (authority, n) in numbers { groups[Group(authority: authority, series: n.series, year: n.year), default: []].insert(n.number) }
        var out: [DecisionGap] = []
        for (g, reported) in groups {
            guard let lo = reported.min(), let hi = reported.max(), hi - lo + 1 > reported.count, hi - lo <= spanMax else { continue }
            let missing = (lo...hi).filter { !reported.contains($0) }
            out.append(
                DecisionGap(authority: g.authority, series: g.series, year: g.year, first: lo, last: hi, reported: reported.count, missing: missing))
        }
        return out.sorted { ($0.missing.count, $1.authority, $1.series, $1.year) > ($1.missing.count, $0.authority, $0.series, $0.year) }
    }
}

extension ResolvedKind {
    /// The full field codes that number this kind's decisions — the deciding authority's code and
    /// the document number — when its business key is exactly those (`…JGDM`/`…DWDM`, `WSH`).
    public var decisionNumbering: (authority: String, number: String)? {
        let key = kind.businessKey
        guard key.count == 2, key[0].hasSuffix("DM"), key[1] == "WSH" else { return nil }
        return (kind.fullCode(key[0]), kind.fullCode(key[1]))
    }
}
