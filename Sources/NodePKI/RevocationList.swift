import CreditDomain
import Crypto
import Foundation
import X509

/// The network's list of revoked node certificates, signed by the CA. A node holding it refuses
/// the revoked certificates. File: canonical JSON `{"content":{…},"signature":"<base64 DER>"}`.
public struct RevocationList: Sendable, Hashable {
    public struct Entry: Sendable, Hashable, Codable {
        public var code: String
        /// The certificate's serial number in hex.
        public var serial: String
        public var revokedAt: Int64
        public var reason: String
    }

    public struct Content: Sendable, Hashable, Codable {
        public var version: Int
        public var issuedAt: Int64
        public var entries: [Entry]

        public init(version: Int = 1, issuedAt: Int64, entries: [Entry] = []) {
            self.version = version
            self.issuedAt = issuedAt
            self.entries = entries
        }

        /// The bytes the CA signs: canonical JSON (keys sorted, no whitespace).
        public func canonicalBytes() -> [UInt8] {
            var out = "{\"entries\":["
            for (i, e) in entries.enumerated() {
                if i > 0 { out += "," }
                out += "{\"code\":" + CanonicalJSON.string(e.code) + ",\"reason\":" + CanonicalJSON.string(e.reason)
                out += ",\"revokedAt\":\(e.revokedAt),\"serial\":" + CanonicalJSON.string(e.serial) + "}"
            }
            out += "],\"issuedAt\":\(issuedAt),\"version\":\(version)}"
            return Array(out.utf8)
        }
    }

    public var content: Content
    public var signature: [UInt8]

    /// Whether a certificate is on the list (by serial number).
    public func isRevoked(_ certificate: Certificate) -> Bool { entry(for: certificate) != nil }

    /// The list's entry for a certificate, if it is revoked.
    public func entry(for certificate: Certificate) -> Entry? {
        let serial = Self.hex(certificate.serialNumber)
        return content.entries.first { $0.serial == serial }
    }

    public static func hex(_ serial: Certificate.SerialNumber) -> String {
        serial.bytes.map { String(format: "%02x", $0) }.joined()
    }

    /// Checks the CA's signature.
    public func verify(ca: Certificate) throws(PKIError) {
        guard case .success(let sig) = CanonicalSignature.parse(signature),
            let key = P256.Signing.PublicKey(ca.publicKey), key.isValidSignature(sig, for: content.canonicalBytes())
        else {
            throw PKIError(.badSignature, "the revocation list is not signed by the network CA")
        }
    }

    public func fileBytes() -> [UInt8] {
        Array(("{\"content\":" + String(decoding: content.canonicalBytes(), as: UTF8.self) + ",\"signature\":\"" + Data(signature).base64EncodedString() + "\"}\n").utf8)
    }

    public static func parse(_ bytes: [UInt8], source: String) throws(PKIError) -> RevocationList {
        struct File: Decodable {
            var content: Content
            var signature: String
        }
        guard let file = try? JSONDecoder().decode(File.self, from: Data(bytes)), let sig = Data(base64Encoded: file.signature) else {
            throw PKIError(.invalid, "\(source) is not a CreditNet revocation list")
        }
        // One form only (the one `pki revoke` writes, newline included): the bytes travel as
        // control data and are compared and hashed as they are.
        let list = RevocationList(content: file.content, signature: Array(sig))
        guard list.fileBytes() == bytes else {
            throw PKIError(.invalid, "\(source) is not in the revocation list's canonical form (as `credit-node pki revoke` writes it); copy the CA's file unchanged")
        }
        return list
    }

    public static func load(_ url: URL) throws(PKIError) -> RevocationList {
        let data: Data
        do { data = try Data(contentsOf: url) } catch { throw PKIError(.file, "cannot read \(url.path): \(error.localizedDescription)") }
        return try parse(Array(data), source: url.path)
    }
}

extension NetworkCA {
    /// Adds a node's certificate to the revocation list in `directory/revoked.json` (creating
    /// it) and signs the new list.
    public func revoke(_ certificate: Certificate, reason: String, in directory: URL, now: Date = Date()) throws -> RevocationList {
        let url = directory.appendingPathComponent("revoked.json")
        var content = RevocationList.Content(issuedAt: ChinaTime.milliseconds(now))
        if FileManager.default.fileExists(atPath: url.path) {
            let existing = try RevocationList.load(url)
            try existing.verify(ca: self.certificate)
            content.entries = existing.content.entries
            content.version = existing.content.version + 1
        }
        let serial = RevocationList.hex(certificate.serialNumber)
        if !content.entries.contains(where: { $0.serial == serial }) {
            content.entries.append(.init(code: NodeIdentity.code(of: certificate)?.digits ?? "", serial: serial, revokedAt: ChinaTime.milliseconds(now), reason: reason))
        }
        let list = try sign(content)
        try Data(list.fileBytes()).write(to: url, options: .atomic)
        return list
    }
}

/// What a node trusts: the network CA and, if it has one, the CA's revocation list.
public struct TrustStore: Sendable {
    public let ca: Certificate
    public let revocations: RevocationList?
    /// What this trust store has verified already (see `VerificationMemo`).
    public let memo: VerificationMemo

    public init(ca: Certificate, revocations: RevocationList? = nil) throws(PKIError) {
        try self.init(ca: ca, revocations: revocations, memo: VerificationMemo())
    }

    /// Checks that `certificate` was issued by the network CA, is valid at `now`, is not
    /// revoked, and names a node; returns that node's code.
    ///
    /// With `signedAt` — a change set forwarded by another node, which verified it when it arrived
    /// — the certificate is judged at the time its origin signed the set (the header's `createdAt`):
    /// valid then, and not revoked before then (the list's `revokedAt`). What the network accepted
    /// before a revocation stays valid; the revoked node's own uploads are judged at `now`.
    public func verify(_ certificate: Certificate, now: Date = Date(), signedAt: Date? = nil) throws(PKIError) -> DivisionCode {
        let holder = try holder(certificate, now: now, signedAt: signedAt)
        guard holder.role == .node else {
            throw PKIError(.noIdentity, "certificate \(certificate.subject) names no node (no creditnet://node/CODE): it is \(holder)'s")
        }
        return holder.code
    }

    /// A trust store with its own memo, or one shared by several stores that trust the same CA
    /// and the same revocation list (the simulator's nodes).
    public init(ca: Certificate, revocations: RevocationList? = nil, memo: VerificationMemo) throws(PKIError) {
        try revocations?.verify(ca: ca)
        self.ca = ca
        self.revocations = revocations
        self.memo = memo
    }

    /// Checks the validity period only.
    public func checkValidity(_ certificate: Certificate, now: Date) throws(PKIError) {
        guard now >= certificate.notValidBefore else {
            throw PKIError(.notYetValid, "certificate \(certificate.subject) is not valid before \(certificate.notValidBefore)")
        }
        guard now <= certificate.notValidAfter else {
            throw PKIError(.expired, "certificate \(certificate.subject) expired on \(certificate.notValidAfter)")
        }
    }
}
