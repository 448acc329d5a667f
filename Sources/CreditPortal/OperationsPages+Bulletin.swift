import CreditDomain
import CreditStore
import Foundation
import NodeRuntime
import Synchronization

/// A month's bulletin figures as last built, with what the store held then.
struct BulletinFigures: Sendable {
    var lines: [Bulletin.Line]
    var counts: [KindJurisdictionCount]
    var quarantined: [String: Int]
    var gapsAt: Date
}

/// The bulletins last built, per month: kept while the store has no newer change or refused row;
/// after one, a bulletin that was cheap to build (under `KeptFigures.inlineCostMax`: a village,
/// a county, the demo's province) is built again, a dear one (a province of a million records)
/// served while younger than fifty times its cost (`KeptFigures.keptFor`: 10 s to 5 minutes),
/// or an hour (`closedMonthSeconds`) when the month's deadlines had passed as it was built — such
/// a store changes every few seconds, an office's readers open the same month again and again,
/// and the trend (`/ops/trend`) reads twelve; only late arrivals and corrections still change a
/// closed month. The page says when its figures were read.
final class BulletinsKept: Sendable {
    struct Kept: Sendable {
        var version: [Int64]
        var at: Date
        var cost: TimeInterval
        /// Whether the month's last publication deadline had passed when these were built.
        var closed: Bool
        var figures: BulletinFigures

        /// Whether these serve a reader at `now` when the store is at `version`.
        func serve(version current: [Int64], now: Date) -> Bool {
            guard version != current else { return true }
            let keptFor = closed ? BulletinsKept.closedMonthSeconds : KeptFigures.keptFor(cost: cost)
            return cost >= KeptFigures.inlineCostMax && now >= at && now.timeIntervalSince(at) < keptFor
        }
    }
    /// How long a dear month whose deadlines had passed is kept while the store changes.
    static let closedMonthSeconds: TimeInterval = 3_600
    let value = Mutex<[CalendarMonth: Kept]>([:])
    /// At most this many months are kept; the oldest built goes first.
    static let monthsMax = 24
}

extension OperationsPages {
    /// `/ops/bulletin`: the regular bulletin (定期通报) of one month — each deciding authority's
    /// decisions of that month, and how many of them were late, corrected, missing from its
    /// numbers or withdrawn without an allowed reason — to praise, to name and to follow up.
    struct BulletinPage: Sendable, Encodable {
        struct MonthOption: Sendable, Encodable {
            var value: String
            var label: String
            var selected: Bool
        }
        struct AuthorityRow: Sendable, Encodable {
            var kind: String
            var authority: String
            var name: String?
            var decided: Int
            var late: Int
            var lateRate: String
            var corrected: Int
            var suspectedMissing: Int
            var concealed: Int
            /// What the office asks of it, in words (or 按时、完整).
            var remark: String
            /// How many months running, up to this one, it had something to follow up (0 when
            /// it has nothing this month; at most `bulletinStreakMonths`), in words from two.
            var streak: Int
            var streakText: String?
        }
        var head: Head
        /// `2026-11`, `2026年11月`.
        var month: String
        var monthName: String
        var months: [MonthOption]
        var previous: String?
        var next: String?
        /// The last publication deadline of the month's decisions; until it has passed the
        /// figures still grow as decisions arrive.
        var closesOn: String
        var open: Bool
        /// When the decision-number gaps behind the missing figures were computed, and when the
        /// figures were read.
        var gapsAsOf: String
        var builtAt: String
        var total: RatesRow
        /// Each rate against the month before (较上月), nil where either month had nothing to
        /// divide by.
        var change: RateChanges
        var kinds: [RatesRow]
        var kindColumns: [KindColumn]
        var regions: [RegionRow]
        /// Authorities with something to follow up, most first (at most `bulletinAuthoritiesShown`).
        var flagged: [AuthorityRow]
        var flaggedCount: Int
        /// Those flagged `bulletinStreakMonths` months running or more (nil for none).
        var persistentCount: Int?
        var flaggedMore: Bool
        /// Authorities whose every decision of the month arrived in time, uncorrected and without gaps.
        var clean: [AuthorityRow]
        var cleanCount: Int
        var cleanMore: Bool
    }

