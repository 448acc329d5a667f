import CreditDomain
import SyncCore
import Crypto
import Foundation
import NodePKI
import SwiftASN1
import X509

/// The header of a change set: canonical JSON, signed by the origin.
public struct ChangeSetHeader: Sendable, Hashable {
    public var origin: String
    public var firstSeq: Int64
    public var lastSeq: Int64
    public var count: Int
    public var createdAt: Int64
    /// The hash of the origin's previous change set; empty for its first.
    public var previousHash: [UInt8]
    public var bodyBytes: Int
    public var bodySHA256: [UInt8]
    public var uncompressedBytes: Int
    public var merkleRoot: [UInt8]

    public func canonicalBytes() -> [UInt8] {
        let text =
            "{\"bodyBytes\":\(bodyBytes),\"bodySHA256\":\"\(bodySHA256.hex)\",\"count\":\(count),\"createdAt\":\(createdAt),"
            + "\"firstSeq\":\(firstSeq),\"lastSeq\":\(lastSeq),\"merkleRoot\":\"\(merkleRoot.hex)\",\"origin\":\"\(origin)\","
            + "\"previousHash\":\"\(previousHash.hex)\",\"uncompressedBytes\":\(uncompressedBytes)}"
        return Array(text.utf8)
    }

    /// Parses and checks a header; it must be exactly its canonical form. The form is fixed
    /// (ten fields in byte order), so it is read field by field in place — no JSON object is built.
    static func parse(_ bytes: ArraySlice<UInt8>, limits: ChangeSetLimits) throws(ChangeSetError) -> ChangeSetHeader {
        func bad(_ why: String) -> ChangeSetError { ChangeSetError(.badHeader, "the change-set header \(why)") }
        var r = HeaderReader(bytes: bytes)
        func int(_ k: String, first: Bool = false) throws(ChangeSetError) -> Int64 {
            guard r.expect((first ? "{\"" : ",\"") + k + "\":") else {
                throw bad("is not the JSON object of ten fields this format defines (at '\(k)')")
            }
            guard let n = r.integer() else { throw bad("has no integer '\(k)'") }
            return n
        }
        func string(_ k: String) throws(ChangeSetError) -> String {
            guard r.expect(",\"" + k + "\":\""), let v = r.plainString() else {
                throw bad("is not the JSON object of ten fields this format defines (at '\(k)')")
            }
            return v
        }
        func hex(_ k: String, empty: Bool = false) throws(ChangeSetError) -> [UInt8] {
            guard let b = [UInt8](hex: try string(k)), b.count == 32 || (empty && b.isEmpty) else { throw bad("has no 32-byte hex '\(k)'") }
            return b
        }
        let bodyBytes = try int("bodyBytes", first: true)
        let bodySHA256 = try hex("bodySHA256")
        let count = try int("count")
        let createdAt = try int("createdAt")
        let firstSeq = try int("firstSeq")
        let lastSeq = try int("lastSeq")
        let merkleRoot = try hex("merkleRoot")
        let origin = try string("origin")
        guard (try? DivisionCode(origin))?.digits == origin else { throw bad("names no 12-digit origin") }
        let previousHash = try hex("previousHash", empty: true)
        let uncompressedBytes = try int("uncompressedBytes")
        guard r.expect("}"), r.atEnd else { throw bad("is not the JSON object of ten fields this format defines") }
        let h = ChangeSetHeader(
            origin: origin, firstSeq: firstSeq, lastSeq: lastSeq, count: Int(count), createdAt: createdAt, previousHash: previousHash,
            bodyBytes: Int(bodyBytes),
            bodySHA256: bodySHA256, uncompressedBytes: Int(uncompressedBytes), merkleRoot: merkleRoot)
        guard h.count >= 1, h.count <= limits.changesMax else {
            throw ChangeSetError(.oversized, "the change set announces \(h.count) changes; 1…\(limits.changesMax) are allowed")
        }
        guard h.firstSeq >= 1, h.lastSeq == h.firstSeq + Int64(h.count) - 1 else {
            throw bad("has a seq range \(h.firstSeq)…\(h.lastSeq) that does not hold \(h.count) changes")
        }
        // The first set of an origin follows nothing; every later one follows a set, but the
        // first a restarted top signed with nothing before it (`OwnSeqs`).
        guard h.previousHash.isEmpty ? OwnSeqs.mayStartAChain(firstSeq: h.firstSeq) : h.firstSeq != 1 else {
            throw ChangeSetError(
                .brokenChain,
                h.firstSeq == 1
                    ? "the first change set of origin \(h.origin) (firstSeq 1) names a previousHash; it follows no other set"
                    : "change set \(h.origin) \(h.firstSeq)…\(h.lastSeq) names no previousHash; only an origin's first set (firstSeq 1, or 1 past a multiple of 2^21 after a restart) may"
            )
        }
        guard h.bodyBytes >= 0, h.bodyBytes <= limits.bodyBytesMax else {
            throw ChangeSetError(.oversized, "the body announces \(h.bodyBytes) bytes; the limit is \(limits.bodyBytesMax)")
        }
        guard h.uncompressedBytes >= 0, h.uncompressedBytes <= limits.uncompressedBytesMax else {
            throw ChangeSetError(
                .oversized, "the body announces \(h.uncompressedBytes) bytes uncompressed; the limit is \(limits.uncompressedBytesMax)")
        }
        guard Array(h.canonicalBytes()) == Array(bytes) else { throw bad("is not in canonical form") }
        return h
    }
}

