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

    /// Takes back, in one transaction as `Intake.take` decides, change sets of this node and its
    /// subtree that its parent holds and returned (a node rebuilding a lost store): each exactly
    /// once, a broken chain refusing the whole call. Taken as if accepted from below, except
    /// that they are kept as acknowledged (the parent holds them) and this node's own sets
    /// continue its outbox's chain rather than a received origin's.
    /// A set that would leave a gap is refused too (`StoreError.badRule`): the parent returns an
    /// origin's sets from where this node stands. `header` reads a held set's bytes back.
    public func takeBack(_ sets: [ReceivedSet], now: Date = Date(), header: ([UInt8]) throws -> ReceivedSet) throws -> [Acceptance] {
        let nowMs = ChinaTime.milliseconds(now)
        return try withoutActuallyEscaping(header) { header in
            try write { db in
                var ledger = SQLiteIntakeLedger(db: db, nowMs: nowMs, forward: true, header: header, returnedFor: node.digits)
                return try Intake.take(sets, into: &ledger)
            }
        }
    }

    /// Where this node's own chain of sealed sets ends (nil: nothing sealed), and the last seq
    /// of its own change log (sealed or not).
    public func ownStanding() throws -> (sealed: ChainPosition?, logged: Int64) {
        let own = node.digits
        return try read { db in
            (try Self.lastOutboxSet(own, db), try Self.ownLogged(own, db))
        }
    }

    /// The last seq of this node's own change log (sealed or not); 0 when it holds none.
    static func ownLogged(_ own: String, _ db: Database) throws -> Int64 {
        try Int64.fetchOne(db.cachedStatement(sql: "SELECT MAX(seq) FROM changes WHERE origin = ? AND downward = 0"), arguments: [own]) ?? 0
    }

    /// The seq this node's next own change takes: after its log's last, or after the floor
    /// `restartOwnSeqs` set, whichever is further.
    static func nextOwnSeq(_ origin: String, _ db: Database) throws -> Int64 {
        try Int64.fetchOne(
            db.cachedStatement(
                sql:
                    "SELECT max(coalesce((SELECT MAX(seq) FROM changes WHERE origin = ?1), 0), coalesce((SELECT own_seq_floor FROM node WHERE code = ?1), 0)) + 1"
            ), arguments: [origin])!
    }

    public func restartOwnSeqs(floor: Int64) throws -> Int64 {
        let own = node.digits
        return try write { db in
            let sealed = try Self.lastOutboxSet(own, db)?.lastSeq ?? 0
            let logged = try Self.ownLogged(own, db)
            guard logged <= sealed else {
                throw StoreError(
                    code: .badRule,
                    message:
                        "this store holds changes \(sealed + 1)…\(logged) of its own not sealed into a change set; seal them before its seqs go on past \(floor)"
                )
            }
            guard floor > logged else {
                throw StoreError(code: .badRule, message: "this store's own changes reach seq \(logged); its seqs cannot go on past \(floor)")
            }
            try db.cachedStatement(sql: "UPDATE node SET own_seq_floor = max(own_seq_floor, ?)").execute(arguments: [floor])
            return try Self.nextOwnSeq(own, db)
        }
    }

    static func lastOutboxSet(_ origin: String, _ db: Database) throws -> ChainPosition? {
        try Row.fetchOne(
            db.cachedStatement(sql: "SELECT last_seq, hash FROM outbox WHERE origin = ? ORDER BY last_seq DESC LIMIT 1"), arguments: [origin]
        ).map { ChainPosition(origin: origin, lastSeq: $0[0], hash: Array($0[1] as Data)) }
    }

    /// The sets of `origin` this node keeps whole after seq `after`, verbatim and in order: as
    /// many as hold at most `changesMax` changes and `bytesMax` bytes, and at least the first
    /// (what a child rebuilding its store takes back).
    public func keptSets(of origin: String, after: Int64, changesMax: Int, bytesMax: Int) throws -> [[UInt8]] {
        try read { db in
            var out: [[UInt8]] = []
            var packing = SetPacking(changesMax: changesMax, bytesMax: bytesMax)
            let rows = try Row.fetchCursor(
                db.cachedStatement(
                    sql: """
                        SELECT o.first_seq, o.last_seq, b.encoded FROM outbox o JOIN outbox_bytes b ON b.id = o.id
                        WHERE o.origin = ? AND o.last_seq > ? ORDER BY o.last_seq
                        """), arguments: [origin, after])
            while let row = try rows.next() {
                let first: Int64 = row[0]
                let last: Int64 = row[1]
                let encoded = Array(row[2] as Data)
                guard packing.take(changes: Int(last - first + 1), bytes: encoded.count) else { break }
                out.append(encoded)
            }
            return out
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
    /// Set when the sets are this node's and its subtree's, returned by its parent (`takeBack`):
    /// this node's code.
    var returnedFor: String? = nil

    func position(of origin: String) throws -> ChainPosition? {
        // A node's own chain is its outbox's; the `chains` table holds the origins received from below.
        origin == returnedFor ? try NodeStore.lastOutboxSet(origin, db) : try NodeStore.position(origin, db)
    }

    func held(origin: String, firstSeq: Int64) throws -> ReceivedSet? {
        try Data.fetchOne(db.cachedStatement(sql: "SELECT encoded FROM held WHERE origin = ? AND first_seq = ?"), arguments: [origin, firstSeq]).map {
            try header(Array($0))
        }
    }

    func hold(_ set: ReceivedSet) throws {
        if returnedFor != nil {
            throw StoreError(
                code: .badRule,
                message:
                    "the parent returned \(set.origin)'s change set \(set.firstSeq)…\(set.lastSeq), which does not follow what this store holds of that origin"
            )
        }
        try db.cachedStatement(sql: "INSERT OR IGNORE INTO held (origin, first_seq, encoded, received_at) VALUES (?, ?, ?, ?)").execute(arguments: [
            set.origin, set.firstSeq, Data(set.encoded), nowMs,
        ])
    }

    func release(_ key: SetKey) throws {
        try db.cachedStatement(sql: "DELETE FROM held WHERE origin = ? AND first_seq = ?").execute(arguments: [key.origin, key.firstSeq])
    }

    func accept(_ set: ReceivedSet) throws {
        if set.origin != returnedFor {
            try db.cachedStatement(
                sql:
                    "INSERT INTO chains (origin, last_seq, last_hash) VALUES (?, ?, ?) ON CONFLICT (origin) DO UPDATE SET last_seq = excluded.last_seq, last_hash = excluded.last_hash"
            ).execute(arguments: [set.origin, set.lastSeq, Data(set.hash)])
        }
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
                createdAt: nowMs, acknowledgedAt: forward && returnedFor == nil ? nil : nowMs)
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
