import CreditDomain
import Crypto
import Foundation
import SwiftASN1
import X509

/// The network's certificate authority: one P-256 key that vouches for every node.
/// Files: `ca.pem` (certificate) and `ca.key` (private key, mode 0600) in one directory.
public struct NetworkCA: Sendable {
    public let certificate: Certificate
    /// The private key's raw bytes (swift-crypto's key type is not `Sendable`).
    let keyBytes: Data
    // The bytes were taken from a valid key, so rebuilding it cannot fail.
    var key: P256.Signing.PrivateKey { try! P256.Signing.PrivateKey(rawRepresentation: keyBytes) }

    init(certificate: Certificate, key: P256.Signing.PrivateKey) {
        self.certificate = certificate
        self.keyBytes = key.rawRepresentation
    }

    /// A new CA valid for `validityDays` from `now`.
    public static func create(name: String = "CreditNet network CA", now: Date = Date(), validityDays: Int = 3650) throws -> NetworkCA {
        let key = P256.Signing.PrivateKey()
        let subject = try DistinguishedName {
            CountryName("CN")
            OrganizationName("CreditNet")
            CommonName(name)
        }
        let extensions = try Certificate.Extensions {
            Critical(BasicConstraints.isCertificateAuthority(maxPathLength: 0))
            Critical(KeyUsage(keyCertSign: true, cRLSign: true))
            SubjectKeyIdentifier(hash: Certificate.PublicKey(key.publicKey))
        }
        let certificate = try CanonicalSignature.canonicallySigned {
            try Certificate(
                version: .v3, serialNumber: Certificate.SerialNumber(), publicKey: Certificate.PublicKey(key.publicKey),
                notValidBefore: now.addingTimeInterval(-300), notValidAfter: now.addingTimeInterval(Double(validityDays) * 86_400),
                issuer: subject, subject: subject, signatureAlgorithm: .ecdsaWithSHA256, extensions: extensions,
                issuerPrivateKey: Certificate.PrivateKey(key))
        }
        return NetworkCA(certificate: certificate, key: key)
    }

    /// Issues a node certificate: the node's code in the SubjectAltName as
    /// `creditnet://node/CODE`, usable as TLS client and server, valid for `validityDays`.
    public func issue(code: DivisionCode, name: String? = nil, now: Date = Date(), validityDays: Int = 825) throws -> NodeIdentity {
        let key = P256.Signing.PrivateKey()
        let subject = try DistinguishedName {
            CountryName("CN")
            OrganizationName("CreditNet")
            OrganizationalUnitName(code.tier.name)
            CommonName(code.digits)
        }
        let extensions = try Certificate.Extensions {
            Critical(BasicConstraints.notCertificateAuthority)
            Critical(KeyUsage(digitalSignature: true, keyAgreement: true))
            try ExtendedKeyUsage([.serverAuth, .clientAuth])
            SubjectAlternativeNames([
                .uniformResourceIdentifier(NodeIdentity.uri(for: code)), .dnsName(NodeIdentity.hostName(for: code)),
            ])
            AuthorityKeyIdentifier(keyIdentifier: try certificate.extensions.subjectKeyIdentifier?.keyIdentifier)
        }
        _ = name
        return NodeIdentity(certificate: try sign(subject: subject, extensions: extensions, key: key, now: now, validityDays: validityDays), key: key, code: code)
    }

    /// A certificate for `key` signed by this CA (canonically: `CanonicalSignature`), valid from
    /// five minutes before `now` for `validityDays`, never beyond the CA's own certificate.
    func sign(subject: DistinguishedName, extensions: Certificate.Extensions, key: P256.Signing.PrivateKey, now: Date, validityDays: Int) throws -> Certificate {
        let notAfter = min(now.addingTimeInterval(Double(validityDays) * 86_400), certificate.notValidAfter)
        return try CanonicalSignature.canonicallySigned {
            try Certificate(
                version: .v3, serialNumber: Certificate.SerialNumber(), publicKey: Certificate.PublicKey(key.publicKey),
                notValidBefore: now.addingTimeInterval(-300), notValidAfter: notAfter, issuer: certificate.subject, subject: subject,
                signatureAlgorithm: .ecdsaWithSHA256, extensions: extensions, issuerPrivateKey: Certificate.PrivateKey(self.key))
        }
    }

    /// Signs a revocation list.
    public func sign(_ list: RevocationList.Content) throws -> RevocationList {
        let bytes = list.canonicalBytes()
        return RevocationList(content: list, signature: CanonicalSignature.encode(try key.signature(for: bytes)))
    }

    // MARK: Files

    public func write(to directory: URL) throws(PKIError) {
        try PKIFiles.writeCertificate(certificate, to: directory.appendingPathComponent("ca.pem"))
        try PKIFiles.writeKey(key, to: directory.appendingPathComponent("ca.key"))
    }

    public static func load(from directory: URL) throws(PKIError) -> NetworkCA {
        let (cert, key) = try PKIFiles.readPair(directory, name: "ca")
        return NetworkCA(certificate: cert, key: key)
    }
}