/// Reads a header's fixed canonical form in place. Anything it lets through is checked once more
/// against the canonical bytes rebuilt from the values.
struct HeaderReader {
    let bytes: ArraySlice<UInt8>
    var at: Int
    init(bytes: ArraySlice<UInt8>) {
        self.bytes = bytes
        at = bytes.startIndex
    }

    var atEnd: Bool { at == bytes.endIndex }

    mutating func expect(_ literal: String) -> Bool {
        for b in literal.utf8 {
            guard at < bytes.endIndex, bytes[at] == b else { return false }
            at += 1
        }
        return true
    }

    /// An optional minus and at most 18 digits.
    mutating func integer() -> Int64? {
        var negative = false
        if at < bytes.endIndex, bytes[at] == UInt8(ascii: "-") {
            negative = true
            at += 1
        }
        var n: Int64 = 0
        var digits = 0
        while at < bytes.endIndex, bytes[at] >= 0x30, bytes[at] <= 0x39, digits < 18 {
            n = n * 10 + Int64(bytes[at] - 0x30)
            at += 1
            digits += 1
        }
        guard digits > 0 else { return nil }
        return negative ? -n : n
    }

    /// A string of printable ASCII without escapes, up to its closing quote.
    mutating func plainString() -> String? {
        let start = at
        while at < bytes.endIndex, bytes[at] != UInt8(ascii: "\""), bytes[at] >= 0x20, bytes[at] < 0x7F, bytes[at] != UInt8(ascii: "\\") { at += 1 }
        guard at < bytes.endIndex, bytes[at] == UInt8(ascii: "\"") else { return nil }
        defer { at += 1 }
        return String(decoding: bytes[start..<at], as: UTF8.self)
    }
}

/// A change set: consecutive changes `firstSeq…lastSeq` of one origin, compressed, with the
/// origin's certificate chain and signature. `encoded` holds its exact bytes, so a parent
/// forwards it verbatim and the top verifies the origin's own signature.
public struct ChangeSet: Sendable {
    public static let magic: [UInt8] = Array("CNCS".utf8)
    public static let version: UInt8 = 1

