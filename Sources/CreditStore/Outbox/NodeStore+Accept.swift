import CreditDomain
import Foundation
import GRDB
import SyncCore

extension NodeStore {
    /// Where this node stands with an origin received from below: last seq accepted and its hash.
    public func position(of origin: String) throws -> ChainPosition? {
        try read { db in try Self.position(origin, db) }
    }

    static func position(_ origin: String, _ db: Database) throws -> ChainPosition? {
        try Row.fetchOne(db.cachedStatement(sql: "SELECT last_seq, last_hash FROM chains WHERE origin = ?"), arguments: [origin]).map {
            ChainPosition(origin: origin, lastSeq: $0[0], hash: Array($0[1] as Data))
        }
    }

    /// Accepts change sets in one transaction as `Intake.take` decides: each exactly once, a gap
    /// held, a broken chain refusing the whole call. An accepted set goes verbatim into the outbox
    /// for the parent (at the top, as `Intake.keepsWhole` says) and into the apply queue. `header`
    /// reads a held set's bytes back. When this returns, what was accepted is durable and may be
    /// acknowledged: its changes reach the change log and records through `applyQueued`, slice by
    /// slice, in the order accepted.
    public func accept(_ sets: [ReceivedSet], forward: Bool = true, now: Date = Date(), header: ([UInt8]) throws -> ReceivedSet) throws
        -> [Acceptance]
    {
        let nowMs = ChinaTime.milliseconds(now)
        return try withoutActuallyEscaping(header) { header in
            try write { db in
                var ledger = SQLiteIntakeLedger(db: db, nowMs: nowMs, forward: forward, header: header)
                return try Intake.take(sets, into: &ledger)
            }
        }
    }
}

/// The store's side of `Intake.take`: the chains, held sets, outbox and apply queue tables, in the
/// caller's transaction.
struct SQLiteIntakeLedger: IntakeLedger {
    let db: Database
    let nowMs: Int64
    let forward: Bool
    let header: ([UInt8]) throws -> ReceivedSet

    func position(of origin: String) throws -> ChainPosition? { try NodeStore.position(origin, db) }

    func held(origin: String, firstSeq: Int64) throws -> ReceivedSet? {
        try Data.fetchOne(db.cachedStatement(sql: "SELECT encoded FROM held WHERE origin = ? AND first_seq = ?"), arguments: [origin, firstSeq]).map {
            try header(Array($0))
        }
    }

    func hold(_ set: ReceivedSet) throws {
        try db.cachedStatement(sql: "INSERT OR IGNORE INTO held (origin, first_seq, encoded, received_at) VALUES (?, ?, ?, ?)").execute(arguments: [
            set.origin, set.firstSeq, Data(set.encoded), nowMs,
        ])
    }

    func release(_ key: SetKey) throws {
        try db.cachedStatement(sql: "DELETE FROM held WHERE origin = ? AND first_seq = ?").execute(arguments: [key.origin, key.firstSeq])
    }

    func accept(_ set: ReceivedSet) throws {
        try db.cachedStatement(
            sql:
                "INSERT INTO chains (origin, last_seq, last_hash) VALUES (?, ?, ?) ON CONFLICT (origin) DO UPDATE SET last_seq = excluded.last_seq, last_hash = excluded.last_hash"
        ).execute(arguments: [set.origin, set.lastSeq, Data(set.hash)])
        // Forwarded upward verbatim: the outbox keeps the origin's own chain. The top keeps the set
        // too, as acknowledged (its changes' Merkle proofs go down from it).
        let whole =
            try forward
            || Intake.topKeepsWhole(
                firstSeq: set.firstSeq,
                holdsAnyOfOrigin: Bool.fetchOne(
                    db.cachedStatement(sql: "SELECT EXISTS (SELECT 1 FROM outbox WHERE origin = ?)"), arguments: [set.origin]) ?? false,
                holdsSetEndingBefore: Bool.fetchOne(
                    db.cachedStatement(sql: "SELECT EXISTS (SELECT 1 FROM outbox WHERE origin = ? AND last_seq = ?)"),
                    arguments: [set.origin, set.firstSeq - 1])
                    ?? false)
        if whole {
            try NodeStore.insertOutbox(
                db, origin: set.origin, first: set.firstSeq, last: set.lastSeq, hash: set.hash, previous: set.previousHash, encoded: set.encoded,
                createdAt: nowMs, acknowledgedAt: forward ? nil : nowMs)
        }
        try db.cachedStatement(sql: "INSERT INTO apply_queue (origin, first_seq, changes, encoded, accepted_at) VALUES (?, ?, ?, ?, ?)").execute(
            arguments: [set.origin, set.firstSeq, set.count, whole ? nil : Data(set.encoded), nowMs])
    }
}

extension NodeStore {
    /// Every received origin inside `area`, with the last seq applied and its hash (for a child
    /// resuming after it lost track).
    public func chains(inside area: DivisionCode) throws -> [ChainPosition] {
        // The codes inside `area` share its significant digits: one range of the primary key.
        let prefix = area.areaPrefix
        return try read { db in
            try Row.fetchAll(
                db.cachedStatement(sql: "SELECT origin, last_seq, last_hash FROM chains WHERE origin >= ? AND origin < ? ORDER BY origin"),
                arguments: [prefix, prefix + ":"]
            ).map { row in ChainPosition(origin: row[0], lastSeq: row[1], hash: Array(row[2] as Data)) }
        }
    }
}
