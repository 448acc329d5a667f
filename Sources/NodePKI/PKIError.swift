/// Why a certificate, key or revocation list was refused. Messages name files and node codes,
/// never key material.
public struct PKIError: Error, Hashable, Sendable, CustomStringConvertible {
    public enum Code: String, Sendable {
        case unknownCA = "unknown-ca"
        case badSignature = "certificate-bad-signature"
        case expired = "certificate-expired"
        case notYetValid = "certificate-not-yet-valid"
        case revoked = "certificate-revoked"
        case noIdentity = "certificate-no-identity"
        case file = "pki-file"
        case invalid = "pki-invalid"
    }

    public var code: Code
    public var message: String

    public init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }

    public var description: String { message }
}