    struct RateChanges: Sendable, Encodable {
        var late: String?
        var error: String?
        var missing: String?
        var concealed: String?

        /// `now`'s rates against `before`'s, in percentage points.
        init(_ now: RatesRow, against before: RatesRow) {
            let words = zip(now.fractions, before.fractions).map { a, b -> String? in
                guard let a, let b else { return nil }
                let points = (a - b) * 100
                guard abs(points) >= 0.005 else { return "与上月持平" }
                return "较上月\(points > 0 ? "上升" : "下降") \(String(format: "%.2f", abs(points))) 个百分点"
            }
            (late, error, missing, concealed) = (words[0], words[1], words[2], words[3])
        }
    }

    /// The rates of authorities' `lines` with `refused` rows.
    static func rates(_ lines: [Bulletin.Line], refused: Int, slug: String = "", kind: String) -> RatesRow {
        RatesRow(
            slug: slug, kind: kind, records: lines.reduce(0) { $0 + $1.decided }, late: lines.reduce(0) { $0 + $1.late }, quarantined: refused,
            corrected: lines.reduce(0) { $0 + $1.corrected }, suspectedMissing: lines.reduce(0) { $0 + $1.suspectedMissing },
            concealed: lines.reduce(0) { $0 + $1.concealed })
    }

    /// A month's totals: every authority's line and every refused row.
    static func total(_ figures: BulletinFigures, slug: String = "", kind: String = "合计") -> RatesRow {
        rates(figures.lines, refused: figures.quarantined.values.reduce(0, +), slug: slug, kind: kind)
    }

    /// How many months a bulletin looks back for an authority flagged month after month (连续三个月).
    static let bulletinStreakMonths = 3

    /// The months running, up to 3, each authority (`kind authority`) flagged in `month` was
    /// flagged: `earlier` holds the flagged authorities of the months before, the nearest first.
    static func streaks(_ lines: [Bulletin.Line], earlier: [Set<String>]) -> [String: Int] {
        var out: [String: Int] = [:]
        for line in lines where line.flagged {
            let key = "\(line.kind) \(line.authority)"
            out[key] = 1 + (earlier.firstIndex { !$0.contains(key) } ?? earlier.count)
        }
        return out
    }

    static func streakWords(_ streak: Int) -> String? {
        streak < 2 ? nil : streak >= bulletinStreakMonths ? "连续 \(streak) 个月及以上需要整改" : "连续 \(streak) 个月需要整改"
    }

    /// How many authorities of each part the page lists (the CSV has them all).
    static let bulletinAuthoritiesShown = 200
    /// How many months back the form offers.
    static let bulletinMonthsOffered = 24

    /// A month form's choices: `latest` and the months before it, `selected` marked (the
    /// bulletin's and the feedback page's).
    static func monthOptions(latest: CalendarMonth, selected: CalendarMonth) -> [BulletinPage.MonthOption] {
        sequence(first: latest, next: \.previous).prefix(bulletinMonthsOffered).map {
            BulletinPage.MonthOption(value: $0.iso, label: $0.chinese, selected: $0 == selected)
        }
    }

    /// The month a bulletin is asked for: `month` as given, else the last whole month (or
    /// `otherwise`); a month not begun or not a month is refused with how to write one.
    static func bulletinMonth(_ text: String?, today: CivilDate, otherwise: CalendarMonth? = nil) throws -> CalendarMonth {
        guard let text, !text.isEmpty else { return otherwise ?? CalendarMonth(today).previous }
        guard let month = CalendarMonth(text) else {
            throw PortalPages.BadParameter(message: "月份“\(Masking.maskResidentIDs(in: String(text.prefix(20))))”无法识别：请写成 2026-11 或 2026年11月。")
        }
        guard month <= CalendarMonth(today) else { throw PortalPages.BadParameter(message: "\(month.chinese)尚未开始，没有可通报的决定。") }
        return month
    }

