import CreditDomain
import SyncCore
import Foundation
import GRDB

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

    static func applyChanges(_ set: IncomingChangeSet, _ range: Range<Int>, db: Database, routes: Routes) throws {
        var nextID = (try Int64.fetchOne(db, sql: "SELECT MAX(id) FROM changes") ?? 0) + 1
        var batch: ReceivedBatch?
        var start = range.lowerBound
        while start < range.upperBound {
            let chunk = start..<min(start + ReceivedBatch.size, range.upperBound)
            if ReceivedBatch.fits(set.changes[chunk]) {
                if batch == nil { batch = try ReceivedBatch(db) }
                try batch!.apply(set, chunk, firstID: nextID, routes: routes)
                nextID += Int64(chunk.count)
            } else {
                // Status changes, or one record twice in a chunk: one change at a time, in order.
                let insertChange = try db.cachedStatement(
                    sql:
                        "INSERT INTO changes (id, origin, seq, hlc, entered_at, op, kind, record_key, jurisdiction, body) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
                )
                for i in chunk {
                    let c = set.changes[i]
                    try insertChange.execute(arguments: [
                        nextID, c.origin, c.seq, c.hlc.rawValue, c.enteredAtMilliseconds, c.op, c.kind, c.key, c.jurisdiction, c.body,
                    ])
                    try applyToRecords(c, changeID: nextID, dates: set.dates[i], db: db)
                    try route(c, changeID: nextID, routes: routes, db: db)
                    nextID += 1
                }
            }
            start = chunk.upperBound
        }
    }

    /// Brings the records table up to date with one change: a put is the new version if it is
    /// the last writer by (HLC, origin); a status change re-derives the record's state. Order of
    /// arrival does not matter: a status change that arrives before its record is applied when
    /// the record arrives.
    static func applyToRecords(_ c: Change, changeID: Int64, dates d: RecordDates, db: Database) throws {
        guard c.op == "put" else {
            if c.op == "status" { try refreshState(key: c.key, db: db) }
            return
        }
        let current = try Row.fetchOne(
            try db.cachedStatement(
                sql: "SELECT r.id, r.updated_hlc, c.origin FROM records r JOIN changes c ON c.id = r.content_change WHERE r.record_key = ?"),
            arguments: [c.key])
        if let current {
            let currentHLC: Int64 = current[1]
            let currentOrigin: String = current[2]
            if LastWriter.supersedes(hlc: c.hlc.rawValue, origin: c.origin, over: currentHLC, currentOrigin) {
                try RecordRows.update(id: current[0], c, changeID: changeID, dates: d, db: db)
            }
        } else {
            try RecordRows.insert(c, changeID: changeID, dates: d, db: db)
            if let since = d.provisionalSince { try noteProvisionalDeadline(key: c.key, enteredOn: since, db: db) }
            try refreshState(key: c.key, db: db)
        }
    }

    /// Keeps, for a record just inserted with a provisional deadline, the day its lateness was
    /// judged against (`settleProvisionalDeadlines`).
    static func noteProvisionalDeadline(key: String, enteredOn: CivilDate, db: Database) throws {
        try db.cachedStatement(sql: "INSERT INTO provisional_deadlines (record_id, entered_on) SELECT id, ? FROM records WHERE record_key = ?")
            .execute(arguments: [enteredOn.iso, key])
    }

    /// Re-derives a record's state from all its status changes (`RecordState.derive`).
    static func refreshState(key: String, db: Database) throws {
        let facts = try Row.fetchAll(
            try db.cachedStatement(sql: "SELECT hlc, origin, body FROM changes WHERE record_key = ? AND op = 'status'"), arguments: [key]
        ).compactMap {
            row -> (hlc: Int64, origin: String, action: StatusAction)? in
            StatusChange.parse(body: row[2]).map { (row[0], row[1], $0.action) }
        }
        try db.cachedStatement(sql: "UPDATE records SET state = ?1 WHERE record_key = ?2 AND state <> ?1").execute(arguments: [
            RecordState.derive(facts).rawValue, key,
        ])
    }

    /// Notes which children must pull the change (`Routes.areas`).
    static func route(_ c: Change, changeID: Int64, routes: Routes, db: Database) throws {
        for area in routes.areas(jurisdiction: c.jurisdiction, kind: c.kind, origin: c.origin) {
            try db.cachedStatement(sql: "INSERT OR IGNORE INTO relevance (area, change_id) VALUES (?, ?)").execute(arguments: [area, changeID])
        }
    }

    /// Marks outbox entries covered by a receipt as acknowledged and stores the receipt, in one
    /// transaction. `covered` gives, per origin, the last seq the parent acknowledged with that
    /// set's hash; an entry is acknowledged only if the parent's hash for that seq matches.
    @discardableResult
    public func acknowledge(
        parent: String, issuedAt: Int64, receipt: [UInt8], covered: [(origin: String, lastSeq: Int64, hash: [UInt8])], now: Date = Date()
    ) throws -> Int {
        try write { db in
            var count = 0
            for c in covered {
                // The parent names the hash of its last set; ours at that seq must be the same set.
                guard
                    let ours = try Data.fetchOne(
                        db, sql: "SELECT hash FROM outbox WHERE origin = ? AND last_seq = ?", arguments: [c.origin, c.lastSeq]),
                    Array(ours) == c.hash
                else { continue }
                try db.execute(
                    sql: "UPDATE outbox SET acknowledged_at = ? WHERE origin = ? AND last_seq <= ? AND acknowledged_at IS NULL",
                    arguments: [ChinaTime.milliseconds(now), c.origin, c.lastSeq])
                count += db.changesCount
            }
            try db.execute(
                sql: "INSERT INTO receipts (parent, issued_at, encoded, stored_at) VALUES (?, ?, ?, ?)",
                arguments: [parent, issuedAt, Data(receipt), ChinaTime.milliseconds(now)])
            return count
        }
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

/// The received changes of one chunk applied with multi-row statements, as ingestion writes its
/// own (`IngestWriter`): one insert for the change rows, one lookup for the records they touch,
/// one insert for the new records, one lookup for status changes that arrived before their
/// record; then, per change, only what is rare — a newer version of a known record, a route to a
/// child. Only chunks of puts of distinct records take this path; the result is the same as
/// applying the changes one by one (tested).
struct ReceivedBatch {
    static let size = 100
    let db: Database
    let insertChanges: RawStatement
    let findRecords: RawStatement
    let insertRecords: RawStatement
    let findStatus: RawStatement

    static func fits(_ changes: ArraySlice<Change>) -> Bool {
        guard changes.count == size else { return false }
        var keys = Set<ExactText>(minimumCapacity: changes.count)
        for c in changes where c.op != "put" || !keys.insert(ExactText(c.key)).inserted { return false }
        return true
    }

    static func placeholders(_ n: Int) -> String { Array(repeating: "?", count: n).joined(separator: ",") }

    /// The same multi-row statements as ingestion (`IngestWriter`), for a full chunk.
    init(_ db: Database) throws {
        self.db = db
        insertChanges = try RawStatement(db, IngestWriter.insertSQL("changes", IngestWriter.changeColumns, width: 10, rows: Self.size))
        findRecords = try RawStatement(
            db,
            "SELECT r.record_key, r.id, r.updated_hlc, c.origin FROM records r JOIN changes c ON c.id = r.content_change WHERE r.record_key IN (\(Self.placeholders(Self.size)))"
        )
        insertRecords = try RawStatement(db, IngestWriter.insertSQL("records", RecordRows.columns, width: RecordRows.width, rows: Self.size))
        findStatus = try RawStatement(
            db, "SELECT DISTINCT record_key FROM changes WHERE op = 'status' AND record_key IN (\(Self.placeholders(Self.size)))")
    }

    func apply(_ set: IncomingChangeSet, _ chunk: Range<Int>, firstID: Int64, routes: Routes) throws {
        // Which records exist, with their current writer.
        var existing: [ExactText: (id: Int64, hlc: Int64, origin: String)] = [:]
        for (n, i) in chunk.enumerated() { findRecords.bind(Int32(n + 1), set.changes[i].key) }
        while try findRecords.step() {
            if let key = findRecords.text(0), let origin = findRecords.text(3) {
                existing[ExactText(key)] = (findRecords.int64(1), findRecords.int64(2), origin)
            }
        }
        findRecords.reset()
        // The change rows.
        for (n, i) in chunk.enumerated() {
            let c = set.changes[i]
            let at = Int32(n * 10)
            // IngestWriter.changeColumns: (origin, seq, hlc, entered_at, op, kind, record_key, jurisdiction, body, id)
            insertChanges.bind(at + 1, c.origin)
            insertChanges.bind(at + 2, c.seq)
            insertChanges.bind(at + 3, c.hlc.rawValue)
            insertChanges.bind(at + 4, c.enteredAtMilliseconds)
            insertChanges.bind(at + 5, c.op)
            insertChanges.bind(at + 6, c.kind)
            insertChanges.bind(at + 7, c.key)
            insertChanges.bind(at + 8, c.jurisdiction)
            insertChanges.bind(at + 9, c.body)
            insertChanges.bind(at + 10, firstID + Int64(n))
        }
        try insertChanges.step()
        insertChanges.reset()
        // New records in one statement (a short chunk goes one by one); known ones by the last-writer rule.
        var fresh: [Int] = []
        for (n, i) in chunk.enumerated() {
            let c = set.changes[i]
            if let current = existing[ExactText(c.key)] {
                if LastWriter.supersedes(hlc: c.hlc.rawValue, origin: c.origin, over: current.hlc, current.origin) {
                    try RecordRows.update(id: current.id, c, changeID: firstID + Int64(n), dates: set.dates[i], db: db)
                }
            } else {
                fresh.append(n)
            }
        }
        if fresh.count == Self.size {
            for (slot, n) in fresh.enumerated() {
                let i = chunk.lowerBound + n
                let c = set.changes[i]
                let d = set.dates[i]
                let at = Int32(slot * 10)
                insertRecords.bind(at + 1, c.key)
                insertRecords.bind(at + 2, c.kind)
                insertRecords.bind(at + 3, d.subject)
                insertRecords.bind(at + 4, c.jurisdiction)
                insertRecords.bind(at + 5, d.decision?.iso)
                insertRecords.bind(at + 6, d.deadline?.iso)
                insertRecords.bind(at + 7, d.late ? 1 : 0)
                insertRecords.bind(at + 8, firstID + Int64(n))
                insertRecords.bind(at + 9, c.hlc.rawValue)
                insertRecords.bind(at + 10, d.publicityUntil?.iso)
            }
            try insertRecords.step()
            insertRecords.reset()
        } else {
            for n in fresh {
                let i = chunk.lowerBound + n
                try RecordRows.insert(set.changes[i], changeID: firstID + Int64(n), dates: set.dates[i], db: db)
            }
        }
        for n in fresh {
            let i = chunk.lowerBound + n
            if let since = set.dates[i].provisionalSince { try NodeStore.noteProvisionalDeadline(key: set.changes[i].key, enteredOn: since, db: db) }
        }
        // A status change may have arrived before its record: those records take their state now.
        if !fresh.isEmpty {
            for (n, i) in chunk.enumerated() { findStatus.bind(Int32(n + 1), set.changes[i].key) }
            var early: [String] = []
            while try findStatus.step() { if let key = findStatus.text(0) { early.append(key) } }
            findStatus.reset()
            for key in early where existing[ExactText(key)] == nil { try NodeStore.refreshState(key: key, db: db) }
        }
        for (n, i) in chunk.enumerated() { try NodeStore.route(set.changes[i], changeID: firstID + Int64(n), routes: routes, db: db) }
    }
}
