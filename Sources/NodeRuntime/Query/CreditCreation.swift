import CreditDomain
import CreditStore
import Foundation

/// 三信创建 (seed 004 item 3: 信用户、信用村、信用镇创建): for one 积分年度, each child region's
/// households rated by the village credit points (the catalogue's `points` kind, 个人信用积分),
/// how many of them are 信用户 and at which level, their average points, and the subjects of the
/// region on a list in force (严重失信主体名单, 红名单) — what a township weighs when it proposes a
/// 信用村, and a county a 信用镇. Figures only, no individual: points are disclosed to nobody
/// without the subject's authorisation. What `/ops/creation` shows.
public struct CreditCreation: Sendable, Encodable {
    /// The catalogue kind and the fields this reads: 积分年度, 信用积分, 信用户等级.
    public static let kind = "points"
    static let fields = ["JFND", "JFZ", "JFDJ"]

    public struct Figures: Sendable, Encodable {
        public var code: String
        public var name: String
        /// Households (subjects) rated in the year, and those rated a 信用户 of any level.
        public var households = 0
        public var creditHouseholds = 0
        /// Per level, in `CreditCreation.levels`' order.
        public var levels: [Int]
        /// Entries in force on the lists with sanctions and with rewards.
        public var sanctioned = 0
        public var honoured = 0
        /// The share of rated subjects that are 信用户, and their average points; nil while none is rated.
        public var creditShare: String?
        public var averagePoints: String?
        var points = 0

        init(code: String, name: String, levels: Int) {
            self.code = code
            self.name = name
            self.levels = Array(repeating: 0, count: levels)
        }

        enum CodingKeys: String, CodingKey {
            case code, name, households, creditHouseholds, levels, sanctioned, honoured, creditShare, averagePoints
        }

        func finished() -> Figures {
            var done = self
            if households > 0 {
                done.creditShare = String(format: "%.1f %%", Double(creditHouseholds) * 100 / Double(households))
                done.averagePoints = String(format: "%.1f", Double(points) / Double(households))
            }
            return done
        }
    }

    public var year: Int
    /// The years rated in the area, newest first.
    public var years: [Int]
    /// The 信用户 levels found, the highest first (五星信用户, 四星信用户, 三星信用户, 信用户).
    public var levels: [String]
    public var total: Figures
    /// The child regions in the configuration's order, this node's own level last when it has any.
    public var regions: [Figures]

    /// A level's rank: the stars it names, so that 五星 comes before 四星 and a plain 信用户 last.
    static func rank(_ level: String) -> Int {
        for (i, star) in ["五星", "四星", "三星", "二星", "一星"].enumerated() where level.contains(star) { return 5 - i }
        return 0
    }

    /// The year asked for (the newest rated when nil) in `node`'s area on `today`; nil when the
    /// catalogue has no `points` kind with the fields this reads.
    public static func compute(_ node: NodeContext, year asked: Int?, today: CivilDate) throws -> CreditCreation? {
        guard let kind = node.resolvedKinds[Self.kind], Self.fields.allSatisfy({ kind.index[$0] != nil }) else { return nil }
        let c = node.configuration
        let areas = try node.childRegions()
        let prefix = c.code.areaPrefix
        // Every rating of the area, newest first: decision date, subject, jurisdiction, then the fields.
        let rows = try node.store.fieldValues(
            kind: kind.slug, from: "0000-01-01", until: "9999-12-31", areaPrefix: prefix, fields: Self.fields.map(kind.kind.fullCode))
        let years = Set(rows.compactMap { Int($0[3]) }).sorted(by: >)
        let year = asked ?? years.first ?? today.year
        // A household rated more than once in the year counts once, by its newest rating.
        var seen: Set<String> = []
        let chosen = rows.filter { Int($0[3]) == year && seen.insert($0[1]).inserted }
        let levels = Set(chosen.map { $0[5] }.filter { !$0.isEmpty }).sorted { (rank($0), $1) > (rank($1), $0) }
        let position = Dictionary(uniqueKeysWithValues: levels.enumerated().map { ($1, $0) })
        var total = Figures(code: c.code.digits, name: c.name ?? c.code.digits, levels: levels.count)
        var regions: [String: Figures] = [:]
        func count(_ region: (code: String, name: String), _ change: (inout Figures) -> Void) {
            change(&total)
            change(&regions[region.code, default: Figures(code: region.code, name: region.name, levels: levels.count)])
        }
        for row in chosen {
            let level = row[5]
            count(areas.region(of: row[2])) { f in
                f.households += 1
                f.points += Int(row[4]) ?? 0
                if let at = position[level] {
                    f.creditHouseholds += 1
                    f.levels[at] += 1
                }
            }
        }
        for (list, listing) in node.listKinds {
            for one in try node.listedInForce(list, today: today, fields: []) {
                count(areas.region(of: one.jurisdiction)) { f in if listing.effect == "sanction" { f.sanctioned += 1 } else { f.honoured += 1 } }
            }
        }
        var regionRows = areas.children.map { regions[$0.digits] ?? Figures(code: $0.digits, name: areas.name(of: $0), levels: levels.count) }
        if let own = regions[c.code.digits] { regionRows.append(own) }
        return CreditCreation(year: year, years: years, levels: levels, total: total.finished(), regions: regionRows.map { $0.finished() })
    }
}
