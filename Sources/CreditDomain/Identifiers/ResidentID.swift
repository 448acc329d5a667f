/// A resident identity number (公民身份号码, GB 11643-1999). Personal data: it is never logged
/// and is masked in public views (`110105********002X`).
public struct ResidentID: Hashable, Sendable {
    public let text: String

    static let weights = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
    static let checks: [UInt8] = Array("10X98765432".utf8)

    /// Validates an 18-character number; a lowercase `x` is accepted and stored uppercase. With
    /// `today`, a birth date after it is refused. Error messages never repeat the number.
    public init(_ raw: String, today: CivilDate? = nil) throws(IdentifierError) {
        var text = raw.trimmingFieldWhitespace()
        if text.utf8.last == UInt8(ascii: "x") { text = text.uppercased() }
        let c = Array(text.utf8)
        guard c.count == 18 else {
            throw IdentifierError(
                .length,
                c.count == 15
                    ? "a resident ID number has 18 characters; 15-character numbers must be converted first"
                    : "a resident ID number has 18 characters, got \(text.count)")
        }
        guard c[0..<17].allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }),
            (c[17] >= 0x30 && c[17] <= 0x39) || c[17] == UInt8(ascii: "X")
        else {
            throw IdentifierError(.alphabet, "a resident ID number has 17 digits and a digit or X as its check character")
        }
        let province = Int(c[0] - 0x30) * 10 + Int(c[1] - 0x30)
        guard (11...82).contains(province) else {
            throw IdentifierError(.addressCode, "characters 1–2 are not a province code (11–82)")
        }
        let digits = c.map { Int($0) - 0x30 }
        let year = digits[6] * 1000 + digits[7] * 100 + digits[8] * 10 + digits[9]
        let month = digits[10] * 10 + digits[11]
        let day = digits[12] * 10 + digits[13]
        guard year >= 1800, let birth = CivilDate(year: year, month: month, day: day), birth.year == year else {
            throw IdentifierError(.birthDate, "characters 7–14 are not a valid birth date")
        }
        if let today, birth > today {
            throw IdentifierError(.birthDate, "characters 7–14 are a birth date after today; nobody is born in the future")
        }
        var sum = 0
        for i in 0..<17 { sum += digits[i] * Self.weights[i] }
        let expected = Self.checks[sum % 11]
        guard c[17] == expected else {
            throw IdentifierError(.checkCharacter, "character 18 (the check character) is wrong")
        }
        self.text = text
    }

    /// The check character for 17 digits.
    public static func checkCharacter(_ first17: [UInt8]) -> UInt8 {
        var sum = 0
        for i in 0..<17 { sum += Int(first17[i] - 0x30) * weights[i] }
        return checks[sum % 11]
    }

    public var birthDate: CivilDate {
        let d = Array(text.utf8).map { Int($0) - 0x30 }
        return CivilDate(year: d[6] * 1000 + d[7] * 100 + d[8] * 10 + d[9], month: d[10] * 10 + d[11], day: d[12] * 10 + d[13])!
    }

    public var isMale: Bool { (Int(Array(text.utf8)[16]) - 0x30) % 2 == 1 }

    /// The number as public views show it: `110105********002X`.
    public var masked: String { Masking.mask(text) }
}

/// Masking of personal identifiers for public views.
public enum Masking {
    /// Keeps the first 6 and last 4 characters of an 18-character number and replaces the rest
    /// with `*`; shorter identifiers (passports, permits) keep proportionally less.
    public static func mask(_ text: String) -> String {
        let chars = Array(text)
        let n = chars.count
        guard n > 2 else { return String(repeating: "*", count: n) }
        let head = n >= 18 ? 6 : n / 4
        let tail = n >= 18 ? 4 : max(1, n / 4)
        return String(chars[0..<head]) + String(repeating: "*", count: n - head - tail) + String(chars[(n - tail)...])
    }
}

extension Masking {
    /// A code or text as a page or report shows it: a resident ID number masked whole, a unified
    /// social credit code whole (an organisation's code is public, even one of 18 digits, which
    /// free text's rule would mask), any ID number written inside other text masked where it stands.
    public static func shown(_ text: String) -> String {
        if (try? ResidentID(text)) != nil { return mask(text) }
        if (try? SocialCreditCode(text)) != nil { return text }
        return maskResidentIDs(in: text)
    }

    /// Masks every run of 17 digits and a digit or X that stands alone in `text`: resident ID
    /// numbers written inside free text (`身份证号420102199001011234的`, a quarantined row's raw
    /// text, 违法事实). "Alone" means no ASCII letter or digit touches it: Chinese characters, like
    /// punctuation, end a number.
    public static func maskResidentIDs(in text: String) -> String {
        // Most text holds no run of 17 digits: leave it as it is.
        var run = 0
        guard
            text.utf8.contains(where: { b in
                run = (b >= 0x30 && b <= 0x39) ? run + 1 : 0
                return run >= 17
            })
        else { return text }
        var scalars = Array(text.unicodeScalars)
        func isAlnum(_ u: Unicode.Scalar) -> Bool { u.isASCII && (("0"..."9").contains(u) || ("A"..."Z").contains(u) || ("a"..."z").contains(u)) }
        var i = 0
        while i + 18 <= scalars.count {
            let window = scalars[i..<(i + 18)]
            let digitsOK = window.prefix(17).allSatisfy { ("0"..."9").contains($0) }
            let last = window.last!
            let boundaryBefore = i == 0 || !isAlnum(scalars[i - 1])
            let boundaryAfter = i + 18 == scalars.count || !isAlnum(scalars[i + 18])
            if digitsOK && (("0"..."9").contains(last) || last == "X" || last == "x") && boundaryBefore && boundaryAfter {
                for k in (i + 6)..<(i + 14) { scalars[k] = "*" }
                i += 18
            } else {
                i += 1
            }
        }
        var out = String.UnicodeScalarView()
        out.append(contentsOf: scalars)
        return String(out)
    }
}
