import CreditDomain
import Foundation
import GRDB

extension NodeStore {
    /// Records of `kind` decided from `from` up to but not including `until` (ISO dates) in the
    /// area whose jurisdictions begin with `areaPrefix`, withdrawn ones left out (the decision was
    /// revoked; expired and repaired ones were decided all the same), counted by month (`2026-10`)
    /// and jurisdiction for each group of `keywords`: a record counts in a group when one of
    /// `fields` (full codes) holds one of its keywords. SQLite reads the fields from the bodies and
    /// matches them (`instr`), and returns a row per month and jurisdiction: the 重点领域预警's
    /// figures without a record decoded or a string searched in Swift.
    public func keywordCounts(
        kind: String, from: String, until: String, areaPrefix: String, fields: [String], keywords groups: [[String]]
    ) throws -> [(month: String, jurisdiction: String, counts: [Int])] {
        guard !groups.isEmpty else { return [] }
        // The fields joined with a separator no keyword holds, so that none is found across two.
        let text = try Self.extracted(fields).joined(separator: " || char(31) || ")
        // Each distinct text of a month and jurisdiction is searched once (grouped first, and kept
        // apart so that SQLite does not read the fields again for every keyword).
        let sums = groups.map { group in
            "sum(CASE WHEN " + group.map { _ in "instr(t, ?) > 0" }.joined(separator: " OR ") + " THEN n ELSE 0 END)"
        }
        let sql = """
            WITH g AS MATERIALIZED (
                SELECT substr(r.decision_date, 1, 7) AS month, r.jurisdiction AS jurisdiction, \(text) AS t, count(*) AS n
                FROM records r JOIN changes c ON c.id = r.content_change
                WHERE r.kind = ? AND r.decision_date >= ? AND r.decision_date < ? AND r.jurisdiction >= ? AND r.jurisdiction < ?
                  AND r.state <> 'withdrawn'
                GROUP BY 1, 2, 3
            )
            SELECT month, jurisdiction, \(sums.joined(separator: ", ")) FROM g GROUP BY month, jurisdiction
            """
        let arguments = StatementArguments([kind, from, until, areaPrefix, areaPrefix + ":"]) + StatementArguments(groups.flatMap { $0 })
        return try read { db in
            try Row.fetchAll(db.cachedStatement(sql: sql), arguments: arguments).map { row in
                (row[0], row[1], (0..<groups.count).map { row[2 + $0] as Int })
            }
        }
    }
}