    public let header: ChangeSetHeader
    public let body: [UInt8]
    public let certificates: [[UInt8]]
    public let signature: [UInt8]
    public let encoded: [UInt8]
    /// The bytes covered by the signature: magic, version, header length and header.
    let signedPrefixCount: Int

    /// SHA-256 of the signed prefix: what the origin's next change set names as `previousHash`.
    public var hash: [UInt8] { Array(SHA256.hash(data: encoded[0..<signedPrefixCount])) }

    /// Encodes and signs `changes` (consecutive, of the identity's own node).
    public static func build(
        changes: [Change], previousHash: [UInt8], identity: NodeIdentity, now: Date = Date()
    ) throws -> ChangeSet {
        precondition(!changes.isEmpty, "a change set holds at least one change")
        let body = try Body(changes[...])
        return try assemble(header: body.header(previousHash: previousHash, now: now), body: body.compressed, identity: identity)
    }

    /// Encodes `changes` as a chain of change sets of at most `changesPerSet` each, the first
    /// following `previousHash`. Bodies are built on all cores; headers are chained and signed
    /// in order.
    public static func buildChain(
        changes: [Change], changesPerSet: Int, previousHash: [UInt8], identity: NodeIdentity, now: Date = Date()
    ) throws -> [ChangeSet] {
        let starts = Array(stride(from: 0, to: changes.count, by: changesPerSet))
        let bodies = ResultSlots<Body, any Error>(count: starts.count)
        // One worker per core, each reusing its buffers from set to set: fresh memory for every
        // set costs more in page faults than the copying it saves.
        let workers = max(1, min(ProcessInfo.processInfo.activeProcessorCount, starts.count))
        DispatchQueue.concurrentPerform(iterations: workers) { w in
            var scratch = Body.Scratch()
            for i in stride(from: w, to: starts.count, by: workers) {
                bodies.set(i, Result { try Body(changes[starts[i]..<min(starts[i] + changesPerSet, changes.count)], scratch: &scratch) })
            }
        }
        var previous = previousHash
        var sets: [ChangeSet] = []
        for r in bodies.values {
            let body = try r!.get()
            let set = try assemble(header: body.header(previousHash: previous, now: now), body: body.compressed, identity: identity)
            previous = set.hash
            sets.append(set)
        }
        return sets
    }

    /// A change set's body and what its header says about it.
    struct Body: Sendable {
        var origin: String
        var firstSeq: Int64
        var lastSeq: Int64
        var count: Int
        var compressed: [UInt8]
        var uncompressedBytes: Int
        var merkleRoot: [UInt8]

        /// Buffers a worker reuses from one body to the next.
        struct Scratch {
            var text: [UInt8] = []
            var leaves: [SHA256Digest] = []
        }

        init(_ changes: ArraySlice<Change>) throws {
            var scratch = Scratch()
            try self.init(changes, scratch: &scratch)
        }

        init(_ changes: ArraySlice<Change>, scratch: inout Scratch) throws {
            // Taken out of the scratch (not shared), so growing them never copies.
            var text: [UInt8] = []
            var leaves: [SHA256Digest] = []
            swap(&text, &scratch.text)
            swap(&leaves, &scratch.leaves)
            defer {
                text.removeAll(keepingCapacity: true)
                leaves.removeAll(keepingCapacity: true)
                scratch = Scratch(text: text, leaves: leaves)
            }
            text.removeAll(keepingCapacity: true)
            text.reserveCapacity(changes.count * 1100)
            leaves.removeAll(keepingCapacity: true)
            leaves.reserveCapacity(changes.count)
            for c in changes {
                let start = text.count
                c.appendCanonicalLine(to: &text)
                leaves.append(text.withUnsafeBytes { Merkle.leafDigest(UnsafeRawBufferPointer(rebasing: $0[start..<text.count])) })
                text.append(0x0A)
            }
            compressed = try LZ4Frame.compress(text)
            origin = changes.first!.origin
            firstSeq = changes.first!.seq
            lastSeq = changes.last!.seq
            count = changes.count
            uncompressedBytes = text.count
            merkleRoot = MerkleTree(digests: leaves).root
        }