/// A node's certificate and private key. Files: `node.pem`, `node.key` (0600), and a copy of
/// the network's `ca.pem`.
public struct NodeIdentity: Sendable {
    public let certificate: Certificate
    private let signingKey: SigningKey
    public let code: DivisionCode
    /// The node's signing key (kept whole: rebuilding it from its bytes costs a scalar
    /// multiplication per signature).
    public var key: P256.Signing.PrivateKey { signingKey.key }

    init(certificate: Certificate, key: P256.Signing.PrivateKey, code: DivisionCode) {
        self.certificate = certificate
        self.signingKey = SigningKey(key)
        self.code = code
    }

    public static func uri(for code: DivisionCode) -> String { "creditnet://node/\(code.digits)" }

    /// The DNS name a node's certificate carries: a client connects to its parent under this
    /// name (the address mapped to the configured one), so TLS hostname verification checks that
    /// the server is the configured parent.
    public static func hostName(for code: DivisionCode) -> String { "n\(code.digits).node.creditnet" }

    /// The node code a certificate names in its SubjectAltName, if any.
    public static func code(of certificate: Certificate) -> DivisionCode? {
        CertificateHolder.of(certificate).flatMap { $0.role == .node ? $0.code : nil }
    }

    /// Writes `NAME.pem`, `NAME.key` (mode 0600) and the CA's `ca.pem`: `node` for a node,
    /// `client` for a department system or an operator.
    public func write(to directory: URL, ca: Certificate, name: String = "node") throws(PKIError) {
        try PKIFiles.writeCertificate(certificate, to: directory.appendingPathComponent("\(name).pem"))
        try PKIFiles.writeKey(key, to: directory.appendingPathComponent("\(name).key"))
        try PKIFiles.writeCertificate(ca, to: directory.appendingPathComponent("ca.pem"))
    }

    public static func load(from directory: URL) throws(PKIError) -> NodeIdentity {
        let (cert, key) = try PKIFiles.readPair(directory, name: "node")
        guard let code = code(of: cert) else {
            throw PKIError(.noIdentity, "\(directory.path)/node.pem names no node (no creditnet://node/CODE in its SubjectAltName)")
        }
        return NodeIdentity(certificate: cert, key: key, code: code)
    }
}

enum PKIFiles {
    static func writeCertificate(_ cert: Certificate, to url: URL) throws(PKIError) {
        do {
            let pem = try cert.serializeAsPEM().pemString
            try Data((pem + "\n").utf8).write(to: url, options: .atomic)
        } catch { throw PKIError(.file, "cannot write \(url.path): \(error)") }
    }

    static func writeKey(_ key: P256.Signing.PrivateKey, to url: URL) throws(PKIError) {
        // Created with mode 0600 before any key byte is written.
        let fd = open(url.path, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        guard fd >= 0 else { throw PKIError(.file, "cannot create \(url.path): \(String(cString: strerror(errno)))") }
        defer { close(fd) }
        _ = fchmod(fd, 0o600)
        let bytes = Array((key.pemRepresentation + "\n").utf8)
        let written = bytes.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
        guard written == bytes.count, fsync(fd) == 0 else { throw PKIError(.file, "cannot write \(url.path)") }
    }

    /// `NAME.pem` and `NAME.key` from `directory`, refused unless the key belongs to the certificate.
    static func readPair(_ directory: URL, name: String) throws(PKIError) -> (Certificate, P256.Signing.PrivateKey) {
        let cert = try readCertificate(directory.appendingPathComponent("\(name).pem"))
        let key = try readKey(directory.appendingPathComponent("\(name).key"))
        guard Certificate.PublicKey(key.publicKey) == cert.publicKey else {
            throw PKIError(.invalid, "\(directory.path)/\(name).key does not belong to \(directory.path)/\(name).pem")
        }
        return (cert, key)
    }

    static func readCertificate(_ url: URL) throws(PKIError) -> Certificate {
        let text: String
        do { text = try String(contentsOf: url, encoding: .utf8) } catch { throw PKIError(.file, "cannot read \(url.path): \(error.localizedDescription)") }
        do { return try Certificate(pemEncoded: text) } catch { throw PKIError(.invalid, "\(url.path) is not a PEM certificate") }
    }

    static func readKey(_ url: URL) throws(PKIError) -> P256.Signing.PrivateKey {
        let text: String
        do { text = try String(contentsOf: url, encoding: .utf8) } catch { throw PKIError(.file, "cannot read \(url.path): \(error.localizedDescription)") }
        do { return try P256.Signing.PrivateKey(pemRepresentation: text) } catch { throw PKIError(.invalid, "\(url.path) is not a PEM P-256 private key") }
    }
}

/// A private key that is never mutated after creation. `@unchecked Sendable`: swift-crypto's
/// key type is not marked Sendable, but BoringSSL signs with a const key from any thread.
final class SigningKey: @unchecked Sendable {
    let key: P256.Signing.PrivateKey
    init(_ key: P256.Signing.PrivateKey) { self.key = key }
}
