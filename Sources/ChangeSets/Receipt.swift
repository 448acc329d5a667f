import CreditDomain
import Crypto
import Foundation
import NodePKI
import SyncCore
import X509

/// A parent's signed acknowledgement of a bundle: per origin, the last seq it holds and that
/// change set's hash, and the sets it holds back behind a gap. The child keeps it as proof of
/// delivery and drops acknowledged change sets from its outbox.
///
/// Layout: `CNRC`, version (1 byte), content length (u32), content (canonical JSON, below), then
/// the parent's certificate chain and signature as in a change set, the signature covering every
/// byte before the chain.
public struct Receipt: Sendable, Hashable {
    public static let magic: [UInt8] = Array("CNRC".utf8)
    public static let version: UInt8 = 1

    /// Per origin, where the parent stands: the sync core's `ChainPosition`.
    public typealias Acknowledged = ChainPosition
    /// A set held back behind a gap: its origin and first seq.
    public typealias Held = SetKey

    public var parent: String
    public var child: String
    public var bundleHash: [UInt8]
    public var issuedAt: Int64
    public var acknowledged: [Acknowledged]
    public var held: [Held]

    public init(parent: String, child: String, bundleHash: [UInt8], issuedAt: Int64, acknowledged: [Acknowledged], held: [Held]) {
        self.parent = parent
        self.child = child
        self.bundleHash = bundleHash
        self.issuedAt = issuedAt
        self.acknowledged = acknowledged
        self.held = held
    }

    /// `{"acknowledged":[{"hash":…,"lastSeq":…,"origin":…}],"bundle":…,"child":…,"held":[{"firstSeq":…,"origin":…}],"issuedAt":…,"parent":…}`
    public func canonicalBytes() -> [UInt8] {
        let acks = acknowledged.map { "{\"hash\":\"\($0.hash.hex)\",\"lastSeq\":\($0.lastSeq),\"origin\":\"\($0.origin)\"}" }.joined(separator: ",")
        let held = held.map { "{\"firstSeq\":\($0.firstSeq),\"origin\":\"\($0.origin)\"}" }.joined(separator: ",")
        return Array(
            "{\"acknowledged\":[\(acks)],\"bundle\":\"\(bundleHash.hex)\",\"child\":\"\(child)\",\"held\":[\(held)],\"issuedAt\":\(issuedAt),\"parent\":\"\(parent)\"}"
                .utf8)
    }

    /// Signs the receipt with the parent's identity.
    public func encode(identity: NodeIdentity) throws -> [UInt8] {
        var out = Self.magic
        out.append(Self.version)
        let content = canonicalBytes()
        out.appendU32(content.count)
        out.append(contentsOf: content)
        let signed = out
        _ = try SignatureTrailer.append(to: &out, signed: signed, identity: identity)
        return out
    }

    /// Reads and verifies a receipt: structure, the signer's certificate (it must be `parent`'s)
    /// and signature.
    public static func verify(_ bytes: [UInt8], trust: TrustStore, now: Date = Date(), limits: ChangeSetLimits = ChangeSetLimits())
        throws(ChangeSetError) -> Receipt
    {
        guard bytes.count >= 5 else { throw ChangeSetError(.truncated, "the input has \(bytes.count) bytes; a receipt starts with 5") }
        var r = ByteReader(bytes)
        guard Array(try r.take(4, "magic")) == magic else { throw ChangeSetError(.badMagic, "the input is not a CreditNet receipt (no CNRC)") }
        let v = try r.u8("version")
        guard v == Int(version) else {
            throw ChangeSetError(.unknownVersion, "receipt format version \(v) is unknown; this node reads version \(version)")
        }
        let n = try r.length32("receipt content", limit: 1 << 20)
        let content = try r.take(n, "receipt content")
        let prefix = r.offset
        let trailer = try SignatureTrailer.read(&r, limits: limits, what: "receipt")
        let receipt = try parse(content)
        _ = try SignatureTrailer.verify(
            certificates: trailer.certificates, signature: trailer.signature, signed: bytes[0..<prefix], signer: receipt.parent, trust: trust,
            now: now,
            what: "the receipt by \(receipt.parent)")
        return receipt
    }

    static func parse(_ content: ArraySlice<UInt8>) throws(ChangeSetError) -> Receipt {
        func bad() -> ChangeSetError { ChangeSetError(.badHeader, "the receipt's content is not in this format's canonical form") }
        guard let o = try? JSONSerialization.jsonObject(with: Data(content)) as? [String: Any], let parent = o["parent"] as? String,
            let child = o["child"] as? String, let bundle = (o["bundle"] as? String).flatMap({ [UInt8](hex: $0) }),
            let issuedAt = (o["issuedAt"] as? NSNumber)?.int64Value, let acks = o["acknowledged"] as? [[String: Any]],
            let held = o["held"] as? [[String: Any]]
        else { throw bad() }
        var receipt = Receipt(parent: parent, child: child, bundleHash: bundle, issuedAt: issuedAt, acknowledged: [], held: [])
        for a in acks {
            guard let origin = a["origin"] as? String, let seq = (a["lastSeq"] as? NSNumber)?.int64Value,
                let hash = (a["hash"] as? String).flatMap({ [UInt8](hex: $0) })
            else { throw bad() }
            receipt.acknowledged.append(.init(origin: origin, lastSeq: seq, hash: hash))
        }
        for h in held {
            guard let origin = h["origin"] as? String, let seq = (h["firstSeq"] as? NSNumber)?.int64Value else { throw bad() }
            receipt.held.append(.init(origin: origin, firstSeq: seq))
        }
        guard receipt.canonicalBytes() == Array(content) else { throw bad() }
        return receipt
    }
}
