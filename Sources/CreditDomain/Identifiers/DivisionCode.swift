/// A 12-digit statistical division code (统计用区划代码), zero-padded below its tier: the identity
/// of a node and the jurisdiction of a record.
///
/// Six-digit GB/T 2260 codes are accepted and padded. Prefecture `90` groups county-level units
/// directly under a province (仙桃 429004): they have no city ancestor.
public struct DivisionCode: Hashable, Sendable, Comparable, Codable, CustomStringConvertible {
    /// The twelve ASCII digits.
    public let digits: String

    /// Parses a 6- or 12-digit code and checks that it is a well-formed hierarchy.
    public init(_ text: String) throws(IdentifierError) {
        let trimmed = text.trimmingFieldWhitespace()
        let utf8 = Array(trimmed.utf8)
        guard utf8.count == 6 || utf8.count == 12 else {
            throw IdentifierError(.length, "a division code has 6 or 12 digits, got \(utf8.count) characters")
        }
        guard utf8.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }) else {
            throw IdentifierError(.alphabet, "a division code has digits only")
        }
        let full = utf8.count == 6 ? trimmed + "000000" : trimmed
        let d = Array(full.utf8).map { Int($0 - 0x30) }
        let province = d[0] * 10 + d[1]
        guard (11...82).contains(province) else {
            throw IdentifierError(.province, "province part \(full.prefix(2)) is not a province code (11–82)")
        }
        // Below the first all-zero part everything must be zero too.
        let parts: [(name: String, range: Range<Int>)] = [
            ("city", 2..<4), ("county", 4..<6), ("township", 6..<9), ("village", 9..<12),
        ]
        var zeroSeen: String?
        for part in parts {
            let isZero = d[part.range].allSatisfy { $0 == 0 }
            if isZero {
                if zeroSeen == nil { zeroSeen = part.name }
            } else if let above = zeroSeen {
                throw IdentifierError(
                    .hierarchy, "\(full) has a \(part.name) part but its \(above) part is zero; pad with zeros below the tier")
            }
        }
        self.digits = full
    }

    private init(unchecked digits: String) { self.digits = digits }

    public var description: String { digits }

    public var tier: Tier {
        let d = Array(digits.utf8)
        func zero(_ r: Range<Int>) -> Bool { d[r].allSatisfy { $0 == 0x30 } }
        if zero(2..<12) { return .province }
        if zero(4..<12) { return .city }
        if zero(6..<12) { return .county }
        if zero(9..<12) { return .township }
        return .village
    }

    /// True for county-level units grouped under prefecture `90` (directly under the province).
    public var isProvinceAdministered: Bool {
        tier >= .county && digits.utf8.dropFirst(2).prefix(2).elementsEqual("90".utf8)
    }

    /// The code truncated to a higher tier and zero-padded.
    public func truncated(to tier: Tier) -> DivisionCode? {
        guard tier <= self.tier else { return nil }
        let keep = digits.prefix(tier.significantDigits)
        return DivisionCode(unchecked: keep + String(repeating: "0", count: 12 - keep.count))
    }

    /// Every higher-tier code above this one, from the province down, skipping the city of a
    /// province-administered county.
    public var ancestors: [DivisionCode] {
        Tier.allCases.filter { $0 < tier }.compactMap { t in
            if t == .city && isProvinceAdministered { return nil }
            return truncated(to: t)
        }
    }

    /// The nearest ancestor by truncation (the topology may declare otherwise).
    public var parent: DivisionCode? { ancestors.last }

    /// Whether `other` lies inside this code's area (a code contains itself).
    public func contains(_ other: DivisionCode) -> Bool {
        let n = tier.significantDigits
        return other.digits.utf8.prefix(n).elementsEqual(digits.utf8.prefix(n))
    }

    /// The digits every code in this code's area begins with (its tier's significant digits):
    /// what the stores' area queries compare jurisdictions with.
    public var areaPrefix: String { String(digits.prefix(tier.significantDigits)) }

    /// The six-digit county-level prefix (GB/T 2260).
    public var countyPrefix: String { String(digits.prefix(6)) }

    public static func < (lhs: DivisionCode, rhs: DivisionCode) -> Bool { lhs.digits < rhs.digits }

    public init(from decoder: any Decoder) throws {
        let text = try decoder.singleValueContainer().decode(String.self)
        do { self = try DivisionCode(text) } catch {
            throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath, debugDescription: error.message))
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.singleValueContainer()
        try c.encode(digits)
    }
}

extension String {
    /// Trims spaces, tabs and line breaks, including the ideographic space U+3000 and a stray
    /// BOM that spreadsheets exported by Chinese office suites often carry. Works on bytes:
    /// character comparison would normalise every Chinese character it meets.
    package func trimmingFieldWhitespace() -> String {
        // Most fields have nothing to trim: look at the ends before touching the bytes.
        guard let first = utf8.first, let last = utf8.last else { return self }
        let edgeBytes: (UInt8) -> Bool = {
            $0 == 0x20 || $0 == 0x09 || $0 == 0x0A || $0 == 0x0D || $0 == 0xE3 || $0 == 0xEF || $0 == 0x80 || $0 == 0xBF
        }
        if !edgeBytes(first) && !edgeBytes(last) { return self }
        var copy = self
        return copy.withUTF8 { p -> String in
            var start = 0
            var end = p.count
            func spaceLength(at i: Int) -> Int {
                let b = p[i]
                if b == 0x20 || b == 0x09 || b == 0x0A || b == 0x0D { return 1 }
                if b == 0xE3, i + 2 < p.count, p[i + 1] == 0x80, p[i + 2] == 0x80 { return 3 }  // U+3000
                if b == 0xEF, i + 2 < p.count, p[i + 1] == 0xBB, p[i + 2] == 0xBF { return 3 }  // U+FEFF
                return 0
            }
            while start < end {
                let n = spaceLength(at: start)
                if n == 0 { break }
                start += n
            }
            while start < end {
                let b = p[end - 1]
                if b == 0x20 || b == 0x09 || b == 0x0A || b == 0x0D {
                    end -= 1
                } else if end - start >= 3,
                    (p[end - 3] == 0xE3 && p[end - 2] == 0x80 && b == 0x80) || (p[end - 3] == 0xEF && p[end - 2] == 0xBB && b == 0xBF)
                {
                    end -= 3
                } else {
                    break
                }
            }
            if start == 0 && end == p.count { return self }
            return String(decoding: UnsafeBufferPointer(rebasing: p[start..<end]), as: UTF8.self)
        }
    }

    /// Full-width ASCII forms (U+FF01–U+FF5E, as Chinese input methods type `９`, `Ａ`, `－`) and the
    /// ideographic space turned into ASCII. Used on structured fields (codes, dates, amounts,
    /// enumerations), never on free text.
    package func halfWidth() -> String {
        // Full-width forms are encoded EF BC xx / EF BD xx, the ideographic space E3 80 80.
        guard utf8.contains(where: { $0 == 0xEF || $0 == 0xE3 }) else { return self }
        var out = String.UnicodeScalarView()
        for u in unicodeScalars {
            if (0xFF01...0xFF5E).contains(u.value), let ascii = Unicode.Scalar(u.value - 0xFEE0) {
                out.append(ascii)
            } else if u.value == 0x3000 {
                out.append(" ")
            } else {
                out.append(u)
            }
        }
        return String(out).trimmingFieldWhitespace()
    }

    /// Byte-for-byte equality, without Unicode normalisation: catalogue values are matched exactly.
    package func bytesEqual(_ other: String) -> Bool {
        utf8.count == other.utf8.count && utf8.elementsEqual(other.utf8)
    }
}