        func header(previousHash: [UInt8], now: Date) -> ChangeSetHeader {
            ChangeSetHeader(
                origin: origin, firstSeq: firstSeq, lastSeq: lastSeq, count: count, createdAt: ChinaTime.milliseconds(now),
                previousHash: previousHash,
                bodyBytes: compressed.count, bodySHA256: Array(SHA256.hash(data: compressed)), uncompressedBytes: uncompressedBytes,
                merkleRoot: merkleRoot)
        }
    }

    /// Signs `header` and lays out the change set around `body` (tests use it to sign headers
    /// that do not match their body).
    static func assemble(header: ChangeSetHeader, body: [UInt8], identity: NodeIdentity) throws -> ChangeSet {
        var out = magic
        out.append(version)
        let headerBytes = header.canonicalBytes()
        out.appendU32(headerBytes.count)
        out.append(contentsOf: headerBytes)
        let prefixCount = out.count
        let signed = out
        out.append(contentsOf: body)
        let trailer = try SignatureTrailer.append(to: &out, signed: signed, identity: identity)
        return ChangeSet(
            header: header, body: body, certificates: trailer.certificates, signature: trailer.signature, encoded: out, signedPrefixCount: prefixCount
        )
    }

    /// Reads the structure (magic, version, lengths within limits, canonical header, nothing
    /// after the signature). Verification is `verify`.
    public static func decode(_ bytes: [UInt8], limits: ChangeSetLimits = ChangeSetLimits()) throws(ChangeSetError) -> ChangeSet {
        var r = ByteReader(bytes)
        guard bytes.count >= 5 else { throw ChangeSetError(.truncated, "the input has \(bytes.count) bytes; a change set starts with 5") }
        guard Array(try r.take(4, "magic")) == magic else { throw ChangeSetError(.badMagic, "the input is not a CreditNet change set (no CNCS)") }
        let v = try r.u8("version")
        guard v == Int(version) else {
            throw ChangeSetError(.unknownVersion, "change-set format version \(v) is unknown; this node reads version \(version)")
        }
        let headerCount = try r.length32("header", limit: limits.headerBytesMax)
        let header = try ChangeSetHeader.parse(try r.take(headerCount, "header"), limits: limits)
        let prefix = r.offset
        let body = Array(try r.take(header.bodyBytes, "body"))
        let trailer = try SignatureTrailer.read(&r, limits: limits, what: "change set")
        return ChangeSet(
            header: header, body: body, certificates: trailer.certificates, signature: trailer.signature, encoded: bytes, signedPrefixCount: prefix)
    }

    /// A change set that passed every check.
    public struct Verified: Sendable {
        public var changeSet: ChangeSet
        public var changes: [Change]
        /// The origin's certificate.
        public var certificate: Certificate
    }

    /// Checks the certificate (issued by the network CA, valid, not revoked, naming the
    /// origin), the signature, the body hash, the decompressed size, the Merkle root, every
    /// line (canonical, of this origin, consecutive seqs) and every record's jurisdiction.
    /// With `readChanges` false every check is made the same, but the changes are not built
    /// (`Verified.changes` is empty): for a node that forwards the set and reads it again when it
    /// applies it.
    /// `forwarded`: the set comes from another node than its origin (which verified it when it
    /// arrived): its certificate is judged at the time the origin signed it (`TrustStore.verify`).
    public func verify(
        trust: TrustStore, now: Date = Date(), limits: ChangeSetLimits = ChangeSetLimits(), readChanges: Bool = true, forwarded: Bool = false
    ) throws(ChangeSetError) -> Verified {
        let certificate = try SignatureTrailer.verify(
            certificates: certificates, signature: signature, signed: encoded[0..<signedPrefixCount], signer: header.origin, trust: trust, now: now,
            what: "change set \(header.origin) \(header.firstSeq)…\(header.lastSeq)",
            signedAt: forwarded ? Date(timeIntervalSince1970: Double(header.createdAt) / 1000) : nil)
        return Verified(changeSet: self, changes: try read(limits: limits, building: readChanges), certificate: certificate)
    }

