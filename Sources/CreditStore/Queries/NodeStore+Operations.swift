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

    public init(kind: String, jurisdiction: String, records: Int = 0, late: Int = 0, corrected: Int = 0) {
        self.kind = kind
        self.jurisdiction = jurisdiction
        self.records = records
        self.late = late
        self.corrected = corrected
    }
}

/// Records of one kind by one deciding authority.
public struct AuthorityCount: Sendable, Hashable, Codable {
    public var kind: String
    /// Its name (its credit code when no record names it), and its credit code.
    public var authority: String
    public var code: String
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
    /// an objection; the caller groups the jurisdictions into its child regions. Read from the
    /// tallies kept as records are written (migration v16) and from the status changes' own index
    /// (the corrected count starts from the objections, few beside the records; without
    /// `corrected`, left at 0 and not read: the tallies alone, a few rows).
    public func recordsByKindAndJurisdiction(corrected: Bool = true) throws -> [KindJurisdictionCount] {
        try read { db in
            var out: [String: KindJurisdictionCount] = [:]
            for row in try Row.fetchAll(db, sql: Self.areaTallySQL) where (row[2] as Int) > 0 {
                let c = KindJurisdictionCount(kind: row[0], jurisdiction: row[1], records: row[2], late: row[3], corrected: 0)
                out["\(c.kind) \(c.jurisdiction)"] = c
            }
            if corrected {
                for row in try Row.fetchAll(db, sql: Self.correctedByAreaSQL) { out["\(row[0] as String) \(row[1] as String)"]?.corrected = row[2] }
            }
            return out.values.sorted { ($0.kind, $0.jurisdiction) < ($1.kind, $1.jurisdiction) }
        }
    }

    static let areaTallySQL = "SELECT kind, jurisdiction, records, late FROM tally_area"

    /// Records corrected after an objection, by kind and jurisdiction, found from the objections
    /// (`changes_status`) rather than by probing every record.
    static let correctedByAreaSQL = """
        SELECT r.kind, r.jurisdiction, count(DISTINCT r.id) FROM changes s INDEXED BY changes_status
        JOIN records r ON r.record_key = s.record_key
        WHERE s.op = 'status' AND json_extract(s.body, '$.action') = 'objection-opened' AND s.hlc < r.updated_hlc
        GROUP BY r.kind, r.jurisdiction
        """

    /// Versions of records (puts) that entered the network per China day, from `since` on (the
    /// day tally, migration v16).
    public func arrivalsPerDay(since: CivilDate) throws -> [(day: CivilDate, records: Int)] {
        try read { db in
            try Row.fetchAll(db, sql: Self.dayTallySQL, arguments: [since.dayNumber]).map { row in (CivilDate(dayNumber: row[0]), row[1]) }
        }
    }

    static let dayTallySQL = "SELECT day, versions FROM tally_day WHERE day >= ? ORDER BY day"

    /// Records of `kind` by deciding authority (the credit code in the records' keys), the
    /// largest `limit`, each named by the value of `nameField` (a full field code) in one of its
    /// records' current versions.
    public func recordsByAuthority(kind: String, nameField: String, limit: Int) throws -> [AuthorityCount] {
        try read { db in
            try Row.fetchAll(
                db,
                sql: "SELECT authority, records, late FROM tally_authority WHERE kind = ? AND records > 0 ORDER BY records DESC, authority LIMIT ?",
                arguments: [kind, limit]
            ).map { row in
                let code: String = row[0]
                return AuthorityCount(
                    kind: kind, authority: try Self.authorityName(db, kind: kind, code: code, nameField: nameField) ?? code, code: code,
                    records: row[1],
                    late: row[2])
            }
        }
    }

    /// The name an authority of `kind` goes by — its credit code `code` — as the value of
    /// `nameField` (a full field code) in the newest-keyed of its records; nil when it has none.
    public func authorityName(kind: String, code: String, nameField: String) throws -> String? {
        try read { db in try Self.authorityName(db, kind: kind, code: code, nameField: nameField) }
    }

    static func authorityName(_ db: Database, kind: String, code: String, nameField: String) throws -> String? {
        let prefix = "\(kind)|\(code)|"
        return try String.fetchOne(
            db.cachedStatement(
                sql: """
                    SELECT json_extract(c.body, '$."' || ? || '"') FROM records r JOIN changes c ON c.id = r.content_change
                    WHERE r.record_key >= ? AND r.record_key < ? ORDER BY r.record_key DESC LIMIT 1
                    """), arguments: [nameField, prefix, prefix + "\u{10FFFF}"])
    }

