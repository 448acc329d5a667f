import Foundation

/// One immutable fact about a record, as stored in a change log and carried in change sets.
public struct Change: Sendable, Hashable {
    public var origin: String
    public var seq: Int64
    public var hlc: HLCStamp
    public var enteredAtMilliseconds: Int64
    /// `put`, `status` or `retract`.
    public var op: String
    public var kind: String
    public var key: String
    public var jurisdiction: String
    /// The canonical JSON object of the change's content (for `put`: the record's fields).
    public var body: String

    public init(
        origin: String, seq: Int64, hlc: HLCStamp, enteredAtMilliseconds: Int64, op: String, kind: String, key: String, jurisdiction: String,
        body: String
    ) {
        self.origin = origin
        self.seq = seq
        self.hlc = hlc
        self.enteredAtMilliseconds = enteredAtMilliseconds
        self.op = op
        self.kind = kind
        self.key = key
        self.jurisdiction = jurisdiction
        self.body = body
    }

    static let ops: Set<String> = ["put", "status", "retract"]
    static let opBytes = ops.map { Array($0.utf8) }

    /// Appends the canonical line (without the line feed) to a byte buffer.
    public func appendCanonicalLine(to out: inout [UInt8]) {
        out.append(contentsOf: "{\"body\":".utf8)
        out.append(contentsOf: body.utf8)
        out.append(contentsOf: ",\"enteredAt\":\(enteredAtMilliseconds),\"hlc\":\(hlc.rawValue),\"jurisdiction\":".utf8)
        CanonicalJSON.appendString(jurisdiction, to: &out)
        out.append(contentsOf: ",\"key\":".utf8)
        CanonicalJSON.appendString(key, to: &out)
        out.append(contentsOf: ",\"kind\":".utf8)
        CanonicalJSON.appendString(kind, to: &out)
        out.append(contentsOf: ",\"op\":".utf8)
        CanonicalJSON.appendString(op, to: &out)
        out.append(contentsOf: ",\"origin\":".utf8)
        CanonicalJSON.appendString(origin, to: &out)
        out.append(contentsOf: ",\"seq\":\(seq)}".utf8)
    }

    /// The canonical JSON line (without the line feed): keys in byte order, the body inserted
    /// as it is stored (it is canonical already).
    public var canonicalLine: String {
        var bytes: [UInt8] = []
        appendCanonicalLine(to: &bytes)
        return String(decoding: bytes, as: UTF8.self)
    }
}
