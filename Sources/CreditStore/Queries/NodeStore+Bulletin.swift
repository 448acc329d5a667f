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
            let rests = try String.fetchCursor(
                db,
                sql: """
                    SELECT substr(r.record_key, length(r.kind) + 2) FROM records r INDEXED BY records_kind_date
                    WHERE r.kind = ? AND r.decision_date >= ? AND r.decision_date < ?
                    """, arguments: [kind, month.first.iso, month.next.first.iso])
            var out: [(authority: String, number: String)] = []
            while let rest = try rests.next() {
                guard let n = Self.authorityAndNumber(rest), authorities.contains(n.authority) else { continue }
                out.append(n)
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
        let start = ChinaTime.milliseconds(startOf: month.first)
        let end = ChinaTime.milliseconds(startOf: month.next.first)
        return try read { db in
            try Int.fetchOne(
                db,
                sql:
                    "SELECT count(*) FROM quarantine q JOIN ingests i ON i.id = q.ingest_id WHERE q.kind = ? AND i.started_at >= ? AND i.started_at < ?",
                arguments: [kind, start, end]) ?? 0
        }
    }
}
