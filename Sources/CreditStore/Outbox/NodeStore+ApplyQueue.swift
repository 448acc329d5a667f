import CreditDomain
import Foundation
import GRDB
import SyncCore

extension NodeStore {
    /// The oldest accepted change set not yet wholly applied (queued after entry `after`, if
    /// given), with its bytes.
    public func nextQueued(after: Int64 = 0) throws -> (entry: QueueEntry, encoded: [UInt8])? {
        try read { db in
            try Row.fetchOne(
                db.cachedStatement(
                    sql: """
                        SELECT q.id, q.origin, q.first_seq, q.changes, q.applied, COALESCE(q.encoded, b.encoded) FROM apply_queue q
                        LEFT JOIN outbox o ON o.origin = q.origin AND o.first_seq = q.first_seq LEFT JOIN outbox_bytes b ON b.id = o.id
                        WHERE q.id > ? ORDER BY q.id LIMIT 1
                        """), arguments: [after]
            ).map {
                (QueueEntry(id: $0[0], key: SetKey(origin: $0[1], firstSeq: $0[2]), count: $0[3], applied: $0[4]), Array(($0[5] as Data?) ?? Data()))
            }
        }
    }

    /// Change sets and changes accepted and not yet applied.
    public func queued() throws -> ApplyQueueCounts {
        try read { db in
            let row = try Row.fetchOne(db.cachedStatement(sql: "SELECT count(*), COALESCE(SUM(changes - applied), 0) FROM apply_queue"))
            return ApplyQueueCounts(sets: row?[0] ?? 0, changes: row?[1] ?? 0)
        }
    }

    /// Applies the next slice of a queued set (`ApplyPolicy.nextSlice`) — changes appended to the
    /// change log, records updated as `RecordApply` says, routes noted for the children — and
    /// records how far the set is applied (removing it from the queue after its last change), in
    /// one transaction. `changes` and `dates` are the whole set's. Returns the new `applied`, or
    /// nil, changing nothing, when the queue no longer stands where `entry` says (another process
    /// applied it).
    public func applyQueued(_ entry: QueueEntry, changes: [Change], dates: [RecordDates], slice: Int = ApplyPolicy.sliceWithParent) throws -> Int? {
        precondition(changes.count == entry.count && dates.count == entry.count, "the set applied is the one queued")
        let range = ApplyPolicy.nextSlice(of: entry, slice: slice)
        return try write { db in
            if range.upperBound == entry.count {
                try db.cachedStatement(sql: "DELETE FROM apply_queue WHERE id = ? AND applied = ?").execute(arguments: [entry.id, entry.applied])
            } else {
                try db.cachedStatement(sql: "UPDATE apply_queue SET applied = ? WHERE id = ? AND applied = ?").execute(arguments: [
                    range.upperBound, entry.id, entry.applied,
                ])
            }
            guard db.changesCount == 1 else { return nil }
            try Self.applyChanges(changes, dates: dates, range, db: db, routes: routes)
            return range.upperBound
        }
    }
}
