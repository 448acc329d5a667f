import CreditDomain
import CreditStore
import Foundation

/// 重点领域预警 (seed 002 (九)): the area's dishonesty in each key area (食品安全, 安全生产, 生态环境,
/// 工资社保, 金融 — the catalogue's `keyAreas`) month by month — the records of its kind decided in
/// each month whose fields name one of the area's keywords (withdrawn ones left out: the decision
/// was revoked) — and the key areas and child regions whose last whole month rose past the rule:
/// at least `minimum` cases and `ratio` times the average of the months before it.
public struct KeyAreaWarnings: Sendable, Encodable {
    public struct Area: Sendable, Encodable {
        public var name: String
        public var keywords: [String]
        /// Cases per month, oldest first: the baseline months, then the last whole month.
        public var months: [Int]
        /// The last whole month's cases, and the baseline's average as written (`2.4`).
        public var latest: Int
        public var baseline: String
        /// How the last whole month compares with the baseline (`+150 %`, `—` when the baseline is 0).
        public var change: String
        public var warning: Bool
        /// The current month so far (not judged: it has not ended).
        public var current: Int
        /// The child regions, those warned first, then by the last month's cases.
        public var regions: [Region]
    }

    public struct Region: Sendable, Encodable {
        public var code: String
        public var name: String
        public var latest: Int
        public var baseline: String
        public var warning: Bool
    }

    /// The months shown, oldest first (`2026-06` …), the last whole month last; and the current one.
    public var months: [String]
    public var latestMonth: String
    public var currentMonth: String
    public var ratio: Double
    public var minimum: Int
    public var kindName: String
    public var areas: [Area]
    /// The key areas warned, by name.
    public var warned: [String]

    /// The figures for pages, and when they were computed: kept while the store has no newer change
    /// or they are younger than `KeptFigures.keptFor` their cost (a province's months of penalties
    /// are read from their bodies: seconds), a dear computation run again in the background.
    public static func latest(_ node: NodeContext, now: Date) throws -> (figures: KeyAreaWarnings?, at: Date) {
        let today = ChinaTime.date(now)
        let (figures, at) = try node.keyAreaFigures.latest(version: try node.store.newestChangeID(), day: today.iso, now: now) {
            try compute(node, today: today)
        }
        return (figures, at)
    }

    /// The figures on `today`; nil when the catalogue sets no `keyAreas`.
    public static func compute(_ node: NodeContext, today: CivilDate) throws -> KeyAreaWarnings? {
        guard let rule = node.catalogue.keyAreas, let kind = node.resolvedKinds[rule.kind] else { return nil }
        let current = CalendarMonth(today)
        let latest = current.previous
        var months = [latest]
        for _ in 0..<rule.baselineMonths { months.insert(months[0].previous, at: 0) }
        let index = Dictionary(uniqueKeysWithValues: months.enumerated().map { ($1, $0) })
        let rows = try node.store.keywordCounts(
            kind: rule.kind, from: months[0].first.iso, until: current.next.first.iso, areaPrefix: node.configuration.code.areaPrefix,
            fields: rule.fields.map { kind.kind.fullCode($0) }, keywords: rule.areas.map(\.keywords))
        let regions = try node.childRegions()
        let n = months.count
        var counts = Array(repeating: Array(repeating: 0, count: n), count: rule.areas.count)
        var now = Array(repeating: 0, count: rule.areas.count)
        var byRegion = Array(repeating: Array(repeating: Array(repeating: 0, count: n), count: regions.children.count), count: rule.areas.count)
        for row in rows {
            guard let month = CalendarMonth(row.month) else { continue }
            let region = regions.index(of: row.jurisdiction)
            for (a, count) in row.counts.enumerated() where count > 0 {
                if month == current {
                    now[a] += count
                } else if let m = index[month] {
                    counts[a][m] += count
                    if let r = region { byRegion[a][r][m] += count }
                }
            }
        }
        func judged(_ series: [Int]) -> (latest: Int, baseline: Double, warning: Bool) {
            let baseline = Double(series.dropLast().reduce(0, +)) / Double(rule.baselineMonths)
            let last = series.last ?? 0
            return (last, baseline, rule.isWarning(last, baseline: baseline))
        }
        let areas = rule.areas.enumerated().map { a, area in
            let figure = judged(counts[a])
            let children = regions.children.enumerated().map { r, code in
                let f = judged(byRegion[a][r])
                return Region(
                    code: code.digits, name: regions.name(of: code), latest: f.latest, baseline: Self.written(f.baseline), warning: f.warning)
            }
            return Area(
                name: area.name, keywords: area.keywords, months: counts[a], latest: figure.latest, baseline: Self.written(figure.baseline),
                change: figure.baseline > 0 ? Self.percent((Double(figure.latest) - figure.baseline) / figure.baseline) : "—",
                warning: figure.warning, current: now[a],
                regions: children.sorted { ($0.warning ? 1 : 0, $0.latest, $1.code) > ($1.warning ? 1 : 0, $1.latest, $0.code) })
        }
        return KeyAreaWarnings(
            months: months.map(\.iso), latestMonth: latest.iso, currentMonth: current.iso, ratio: rule.ratio, minimum: rule.minimum,
            kindName: kind.name, areas: areas, warned: areas.filter(\.warning).map(\.name))
    }

    /// `2.4`, `3`: one decimal, none when whole.
    static func written(_ value: Double) -> String {
        let tenths = (value * 10).rounded()
        return tenths.truncatingRemainder(dividingBy: 10) == 0 ? String(Int(tenths / 10)) : String(format: "%.1f", tenths / 10)
    }

    /// `+150 %`, `-20 %`.
    static func percent(_ share: Double) -> String {
        let p = Int((share * 100).rounded())
        return p > 0 ? "+\(p) %" : "\(p) %"
    }
}