    /// `month`'s figures: as kept (`BulletinsKept`), or built now and kept.
    func bulletinFigures(_ month: CalendarMonth, now: Date) throws -> (figures: BulletinFigures, at: Date) {
        let version = [try node.store.newestChangeID(), try node.store.newestQuarantineID()]
        if let k = bulletins.value.withLock({ $0[month] }), k.serve(version: version, now: now) {
            return (k.figures, k.at)
        }
        let started = ContinuousClock.now
        let figures = try computeBulletin(month, now: now)
        let cost = started.duration(to: .now) / .seconds(1)
        bulletins.value.withLock { kept in
            kept[month] = BulletinsKept.Kept(
                version: version, at: now, cost: cost, closed: ChinaTime.date(now) > closesOn(month), figures: figures)
            while kept.count > BulletinsKept.monthsMax, let oldest = kept.min(by: { $0.value.at < $1.value.at })?.key { kept[oldest] = nil }
        }
        return (figures, now)
    }

    /// Each numbered kind's authority lines for `month`, with the month's decisions counted by
    /// kind and jurisdiction as the region rows want them, the rows refused at this node that
    /// month by kind, and when the decision-number gaps were computed (`QualityFigures.gaps`:
    /// shared with `/ops/quality`, kept while they are young; every number is read to find them).
    func computeBulletin(_ month: CalendarMonth, now: Date) throws -> BulletinFigures {
        let unexplained = try node.store.withdrawals().filter { w in
            guard node.catalogue.withdrawalIsUnexplained(w.reason) else { return false }
            let date = CivilDate.parse(w.date) ?? ChinaTime.date(PortalPages.instant(w.enteredAt))
            return month.contains(date)
        }
        let (gaps, gapsAt) = try QualityFigures.gaps(node, now: now)
        var lines: [Bulletin.Line] = []
        var counts: [KindJurisdictionCount] = []
        var quarantined: [String: Int] = [:]
        for kind in node.catalogue.kinds {
            guard node.resolvedKinds[kind.slug]?.decisionNumbering != nil else { continue }
            let tallies = try node.store.monthTallies(kind: kind.slug, month: month)
            // Only the numbers of authorities with gaps can end one.
            let kindGaps = gaps[kind.slug] ?? []
            let numbers = try node.store.monthDecisionNumbers(kind: kind.slug, month: month, authorities: Set(kindGaps.map(\.authority)))
                .compactMap { n in DecisionNumber(n.number).map { (authority: n.authority, number: $0) } }
            let concealedBy = unexplained.filter { $0.kind == kind.slug }.compactMap { w in
                w.recordKey.split(separator: "|").dropFirst().first.map(String.init)
            }
            lines += Bulletin.lines(
                kind: kind.slug, tallies: tallies, missing: Bulletin.missing(in: kindGaps, monthNumbers: numbers), concealedBy: concealedBy)
            counts += tallies.map {
                KindJurisdictionCount(kind: kind.slug, jurisdiction: $0.jurisdiction, records: $0.decided, late: $0.late, corrected: $0.corrected)
            }
            let refused = try node.store.quarantined(kind: kind.slug, in: month)
            if refused > 0 { quarantined[kind.slug] = refused }
        }
        return BulletinFigures(lines: lines, counts: counts, quarantined: quarantined, gapsAt: gapsAt)
    }

