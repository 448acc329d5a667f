/// One reason a row was refused. `code` is stable for callers; `field` is the full national
/// field code; `message` says what to fix and never repeats a personal ID number; `chinese`
/// says the same to a credit office and its departments (nil only in rows kept before it existed).
public struct ValidationIssue: Error, Hashable, Sendable, Codable, CustomStringConvertible {
    public var code: String
    public var field: String?
    public var message: String
    public var chinese: String?

    public init(code: String, field: String? = nil, message: String, chinese: String? = nil) {
        self.code = code
        self.field = field
        self.message = message
        self.chinese = chinese
    }

    /// The message; it names the field already.
    public var description: String { message }

    /// What a Chinese page shows: the Chinese words, or the message for a row kept without them.
    public var shown: String { chinese ?? message }
}

/// A row that passed validation, normalised and ready to store.
public struct ValidatedRecord: Sendable, Hashable {
    public var kind: String
    /// Stable identity: slug and business-key values joined by `|`.
    public var key: String
    public var jurisdiction: DivisionCode
    public var subjectCode: String?
    public var decisionDate: CivilDate?
    /// The last day to publish (双公示: 7 working days after the decision).
    public var publicationDeadline: CivilDate?
    /// Ingested after its publication deadline (迟报).
    public var late: Bool
    /// The deadline counts days of a year without an official schedule (`Deadline.provisional`):
    /// it and `late` are settled when that year's schedule arrives.
    public var deadlineProvisional: Bool = false
    /// The last day of public display under the kind's publicity rule; nil: no limit.
    public var publicityUntil: CivilDate?
    /// Whether its own fields keep it before the public under the kind's rule
    /// (`RecordKind.isShownPublicly`: a licence while valid, a listing while in force).
    public var inForce: Bool = true
    /// Canonical JSON object of the non-empty fields under their full national codes, keys
    /// sorted by UTF-8 bytes: `{"CF_CFJG":"…","CF_JDRQ":"2025-03-07",…}`.
    public var fieldsJSON: String
}