    /// The changes of a set this node verified in full when it accepted it, read back from its own
    /// store; anything from outside goes through `verify`. The body's SHA-256 is checked against
    /// the header — these are the bytes that were verified — and the decompressed size and every
    /// line (canonical, of this origin, consecutive seqs, inside the origin's jurisdiction) as in
    /// `verify`. The certificate, the signature, the per-line digests and the Merkle root, which
    /// tie those bytes to the origin, were checked at acceptance and are not computed again.
    public func contents(limits: ChangeSetLimits = ChangeSetLimits()) throws(ChangeSetError) -> [Change] {
        try read(limits: limits, building: true, merkle: false)
    }

    /// Every check of its bytes a stored set can pass again without the network: body SHA-256,
    /// decompression, the lines, and the Merkle root the origin signed (`verify-store`); its
    /// changes. The certificate's validity is not judged again: it may have expired since.
    public func selfCheck(limits: ChangeSetLimits = ChangeSetLimits()) throws(ChangeSetError) -> [Change] {
        try read(limits: limits, building: true, merkle: true)
    }

    /// The checks of `verify` after the signature (and of `contents`, without the Merkle root when
    /// `merkle` is false); the changes are built only if `building`.
    func read(limits: ChangeSetLimits, building: Bool, merkle: Bool = true) throws(ChangeSetError) -> [Change] {
        guard Array(SHA256.hash(data: body)) == header.bodySHA256 else {
            throw ChangeSetError(
                .bodyHashMismatch, "the body of change set \(header.origin) \(header.firstSeq)…\(header.lastSeq) does not match its SHA-256")
        }
        let text: [UInt8]
        do { text = try LZ4Frame.decompress(body, expectedSize: header.uncompressedBytes, maxOutput: limits.uncompressedBytesMax) } catch {
            throw ChangeSetError(.badBody, "the body does not decompress: \(error.message)")
        }
        guard text.count == header.uncompressedBytes, text.last == 0x0A || text.isEmpty else {
            throw ChangeSetError(
                .badBody, "the body holds \(text.count) bytes, not the \(header.uncompressedBytes) announced, or does not end with a line feed")
        }
        // One pass over the lines, each while it is in cache: its leaf digest, UTF-8 check and
        // parse. Refusals keep their order: line count, Merkle root, then the first bad line.
        let originCode = try? DivisionCode(header.origin)
        let originBytes = Array(header.origin.utf8)
        var leaves: [SHA256Digest] = []
        if merkle { leaves.reserveCapacity(header.count) }
        var changes: [Change] = []
        if building { changes.reserveCapacity(header.count) }
        /// A line the parser refuses: whether its bytes are not even UTF-8.
        func refused(_ line: UnsafeBufferPointer<UInt8>, _ n: Int) -> ChangeSetError {
            TextDecoding.firstInvalidUTF8(line).map { ChangeSetError(.badBody, "the body is not valid UTF-8 (line \(n), offset \($0))") }
                ?? ChangeSetError(.badLine, "line \(n) is not a canonical change")
        }
        /// A line's origin, seq and jurisdiction against the header.
        func failure(line n: Int, originMatches: Bool, origin: () -> String, seq: Int64, jurisdictionIsOrigin: Bool, jurisdiction: () -> String)
            -> ChangeSetError?
        {
            guard originMatches else { return ChangeSetError(.originMismatch, "line \(n) is of origin \(origin()), not \(header.origin)") }
            guard seq == header.firstSeq + Int64(n - 1) else {
                return ChangeSetError(.sequenceGap, "line \(n) has seq \(seq); \(header.firstSeq + Int64(n - 1)) was due")
            }
            guard jurisdictionIsOrigin || (try? DivisionCode(jurisdiction())).map({ originCode?.contains($0) == true }) == true else {
                return ChangeSetError(.outsideJurisdiction, "seq \(seq) concerns \(jurisdiction()), outside its origin \(header.origin)")
            }
            return nil
        }
        var lineCount = 0
        var firstFailure: ChangeSetError?
        text.withUnsafeBufferPointer { buffer in
            var start = 0
            while start < buffer.count {
                guard let base = buffer.baseAddress, let nl = memchr(base + start, 0x0A, buffer.count - start) else { break }
                let end = base.distance(to: nl.assumingMemoryBound(to: UInt8.self))
                let line = UnsafeBufferPointer(rebasing: buffer[start..<end])
                defer { start = end + 1 }
                lineCount += 1
                // More lines than announced: refused below; stop reading (bounded memory).
                if lineCount > header.count { break }
                if merkle { leaves.append(Merkle.leafDigest(UnsafeRawBufferPointer(line))) }
                guard firstFailure == nil else { continue }
                guard line.count <= limits.lineBytesMax else {
                    firstFailure = refused(line, lineCount)
                    continue
                }
                if building {
                    guard let c = Change.parseCanonical(line) else {
                        firstFailure = refused(line, lineCount)
                        continue
                    }
                    firstFailure =
                        failure(
                            line: lineCount, originMatches: c.origin == header.origin, origin: { c.origin }, seq: c.seq,
                            jurisdictionIsOrigin: c.jurisdiction == header.origin, jurisdiction: { c.jurisdiction })
                        ?? Self.jurisdictionMismatch(line, jurisdiction: c.jurisdiction, seq: c.seq)
                    if firstFailure == nil { changes.append(c) }
                } else {
                    guard let l = Change.checkCanonical(line) else {
                        firstFailure = refused(line, lineCount)
                        continue
                    }
                    firstFailure =
                        failure(
                            line: lineCount, originMatches: l.originIs(originBytes, in: line), origin: { l.origin(in: line) }, seq: l.seq,
                            jurisdictionIsOrigin: l.jurisdictionIs(originBytes, in: line), jurisdiction: { l.jurisdiction(in: line) })
                        ?? Self.jurisdictionMismatch(line, jurisdiction: l.jurisdiction(in: line), seq: l.seq)
                }
            }
        }
        guard lineCount == header.count else {
            throw ChangeSetError(
                .countMismatch,
                "the body holds \(lineCount > header.count ? "more than \(header.count)" : "\(lineCount)") lines; the header announces \(header.count)"
            )
        }
        guard !merkle || MerkleTree(digests: leaves).root == header.merkleRoot else {
            throw ChangeSetError(.merkleMismatch, "the Merkle root over the lines differs from the signed one")
        }
        if let firstFailure { throw firstFailure }
        return changes
    }

