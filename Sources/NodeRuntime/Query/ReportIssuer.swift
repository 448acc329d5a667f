import ChangeSets
import CreditDomain
import CreditStore
import Foundation
import NodePKI
import SyncCore
import Synchronization

/// Issues credit reports (信用报告): a subject's public records, each with the signed change-set
/// header of the node that reported it and the Merkle inclusion proof of its change, signed by
/// this node (PROTOCOL.md, "Credit reports").
public struct ReportIssuer: Sendable {
    public let node: NodeContext
    let trees: SetTreeCache

    /// `trees`: the trees of change sets held whole, kept across reports (a portal keeps one).
    public init(node: NodeContext, trees: SetTreeCache = SetTreeCache()) {
        self.node = node
        self.trees = trees
    }

    /// A report for the subject of `records` (those the public sees, as `PublicRecord` shows them),
    /// signed with the node's identity read from its files.
    public func issue(subject: CreditReport.Subject, records: [(stored: StoredRecord, shown: PublicRecord)], now: Date = Date()) throws
        -> SignedReport
    {
        let identity = try node.credentials.identity()
        let report = self.report(subject: subject, entries: try entries(records, identity: identity, now: now), now: now)
        return try SignedReport.sign(report, identity: identity)
    }

    /// A new report (its own number, issued `now`) saying `entries` of the subject.
    public func report(subject: CreditReport.Subject, entries: [CreditReport.Entry], now: Date) -> CreditReport {
        let c = node.configuration
        let stamp = ChinaTime.timestamp(now)
        let digits = String(stamp.filter { $0.isASCII && $0.isNumber }.prefix(14))
        let number = "CNR-\(c.code.digits)-\(digits)-\((0..<4).map { _ in UInt8.random(in: 0...255) }.hex)"
        return CreditReport(
            number: number, issuer: c.code.digits, issuerName: c.name ?? c.code.digits, issuedAt: stamp, subject: subject, entries: entries)
    }

    /// What a report says of `records`: each as shown, with the signed header of its origin's
    /// change set and the Merkle inclusion proof of its change. This node's own changes not yet
    /// sealed are sealed first (with `identity`), so that every record has its origin's signature.
    /// A record with no proof to give (received by a store older than v4) is not vouched for: the
    /// report is refused rather than issued with a record nobody can check.
    public func entries(_ records: [(stored: StoredRecord, shown: PublicRecord)], identity: NodeIdentity, now: Date) throws -> [CreditReport.Entry] {
        let wanted = records.map { ($0.stored.origin, $0.stored.seq) }
        var page = try node.store.evidence(of: wanted, loadingWholeSets: false)
        // A change of this node's not yet in a signed set has no evidence: seal, then look again
        // (sealing takes the store's write lock: only when needed).
        if page.items.count < records.count, records.contains(where: { $0.stored.origin == node.configuration.code.digits }) {
            try Export(node: node).seal(identity: identity, now: now)
            page = try node.store.evidence(of: wanted, loadingWholeSets: false)
        }
        var found: [String: (change: Change, header: [UInt8], leafIndex: Int, proof: [[UInt8]])] = [:]
        for item in page.items {
            let c = item.change
            switch item.evidence {
            case .proof(let setID, let index, let proof):
                found["\(c.origin)/\(c.seq)"] = (
                    c, page.signedHeaders[setID] ?? [], index, stride(from: 0, to: proof.count, by: 32).map { Array(proof[$0..<$0 + 32]) }
                )
            case .wholeSet(let setID):
                guard let range = page.setRanges[setID] else { continue }
                let held = try tree(setID: setID, range)
                let index = Int(c.seq - range.firstSeq)
                let bucket = held.tree.bucketRange(of: index)
                let changes = try node.store.changes(
                    origin: c.origin, seqs: range.firstSeq + Int64(bucket.lowerBound)...range.firstSeq + Int64(bucket.upperBound))
                guard let proof = held.tree.proof(index: index, bucket: changes) else {
                    throw StoreError(
                        code: .corrupt, message: "change set \(c.origin) \(range.firstSeq)…\(range.lastSeq) is missing changes of its log")
                }
                found["\(c.origin)/\(c.seq)"] = (c, held.signedHeader, index, proof)
            }
        }
        var entries: [CreditReport.Entry] = []
        for (stored, shown) in records {
            guard let p = found["\(stored.origin)/\(stored.seq)"] else {
                throw StoreError(
                    code: .corrupt, message: "record \(stored.key): its change \(stored.origin) \(stored.seq) has no proof of its origin to give")
            }
            var line: [UInt8] = []
            p.change.appendCanonicalLine(to: &line)
            let fields = shown.fields.map { CreditReport.Field(code: $0.code, label: $0.label, value: $0.value) }
            entries.append(
                CreditReport.Entry(
                    key: stored.key, kind: stored.kind, kindName: shown.kindName, state: shown.state, stateLabel: shown.stateLabel,
                    decisionDate: shown.decisionDate,
                    fields: fields, origin: stored.origin, seq: stored.seq, leaf: Merkle.leaf(line).hex,
                    line: Self.isWhollyShown(p.change, fields: fields) ? String(decoding: line, as: UTF8.self) : nil,
                    signedHeader: Data(p.header).base64EncodedString(), leafIndex: p.leafIndex, proof: p.proof.map(\.hex)))
        }
        return entries
    }

