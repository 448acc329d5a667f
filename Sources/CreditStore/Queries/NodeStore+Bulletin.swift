import CreditDomain
import GRDB

/// A decision held here, as the regular bulletin (`Bulletin`) reads it.
public struct DecidedRecord: Sendable, Hashable {
    public var decision: Bulletin.Decision
    public var jurisdiction: String
}

extension NodeStore {
    /// The records of `kind` — one numbered by its authority (`kind|authority|number` keys) —
    /// decided from `from` up to the end of `month`, by the kind's decision-date index; whether
    /// each was corrected after an objection is read only for those decided in `month`.
    public func decided(kind: String, from: CivilDate, month: CalendarMonth) throws -> [DecidedRecord] {
        try read { db in
            let rows = try Row.fetchCursor(
                db,
                sql: """
                    SELECT r.record_key, r.jurisdiction, r.decision_date, r.late,
                        CASE WHEN r.decision_date >= ? THEN \(Self.correctedAfterObjection) ELSE 0 END
                    FROM records r INDEXED BY records_kind_date
                    WHERE r.kind = ? AND r.decision_date >= ? AND r.decision_date < ?
                    """, arguments: [month.first.iso, kind, from.iso, month.next.first.iso])
            var out: [DecidedRecord] = []
            while let row = try rows.next() {
                let key: String = row[0]
                guard let (authority, number) = Self.authorityAndNumber(key: key, kind: kind),
                    let date = CivilDate.parse(row[2] as String)
                else { continue }
                out.append(
                    DecidedRecord(
                        decision: Bulletin.Decision(
                            authority: authority, number: number, date: date, late: row[3] as Int == 1, corrected: row[4] as Int == 1),
                        jurisdiction: row[1]))
            }
            return out
        }
    }

    /// The authority and number in a key `kind|authority|number`; nil for any other shape.
    static func authorityAndNumber(key: String, kind: String) -> (String, String)? {
        let parts = key.split(separator: "|", maxSplits: 2, omittingEmptySubsequences: false)
        guard parts.count == 3, parts[0] == kind, !parts[1].isEmpty else { return nil }
        return (String(parts[1]), String(parts[2]))
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
