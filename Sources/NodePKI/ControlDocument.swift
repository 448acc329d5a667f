import Crypto
import Foundation
import X509

/// Control data that flows down the network, signed by the network CA: the revocation list,
/// the record catalogue, the holiday calendars and the division directory (行政区划名录). A node installs a document only if the CA's
/// signature verifies, so a parent can carry it but never forge it.
///
/// Names: `revoked.json` (signed in its own format, see `RevocationList`), `catalogue.json`,
/// `divisions.json` and `calendars/YYYY.json` (signed by a detached `NAME.sig`: base64 DER ECDSA P-256 over the
/// UTF-8 name, a zero byte, and the content).
public struct ControlDocument: Sendable, Hashable {
    public var name: String
    public var content: [UInt8]
    /// Empty for `revoked.json`, whose signature is inside it.
    public var signature: [UInt8]

    public init(name: String, content: [UInt8], signature: [UInt8]) {
        self.name = name
        self.content = content
        self.signature = signature
    }

    /// Whether a name is one this network distributes.
    public static func isKnown(_ name: String) -> Bool {
        if name == "revoked.json" || name == "catalogue.json" || name == "divisions.json" { return true }
        let parts = name.split(separator: "/")
        guard parts.count == 2, parts[0] == "calendars", parts[1].hasSuffix(".json") else { return false }
        let year = parts[1].dropLast(5)
        return year.count == 4 && year.allSatisfy(\.isASCII) && year.allSatisfy(\.isNumber)
    }

    static func signedBytes(name: String, content: [UInt8]) -> [UInt8] { Array(name.utf8) + [0] + content }

    /// Checks the CA's signature (for the revocation list, its own).
    public func verify(ca: Certificate) throws(PKIError) {
        guard Self.isKnown(name) else { throw PKIError(.invalid, "'\(name)' is not a control document of this network") }
        if name == "revoked.json" {
            try RevocationList.parse(content, source: name).verify(ca: ca)
            return
        }
        guard let key = P256.Signing.PublicKey(ca.publicKey), case .success(let sig) = CanonicalSignature.parse(signature),
            key.isValidSignature(sig, for: Self.signedBytes(name: name, content: content))
        else { throw PKIError(.badSignature, "control document \(name) is not signed by the network CA") }
    }

    /// Reads the documents present in a control directory (content and `.sig`); unsigned files are skipped.
    public static func load(from directory: URL) -> [ControlDocument] {
        var names = ["revoked.json", "catalogue.json", "divisions.json"]
        let calendars = directory.appendingPathComponent("calendars")
        if let files = try? FileManager.default.contentsOfDirectory(atPath: calendars.path) {
            names += files.filter { $0.hasSuffix(".json") }.sorted().map { "calendars/\($0)" }
        }
        return names.compactMap { name in
            guard let content = FileManager.default.contents(atPath: directory.appendingPathComponent(name).path) else { return nil }
            if name == "revoked.json" { return ControlDocument(name: name, content: Array(content), signature: []) }
            guard let sigText = FileManager.default.contents(atPath: directory.appendingPathComponent(name + ".sig").path),
                let sig = Data(base64Encoded: String(decoding: sigText, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines))
            else { return nil }
            return ControlDocument(name: name, content: Array(content), signature: Array(sig))
        }
    }

    /// Writes the document and its detached signature (`NAME.sig`, base64) into a control
    /// directory, as a node reads them (`load`); returns the document's path.
    @discardableResult
    public func write(into directory: URL) throws -> URL {
        let target = directory.appendingPathComponent(name)
        try FileManager.default.createDirectory(at: target.deletingLastPathComponent(), withIntermediateDirectories: true)
        try Data(content).write(to: target, options: .atomic)
        try Data(Data(signature).base64EncodedString().utf8).write(to: URL(fileURLWithPath: target.path + ".sig"), options: .atomic)
        return target
    }

    /// A digest of a set of documents: equal digests, nothing to send.
    public static func digest(_ documents: [ControlDocument]) -> String {
        var h = SHA256()
        for d in documents.sorted(by: { $0.name < $1.name }) {
            h.update(data: Array(d.name.utf8) + [0])
            h.update(data: Array(SHA256.hash(data: d.content)))
        }
        return h.finalize().map { String(format: "%02x", $0) }.joined()
    }
}

extension NetworkCA {
    /// Signs a control document (not the revocation list, which `revoke` signs).
    public func signControl(name: String, content: [UInt8]) throws -> ControlDocument {
        guard ControlDocument.isKnown(name), name != "revoked.json" else {
            throw PKIError(.invalid, "'\(name)' cannot be signed as control data; use catalogue.json, divisions.json or calendars/YYYY.json")
        }
        let sig = try key.signature(for: ControlDocument.signedBytes(name: name, content: content))
        return ControlDocument(name: name, content: content, signature: CanonicalSignature.encode(sig))
    }
}