    /// The signed header and bucketed tree of a change set held whole: from the cache, or built
    /// from its bytes and its changes in the log (once) and checked against the root its origin
    /// signed.
    func tree(setID: Int64, _ range: DownwardPage.SetRange) throws -> SetTreeCache.Entry {
        try trees.entry("\(range.origin)/\(range.firstSeq)") { try buildTree(setID: setID, range) }
    }

    func buildTree(setID: Int64, _ range: DownwardPage.SetRange) throws -> SetTreeCache.Entry {
        let set = try ChangeSet.decode(try node.store.heldSetBytes(id: setID))
        let changes = try node.store.changes(origin: range.origin, seqs: range.firstSeq...range.lastSeq)
        guard changes.count == set.header.count, !changes.isEmpty else {
            throw StoreError(
                code: .corrupt,
                message:
                    "change set \(range.origin) \(range.firstSeq)…\(range.lastSeq): the log holds \(changes.count) of its \(set.header.count) changes"
            )
        }
        let tree = BucketedMerkleTree(changes: changes)
        guard tree.root == set.header.merkleRoot else {
            throw StoreError(
                code: .corrupt,
                message: "change set \(range.origin) \(range.firstSeq)…\(range.lastSeq): the log's changes do not give the root its origin signed")
        }
        return SetTreeCache.Entry(signedHeader: set.signedHeaderBytes, tree: tree)
    }

    /// Whether the change's line may be published: every field it carries is shown to the public
    /// exactly (nothing masked, nothing the public does not see). Else only its digest is.
    static func isWhollyShown(_ change: Change, fields: [CreditReport.Field]) -> Bool {
        guard let body = try? JSONSerialization.jsonObject(with: Data(change.body.utf8)) as? [String: String] else { return false }
        let shown = Dictionary(fields.map { ($0.code, $0.value) }, uniquingKeysWith: { a, _ in a })
        return body.allSatisfy { $0.value.isEmpty || shown[$0.key] == $0.value }
    }

}

/// The bucketed Merkle trees of change sets held whole, for reports: a set's tree is built once
/// (reading its changes) and kept, the least recently used dropped beyond `capacity` sets (each
/// about 40 KiB for 10,000 changes). Sets never change once signed.
public final class SetTreeCache: Sendable {
    public struct Entry: Sendable {
        public var signedHeader: [UInt8]
        public var tree: BucketedMerkleTree
    }
    struct State {
        var entries: [String: (entry: Entry, used: UInt64)] = [:]
        var clock: UInt64 = 0
    }
    let capacity: Int
    let state = Mutex(State())

    /// Held while a tree is built: the reports asked for at once on a cold cache (a portal just
    /// started, sixteen readers) wait for the one building it instead of each reading and hashing
    /// the same set — that herd held every report of the first second for 100 ms and more.
    let building = Mutex(())

    public init(capacity: Int = 2048) { self.capacity = capacity }

    /// The entry under `key`: kept, or built once by `build` however many ask at once.
    func entry(_ key: String, build: () throws -> Entry) throws -> Entry {
        if let hit = self[key] { return hit }
        return try building.withLock { _ in
            if let hit = self[key] { return hit }
            let entry = try build()
            self[key] = entry
            return entry
        }
    }

    subscript(key: String) -> Entry? {
        get {
            state.withLock { s in
                guard let hit = s.entries[key] else { return nil }
                s.clock += 1
                s.entries[key]!.used = s.clock
                return hit.entry
            }
        }
        set {
            guard let newValue else { return }
            state.withLock { s in
                s.clock += 1
                s.entries[key] = (newValue, s.clock)
                if s.entries.count > capacity, let oldest = s.entries.min(by: { $0.value.used < $1.value.used })?.key {
                    s.entries[oldest] = nil
                }
            }
        }
    }
}
