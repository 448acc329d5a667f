import ChangeSets
import CreditDomain
import SyncCore
import CreditStore
import Foundation
import NodePKI

/// Why an import was refused as a whole (nothing of it is applied).
public struct ImportError: Error, Hashable, Sendable, CustomStringConvertible {
    public enum Code: String, Sendable {
        case notAChild = "not-a-child", outsideSubtree = "outside-subtree", wrongReceipt = "wrong-receipt", identityMismatch = "identity-mismatch"
        case downPageGap = "down-page-gap"
    }
    public var code: Code
    public var message: String
    public var description: String { message }
}

/// What `import` did.
public struct ImportReport: Sendable, Codable {
    public var file: String
    public var kind: String
    public var sender: String?
    public var applied: Int
    public var duplicates: Int
    public var held: Int
    public var changes: Int
    public var receipt: String?
    public var acknowledged: Int?
    /// A down bundle: the control documents installed, where the node now stands in its
    /// parent's stream, and whether more changes wait after it.
    public var controls: [String]?
    public var cursor: Int64?
    public var more: Bool?
    /// A bundle: its change sets refused on their own and set aside (`credit-node set-aside`).
    public var setAside: Int?
}

/// The parent's side of offline transport: a child's bundle is verified, authorised and applied
/// exactly once, and a signed receipt is written for the child; the child's side: a receipt from
/// the parent acknowledges change sets in its outbox.
public struct Import: Sendable {
    public let node: NodeContext

    public init(node: NodeContext) { self.node = node }

    /// The trust store from the identity directory: its `ca.pem`, and the newest revocation
    /// list this node has (its identity's `revoked.json` or one received from the parent).
    public static func trust(_ configuration: NodeConfiguration) throws -> TrustStore {
        let dir = try Export.identityDirectory(of: configuration)
        let list = try newestRevocationList(configuration)?.list
        return try TrustStore(ca: try NodeFiles.certificate(dir.appendingPathComponent("ca.pem").path), revocations: list)
    }

    /// The newest revocation list present — the identity directory's or one received into the
    /// control directory — with its file's bytes; each file is read once.
    static func newestRevocationList(_ configuration: NodeConfiguration) throws -> (bytes: [UInt8], list: RevocationList)? {
        var newest: (bytes: [UInt8], list: RevocationList)?
        for url in [
            try Export.identityDirectory(of: configuration).appendingPathComponent("revoked.json"),
            URL(fileURLWithPath: configuration.controlDirectory).appendingPathComponent("revoked.json"),
        ] {
            guard let data = FileManager.default.contents(atPath: url.path) else { continue }
            let list = try RevocationList.parse(Array(data), source: url.path)
            if newest.map({ list.content.issuedAt > $0.list.content.issuedAt }) ?? true { newest = (Array(data), list) }
        }
        return newest
    }

