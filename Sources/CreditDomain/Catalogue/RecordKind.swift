/// One catalogue item (行政处罚, 行政许可, 红名单 …): its fields, rules, identity and disclosure.
public struct RecordKind: Codable, Sendable, Hashable {
    /// English slug used on the command line (`penalty`).
    public var slug: String
    /// Chinese name (`行政处罚`).
    public var name: String
    /// Other names accepted for the kind on the command line (`licence`).
    public var aliases: [String]?
    /// Prefix of the national field codes (`CF_`).
    public var prefix: String
    public var scope: DisclosureScope
    /// Kinds every node receives (严重失信主体名单, 红名单).
    public var networkWide: Bool
    /// Names of shared field blocks (`Catalogue.blocks`) that come before the kind's own fields.
    public var blocks: [String]
    public var fields: [FieldSpec]
    public var rules: [FieldRule]
    /// Fields whose values, with the kind's slug, identify a record (authority code + document number).
    public var businessKey: [String]
    /// The field holding the decision date, if the kind has one.
    public var decisionDate: String?
    /// Working days after the decision date within which the record must be published (双公示: 7).
    public var publicationWorkingDays: Int?
    /// How long records are shown publicly; nil: no limit.
    public var publicity: PublicityRule?
    /// For network-wide lists: the fields `check` reports.
    public var listing: ListingFields?
    /// For commitments: how the office follows up whether they were kept.
    public var fulfilment: FulfilmentRule?
    /// Fields masked in public views.
    public var masked: [String]
    /// Fields that identify the subject, in order of preference (credit code, then ID number).
    public var subjectCode: [String]
    /// The field naming the subject.
    public var subjectName: String
    /// The field holding the record's jurisdiction when it differs from the ingesting node.
    public var jurisdiction: String?
    /// Why the kind looks as it does (source documents, what to verify).
    public var note: String?

    /// The full national code of a field (`CF_WSH`).
    public func fullCode(_ bare: String) -> String { prefix + bare }
}
