/// A unified social credit code (统一社会信用代码, GB 32100-2015) of a legal person or other
/// organisation: 18 characters with two checks.
public struct SocialCreditCode: Hashable, Sendable, CustomStringConvertible {
    public let text: String

    /// The 31-character alphabet; a character's value is its index. No I, O, S, V, Z.
    static let alphabet: [UInt8] = Array("0123456789ABCDEFGHJKLMNPQRTUWXY".utf8)
    static let weights = [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28]
    static let organisationWeights = [3, 7, 9, 10, 5, 8, 4, 2]

    static let values: [Int] = {
        var table = [Int](repeating: -1, count: 128)
        for (i, c) in alphabet.enumerated() { table[Int(c)] = i }
        return table
    }()

    /// Validates `text` (surrounding spaces ignored, lowercase letters accepted and stored in
    /// uppercase). The error names the first rule that failed.
    public init(_ raw: String) throws(IdentifierError) {
        var text = raw.trimmingFieldWhitespace()
        if text.utf8.contains(where: { $0 >= 0x61 && $0 <= 0x7A }) { text = text.uppercased() }
        if text.utf8.count != 18 || text.utf8.contains(where: { $0 >= 0x80 }) {
            guard text.count == 18 else {
                throw IdentifierError(.length, "a unified social credit code has 18 characters, got \(text.count)")
            }
            let odd = text.firstIndex { !$0.isASCII }!
            throw IdentifierError(.alphabet, "character \(text.distance(from: text.startIndex, to: odd) + 1) is not a digit or an allowed capital letter")
        }
        let c = Array(text.utf8)
        for (i, ch) in c.enumerated() {
            if Self.values[Int(min(ch, 127))] >= 0 { continue }
            if ch == UInt8(ascii: "I") || ch == UInt8(ascii: "O") || ch == UInt8(ascii: "S")
                || ch == UInt8(ascii: "V") || ch == UInt8(ascii: "Z")
            {
                throw IdentifierError(
                    .forbiddenLetter,
                    "character \(i + 1) is '\(Character(Unicode.Scalar(ch)))'; the letters I, O, S, V and Z never occur in a credit code")
            }
            throw IdentifierError(.alphabet, "character \(i + 1) is not a digit or an allowed capital letter")
        }
        guard c[2..<8].allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }) else {
            throw IdentifierError(.divisionDigits, "characters 3–8 are the registering authority's division code and must be digits")
        }
        // Nested organisation-code check over positions 9–17, full 0-9A-Z alphabet.
        var sum = 0
        for i in 0..<8 {
            let ch = c[8 + i]
            let v = ch <= 0x39 ? Int(ch - 0x30) : Int(ch - UInt8(ascii: "A")) + 10
            sum += v * Self.organisationWeights[i]
        }
        let orgCheck = 11 - sum % 11
        let expectedOrg: UInt8 = orgCheck == 10 ? UInt8(ascii: "X") : orgCheck == 11 ? UInt8(ascii: "0") : UInt8(0x30 + orgCheck)
        guard c[16] == expectedOrg else {
            // Never name the character that would pass: a clerk typing it in would turn a
            // mistyped code into another valid one.
            throw IdentifierError(
                .organisationCheck,
                "character 17 (the organisation code's check) does not match characters 9–16; copy the code again from the business licence")
        }
        let expected = Self.checkCharacter(c)  // reads the first 17
        guard c[17] == expected else {
            throw IdentifierError(.checkCharacter, "character 18 (the check character) does not match characters 1–17; copy the code again from the business licence")
        }
        self.text = text
    }

    /// The check character for the first 17 characters (which must be in the alphabet; any
    /// further ones are not read).
    public static func checkCharacter(_ first17: [UInt8]) -> UInt8 {
        var sum = 0
        for i in 0..<17 { sum += values[Int(first17[i])] * weights[i] }
        return alphabet[(31 - sum % 31) % 31]
    }

    /// The organisation code's check character for 8 characters over 0-9A-Z.
    public static func organisationCheckCharacter(_ first8: [UInt8]) -> UInt8 {
        var sum = 0
        for i in 0..<8 {
            let ch = first8[i]
            let v = ch <= 0x39 ? Int(ch - 0x30) : Int(ch - UInt8(ascii: "A")) + 10
            sum += v * organisationWeights[i]
        }
        let r = 11 - sum % 11
        return r == 10 ? UInt8(ascii: "X") : r == 11 ? UInt8(ascii: "0") : UInt8(0x30 + r)
    }

    /// The registering authority's six-digit division code (positions 3–8).
    public var registrationDivision: String { String(text.dropFirst(2).prefix(6)) }

    public var description: String { text }
}
