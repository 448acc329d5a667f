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

        /// What the rule asks, in the words of a Chinese form.
        public var chinese: String {
            switch self {
            case .length: "位数不对"
            case .alphabet: "含有不允许的字符"
            case .forbiddenLetter: "含有不允许的字母（I、O、Z、S、V）"
            case .divisionDigits: "第 3–8 位（登记管理机关行政区划码）应为数字"
            case .organisationCheck: "第 17 位（组织机构代码校验码）不符"
            case .checkCharacter: "校验码（最后一位）不符，请对照证照重新填写"
            case .birthDate: "出生日期（第 7–14 位）无效"
            case .addressCode: "地址码（前 6 位）无效"
            case .hierarchy: "上下级代码不相符"
            case .province: "省级代码（前 2 位）不存在"
            }
        }
    }

    public var rule: Rule
    public var message: String

    public init(_ rule: Rule, _ message: String) {
        self.rule = rule
        self.message = message
    }

    public var description: String { "\(message) [\(rule.rawValue)]" }
}
