import CreditDomain
import Foundation
import GRDB

/// Records of one kind in one jurisdiction, as the operators' pages count them.
public struct KindJurisdictionCount: Sendable, Hashable, Codable {
    public var kind: String
    public var jurisdiction: String
    public var records: Int
    /// Entered after their publication deadline (迟报).
    public var late: Int
    /// Corrected after an objection: a version newer than an objection opened on the record (错报).
    public var corrected: Int
}

/// Records of one kind by one deciding authority.
public struct AuthorityCount: Sendable, Hashable, Codable {
    public var kind: String
    public var authority: String
    public var records: Int
    public var late: Int
}

extension NodeStore {
    /// A record `r` corrected after an objection: its current version is newer than an objection
    /// opened on it (the 错报 count of the operators' pages, their drill-down and `/metrics`).
    static let correctedAfterObjection = """
        EXISTS (SELECT 1 FROM changes s WHERE s.record_key = r.record_key AND s.op = 'status'
                AND json_extract(s.body, '$.action') = 'objection-opened' AND s.hlc < r.updated_hlc)
        """

    /// Records by kind and jurisdiction, with how many are late and how many were corrected after
    /// an objection; the caller groups the jurisdictions into its child regions.
    public func recordsByKindAndJurisdiction() throws -> [KindJurisdictionCount] {
        try read { db in
            var out: [String: KindJurisdictionCount] = [:]
            for row in try Row.fetchAll(
                db, sql: "SELECT kind, jurisdiction, count(*), COALESCE(SUM(late), 0) FROM records GROUP BY kind, jurisdiction")
            {
                let c = KindJurisdictionCount(kind: row[0], jurisdiction: row[1], records: row[2], late: row[3], corrected: 0)
                out["\(c.kind) \(c.jurisdiction)"] = c
            }
            let corrected = try Row.fetchAll(
                db,
                sql: """
                    SELECT r.kind, r.jurisdiction, count(*) FROM records r WHERE \(Self.correctedAfterObjection)
                    GROUP BY r.kind, r.jurisdiction
                    """)
            for row in corrected { out["\(row[0] as String) \(row[1] as String)"]?.corrected = row[2] }
            return out.values.sorted { ($0.kind, $0.jurisdiction) < ($1.kind, $1.jurisdiction) }
        }
    }

    /// Versions of records (puts) that entered the network per China day, from `since` on.
    public func arrivalsPerDay(since: CivilDate) throws -> [(day: CivilDate, records: Int)] {
        // Day numbers in China time (UTC+8): (milliseconds + 8 h) / 1 day.
        let start = Int64(since.dayNumber) * 86_400_000 - 28_800_000
        return try read { db in
            try Row.fetchAll(
                db,
                sql:
                    "SELECT (entered_at + 28800000) / 86400000 AS d, count(*) FROM changes WHERE op = 'put' AND entered_at >= ? GROUP BY d ORDER BY d",
                arguments: [start]
            ).map { row in (CivilDate(dayNumber: row[0]), row[1]) }
        }
    }

    /// Records of `kind` by the value of its authority field `field` (a full field code).
    public func recordsByAuthority(kind: String, field: String) throws -> [AuthorityCount] {
        try read { db in
            try Row.fetchAll(
                db,
                sql: """
                    SELECT json_extract(c.body, '$."' || ? || '"') AS a, count(*), COALESCE(SUM(r.late), 0) FROM records r
                    JOIN changes c ON c.id = r.content_change WHERE r.kind = ? GROUP BY a ORDER BY count(*) DESC, a
                    """, arguments: [field, kind]
            ).map { AuthorityCount(kind: kind, authority: ($0[0] as String?) ?? "", records: $0[1], late: $0[2]) }
        }
    }

    /// The decision numbers of `kind`'s records with the authority that gave them: the values of
    /// the full field codes `authorityField` and `numberField` in each record's current version.
    public func decisionNumbers(kind: String, authorityField: String, numberField: String) throws -> [(authority: String, number: String)] {
        try read { db in
            try Row.fetchAll(
                db,
                sql: """
                    SELECT json_extract(c.body, '$."' || ? || '"'), json_extract(c.body, '$."' || ? || '"') FROM records r
                    JOIN changes c ON c.id = r.content_change WHERE r.kind = ?
                    """, arguments: [authorityField, numberField, kind]
            ).compactMap { row in
                guard let a = row[0] as String?, let n = row[1] as String? else { return nil }
                return (a, n)
            }
        }
    }

    /// Rows this node's validator refused into quarantine, by kind (错报 at the node that ingested them).
    public func quarantinedByKind() throws -> [String: Int] {
        try read { db in
            var out: [String: Int] = [:]
            for row in try Row.fetchAll(db, sql: "SELECT kind, count(*) FROM quarantine GROUP BY kind") { out[row[0]] = row[1] }
            return out
        }
    }

    /// The decisions of `kind` given by one authority — its code in the full field `authorityField`
    /// — with their numbers (`numberField`), dates, subjects and lateness: what a register is
    /// reconciled against.
    public func decisions(kind: String, authorityField: String, authority: String, numberField: String) throws -> [Reconciliation.Held] {
        try read { db in
            try Row.fetchAll(
                db,
                sql: """
                    SELECT r.record_key, json_extract(c.body, '$."' || ? || '"'), r.decision_date, r.subject_code, r.late FROM records r
                    JOIN changes c ON c.id = r.content_change
                    WHERE r.kind = ? AND json_extract(c.body, '$."' || ? || '"') = ?
                    """, arguments: [numberField, kind, authorityField, authority]
            ).map { row in
                Reconciliation.Held(
                    key: row[0], kind: kind, number: (row[1] as String?) ?? "", date: (row[2] as String?).flatMap { CivilDate.parse($0) },
                    subject: row[3], late: (row[4] as Int) == 1)
            }
        }
    }

