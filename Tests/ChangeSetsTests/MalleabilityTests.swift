import CreditDomain
import Crypto
import Foundation
import NodePKI
import TestSupport
import SyncCore
import Testing
import SwiftASN1
import X509

@testable import ChangeSets

/// Bytes no signature covers: a bundle's or change set's trailer (certificates, signature) must
/// have exactly one accepted form, and what a receiver can judge from a bundle's bytes alone it
/// judges in `verify` — which `import` and `inspect` both call.
@Suite("Malleability and bundle composition")
struct MalleabilityTests {
    let net: Network
    init() throws { net = try Network() }

    /// `signed` followed by a trailer of the given certificates and signature.
    static func trailer(_ signed: ArraySlice<UInt8>, certificates: [[UInt8]], signature: [UInt8]) -> [UInt8] {
        var out = Array(signed)
        out.append(UInt8(certificates.count))
        for c in certificates {
            out.appendU32(c.count)
            out.append(contentsOf: c)
        }
        out.appendU16(signature.count)
        out.append(contentsOf: signature)
        return out
    }

    func bundle() throws -> ChangeBundle {
        var rng = Rng(state: 4)
        let v = try ChangeSet.build(changes: net.changes(count: 20, rng: &rng), previousHash: [], identity: net.village)
        return try ChangeBundle.build([v], identity: net.township)
    }

    func verifyBundle(_ bytes: [UInt8]) -> ChangeSetError.Code? { refusal { _ = try ChangeBundle.decode(bytes).verify(trust: net.trust) } }

    @Test func signaturesAreLowSAndCanonicalDER() throws {
        // Whatever the nonce, a signature comes out low-S and parses back; its flipped twin (r, n − s) is refused.
        let key = P256.Signing.PrivateKey()
        for i in 0..<40 {
            let der = CanonicalSignature.encode(try key.signature(for: Array("message \(i)".utf8)))
            guard case .success(let sig) = CanonicalSignature.parse(der) else {
                Issue.record("refused its own signature")
                continue
            }
            #expect(key.publicKey.isValidSignature(sig, for: Array("message \(i)".utf8)))
            let flipped = try #require(CanonicalSignature.flipped(der))
            #expect(Self.signatureRefusal(flipped) == .highS)
            // swift-crypto itself accepts the twin: the refusal is ours.
            #expect(key.publicKey.isValidSignature(try P256.Signing.ECDSASignature(derRepresentation: flipped), for: Array("message \(i)".utf8)))
            // A non-minimal encoding of the same integers (a needless leading zero on r).
            var padded = der
            padded.insert(0x00, at: 4)
            padded[3] += 1
            padded[1] += 1
            #expect(Self.signatureRefusal(padded) == .notDER)
        }
    }

    @Test func aBundleOrSetWithAnotherTrailerIsRefused() throws {
        let b = try bundle()
        #expect(verifyBundle(b.encoded) == nil)
        let signed = b.encoded[0..<b.signedPrefixCount]
        let certificate = b.certificates[0]
        // k 1 → 2: a junk certificate after the sender's, or the sender's twice; k = 0.
        #expect(
            verifyBundle(Self.trailer(signed, certificates: [certificate, Array(repeating: 0x30, count: 40)], signature: b.signature))
                == .badCertificate)
        #expect(verifyBundle(Self.trailer(signed, certificates: [certificate, certificate], signature: b.signature)) == .badCertificate)
        #expect(refusal { _ = try ChangeBundle.decode(Self.trailer(signed, certificates: [], signature: b.signature)) } == .badCertificate)
        // The sender's signature re-encoded as (r, n − s).
        let flipped = try #require(CanonicalSignature.flipped(b.signature))
        #expect(verifyBundle(Self.trailer(signed, certificates: [certificate], signature: flipped)) == .badSignature)
        // The same for the origin's change set inside the bundle.
        let set = b.changeSets[0]
        // A change set's signature covers its header; its body comes before the trailer.
        let trailerBytes = 1 + set.certificates.reduce(0) { $0 + 4 + $1.count } + 2 + set.signature.count
        let setSigned = set.encoded[0..<(set.encoded.count - trailerBytes)]
        for mutated in [
            Self.trailer(setSigned, certificates: set.certificates + [Array(repeating: 0x30, count: 40)], signature: set.signature),
            Self.trailer(setSigned, certificates: set.certificates, signature: try #require(CanonicalSignature.flipped(set.signature))),
        ] {
            let code = refusal {
                let inner = try ChangeSet.decode(mutated)
                _ = try ChangeBundle.decode(try ChangeBundle.build([inner], identity: net.township).encoded).verify(trust: net.trust)
            }
            #expect(code == .badCertificate || code == .badSignature, "\(String(describing: code))")
        }
    }

