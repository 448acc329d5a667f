import CreditDomain
import CreditStore
import Foundation
import NodeRuntime

extension OperationsPages {
    /// `/ops/trend`: the four rates month by month (四率走势) — each month's figures the same
    /// as that month's bulletin (`/ops/bulletin`), read from the same kept figures — against seed
    /// 004's target of 四清零 (no late, wrong, missing or concealed decision in a month) and of no
    /// new objection (不新增异议信息); and each child region's late rate month by month.
    struct TrendPage: Sendable, Encodable {
        struct MonthRow: Sendable, Encodable {
            /// `2026-11`, `2026年11月`.
            var month: String
            var label: String
            var rates: RatesRow
            /// Objections opened in the month on the area's records.
            var newObjections: Int
            /// Whether the month's decisions may still arrive in time (its last publication
            /// deadline not passed), and that deadline.
            var open: Bool
            var closesOn: String
            /// A closed month with decisions and none late, wrong, missing or concealed.
            var cleared: Bool
            /// 四清零, 未清零, 统计中 or 无决定报送.
            var status: String
            /// What stands between the month and 四清零, in words (nil when cleared, open or
            /// without decisions).
            var shortOf: String?
        }
        /// One rate's months as bars scaled to the highest (at least 1 %).
        struct RateChart: Sendable, Encodable {
            struct Bar: Sendable, Encodable {
                var x: Int
                var y: Int
                var width: Int
                var height: Int
                var centre: Int
                /// `11月`, and the year under the first month and each January.
                var label: String
                var year: String?
                /// `2026年11月`.
                var name: String
                /// The rate, `1.25 %`, and the same short for above the bar (`1.3`).
                var rate: String
                var short: String
                var zero: Bool
                var open: Bool
            }
            var title: String
            /// What the rate divides.
            var formula: String
            var width: Int
            var height: Int
            var top: Int
            var baseline: Int
            /// The scale's top, `5.00 %`.
            var peak: String
            /// Where the months' names stand, under the baseline, and the years under them.
            var labelY: Int
            var yearY: Int
            var bars: [Bar]
            var labelled: Bool
            var zeroMonths: Int
        }
        struct RegionTrend: Sendable, Encodable {
            struct Cell: Sendable, Encodable {
                var rate: String
                /// none (no decision), zero, some (under 5 %), many.
                var level: String
                var title: String
            }
            var name: String
            var cells: [Cell]
            /// Closed months with decisions, and those of them without a late one.
            var closedMonths: Int
            var monthsWithoutLate: Int
        }
        struct MonthOption: Sendable, Encodable {
            var value: Int
            var selected: Bool
        }
        var head: Head
        /// The last month shown, and the first.
        var to: String
        var toName: String
        var fromName: String
        var monthCount: Int
        var months: [MonthRow]
        /// The months newest first, as the table lists them.
        var newestFirst: [MonthRow]
        var toOptions: [BulletinPage.MonthOption]
        var countOptions: [MonthOption]
        var charts: [RateChart]
        var regions: [RegionTrend]
        var closed: Int
        var clearedMonths: Int
        var monthsWithoutNewObjection: Int
        var newObjections: Int
        /// The newest month whose deadlines have passed, if any is shown.
        var latestClosed: MonthRow?
        var builtAt: String
    }

    static let trendMonthsDefault = 12
    static let trendMonthsAllowed = 3...24
    /// A region's month is marked "many" from this late rate.
    static let trendManyLate = 0.05

    /// The last publication deadline of `month`'s decisions: until it has passed, decisions of
    /// the month may still arrive in time and its figures grow.
    func closesOn(_ month: CalendarMonth) -> CivilDate {
        var closesOn = month.last
        for kind in node.catalogue.kinds {
            guard let days = kind.publicationWorkingDays, let deadline = try? node.calendar.deadline(workingDays: days, after: month.last) else {
                continue
            }
            closesOn = max(closesOn, deadline.date)
        }
        return closesOn
    }

    /// The number of months a trend is asked for: 12 by default, 3 to 24.
    static func trendMonthCount(_ text: String?) throws -> Int {
        guard let text, !text.isEmpty else { return trendMonthsDefault }
        guard let n = Int(text), trendMonthsAllowed.contains(n) else {
            throw PortalPages.BadParameter(
                message:
                    "月数“\(Masking.maskResidentIDs(in: String(text.prefix(20))))”无法使用：请写 \(trendMonthsAllowed.lowerBound) 至 \(trendMonthsAllowed.upperBound) 之间的整数。"
            )
        }
        return n
    }

