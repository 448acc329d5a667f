import CreditDomain
import Foundation

// What a node's sync reads and writes through `SyncStore`.

/// A signed change set held in the outbox.
public struct OutboxEntry: Sendable, Hashable {
    public var origin: String
    public var firstSeq: Int64
    public var lastSeq: Int64
    public var hash: [UInt8]
    public var encoded: [UInt8]
    public var acknowledged: Bool

    public init(origin: String, firstSeq: Int64, lastSeq: Int64, hash: [UInt8], encoded: [UInt8], acknowledged: Bool) {
        self.origin = origin
        self.firstSeq = firstSeq
        self.lastSeq = lastSeq
        self.hash = hash
        self.encoded = encoded
        self.acknowledged = acknowledged
    }
}

/// Seals new changes into signed change sets. Given the origin's last sealed seq and hash and
/// the changes that follow it, returns the encoded change sets (seq range, hash, previous hash,
/// bytes), in order.
public typealias ChangeSetSealer = (_ lastHash: [UInt8], _ changes: [Change]) throws -> [(
    first: Int64, last: Int64, hash: [UInt8], previous: [UInt8], encoded: [UInt8]
)]

/// What waits for the parent's receipt, all origins together: the push schedule's input.
public struct UpwardBacklog: Sendable, Hashable {
    /// Changes not yet acknowledged: in sets sent or sealed, and this node's own not yet sealed.
    public var pending: Int
    /// When the oldest of them reached this node (milliseconds since the epoch), if any.
    public var oldestAt: Int64?

    public init(pending: Int, oldestAt: Int64?) {
        self.pending = pending
        self.oldestAt = oldestAt
    }
}

/// One page of what a child pulls: the changes that concern it after a cursor, each with what
/// proves it came from its origin (the whole change set it arrived in, or the signed header and
/// Merkle proof it came down with).
public struct DownwardPage: Sendable {
    public enum Evidence: Sendable, Hashable {
        /// The change set (outbox id) this node holds whole: the proof is computed from it.
        case wholeSet(Int64)
        /// The signed header (down_sets id) and inclusion proof the change came down with.
        case proof(setID: Int64, leafIndex: Int, proof: [UInt8])
    }
    public struct Item: Sendable {
        public var changeID: Int64
        public var change: Change
        public var evidence: Evidence

        public init(changeID: Int64, change: Change, evidence: Evidence) {
            self.changeID = changeID
            self.change = change
            self.evidence = evidence
        }
    }
    /// A change set held whole: its bytes and every change in it, in order.
    public struct WholeSet: Sendable {
        public var encoded: [UInt8]
        public var changes: [Change]

        public init(encoded: [UInt8], changes: [Change]) {
            self.encoded = encoded
            self.changes = changes
        }
    }
    /// Where a set held whole lies, when its bytes and changes were not loaded (`evidence(of:loadingWholeSets:)`).
    public struct SetRange: Sendable, Hashable {
        public var origin: String
        public var firstSeq: Int64
        public var lastSeq: Int64

        public init(origin: String, firstSeq: Int64, lastSeq: Int64) {
            self.origin = origin
            self.firstSeq = firstSeq
            self.lastSeq = lastSeq
        }
    }
    public var items: [Item] = []
    public var wholeSets: [Int64: WholeSet] = [:]
    public var setRanges: [Int64: SetRange] = [:]
    public var signedHeaders: [Int64: [UInt8]] = [:]
    /// The cursor after this page: a position of the parent's down stream (not a change id: a
    /// change can be given to a child again at a later position, PROTOCOL.md "Positions").
    public var next: Int64
    /// Whether more changes wait after `next`.
    public var more = false

    public init(next: Int64, more: Bool = false) {
        self.next = next
        self.more = more
    }
}

/// A change received from the parent, verified, with its evidence to keep.
public struct DownwardChange: Sendable {
    public var change: Change
    public var dates: RecordDates
    public var setOrigin: String
    public var setFirstSeq: Int64
    public var signedHeader: [UInt8]
    public var leafIndex: Int
    public var proof: [UInt8]

    public init(change: Change, dates: RecordDates, setOrigin: String, setFirstSeq: Int64, signedHeader: [UInt8], leafIndex: Int, proof: [UInt8]) {
        self.change = change
        self.dates = dates
        self.setOrigin = setOrigin
        self.setFirstSeq = setFirstSeq
        self.signedHeader = signedHeader
        self.leafIndex = leafIndex
        self.proof = proof
    }
}

/// How many change sets go in one answer — a push's bundle, the sets returned to a child
/// rebuilding its store: in order, while together they hold at most `changesMax` changes and
/// `bytesMax` bytes, and always the first, however large.
public struct SetPacking: Sendable {
    public let changesMax: Int
    public let bytesMax: Int
    private var changes = 0
    private var bytes = 0
    private var taken = false

    public init(changesMax: Int, bytesMax: Int) {
        self.changesMax = changesMax
        self.bytesMax = bytesMax
    }

    /// Takes a set of `changes` changes counted as `bytes` bytes if it fits; false ends the answer.
    public mutating func take(changes: Int, bytes: Int) -> Bool {
        if taken && (self.changes + changes > changesMax || self.bytes + bytes > bytesMax) { return false }
        self.changes += changes
        self.bytes += bytes
        taken = true
        return true
    }
}
