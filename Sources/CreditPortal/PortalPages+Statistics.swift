import CreditDomain
import CreditStore
import Foundation
import NodeRuntime

/// 公示统计: how many decisions of each kind with a publication deadline (双公示 and the other
/// administrative decisions) the area's departments have published here, in all, and how many
/// of them on time (within the kind's working days of the decision) — by kind, by region and, for
/// the 双公示 pair, by deciding authority. What the seeds ask of a 信用X site (seed 003 item 20:
/// 7 个工作日内上网公开，提高行政管理透明度; seed 002 (八): 公示信息的覆盖面、完整性和时效性), read from
/// the tallies the store keeps as records are written.
public struct StatisticsPage: Sendable, Encodable {
    public struct KindRow: Sendable, Encodable {
        public var kind: String
        public var name: String
        /// Published in all (in force or not: expired, repaired and withdrawn records count).
        public var records: Int
        /// Of them, within the publication deadline.
        public var onTime: Int
        public var onTimeRate: String
        /// The working days of the deadline.
        public var workingDays: Int
        public var link: String?
    }

    public struct Cell: Sendable, Encodable {
        public var count: Int
        /// The kind's listing for the region.
        public var link: String?
    }

    public struct RegionRow: Sendable, Encodable {
        public var code: String
        public var name: String
        public var cells: [Cell]
        public var records: Int
        public var onTimeRate: String
    }

    public struct AuthorityRow: Sendable, Encodable {
        public var kind: String
        public var authority: String
        public var records: Int
        public var onTimeRate: String
        /// The kind's listing of that authority's decisions.
        public var link: String?
    }

    public var site: Site
    public var title: String
    public var kinds: [KindRow]
    public var total: KindRow
    public var regions: [RegionRow]
    public var hasRegions: Bool
    public var authorities: [AuthorityRow]
    public var hasAuthorities: Bool
}

extension PortalPages {
    static let statisticsPath = "/statistics"
    /// Authorities listed per kind of the 双公示 pair.
    static let statisticsAuthoritiesMax = 20

    /// `/statistics`, as computed at most a minute ago (`statisticsKept`).
    public func statistics(today: CivilDate, now: Date) throws -> StatisticsPage {
        try statisticsKept.value(today: today.iso, now: now) { try statistics() }
    }

    /// `/statistics`, from the store now.
    func statistics() throws -> StatisticsPage {
        let counts = try node.store.recordsByKindAndJurisdiction(corrected: false)
        // The kinds the public sees that have a publication deadline, in catalogue order.
        let decided: [(kind: ResolvedKind, days: Int)] = publicKinds.compactMap { slug in
            kinds[slug].flatMap { k in k.kind.publicationWorkingDays.map { (k, $0) } }
        }
        let column = Dictionary(uniqueKeysWithValues: decided.enumerated().map { ($1.kind.slug, $0) })
        var records = Array(repeating: 0, count: decided.count)
        var late = Array(repeating: 0, count: decided.count)
        let areas = try node.childRegions()
        var regionCells = Array(repeating: Array(repeating: 0, count: decided.count), count: areas.children.count)
        var regionLate = Array(repeating: 0, count: areas.children.count)
        var ownCells = Array(repeating: 0, count: decided.count)
        var ownLate = 0
        for count in counts {
            guard let k = column[count.kind] else { continue }
            records[k] += count.records
            late[k] += count.late
            if let i = areas.index(of: count.jurisdiction) {
                regionCells[i][k] += count.records
                regionLate[i] += count.late
            } else {
                ownCells[k] += count.records
                ownLate += count.late
            }
        }
        let rows = decided.enumerated().map { i, k in
            StatisticsPage.KindRow(
                kind: k.kind.slug, name: k.kind.name, records: records[i], onTime: records[i] - late[i],
                onTimeRate: OperationsPages.rate(records[i] - late[i], of: records[i]), workingDays: k.days, link: listingLink(k.kind.slug))
        }
        let all = records.reduce(0, +)
        let allLate = late.reduce(0, +)
        func regionRow(code: String, name: String, cells: [Int], late: Int, region: String?) -> StatisticsPage.RegionRow {
            let total = cells.reduce(0, +)
            return StatisticsPage.RegionRow(
                code: code, name: name,
                cells: zip(decided, cells).map { k, n in
                    StatisticsPage.Cell(count: n, link: region.flatMap { r in listingLink(k.kind.slug).map { "\($0)?region=\(r)" } })
                }, records: total, onTimeRate: OperationsPages.rate(total - late, of: total))
        }
        var regions = areas.children.enumerated().map { i, child in
            regionRow(code: child.digits, name: areas.name(of: child), cells: regionCells[i], late: regionLate[i], region: child.digits)
        }
        // A node without children (a village) has no regions to compare: its figures are the kinds'.
        if !areas.children.isEmpty, ownCells.contains(where: { $0 > 0 }) {
            regions.append(regionRow(code: areas.own.digits, name: "本级", cells: ownCells, late: ownLate, region: nil))
        }
        var authorities: [StatisticsPage.AuthorityRow] = []
        for slug in ["penalty", "license"] {
            guard let kind = decided.first(where: { $0.kind.slug == slug })?.kind, let field = PublicRecord.authorityField(of: kind) else { continue }
            let listing = listingLink(slug)
            for a in try node.store.recordsByAuthority(kind: slug, nameField: kind.kind.fullCode(field), limit: Self.statisticsAuthoritiesMax) {
                let named = !a.authority.isEmpty && a.authority != a.code && a.authority.count <= 100
                authorities.append(
                    StatisticsPage.AuthorityRow(
                        kind: kind.name, authority: a.authority.isEmpty ? "（未填）" : Masking.maskResidentIDs(in: a.authority), records: a.records,
                        onTimeRate: OperationsPages.rate(a.records - a.late, of: a.records),
                        link: named ? listing.map { "\($0)?authority=" + Self.escapePath(a.authority) } : nil))
            }
        }
        return StatisticsPage(
            site: site(), title: "公示统计", kinds: rows,
            total: StatisticsPage.KindRow(
                kind: "", name: "合计", records: all, onTime: all - allLate, onTimeRate: OperationsPages.rate(all - allLate, of: all),
                workingDays: 0, link: nil),
            regions: regions, hasRegions: !regions.isEmpty, authorities: authorities, hasAuthorities: !authorities.isEmpty)
    }
}
