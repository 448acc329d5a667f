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

    /// The root over leaf hashes (at least one).
    public static func root(_ leaves: ArraySlice<[UInt8]>) -> [UInt8] {
        if leaves.count == 1 { return leaves.first! }
        var split = 1
        while split * 2 < leaves.count { split *= 2 }
        let mid = leaves.startIndex + split
        return node(root(leaves[leaves.startIndex..<mid]), root(leaves[mid...]))
    }

    /// The inclusion proof of leaf `index`: sibling hashes from the leaf up.
    public static func proof(_ leaves: ArraySlice<[UInt8]>, index: Int) -> [[UInt8]] {
        if leaves.count == 1 { return [] }
        var split = 1
        while split * 2 < leaves.count { split *= 2 }
        let mid = leaves.startIndex + split
        if index < split {
            return proof(leaves[leaves.startIndex..<mid], index: index) + [root(leaves[mid...])]
        }
        return proof(leaves[mid...], index: index - split) + [root(leaves[leaves.startIndex..<mid])]
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
    var hex: String { map { String(format: "%02x", $0) }.joined() }

    init?(hex: String) {
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
    static func leafDigest(_ line: UnsafeRawBufferPointer) -> SHA256Digest {
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

    /// The root over leaf digests, level by level in place (the same tree as `root(_:)`: an odd
    /// last node is carried up unchanged). Used where millions of lines are hashed: no
    /// allocation per node.
    static func root(digests: inout [SHA256Digest]) -> [UInt8] {
        precondition(!digests.isEmpty, "a Merkle tree needs at least one leaf")
        var n = digests.count
        while n > 1 {
            var i = 0
            var j = 0
            while i + 1 < n {
                digests[j] = nodeDigest(digests[i], digests[i + 1])
                i += 2
                j += 1
            }
            if i < n {
                digests[j] = digests[i]
                j += 1
            }
            n = j
        }
        return Array(digests[0])
    }
}

/// SHA-256 of `bytes`.
public func sha256(_ bytes: [UInt8]) -> [UInt8] { Array(SHA256.hash(data: bytes)) }

/// A whole Merkle tree kept level by level, for taking many inclusion proofs from one change
/// set: each proof costs a walk up the levels instead of rehashing subtrees. Pairing adjacent
/// nodes and carrying an odd last node up unchanged gives the same tree as `Merkle.root`.
public struct MerkleTree: Sendable {
    let levels: [[[UInt8]]]

    public init(leaves: [[UInt8]]) {
        precondition(!leaves.isEmpty, "a Merkle tree needs at least one leaf")
        var levels = [leaves]
        while levels.last!.count > 1 {
            let level = levels.last!
            var up: [[UInt8]] = []
            up.reserveCapacity((level.count + 1) / 2)
            var i = 0
            while i + 1 < level.count {
                up.append(Merkle.node(level[i], level[i + 1]))
                i += 2
            }
            if i < level.count { up.append(level[i]) }
            levels.append(up)
        }
        self.levels = levels
    }

    public var root: [UInt8] { levels.last![0] }

    /// The inclusion proof of leaf `index`, sibling hashes from the leaf up (as `Merkle.proof`).
    public func proof(index: Int) -> [[UInt8]] {
        var out: [[UInt8]] = []
        var i = index
        for level in levels.dropLast() {
            let sibling = i ^ 1
            if sibling < level.count { out.append(level[sibling]) }
            i /= 2
        }
        return out
    }
}