    /// Imports a bundle (at the parent), or a receipt or a down bundle (at the child), told apart
    /// by their magic.
    public func run(file: String, receiptOut: String? = nil, now: Date = Date()) throws -> ImportReport {
        let bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: file)))
        if bytes.starts(with: Receipt.magic) { return try importReceipt(bytes, file: file, now: now) }
        if bytes.starts(with: DownBundle.magic) {
            // What the parent exported for this node (`export --down`): the checks of a pull.
            let result = try Downward(node: node).apply(bytes, now: now)
            return ImportReport(
                file: file, kind: "down bundle", sender: result.bundle.parent, applied: result.applied, duplicates: result.duplicates, held: 0,
                changes: result.applied, receipt: nil, acknowledged: nil, controls: result.controls, cursor: result.bundle.next,
                more: result.bundle.more,
                setAside: result.setAside)
        }
        let out = receiptOut ?? file + ".receipt"
        var (report, receipt) = try applyBundle(bytes, source: file, now: now)
        try Export.writeDurably(receipt, to: out)
        report.receipt = out
        return report
    }

    /// Verifies, authorises and accepts a bundle; returns the report and the signed receipt.
    /// `peer` is the caller's code from its TLS certificate, when the bundle came over HTTPS:
    /// the bundle's signer must be the same node.
    /// With `deferApply` the accepted sets' changes are left to the node's running applier
    /// (`Applier`); without, they are applied before this returns.
    public func applyBundle(_ bytes: [UInt8], source: String, peer: DivisionCode? = nil, deferApply: Bool = false, now: Date = Date()) throws -> (
        ImportReport, [UInt8]
    ) {
        let configuration = node.configuration
        let trust = try node.credentials.trust()
        let identity = try node.credentials.identity()
        let bundle = try ChangeBundle.decode(bytes)
        // The caller's identity comes only from its certificate: verify before trusting `sender`.
        // A one-shot import applies at once and keeps the changes it reads; a running node as its
        // applier's policy says (`ApplyPolicy`), and only while its applier has room for them:
        // a set it does not keep is read again when applied, so building its changes now would
        // be work done twice (at the top, the whole backlog behind the first 50,000 changes).
        let counts = bundle.changeSets.map { $0.header.count }
        let readingChanges: [Bool]
        if !deferApply {
            readingChanges = counts.map { _ in true }
        } else if Applier.policy(configuration).keepsVerifiedChanges {
            readingChanges = node.applier.room(forSetsOf: counts)
        } else {
            readingChanges = counts.map { _ in false }
        }
        // The bundle as a whole (sender, composition) or nothing; then each set on its own: one
        // refused is set aside with its reason, and the others go through.
        let (verified, setAside) = try bundle.verifySettingAside(trust: trust, now: now, readingChanges: readingChanges)
        let sender = try DivisionCode(bundle.sender)
        if let peer, peer != sender {
            throw ImportError(
                code: .identityMismatch, message: "the connection's certificate belongs to \(peer) but the bundle is signed by \(sender)")
        }
        switch UpwardAcceptance.check(
            sender: sender, children: configuration.children, origins: try verified.map { try DivisionCode($0.changeSet.header.origin) })
        {
        case .notAChild:
            throw ImportError(
                code: .notAChild,
                message:
                    "\(sender) is not a child of \(configuration.code) (children: \(configuration.children.map(\.digits).joined(separator: ", ")))")
        case .outsideSubtree(_, let origin):
            throw ImportError(code: .outsideSubtree, message: "\(sender) sent changes of \(origin), which is not in its subtree")
        case nil: break
        }
        for (set, error) in setAside {
            let h = set.header
            let new = try node.sync.setAside(
                direction: "up", peer: sender.digits, origin: h.origin, firstSeq: h.firstSeq, lastSeq: h.lastSeq, hash: set.hash,
                code: error.code.rawValue,
                message: error.message, encoded: set.encoded, now: now)
            node.logger.warning(
                new ? "change set set aside: refused on its own, the rest of the bundle goes through" : "change set set aside before, sent again",
                metadata: ["from": "\(sender)", "origin": "\(h.origin)", "seq": "\(h.firstSeq)…\(h.lastSeq)", "reason": "\(error.code.rawValue)"])
        }
        let incoming = verified.map(\.received)
        let outcomes: [Acceptance]
        do {
            outcomes = try node.sync.accept(incoming, forward: configuration.parent != nil, now: now) { encoded in
                // A held set was verified with the bundle that brought it.
                try ChangeSet.decode(encoded).received
            }
        } catch let broken as Intake.BrokenChain {
            throw ChangeSetError(.brokenChain, broken.description)
        }
        // The health records: the latest per node is kept, each verified on its own (one that
        // fails is dropped with a log line; it never holds up the changes).
        let health = bundle.verifiedHealth(trust: trust, now: now)
        for (code, error) in health.refused {
            node.logger.warning("health record dropped", metadata: ["from": "\(sender)", "node": "\(code)", "reason": "\(error)"])
        }
        _ = try node.sync.keepHealth(health.entries, now: now)
        // Accepted is durable: the receipt may say so. The changes are applied now, or by the
        // running node's applier, which is handed the sets already read.
        if deferApply {
            node.applier.offer(verified)
            node.applier.signal()
        } else {
            // Applied at once: the bundle just read is in memory anyway.
            node.applier.offer(verified, limit: .max)
            try node.applier.drain(node)
        }
        // The receipt: per origin in the bundle, where this node now stands; and what it holds back.
        let content = try Intake.receipt(for: incoming, outcomes: outcomes) { try node.sync.position(of: $0) }
        let receipt = Receipt(
            parent: configuration.code.digits, child: sender.digits, bundleHash: bundle.hash, issuedAt: ChinaTime.milliseconds(now),
            acknowledged: content.acknowledged, held: content.held)
        let report = ImportReport(
            file: source, kind: "bundle", sender: sender.digits, applied: content.acceptedSets, duplicates: content.duplicates,
            held: content.held.count, changes: content.acceptedChanges, receipt: nil, acknowledged: nil, setAside: setAside.count)
        return (report, try receipt.encode(identity: identity))
    }

    /// Verifies a receipt from the parent and acknowledges the outbox entries it covers.
    public func importReceipt(_ bytes: [UInt8], file: String, now: Date = Date()) throws -> ImportReport {
        let configuration = node.configuration
        let receipt = try Receipt.verify(bytes, trust: try node.credentials.trust(), now: now)
        guard let parent = configuration.parent, receipt.parent == parent.code.digits, receipt.child == configuration.code.digits else {
            throw ImportError(
                code: .wrongReceipt,
                message:
                    "the receipt is from \(receipt.parent) for \(receipt.child); this node is \(configuration.code) with parent \(configuration.parent?.code.digits ?? "none")"
            )
        }
        // A parent that holds more of an origin than this store ever had: the store lost its
        // history (a new store in place of a lost one), and its new changes would take seqs the
        // network already holds — they are duplicates there and never acknowledged.
        for position in receipt.acknowledged {
            let own = position.origin == configuration.code.digits
            let holds = own ? try node.sync.ownStanding().sealed?.lastSeq ?? 0 : try node.sync.position(of: position.origin)?.lastSeq ?? 0
            if position.lastSeq > holds {
                node.logger.error(
                    "the parent holds more of an origin than this store: its history is lost",
                    metadata: ["origin": "\(position.origin)", "parentHolds": "\(position.lastSeq)", "storeHolds": "\(holds)"])
                throw SyncError(
                    code: .refused,
                    message:
                        "parent \(receipt.parent) holds \(position.origin) up to seq \(position.lastSeq), this store only to \(holds): it is not the store that sent them (lost and made anew?); stop the node and run `credit-node recover` (OPERATIONS.md, \"Restoring\")"
                )
            }
        }
        let count = try node.sync.acknowledge(
            parent: receipt.parent, issuedAt: receipt.issuedAt, receipt: bytes, bundle: receipt.bundleHash,
            covered: receipt.acknowledged, held: receipt.held, now: now)
        return ImportReport(
            file: file, kind: "receipt", sender: receipt.parent, applied: 0, duplicates: 0, held: receipt.held.count, changes: 0, receipt: nil,
            acknowledged: count)
    }
}

