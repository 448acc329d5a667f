import CreditDomain
import Crypto

/// The Merkle tree over a change set's lines (RFC 6962 shape): leaf = SHA-256(0x00 ‖ line),
/// node = SHA-256(0x01 ‖ left ‖ right), the left subtree holding the largest power of two below n.
public enum Merkle {
    public static func leaf(_ line: some Sequence<UInt8>) -> [UInt8] { leaf(ArraySlice(line)) }

    /// The leaf hash of bytes in place (no copy of the line).
    public static func leaf(_ line: ArraySlice<UInt8>) -> [UInt8] {
        var h = SHA256()
        h.update(data: [0x00])
        line.withUnsafeBytes { h.update(bufferPointer: $0) }
        return Array(h.finalize())
    }

    static func node(_ left: [UInt8], _ right: [UInt8]) -> [UInt8] {
        var h = SHA256()
        h.update(data: [0x01])
        h.update(data: left)
        h.update(data: right)
        return Array(h.finalize())
    }

    /// Recomputes the root from a leaf, its index, the tree size and its proof.
    public static func root(leaf: [UInt8], index: Int, count: Int, proof: [[UInt8]]) -> [UInt8]? {
        func walk(_ index: Int, _ count: Int, _ proof: ArraySlice<[UInt8]>) -> [UInt8]? {
            if count == 1 { return proof.isEmpty ? leaf : nil }
            guard let sibling = proof.last else { return nil }
            var split = 1
            while split * 2 < count { split *= 2 }
            if index < split {
                return walk(index, split, proof.dropLast()).map { node($0, sibling) }
            }
            return walk(index - split, count - split, proof.dropLast()).map { node(sibling, $0) }
        }
        guard index >= 0, index < count else { return nil }
        return walk(index, count, proof[...])
    }
}

extension Array where Element == UInt8 {
    /// Lowercase hex digits.
    public var hex: String {
        let digits = Array("0123456789abcdef".utf8)
        return String(unsafeUninitializedCapacity: count * 2) { out in
            for (i, b) in enumerated() {
                out[2 * i] = digits[Int(b >> 4)]
                out[2 * i + 1] = digits[Int(b & 0x0F)]
            }
            return count * 2
        }
    }

    /// From lowercase hex digits; nil for anything else.
    public init?(hex: String) {
        let b = Array(hex.utf8)
        guard b.count % 2 == 0 else { return nil }
        var out: [UInt8] = []
        out.reserveCapacity(b.count / 2)
        func v(_ c: UInt8) -> UInt8? {
            switch c {
            case 0x30...0x39: c - 0x30
            case 0x61...0x66: c - 0x61 + 10
            default: nil
            }
        }
        var i = 0
        while i < b.count {
            guard let hi = v(b[i]), let lo = v(b[i + 1]) else { return nil }
            out.append(hi << 4 | lo)
            i += 2
        }
        self = out
    }
}

extension Merkle {
    /// The leaf digest of bytes in place, without allocating.
    public static func leafDigest(_ line: UnsafeRawBufferPointer) -> SHA256Digest {
        var h = SHA256()
        withUnsafeBytes(of: UInt8(0x00)) { h.update(bufferPointer: $0) }
        h.update(bufferPointer: line)
        return h.finalize()
    }

    static func nodeDigest(_ left: SHA256Digest, _ right: SHA256Digest) -> SHA256Digest {
        var h = SHA256()
        withUnsafeBytes(of: UInt8(0x01)) { h.update(bufferPointer: $0) }
        left.withUnsafeBytes { h.update(bufferPointer: $0) }
        right.withUnsafeBytes { h.update(bufferPointer: $0) }
        return h.finalize()
    }
}

/// SHA-256 of `bytes`.
public func sha256(_ bytes: [UInt8]) -> [UInt8] { Array(SHA256.hash(data: bytes)) }

/// A whole Merkle tree kept level by level (RFC 6962 shape: pairing adjacent nodes and carrying
/// an odd last node up unchanged gives the tree whose left subtree holds the largest power of two).
/// Built from leaf digests with one array per level, not per node: it gives a change set's root
/// without an allocation per node, and many inclusion proofs from one set.
public struct MerkleTree {
    let levels: [[SHA256Digest]]

