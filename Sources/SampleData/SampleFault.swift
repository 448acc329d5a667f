/// The ways a generated row is made wrong; each is one refusal of the validator.
public enum SampleFault: String, Sendable, Hashable, CaseIterable, Codable {
    case missingRequired = "missing-required"
    case usccCheck = "uscc-check"
    case usccOrganisationCheck = "uscc-organisation-check"
    case usccForbiddenLetter = "uscc-forbidden-letter"
    case usccLength = "uscc-length"
    case usccLettersInDivision = "uscc-letters-in-division"
    case idCheck = "id-check"
    case idBirthDate = "id-birth-date"
    case badDate = "bad-date"
    case futureDate = "future-date"
    case badEnumeration = "bad-enumeration"
    case badAmount = "bad-amount"
    case conditionalMissing = "conditional-missing"
    case dateOrder = "date-order"
    case tooLong = "too-long"
    case outsideJurisdiction = "outside-jurisdiction"

    /// The validator's issue code this fault must produce.
    public var expectedIssuePrefix: String {
        switch self {
        case .missingRequired: "required"
        case .usccCheck: "uscc.check-character"
        case .usccOrganisationCheck: "uscc.organisation-check"
        case .usccForbiddenLetter: "uscc.forbidden-letter"
        case .usccLength: "uscc.length"
        case .usccLettersInDivision: "uscc.division-digits"
        case .idCheck: "id.check-character"
        case .idBirthDate: "id.birth-date"
        case .badDate: "date"
        case .futureDate: "future-date"
        case .badEnumeration: "enumeration"
        case .badAmount: "amount"
        case .conditionalMissing: "required-when"
        case .dateOrder: "date-order"
        case .tooLong: "too-long"
        case .outsideJurisdiction: "outside-jurisdiction"
        }
    }
}
