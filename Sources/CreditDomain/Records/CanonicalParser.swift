/// A strict reader of canonical JSON (see PROTOCOL.md): it accepts exactly the bytes the
/// canonical encoder writes and nothing else, so parsing also proves canonical form.
struct CanonicalParser {
    let bytes: UnsafeBufferPointer<UInt8>
    var i = 0

    init(_ bytes: UnsafeBufferPointer<UInt8>) { self.bytes = bytes }

    var atEnd: Bool { i == bytes.count }

    mutating func expect(_ literal: StaticString) -> Bool {
        let n = literal.utf8CodeUnitCount
        guard i + n <= bytes.count else { return false }
        let p = literal.utf8Start
        for k in 0..<n where bytes[i + k] != p[k] { return false }
        i += n
        return true
    }

    mutating func expect(_ byte: UInt8) -> Bool {
        guard i < bytes.count, bytes[i] == byte else { return false }
        i += 1
        return true
    }

    /// A non-negative integer without leading zeros.
    mutating func integer() -> Int64? {
        let start = i
        var v: Int64 = 0
        while i < bytes.count, bytes[i] >= 0x30, bytes[i] <= 0x39 {
            let (m, o1) = v.multipliedReportingOverflow(by: 10)
            let (a, o2) = m.addingReportingOverflow(Int64(bytes[i] - 0x30))
            guard !o1, !o2 else { return nil }
            v = a
            i += 1
        }
        let n = i - start
        guard n > 0, !(n > 1 && bytes[start] == 0x30) else { return nil }
        return v
    }

    /// A string in canonical form: raw UTF-8 except `\"`, `\\`, `\n`, `\r`, `\t` and `\u00xx`
    /// (lowercase hex) for the other control characters. `rawString` checks the form; only a
    /// string with escapes is unescaped. Validated as UTF-8 as it is built: invalid bytes give nil.
    mutating func string() -> String? {
        guard let raw = rawString() else { return nil }
        return string(raw)
    }

    /// The text of a string token `rawString` checked: unescaped if it holds escapes, validated
    /// as UTF-8.
    func string(_ raw: (range: Range<Int>, escaped: Bool)) -> String? {
        guard raw.escaped else { return String(validating: UnsafeBufferPointer(rebasing: bytes[raw.range]), as: UTF8.self) }
        var out: [UInt8] = []
        out.reserveCapacity(raw.range.count)
        var k = raw.range.lowerBound
        while k < raw.range.upperBound {
            guard bytes[k] == 0x5C else {
                out.append(bytes[k])
                k += 1
                continue
            }
            switch bytes[k + 1] {
            case UInt8(ascii: "n"): out.append(0x0A)
            case UInt8(ascii: "r"): out.append(0x0D)
            case UInt8(ascii: "t"): out.append(0x09)
            case UInt8(ascii: "u"):
                out.append(Self.hex(bytes[k + 4])! << 4 | Self.hex(bytes[k + 5])!)
                k += 4
            case let e: out.append(e)  // \" and \\ stand for themselves
            }
            k += 2
        }
        return String(validating: out, as: UTF8.self)
    }

    /// A lowercase hex digit's value.
    static func hex(_ c: UInt8) -> UInt8? { c >= 0x30 && c <= 0x39 ? c - 0x30 : c >= 0x61 && c <= 0x66 ? c - 0x61 + 10 : nil }

    /// Checks a string token in canonical form in place, without building it; returns the range
    /// of its content between the quotes and whether it holds escapes.
    mutating func rawString() -> (range: Range<Int>, escaped: Bool)? {
        guard expect(0x22) else { return nil }
        let start = i
        var escaped = false
        while i < bytes.count {
            let b = bytes[i]
            if b == 0x22 {
                i += 1
                return (start..<(i - 1), escaped)
            }
            if b < 0x20 { return nil }
            if b == 0x5C {
                escaped = true
                guard i + 1 < bytes.count else { return nil }
                switch bytes[i + 1] {
                case 0x22, 0x5C, UInt8(ascii: "n"), UInt8(ascii: "r"), UInt8(ascii: "t"): i += 2
                case UInt8(ascii: "u"):
                    guard i + 5 < bytes.count, bytes[i + 2] == 0x30, bytes[i + 3] == 0x30 else { return nil }
                    guard let hi = Self.hex(bytes[i + 4]), let lo = Self.hex(bytes[i + 5]), hi <= 1 else { return nil }
                    let v = hi << 4 | lo
                    // Only control characters without a short escape are written as \u00xx.
                    guard v != 0x0A, v != 0x0D, v != 0x09 else { return nil }
                    i += 6
                default: return nil
                }
                continue
            }
            i += 1
        }
        return nil
    }

