import CreditDomain
import Crypto
import Foundation
import NodePKI
import SyncCore

/// A node's own account of its health, signed by the node and carried upward in every push —
/// even one with no changes — and forwarded verbatim by every node above it, so that the top
/// sees every node of its subtree, not only its children. Each node keeps the latest per node.
///
/// Layout: `CNHL`, version (1 byte), content length (u32, ≤ 4096), content (canonical JSON: the
/// keys of `NodeHealth`, sorted), then the node's certificate and signature as in a change set,
/// the signature covering every byte before the certificate.
public struct HealthRecord: Sendable, Hashable {
    public static let magic: [UInt8] = Array("CNHL".utf8)
    public static let version: UInt8 = 1
    public static let contentBytesMax = 4096

    public let health: NodeHealth
    public let encoded: [UInt8]
    let signedPrefixCount: Int
    let certificates: [[UInt8]]
    let signature: [UInt8]

    /// Signs `health` with the node's identity (which must be `health.code`'s).
    public static func build(_ health: NodeHealth, identity: NodeIdentity) throws -> HealthRecord {
        var out = magic
        out.append(version)
        let content = health.canonicalBytes()
        out.appendU32(content.count)
        out.append(contentsOf: content)
        let prefix = out.count
        let signed = out
        let trailer = try SignatureTrailer.append(to: &out, signed: signed, identity: identity)
        return HealthRecord(health: health, encoded: out, signedPrefixCount: prefix, certificates: trailer.certificates, signature: trailer.signature)
    }

    /// Reads the structure and the content's canonical form; the signature is checked by `verify`.
    public static func decode(_ bytes: [UInt8], limits: ChangeSetLimits = ChangeSetLimits()) throws(ChangeSetError) -> HealthRecord {
        guard bytes.count >= 5 else { throw ChangeSetError(.truncated, "the input has \(bytes.count) bytes; a health record starts with 5") }
        var r = ByteReader(bytes)
        guard Array(try r.take(4, "magic")) == magic else { throw ChangeSetError(.badMagic, "the input is not a CreditNet health record (no CNHL)") }
        let v = try r.u8("version")
        guard v == Int(version) else {
            throw ChangeSetError(.unknownVersion, "health record format version \(v) is unknown; this node reads version \(version)")
        }
        let n = try r.length32("health content", limit: contentBytesMax)
        let content = try r.take(n, "health content")
        let prefix = r.offset
        let trailer = try SignatureTrailer.read(&r, limits: limits, what: "health record")
        let health = try parse(content)
        return HealthRecord(
            health: health, encoded: bytes, signedPrefixCount: prefix, certificates: trailer.certificates, signature: trailer.signature)
    }

    /// The node's certificate (it must name `health.code`) and signature. A record another node
    /// forwards is judged as of its signing (`issuedAt`), like a forwarded change set.
    public func verify(trust: TrustStore, now: Date = Date(), forwarded: Bool) throws(ChangeSetError) {
        _ = try SignatureTrailer.verify(
            certificates: certificates, signature: signature, signed: encoded[0..<signedPrefixCount], signer: health.code, trust: trust, now: now,
            what: "the health record of \(health.code)",
            signedAt: forwarded ? Date(timeIntervalSince1970: Double(health.issuedAt) / 1000) : nil)
    }

    static func parse(_ content: ArraySlice<UInt8>) throws(ChangeSetError) -> NodeHealth {
        func bad(_ why: String) -> ChangeSetError { ChangeSetError(.badHeader, "the health record's content \(why)") }
        guard let o = try? JSONSerialization.jsonObject(with: Data(content)) as? [String: Any] else { throw bad("is not a JSON object") }
        func int(_ key: String) throws(ChangeSetError) -> Int64 {
            guard let n = o[key] as? NSNumber, n.int64Value >= 0 else { throw bad("has no whole number '\(key)'") }
            return n.int64Value
        }
        func string(_ key: String) throws(ChangeSetError) -> String {
            guard let s = o[key] as? String else { throw bad("has no text '\(key)'") }
            return s
        }
        guard let children = o["children"] as? [String] else { throw bad("has no list of 'children'") }
        let code = try string("code")
        let parent = try string("parent")
        guard (try? DivisionCode(code))?.digits == code, parent.isEmpty || (try? DivisionCode(parent))?.digits == parent,
            children.allSatisfy({ (try? DivisionCode($0))?.digits == $0 })
        else { throw bad("names a code that is not 12 digits") }
        let health = NodeHealth(
            code: code, name: try string("name"), parent: parent, children: children, issuedAt: try int("issuedAt"),
            windowSeconds: try int("windowSeconds"), backlog: try int("backlog"), oldestPendingAt: try int("oldestPendingAt"),
            records: try int("records"), quarantined: try int("quarantined"), software: try string("software"), catalogue: try string("catalogue"))
        guard health.canonicalBytes() == Array(content) else { throw bad("is not in this format's canonical form") }
        return health
    }
}
