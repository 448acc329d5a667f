import Foundation

/// Dates and times as Chinese platforms count them: China Standard Time, UTC+8, no daylight saving.
public enum ChinaTime {
    public static let offsetSeconds = 8 * 3600

    /// The civil date in China at `instant`.
    public static func date(_ instant: Date) -> CivilDate {
        let seconds = Int(instant.timeIntervalSince1970.rounded(.down)) + offsetSeconds
        return CivilDate(dayNumber: seconds >= 0 ? seconds / 86_400 : (seconds - 86_399) / 86_400)
    }

    /// Milliseconds since 1970 (UTC).
    public static func milliseconds(_ instant: Date) -> Int64 { Int64((instant.timeIntervalSince1970 * 1000).rounded(.down)) }

    /// Milliseconds since 1970 (UTC) at midnight in China starting `day`.
    public static func milliseconds(startOf day: CivilDate) -> Int64 { (Int64(day.dayNumber) * 86_400 - Int64(offsetSeconds)) * 1000 }

    /// `2026-11-21T09:30:00+08:00`.
    public static func timestamp(_ instant: Date) -> String {
        let s = Int(instant.timeIntervalSince1970.rounded(.down)) + offsetSeconds
        let day = CivilDate(dayNumber: s >= 0 ? s / 86_400 : (s - 86_399) / 86_400)
        let r = ((s % 86_400) + 86_400) % 86_400
        func two(_ v: Int) -> String { v < 10 ? "0\(v)" : "\(v)" }
        return "\(day.iso)T\(two(r / 3600)):\(two(r / 60 % 60)):\(two(r % 60))+08:00"
    }
}
