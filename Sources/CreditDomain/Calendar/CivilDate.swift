/// A date on the Chinese civil calendar (no time, no zone): decision dates, deadlines.
public struct CivilDate: Hashable, Sendable, Comparable, Codable, CustomStringConvertible {
    public let year: Int
    public let month: Int
    public let day: Int

    /// Returns nil unless the date exists.
    public init?(year: Int, month: Int, day: Int) {
        guard (1...9999).contains(year), (1...12).contains(month), day >= 1,
            day <= CivilDate.daysIn(month: month, year: year)
        else { return nil }
        self.year = year
        self.month = month
        self.day = day
    }

    public init(dayNumber: Int) {
        // Days since 1970-01-01 to a civil date (Howard Hinnant's algorithm).
        let z = dayNumber + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let doe = z - era * 146_097
        let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146_096) / 365
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let d = doy - (153 * mp + 2) / 5 + 1
        let m = mp < 10 ? mp + 3 : mp - 9
        self.year = yoe + era * 400 + (m <= 2 ? 1 : 0)
        self.month = m
        self.day = d
    }

    static func daysIn(month: Int, year: Int) -> Int {
        switch month {
        case 2: (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 ? 29 : 28
        case 4, 6, 9, 11: 30
        default: 31
        }
    }

    /// Days since 1970-01-01.
    public var dayNumber: Int {
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yoe = y - era * 400
        let mp = (month + 9) % 12
        let doy = (153 * mp + 2) / 5 + day - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        return era * 146_097 + doe - 719_468
    }

    /// 1 = Monday … 7 = Sunday.
    public var isoWeekday: Int {
        let n = dayNumber
        return ((n % 7 + 7 + 3) % 7) + 1  // 1970-01-01 was a Thursday
    }

    public var isWeekend: Bool { isoWeekday >= 6 }

    public func adding(days: Int) -> CivilDate { CivilDate(dayNumber: dayNumber + days) }

    /// `2025-03-07`.
    public var iso: String {
        guard (1000...9999).contains(year) else {
            let m = month < 10 ? "0\(month)" : "\(month)"
            let d = day < 10 ? "0\(day)" : "\(day)"
            return "\(year)-\(m)-\(d)"
        }
        // Written in place: every stored record binds up to three dates.
        let (y, m, d) = (year, month, day)
        return String(unsafeUninitializedCapacity: 10) { out in
            out[0] = UInt8(0x30 + y / 1000)
            out[1] = UInt8(0x30 + y / 100 % 10)
            out[2] = UInt8(0x30 + y / 10 % 10)
            out[3] = UInt8(0x30 + y % 10)
            out[4] = UInt8(ascii: "-")
            out[5] = UInt8(0x30 + m / 10)
            out[6] = UInt8(0x30 + m % 10)
            out[7] = UInt8(ascii: "-")
            out[8] = UInt8(0x30 + d / 10)
            out[9] = UInt8(0x30 + d % 10)
            return 10
        }
    }

    public var description: String { iso }

    public static func < (lhs: CivilDate, rhs: CivilDate) -> Bool {
        (lhs.year, lhs.month, lhs.day) < (rhs.year, rhs.month, rhs.day)
    }

    /// Parses the forms departments export: `2025-03-07`, `2025/3/7`, `2025.3.7`, `20250307` and
    /// `2025年3月7日`. A time part after a space or `T` (`2025-03-07 00:00:00`) is ignored.
    public static func parse(_ raw: some StringProtocol) -> CivilDate? { parse(String(raw)) }

    /// The same for a `String`: concrete, so the fast path is compiled for its UTF-8 view (a
    /// received record's dates are parsed at every tier).
    public static func parse(_ raw: String) -> CivilDate? {
        // Fast path: YYYY-MM-DD, read as it goes (no buffer).
        if raw.utf8.count == 10 {
            var fields = (year: 0, month: 0, day: 0)
            var ok = true
            for (i, b) in raw.utf8.enumerated() {
                if i == 4 || i == 7 {
                    ok = ok && b == UInt8(ascii: "-")
                } else if isDigit(b) {
                    let v = Int(b) - 0x30
                    if i < 4 { fields.year = fields.year * 10 + v } else if i < 7 { fields.month = fields.month * 10 + v } else { fields.day = fields.day * 10 + v }
                } else {
                    ok = false
                }
            }
            if ok { return CivilDate(year: fields.year, month: fields.month, day: fields.day) }
        }
        var bytes = Array(raw.utf8)
        // Drop a trailing time part.
        if let cut = bytes.firstIndex(where: { $0 == UInt8(ascii: " ") || $0 == UInt8(ascii: "T") }) {
            bytes = Array(bytes[..<cut])
        }
        if bytes.count == 8, bytes.allSatisfy(isDigit) {
            let v = bytes.map { Int($0) - 0x30 }
            return CivilDate(
                year: v[0] * 1000 + v[1] * 100 + v[2] * 10 + v[3], month: v[4] * 10 + v[5], day: v[6] * 10 + v[7])
        }
        // Split into runs of digits; anything else is a separator, but only known separators.
        var numbers: [Int] = []
        var current = -1
        var digitsInRun = 0
        var separators: [String] = []
        var sep: [UInt8] = []
        for b in bytes {
            if isDigit(b) {
                if !sep.isEmpty {
                    separators.append(String(decoding: sep, as: UTF8.self))
                    sep = []
                }
                current = (current < 0 ? 0 : current) * 10 + Int(b) - 0x30
                digitsInRun += 1
                if digitsInRun > 4 { return nil }
            } else {
                if current >= 0 {
                    numbers.append(current)
                    current = -1
                    digitsInRun = 0
                }
                sep.append(b)
            }
        }
        if current >= 0 { numbers.append(current) }
        let trailing = String(decoding: sep, as: UTF8.self)
        guard numbers.count == 3 else { return nil }
        let ok: Bool
        switch separators {
        case ["-", "-"], ["/", "/"], [".", "."]: ok = trailing.isEmpty
        case ["年", "月"]: ok = trailing == "日"
        default: ok = false
        }
        guard ok, numbers[0] >= 1000 else { return nil }
        return CivilDate(year: numbers[0], month: numbers[1], day: numbers[2])
    }

    private static func isDigit(_ b: UInt8) -> Bool { b >= 0x30 && b <= 0x39 }

    public init(from decoder: any Decoder) throws {
        let text = try decoder.singleValueContainer().decode(String.self)
        guard let d = CivilDate.parse(text) else {
            throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath, debugDescription: "not a date: \(text)"))
        }
        self = d
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.singleValueContainer()
        try c.encode(iso)
    }
}
