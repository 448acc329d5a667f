import CreditDomain
import Foundation
import GRDB
import SyncCore

/// A change set accepted and not yet wholly applied, oldest first.
public struct QueuedSet: Sendable, Hashable {
    public var id: Int64
    public var origin: String
    public var firstSeq: Int64
    /// How many of its changes are applied (the first ones).
    public var applied: Int
    public var encoded: [UInt8]

    /// A set's identity in the queue: its origin and first seq.
    public struct Key: Sendable, Hashable {
        public var origin: String
        public var firstSeq: Int64
    }

    public var key: Key { .init(origin: origin, firstSeq: firstSeq) }
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

extension NodeStore {
    /// The oldest accepted change set not yet wholly applied (queued after the set `after`, if
    /// given), with its bytes.
    public func nextQueued(after: Int64 = 0) throws -> QueuedSet? {
        try pool.read { db in
            try Row.fetchOne(
                db,
                sql: """
                    SELECT q.id, q.origin, q.first_seq, q.applied, COALESCE(q.encoded, b.encoded) FROM apply_queue q
                    LEFT JOIN outbox o ON o.origin = q.origin AND o.first_seq = q.first_seq LEFT JOIN outbox_bytes b ON b.id = o.id
                    WHERE q.id > ? ORDER BY q.id LIMIT 1
                    """, arguments: [after]
            ).map { QueuedSet(id: $0[0], origin: $0[1], firstSeq: $0[2], applied: $0[3], encoded: Array(($0[4] as Data?) ?? Data())) }
        }
    }

    /// Change sets and changes accepted and not yet applied.
    public func queued() throws -> ApplyQueueCounts {
        try pool.read { db in
            let row = try Row.fetchOne(db.cachedStatement(sql: "SELECT count(*), COALESCE(SUM(changes - applied), 0) FROM apply_queue"))
            return ApplyQueueCounts(sets: row?[0] ?? 0, changes: row?[1] ?? 0)
        }
    }

    /// Changes applied per transaction at a node with a parent: the write lock is held briefly,
    /// so accepting the next bundle from a child — forwarding — never waits long behind this
    /// node's own copy, which it applies at a low priority.
    public static let applySlice = 2_000

    /// Changes applied per transaction at the top, which forwards nothing: a whole change set of
    /// up to 10,000 changes. Each commit writes every page it changed, and the records' key and
    /// subject indexes take their entries in random order, so a slice of 2,000 rewrote the same
    /// index pages five times as often (a 200,000-change import into a store of a million
    /// records: 928 → 683 MB written, 7.3–8.4 s → 6.8–7.1 s).
    public static let topApplySlice = 10_000

    /// Applies the next slice of a queued set — changes appended to the change log, records
    /// updated last-writer-wins by (HLC, origin), routes noted for the children — and records how
    /// far the set is applied (removing it from the queue after its last change), in one
    /// transaction. Returns the new `applied`, or nil, changing nothing, when the queue no longer
    /// stands where `queued` says (another process applied it).
    public func applyQueued(_ queued: QueuedSet, _ set: IncomingChangeSet, slice: Int = applySlice) throws -> Int? {
        precondition(set.origin == queued.origin && set.firstSeq == queued.firstSeq, "the set applied is the one queued")
        let range = queued.applied..<min(queued.applied + slice, set.changes.count)
        return try write { db in
            if range.upperBound == set.changes.count {
                try db.execute(sql: "DELETE FROM apply_queue WHERE id = ? AND applied = ?", arguments: [queued.id, queued.applied])
            } else {
                try db.execute(
                    sql: "UPDATE apply_queue SET applied = ? WHERE id = ? AND applied = ?", arguments: [range.upperBound, queued.id, queued.applied])
            }
            guard db.changesCount == 1 else { return nil }
            try Self.applyChanges(set, range, db: db, routes: routes)
            return range.upperBound
        }
    }

    /// Applies every queued set in order, reading each once with `read`, `slice` changes per
    /// transaction as long as `continuing`; returns how many sets were finished.
    @discardableResult
    public func applyAllQueued(slice: Int = applySlice, while continuing: () -> Bool = { true }, read: (QueuedSet) throws -> IncomingChangeSet) throws
        -> Int
    {
        var count = 0
        while continuing(), var next = try nextQueued() {
            let set = try read(next)
            while continuing(), let applied = try applyQueued(next, set, slice: slice) {
                if applied == set.changes.count {
                    count += 1
                    break
                }
                next.applied = applied
            }
        }
        return count
    }

    /// Accepts and applies at once: `accept`, then every queued set (`reload` reads a set's bytes
    /// that is not among `sets`).
    public func apply(
        _ sets: [IncomingChangeSet], forward: Bool = true, now: Date = Date(),
        decide: (ReceivedSet, _ lastSeq: Int64, _ lastHash: [UInt8]) throws -> Acceptance,
        reload: ([UInt8]) throws -> IncomingChangeSet
    ) throws -> [Acceptance] {
        let outcomes = try accept(sets.map(\.received), forward: forward, now: now, decide: decide, header: { try reload($0).received })
        var given: [QueuedSet.Key: IncomingChangeSet] = [:]
        for set in sets { given[set.received.key] = set }
        try applyAllQueued { try given[$0.key] ?? reload($0.encoded) }
        return outcomes
    }
}
