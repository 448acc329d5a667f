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

    /// The canonical JSON line (without the line feed): keys in byte order, the body inserted
    /// as it is stored (it is canonical already).
    public var canonicalLine: String {
        var out = "{\"body\":"
        out += body
        out += ",\"enteredAt\":\(enteredAtMilliseconds),\"hlc\":\(hlc.rawValue),\"jurisdiction\":"
        CanonicalJSON.appendString(jurisdiction, to: &out)
        out += ",\"key\":"
        CanonicalJSON.appendString(key, to: &out)
        out += ",\"kind\":"
        CanonicalJSON.appendString(kind, to: &out)
        out += ",\"op\":"
        CanonicalJSON.appendString(op, to: &out)
        out += ",\"origin\":"
        CanonicalJSON.appendString(origin, to: &out)
        out += ",\"seq\":\(seq)}"
        return out
    }

    /// Parses one canonical line; nil unless the line is exactly the canonical encoding of a
    /// well-formed change (so two nodes can never disagree about what a line says).
    public static func parse(line: [UInt8]) -> Change? {
        guard let object = try? JSONSerialization.jsonObject(with: Data(line)) as? [String: Any], object.count == 9,
            let bodyObject = object["body"] as? [String: Any], let origin = object["origin"] as? String,
            let seq = (object["seq"] as? NSNumber)?.int64Value, let hlc = (object["hlc"] as? NSNumber)?.int64Value,
            let entered = (object["enteredAt"] as? NSNumber)?.int64Value, let op = object["op"] as? String, ops.contains(op),
            let kind = object["kind"] as? String, let key = object["key"] as? String, let jurisdiction = object["jurisdiction"] as? String
        else { return nil }
        var body = "{"
        for (i, k) in bodyObject.keys.sorted(by: { $0.utf8.lexicographicallyPrecedes($1.utf8) }).enumerated() {
            guard let v = bodyObject[k] as? String else { return nil }
            if i > 0 { body += "," }
            CanonicalJSON.appendString(k, to: &body)
            body += ":"
            CanonicalJSON.appendString(v, to: &body)
        }
        body += "}"
        let change = Change(
            origin: origin, seq: seq, hlc: HLCStamp(rawValue: hlc), enteredAtMilliseconds: entered, op: op, kind: kind, key: key,
            jurisdiction: jurisdiction, body: body)
        guard Array(change.canonicalLine.utf8) == line else { return nil }
        return change
    }
}
