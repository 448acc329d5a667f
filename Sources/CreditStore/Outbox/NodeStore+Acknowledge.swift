import CreditDomain
import Foundation
import GRDB
import SyncCore

extension NodeStore {
    /// Marks outbox entries covered by a receipt as acknowledged and stores the receipt, in one
    /// transaction. `covered` gives, per origin, the last seq the parent acknowledged with that
    /// set's hash; entries are acknowledged up to it only if `Coverage` says the parent names
    /// this node's own set. The health records that travelled in the receipt's `bundle` are
    /// acknowledged with them. The receipt is kept when it covers change sets.
    @discardableResult
    public func acknowledge(
        parent: String, issuedAt: Int64, receipt: [UInt8], bundle: [UInt8], covered: [ChainPosition], held: [SetKey] = [], now: Date = Date()
    ) throws -> Int {
        try write { db in
            var count = 0
            // A parent that stands below what it acknowledged before has rebuilt its store and
            // lost what it had not yet sent on (OPERATIONS.md, "Restoring"): those sets are sent
            // again. Judged only from a receipt newer than every one kept (an old receipt file
            // imported late says nothing of where the parent stands now).
            let newest =
                try Int64.fetchOne(db.cachedStatement(sql: "SELECT MAX(issued_at) FROM receipts WHERE parent = ?"), arguments: [parent]) ?? 0
            if issuedAt > newest {
                try reopen(db, Coverage.standing(covered: covered, held: held), parent: parent)
            }
            for c in covered {
                let ours = try Data.fetchOne(
                    db.cachedStatement(sql: "SELECT hash FROM outbox WHERE origin = ? AND last_seq = ?"), arguments: [c.origin, c.lastSeq])
                guard Coverage.acknowledges(c, ownHashEndingThere: ours.map(Array.init)) else { continue }
                try db.cachedStatement(sql: "UPDATE outbox SET acknowledged_at = ? WHERE origin = ? AND last_seq <= ? AND acknowledged_at IS NULL")
                    .execute(arguments: [ChinaTime.milliseconds(now), c.origin, c.lastSeq])
                count += db.changesCount
            }
            try db.cachedStatement(
                sql: """
                    UPDATE node_health SET forwarded_issued_at = max(forwarded_issued_at, in_bundle_issued_at), in_bundle = NULL,
                        in_bundle_issued_at = NULL WHERE in_bundle = ?
                    """
            ).execute(arguments: [Data(bundle)])
            // The proof of delivery of change sets; a heartbeat's receipt (health records only,
            // every few minutes) proves nothing worth a row each.
            if !covered.isEmpty {
                try db.cachedStatement(sql: "INSERT INTO receipts (parent, issued_at, encoded, stored_at) VALUES (?, ?, ?, ?)").execute(arguments: [
                    parent, issuedAt, Data(receipt), ChinaTime.milliseconds(now),
                ])
            }
            return count
        }
    }

    public func reopen(parentStands: [ChainPosition], parent: String) throws -> Int {
        // Read first, write only when the parent stands below something (after every heartbeat,
        // it almost never does): per origin this node forwards — its own and those it accepted
        // from below (`chains`, a row each) — the last acknowledged set, through the outbox's
        // (origin, last_seq) index from the end.
        let below = try read { db in
            let last = try db.cachedStatement(
                sql: "SELECT last_seq FROM outbox WHERE origin = ? AND acknowledged_at IS NOT NULL ORDER BY last_seq DESC LIMIT 1")
            var acknowledged: [String: Int64] = [:]
            for origin in try String.fetchAll(db.cachedStatement(sql: "SELECT origin FROM chains")) + [node.digits] {
                acknowledged[origin] = try Int64.fetchOne(last, arguments: [origin])
            }
            return Coverage.standing(reported: parentStands, acknowledgedOrigins: Array(acknowledged.keys)).filter {
                acknowledged[$0.origin, default: 0] > $0.lastSeq
            }
        }
        guard !below.isEmpty else { return 0 }
        return try write { db in try reopen(db, below, parent: parent) }
    }

    /// Makes pending again the acknowledged sets past where the parent stands with their origin.
    @discardableResult
    private func reopen(_ db: Database, _ standing: [(origin: String, lastSeq: Int64)], parent: String) throws -> Int {
        var count = 0
        for (origin, stands) in standing {
            try db.cachedStatement(sql: "UPDATE outbox SET acknowledged_at = NULL WHERE origin = ? AND last_seq > ? AND acknowledged_at IS NOT NULL")
                .execute(arguments: [origin, stands])
            if db.changesCount > 0 {
                count += db.changesCount
                logger.warning(
                    "the parent stands below what it acknowledged: sending again",
                    metadata: ["parent": "\(parent)", "origin": "\(origin)", "parentStandsAt": "\(stands)", "sets": "\(db.changesCount)"])
            }
        }
        return count
    }
}
