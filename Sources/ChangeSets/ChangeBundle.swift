import CreditDomain
import Crypto
import Foundation
import NodePKI
import SyncCore
import X509

/// What travels in one request or one file: change sets of several origins, each verbatim
/// with its origin's signature, and the sender's own signature over the whole.
///
/// Layout: `CNBD`, version (1 byte), sender code (12 ASCII digits), created-at (u64 ms),
/// change-set count (u32), each change set as u32 length + bytes; in version 2 then the
/// health-record count (u32) and each health record as u32 length + bytes; the sender's
/// certificate chain (u8 count, each u32 length + DER), and the sender's signature (u16 length +
/// DER ECDSA P-256 over every byte before the certificate chain). A bundle without health
/// records is written as version 1.
public struct ChangeBundle: Sendable {
    public static let magic: [UInt8] = Array("CNBD".utf8)
    public static let version: UInt8 = 1
    public static let versionWithHealth: UInt8 = 2

    public let sender: String
    public let createdAt: Int64
    public let changeSets: [ChangeSet]
    /// Signed health records of the sender and of its subtree, verbatim (version 2).
    public let health: [HealthRecord]
    public let certificates: [[UInt8]]
    public let signature: [UInt8]
    public let encoded: [UInt8]
    let signedPrefixCount: Int

    public static func build(_ changeSets: [ChangeSet], health: [HealthRecord] = [], identity: NodeIdentity, now: Date = Date()) throws
        -> ChangeBundle
    {
        let written = try write(changeSets, healthRecords: health.map(\.encoded), identity: identity, now: now)
        return ChangeBundle(
            sender: identity.code.digits, createdAt: written.createdAt, changeSets: changeSets, health: health,
            certificates: written.trailer.certificates, signature: written.trailer.signature, encoded: written.encoded,
            signedPrefixCount: written.signedPrefixCount)
    }

    /// The signed bytes of a bundle and the hash its receipt will name (`hash`), the health
    /// records given as the signed bytes a store keeps (each verbatim): what a push sends, without
    /// reading again records that were verified when they arrived.
    public static func sign(_ changeSets: [ChangeSet], healthRecords: [[UInt8]], identity: NodeIdentity, now: Date = Date()) throws -> (
        encoded: [UInt8], hash: [UInt8]
    ) {
        let written = try write(changeSets, healthRecords: healthRecords, identity: identity, now: now)
        return (written.encoded, Array(SHA256.hash(data: written.encoded[0..<written.signedPrefixCount])))
    }

    private static func write(_ changeSets: [ChangeSet], healthRecords: [[UInt8]], identity: NodeIdentity, now: Date) throws -> (
        encoded: [UInt8], signedPrefixCount: Int, createdAt: Int64, trailer: (certificates: [[UInt8]], signature: [UInt8])
    ) {
        var out = magic
        out.append(healthRecords.isEmpty ? version : versionWithHealth)
        out.append(contentsOf: Array(identity.code.digits.utf8))
        let createdAt = ChinaTime.milliseconds(now)
        out.appendU64(createdAt)
        out.appendU32(changeSets.count)
        for c in changeSets {
            out.appendU32(c.encoded.count)
            out.append(contentsOf: c.encoded)
        }
        if !healthRecords.isEmpty {
            out.appendU32(healthRecords.count)
            for h in healthRecords {
                out.appendU32(h.count)
                out.append(contentsOf: h)
            }
        }
        let prefix = out.count
        let signed = out
        let trailer = try SignatureTrailer.append(to: &out, signed: signed, identity: identity)
        return (out, prefix, createdAt, trailer)
    }

