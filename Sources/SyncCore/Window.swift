import CreditDomain

/// The upward windows and the at-risk rule, written here and nowhere else. A change must reach
/// the parent within its hop's window — 72 hours, 48 into the province (DOMAIN.md §4; a
/// configuration or topology may set another) — and is *at risk* once it has waited two thirds of
/// it, *breached* past it. The push schedule plans inside the window, `status` and `/metrics`
/// count changes by these states, and the simulator reports windows met and breached by them.
public enum Window {
    /// Hours of a hop into a parent below the province.
    public static let defaultHours = 72
    /// Hours of a hop into the province.
    public static let intoProvinceHours = 48

    /// The window of the hop into a parent of `tier` (nil: no parent; the default applies).
    public static func hours(intoParentOf tier: Tier?) -> Int { tier == .province ? intoProvinceHours : defaultHours }

    /// Where a pending change stands against its window.
    public enum Standing: String, Sendable, Hashable, Codable {
        case met
        case atRisk = "at-risk"
        case breached
    }

    /// After how long a pending change is at risk: two thirds of the window.
    public static func atRiskAfter(_ window: Int64) -> Int64 { window * 2 / 3 }

    /// A change that has waited `waited` against a window of `window` (the same unit).
    public static func standing(waited: Int64, window: Int64) -> Standing {
        if waited > window { return .breached }
        return waited >= atRiskAfter(window) ? .atRisk : .met
    }
}