    /// The trend of the `count` months ending with `to` (`2026-11`, `2026年11月`; default the
    /// current month).
    func trend(reader: String, now: Date, to text: String?, months countText: String?) throws -> TrendPage {
        let today = ChinaTime.date(now)
        let latest = CalendarMonth(today)
        let to = try Self.bulletinMonth(text, today: today, otherwise: latest)
        let count = try Self.trendMonthCount(countText)
        let months = Array(sequence(first: to, next: \.previous).prefix(count).reversed())
        var opened: [CalendarMonth: Int] = [:]
        for change in try node.store.statusChanges(action: StatusAction.objectionOpened.rawValue) {
            let day = CivilDate.parse(change.date) ?? ChinaTime.date(PortalPages.instant(change.enteredAt))
            opened[CalendarMonth(day), default: 0] += 1
        }
        let allKinds = node.catalogue.kinds.map { KindColumn(slug: $0.slug, name: $0.name) }
        let areas = try node.childRegions()
        var rows: [TrendPage.MonthRow] = []
        var regionMonths: [[RegionRow]] = []
        var builtAt = Date.distantPast
        for month in months {
            let (figures, at) = try bulletinFigures(month, now: now)
            builtAt = max(builtAt, at)
            let rates = Self.total(figures, slug: month.iso, kind: month.chinese)
            let closes = closesOn(month)
            rows.append(Self.monthRow(month, rates: rates, newObjections: opened[month] ?? 0, closesOn: closes, open: today <= closes))
            regionMonths.append(try regionRows(figures.counts, kinds: allKinds, areas: areas))
        }
        let closed = rows.filter { !$0.open }
        return TrendPage(
            head: head(title: "四率走势", reader: reader, now: now), to: to.iso, toName: to.chinese, fromName: months[0].chinese,
            monthCount: count, months: rows, newestFirst: rows.reversed(),
            toOptions: Self.monthOptions(latest: latest, selected: to),
            countOptions: Set([6, 12, 24, count]).sorted().map { TrendPage.MonthOption(value: $0, selected: $0 == count) },
            charts: Self.rateCharts(rows), regions: Self.regionTrends(regionMonths, months: rows),
            closed: closed.count, clearedMonths: closed.filter(\.cleared).count,
            monthsWithoutNewObjection: closed.filter { $0.newObjections == 0 }.count, newObjections: rows.reduce(0) { $0 + $1.newObjections },
            latestClosed: closed.last, builtAt: PortalPages.readable(ChinaTime.timestamp(builtAt)))
    }

    /// A month's row: cleared when its deadlines have passed and it has decisions, none of them
    /// late, refused, corrected, missing or concealed.
    static func monthRow(_ month: CalendarMonth, rates: RatesRow, newObjections: Int, closesOn: CivilDate, open: Bool) -> TrendPage.MonthRow {
        var short: [String] = []
        if rates.late > 0 { short.append("迟报 \(rates.late) 条") }
        if rates.quarantined + rates.corrected > 0 { short.append("错误 \(rates.quarantined + rates.corrected) 条") }
        if rates.suspectedMissing > 0 { short.append("疑似漏报 \(rates.suspectedMissing) 个") }
        if rates.concealed > 0 { short.append("疑似瞒报 \(rates.concealed) 条") }
        let cleared = !open && rates.records > 0 && short.isEmpty
        let status = open ? "统计中" : cleared ? "四清零" : short.isEmpty ? "无决定报送" : "未清零"
        return TrendPage.MonthRow(
            month: month.iso, label: month.chinese, rates: rates, newObjections: newObjections, open: open, closesOn: closesOn.iso,
            cleared: cleared, status: status, shortOf: open || short.isEmpty ? nil : short.joined(separator: "，"))
    }

    /// The four rates' charts, in the order the page and the bulletin name them.
    static func rateCharts(_ rows: [TrendPage.MonthRow]) -> [TrendPage.RateChart] {
        let rates: [(String, String)] = [
            ("迟报率", "迟报 ÷ 决定"), ("错误率", "（未通过 + 更正）÷（决定 + 未通过）"), ("漏报率", "缺号 ÷（决定 + 缺号）"), ("瞒报率", "疑似瞒报 ÷ 决定"),
        ]
        let width = 360, height = 164, top = 20, baseline = 126
        let slot = width / max(rows.count, 1)
        let fractions = rows.map(\.rates.fractions)
        return rates.enumerated().map { which, rate in
            let (title, formula) = rate
            let values = fractions.map { $0[which] }
            let peak = max(values.compactMap { $0 }.max() ?? 0, 0.01)
            let bars = rows.enumerated().map { i, row -> TrendPage.RateChart.Bar in
                let value = values[i]
                let h = value.map { $0 == 0 ? 0 : max(2, Int((Double(baseline - top) * $0 / peak).rounded())) } ?? 0
                return TrendPage.RateChart.Bar(
                    x: i * slot + slot / 6, y: baseline - h, width: slot - slot / 3, height: h, centre: i * slot + slot / 2,
                    label: "\(Int(row.month.suffix(2)) ?? 0)月", year: i == 0 || row.month.hasSuffix("-01") ? String(row.month.prefix(4)) : nil,
                    name: row.label,
                    rate: value.map { String(format: "%.2f %%", $0 * 100) } ?? "无决定", short: value.map { String(format: "%.1f", $0 * 100) } ?? "",
                    zero: value == 0, open: row.open)
            }
            return TrendPage.RateChart(
                title: title, formula: formula, width: width, height: height, top: top, baseline: baseline,
                peak: String(format: "%.2f %%", peak * 100), labelY: baseline + 16, yearY: baseline + 30, bars: bars, labelled: rows.count <= 12,
                zeroMonths: zip(rows, values).filter { !$0.0.open && $0.1 == 0 }.count)
        }
    }