    @Test func aCertificateWhoseCASignatureIsReencodedIsRefused() throws {
        let b = try bundle()
        let certificate = b.certificates[0]
        // The CA's signature is the certificate's last element: a BIT STRING holding the DER.
        let signatureDER = try #require(Self.caSignature(of: certificate))
        let flipped = try #require(CanonicalSignature.flipped(signatureDER))
        let mutated = try #require(Self.certificate(certificate, withSignature: flipped))
        #expect(mutated != certificate)
        #expect(DERCoding.certificate(certificate) != nil)
        #expect(DERCoding.certificate(mutated) == nil)
        #expect((try? Certificate(derEncoded: mutated)) != nil)  // the X.509 library reads it: the refusal is ours
        let signed = b.encoded[0..<b.signedPrefixCount]
        #expect(verifyBundle(Self.trailer(signed, certificates: [mutated], signature: b.signature)) == .badCertificate)
    }

    @Test func issuedCertificatesCarryALowSSignature() throws {
        for i in 0..<12 {
            let id = try net.ca.issue(code: try DivisionCode("42010200\(2201 + i)"))
            #expect(CanonicalSignature.isCanonical(certificate: id.certificate))
        }
        #expect(CanonicalSignature.isCanonical(certificate: net.ca.certificate))
    }

    @Test func aReceiptNamesWhatTheSenderSigned() throws {
        let b = try bundle()
        #expect(b.hash == sha256(Array(b.encoded[0..<b.signedPrefixCount])))
        #expect(b.hash != sha256(b.encoded))
    }

    @Test func theBundlesCompositionIsJudgedFromItsBytes() throws {
        var rng = Rng(state: 8)
        let changes = net.changes(count: 30, rng: &rng)
        let chain = try ChangeSet.buildChain(changes: changes, changesPerSet: 10, previousHash: [], identity: net.village)
        #expect(chain.count == 3)
        // The accepted case: the origin's sets in order, each continuing the last.
        #expect(verifyBundle(try ChangeBundle.build(chain, identity: net.township).encoded) == nil)
        // Out of order, or one missing in between.
        #expect(verifyBundle(try ChangeBundle.build([chain[1], chain[0]], identity: net.township).encoded) == .sequenceGap)
        #expect(verifyBundle(try ChangeBundle.build([chain[0], chain[2]], identity: net.township).encoded) == .sequenceGap)
        // The second set with a wrong previousHash (re-signed by the origin: only the chain is wrong).
        let wrongPrevious = try ChangeSet.build(changes: Array(changes[10..<20]), previousHash: Array(repeating: 9, count: 32), identity: net.village)
        #expect(verifyBundle(try ChangeBundle.build([chain[0], wrongPrevious], identity: net.township).encoded) == .brokenChain)
        // A first set that names a previous one; a later one that names none.
        #expect(
            refusal {
                _ = try ChangeSet.decode(
                    try ChangeSet.build(changes: Array(changes[0..<10]), previousHash: Array(repeating: 9, count: 32), identity: net.village).encoded)
            } == .brokenChain)
        #expect(
            refusal {
                _ = try ChangeSet.decode(try ChangeSet.build(changes: Array(changes[10..<20]), previousHash: [], identity: net.village).encoded)
            } == .brokenChain)
        // The first set a restarted top signed with nothing before it (`OwnSeqs`) names none: at
        // one past a multiple of 2^21 only.
        func renumbered(from first: Int64) -> [Change] {
            changes[0..<10].enumerated().map { i, c in
                var c = c
                c.seq = first + Int64(i)
                return c
            }
        }
        let restarted = renumbered(from: 3 * OwnSeqs.stride + 1)
        #expect(
            try ChangeSet.decode(try ChangeSet.build(changes: restarted, previousHash: [], identity: net.village).encoded).header.firstSeq
                == restarted[0].seq)
        #expect(
            refusal {
                _ = try ChangeSet.decode(
                    try ChangeSet.build(changes: renumbered(from: 3 * OwnSeqs.stride + 2), previousHash: [], identity: net.village).encoded)
            } == .brokenChain)
        // A village's bundle carrying a sibling's change set.
        let sibling = try net.ca.issue(code: try DivisionCode("420102002202"))
        #expect(verifyBundle(try ChangeBundle.build(chain, identity: sibling).encoded) == .outsideSubtree)
        // The parent forwarding its child's sets holds them inside its area.
        let county = try net.ca.issue(code: try DivisionCode("420102000000"))
        #expect(verifyBundle(try ChangeBundle.build(chain, identity: county).encoded) == nil)
    }

    /// A change's `jurisdiction` routes it; its body's 行政区划 (XZQH) is what people read: they must agree.
    @Test(arguments: [true, false])
    func aBodyWhose行政区划DiffersFromTheChangesJurisdictionIsRefused(readChanges: Bool) throws {
        func set(xzqh: String) throws -> ChangeSet {
            let change = Change(
                origin: "420102002201", seq: 1, hlc: HLCStamp(milliseconds: 1_760_000_000_000, counter: 0), enteredAtMilliseconds: 1_760_000_000_000,
                op: "put", kind: "blacklist", key: "blacklist|K|1", jurisdiction: "420102002201",
                body: #"{"SX_MDMC":"说 \"_XZQH\":\"420102002209\" 的名单","SX_XZQH":"\#(xzqh)"}"#)
            return try ChangeSet.build(changes: [change], previousHash: [], identity: net.village)
        }
        #expect(refusal { _ = try ChangeSet.decode(try set(xzqh: "420102002201").encoded).verify(trust: net.trust, readChanges: readChanges) } == nil)
        #expect(
            refusal { _ = try ChangeSet.decode(try set(xzqh: "420102002202").encoded).verify(trust: net.trust, readChanges: readChanges) }
                == .jurisdictionMismatch)
    }

    static func signatureRefusal(_ der: [UInt8]) -> CanonicalSignature.Refusal? {
        if case .failure(let r) = CanonicalSignature.parse(der) { return r }
        return nil
    }

    static func caSignature(of certificate: [UInt8]) -> [UInt8]? {
        guard let root = try? DER.parse(certificate), case .constructed(let parts) = root.content else { return nil }
        let fields = Array(parts)
        guard fields.count == 3, let bits = try? ASN1BitString(derEncoded: fields[2]) else { return nil }
        return Array(bits.bytes)
    }

    /// The certificate with its signature BIT STRING replaced (lengths re-encoded).
    static func certificate(_ der: [UInt8], withSignature signature: [UInt8]) -> [UInt8]? {
        guard let root = try? DER.parse(der), case .constructed(let parts) = root.content else { return nil }
        let fields = Array(parts)
        guard fields.count == 3 else { return nil }
        func tlv(_ tag: UInt8, _ content: [UInt8]) -> [UInt8] {
            let n = content.count
            let length: [UInt8] = n < 0x80 ? [UInt8(n)] : n < 0x100 ? [0x81, UInt8(n)] : [0x82, UInt8(n >> 8), UInt8(n & 0xFF)]
            return [tag] + length + content
        }
        return tlv(0x30, Array(fields[0].encodedBytes) + Array(fields[1].encodedBytes) + tlv(0x03, [0] + signature))
    }
}