    /// The body's own 行政区划 (a field whose code ends in `_XZQH`, 12 digits once validated) must
    /// be the change's `jurisdiction`: routing and relevance follow the latter, people read the
    /// former. Found by its key's bytes (`_XZQH":"`): inside a value a quote is always escaped,
    /// so the pattern can only be a key.
    static func jurisdictionMismatch(_ line: UnsafeBufferPointer<UInt8>, jurisdiction: String, seq: Int64) -> ChangeSetError? {
        let key: [UInt8] = Array("_XZQH\":\"".utf8)
        guard let base = line.baseAddress else { return nil }
        // Candidates start at an underscore (memchr), then the rest is compared.
        var from = 0
        var found: Int?
        while found == nil, from + key.count <= line.count, let p = memchr(base + from, Int32(key[0]), line.count - from - key.count + 1) {
            let at = base.distance(to: p.assumingMemoryBound(to: UInt8.self))
            if (1..<key.count).allSatisfy({ line[at + $0] == key[$0] }) { found = at } else { from = at + 1 }
        }
        guard let found else { return nil }
        let start = found + key.count
        var end = start
        while end < line.count && line[end] != UInt8(ascii: "\"") { end += 1 }
        guard !jurisdiction.utf8.elementsEqual(UnsafeBufferPointer(rebasing: line[start..<end])) else { return nil }
        let value = String(decoding: UnsafeBufferPointer(rebasing: line[start..<end]), as: UTF8.self)
        return ChangeSetError(.jurisdictionMismatch, "seq \(seq) concerns \(jurisdiction), but its record's 行政区划 (XZQH) is \(value)")
    }

