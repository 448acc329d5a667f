import CreditDomain
import Foundation
import X509

extension NetworkCA {
    /// Issues a certificate and keeps a copy in `caDirectory/issued/CODE-SERIAL.pem`, so that
    /// every certificate a node ever received can be revoked by its code.
    public func issueRecorded(code: DivisionCode, caDirectory: URL, now: Date = Date(), validityDays: Int = 825) throws -> NodeIdentity {
        let identity = try issue(code: code, now: now, validityDays: validityDays)
        let issued = caDirectory.appendingPathComponent("issued")
        try FileManager.default.createDirectory(at: issued, withIntermediateDirectories: true)
        try PKIFiles.writeCertificate(
            identity.certificate, to: issued.appendingPathComponent("\(code.digits)-\(RevocationList.hex(identity.certificate.serialNumber)).pem"))
        return identity
    }

    /// Issues a department's, operator's or institution's certificate (`issue(role:name:code:)`) and keeps a copy
    /// with the node's, so that revoking by code revokes it too.
    public func issueRecorded(
        role: CertificateHolder.Role, name: String, code: DivisionCode, lenderCode: String? = nil, caDirectory: URL, now: Date = Date(),
        validityDays: Int = 825
    ) throws -> NodeIdentity {
        let identity = try issue(role: role, name: name, code: code, lenderCode: lenderCode, now: now, validityDays: validityDays)
        let issued = caDirectory.appendingPathComponent("issued")
        try FileManager.default.createDirectory(at: issued, withIntermediateDirectories: true)
        try PKIFiles.writeCertificate(
            identity.certificate, to: issued.appendingPathComponent("\(code.digits)-\(RevocationList.hex(identity.certificate.serialNumber)).pem"))
        return identity
    }

    /// Every certificate issued to `code`, from `caDirectory/issued`.
    public static func issuedCertificates(code: DivisionCode, caDirectory: URL) throws(PKIError) -> [Certificate] {
        let issued = caDirectory.appendingPathComponent("issued")
        let names = (try? FileManager.default.contentsOfDirectory(atPath: issued.path)) ?? []
        var out: [Certificate] = []
        for name in names.sorted() where name.hasPrefix(code.digits + "-") && name.hasSuffix(".pem") {
            out.append(try PKIFiles.readCertificate(issued.appendingPathComponent(name)))
        }
        return out
    }
}
