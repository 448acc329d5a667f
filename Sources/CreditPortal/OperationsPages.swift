import CreditDomain
import CreditStore
import Foundation
import NodeRuntime

/// The operators' pages' models (`/ops/`): what a credit office sees of its own area, from this
/// node's store. Each is what its template is given and what `?format=json` answers.
struct OperationsPages: Sendable {
    let node: NodeContext

    /// The top of every operator's page.
    struct Head: Sendable, Encodable {
        var title: String
        var areaName: String
        var code: String
        var tier: String
        /// Who is reading: the operator's name from the certificate, or the local caller.
        var reader: String
        var today: String
    }

    struct Totals: Sendable, Encodable {
        var records: Int
        var late: Int
        var corrected: Int
        var quarantined: Int
    }

    /// A child region (or this node's own level) with its records per kind, in the kinds' order.
    struct RegionRow: Sendable, Encodable {
        var code: String
        var name: String
        var cells: [Int]
        var total: Int
        var late: Int
        var corrected: Int
        var lateRate: String
    }

    struct KindColumn: Sendable, Encodable {
        var slug: String
        var name: String
    }

    struct AuthorityRow: Sendable, Encodable {
        var kind: String
        var authority: String
        var records: Int
        var late: Int
        var lateRate: String
    }

    /// A bar chart drawn by the server as SVG: one bar per day.
    struct Chart: Sendable, Encodable {
        struct Bar: Sendable, Encodable {
            var x: Int
            var y: Int
            var width: Int
            var height: Int
            var day: String
            var count: Int
        }
        struct Tick: Sendable, Encodable {
            var x: Int
            var label: String
        }
        var width: Int
        var height: Int
        var baseline: Int
        var max: Int
        var total: Int
        var bars: [Bar]
        var ticks: [Tick]
    }

    /// `/ops/`: collection in the node's area.
    struct CollectionPage: Sendable, Encodable {
        var head: Head
        var totals: Totals
        var kinds: [KindColumn]
        var regions: [RegionRow]
        var authorities: [AuthorityRow]
        var arrivals: Chart
        var days: Int
    }

    /// `/ops/quality`: the four rates as far as this node can tell them.
    struct QualityPage: Sendable, Encodable {
        struct KindRow: Sendable, Encodable {
            var kind: String
            var records: Int
            var late: Int
            var lateRate: String
            var quarantined: Int
            var corrected: Int
            var errorRate: String
            var suspectedMissing: Int
        }
        struct GapRow: Sendable, Encodable {
            var kind: String
            var authority: String
            var series: String
            var year: Int
            var first: Int
            var last: Int
            var reported: Int
            var missingCount: Int
            /// The first missing numbers, as the office would look them up.
            var missing: [String]
            var more: Bool
        }
        var head: Head
        var kinds: [KindRow]
        var regions: [RegionRow]
        var gaps: [GapRow]
        var missingRate: String
        var suspectedMissing: Int
    }

    /// `/ops/reconcile`: the form, and the report once a register was sent.
    struct ReconcilePage: Sendable, Encodable {
        struct KindOption: Sendable, Encodable {
            var slug: String
            var name: String
            var selected: Bool
        }
        var head: Head
        var authority: String
        var kinds: [KindOption]
        var report: Reconciliation.Report?
        /// How many of each, for the page's figures.
        var counts: Counts?
        /// Why the register was refused, to fix and send again.
        var error: String?

        struct Counts: Sendable, Encodable {
            var missing: Int
            var late: Int
            var different: Int
            var unregistered: Int
            var refused: Int
        }
    }

