import CreditDomain
import Crypto
import Foundation
import NodePKI
import X509

/// What a parent sends down to one child: the changes that concern it, each with its Merkle
/// inclusion proof against its origin's signed change-set header (provenance survives the
/// filtering), control documents signed by the network CA, and the parent's signature.
///
/// Layout: `CNDN`, version (1 byte), parent code and child code (12 ASCII digits each),
/// created-at (u64 ms), cursor after (u64), next cursor (u64), more (u8: 0 or 1), section count
/// (u32), each section = the origin's signed header (u32 length + bytes, see `SignedHeader`) and
/// its entries (u32 count, each: leaf index u32, line u32 length + canonical change line, proof
/// u8 count + 32-byte hashes from the leaf up), control document count (u8, each: name u16
/// length + UTF-8, content u32 length + bytes, signature u16 length + DER), then the parent's
/// certificate chain and signature over every byte before them.
public struct DownBundle: Sendable {
    public static let magic: [UInt8] = Array("CNDN".utf8)
    public static let version: UInt8 = 1
    public static let proofHashesMax = 40
    public static let controlDocumentsMax = 32
    public static let controlBytesMax = 4 << 20

    public struct Entry: Sendable, Hashable {
        public var leafIndex: Int
        public var line: [UInt8]
        public var proof: [[UInt8]]
        public init(leafIndex: Int, line: [UInt8], proof: [[UInt8]]) {
            self.leafIndex = leafIndex
            self.line = line
            self.proof = proof
        }
    }

    public struct Section: Sendable, Hashable {
        public var signedHeader: [UInt8]
        public var entries: [Entry]
        public init(signedHeader: [UInt8], entries: [Entry]) {
            self.signedHeader = signedHeader
            self.entries = entries
        }
    }

    public var parent: String
    public var child: String
    public var createdAt: Int64
    public var after: Int64
    public var next: Int64
    public var more: Bool
    public var sections: [Section]
    public var controls: [ControlDocument]
    public var encoded: [UInt8]
    var signedPrefixCount: Int
    var certificates: [[UInt8]]
    var signature: [UInt8]

    public static func build(
        identity: NodeIdentity, child: String, after: Int64, next: Int64, more: Bool, sections: [Section], controls: [ControlDocument],
        now: Date = Date()
    ) throws -> DownBundle {
        var out = magic
        out.append(version)
        out.append(contentsOf: Array(identity.code.digits.utf8))
        out.append(contentsOf: Array(child.utf8))
        let createdAt = ChinaTime.milliseconds(now)
        out.appendU64(createdAt)
        out.appendU64(after)
        out.appendU64(next)
        out.append(more ? 1 : 0)
        out.appendU32(sections.count)
        for s in sections { s.append(to: &out) }
        out.append(UInt8(controls.count))
        for d in controls {
            let name = Array(d.name.utf8)
            out.appendU16(name.count)
            out.append(contentsOf: name)
            out.appendU32(d.content.count)
            out.append(contentsOf: d.content)
            out.appendU16(d.signature.count)
            out.append(contentsOf: d.signature)
        }
        let prefix = out.count
        let signed = out
        let trailer = try SignatureTrailer.append(to: &out, signed: signed, identity: identity)
        return DownBundle(
            parent: identity.code.digits, child: child, createdAt: createdAt, after: after, next: next, more: more, sections: sections,
            controls: controls,
            encoded: out, signedPrefixCount: prefix, certificates: trailer.certificates, signature: trailer.signature)
    }

