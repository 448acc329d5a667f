import CreditDomain

/// What the records table keeps beside a version's fields, computed from the catalogue by the
/// caller: decision date, publication deadline and lateness, subject, end of publicity, whether
/// its fields keep it in force.
public struct RecordDates: Sendable, Hashable {
    public var decision: CivilDate?
    public var deadline: CivilDate?
    public var late: Bool
    public var subject: String?
    public var publicityUntil: CivilDate?
    /// Set when the deadline is provisional (`Deadline.provisional`): the day the version entered
    /// the network, against which `late` was judged and will be judged again when it is settled.
    public var provisionalSince: CivilDate?
    /// Whether the version's own fields keep it before the public under its kind's rule
    /// (`RecordKind.isShownPublicly`); true for kinds without one and for non-puts.
    public var inForce: Bool

    public init(
        decision: CivilDate? = nil, deadline: CivilDate? = nil, late: Bool = false, subject: String? = nil, publicityUntil: CivilDate? = nil,
        provisionalSince: CivilDate? = nil, inForce: Bool = true
    ) {
        self.decision = decision
        self.deadline = deadline
        self.late = late
        self.subject = subject
        self.publicityUntil = publicityUntil
        self.provisionalSince = provisionalSince
        self.inForce = inForce
    }
}
