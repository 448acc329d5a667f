import CreditDomain
import GRDB

/// A record as a node holds it: its state and which version (HLC and origin of the change that
/// wrote its content) — what two nodes must agree on.
public struct HeldRecord: Sendable, Hashable {
    public var state: String
    public var hlc: Int64
    public var origin: String
}

/// What a node's change log says about exactly-once: how many changes, how many distinct
/// (origin, seq), and how many records have status changes but were never received.
public struct ChangeLogTally: Sendable, Hashable {
    public var changes: Int
    public var distinct: Int
    public var statusWithoutRecord: Int
}

extension NodeStore {
    /// Every record this node holds, by key, with its state and version.
    public func heldRecords() throws -> [String: HeldRecord] {
        try read { db in
            var out: [String: HeldRecord] = [:]
            let rows = try Row.fetchCursor(
                db, sql: "SELECT r.record_key, r.state, r.updated_hlc, c.origin FROM records r JOIN changes c ON c.id = r.content_change")
            while let row = try rows.next() { out[row[0]] = HeldRecord(state: row[1], hlc: row[2], origin: row[3]) }
            return out
        }
    }

    /// The change log's tally (`ChangeLogTally`).
    public func changeLogTally() throws -> ChangeLogTally {
        try read { db in
            let changes = try Int.fetchOne(db.cachedStatement(sql: "SELECT count(*) FROM changes")) ?? 0
            let distinct = try Int.fetchOne(db.cachedStatement(sql: "SELECT count(*) FROM (SELECT DISTINCT origin, seq FROM changes)")) ?? 0
            let orphans =
                try Int.fetchOne(
                    db.cachedStatement(
                        sql:
                            "SELECT count(DISTINCT record_key) FROM changes c WHERE op = 'status' AND NOT EXISTS (SELECT 1 FROM records r WHERE r.record_key = c.record_key)"
                    )) ?? 0
            return ChangeLogTally(changes: changes, distinct: distinct, statusWithoutRecord: orphans)
        }
    }

    /// The position of the newest change noted for `child` to pull (0: none) — or for every
    /// child, a change of a network-wide kind. A child whose cursor is below it has something to
    /// pull (or to skip).
    public func lastRelevantChange(child: DivisionCode) throws -> Int64 {
        try read { db in
            try Int64.fetchOne(
                db.cachedStatement(
                    sql:
                        "SELECT MAX(m) FROM (SELECT MAX(position) AS m FROM relevance WHERE area = ? UNION ALL SELECT MAX(position) FROM relevance WHERE area = '*')"
                ), arguments: [child.digits]) ?? 0
        }
    }

    /// Which of `keys` name a record this node holds.
    public func heldKeys(among keys: [String]) throws -> Set<String> {
        try read { db in
            var out: Set<String> = []
            let statement = try db.cachedStatement(sql: "SELECT 1 FROM records WHERE record_key = ?")
            for key in keys where try Bool.fetchOne(statement, arguments: [key]) == true { out.insert(key) }
            return out
        }
    }

    /// Change sets held behind a gap.
    public func heldSetCount() throws -> Int {
        try read { db in try Int.fetchOne(db.cachedStatement(sql: "SELECT count(*) FROM held")) ?? 0 }
    }
}