    /// Each region's late rate month by month (`regionMonths`: each month's region rows, in the
    /// same order of regions).
    static func regionTrends(_ regionMonths: [[RegionRow]], months: [TrendPage.MonthRow]) -> [TrendPage.RegionTrend] {
        // A region that had nothing in one month (this level's own row is listed only when it
        // has records) is found by its code in every other.
        var order: [String] = []
        var names: [String: String] = [:]
        for rows in regionMonths {
            for r in rows where names[r.code] == nil {
                order.append(r.code)
                names[r.code] = r.name
            }
        }
        return order.map { code in
            var closed = 0
            var withoutLate = 0
            let cells = zip(regionMonths, months).map { rows, month -> TrendPage.RegionTrend.Cell in
                guard let r = rows.first(where: { $0.code == code }), r.total > 0 else {
                    return .init(rate: "—", level: "none", title: "\(month.label)：没有决定报送")
                }
                if !month.open {
                    closed += 1
                    if r.late == 0 { withoutLate += 1 }
                }
                let share = Double(r.late) / Double(r.total)
                return .init(
                    rate: r.lateRate, level: r.late == 0 ? "zero" : share < trendManyLate ? "some" : "many",
                    title: "\(month.label)：决定 \(r.total) 条，迟报 \(r.late) 条\(month.open ? "（统计中）" : "")")
            }
            return TrendPage.RegionTrend(name: names[code] ?? code, cells: cells, closedMonths: closed, monthsWithoutLate: withoutLate)
        }
    }

    /// The trend as a table, a month a row, oldest first.
    func trendTable(_ page: TrendPage) -> (header: [String], rows: [[String]]) {
        let header = [
            "月份", "当月决定", "迟报", "迟报率", "校验未通过", "异议后更正", "错误率", "疑似漏报（文号缺号）", "漏报率", "疑似瞒报", "瞒报率", "新增异议", "四清零",
            "公示时限届满", "差距",
        ]
        let rows = page.months.map { m -> [String] in
            let r = m.rates
            return [
                m.month, String(r.records), String(r.late), r.lateRate, String(r.quarantined), String(r.corrected), r.errorRate,
                String(r.suspectedMissing), r.missingRate, String(r.concealed), r.concealedRate, String(m.newObjections), m.status, m.closesOn,
                m.shortOf ?? "",
            ]
        }
        return (header, rows)
    }
}

/// The four rates month by month for the command line (`credit-node rates`): the page's figures
/// as text, its JSON, and the months as CSV — what `/ops/trend` serves.
public struct TrendDocument: Sendable {
    public var to: String
    public var text: String
    public var json: Data
    public var csv: [UInt8]

    /// The `months` months (3 to 24; nil: 12) ending with `to` (nil: the current month) at `now`;
    /// a month or count that cannot be used throws `PortalPages.BadParameter`.
    public init(node: NodeContext, to: String?, months: String?, now: Date) throws {
        let pages = OperationsPages(node: node)
        let page = try pages.trend(reader: "命令行", now: now, to: to, months: months)
        let table = pages.trendTable(page)
        self.to = page.to
        csv = ListingCSV.table(header: table.header, rows: table.rows)
        json = try ReportFiles.json(page)
        var out = ["\(page.head.areaName) 四率走势：\(page.fromName)至\(page.toName)（按决定日期；数据读于 \(page.builtAt)）"]
        out.append(
            "已结束的 \(page.closed) 个月中 \(page.clearedMonths) 个月四清零，\(page.monthsWithoutNewObjection) 个月无新增异议；期间新增异议 \(page.newObjections) 件。")
        for m in page.months {
            let r = m.rates
            out.append(
                "  \(m.label)：决定 \(r.records) 条；迟报率 \(r.lateRate)；错误率 \(r.errorRate)；漏报率 \(r.missingRate)；瞒报率 \(r.concealedRate)；新增异议 \(m.newObjections)；\(m.status)"
                    + (m.shortOf.map { "（\($0)）" } ?? ""))
        }
        text = out.joined(separator: "\n")
    }
}