    func bulletin(reader: String, now: Date, month text: String?, shown: Int = bulletinAuthoritiesShown) throws -> BulletinPage {
        let today = ChinaTime.date(now)
        let month = try Self.bulletinMonth(text, today: today)
        let (kept, builtAt) = try bulletinFigures(month, now: now)
        let total = Self.total(kept)
        // The months before: the last one's rates to compare with, and who was flagged in each.
        let earlier = try sequence(first: month.previous, next: \.previous).prefix(Self.bulletinStreakMonths - 1).map {
            try bulletinFigures($0, now: now).figures
        }
        let before = Self.total(earlier[0])
        let streaks = Self.streaks(kept.lines, earlier: earlier.map { Set($0.lines.filter(\.flagged).map { "\($0.kind) \($0.authority)" }) })
        let (lines, counts, quarantined) = (kept.lines, kept.counts, kept.quarantined)
        let kindNames = Dictionary(uniqueKeysWithValues: node.catalogue.kinds.map { ($0.slug, $0.name) })
        let workingDays = Dictionary(uniqueKeysWithValues: node.catalogue.kinds.compactMap { k in k.publicationWorkingDays.map { (k.slug, $0) } })
        let closesOn = closesOn(month)
        let byKind = Dictionary(grouping: lines, by: \.kind)
        let kinds = node.catalogue.kinds.filter { byKind[$0.slug] != nil || quarantined[$0.slug] != nil }.map {
            Self.rates(byKind[$0.slug] ?? [], refused: quarantined[$0.slug] ?? 0, slug: $0.slug, kind: $0.name)
        }
        var names: [String: String] = [:]
        func row(_ line: Bulletin.Line) throws -> BulletinPage.AuthorityRow {
            let nameKey = "\(line.kind) \(line.authority)"
            if names[nameKey] == nil, let r = node.resolvedKinds[line.kind], let field = PublicRecord.authorityField(of: r) {
                names[nameKey] = try node.store.authorityName(kind: line.kind, code: line.authority, nameField: r.kind.fullCode(field)) ?? ""
            }
            var remark: [String] = []
            if line.late > 0 {
                remark.append("迟报 \(line.late) 条，请在决定后\(workingDays[line.kind].map { " \($0) 个工作日内" } ?? "公示时限内")报送")
            }
            if line.corrected > 0 { remark.append("\(line.corrected) 条经异议更正，请核对源头数据") }
            if line.suspectedMissing > 0 { remark.append("文号缺 \(line.suspectedMissing) 个，请说明或补报") }
            if line.concealed > 0 { remark.append("\(line.concealed) 条以目录未列明的理由撤销公示，请说明") }
            return BulletinPage.AuthorityRow(
                kind: kindNames[line.kind] ?? line.kind, authority: line.authority, name: names[nameKey].flatMap { $0.isEmpty ? nil : $0 },
                decided: line.decided, late: line.late, lateRate: Self.rate(line.late, of: line.decided), corrected: line.corrected,
                suspectedMissing: line.suspectedMissing, concealed: line.concealed, remark: remark.isEmpty ? "按时、完整" : remark.joined(separator: "；"),
                streak: streaks[nameKey] ?? 0, streakText: Self.streakWords(streaks[nameKey] ?? 0))
        }
        let flagged = lines.filter(\.flagged)
        let clean = lines.filter { !$0.flagged }.sorted { ($0.decided, $1.kind, $1.authority) > ($1.decided, $0.kind, $0.authority) }
        let kindColumns = node.catalogue.kinds.filter { k in counts.contains { $0.kind == k.slug } }.map { KindColumn(slug: $0.slug, name: $0.name) }
        let latest = CalendarMonth(today)
        return BulletinPage(
            head: head(title: "\(month.chinese)定期通报", reader: reader, now: now), month: month.iso, monthName: month.chinese,
            months: Self.monthOptions(latest: latest, selected: month),
            previous: month.previous.iso, next: month < latest ? month.next.iso : nil, closesOn: closesOn.iso, open: today <= closesOn,
            gapsAsOf: PortalPages.readable(ChinaTime.timestamp(kept.gapsAt)), builtAt: PortalPages.readable(ChinaTime.timestamp(builtAt)),
            total: total, change: RateChanges(total, against: before), kinds: kinds, kindColumns: kindColumns,
            regions: try regionRows(counts, kinds: kindColumns).map { r in
                var r = r
                r.lateLink = nil
                r.cells = r.cells.map { .init(count: $0.count, link: nil) }
                return r
            },
            flagged: try flagged.prefix(shown).map(row), flaggedCount: flagged.count,
            persistentCount: Optional(streaks.values.filter { $0 >= Self.bulletinStreakMonths }.count).flatMap { $0 == 0 ? nil : $0 },
            flaggedMore: flagged.count > shown,
            clean: try clean.prefix(shown).map(row), cleanCount: clean.count, cleanMore: clean.count > shown)
    }

