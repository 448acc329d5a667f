/// Reads a byte buffer with every length checked against what is left and against a limit.
struct ByteReader {
    let bytes: [UInt8]
    private(set) var offset = 0

    init(_ bytes: [UInt8]) { self.bytes = bytes }

    var remaining: Int { bytes.count - offset }

    mutating func take(_ n: Int, _ what: String) throws(ChangeSetError) -> ArraySlice<UInt8> {
        guard n >= 0, n <= remaining else {
            throw ChangeSetError(.truncated, "the input ends inside the \(what) (\(n) bytes announced, \(remaining) left)")
        }
        defer { offset += n }
        return bytes[offset..<(offset + n)]
    }

    mutating func u8(_ what: String) throws(ChangeSetError) -> Int { Int(try take(1, what).first!) }

    mutating func u16(_ what: String) throws(ChangeSetError) -> Int {
        let s = try take(2, what)
        return Int(s[s.startIndex]) << 8 | Int(s[s.startIndex + 1])
    }

    mutating func u32(_ what: String) throws(ChangeSetError) -> Int {
        let s = try take(4, what)
        return s.reduce(0) { $0 << 8 | Int($1) }
    }

    mutating func u64(_ what: String) throws(ChangeSetError) -> Int64 {
        let s = try take(8, what)
        return Int64(bitPattern: s.reduce(UInt64(0)) { $0 << 8 | UInt64($1) })
    }

    /// A length prefix, refused above `limit`.
    mutating func length32(_ what: String, limit: Int) throws(ChangeSetError) -> Int {
        let n = try u32("length of the \(what)")
        guard n <= limit else { throw ChangeSetError(.oversized, "the \(what) announces \(n) bytes; the limit is \(limit)") }
        return n
    }
}

extension Array where Element == UInt8 {
    mutating func appendU16(_ v: Int) { append(contentsOf: [UInt8(v >> 8 & 0xFF), UInt8(v & 0xFF)]) }
    mutating func appendU32(_ v: Int) { append(contentsOf: (0..<4).reversed().map { UInt8(v >> ($0 * 8) & 0xFF) }) }
    mutating func appendU64(_ v: Int64) {
        let u = UInt64(bitPattern: v)
        append(contentsOf: (0..<8).reversed().map { UInt8(u >> (UInt64($0) * 8) & 0xFF) })
    }
}