    /// The records behind an operator's figure: of `kind`, in the area whose codes start with
    /// `areaPrefix`, only late ones or only those corrected after an objection; after record id
    /// `after`, in id order, at most `limit` (keyset pages).
    public func operatorRecords(kind: String?, areaPrefix: String?, lateOnly: Bool, correctedOnly: Bool, after: Int64, limit: Int) throws
        -> [OperatorRecord]
    {
        var conditions = ["r.id > ?"]
        var arguments: [any DatabaseValueConvertible] = [after]
        if let kind {
            conditions.append("r.kind = ?")
            arguments.append(kind)
        }
        if let areaPrefix {
            conditions.append("r.jurisdiction >= ? AND r.jurisdiction < ?")
            arguments += [areaPrefix, areaPrefix + ":"]
        }
        if lateOnly { conditions.append("r.late = 1") }
        if correctedOnly {
            conditions.append(Self.correctedAfterObjection)
        }
        arguments.append(limit)
        return try read { db in
            try Row.fetchAll(
                db,
                sql: """
                    SELECT r.id, r.record_key, r.kind, r.subject_code, r.jurisdiction, r.decision_date, r.publication_deadline, r.late, r.state, c.origin
                    FROM records r JOIN changes c ON c.id = r.content_change WHERE \(conditions.joined(separator: " AND ")) ORDER BY r.id LIMIT ?
                    """, arguments: StatementArguments(arguments)
            ).map {
                OperatorRecord(
                    id: $0[0], key: $0[1], kind: $0[2], subject: $0[3], jurisdiction: $0[4], decisionDate: $0[5], deadline: $0[6],
                    late: ($0[7] as Int) == 1, state: $0[8], origin: $0[9])
            }
        }
    }
}

/// A record as the operators' drill-down lists it.
public struct OperatorRecord: Sendable, Hashable {
    public var id: Int64
    public var key: String
    public var kind: String
    public var subject: String?
    public var jurisdiction: String
    public var decisionDate: String?
    public var deadline: String?
    public var late: Bool
    public var state: String
    public var origin: String
}

extension NodeStore {
    /// Records under objection, with the day the objection was opened (the latest opening), oldest first.
    public func openObjections(limit: Int = 200) throws -> [(key: String, kind: String, openedOn: CivilDate?)] {
        try read { db in
            try Row.fetchAll(
                db,
                sql: """
                    SELECT r.record_key, r.kind, (SELECT MAX(json_extract(s.body, '$.date')) FROM changes s
                        WHERE s.record_key = r.record_key AND s.op = 'status' AND json_extract(s.body, '$.action') = 'objection-opened') AS opened
                    FROM records r WHERE r.state = 'objected' ORDER BY opened, r.id LIMIT ?
                    """, arguments: [limit]
            ).map { ($0[0], $0[1], ($0[2] as String?).flatMap { CivilDate.parse($0) }) }
        }
    }
}

extension NodeStore {
    /// Records whose current version entered the network at `origin` (this node, for `status`):
    /// across a network each record is counted at exactly one node, so the top's total is the sum
    /// of every node's figure once everything has travelled. Reads every record: for `status`,
    /// not for a scrape.
    public func recordsEntered(at origin: String) throws -> Int {
        try read { db in
            try Int.fetchOne(
                db, sql: "SELECT count(*) FROM records r JOIN changes c ON c.id = r.content_change WHERE c.origin = ?", arguments: [origin]) ?? 0
        }
    }
}

/// A status change of a record held here (a withdrawal, a repair …), as its body gives it.
public struct StatusChangeRow: Sendable, Hashable, Codable {
    public var kind: String
    public var recordKey: String
    public var jurisdiction: String
    public var reason: String
    public var unit: String
    public var date: String
    /// A repair's 信用修复告知书 number.
    public var notice: String
    /// When the change entered the network (milliseconds since 1970).
    public var enteredAt: Int64
}

/// A record withdrawn from publicity, with the reason its withdrawal gave.
public typealias Withdrawal = StatusChangeRow

extension NodeStore {
    /// Every status change `action` (`withdrawn`, `repaired` …) of the records held here, newest
    /// first, at most `limit`: read from the status changes' own index (`changes_status`), never
    /// the whole change log.
    public func statusChanges(action: String, limit: Int = .max) throws -> [StatusChangeRow] {
        try read { db in
            try Row.fetchAll(
                db,
                sql: """
                    SELECT c.kind, c.record_key, c.jurisdiction, c.entered_at, json_extract(c.body, '$.reason') AS reason,
                        json_extract(c.body, '$.unit') AS unit, json_extract(c.body, '$.date') AS date, json_extract(c.body, '$.notice') AS notice
                    FROM changes c INDEXED BY changes_status
                    WHERE c.op = 'status' AND json_extract(c.body, '$.action') = ?
                    ORDER BY c.entered_at DESC, c.id DESC LIMIT ?
                    """, arguments: [action, limit == .max ? -1 : limit]
            ).map { row in
                StatusChangeRow(
                    kind: row["kind"], recordKey: row["record_key"], jurisdiction: row["jurisdiction"], reason: row["reason"] ?? "",
                    unit: row["unit"] ?? "", date: row["date"] ?? "", notice: row["notice"] ?? "", enteredAt: row["entered_at"])
            }
        }
    }

    /// Every withdrawal of a record held here, newest first.
    public func withdrawals() throws -> [Withdrawal] { try statusChanges(action: StatusAction.withdrawn.rawValue) }
}
