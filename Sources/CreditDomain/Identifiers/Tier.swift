/// The five levels of government a node can serve, from the top.
public enum Tier: Int, Sendable, Hashable, CaseIterable, Comparable, Codable, CustomStringConvertible {
    case province = 1
    case city = 2
    case county = 3
    case township = 4
    case village = 5

    /// How many leading digits of a 12-digit code are significant at this tier.
    public var significantDigits: Int {
        switch self {
        case .province: 2
        case .city: 4
        case .county: 6
        case .township: 9
        case .village: 12
        }
    }

    public var name: String {
        switch self {
        case .province: "province"
        case .city: "city"
        case .county: "county"
        case .township: "township"
        case .village: "village"
        }
    }

    public var chineseName: String {
        switch self {
        case .province: "省"
        case .city: "市"
        case .county: "县"
        case .township: "乡镇"
        case .village: "村"
        }
    }

    public var description: String { name }

    public static func < (lhs: Tier, rhs: Tier) -> Bool { lhs.rawValue < rhs.rawValue }
}