    /// An object of string values with keys in strictly increasing byte order; returns its
    /// exact bytes (the body is stored as received). Keys and values are checked in place; only
    /// a key with escapes is unescaped, to compare it.
    mutating func flatStringObject() -> String? {
        guard let range = flatStringObjectRange() else { return nil }
        return String(validating: UnsafeBufferPointer(rebasing: bytes[range]), as: UTF8.self)
    }

    /// The same check, in place: the object's byte range (UTF-8 is not checked here).
    mutating func flatStringObjectRange() -> Range<Int>? {
        let start = i
        guard expect(0x7B) else { return nil }
        if expect(0x7D) { return start..<i }
        var previous: [UInt8]?
        var previousRange: Range<Int>?
        repeat {
            let keyStart = i
            guard let key = rawString(), expect(0x3A), rawString() != nil else { return nil }
            if key.escaped || previous != nil {
                // Rare: compare unescaped keys.
                let valueEnd = i
                i = keyStart
                guard let text = string() else { return nil }
                i = valueEnd
                let bytesOfKey = Array(text.utf8)
                let before = previous ?? previousRange.map { Array(bytes[$0]) }
                if let before, !before.lexicographicallyPrecedes(bytesOfKey) { return nil }
                previous = bytesOfKey
            } else {
                if let p = previousRange, !bytes[p].lexicographicallyPrecedes(bytes[key.range]) { return nil }
                previousRange = key.range
            }
        } while expect(0x2C)
        guard expect(0x7D) else { return nil }
        return start..<i
    }
}

/// A change line whose canonical form was checked in place (`Change.checkCanonical`): its
/// numbers, and where its strings lie in the line. Nothing of it is built.
public struct CanonicalChangeLine {
    public typealias Token = (range: Range<Int>, escaped: Bool)
    let body: Range<Int>
    public let enteredAt: Int64
    public let hlc: Int64
    let jurisdiction: Token
    let key: Token
    let kind: Token
    let op: Token
    let origin: Token
    public let seq: Int64

    /// Checks the structure of a line: every token in canonical form, in canonical order. UTF-8
    /// and the op's value are left to the caller.
    static func scan(_ line: UnsafeBufferPointer<UInt8>) -> CanonicalChangeLine? {
        var p = CanonicalParser(line)
        guard p.expect("{\"body\":"), let body = p.flatStringObjectRange(),
            p.expect(",\"enteredAt\":"), let entered = p.integer(),
            p.expect(",\"hlc\":"), let hlc = p.integer(),
            p.expect(",\"jurisdiction\":"), let jurisdiction = p.rawString(),
            p.expect(",\"key\":"), let key = p.rawString(),
            p.expect(",\"kind\":"), let kind = p.rawString(),
            p.expect(",\"op\":"), let op = p.rawString(),
            p.expect(",\"origin\":"), let origin = p.rawString(),
            p.expect(",\"seq\":"), let seq = p.integer(),
            p.expect(0x7D), p.atEnd
        else { return nil }
        return CanonicalChangeLine(
            body: body, enteredAt: entered, hlc: hlc, jurisdiction: jurisdiction, key: key, kind: kind, op: op, origin: origin, seq: seq)
    }

    /// Whether a string token of the line is exactly these bytes (a token with escapes never is
    /// an origin, a code or an op).
    static func equals(_ token: Token, in line: UnsafeBufferPointer<UInt8>, _ text: [UInt8]) -> Bool {
        !token.escaped && token.range.count == text.count && UnsafeBufferPointer(rebasing: line[token.range]).elementsEqual(text)
    }

    public func originIs(_ code: [UInt8], in line: UnsafeBufferPointer<UInt8>) -> Bool { Self.equals(origin, in: line, code) }

    public func jurisdictionIs(_ code: [UInt8], in line: UnsafeBufferPointer<UInt8>) -> Bool { Self.equals(jurisdiction, in: line, code) }

    /// The origin's and the jurisdiction's text, for messages and the rarer checks.
    public func origin(in line: UnsafeBufferPointer<UInt8>) -> String { CanonicalParser(line).string(origin) ?? "" }
    public func jurisdiction(in line: UnsafeBufferPointer<UInt8>) -> String { CanonicalParser(line).string(jurisdiction) ?? "" }
}

