import CreditDomain
import Foundation
import GRDB

/// A stored change set, as verification reads it.
public struct StoredSet: Sendable {
    public var origin: String
    public var firstSeq: Int64
    public var lastSeq: Int64
    public var encoded: [UInt8]
}

/// A change that came down, with what proves its origin signed it.
public struct StoredProof: Sendable {
    public var change: Change
    public var signedHeader: [UInt8]
    public var leafIndex: Int
    public var proof: [UInt8]
}

extension NodeStore {
    /// SQLite's own check of the file: b-trees, pages, indexes, and NOT NULL, CHECK and UNIQUE
    /// constraints (`quick`: all but the UNIQUE and index cross-checks, in one pass). Empty when
    /// sound; at most `errorsMax` problems. Stopped after `seconds` (nil: never) with `interrupted`.
    public func integrityProblems(quick: Bool, errorsMax: Int = 100, seconds: Double? = nil) throws -> (problems: [String], interrupted: Bool) {
        let pool = self.pool
        let timer = seconds.map { s in
            let t = DispatchSource.makeTimerSource(queue: .global())
            t.schedule(deadline: .now() + s)
            t.setEventHandler { pool.interrupt() }
            t.resume()
            return t
        }
        defer { timer?.cancel() }
        do {
            let problems = try read { db in
                let rows = try String.fetchAll(db, sql: "PRAGMA \(quick ? "quick_check" : "integrity_check")(\(errorsMax))")
                return (rows == ["ok"] ? [] : rows) + (try Self.constraintProblems(db, limit: errorsMax))
            }
            return (problems, false)
        } catch let error as DatabaseError where error.resultCode == .SQLITE_INTERRUPT {
            return ([], true)
        } catch let error as DatabaseError where error.resultCode == .SQLITE_CORRUPT || error.resultCode == .SQLITE_NOTADB {
            return (["the file cannot be read as a database: \(error.message ?? "\(error)")"], false)
        }
    }

    /// The table constraints checked again over the stored rows: SQLite checks CHECK constraints
    /// when a row is written, and (before 3.41) not in `integrity_check` — a byte flipped on disk
    /// afterwards (`act\u{FFFD}ve`) passes it.
    static func constraintProblems(_ db: Database, limit: Int) throws -> [String] {
        let date = "GLOB '[12][0-9][0-9][0-9]-[01][0-9]-[0-3][0-9]'"
        let records = try String.fetchAll(
            db,
            sql: """
                SELECT record_key FROM records
                WHERE state NOT IN ('active', 'objected', 'repaired', 'withdrawn', 'expired') OR late NOT IN (0, 1)
                   OR length(jurisdiction) <> 12 OR jurisdiction GLOB '*[^0-9]*'
                   OR (decision_date IS NOT NULL AND decision_date NOT \(date)) OR (publication_deadline IS NOT NULL AND publication_deadline NOT \(date))
                LIMIT ?
                """, arguments: [limit])
        let changes = try Row.fetchAll(
            db,
            sql:
                "SELECT origin, seq FROM changes WHERE NOT json_valid(body) OR op NOT IN ('put', 'status', 'retract') OR length(origin) <> 12 LIMIT ?",
            arguments: [limit])
        return records.map { "record \($0): a value breaks its table's constraints (state, late, code or date)" }
            + changes.map {
                "change \($0[0] as String? ?? "?") seq \($0[1] as Int64? ?? 0): a value breaks its table's constraints (body, op or origin)"
            }
    }

    /// Every change set the store keeps (its own, and its children's it forwards), in id order,
    /// `limit` at a time after `afterID`; with the id to continue from.
    public func storedSets(afterID: Int64, limit: Int) throws -> (sets: [StoredSet], lastID: Int64) {
        try read { db in
            var last = afterID
            let sets = try Row.fetchAll(
                db,
                sql:
                    "SELECT o.id, o.origin, o.first_seq, o.last_seq, b.encoded FROM outbox o JOIN outbox_bytes b ON b.id = o.id WHERE o.id > ? ORDER BY o.id LIMIT ?",
                arguments: [afterID, limit]
            ).map { row -> StoredSet in
                last = row[0]
                return StoredSet(origin: row[1], firstSeq: row[2], lastSeq: row[3], encoded: Array(row[4] as Data))
            }
            return (sets, last)
        }
    }

    /// The log's changes of `origin` with seqs in `range` that are applied here.
    public func changes(origin: String, seqs range: ClosedRange<Int64>) throws -> [Change] {
        try read { db in
            try Row.fetchAll(
                db.cachedStatement(sql: Self.changeSelect + " FROM changes WHERE origin = ? AND seq BETWEEN ? AND ? ORDER BY seq"),
                arguments: [origin, range.lowerBound, range.upperBound]
            ).map(Self.change)
        }
    }

    /// Changes that came down, with their signed headers and proofs, `limit` at a time after the
    /// change id `afterID`.
    public func storedProofs(afterID: Int64, limit: Int) throws -> (proofs: [StoredProof], lastID: Int64) {
        try read { db in
            var last = afterID
            let proofs = try Row.fetchAll(
                db,
                sql: """
                    SELECT c.origin, c.seq, c.hlc, c.entered_at, c.op, c.kind, c.record_key, c.jurisdiction, c.body, c.id, s.signed_header, p.leaf_index, p.proof
                    FROM down_proofs p JOIN changes c ON c.id = p.change_id JOIN down_sets s ON s.id = p.set_id
                    WHERE p.change_id > ? ORDER BY p.change_id LIMIT ?
                    """,
                arguments: [afterID, limit]
            ).map { row -> StoredProof in
                last = row[9]
                return StoredProof(change: Self.change(row), signedHeader: Array(row[10] as Data), leafIndex: row[11], proof: Array(row[12] as Data))
            }
            return (proofs, last)
        }
    }
}