    func reconcile(reader: String, now: Date, authority: String = "", kind: String? = nil, report: Reconciliation.Report? = nil, error: String? = nil)
        -> ReconcilePage
    {
        let kinds = node.catalogue.kinds.filter { node.resolvedKinds[$0.slug]?.decisionNumbering != nil }.map {
            ReconcilePage.KindOption(slug: $0.slug, name: $0.name, selected: $0.slug == (kind ?? "penalty"))
        }
        return ReconcilePage(
            head: head(title: "核对部门台账", reader: reader, now: now), authority: Masking.maskResidentIDs(in: authority), kinds: kinds, report: report,
            counts: report.map {
                ReconcilePage.Counts(
                    missing: $0.missing.count, late: $0.late.count, different: $0.different.count, unregistered: $0.unregistered.count,
                    refused: $0.refused.count)
            }, error: error)
    }

    func head(title: String, reader: String, now: Date) -> Head {
        let c = node.configuration
        return Head(
            title: title, areaName: c.name ?? c.code.digits, code: c.code.digits, tier: "\(c.code.tier.chineseName)级节点", reader: reader,
            today: ChinaTime.date(now).iso)
    }

    /// Kinds in catalogue order, with what the store holds of them.
    func kindColumns(_ counts: [KindJurisdictionCount]) -> [KindColumn] {
        let held = Set(counts.map(\.kind))
        return node.catalogue.kinds.filter { held.contains($0.slug) }.map { KindColumn(slug: $0.slug, name: $0.name) }
    }

    /// Per child region — and this node's own level for records in none of them — records by
    /// kind, late and corrected.
    func regionRows(_ counts: [KindJurisdictionCount], kinds: [KindColumn]) -> [RegionRow] {
        let c = node.configuration
        let column = Dictionary(uniqueKeysWithValues: kinds.enumerated().map { ($1.slug, $0) })
        var rows = c.children.map {
            RegionRow(
                code: $0.digits, name: "\($0.tier.chineseName)级 \($0.digits)", cells: Array(repeating: 0, count: kinds.count), total: 0, late: 0,
                corrected: 0, lateRate: "")
        }
        var own = RegionRow(
            code: c.code.digits, name: "本级", cells: Array(repeating: 0, count: kinds.count), total: 0, late: 0, corrected: 0, lateRate: "")
        for count in counts {
            guard let k = column[count.kind] else { continue }
            let j = try? DivisionCode(count.jurisdiction)
            let i = j.flatMap { j in c.children.firstIndex { $0.contains(j) } }
            func add(_ row: inout RegionRow) {
                row.cells[k] += count.records
                row.total += count.records
                row.late += count.late
                row.corrected += count.corrected
            }
            if let i { add(&rows[i]) } else { add(&own) }
        }
        if own.total > 0 { rows.append(own) }
        return rows.map {
            var r = $0; r.lateRate = Self.rate(r.late, of: r.total); return r
        }
    }

    func collection(reader: String, now: Date, days: Int = 30) throws -> CollectionPage {
        let counts = try node.store.recordsByKindAndJurisdiction()
        let kinds = kindColumns(counts)
        let regions = regionRows(counts, kinds: kinds)
        let quarantined = try node.store.quarantinedByKind().values.reduce(0, +)
        var authorities: [AuthorityRow] = []
        for kind in kinds {
            guard let resolved = node.resolvedKinds[kind.slug], let field = PublicRecord.authorityField(of: resolved) else { continue }
            for a in try node.store.recordsByAuthority(kind: kind.slug, field: resolved.kind.fullCode(field)) {
                authorities.append(
                    AuthorityRow(
                        kind: kind.name, authority: a.authority.isEmpty ? "（未填）" : a.authority, records: a.records, late: a.late,
                        lateRate: Self.rate(a.late, of: a.records)))
            }
        }
        authorities.sort { ($0.records, $1.kind, $1.authority) > ($1.records, $0.kind, $0.authority) }
        let today = ChinaTime.date(now)
        let first = today.adding(days: -(days - 1))
        let arrivals = Dictionary(try node.store.arrivalsPerDay(since: first).map { ($0.day, $0.records) }, uniquingKeysWith: +)
        return CollectionPage(
            head: head(title: "数据归集", reader: reader, now: now),
            totals: Totals(
                records: counts.reduce(0) { $0 + $1.records }, late: counts.reduce(0) { $0 + $1.late },
                corrected: counts.reduce(0) { $0 + $1.corrected },
                quarantined: quarantined),
            kinds: kinds, regions: regions, authorities: Array(authorities.prefix(20)),
            arrivals: Self.chart((0..<days).map { first.adding(days: $0) }.map { ($0, arrivals[$0] ?? 0) }), days: days)
    }

