/// Why an identifier (division code, unified social credit code, resident ID number) was refused.
///
/// `rule` is stable and meant for callers to match on; `message` tells an operator what is wrong
/// and never repeats a personal ID number.
public struct IdentifierError: Error, Hashable, Sendable, CustomStringConvertible {
    /// The rule that failed.
    public enum Rule: String, Sendable, Hashable, CaseIterable {
        case length
        case alphabet
        case forbiddenLetter = "forbidden-letter"
        case divisionDigits = "division-digits"
        case organisationCheck = "organisation-check"
        case checkCharacter = "check-character"
        case birthDate = "birth-date"
        case addressCode = "address-code"
        case hierarchy
        case province
    }

    public var rule: Rule
    public var message: String

    public init(_ rule: Rule, _ message: String) {
        self.rule = rule
        self.message = message
    }

    public var description: String { "\(message) [\(rule.rawValue)]" }
}