extension Change {
    /// Reads one canonical change line; nil unless the bytes are exactly the canonical encoding
    /// of a well-formed change. Every byte lies in a token the parser checks (strings are
    /// validated as UTF-8 when built), so a line it accepts is valid UTF-8.
    public static func parseCanonical(_ line: UnsafeBufferPointer<UInt8>) -> Change? {
        guard let l = CanonicalChangeLine.scan(line) else { return nil }
        let p = CanonicalParser(line)
        guard let body = String(validating: UnsafeBufferPointer(rebasing: line[l.body]), as: UTF8.self),
            let jurisdiction = p.string(l.jurisdiction), let key = p.string(l.key), let kind = p.string(l.kind),
            let op = p.string(l.op), ops.contains(op), let origin = p.string(l.origin)
        else { return nil }
        return Change(
            origin: origin, seq: l.seq, hlc: HLCStamp(rawValue: l.hlc), enteredAtMilliseconds: l.enteredAt, op: op, kind: kind, key: key,
            jurisdiction: jurisdiction, body: body)
    }

    /// Checks one line exactly as `parseCanonical` does — it returns a line for the same bytes —
    /// without building the change: for a node that only forwards what it verifies and reads
    /// it again when it applies it. UTF-8 is checked over the whole line: every byte outside
    /// the strings is ASCII, so that is the same as checking each string.
    public static func checkCanonical(_ line: UnsafeBufferPointer<UInt8>) -> CanonicalChangeLine? {
        guard let l = CanonicalChangeLine.scan(line), opBytes.contains(where: { CanonicalChangeLine.equals(l.op, in: line, $0) }),
            TextDecoding.firstInvalidUTF8(line) == nil
        else { return nil }
        return l
    }
}

extension Change {
    /// The values of `keys` in a canonical flat body (a record's fields), without building the
    /// other keys and values: what the records table needs from a received version (decision
    /// date, subject, publicity fields) costs a scan, not a parse into a dictionary. Keys absent or
    /// a body that is not a canonical flat object give no values.
    public static func bodyValues(_ body: String, keys: Set<String>) -> [String: String] {
        bodyValues(body, fields: BodyFields(keys))
    }

    /// Every key and value of a canonical flat body (a record's fields); nil when the body is not
    /// an object of strings in canonical form (the caller then reads it as any JSON). A scan of
    /// the bytes: `JSONSerialization` was a twentieth of a portal page built afresh.
    public static func bodyFields(_ body: String) -> [String: String]? {
        var text = body
        return text.withUTF8 { bytes -> [String: String]? in
            var p = CanonicalParser(bytes)
            guard p.expect(0x7B) else { return nil }
            var out: [String: String] = [:]
            if !p.expect(0x7D) {
                repeat {
                    guard let key = p.string(), p.expect(0x3A), let value = p.string() else { return nil }
                    out[key] = value
                } while p.expect(0x2C)
                guard p.expect(0x7D) else { return nil }
            }
            return p.atEnd ? out : nil
        }
    }

    /// The same, with the keys prepared once for many bodies; values are returned under the
    /// names the fields give them.
    public static func bodyValues(_ body: String, fields: BodyFields) -> [String: String] {
        guard !fields.wanted.isEmpty else { return [:] }
        var out: [String: String] = [:]
        var text = body
        text.withUTF8 { bytes in
            var p = CanonicalParser(bytes)
            guard p.expect(0x7B), !p.expect(0x7D) else { return }
            repeat {
                let keyStart = p.i
                guard let key = p.rawString(), p.expect(0x3A) else { return }
                let valueStart = p.i
                guard p.rawString() != nil else { return }
                let name: String?
                if key.escaped {
                    var q = CanonicalParser(bytes)
                    q.i = keyStart
                    name = q.string().flatMap { fields.names[$0] }
                } else {
                    let keyBytes = UnsafeBufferPointer(rebasing: bytes[key.range])
                    name = fields.wanted.first { $0.bytes.count == keyBytes.count && $0.bytes.elementsEqual(keyBytes) }?.name
                }
                guard let name, out.count < fields.wanted.count else { continue }
                var q = CanonicalParser(bytes)
                q.i = valueStart
                if let value = q.string() { out[name] = value }
            } while p.expect(0x2C)
        }
        return out
    }
}

/// Keys to read from many bodies (`Change.bodyValues`), with their bytes laid out once, each
/// with the name its value is returned under.
public struct BodyFields: Sendable {
    /// Name by key.
    public let names: [String: String]
    let wanted: [(bytes: [UInt8], name: String)]

    /// Values returned under their keys.
    public init(_ keys: Set<String>) {
        self.init(names: Dictionary(uniqueKeysWithValues: keys.map { ($0, $0) }))
    }

    public init(names: [String: String]) {
        self.names = names
        wanted = names.sorted { $0.key < $1.key }.map { (Array($0.key.utf8), $0.value) }
    }
}