    /// Parses a certificate chain and checks its first certificate against the trust store (at
    /// `signedAt` for a set another node forwarded: `TrustStore.verify`).
    static func trusted(_ ders: [[UInt8]], trust: TrustStore, now: Date, expected: String, signedAt: Date? = nil) throws(ChangeSetError)
        -> Certificate
    {
        guard let first = ders.first else { throw ChangeSetError(.badCertificate, "the certificate is not a DER X.509 certificate") }
        let known = trust.memo.certificate(first)
        guard let certificate = known?.certificate ?? DERCoding.certificate(first) else {
            throw ChangeSetError(.badCertificate, "the certificate is not a DER X.509 certificate")
        }
        let code: DivisionCode
        do throws(PKIError) {
            // A certificate this store verified before needs only its validity period checked again.
            if let known {
                try trust.checkValidity(certificate, now: signedAt ?? now)
                code = known.code
            } else {
                code = try trust.verify(certificate, now: now, signedAt: signedAt)
                // Only a certificate that is not revoked at all is remembered: one accepted for a
                // set signed before its revocation must not pass its holder's own later uploads.
                if trust.revocations?.isRevoked(certificate) != true { trust.memo.remember(first, certificate, code: code) }
            }
        } catch {
            let mapped: ChangeSetError.Code =
                switch error.code {
                case .revoked: .revoked
                case .expired, .notYetValid: .expired
                case .noIdentity: .identityMismatch
                default: .unknownCA
                }
            throw ChangeSetError(mapped, error.message)
        }
        guard code.digits == expected else {
            throw ChangeSetError(.identityMismatch, "the certificate belongs to \(code), but the data claims to come from \(expected)")
        }
        return certificate
    }
}

extension ChangeSet {
    /// The set as the sync core takes it (`Intake`, `SyncStore.accept`).
    public var received: ReceivedSet {
        ReceivedSet(
            origin: header.origin, firstSeq: header.firstSeq, lastSeq: header.lastSeq, hash: hash, previousHash: header.previousHash, encoded: encoded
        )
    }
}

enum DERCoding {
    /// A certificate from its DER, parsed once; nil unless its signature bit string counts no
    /// unused bits, as an ECDSA signature must. The count lies outside what the CA signed and
    /// the X.509 library ignores it when verifying, so a certificate damaged there would
    /// otherwise still verify.
    static func certificate(_ der: [UInt8]) -> Certificate? {
        guard let root = try? DER.parse(der), case .constructed(let parts) = root.content else { return nil }
        let fields = Array(parts)
        guard fields.count == 3, let signature = try? ASN1BitString(derEncoded: fields[2]), signature.paddingBits == 0 else { return nil }
        // The CA's signature in canonical form (low S, minimal DER): the certificate travels
        // outside what the sender signs, so another encoding of it must not pass either.
        guard case .success = CanonicalSignature.parse(Array(signature.bytes)) else { return nil }
        return try? Certificate(derEncoded: root)
    }

    static func serialize(_ certificate: Certificate) throws -> ArraySlice<UInt8> {
        var s = DER.Serializer()
        try s.serialize(certificate)
        return s.serializedBytes[...]
    }
}
