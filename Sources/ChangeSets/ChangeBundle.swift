import CreditDomain
import Crypto
import Foundation
import NodePKI
import X509

/// What travels in one request or one file: change sets of several origins, each verbatim
/// with its origin's signature, and the sender's own signature over the whole.
///
/// Layout: `CNBD`, version (1 byte), sender code (12 ASCII digits), created-at (u64 ms),
/// change-set count (u32), each change set as u32 length + bytes, the sender's certificate
/// chain (u8 count, each u32 length + DER), and the sender's signature (u16 length + DER ECDSA
/// P-256 over every byte before the certificate chain).
public struct ChangeBundle: Sendable {
    public static let magic: [UInt8] = Array("CNBD".utf8)
    public static let version: UInt8 = 1

    public let sender: String
    public let createdAt: Int64
    public let changeSets: [ChangeSet]
    public let certificates: [[UInt8]]
    public let signature: [UInt8]
    public let encoded: [UInt8]
    let signedPrefixCount: Int

    public static func build(_ changeSets: [ChangeSet], identity: NodeIdentity, chain: [Certificate] = [], now: Date = Date()) throws -> ChangeBundle {
        var out = magic
        out.append(version)
        out.append(contentsOf: Array(identity.code.digits.utf8))
        let createdAt = ChinaTime.milliseconds(now)
        out.appendU64(createdAt)
        out.appendU32(changeSets.count)
        for c in changeSets {
            out.appendU32(c.encoded.count)
            out.append(contentsOf: c.encoded)
        }
        let prefix = out.count
        let signature = Array(try identity.key.signature(for: out).derRepresentation)
        let ders = try ([identity.certificate] + chain).map { try Array(DERCoding.serialize($0)) }
        out.append(UInt8(ders.count))
        for d in ders {
            out.appendU32(d.count)
            out.append(contentsOf: d)
        }
        out.appendU16(signature.count)
        out.append(contentsOf: signature)
        return ChangeBundle(
            sender: identity.code.digits, createdAt: createdAt, changeSets: changeSets, certificates: ders, signature: signature, encoded: out,
            signedPrefixCount: prefix)
    }

    public static func decode(_ bytes: [UInt8], limits: ChangeSetLimits = ChangeSetLimits()) throws(ChangeSetError) -> ChangeBundle {
        guard bytes.count <= limits.bundleBytesMax else { throw ChangeSetError(.oversized, "the bundle has \(bytes.count) bytes; the limit is \(limits.bundleBytesMax)") }
        guard bytes.count >= 5 else { throw ChangeSetError(.truncated, "the input has \(bytes.count) bytes; a bundle starts with 5") }
        var r = ByteReader(bytes)
        guard Array(try r.take(4, "magic")) == magic else { throw ChangeSetError(.badMagic, "the input is not a CreditNet bundle (no CNBD)") }
        let v = try r.u8("version")
        guard v == Int(version) else { throw ChangeSetError(.unknownVersion, "bundle format version \(v) is unknown; this node reads version \(version)") }
        let senderBytes = Array(try r.take(12, "sender code"))
        let sender = String(decoding: senderBytes, as: UTF8.self)
        guard (try? DivisionCode(sender))?.digits == sender else { throw ChangeSetError(.badHeader, "the bundle names no 12-digit sender") }
        let createdAt = try r.u64("creation time")
        let count = try r.u32("change-set count")
        guard count <= limits.changeSetsPerBundleMax else {
            throw ChangeSetError(.oversized, "the bundle announces \(count) change sets; the limit is \(limits.changeSetsPerBundleMax)")
        }
        var sets: [ChangeSet] = []
        for i in 0..<count {
            let n = try r.length32("change set \(i + 1)", limit: limits.bodyBytesMax + limits.headerBytesMax + 64 * 1024)
            let bytes = Array(try r.take(n, "change set \(i + 1)"))
            do { sets.append(try ChangeSet.decode(bytes, limits: limits)) } catch {
                throw ChangeSetError(error.code, "change set \(i + 1) of \(count): \(error.message)")
            }
        }
        let prefix = r.offset
        let certCount = try r.u8("certificate count")
        guard (1...limits.certificatesMax).contains(certCount) else {
            throw ChangeSetError(certCount == 0 ? .badCertificate : .oversized, "the bundle carries \(certCount) certificates; 1…\(limits.certificatesMax) are allowed")
        }
        var certs: [[UInt8]] = []
        for i in 0..<certCount { certs.append(Array(try r.take(try r.length32("certificate \(i + 1)", limit: limits.certificateBytesMax), "certificate \(i + 1)"))) }
        let sigCount = try r.u16("signature length")
        guard sigCount <= limits.signatureBytesMax else { throw ChangeSetError(.oversized, "the signature announces \(sigCount) bytes") }
        let signature = Array(try r.take(sigCount, "signature"))
        guard r.remaining == 0 else { throw ChangeSetError(.trailingBytes, "\(r.remaining) bytes follow the bundle's signature") }
        return ChangeBundle(sender: sender, createdAt: createdAt, changeSets: sets, certificates: certs, signature: signature, encoded: bytes, signedPrefixCount: prefix)
    }

    /// Checks the sender's certificate and signature, then every change set on its own
    /// (the origin's certificate and signature included). All or nothing.
    public func verify(trust: TrustStore, now: Date = Date(), limits: ChangeSetLimits = ChangeSetLimits()) throws(ChangeSetError) -> [ChangeSet.Verified] {
        let certificate = try ChangeSet.trusted(certificates, trust: trust, now: now, expected: sender)
        guard let key = P256.Signing.PublicKey(certificate.publicKey), let sig = try? P256.Signing.ECDSASignature(derRepresentation: signature),
            key.isValidSignature(sig, for: encoded[0..<signedPrefixCount])
        else {
            throw ChangeSetError(.badSignature, "the bundle's signature by \(sender) does not verify")
        }
        // Change sets verify independently: spread them over the cores.
        let results = ResultSlots(count: changeSets.count)
        let sets = changeSets
        DispatchQueue.concurrentPerform(iterations: sets.count) { i in
            do throws(ChangeSetError) { results.set(i, .success(try sets[i].verify(trust: trust, now: now, limits: limits))) } catch {
                results.set(i, .failure(error))
            }
        }
        var verified: [ChangeSet.Verified] = []
        verified.reserveCapacity(sets.count)
        for (i, r) in results.values.enumerated() {
            switch r {
            case .success(let v): verified.append(v)
            case .failure(let error):
                let c = sets[i]
                throw ChangeSetError(error.code, "change set \(i + 1) of \(sets.count) (origin \(c.header.origin), seq \(c.header.firstSeq)…\(c.header.lastSeq)): \(error.message)")
            case nil: throw ChangeSetError(.badBody, "change set \(i + 1) was not verified")
            }
        }
        return verified
    }
}

/// One result slot per change set, filled from several threads at distinct indices.
///
/// `@unchecked Sendable`: every access holds `lock`.
final class ResultSlots: @unchecked Sendable {
    private let lock = NSLock()
    private var slots: [Result<ChangeSet.Verified, ChangeSetError>?]

    init(count: Int) { slots = Array(repeating: nil, count: count) }

    func set(_ i: Int, _ r: Result<ChangeSet.Verified, ChangeSetError>) {
        lock.lock()
        slots[i] = r
        lock.unlock()
    }

    var values: [Result<ChangeSet.Verified, ChangeSetError>?] {
        lock.lock()
        defer { lock.unlock() }
        return slots
    }
}
