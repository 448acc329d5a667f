import CreditDomain
import Synchronization
import X509

/// What a trust store has verified, so that the same bytes are not verified twice: certificates
/// by their DER bytes (the CA's signature, identity and revocation give the same answer for the
/// same store; the validity period is checked again every time), and small signed regions — a
/// change set's header, a signed header passed down — by the SHA-256 of certificate, signature
/// and signed bytes. A signature over the same bytes by the same key verifies the same way every
/// time; any other bytes (a corrupted copy) are verified afresh. Bounded: cleared when full.
public final class VerificationMemo: Sendable {
    /// Bytes as a dictionary key, hashed in one call rather than byte by byte.
    private struct Bytes: Hashable {
        let bytes: [UInt8]
        func hash(into hasher: inout Hasher) { bytes.withUnsafeBytes { hasher.combine(bytes: $0) } }
    }

    private struct State {
        var certificates: [Bytes: (certificate: Certificate, code: DivisionCode)] = [:]
        var signatures: Set<Bytes> = []
    }
    private let state = Mutex(State())
    static let capacity = 1_000_000
    /// Signed regions up to this size are remembered (hashing more would cost more than the check).
    public static let signedBytesMax = 8192

    public init() {}

    public func certificate(_ der: [UInt8]) -> (certificate: Certificate, code: DivisionCode)? { state.withLock { $0.certificates[Bytes(bytes: der)] } }

    public func remember(_ der: [UInt8], _ certificate: Certificate, code: DivisionCode) {
        state.withLock {
            if $0.certificates.count >= Self.capacity { $0.certificates.removeAll() }
            $0.certificates[Bytes(bytes: der)] = (certificate, code)
        }
    }

    public func knowsSignature(_ digest: [UInt8]) -> Bool { state.withLock { $0.signatures.contains(Bytes(bytes: digest)) } }

    public func rememberSignature(_ digest: [UInt8]) {
        state.withLock {
            if $0.signatures.count >= Self.capacity { $0.signatures.removeAll() }
            $0.signatures.insert(Bytes(bytes: digest))
        }
    }
}
