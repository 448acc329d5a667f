import CreditDomain
import Foundation
import GRDB
import SyncCore

extension NodeStore {
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
