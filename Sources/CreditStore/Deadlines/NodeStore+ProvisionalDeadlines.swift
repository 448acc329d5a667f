import CreditDomain
import Foundation
import GRDB

/// What settling provisional deadlines did.
public struct SettledDeadlines: Sendable, Hashable, Codable {
    /// Records whose deadline and lateness were recomputed from official schedules.
    public var settled = 0
    /// Of those, how many were late before and after.
    public var lateBefore = 0
    public var lateAfter = 0
    /// Records whose deadline is still provisional (a year it counts has no official schedule yet).
    public var stillProvisional = 0
    /// The years of the settled deadlines.
    public var years: [Int] = []

    public init() {}
}

extension NodeStore {
    /// Recomputes the deadlines marked provisional that `deadline` can now compute from official
    /// schedules only, with their late flags (entered after the new deadline), and unmarks them —
    /// in one transaction, once per record: every tier holding the same record and calendar comes
    /// to the same deadline and flag. `deadline` answers for a kind and decision date (nil: the
    /// kind has no publication deadline in this node's catalogue; the mark stays).
    public func settleProvisionalDeadlines(_ deadline: (_ kind: String, _ decision: CivilDate) -> Deadline?) throws -> SettledDeadlines {
        try write { db in
            var report = SettledDeadlines()
            var years: Set<Int> = []
            let rows = try Row.fetchAll(
                db.cachedStatement(
                    sql: """
                        SELECT p.record_id, r.kind, r.decision_date, r.late, p.entered_on
                        FROM provisional_deadlines p JOIN records r ON r.id = p.record_id ORDER BY p.record_id
                        """))
            for row in rows {
                let id: Int64 = row[0]
                let kind: String = row[1]
                guard let decision = (row[2] as String?).flatMap({ CivilDate.parse($0) }), let entered = CivilDate.parse(row[4] as String),
                    let settled = deadline(kind, decision), !settled.provisional
                else {
                    report.stillProvisional += 1
                    continue
                }
                let wasLate: Bool = row[3]
                let late = entered > settled.date
                try db.cachedStatement(sql: "UPDATE records SET publication_deadline = ?, late = ? WHERE id = ?").execute(arguments: [
                    settled.date.iso, late, id,
                ])
                try db.cachedStatement(sql: "DELETE FROM provisional_deadlines WHERE record_id = ?").execute(arguments: [id])
                report.settled += 1
                if wasLate { report.lateBefore += 1 }
                if late { report.lateAfter += 1 }
                years.insert(settled.date.year)
            }
            report.years = years.sorted()
            return report
        }
    }

    /// Whether any record's deadline is provisional: one lookup, for every node's start.
    public func hasProvisionalDeadlines() throws -> Bool {
        try read { db in try Bool.fetchOne(db.cachedStatement(sql: "SELECT EXISTS (SELECT 1 FROM provisional_deadlines)")) ?? false }
    }

    /// Keys of the records whose deadline is provisional, among `keys`.
    public func provisionalDeadlineKeys(among keys: [String]) throws -> Set<String> {
        guard !keys.isEmpty else { return [] }
        return try read { db in
            Set(
                try String.fetchAll(
                    db,
                    sql:
                        "SELECT r.record_key FROM provisional_deadlines p JOIN records r ON r.id = p.record_id WHERE r.record_key IN (\(Array(repeating: "?", count: keys.count).joined(separator: ",")))",
                    arguments: StatementArguments(keys)))
        }
    }
}