    public init(digests leaves: [SHA256Digest]) {
        precondition(!leaves.isEmpty, "a Merkle tree needs at least one leaf")
        var levels = [leaves]
        while levels.last!.count > 1 {
            let level = levels.last!
            var up: [SHA256Digest] = []
            up.reserveCapacity((level.count + 1) / 2)
            var i = 0
            while i + 1 < level.count {
                up.append(Merkle.nodeDigest(level[i], level[i + 1]))
                i += 2
            }
            if i < level.count { up.append(level[i]) }
            levels.append(up)
        }
        self.levels = levels
    }

    public var root: [UInt8] { Array(levels.last![0]) }
    var rootDigest: SHA256Digest { levels.last![0] }

    /// The inclusion proof of leaf `index`, sibling hashes from the leaf up.
    public func proof(index: Int) -> [[UInt8]] {
        var out: [[UInt8]] = []
        var i = index
        for level in levels.dropLast() {
            let sibling = i ^ 1
            if sibling < level.count { out.append(Array(level[sibling])) }
            i /= 2
        }
        return out
    }
}

/// A change set's Merkle tree kept from the roots of its 16-leaf buckets up (a sixteenth of the
/// whole tree's memory): an inclusion proof needs the 16 changes of the leaf's bucket besides.
/// The same tree as `MerkleTree` over all the leaves: pairing adjacent nodes, bucket `j` is the
/// whole tree's node at level 4, index `j` (the last bucket's partial subtree carried up alike).
public struct BucketedMerkleTree: Sendable {
    public static let bucket = 16
    public let count: Int
    /// The levels from the bucket roots up, each 32 bytes per node, flat.
    let levels: [[UInt8]]

    /// From every change of the set, in seq order.
    public init(changes: [Change]) {
        precondition(!changes.isEmpty, "a Merkle tree needs at least one leaf")
        count = changes.count
        var level: [UInt8] = []
        level.reserveCapacity((changes.count + Self.bucket - 1) / Self.bucket * 32)
        var start = 0
        while start < changes.count {
            MerkleTree(digests: Self.leaves(changes[start..<min(start + Self.bucket, changes.count)])).rootDigest.withUnsafeBytes {
                level.append(contentsOf: $0)
            }
            start += Self.bucket
        }
        var levels = [level]
        while levels.last!.count > 32 {
            let below = levels.last!
            var up: [UInt8] = []
            up.reserveCapacity((below.count / 32 + 1) / 2 * 32)
            var i = 0
            while i + 64 <= below.count {
                up.append(contentsOf: Merkle.node(Array(below[i..<i + 32]), Array(below[i + 32..<i + 64])))
                i += 64
            }
            if i < below.count { up.append(contentsOf: below[i..<i + 32]) }
            levels.append(up)
        }
        self.levels = levels
    }

    public var root: [UInt8] { levels.last! }

    /// The first and last leaf index of the bucket holding leaf `index`.
    public func bucketRange(of index: Int) -> ClosedRange<Int> {
        let first = index / Self.bucket * Self.bucket
        return first...min(first + Self.bucket, count) - 1
    }

    /// The inclusion proof of leaf `index`, given the changes of its bucket (`bucketRange`) in
    /// order; nil when they are not that many.
    public func proof(index: Int, bucket changes: [Change]) -> [[UInt8]]? {
        guard index >= 0, index < count, changes.count == bucketRange(of: index).count else { return nil }
        var out = MerkleTree(digests: Self.leaves(changes[...])).proof(index: index % Self.bucket)
        var i = index / Self.bucket
        for level in levels.dropLast() {
            let sibling = i ^ 1
            if (sibling + 1) * 32 <= level.count { out.append(Array(level[sibling * 32..<(sibling + 1) * 32])) }
            i /= 2
        }
        return out
    }

    static func leaves(_ changes: ArraySlice<Change>) -> [SHA256Digest] {
        var line: [UInt8] = []
        return changes.map { c in
            line.removeAll(keepingCapacity: true)
            c.appendCanonicalLine(to: &line)
            return line.withUnsafeBytes { Merkle.leafDigest($0) }
        }
    }
}
