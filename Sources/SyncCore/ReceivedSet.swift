/// A change set as the sync core and its stores handle it: which set it is, how it links to its
/// origin's chain, and the origin's signed bytes, forwarded verbatim. The wire format and its
/// checks are `ChangeSets.ChangeSet` (`ChangeSet.Verified` once verified); this is the one type a
/// store accepts, holds, forwards and queues.
public struct ReceivedSet: Sendable, Hashable {
    public var origin: String
    public var firstSeq: Int64
    public var lastSeq: Int64
    public var hash: [UInt8]
    public var previousHash: [UInt8]
    public var encoded: [UInt8]

    public init(origin: String, firstSeq: Int64, lastSeq: Int64, hash: [UInt8], previousHash: [UInt8], encoded: [UInt8]) {
        self.origin = origin
        self.firstSeq = firstSeq
        self.lastSeq = lastSeq
        self.hash = hash
        self.previousHash = previousHash
        self.encoded = encoded
    }

    public var key: SetKey { SetKey(origin: origin, firstSeq: firstSeq) }
    public var count: Int { Int(lastSeq - firstSeq + 1) }
}

/// A change set's identity: its origin and first seq.
public struct SetKey: Sendable, Hashable {
    public var origin: String
    public var firstSeq: Int64

    public init(origin: String, firstSeq: Int64) {
        self.origin = origin
        self.firstSeq = firstSeq
    }
}

/// Where a node stands with an origin it receives: the last seq accepted and that set's hash. A
/// receipt says it per origin; the child acknowledges what it covers (`Coverage`).
public struct ChainPosition: Sendable, Hashable {
    public var origin: String
    public var lastSeq: Int64
    public var hash: [UInt8]

    public init(origin: String, lastSeq: Int64, hash: [UInt8]) {
        self.origin = origin
        self.lastSeq = lastSeq
        self.hash = hash
    }
}

/// What accepting did with a change set (`Intake.take`).
public enum Acceptance: Sendable, Hashable {
    /// Accepted exactly once: chained, queued upward, and queued to be applied here.
    case accepted
    /// Accepted before: acknowledged again, nothing written.
    case duplicate
    /// Ahead of a gap: kept, and accepted when the gap closes.
    case held
}

/// A place in the apply queue: an accepted set (by its key) of `count` changes, the first
/// `applied` of them applied. Its bytes are the set's, read with it (`SyncStore.nextQueued`).
public struct QueueEntry: Sendable, Hashable {
    public var id: Int64
    public var key: SetKey
    public var count: Int
    public var applied: Int

    public init(id: Int64, key: SetKey, count: Int, applied: Int) {
        self.id = id
        self.key = key
        self.count = count
        self.applied = applied
    }
}

/// How much the apply queue holds.
public struct ApplyQueueCounts: Sendable, Hashable, Codable {
    public var sets: Int
    public var changes: Int

    public init(sets: Int, changes: Int) {
        self.sets = sets
        self.changes = changes
    }
}
