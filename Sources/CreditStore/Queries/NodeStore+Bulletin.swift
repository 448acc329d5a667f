import CreditDomain
import GRDB

extension NodeStore {
    /// The authority in a key `kind|authority|number`, in SQL (as `tally_authority` reads it).
    /// (The shortest form: a key of another shape gives a value with `|` in it or none, and is left out.)
    static let keyAuthoritySQL = "substr(r.record_key, length(r.kind) + 2, instr(substr(r.record_key, length(r.kind) + 2), '|') - 1)"

    /// The records of `kind` — one numbered by its authority (`kind|authority|number` keys) —
    /// decided in `month`, counted by authority and jurisdiction with how many were late and how
    /// many corrected after an objection: read by the kind's decision-date index, grouped by SQLite.
    public func monthTallies(kind: String, month: CalendarMonth) throws -> [Bulletin.Tally] {
        try read { db in
            try Row.fetchAll(
                db,
                sql: """
                    SELECT \(Self.keyAuthoritySQL) AS authority, r.jurisdiction, count(*), sum(r.late), sum(\(Self.correctedAfterObjection))
                    FROM records r INDEXED BY records_kind_date
                    WHERE r.kind = ? AND r.decision_date >= ? AND r.decision_date < ?
                    GROUP BY authority, r.jurisdiction
                    """, arguments: [kind, month.first.iso, month.next.first.iso]
            ).compactMap { row in
                let authority: String = row[0] ?? ""
                guard !authority.isEmpty, !authority.contains("|") else { return nil }
                return Bulletin.Tally(authority: authority, jurisdiction: row[1], decided: row[2], late: row[3], corrected: row[4])
            }
        }
    }

    /// The document numbers of `kind`'s records decided in `month` by the authorities in
    /// `authorities` (read from the keys: `kind|authority|number`).
    public func monthDecisionNumbers(kind: String, month: CalendarMonth, authorities: Set<String>) throws -> [(authority: String, number: String)] {
        guard !authorities.isEmpty else { return [] }
        return try read { db in
            let keys = try String.fetchCursor(
                db,
                sql: """
                    SELECT r.record_key FROM records r INDEXED BY records_kind_date
                    WHERE r.kind = ? AND r.decision_date >= ? AND r.decision_date < ?
                    """, arguments: [kind, month.first.iso, month.next.first.iso])
            var out: [(authority: String, number: String)] = []
            while let key = try keys.next() {
                let parts = key.split(separator: "|", maxSplits: 2, omittingEmptySubsequences: false)
                guard parts.count == 3, authorities.contains(String(parts[1])) else { continue }
                out.append((String(parts[1]), String(parts[2])))
            }
            return out
        }
    }

    /// The newest row refused into quarantine (0 with none): what a page kept since has not counted.
    public func newestQuarantineID() throws -> Int64 {
        try read { db in try Int64.fetchOne(db.cachedStatement(sql: "SELECT max(id) FROM quarantine")) ?? 0 }
    }

    /// Rows of `kind` this node's validator refused from ingestion runs started in `month`
    /// (China time): the 错报 that never became records.
    public func quarantined(kind: String, in month: CalendarMonth) throws -> Int {
        let start = Int64(month.first.dayNumber) * 86_400_000 - 28_800_000
        let end = Int64(month.next.first.dayNumber) * 86_400_000 - 28_800_000
        return try read { db in
            try Int.fetchOne(
                db,
                sql:
                    "SELECT count(*) FROM quarantine q JOIN ingests i ON i.id = q.ingest_id WHERE q.kind = ? AND i.started_at >= ? AND i.started_at < ?",
                arguments: [kind, start, end]) ?? 0
        }
    }
}