    /// The decision numbers of `kind`'s records with the authority that gave them, read from the
    /// records' keys (`kind|authority|number`: the business key of every kind numbered by its
    /// authority, `ResolvedKind.decisionNumbering`), not from their bodies.
    public func decisionNumbers(kind: String) throws -> [(authority: String, number: String)] {
        try read { db in
            let cursor = try String.fetchCursor(db, sql: "SELECT substr(record_key, length(kind) + 2) FROM records WHERE kind = ?", arguments: [kind])
            var out: [(authority: String, number: String)] = []
            while let rest = try cursor.next() {
                if let n = Self.authorityAndNumber(rest) { out.append(n) }
            }
            return out
        }
    }

    /// `authority|number`, the rest of a key after its kind, split; nil for any other shape.
    static func authorityAndNumber(_ rest: String) -> (authority: String, number: String)? {
        guard let bar = rest.utf8.firstIndex(of: UInt8(ascii: "|")) else { return nil }
        return (String(rest[..<bar]), String(rest[rest.index(after: bar)...]))
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
    /// `areaPrefix`, only late ones or only those corrected after an objection, only those whose
    /// document number is `number` (as `DocumentNumber.searched` compares them); after record id
    /// `after`, in id order, at most `limit` (keyset pages).
    public func operatorRecords(
        kind: String?, areaPrefix: String?, lateOnly: Bool, correctedOnly: Bool, number: String? = nil, after: Int64, limit: Int
    ) throws -> [OperatorRecord] {
        var conditions = ["r.id > ?"]
        var arguments: [any DatabaseValueConvertible] = [after]
        if let number {
            // Whatever its state: found through the index of migration v36.
            let forms = DocumentNumber.searched(number)
            guard forms[0].count <= DocumentNumber.maximumLength else { return [] }
            conditions.append(Self.byDocumentNumber(forms: forms.count))
            arguments += forms
        }
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
                    SELECT r.id, r.record_key, r.kind, r.subject_code, r.jurisdiction, r.decision_date, r.publication_deadline, r.late, r.state, c.origin,
                           s.name
                    FROM records r JOIN changes c ON c.id = r.content_change LEFT JOIN subjects s ON s.code = r.subject_code
                    WHERE \(conditions.joined(separator: " AND ")) ORDER BY r.id LIMIT ?
                    """, arguments: StatementArguments(arguments)
            ).map {
                OperatorRecord(
                    id: $0[0], key: $0[1], kind: $0[2], subject: $0[3], jurisdiction: $0[4], decisionDate: $0[5], deadline: $0[6],
                    late: ($0[7] as Int) == 1, state: $0[8], origin: $0[9], subjectName: $0[10])
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
    /// The subject's name as the store's subjects know it.
    public var subjectName: String?
}

extension NodeStore {
    /// Records whose objection waits for a decision — under objection, or past their publicity
    /// with the objection still open (`objection_open`) — with the day the objection was opened
    /// (its latest opening) and whether it has since been marked for assisted verification
    /// (`objection-assisted`), oldest first; at most `limit`, all when nil. Reads only those
    /// records (`records_objected`, v29, v31) and their status changes (`changes_status`).
    public func openObjections(limit: Int? = nil) throws -> [(
        rowID: Int64, key: String, kind: String, openedOn: CivilDate?, assisted: Bool, publicityEnded: Bool
    )] {
        try read { db in
            try Row.fetchAll(db.cachedStatement(sql: Self.openObjectionsSQL), arguments: [limit ?? -1]).map {
                ($0[0], $0[1], $0[2], ($0[3] as String?).flatMap { CivilDate.parse($0) }, $0[4], $0[5] == "expired")
            }
        }
    }

    /// The key of the record in row `rowID` (a page's handle on a record whose key may hold a
    /// person's ID number), nil when there is none.
    public func recordKey(rowID: Int64) throws -> String? {
        try read { db in try String.fetchOne(db.cachedStatement(sql: "SELECT record_key FROM records WHERE id = ?"), arguments: [rowID]) }
    }

    static let openObjectionsSQL = """
        WITH o AS MATERIALIZED (
            SELECT r.id, r.record_key, r.kind, r.state, (SELECT MAX(s.hlc) FROM changes s INDEXED BY changes_status
                WHERE s.record_key = r.record_key AND s.op = 'status' AND json_extract(s.body, '$.action') = 'objection-opened') AS opened_hlc
            FROM records r INDEXED BY records_objected WHERE r.objection_open = 1)
        SELECT o.id, o.record_key, o.kind,
            (SELECT json_extract(s.body, '$.date') FROM changes s INDEXED BY changes_status
                WHERE s.record_key = o.record_key AND s.op = 'status' AND s.hlc = o.opened_hlc) AS opened,
            EXISTS (SELECT 1 FROM changes s INDEXED BY changes_status
                WHERE s.record_key = o.record_key AND s.op = 'status' AND s.hlc > o.opened_hlc
                AND json_extract(s.body, '$.action') = 'objection-assisted') AS assisted,
            o.state
        FROM o ORDER BY opened, o.id LIMIT ?
        """
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

extension NodeStore {
    /// Where the tallies kept for the operators' pages (migration v16) differ from the records
    /// and change log they count — empty when they agree. Reads every record: for tests and
    /// checks, not for pages.
    public func tallyDiscrepancies() throws -> [String] {
        try read { db in
            var out: [String] = []
            func compare(_ what: String, kept: String, counted: String) throws {
                // Each query gives two key columns and two counts; a tally row at zero counts nothing.
                func rows(_ sql: String) throws -> [String: String] {
                    var map: [String: String] = [:]
                    for row in try Row.fetchAll(db, sql: sql) {
                        let (a, b): (Int64, Int64) = (row[2], row[3])
                        if a == 0 && b == 0 { continue }
                        map["\(row[0] as String) \(row[1] as String)"] = "\(a)/\(b)"
                    }
                    return map
                }
                let a = try rows(kept)
                let b = try rows(counted)
                for key in Set(a.keys).union(b.keys).sorted() where a[key] != b[key] {
                    out.append("\(what) \(key): kept \(a[key] ?? "none"), counted \(b[key] ?? "none")")
                }
            }
            try compare(
                "area", kept: "SELECT kind, jurisdiction, records, late FROM tally_area",
                counted: "SELECT kind, jurisdiction, count(*), COALESCE(SUM(late), 0) FROM records GROUP BY kind, jurisdiction")
            try compare(
                "authority", kept: "SELECT kind, authority, records, late FROM tally_authority",
                counted: """
                    SELECT kind, CASE WHEN instr(rest, '|') > 0 THEN substr(rest, 1, instr(rest, '|') - 1) ELSE rest END AS a, count(*),
                        COALESCE(SUM(late), 0)
                    FROM (SELECT kind, late, substr(record_key, length(kind) + 2) AS rest FROM records) GROUP BY kind, a
                    """)
            try compare(
                "public", kept: "SELECT kind, state || '/' || in_force, records, 0 FROM tally_public",
                counted: "SELECT kind, state || '/' || in_force, count(*), 0 FROM records GROUP BY kind, state, in_force")
            try compare(
                "day", kept: "SELECT CAST(day AS TEXT), '', versions, 0 FROM tally_day",
                counted: "SELECT CAST((entered_at + 28800000) / 86400000 AS TEXT), '', count(*), 0 FROM changes WHERE op = 'put' GROUP BY 1")
            // The commitment tallies, by the rule they follow (none kept without one).
            let rule = try String.fetchOne(db, sql: "SELECT commitment_rule FROM node WHERE id = 1").flatMap(CommitmentRule.init(name:))
            let counted = rule.map(Self.commitmentCountedSQL)
            try compare(
                "commitment", kept: "SELECT jurisdiction || '/' || acceptor || '/' || type, fulfilment, records, 0 FROM tally_commitment",
                counted: counted?.tally ?? "SELECT '', '', 0, 0 WHERE 0")
            try compare(
                "commitment follow-up",
                kept:
                    "SELECT CAST(record_id AS TEXT), jurisdiction || '/' || acceptor || '/' || committed_on || '/' || fulfilment, 1, 0 FROM commitment_follow_up",
                counted: counted?.followUp ?? "SELECT '', '', 0, 0 WHERE 0")
            return out
        }
    }
}