    /// How many missing numbers a gap row lists.
    static let missingShown = 20

    func quality(reader: String, now: Date) throws -> QualityPage {
        let counts = try node.store.recordsByKindAndJurisdiction()
        let kinds = kindColumns(counts)
        let quarantined = try node.store.quarantinedByKind()
        var gaps: [QualityPage.GapRow] = []
        var rows: [QualityPage.KindRow] = []
        for kind in kinds {
            let of = counts.filter { $0.kind == kind.slug }
            let records = of.reduce(0) { $0 + $1.records }, late = of.reduce(0) { $0 + $1.late }, corrected = of.reduce(0) { $0 + $1.corrected }
            var suspected = 0
            if let resolved = node.resolvedKinds[kind.slug], let key = resolved.decisionNumbering {
                let numbers = try node.store.decisionNumbers(kind: kind.slug, authorityField: key.authority, numberField: key.number).compactMap {
                    n in
                    DecisionNumber(n.number).map { (authority: n.authority, number: $0) }
                }
                for gap in DecisionGap.find(numbers) {
                    suspected += gap.missing.count
                    gaps.append(
                        QualityPage.GapRow(
                            kind: kind.name, authority: gap.authority, series: gap.series, year: gap.year, first: gap.first, last: gap.last,
                            reported: gap.reported, missingCount: gap.missing.count,
                            missing: gap.missing.prefix(Self.missingShown).map { "\(gap.series)〔\(gap.year)〕\($0)号" },
                            more: gap.missing.count > Self.missingShown))
                }
            }
            let q = quarantined[kind.slug] ?? 0
            rows.append(
                QualityPage.KindRow(
                    kind: kind.name, records: records, late: late, lateRate: Self.rate(late, of: records), quarantined: q, corrected: corrected,
                    errorRate: Self.rate(q + corrected, of: records + q), suspectedMissing: suspected))
        }
        let suspected = rows.reduce(0) { $0 + $1.suspectedMissing }
        let total = rows.reduce(0) { $0 + $1.records }
        return QualityPage(
            head: head(title: "数据质量：四率", reader: reader, now: now), kinds: rows, regions: regionRows(counts, kinds: kinds),
            gaps: gaps, missingRate: Self.rate(suspected, of: total + suspected), suspectedMissing: suspected)
    }

    /// `12.34 %`, or `—` when there is nothing to divide.
    static func rate(_ part: Int, of whole: Int) -> String {
        whole == 0 ? "—" : String(format: "%.2f %%", Double(part) * 100 / Double(whole))
    }

    /// Days as bars, scaled to the busiest day; a tick every seventh day.
    static func chart(_ days: [(day: CivilDate, count: Int)]) -> Chart {
        let width = 720, height = 200, top = 10, baseline = 170, slot = width / max(days.count, 1)
        let peak = max(days.map(\.count).max() ?? 0, 1)
        var bars: [Chart.Bar] = []
        var ticks: [Chart.Tick] = []
        for (i, d) in days.enumerated() {
            let h = d.count == 0 ? 0 : max(1, (baseline - top) * d.count / peak)
            bars.append(Chart.Bar(x: i * slot + 2, y: baseline - h, width: slot - 4, height: h, day: d.day.iso, count: d.count))
            // A tick a week, counted back from the last day.
            if (days.count - 1 - i) % 7 == 0 { ticks.append(Chart.Tick(x: i * slot + slot / 2, label: String(d.day.iso.dropFirst(5)))) }
        }
        return Chart(width: width, height: height, baseline: baseline, max: peak, total: days.reduce(0) { $0 + $1.count }, bars: bars, ticks: ticks)
    }
}
