import CreditDomain
import Crypto
import Foundation
import NodePKI
import X509

/// A credit report (信用报告) as a signed document anyone can check offline: the issuing node's
/// signature over the report, and for every record the signed change-set header of the node that
/// reported it with the Merkle inclusion proof of its change (PROTOCOL.md, "Credit reports").
public struct CreditReport: Sendable, Codable, Hashable {
    public static let format = "creditnet-report/1"

    public struct Field: Sendable, Codable, Hashable {
        public var code: String
        public var label: String
        public var value: String
        public init(code: String, label: String, value: String) {
            self.code = code
            self.label = label
            self.value = value
        }
    }

    public struct Subject: Sendable, Codable, Hashable {
        public var name: String
        /// A natural person's ID number masked.
        public var code: String
        public var isPerson: Bool
        public init(name: String, code: String, isPerson: Bool) {
            self.name = name
            self.code = code
            self.isPerson = isPerson
        }
    }

    /// One record, as the public sees it, with what proves its origin reported it.
    public struct Entry: Sendable, Codable, Hashable {
        public var key: String
        public var kind: String
        public var kindName: String
        public var state: String
        public var stateLabel: String
        public var decisionDate: String?
        /// The fields as shown (masked as every public view masks them).
        public var fields: [Field]
        public var origin: String
        public var seq: Int64
        /// The canonical change line, when every field it carries is public as shown; else absent
        /// (`redacted`: it holds a personal ID number or a field the public does not see).
        public var line: String?
        public var redacted: Bool
        /// The origin's signed change-set header (magic, version, header, certificate, signature), base64.
        public var signedHeader: String
        public var leafIndex: Int
        /// The change's Merkle leaf digest, SHA-256(0x00 ‖ canonical line), hex; absent when
        /// redacted (a digest of a line whose only unknown is a masked ID number could be
        /// searched for that number).
        public var leaf: String?
        /// Sibling hashes from the leaf up, hex; empty when redacted.
        public var proof: [String]
        public init(
            key: String, kind: String, kindName: String, state: String, stateLabel: String, decisionDate: String?, fields: [Field], origin: String,
            seq: Int64,
            leaf: String, line: String?, signedHeader: String, leafIndex: Int, proof: [String]
        ) {
            self.key = key
            self.kind = kind
            self.kindName = kindName
            self.state = state
            self.stateLabel = stateLabel
            self.decisionDate = decisionDate
            self.fields = fields
            self.origin = origin
            self.seq = seq
            self.line = line
            self.redacted = line == nil
            self.leaf = line == nil ? nil : leaf
            self.signedHeader = signedHeader
            self.leafIndex = leafIndex
            self.proof = line == nil ? [] : proof
        }
    }

    public var format = CreditReport.format
    /// `CNR-<issuer>-<YYYYMMDDhhmmss>-<8 hex>`.
    public var number: String
    public var issuer: String
    public var issuerName: String
    /// China time, ISO 8601.
    public var issuedAt: String
    public var subject: Subject
    public var entries: [Entry]

    public init(number: String, issuer: String, issuerName: String, issuedAt: String, subject: Subject, entries: [Entry]) {
        self.number = number
        self.issuer = issuer
        self.issuerName = issuerName
        self.issuedAt = issuedAt
        self.subject = subject
        self.entries = entries
    }
}

/// Why a report was refused; each reason has its code.
public struct ReportRefusal: Error, Sendable, Hashable, CustomStringConvertible {
    public enum Code: String, Sendable {
        case malformed = "malformed-report"
        case unknownCA = "unknown-ca"
        case revokedIssuer = "revoked-issuer"
        case badSignature = "bad-signature"
        case alteredRecord = "altered-record"
        case wrongProof = "wrong-proof"
        case originRefused = "origin-refused"
    }
    public var code: Code
    public var message: String
    public init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }
    public var description: String { "\(message) [\(code.rawValue)]" }
}

/// The envelope: the report's exact bytes (`payload`, UTF-8 JSON) and the issuer's certificate
/// and ECDSA P-256 signature (canonical DER, low S) over them.
public struct SignedReport: Sendable, Codable, Hashable {
    public var payload: String
    /// The issuer's certificate, DER, base64.
    public var certificate: String
    /// The signature over the payload's UTF-8 bytes, DER, base64.
    public var signature: String

    /// The report's payload as this node writes it: JSON, keys sorted, slashes not escaped.
    static func encoder() -> JSONEncoder {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return encoder
    }

    /// Entries encoded as a payload holds them, to be given to `sign(_:entries:identity:)` by a
    /// caller that issues many reports saying the same records.
    public static func encode(entries: [CreditReport.Entry]) throws -> [UInt8] {
        Array(try encoder().encode(entries))
    }

    public static func sign(_ report: CreditReport, identity: NodeIdentity) throws -> SignedReport {
        try sign(report, entries: try encode(entries: report.entries), identity: identity)
    }