    public static func decode(_ bytes: [UInt8], limits: ChangeSetLimits = ChangeSetLimits()) throws(ChangeSetError) -> DownBundle {
        guard bytes.count <= limits.bundleBytesMax else {
            throw ChangeSetError(.oversized, "the down bundle has \(bytes.count) bytes; the limit is \(limits.bundleBytesMax)")
        }
        guard bytes.count >= 5 else { throw ChangeSetError(.truncated, "the input has \(bytes.count) bytes; a down bundle starts with 5") }
        var r = ByteReader(bytes)
        guard Array(try r.take(4, "magic")) == magic else { throw ChangeSetError(.badMagic, "the input is not a CreditNet down bundle (no CNDN)") }
        let v = try r.u8("version")
        guard v == Int(version) else {
            throw ChangeSetError(.unknownVersion, "down-bundle format version \(v) is unknown; this node reads version \(version)")
        }
        func code(_ what: String) throws(ChangeSetError) -> String {
            let s = String(decoding: try r.take(12, what), as: UTF8.self)
            guard (try? DivisionCode(s))?.digits == s else { throw ChangeSetError(.badHeader, "the down bundle names no 12-digit \(what)") }
            return s
        }
        let parent = try code("parent code")
        let child = try code("child code")
        let createdAt = try r.u64("creation time")
        let after = try r.u64("cursor")
        let next = try r.u64("next cursor")
        let more = try r.u8("more flag")
        guard more <= 1, next >= after else {
            throw ChangeSetError(.badHeader, "the down bundle's cursor \(after) → \(next) or more flag \(more) is not valid")
        }
        let sectionCount = try r.u32("section count")
        guard sectionCount <= limits.changeSetsPerBundleMax else {
            throw ChangeSetError(.oversized, "the down bundle announces \(sectionCount) sections; the limit is \(limits.changeSetsPerBundleMax)")
        }
        var sections: [Section] = []
        var total = 0
        for i in 0..<sectionCount {
            let header = Array(
                try r.take(try r.length32("section \(i + 1) header", limit: limits.headerBytesMax + 64 * 1024), "section \(i + 1) header"))
            let n = try r.u32("section \(i + 1) entry count")
            total += n
            guard n >= 1 else {
                throw ChangeSetError(.badHeader, "section \(i + 1) of the down bundle holds no change; a section holds at least one")
            }
            guard total <= limits.changesMax else {
                throw ChangeSetError(.oversized, "the down bundle announces \(total) changes; at most \(limits.changesMax) are allowed")
            }
            var entries: [Entry] = []
            for _ in 0..<n {
                let index = try r.u32("leaf index")
                let line = Array(try r.take(try r.length32("change line", limit: limits.lineBytesMax), "change line"))
                let proofCount = try r.u8("proof length")
                guard proofCount <= proofHashesMax else {
                    throw ChangeSetError(.oversized, "a proof of \(proofCount) hashes is longer than any change set allows")
                }
                var proof: [[UInt8]] = []
                for _ in 0..<proofCount { proof.append(Array(try r.take(32, "proof hash"))) }
                entries.append(Entry(leafIndex: index, line: line, proof: proof))
            }
            sections.append(Section(signedHeader: header, entries: entries))
        }
        let controlCount = try r.u8("control document count")
        guard controlCount <= controlDocumentsMax else {
            throw ChangeSetError(.oversized, "the down bundle announces \(controlCount) control documents")
        }
        var controls: [ControlDocument] = []
        for _ in 0..<controlCount {
            let name = String(decoding: try r.take(try r.u16("control name length"), "control name"), as: UTF8.self)
            let content = Array(try r.take(try r.length32("control document", limit: controlBytesMax), "control document"))
            let signature = Array(try r.take(try r.u16("control signature length"), "control signature"))
            controls.append(ControlDocument(name: name, content: content, signature: signature))
        }
        let prefix = r.offset
        let trailer = try SignatureTrailer.read(&r, limits: limits, what: "down bundle")
        return DownBundle(
            parent: parent, child: child, createdAt: createdAt, after: after, next: next, more: more == 1, sections: sections, controls: controls,
            encoded: bytes,
            signedPrefixCount: prefix, certificates: trailer.certificates, signature: trailer.signature)
    }

    /// A change that passed every check, with what to keep to pass it further down.
    public struct VerifiedChange: Sendable {
        public var change: Change
        public var header: ChangeSetHeader
        public var signedHeader: [UInt8]
        public var leafIndex: Int
        public var proof: [[UInt8]]
    }

    /// Checks the parent's certificate and signature (it must be `parent`, addressing `child`),
    /// every origin's certificate and signature over its header, every change's inclusion proof
    /// against that header's Merkle root, its place in the origin's seq range, and its relevance
    /// (`isRelevant`); and every control document's CA signature. All or nothing.
    public func verify(
        trust: TrustStore, parent expectedParent: String, child expectedChild: String, now: Date = Date(),
        limits: ChangeSetLimits = ChangeSetLimits(),
        isRelevant: (Change) -> Bool
    ) throws(ChangeSetError) -> [VerifiedChange] {
        let outcome = try verifySettingAside(
            trust: trust, parent: expectedParent, child: expectedChild, now: now, limits: limits, isRelevant: isRelevant)
        if let first = outcome.setAside.first { throw first.error }
        return outcome.verified
    }

