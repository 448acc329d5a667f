import CreditDomain
import Foundation
import GRDB
import SyncCore

/// A verified change set as a parent accepts it: what chaining, forwarding and the apply queue
/// need. Its changes are read when it is applied (`IncomingChangeSet`).
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

    /// Which set it is: the apply queue's identity of it.
    public var key: QueuedSet.Key { .init(origin: origin, firstSeq: firstSeq) }
}

/// A change set to apply at a parent: as accepted, with its verified changes and the dates the
/// records table needs.
public struct IncomingChangeSet: Sendable {
    public var received: ReceivedSet
    public var changes: [Change]
    /// Decision date and publication deadline per change, computed by the caller from the catalogue.
    public var dates: [RecordDates]

    public init(
        origin: String, firstSeq: Int64, lastSeq: Int64, hash: [UInt8], previousHash: [UInt8], encoded: [UInt8], changes: [Change],
        dates: [RecordDates]
    ) {
        self.init(
            received: ReceivedSet(origin: origin, firstSeq: firstSeq, lastSeq: lastSeq, hash: hash, previousHash: previousHash, encoded: encoded),
            changes: changes,
            dates: dates)
    }

    public init(received: ReceivedSet, changes: [Change], dates: [RecordDates]) {
        self.received = received
        self.changes = changes
        self.dates = dates
    }

    public var origin: String { received.origin }
    public var firstSeq: Int64 { received.firstSeq }
}

/// What accepting did with a change set (`NodeStore.accept`).
public enum Acceptance: Sendable, Hashable {
    /// Accepted exactly once: chained, queued upward, and queued to be applied here.
    case accepted
    /// Accepted before: acknowledged again, nothing written.
    case duplicate
    /// Ahead of a gap: kept, and accepted when the gap closes.
    case held
}

extension NodeStore {
    /// Where this node stands with an origin received from below: last seq accepted and its hash.
    public func chain(origin: String) throws -> (lastSeq: Int64, lastHash: [UInt8])? {
        try pool.read { db in try Self.chain(origin, db) }
    }

    static func chain(_ origin: String, _ db: Database) throws -> (lastSeq: Int64, lastHash: [UInt8])? {
        try Row.fetchOne(db.cachedStatement(sql: "SELECT last_seq, last_hash FROM chains WHERE origin = ?"), arguments: [origin]).map {
            ($0[0], Array($0[1] as Data))
        }
    }

    /// Accepts change sets in one transaction, each exactly once: a set already accepted is a
    /// duplicate; one that continues its origin's chain is accepted — the chain moves on, the
    /// set goes verbatim into the outbox for the parent and into the apply queue; one that leaves
    /// a gap is held and accepted when the gap closes. `decide` checks a set against the chain
    /// state and throws for a broken chain, which refuses the whole call; `header` reads a held
    /// set's bytes back. When this returns, what was accepted is durable and may be
    /// acknowledged: its changes reach the change log and records through `applyQueued`, slice
    /// by slice, in the order accepted.
    public func accept(
        _ sets: [ReceivedSet], forward: Bool = true, now: Date = Date(),
        decide: (ReceivedSet, _ lastSeq: Int64, _ lastHash: [UInt8]) throws -> Acceptance,
        header: ([UInt8]) throws -> ReceivedSet
    ) throws -> [Acceptance] {
        let nowMs = ChinaTime.milliseconds(now)
        return try write { db in
            var outcomes: [Acceptance] = []
            for set in sets {
                let state = try Self.chain(set.origin, db)
                let outcome = try decide(set, state?.lastSeq ?? 0, state?.lastHash ?? [])
                switch outcome {
                case .duplicate: break
                case .held:
                    try db.execute(
                        sql: "INSERT OR IGNORE INTO held (origin, first_seq, encoded, received_at) VALUES (?, ?, ?, ?)",
                        arguments: [set.origin, set.firstSeq, Data(set.encoded), nowMs])
                case .accepted:
                    try Self.acceptOne(set, db: db, nowMs: nowMs, forward: forward)
                    // A held set may follow now.
                    var next = set
                    while let row = try Row.fetchOne(
                        db, sql: "SELECT encoded FROM held WHERE origin = ? AND first_seq = ?", arguments: [next.origin, next.lastSeq + 1])
                    {
                        let held = try header(Array(row[0] as Data))
                        guard try decide(held, next.lastSeq, next.hash) == .accepted else { break }
                        try Self.acceptOne(held, db: db, nowMs: nowMs, forward: forward)
                        try db.execute(sql: "DELETE FROM held WHERE origin = ? AND first_seq = ?", arguments: [held.origin, held.firstSeq])
                        next = held
                    }
                }
                outcomes.append(outcome)
            }
            return outcomes
        }
    }

    static func acceptOne(_ set: ReceivedSet, db: Database, nowMs: Int64, forward: Bool) throws {
        try db.execute(
            sql:
                "INSERT INTO chains (origin, last_seq, last_hash) VALUES (?, ?, ?) ON CONFLICT (origin) DO UPDATE SET last_seq = excluded.last_seq, last_hash = excluded.last_hash",
            arguments: [set.origin, set.lastSeq, Data(set.hash)])
        // Forwarded upward verbatim: the outbox keeps the origin's own chain. The top has no
        // parent: it keeps the set too (its changes' Merkle proofs go down from it), as
        // acknowledged — when it continues what it holds (a store from before v4 holds no sets).
        var inOutbox = true
        if !forward {
            inOutbox =
                try Bool.fetchOne(
                    db,
                    sql:
                        "SELECT ? = 1 AND NOT EXISTS (SELECT 1 FROM outbox WHERE origin = ?) OR EXISTS (SELECT 1 FROM outbox WHERE origin = ? AND last_seq = ? - 1)",
                    arguments: [set.firstSeq, set.origin, set.origin, set.firstSeq]) ?? false
        }
        if inOutbox {
            try insertOutbox(
                db, origin: set.origin, first: set.firstSeq, last: set.lastSeq, hash: set.hash, previous: set.previousHash, encoded: set.encoded,
                createdAt: nowMs,
                acknowledgedAt: forward ? nil : nowMs)
        }
        try db.execute(
            sql: "INSERT INTO apply_queue (origin, first_seq, changes, encoded, accepted_at) VALUES (?, ?, ?, ?, ?)",
            arguments: [set.origin, set.firstSeq, set.lastSeq - set.firstSeq + 1, inOutbox ? nil : Data(set.encoded), nowMs])
    }
}

extension NodeStore {
    /// Every received origin inside `area`, with the last seq applied and its hash (for a child
    /// resuming after it lost track).
    public func chains(inside area: DivisionCode) throws -> [(origin: String, lastSeq: Int64, lastHash: [UInt8])] {
        // The codes inside `area` share its significant digits: one range of the primary key.
        let prefix = String(area.digits.prefix(area.tier.significantDigits))
        return try pool.read { db in
            try Row.fetchAll(
                db.cachedStatement(sql: "SELECT origin, last_seq, last_hash FROM chains WHERE origin >= ? AND origin < ? ORDER BY origin"),
                arguments: [prefix, prefix + ":"]
            ).map { row in (row[0], row[1], Array(row[2] as Data)) }
        }
    }
}