/// Revocation and what was signed before it (PROTOCOL.md, "Revocation"): a change set the network
/// accepted before its origin was revoked stays valid when another node forwards it; the revoked
/// node's own uploads, and anything it signed after, are refused.
@Suite("Revocation and earlier signatures")
struct RevocationTimeTests {
    @Test func aSetSignedBeforeTheRevocationPassesWhenForwardedOnly() throws {
        let net = try Network()
        let dir = try TemporaryDirectory()
        var rng = Rng(state: 3)
        let t0 = Date()
        let before = try ChangeSet.build(changes: net.changes(count: 3, rng: &rng), previousHash: [], identity: net.village, now: t0)
        let list = try net.ca.revoke(net.village.certificate, reason: "device lost", in: dir.url, now: t0.addingTimeInterval(3600))
        let after = try ChangeSet.build(
            changes: net.changes(from: 4, count: 3, rng: &rng), previousHash: before.hash, identity: net.village, now: t0.addingTimeInterval(7200))
        let trust = try TrustStore(ca: net.ca.certificate, revocations: list)
        let now = t0.addingTimeInterval(86_400)
        // Forwarded by the township: signed before the revocation, accepted; signed after, refused.
        #expect(refusal { _ = try ChangeSet.decode(before.encoded).verify(trust: trust, now: now, forwarded: true) } == nil)
        #expect(refusal { _ = try ChangeSet.decode(after.encoded).verify(trust: trust, now: now, forwarded: true) } == .revoked)
        // From the revoked node itself, refused either way — also after the forwarded one was accepted.
        #expect(refusal { _ = try ChangeSet.decode(before.encoded).verify(trust: trust, now: now) } == .revoked)
        // In a bundle: the township's forwarding passes; the village's own upload does not.
        #expect(
            refusal {
                _ = try ChangeBundle.decode(try ChangeBundle.build([before], identity: net.township, now: now).encoded).verify(trust: trust, now: now)
            } == nil)
        #expect(
            refusal {
                _ = try ChangeBundle.decode(try ChangeBundle.build([before], identity: net.village, now: now).encoded).verify(trust: trust, now: now)
            } == .revoked)
    }
}
