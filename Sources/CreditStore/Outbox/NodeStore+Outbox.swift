import CreditDomain
import Foundation
import GRDB
import SyncCore

extension NodeStore {
    /// Seals every change of `origin` not yet in the outbox, in one transaction, and returns
    /// how many change sets were added.
    @discardableResult
    public func sealOutbox(origin: String, changesPerSet: Int = 10_000, now: Date = Date(), sealer: ChangeSetSealer) throws -> Int {
        try write { db in
            let last = try Row.fetchOne(
                db.cachedStatement(sql: "SELECT last_seq, hash FROM outbox WHERE origin = ? ORDER BY last_seq DESC LIMIT 1"), arguments: [origin])
            var lastSeq: Int64 = last?["last_seq"] ?? 0
            var lastHash: [UInt8] = (last?["hash"] as Data?).map { Array($0) } ?? []
            var added = 0
            let next = try RawStatement(db, Self.changeSelect + " FROM changes WHERE origin = ? AND seq > ? AND downward = 0 ORDER BY seq LIMIT ?")
            while true {
                next.bind(1, origin)
                next.bind(2, lastSeq)
                next.bind(3, Int64(changesPerSet))
                let changes = try Self.changes(next)
                guard !changes.isEmpty else { break }
                for set in try sealer(lastHash, changes) {
                    try Self.insertOutbox(
                        db, origin: origin, first: set.first, last: set.last, hash: set.hash, previous: set.previous, encoded: set.encoded,
                        createdAt: ChinaTime.milliseconds(now), acknowledgedAt: nil)
                    lastSeq = set.last
                    lastHash = set.hash
                    added += 1
                }
            }
            return added
        }
    }

    /// Change sets not yet acknowledged by the parent, in order: as many as hold at most
    /// `changesMax` changes and `bytesMax` encoded bytes (each counted with its 4-byte length)
    /// together, and at least the first.
    public func pendingOutbox(changesMax: Int = .max, bytesMax: Int = .max) throws -> [OutboxEntry] {
        try read { db in
            var out: [OutboxEntry] = []
            var packing = SetPacking(changesMax: changesMax, bytesMax: bytesMax)
            let rows = try Row.fetchCursor(
                db.cachedStatement(
                    sql: """
                        SELECT o.origin, o.first_seq, o.last_seq, o.hash, b.encoded, o.acknowledged_at FROM outbox o JOIN outbox_bytes b ON b.id = o.id
                        WHERE o.acknowledged_at IS NULL ORDER BY o.id
                        """))
            while let row = try rows.next() {
                let entry = OutboxEntry(
                    origin: row[0], firstSeq: row[1], lastSeq: row[2], hash: Array(row[3] as Data), encoded: Array(row[4] as Data),
                    acknowledged: row[5] != nil)
                guard packing.take(changes: Int(entry.lastSeq - entry.firstSeq + 1), bytes: entry.encoded.count + 4) else { break }
                out.append(entry)
            }
            return out
        }
    }

    /// A change set into the outbox: its row, and its bytes apart.
    static func insertOutbox(
        _ db: Database, origin: String, first: Int64, last: Int64, hash: [UInt8], previous: [UInt8], encoded: [UInt8], createdAt: Int64,
        acknowledgedAt: Int64?
    ) throws {
        try db.cachedStatement(
            sql: "INSERT INTO outbox (origin, first_seq, last_seq, hash, previous_hash, created_at, acknowledged_at) VALUES (?, ?, ?, ?, ?, ?, ?)"
        ).execute(arguments: [origin, first, last, Data(hash), Data(previous), createdAt, acknowledgedAt])
        try db.cachedStatement(sql: "INSERT INTO outbox_bytes (id, encoded) VALUES (?, ?)").execute(arguments: [db.lastInsertedRowID, Data(encoded)])
    }
}
