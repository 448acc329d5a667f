import CreditDomain
import Crypto
import Foundation
import SwiftASN1
import X509

/// Who holds a certificate of the network's CA, from its SubjectAltName
/// (`creditnet://ROLE/CODE`) and, for people and systems, its common name:
/// - `node`: a node (`creditnet://node/CODE`): syncs with its parent and children; writes no records;
/// - `department`: a department system reporting to node CODE (`pki issue --department NAME`):
///   writes records and status changes on that node's records listener;
/// - `operator`: a credit office's operator at node CODE (`pki issue --operator NAME`): status
///   changes, records, and the operator pages.
public struct CertificateHolder: Sendable, Hashable, CustomStringConvertible {
    public enum Role: String, Sendable, Hashable, CaseIterable {
        case node, department, `operator`
    }

    public var role: Role
    public var code: DivisionCode
    /// The department's or operator's name (the certificate's common name); nil for a node.
    public var name: String?
    /// The certificate's serial number, lowercase hex (as the revocation list names it).
    public var serial: String

    public init(role: Role, code: DivisionCode, name: String?, serial: String) {
        self.role = role
        self.code = code
        self.name = name
        self.serial = serial
    }

    /// `node 420102002201`, `department 江岸区市场监督管理局 of 420102002201`; no key material, no personal ID.
    public var description: String { role == .node ? "node \(code.digits)" : "\(role.rawValue)\(name.map { " \($0)" } ?? "") of \(code.digits)" }

    public static func uri(role: Role, code: DivisionCode) -> String { "creditnet://\(role.rawValue)/\(code.digits)" }

    /// The holder a certificate names, or nil when it names none of the three roles.
    public static func of(_ certificate: Certificate) -> CertificateHolder? {
        guard let sans = try? certificate.extensions.subjectAlternativeNames else { return nil }
        for san in sans {
            guard case .uniformResourceIdentifier(let uri) = san else { continue }
            for role in Role.allCases {
                let prefix = "creditnet://\(role.rawValue)/"
                guard uri.hasPrefix(prefix), let code = try? DivisionCode(String(uri.dropFirst(prefix.count))), code.digits.count == 12 else { continue }
                let name = role == .node ? nil : certificate.subject.commonName
                return CertificateHolder(role: role, code: code, name: name, serial: RevocationList.hex(certificate.serialNumber))
            }
        }
        return nil
    }
}

extension DistinguishedName {
    /// The first common name, if any.
    var commonName: String? {
        for rdn in self {
            for attribute in rdn where attribute.type == .RDNAttributeType.commonName {
                return String(describing: attribute.value)
            }
        }
        return nil
    }
}

extension NetworkCA {
    /// Issues a certificate to a department system or an operator of node `code`: the role and
    /// the code in the SubjectAltName (`creditnet://department/CODE`), the name as common name,
    /// for TLS clients only (it serves nothing, and syncs nothing: `TrustStore.verify` wants a node).
    public func issue(role: CertificateHolder.Role, name: String, code: DivisionCode, now: Date = Date(), validityDays: Int = 825) throws -> NodeIdentity {
        precondition(role != .node, "nodes are issued by issue(code:)")
        let key = P256.Signing.PrivateKey()
        let subject = try DistinguishedName {
            CountryName("CN")
            OrganizationName("CreditNet")
            OrganizationalUnitName(role.rawValue)
            CommonName(name)
        }
        let extensions = try Certificate.Extensions {
            Critical(BasicConstraints.notCertificateAuthority)
            Critical(KeyUsage(digitalSignature: true, keyAgreement: true))
            try ExtendedKeyUsage([.clientAuth])
            SubjectAlternativeNames([.uniformResourceIdentifier(CertificateHolder.uri(role: role, code: code))])
            AuthorityKeyIdentifier(keyIdentifier: try certificate.extensions.subjectKeyIdentifier?.keyIdentifier)
        }
        return NodeIdentity(certificate: try sign(subject: subject, extensions: extensions, key: key, now: now, validityDays: validityDays), key: key, code: code)
    }
}

extension TrustStore {
    /// Checks that `certificate` was issued by the network CA, is valid and not revoked, and
    /// names a holder (`CertificateHolder`); returns it. `verify` is the same for nodes only.
    /// With `signedAt` (a set forwarded by another node), validity and revocation are judged as
    /// of that time (see `verify`).
    public func holder(_ certificate: Certificate, now: Date = Date(), signedAt: Date? = nil) throws(PKIError) -> CertificateHolder {
        guard certificate.issuer == ca.subject, ca.publicKey.isValidSignature(certificate.signature, for: certificate) else {
            throw PKIError(.unknownCA, "certificate \(certificate.subject) was not issued by this network's CA")
        }
        try checkValidity(certificate, now: signedAt ?? now)
        guard let holder = CertificateHolder.of(certificate) else {
            throw PKIError(.noIdentity, "certificate \(certificate.subject) names no node, department or operator (creditnet://ROLE/CODE)")
        }
        if let entry = revocations?.entry(for: certificate), entry.revokedAt <= signedAt.map({ ChinaTime.milliseconds($0) }) ?? Int64.max {
            throw PKIError(.revoked, "the certificate of \(holder) has been revoked\(signedAt == nil ? "" : " (before this change set was signed)")")
        }
        return holder
    }
}
