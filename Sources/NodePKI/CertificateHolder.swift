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
        /// A financial institution of the node's area (信易贷: a bank answering the businesses'
        /// requests for its products from its own system), by its credit code (`lenderCode`).
        case node, department, `operator`, institution
    }

    public var role: Role
    public var code: DivisionCode
    /// The department's, operator's or institution's name (the certificate's common name); nil for a node.
    public var name: String?
    /// The certificate's serial number, lowercase hex (as the revocation list names it).
    public var serial: String
    /// An institution's unified social credit code (`creditnet://lender/CODE`); nil for the other roles.
    public var lenderCode: String?

    public init(role: Role, code: DivisionCode, name: String?, serial: String, lenderCode: String? = nil) {
        self.role = role
        self.code = code
        self.name = name
        self.serial = serial
        self.lenderCode = lenderCode
    }

    /// `node 420102002201`, `department 江岸区市场监督管理局 of 420102002201`, `institution 江岸农商银行
    /// (91420102…) of 420102000000`; no key material, no personal ID.
    public var description: String {
        guard role != .node else { return "node \(code.digits)" }
        return "\(role.rawValue)\(name.map { " \($0)" } ?? "")\(lenderCode.map { " (\($0))" } ?? "") of \(code.digits)"
    }

    public static func uri(role: Role, code: DivisionCode) -> String { "creditnet://\(role.rawValue)/\(code.digits)" }

    /// The second name of an institution's certificate: its credit code.
    public static let lenderPrefix = "creditnet://lender/"

    /// The holder a certificate names, or nil when it names none of the roles (an institution's
    /// without its credit code names none).
    public static func of(_ certificate: Certificate) -> CertificateHolder? {
        guard let sans = try? certificate.extensions.subjectAlternativeNames else { return nil }
        let uris = sans.compactMap { san -> String? in
            guard case .uniformResourceIdentifier(let uri) = san else { return nil }
            return uri
        }
        let lender = uris.first { $0.hasPrefix(lenderPrefix) }.map { String($0.dropFirst(lenderPrefix.count)) }
        for uri in uris {
            for role in Role.allCases {
                let prefix = "creditnet://\(role.rawValue)/"
                guard uri.hasPrefix(prefix), let code = try? DivisionCode(String(uri.dropFirst(prefix.count))), code.digits.count == 12 else {
                    continue
                }
                let name = role == .node ? nil : certificate.subject.commonName
                if role == .institution {
                    guard let lender, lender.utf8.count == 18 else { return nil }
                    return CertificateHolder(
                        role: role, code: code, name: name, serial: RevocationList.hex(certificate.serialNumber), lenderCode: lender)
                }
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
    /// Issues a certificate to a department system, an operator or an institution of node `code`:
    /// the role and the code in the SubjectAltName (`creditnet://department/CODE`) — an
    /// institution's credit code beside them (`creditnet://lender/USCC`) — the name as common
    /// name, for TLS clients only (it serves nothing, and syncs nothing: `TrustStore.verify` wants a node).
    public func issue(
        role: CertificateHolder.Role, name: String, code: DivisionCode, lenderCode: String? = nil, now: Date = Date(), validityDays: Int = 825
    ) throws -> NodeIdentity {
        precondition(role != .node, "nodes are issued by issue(code:)")
        precondition((role == .institution) == (lenderCode != nil), "an institution's certificate, and only one, names its credit code")
        var names: [GeneralName] = [.uniformResourceIdentifier(CertificateHolder.uri(role: role, code: code))]
        if let lenderCode { names.append(.uniformResourceIdentifier(CertificateHolder.lenderPrefix + lenderCode)) }
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
            SubjectAlternativeNames(names)
            AuthorityKeyIdentifier(keyIdentifier: try certificate.extensions.subjectKeyIdentifier?.keyIdentifier)
        }
        return NodeIdentity(
            certificate: try sign(subject: subject, extensions: extensions, key: key, now: now, validityDays: validityDays), key: key, code: code)
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
            throw PKIError(
                .noIdentity,
                "certificate \(certificate.subject) names no node, department, operator or institution (creditnet://ROLE/CODE; an institution's with creditnet://lender/USCC)"
            )
        }
        if let entry = revocations?.entry(for: certificate), entry.revokedAt <= signedAt.map({ ChinaTime.milliseconds($0) }) ?? Int64.max {
            throw PKIError(.revoked, "the certificate of \(holder) has been revoked\(signedAt == nil ? "" : " (before this change set was signed)")")
        }
        return holder
    }
}