/// What the records table keeps beside a received version's fields, from this node's catalogue
/// and calendar (status changes need none): subject, decision date, publication deadline and
/// lateness, end of publicity. Prepared once per bundle or page: the keys each kind needs are laid
/// out once, and the deadline of a decision date is computed once.
struct RecordDatesReader {
    struct Prepared {
        let kind: ResolvedKind
        let fields: BodyFields
    }

    private var prepared: [String: Prepared] = [:]
    private struct DeadlineKey: Hashable {
        var decision: CivilDate
        var workingDays: Int
    }
    private var deadlines: [DeadlineKey: Deadline?] = [:]
    let kinds: [String: ResolvedKind]
    let calendar: WorkingCalendar

    init(kinds: [String: ResolvedKind], calendar: WorkingCalendar) {
        self.kinds = kinds
        self.calendar = calendar
    }

    mutating func dates(_ c: Change) -> RecordDates {
        guard c.op == "put", let p = prepare(c.kind) else { return RecordDates() }
        let k = p.kind.kind
        // Values come back under the catalogue's bare codes (`prepare`).
        let fields = Change.bodyValues(c.body, fields: p.fields)
        let value = { (code: String) in fields[code] }
        let decision = k.decisionDate.flatMap(value).flatMap { CivilDate.parse($0) }
        var deadline: Deadline?
        if let days = k.publicationWorkingDays, let decision {
            let key = DeadlineKey(decision: decision, workingDays: days)
            if let known = deadlines[key] {
                deadline = known
            } else {
                deadline = try? calendar.deadline(workingDays: days, after: decision)
                deadlines[key] = deadline
            }
        }
        let entered = ChinaTime.date(Date(timeIntervalSince1970: Double(c.enteredAtMilliseconds) / 1000))
        return RecordDates(
            decision: decision, deadline: deadline?.date, late: deadline.map { entered > $0.date } ?? false,
            subject: k.subjectCode.lazy.compactMap(value).first, publicityUntil: k.publicityUntil(decision: decision, value: value),
            provisionalSince: deadline?.provisional == true ? entered : nil, inForce: k.isShownPublicly(value: value))
    }

    private mutating func prepare(_ slug: String) -> Prepared? {
        if let p = prepared[slug] { return p }
        guard let kind = kinds[slug] else { return nil }
        let k = kind.kind
        // Only the fields the records table needs are read from the body.
        var needed = Set(k.subjectCode + [k.decisionDate].compactMap { $0 })
        if let p = k.publicity { needed.formUnion((p.untilFields ?? []) + [p.monthsField, p.shownWhileField].compactMap { $0 }) }
        let p = Prepared(kind: kind, fields: BodyFields(names: Dictionary(uniqueKeysWithValues: needed.map { (k.fullCode($0), $0) })))
        prepared[slug] = p
        return p
    }
}