    /// A section refused on its own inside a page whose parent's signature holds: the parent
    /// vouched for these bytes, so the fault is the section's (its origin revoked when it signed,
    /// damaged before it was passed down …), not the transport's.
    public struct SetAside: Sendable {
        /// The section's place in the page (0-based).
        public var index: Int
        /// Its origin and seq range, when its signed header can be read (else the parent's code, 0…0).
        public var origin: String
        public var firstSeq: Int64
        public var lastSeq: Int64
        /// SHA-256 of the section's signed header: the section's identity.
        public var hash: [UInt8]
        /// The section as it came: its signed header and entries (the page's layout).
        public var encoded: [UInt8]
        public var error: ChangeSetError
    }

    /// The parent's certificate and signature, the addressee and the control documents, all or
    /// nothing (a page damaged in transit fails here whole); then each section on its own: the
    /// changes of the ones that pass, and the ones refused, each with its reason — one origin's
    /// problem does not stop a child's pulls at the same cursor for ever.
    public func verifySettingAside(
        trust: TrustStore, parent expectedParent: String, child expectedChild: String, now: Date = Date(),
        limits: ChangeSetLimits = ChangeSetLimits(),
        isRelevant: (Change) -> Bool
    ) throws(ChangeSetError) -> (verified: [VerifiedChange], setAside: [SetAside]) {
        guard parent == expectedParent, child == expectedChild else {
            throw ChangeSetError(
                .wrongAddressee, "the down bundle is from \(parent) for \(child); this node is \(expectedChild) with parent \(expectedParent)")
        }
        _ = try SignatureTrailer.verify(
            certificates: certificates, signature: signature, signed: encoded[0..<signedPrefixCount], signer: parent, trust: trust, now: now,
            what: "the down bundle by \(parent)")
        for d in controls {
            do { try d.verify(ca: trust.ca) } catch { throw ChangeSetError(.badControl, "control document \(d.name): \(error.message)") }
        }
        var out: [VerifiedChange] = []
        var setAside: [SetAside] = []
        for (s, section) in sections.enumerated() {
            do throws(ChangeSetError) {
                out += try verify(section: section, number: s + 1, trust: trust, now: now, limits: limits, isRelevant: isRelevant)
            } catch {
                let header = try? SignedHeader.decode(section.signedHeader, limits: limits).header
                setAside.append(
                    SetAside(
                        index: s, origin: header?.origin ?? parent, firstSeq: header?.firstSeq ?? 0, lastSeq: header?.lastSeq ?? 0,
                        hash: Array(SHA256.hash(data: section.signedHeader)), encoded: section.encoded, error: error))
            }
        }
        return (out, setAside)
    }

    /// Sets aside, after `verifySettingAside`, every section holding a change `refusal` refuses
    /// (a judgement that needs the whole page: a record that moved, `Downward.apply`); the other
    /// sections' changes stay verified.
    public func setAside(
        _ verified: inout [VerifiedChange], _ setAside: inout [SetAside], limits: ChangeSetLimits = ChangeSetLimits(),
        refusal: (Change) -> ChangeSetError?
    ) {
        for (s, section) in sections.enumerated() {
            var refused: ChangeSetError?
            for v in verified where refused == nil && v.signedHeader == section.signedHeader { refused = refusal(v.change) }
            guard let error = refused else { continue }
            verified.removeAll { $0.signedHeader == section.signedHeader }
            let header = try? SignedHeader.decode(section.signedHeader, limits: limits).header
            setAside.append(
                SetAside(
                    index: s, origin: header?.origin ?? parent, firstSeq: header?.firstSeq ?? 0, lastSeq: header?.lastSeq ?? 0,
                    hash: Array(SHA256.hash(data: section.signedHeader)), encoded: section.encoded, error: error))
        }
    }