    public static func decode(_ bytes: [UInt8], limits: ChangeSetLimits = ChangeSetLimits()) throws(ChangeSetError) -> ChangeBundle {
        guard bytes.count <= limits.bundleBytesMax else {
            throw ChangeSetError(.oversized, "the bundle has \(bytes.count) bytes; the limit is \(limits.bundleBytesMax)")
        }
        guard bytes.count >= 5 else { throw ChangeSetError(.truncated, "the input has \(bytes.count) bytes; a bundle starts with 5") }
        var r = ByteReader(bytes)
        guard Array(try r.take(4, "magic")) == magic else { throw ChangeSetError(.badMagic, "the input is not a CreditNet bundle (no CNBD)") }
        let v = try r.u8("version")
        guard v == Int(version) || v == Int(versionWithHealth) else {
            throw ChangeSetError(
                .unknownVersion, "bundle format version \(v) is unknown; this node reads versions \(version) and \(versionWithHealth)")
        }
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
            let n = try r.length32("change set \(i + 1)", limit: limits.setBytesMax)
            let bytes = Array(try r.take(n, "change set \(i + 1)"))
            do { sets.append(try ChangeSet.decode(bytes, limits: limits)) } catch {
                throw ChangeSetError(error.code, "change set \(i + 1) of \(count): \(error.message)")
            }
        }
        var health: [HealthRecord] = []
        if v == Int(versionWithHealth) {
            let n = try r.u32("health-record count")
            guard n >= 1, n <= HealthRules.perBundleMax else {
                throw ChangeSetError(
                    .oversized, "the bundle announces \(n) health records; from 1 to \(HealthRules.perBundleMax) are allowed in version 2")
            }
            for i in 0..<n {
                let length = try r.length32("health record \(i + 1)", limit: HealthRecord.contentBytesMax + limits.certificateBytesMax + 256)
                let bytes = Array(try r.take(length, "health record \(i + 1)"))
                do { health.append(try HealthRecord.decode(bytes, limits: limits)) } catch {
                    throw ChangeSetError(error.code, "health record \(i + 1) of \(n): \(error.message)")
                }
            }
        }
        let prefix = r.offset
        let trailer = try SignatureTrailer.read(&r, limits: limits, what: "bundle")
        return ChangeBundle(
            sender: sender, createdAt: createdAt, changeSets: sets, health: health, certificates: trailer.certificates, signature: trailer.signature,
            encoded: bytes, signedPrefixCount: prefix)
    }

    /// SHA-256 of the bytes the sender signed (everything before its certificate): what a
    /// receipt names. The certificate and signature after them are not part of it.
    public var hash: [UInt8] { Array(SHA256.hash(data: encoded[0..<signedPrefixCount])) }

    /// What a receiver judges from the bundle's bytes alone, beyond each change set on its own:
    /// every origin lies inside the sender's code (by its tier digits: a village's bundle holds
    /// only its own sets), and each origin's sets come in seq order, each continuing the one
    /// before it in the bundle — seq (`sequence-gap`) and `previousHash` (`broken-chain`).
    public func checkComposition() throws(ChangeSetError) {
        guard let senderCode = try? DivisionCode(sender) else { throw ChangeSetError(.badHeader, "the bundle names no 12-digit sender") }
        var last: [String: (lastSeq: Int64, hash: [UInt8])] = [:]
        for (i, set) in changeSets.enumerated() {
            let h = set.header
            func refuse(_ code: ChangeSetError.Code, _ why: String) -> ChangeSetError {
                ChangeSetError(code, "change set \(i + 1) of \(changeSets.count) (origin \(h.origin), seq \(h.firstSeq)…\(h.lastSeq)): \(why)")
            }
            guard let origin = try? DivisionCode(h.origin), senderCode.contains(origin) else {
                throw refuse(
                    .outsideSubtree, "\(h.origin) is not inside the sender \(sender)'s area; a node sends only its own and its subtree's change sets")
            }
            if let previous = last[h.origin] {
                guard h.firstSeq == previous.lastSeq + 1 else {
                    throw refuse(
                        .sequenceGap,
                        "the bundle's previous set of this origin ends at seq \(previous.lastSeq); an origin's sets come in order, each continuing the last"
                    )
                }
                guard h.previousHash == previous.hash else {
                    throw refuse(.brokenChain, "its previousHash is not the hash of the origin's previous set in the bundle")
                }
            }
            last[h.origin] = (h.lastSeq, set.hash)
        }
        var seen = Set<String>()
        for (i, record) in health.enumerated() {
            let code = record.health.code
            guard let c = try? DivisionCode(code), senderCode.contains(c) else {
                throw ChangeSetError(
                    .outsideSubtree, "health record \(i + 1) of \(health.count) is of \(code), which is not inside the sender \(sender)'s area")
            }
            guard seen.insert(code).inserted else {
                throw ChangeSetError(.badHeader, "health record \(i + 1) of \(health.count) is the second of \(code); a bundle carries one per node")
            }
        }
    }

    /// Checks the sender's certificate and signature, the bundle's composition
    /// (`checkComposition`), then every change set on its own (the origin's certificate and
    /// signature included). All or nothing. `readChanges`: as in `ChangeSet.verify`.
    public func verify(trust: TrustStore, now: Date = Date(), limits: ChangeSetLimits = ChangeSetLimits(), readChanges: Bool = true)
        throws(ChangeSetError) -> [ChangeSet.Verified]
    {
        try verify(trust: trust, now: now, limits: limits, readingChanges: Array(repeating: readChanges, count: changeSets.count))
    }

    /// As `verify(trust:now:limits:readChanges:)`, with `readChanges` given per change set, in
    /// the bundle's order (missing entries: false).
    public func verify(trust: TrustStore, now: Date = Date(), limits: ChangeSetLimits = ChangeSetLimits(), readingChanges: [Bool])
        throws(ChangeSetError) -> [ChangeSet.Verified]
    {
        let outcome = try verifySettingAside(trust: trust, now: now, limits: limits, readingChanges: readingChanges)
        if let (set, error) = outcome.setAside.first { throw error.about(set, in: self) }
        return outcome.verified
    }

    /// A change set refused on its own inside a bundle whose sender's signature and composition
    /// hold: the sender vouched for these bytes, so the fault is the set's (its origin revoked
    /// when it signed, damaged before it was forwarded …), not the transport's.
    public typealias SetAside = (set: ChangeSet, error: ChangeSetError)

    /// The sender's certificate and signature and the composition, all or nothing (a bundle
    /// damaged in transit fails here whole); then each change set on its own: the ones that pass,
    /// and the ones refused, each with its reason — one origin's problem does not refuse the others.
    public func verifySettingAside(trust: TrustStore, now: Date = Date(), limits: ChangeSetLimits = ChangeSetLimits(), readingChanges: [Bool])
        throws(ChangeSetError)
        -> (verified: [ChangeSet.Verified], setAside: [SetAside])
    {
        _ = try SignatureTrailer.verify(
            certificates: certificates, signature: signature, signed: encoded[0..<signedPrefixCount], signer: sender, trust: trust, now: now,
            what: "the bundle by \(sender)")
        try checkComposition()
        // Change sets verify independently: spread them over the cores.
        let results = ResultSlots<ChangeSet.Verified, ChangeSetError>(count: changeSets.count)
        let sets = changeSets
        DispatchQueue.concurrentPerform(iterations: sets.count) { i in
            let readChanges = i < readingChanges.count && readingChanges[i]
            // The sender's own sets are judged now; those it forwards, as of their signing.
            let forwarded = sets[i].header.origin != sender
            do throws(ChangeSetError) {
                results.set(i, .success(try sets[i].verify(trust: trust, now: now, limits: limits, readChanges: readChanges, forwarded: forwarded)))
            } catch {
                results.set(i, .failure(error))
            }
        }
        var verified: [ChangeSet.Verified] = []
        var setAside: [SetAside] = []
        verified.reserveCapacity(sets.count)
        for (i, r) in results.values.enumerated() {
            switch r {
            case .success(let v): verified.append(v)
            case .failure(let error): setAside.append((sets[i], error))
            case nil: setAside.append((sets[i], ChangeSetError(.badBody, "change set \(i + 1) was not verified")))
            }
        }
        return (verified, setAside)
    }
}