    /// Signs `report` whose entries are `entries` as `encode(entries:)` gave them (the report's own
    /// `entries` are not read): the payload is the same bytes as if they were encoded with it —
    /// keys sorted, so `entries` comes first and is put in place of an empty array.
    public static func sign(_ report: CreditReport, entries: [UInt8], identity: NodeIdentity) throws -> SignedReport {
        var head = report
        head.entries = []
        let rest = Array(try encoder().encode(head))
        let empty = Array(#"{"entries":[]"#.utf8)
        guard rest.starts(with: empty) else { throw ReportRefusal(.malformed, "a report's payload does not begin with its entries") }
        let payload = Array(#"{"entries":"#.utf8) + entries + rest.dropFirst(empty.count)
        var trailer: [UInt8] = []
        let signed = try SignatureTrailer.append(to: &trailer, signed: payload, identity: identity)
        return SignedReport(
            payload: String(decoding: payload, as: UTF8.self), certificate: Data(signed.certificates[0]).base64EncodedString(),
            signature: Data(signed.signature).base64EncodedString())
    }

    /// Checks the issuer's certificate (issued by the CA, not revoked now) and signature, then
    /// every record back to the node that reported it: the origin's certificate and signature over
    /// its header (as of its signing), the leaf's inclusion under the header's Merkle root at the
    /// record's seq, and — when the line is given — the line's digest and the fields shown.
    public func verify(trust: TrustStore, now: Date = Date()) throws(ReportRefusal) -> CreditReport {
        let bytes = Array(payload.utf8)
        let report: CreditReport
        do { report = try JSONDecoder().decode(CreditReport.self, from: Data(bytes)) } catch {
            throw ReportRefusal(.malformed, "the payload is not a credit report: \(error)")
        }
        guard report.format == CreditReport.format else {
            throw ReportRefusal(.malformed, "format \(report.format) is unknown; this reads \(CreditReport.format)")
        }
        guard let certificate = Data(base64Encoded: certificate), let signature = Data(base64Encoded: signature) else {
            throw ReportRefusal(.malformed, "the certificate or the signature is not base64")
        }
        do {
            _ = try SignatureTrailer.verify(
                certificates: [Array(certificate)], signature: Array(signature), signed: bytes[...], signer: report.issuer, trust: trust, now: now,
                what: "report \(report.number) by \(report.issuer)")
        } catch {
            switch error.code {
            case .revoked: throw ReportRefusal(.revokedIssuer, error.message)
            case .unknownCA, .expired, .badCertificate, .identityMismatch: throw ReportRefusal(.unknownCA, error.message)
            default: throw ReportRefusal(.badSignature, error.message)
            }
        }
        for (i, e) in report.entries.enumerated() {
            try Self.verify(entry: e, number: i + 1, trust: trust, now: now)
        }
        return report
    }

    static func verify(entry e: CreditReport.Entry, number i: Int, trust: TrustStore, now: Date) throws(ReportRefusal) {
        let what = "record \(i) (\(e.key))"
        guard let headerBytes = Data(base64Encoded: e.signedHeader).map(Array.init) else {
            throw ReportRefusal(.malformed, "\(what): the signed header cannot be read")
        }
        let signed: SignedHeader
        do {
            signed = try SignedHeader.decode(headerBytes)
            let h = signed.header
            _ = try SignatureTrailer.verify(
                certificates: signed.certificates, signature: signed.signature, signed: headerBytes[0..<signed.signedPrefixCount], signer: h.origin,
                trust: trust,
                now: now, what: "change set \(h.origin) \(h.firstSeq)…\(h.lastSeq)", signedAt: Date(timeIntervalSince1970: Double(h.createdAt) / 1000)
            )
        } catch {
            throw ReportRefusal(.originRefused, "\(what): the signed header of its origin is refused: \(error.description)")
        }
        let h = signed.header
        guard h.origin == e.origin, e.leafIndex >= 0, e.leafIndex < h.count, h.firstSeq + Int64(e.leafIndex) == e.seq else {
            throw ReportRefusal(
                .wrongProof, "\(what): \(e.origin) seq \(e.seq) is not leaf \(e.leafIndex) of change set \(h.origin) \(h.firstSeq)…\(h.lastSeq)")
        }
        guard let line = e.line else {
            // Redacted: the origin signed a change set holding this seq; its content is the issuer's word.
            guard e.redacted, e.leaf == nil, e.proof.isEmpty else {
                throw ReportRefusal(.malformed, "\(what): a redacted record carries a digest or a proof")
            }
            return
        }
        guard !e.redacted, let leafHex = e.leaf, let leaf = [UInt8](hex: leafHex), leaf.count == 32 else {
            throw ReportRefusal(.malformed, "\(what): a record with its line needs its 32-byte leaf digest")
        }
        var proof: [[UInt8]] = []
        for p in e.proof {
            guard let h = [UInt8](hex: p), h.count == 32 else { throw ReportRefusal(.malformed, "\(what): a proof hash is not 32 bytes of hex") }
            proof.append(h)
        }
        guard Merkle.root(leaf: leaf, index: e.leafIndex, count: h.count, proof: proof) == h.merkleRoot else {
            throw ReportRefusal(.wrongProof, "\(what): the inclusion proof does not lead to the origin's signed Merkle root")
        }
        guard Merkle.leaf(Array(line.utf8)) == leaf else {
            throw ReportRefusal(.alteredRecord, "\(what): the change line is not the one whose digest its origin signed")
        }
        guard let change = Array(line.utf8).withUnsafeBufferPointer({ Change.parseCanonical($0) }), change.origin == e.origin, change.seq == e.seq,
            change.key == e.key, change.kind == e.kind,
            let body = try? JSONSerialization.jsonObject(with: Data(change.body.utf8)) as? [String: String]
        else {
            throw ReportRefusal(.alteredRecord, "\(what): the change line does not name this record")
        }
        for f in e.fields where body[f.code] != f.value {
            throw ReportRefusal(.alteredRecord, "\(what): field \(f.label) (\(f.code)) shows a value its origin did not report")
        }
    }
}
