import Foundation
import Crypto
import NodePKI
import X509

/// What ends a change set and a bundle alike: the signer's certificate (u8 count, always 1, then
/// u32 length + DER) and an ECDSA P-256 signature (u16 length + canonical DER, low S) over the
/// signed prefix. The network CA issues every node certificate directly, so the receiver, who
/// holds the CA, needs nothing else: a second certificate would be bytes nobody signed.
enum SignatureTrailer {
    /// Signs `signed` with the identity's key and appends certificate and signature to `out`.
    static func append(to out: inout [UInt8], signed: some Sequence<UInt8> & DataProtocol, identity: NodeIdentity) throws -> (certificates: [[UInt8]], signature: [UInt8]) {
        let signature = CanonicalSignature.encode(try identity.key.signature(for: signed))
        let ders = [try Array(DERCoding.serialize(identity.certificate))]
        out.append(UInt8(ders.count))
        for d in ders {
            out.appendU32(d.count)
            out.append(contentsOf: d)
        }
        out.appendU16(signature.count)
        out.append(contentsOf: signature)
        return (ders, signature)
    }

    /// Reads chain and signature, refusing anything after them. `what` names the input in errors.
    static func read(_ r: inout ByteReader, limits: ChangeSetLimits, what: String) throws(ChangeSetError) -> (certificates: [[UInt8]], signature: [UInt8]) {
        let count = try r.u8("certificate count")
        guard count == 1 else {
            throw ChangeSetError(
                .badCertificate, "the \(what) carries \(count) certificates; exactly one is allowed: the signer's, issued by the network CA directly")
        }
        var certificates: [[UInt8]] = []
        for i in 0..<count {
            certificates.append(Array(try r.take(try r.length32("certificate \(i + 1)", limit: limits.certificateBytesMax), "certificate \(i + 1)")))
        }
        let n = try r.u16("signature length")
        guard n <= limits.signatureBytesMax else { throw ChangeSetError(.oversized, "the signature announces \(n) bytes") }
        let signature = Array(try r.take(n, "signature"))
        guard r.remaining == 0 else { throw ChangeSetError(.trailingBytes, "\(r.remaining) bytes follow the \(what)'s signature") }
        return (certificates, signature)
    }

    /// Checks the signer's certificate against the trust store and the signature over `signed`.
    static func verify(
        certificates: [[UInt8]], signature: [UInt8], signed: ArraySlice<UInt8>, signer: String, trust: TrustStore, now: Date, what: String,
        signedAt: Date? = nil
    ) throws(ChangeSetError) -> Certificate {
        let certificate = try ChangeSet.trusted(certificates, trust: trust, now: now, expected: signer, signedAt: signedAt)
        // Small signed regions (headers) are remembered once verified: the same bytes under the
        // same certificate and signature verify the same way again.
        var digest: [UInt8]?
        if signed.count <= VerificationMemo.signedBytesMax {
            var h = SHA256()
            h.update(data: certificates[0])
            h.update(data: signature)
            h.update(data: signed)
            digest = Array(h.finalize())
            if trust.memo.knowsSignature(digest!) { return certificate }
        }
        let sig: P256.Signing.ECDSASignature
        switch CanonicalSignature.parse(signature) {
        case .success(let s): sig = s
        case .failure(let refusal): throw ChangeSetError(.badSignature, "the signature of \(what) is refused: \(refusal)")
        }
        guard let key = P256.Signing.PublicKey(certificate.publicKey), key.isValidSignature(sig, for: signed) else {
            throw ChangeSetError(.badSignature, "the signature of \(what) does not verify")
        }
        if let digest { trust.memo.rememberSignature(digest) }
        return certificate
    }
}

/// One result per index, filled from several threads. `@unchecked Sendable`: every access holds `lock`.
final class ResultSlots<Value: Sendable, Failure: Error>: @unchecked Sendable {
    private let lock = NSLock()
    private var slots: [Result<Value, Failure>?]

    init(count: Int) { slots = Array(repeating: nil, count: count) }

    func set(_ i: Int, _ r: Result<Value, Failure>) {
        lock.lock()
        slots[i] = r
        lock.unlock()
    }

    var values: [Result<Value, Failure>?] {
        lock.lock()
        defer { lock.unlock() }
        return slots
    }
}