    /// One section's changes, each checked back to its origin's signature (see `verify`).
    func verify(section: Section, number s: Int, trust: TrustStore, now: Date, limits: ChangeSetLimits, isRelevant: (Change) -> Bool)
        throws(ChangeSetError)
        -> [VerifiedChange]
    {
        let signed = try SignedHeader.decode(section.signedHeader, limits: limits)
        let h = signed.header
        _ = try SignatureTrailer.verify(
            certificates: signed.certificates, signature: signed.signature, signed: section.signedHeader[0..<signed.signedPrefixCount],
            signer: h.origin,
            trust: trust, now: now, what: "change set \(h.origin) \(h.firstSeq)…\(h.lastSeq) (section \(s))",
            // Another node's changes come down as the network accepted them: judged as of their signing.
            signedAt: h.origin == parent ? nil : Date(timeIntervalSince1970: Double(h.createdAt) / 1000))
        let originCode = try? DivisionCode(h.origin)
        var out: [VerifiedChange] = []
        for e in section.entries {
            guard let c = e.line.withUnsafeBufferPointer({ Change.parseCanonical($0) }) else {
                throw ChangeSetError(.badLine, "section \(s): a line is not a canonical change")
            }
            guard c.origin == h.origin else {
                throw ChangeSetError(.originMismatch, "section \(s): a change of \(c.origin) under a header of \(h.origin)")
            }
            guard e.leafIndex < h.count, c.seq == h.firstSeq + Int64(e.leafIndex) else {
                throw ChangeSetError(
                    .badProof, "\(c.origin) seq \(c.seq) does not sit at leaf \(e.leafIndex) of change set \(h.firstSeq)…\(h.lastSeq)")
            }
            guard Merkle.root(leaf: Merkle.leaf(e.line[...]), index: e.leafIndex, count: h.count, proof: e.proof) == h.merkleRoot else {
                throw ChangeSetError(.badProof, "\(c.origin) seq \(c.seq): the inclusion proof does not lead to the origin's signed Merkle root")
            }
            guard let j = try? DivisionCode(c.jurisdiction), originCode?.contains(j) == true else {
                throw ChangeSetError(.outsideJurisdiction, "\(c.origin) seq \(c.seq) concerns \(c.jurisdiction), outside its origin")
            }
            guard isRelevant(c) else {
                throw ChangeSetError(.notRelevant, "\(c.origin) seq \(c.seq) (\(c.kind), \(c.jurisdiction)) does not concern \(child)")
            }
            out.append(VerifiedChange(change: c, header: h, signedHeader: section.signedHeader, leafIndex: e.leafIndex, proof: e.proof))
        }
        return out
    }
}

extension DownBundle.Section {
    /// The section in the page's layout (signed header, entries with their proofs).
    public var encoded: [UInt8] {
        var out: [UInt8] = []
        append(to: &out)
        return out
    }

    func append(to out: inout [UInt8]) {
        out.appendU32(signedHeader.count)
        out.append(contentsOf: signedHeader)
        out.appendU32(entries.count)
        for e in entries {
            out.appendU32(e.leafIndex)
            out.appendU32(e.line.count)
            out.append(contentsOf: e.line)
            out.append(UInt8(e.proof.count))
            for h in e.proof { out.append(contentsOf: h) }
        }
    }
}

/// A change set without its body: magic, version, header, and the origin's certificate chain
/// and signature (which covers magic, version and header only). It is what a parent passes
/// down beside a change's inclusion proof.
public struct SignedHeader: Sendable {
    public var header: ChangeSetHeader
    public var certificates: [[UInt8]]
    public var signature: [UInt8]
    var signedPrefixCount: Int

    public static func decode(_ bytes: [UInt8], limits: ChangeSetLimits = ChangeSetLimits()) throws(ChangeSetError) -> SignedHeader {
        var r = ByteReader(bytes)
        guard bytes.count >= 5 else { throw ChangeSetError(.truncated, "a signed header of \(bytes.count) bytes") }
        guard Array(try r.take(4, "magic")) == ChangeSet.magic else { throw ChangeSetError(.badMagic, "a signed header without CNCS") }
        let v = try r.u8("version")
        guard v == Int(ChangeSet.version) else { throw ChangeSetError(.unknownVersion, "change-set format version \(v) is unknown") }
        let header = try ChangeSetHeader.parse(try r.take(try r.length32("header", limit: limits.headerBytesMax), "header"), limits: limits)
        let prefix = r.offset
        let trailer = try SignatureTrailer.read(&r, limits: limits, what: "signed header")
        return SignedHeader(header: header, certificates: trailer.certificates, signature: trailer.signature, signedPrefixCount: prefix)
    }
}

extension ChangeSet {
    /// The change set without its body (see `SignedHeader`).
    public var signedHeaderBytes: [UInt8] {
        Array(encoded[0..<signedPrefixCount]) + Array(encoded[(signedPrefixCount + header.bodyBytes)...])
    }
}
