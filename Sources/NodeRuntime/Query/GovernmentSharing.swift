import CreditDomain
import CreditStore
import Foundation

/// Why a government look-up was refused, in the form's words.
public struct LookupError: Error, Sendable, Hashable, CustomStringConvertible {
    public enum Code: String, Sendable {
        /// The subject code or the 查询事由 missing or out of shape.
        case invalid = "invalid"
        /// No subject of that code at this node.
        case unknownSubject = "unknown-subject"
    }
    public var code: Code
    public var message: String
    public var description: String { "\(message) [\(code.rawValue)]" }

    public init(code: Code, message: String) {
        self.code = code
        self.message = message
    }
}

/// 政务共享: a subject's whole file as government bodies share it — the credit office's operators
/// and the departments' systems, in the course of their duties (an approval, an inspection, the
/// grade of 信用分级分类监管) — which the public does not see: the kinds shared with government
/// only (信用评价 grades) and records whatever their state (repaired, withdrawn, past their
/// publicity: kept for government sharing and archives). Kinds disclosed only with the subject's
/// authorisation (个人信用积分) stay out (counted, not shown): they need the subject's
/// authorisation (`AuthorisationDesk`) whoever asks. ID numbers are masked as everywhere. Each
/// look-up needs its reason (查询事由) and is noted with who asked (`government_lookups`).
public struct GovernmentSharing: Sendable {
    public let node: NodeContext

    public init(node: NodeContext) { self.node = node }

    public static let purposeMax = 100

    /// A record shared with government only, and whether it is in force on the day of the look-up.
    public struct Shared: Sendable, Encodable {
        public var record: PublicRecord
        public var inForce: Bool
    }

    /// A subject's file.
    public struct File: Sendable, Encodable {
        public var name: String
        /// The subject's code, a resident ID number masked.
        public var code: String
        public var isPerson: Bool
        /// 信用评价 and other kinds shared with government only, in force first (valid on the day
        /// of the look-up and not stopped), newest first.
        public var government: [Shared]
        /// Every record of the public kinds, whatever its state: network-wide list entries first,
        /// then newest first.
        public var records: [PublicRecord]
        /// Records of kinds disclosed only with the subject's authorisation: how many, not what.
        public var withheld: Int
        /// When it was read (China time).
        public var readAt: String
    }

    /// The file of the subject `typedSubject`, for `purpose`, read by `reader`; the look-up is noted.
    public func file(subject typedSubject: String, purpose rawPurpose: String, reader: AuditActor, now: Date = Date()) throws -> File {
        let purpose: String
        switch FormText.checked(rawPurpose, label: "查询事由", max: Self.purposeMax) {
        case .success(let value): purpose = value
        case .failure(let problem): throw LookupError(code: .invalid, message: problem.message)
        }
        let hit: SubjectHit
        switch try FormText.subject(typedSubject, in: node.store) {
        case .success(let found): hit = found
        case .failure(let problem): throw LookupError(code: problem.unknown ? .unknownSubject : .invalid, message: problem.message)
        }
        let kinds = node.resolvedKinds
        let today = ChinaTime.date(now)
        var government: [Shared] = []
        var lists: [PublicRecord] = []
        var records: [PublicRecord] = []
        var withheld = 0
        for stored in try node.store.records(subject: hit.code) {
            guard let kind = kinds[stored.kind] else { continue }
            guard let shared = PublicRecord.shared(stored, kind: kind) else {
                withheld += 1
                continue
            }
            if kind.scope == .government {
                // In force: not stopped, and (a grade) not past its 有效期至 (信用评价's `YXQZ`).
                let until = stored.fields[kind.kind.fullCode("YXQZ")].flatMap { CivilDate.parse($0) }
                government.append(
                    Shared(record: shared, inForce: RecordState(rawValue: stored.state)?.isPublic == true && (until.map { $0 >= today } ?? true)))
            } else if kind.kind.networkWide {
                lists.append(shared)
            } else {
                records.append(shared)
            }
        }
        // Stable: the store gives them newest first.
        let ordered = government.filter(\.inForce) + government.filter { !$0.inForce }
        let person = (try? ResidentID(hit.code)) != nil
        let file = File(
            name: hit.name, code: person ? Masking.mask(hit.code) : hit.code, isPerson: person, government: ordered, records: lists + records,
            withheld: withheld, readAt: ChinaTime.timestamp(now))
        try node.store.addGovernmentLookup(
            subject: hit.code, reader: reader.description, purpose: purpose, records: ordered.count + lists.count + records.count, now: now)
        node.logger.info(
            "government look-up", metadata: ["by": "\(reader.description)", "records": "\(ordered.count + lists.count + records.count)"])
        return file
    }
}