    /// The bulletin as a table for the office's own documents: every authority, flagged first.
    func bulletinCSV(month text: String?, now: Date) throws -> (month: String, header: [String], rows: [[String]]) {
        bulletinTable(try bulletin(reader: "", now: now, month: text, shown: .max))
    }

    func bulletinTable(_ page: BulletinPage) -> (month: String, header: [String], rows: [[String]]) {
        let rows = (page.flagged + page.clean).map { a in
            [
                page.month, a.kind, a.name ?? "", a.authority, String(a.decided), String(a.late), a.lateRate, String(a.corrected),
                String(a.suspectedMissing),
                String(a.concealed), a.remark, a.streakText ?? "",
            ]
        }
        return (page.month, ["月份", "类别", "决定机关", "统一社会信用代码", "当月决定", "迟报", "迟报率", "异议后更正", "疑似漏报（文号缺号）", "疑似瞒报", "通报意见", "连续需要整改"], rows)
    }
}

/// The month's bulletin for the command line (`credit-node bulletin`): the page's figures as
/// text, its JSON, and the table of every authority as CSV — what `/ops/bulletin` serves.
public struct BulletinDocument: Sendable {
    public var month: String
    public var text: String
    public var json: Data
    public var csv: [UInt8]

    /// The bulletin of `month` (`2026-11`, `2026年11月`; nil: the last whole month) at `now`;
    /// a month that cannot be read or has not begun throws `PortalPages.BadParameter`.
    public init(node: NodeContext, month: String?, now: Date) throws {
        let pages = OperationsPages(node: node)
        let page = try pages.bulletin(reader: "命令行", now: now, month: month, shown: .max)
        let table = pages.bulletinTable(page)
        self.month = page.month
        csv = ListingCSV.table(header: table.header, rows: table.rows)
        json = try ReportFiles.json(page)
        let t = page.total
        var out = ["\(page.head.areaName) \(page.monthName)定期通报（按决定日期；数据读于 \(page.builtAt)）"]
        out.append(
            page.open
                ? "公示时限至 \(page.closesOn) 才全部届满：数字仍会增加，正式通报请在此后生成。" : "公示时限已于 \(page.closesOn) 全部届满。")
        out.append(
            "当月决定 \(t.records) 条；迟报 \(t.late)（\(t.lateRate)）；校验未通过 \(t.quarantined)、异议后更正 \(t.corrected)（错误率 \(t.errorRate)）；"
                + "疑似漏报 \(t.suspectedMissing)（\(t.missingRate)）；疑似瞒报 \(t.concealed)（\(t.concealedRate)）")
        let c = page.change
        let changes = zip(["迟报率", "错误率", "漏报率", "瞒报率"], [c.late, c.error, c.missing, c.concealed]).compactMap { name, words in
            words.map { "\(name)\($0)" }
        }
        if !changes.isEmpty { out.append("与上月比：" + changes.joined(separator: "；")) }
        for k in page.kinds {
            out.append("  \(k.kind)：\(k.records) 条，迟报率 \(k.lateRate)，错误率 \(k.errorRate)，疑似漏报 \(k.suspectedMissing)，疑似瞒报 \(k.concealed)")
        }
        out.append(
            "需要整改的决定机关：\(page.flaggedCount) 个"
                + (page.persistentCount.map { "，其中连续 \(OperationsPages.bulletinStreakMonths) 个月及以上的 \($0) 个" } ?? ""))
        for a in page.flagged {
            out.append("  \(a.kind) \(a.name ?? a.authority)（\(a.authority)）：当月 \(a.decided) 条；\(a.remark)\(a.streakText.map { "（\($0)）" } ?? "")")
        }
        out.append("按时、完整报送的决定机关：\(page.cleanCount) 个")
        text = out.joined(separator: "\n")
    }
}
