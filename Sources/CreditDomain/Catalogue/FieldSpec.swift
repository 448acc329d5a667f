/// How a field's text is checked and normalised.
public enum FieldType: String, Codable, Sendable, Hashable {
    /// Free text up to `maxLength` characters.
    case text
    /// A date in any accepted form, stored as `YYYY-MM-DD`.
    case date
    /// One value of a named enumeration (or several, when `multiple`).
    case enumeration
    /// A non-negative decimal amount (in units of 10,000 yuan where the field says so).
    case amount
    /// A non-negative whole number.
    case integer
    /// A four-digit year.
    case year
    /// A unified social credit code.
    case uscc
    /// An identity document number; a resident ID when the field named by `idTypeField` says 01.
    case idNumber
    /// A 6- or 12-digit division code, stored as 12 digits.
    case divisionCode
    /// A 20-character credit commitment code: 6-digit division, YYYYMMDD, 6-digit serial.
    case commitmentCode
}

/// One field of a catalogue item, named by its national code without the kind's prefix.
public struct FieldSpec: Codable, Sendable, Hashable {
    public var code: String
    public var name: String
    public var type: FieldType
    public var required: Bool
    public var maxLength: Int?
    /// The enumeration's name in `Catalogue.enumerations`, for `.enumeration`.
    public var values: String?
    /// Several enumeration values may combine (`罚款;没收违法所得`).
    public var multiple: Bool?
    /// For `.idNumber`: the field holding the document type.
    public var idTypeField: String?
    /// Other header names accepted for this field.
    public var aliases: [String]?

    public init(code: String, name: String, type: FieldType, required: Bool = false, maxLength: Int? = nil, values: String? = nil) {
        self.code = code
        self.name = name
        self.type = type
        self.required = required
        self.maxLength = maxLength
        self.values = values
    }
}

/// A cross-field rule of a catalogue item.
public struct FieldRule: Codable, Sendable, Hashable {
    /// `require`: when `field` holds one of `in`, every field of `fields` is required.
    /// `requireAny`: when `field` holds one of `in`, at least one of `fields` is required.
    /// `notAfter`: `fields[0]` must not be later than `fields[1]` when both are given.
    public enum Kind: String, Codable, Sendable { case require, requireAny, notAfter }
    public var rule: Kind
    public var field: String?
    public var `in`: [String]?
    public var fields: [String]
}

/// Who may see a kind's records (DOMAIN.md §3).
public enum DisclosureScope: String, Codable, Sendable, Hashable, CaseIterable {
    /// 社会公开: shown in public views.
    case `public`
    /// 政务共享: shared between government bodies only.
    case government
    /// 授权查询: shown with the subject's authorisation.
    case authorised

    public var chineseName: String {
        switch self {
        case .public: "社会公开"
        case .government: "政务共享"
        case .authorised: "授权查询"
        }
    }
}
