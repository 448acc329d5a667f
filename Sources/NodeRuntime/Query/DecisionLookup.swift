import CreditDomain
import CreditStore
import Foundation

/// A department's system asks whether its decision reached the node and how it stands — received,
/// late, shown to the public, withdrawn — by the decision's document number (决定文书号), on the
/// records listener (`GET /v1/decisions?number=`). Only the decisions' standing is answered, no
/// field of theirs: what a department reads back is its own receipt, not anyone's file (that is
/// `GET /v1/subjects/{code}?purpose=`, noted with its reason).
public struct DecisionLookup: Sendable {
    /// How many records bearing one number are read at most.
    public static let limit = 1000

    public struct Decision: Sendable, Encodable, Hashable {
        /// The record key (`kind|authority's credit code|number`), resident ID numbers masked.
        public var key: String
        public var kind: String
        public var kindName: String
        public var state: String
        public var stateLabel: String
        public var decisionDate: String?
        public var jurisdiction: String
        /// When it entered the network (its origin's ledger), ISO 8601, and where.
        public var enteredAt: String
        public var origin: String
        public var publicationDeadline: String?
        public var late: Bool
        public var publicityUntil: String?
        /// The public sees it today on the node's portal (`/records/{key}`).
        public var shown: Bool
    }

    public struct Answer: Sendable, Encodable {
        /// The number as asked (resident ID numbers masked).
        public var number: String
        public var decisions: [Decision]
    }

    public let node: NodeContext

    public init(node: NodeContext) { self.node = node }

    /// Every record bearing `number`, newest decision first.
    public func decisions(number: String, today: CivilDate) throws -> Answer {
        let kinds = node.resolvedKinds
        let iso = ISO8601DateFormatter()
        let found = try node.store.records(documentNumber: number, scope: nil, limit: Self.limit).map { r in
            Decision(
                key: Masking.maskResidentIDs(in: r.key), kind: r.kind, kindName: kinds[r.kind]?.name ?? r.kind, state: r.state,
                stateLabel: (RecordState(rawValue: r.state) ?? .active).label, decisionDate: r.decisionDate, jurisdiction: r.jurisdiction,
                enteredAt: iso.string(from: r.enteredAt), origin: r.origin, publicationDeadline: r.publicationDeadline, late: r.late,
                publicityUntil: r.publicityUntil, shown: PublicRecord.isShown(r, kind: kinds[r.kind], today: today))
        }
        return Answer(number: Masking.maskResidentIDs(in: number), decisions: found)
    }
}
