import ChangeSets
import CreditDomain
import CreditStore
import Foundation
import NodePKI

/// Issues credit reports (信用报告): a subject's public records, each with the signed change-set
/// header of the node that reported it and the Merkle inclusion proof of its change, signed by
/// this node (PROTOCOL.md, "Credit reports").
public struct ReportIssuer: Sendable {
    public let node: NodeContext

    public init(node: NodeContext) { self.node = node }

    /// A report for the subject of `records` (those the public sees, as `PublicRecord` shows them).
    /// This node's own changes are sealed first so that every record has its origin's signature.
    /// A record with no proof to give (received by a store older than v4) is not vouched for: the
    /// report is refused rather than issued with a record nobody can check.
    public func issue(subject: CreditReport.Subject, records: [(stored: StoredRecord, shown: PublicRecord)], now: Date = Date()) throws
        -> SignedReport
    {
        let identity = try Export.identity(of: node.configuration)
        if records.contains(where: { $0.stored.origin == node.configuration.code.digits }) {
            _ = try Export(node: node).seal(identity: identity, now: now)
        }
        let page = try node.store.evidence(of: records.map { ($0.stored.origin, $0.stored.seq) })
        var proofs: [String: Downward.Proof] = [:]
        for p in try Downward.proofs(page) { proofs["\(p.item.change.origin)/\(p.item.change.seq)"] = p }
        var entries: [CreditReport.Entry] = []
        for (stored, shown) in records {
            guard let p = proofs["\(stored.origin)/\(stored.seq)"] else {
                throw StoreError(
                    code: .corrupt, message: "record \(stored.key): its change \(stored.origin) \(stored.seq) has no proof of its origin to give")
            }
            let fields = shown.fields.map { CreditReport.Field(code: $0.code, label: $0.label, value: $0.value) }
            let leaf = Array(p.entry.line.withUnsafeBytes { Merkle.leafDigest($0) })
            entries.append(
                CreditReport.Entry(
                    key: stored.key, kind: stored.kind, kindName: shown.kindName, state: shown.state, stateLabel: shown.stateLabel,
                    decisionDate: shown.decisionDate,
                    fields: fields, origin: stored.origin, seq: stored.seq, leaf: Self.hex(leaf),
                    line: Self.isWhollyShown(p.item.change, fields: fields) ? String(decoding: p.entry.line, as: UTF8.self) : nil,
                    signedHeader: Data(p.signedHeader).base64EncodedString(), leafIndex: p.entry.leafIndex, proof: p.entry.proof.map(Self.hex)))
        }
        let c = node.configuration
        let stamp = ChinaTime.timestamp(now)
        let digits = stamp.unicodeScalars.filter { CharacterSet.decimalDigits.contains($0) }.prefix(14)
        let number = "CNR-\(c.code.digits)-\(String(String.UnicodeScalarView(digits)))-\(Self.hex((0..<4).map { _ in UInt8.random(in: 0...255) }))"
        let report = CreditReport(
            number: number, issuer: c.code.digits, issuerName: c.name ?? c.code.digits, issuedAt: stamp, subject: subject, entries: entries)
        return try SignedReport.sign(report, identity: identity)
    }

    /// Whether the change's line may be published: every field it carries is shown to the public
    /// exactly (nothing masked, nothing the public does not see). Else only its digest is.
    static func isWhollyShown(_ change: Change, fields: [CreditReport.Field]) -> Bool {
        guard let body = try? JSONSerialization.jsonObject(with: Data(change.body.utf8)) as? [String: String] else { return false }
        let shown = Dictionary(fields.map { ($0.code, $0.value) }, uniquingKeysWith: { a, _ in a })
        return body.allSatisfy { $0.value.isEmpty || shown[$0.key] == $0.value }
    }

    static func hex(_ b: [UInt8]) -> String { b.map { String(format: "%02x", $0) }.joined() }
}