extension ChangeSetError {
    /// The error, naming the change set of `bundle` it is about.
    func about(_ set: ChangeSet, in bundle: ChangeBundle) -> ChangeSetError {
        let i = (bundle.changeSets.firstIndex { $0.encoded == set.encoded } ?? 0) + 1
        return ChangeSetError(
            code,
            "change set \(i) of \(bundle.changeSets.count) (origin \(set.header.origin), seq \(set.header.firstSeq)…\(set.header.lastSeq)): \(message)"
        )
    }
}

extension ChangeBundle {
    /// The health records that verify (the sender's own judged now, the ones it forwards as of
    /// their signing, like change sets), and the ones that do not, each with its reason: a health
    /// record is advice about a node, so one that fails is dropped and reported, never a reason to
    /// refuse the changes beside it.
    public func verifiedHealth(trust: TrustStore, now: Date = Date()) -> (entries: [HealthEntry], refused: [(code: String, error: ChangeSetError)]) {
        var entries: [HealthEntry] = []
        var refused: [(code: String, error: ChangeSetError)] = []
        for record in health {
            do throws(ChangeSetError) {
                try record.verify(trust: trust, now: now, forwarded: record.health.code != sender)
                entries.append(HealthEntry(health: record.health, encoded: record.encoded))
            } catch {
                refused.append((record.health.code, error))
            }
        }
        return (entries, refused)
    }
}
