import CreditDomain
import Foundation
import GRDB

/// A record as stored: its current state and the fields of its latest version.
public struct StoredRecord: Sendable, Hashable {
    public var key: String
    public var kind: String
    public var subjectCode: String?
    public var jurisdiction: String
    public var decisionDate: String?
    public var publicationDeadline: String?
    public var late: Bool
    /// The deadline (and so `late`) is provisional until its year's official calendar arrives.
    public var deadlineProvisional: Bool = false
    public var state: String
    /// The last day of public display (the kind's publicity rule); nil: no limit.
    public var publicityUntil: String?
    /// Canonical JSON of the fields under their full national codes.
    public var fieldsJSON: String
    /// The change that carried the current version.
    public var origin: String
    public var seq: Int64
    public var enteredAt: Date
    /// The record's row id (the listings' keyset).
    public var rowID: Int64 = 0

    /// The fields as a dictionary of full national code → value.
    public var fields: [String: String] {
        Change.bodyFields(fieldsJSON) ?? (try? JSONSerialization.jsonObject(with: Data(fieldsJSON.utf8)) as? [String: String]) ?? [:]
    }
}

/// A refused row kept in quarantine.
public struct QuarantinedRow: Sendable, Hashable {
    public var id: Int64
    public var ingestID: Int64
    public var source: String
    public var line: Int
    public var kind: String
    public var reasons: [ValidationIssue]
    public var raw: String
    public var receivedAt: Date
}

extension NodeStore {
    /// The columns of a `StoredRecord` (`storedRecord`), from `records r`, its current version
    /// `changes c` with its digest `change_digests d`, and `provisional_deadlines p`
    /// (left-joined by `storedRecordFrom`).
    static let storedRecordColumns = """
        SELECT r.record_key, r.kind, r.subject_code, r.jurisdiction, r.decision_date, r.publication_deadline, r.late, r.state,
               c.body, c.origin, c.seq, c.entered_at, r.publicity_until, p.record_id IS NOT NULL,
               c.hlc, c.op, c.kind, c.record_key, c.jurisdiction, d.digest, r.id
        """
    static let storedRecordFrom = "FROM records r " + storedRecordJoins
    /// What `storedRecordColumns` reads besides the record `r`.
    static let storedRecordJoins = """
        JOIN changes c ON c.id = r.content_change LEFT JOIN change_digests d ON d.change_id = c.id
        LEFT JOIN provisional_deadlines p ON p.record_id = r.id
        """

    /// A record as read for people: its current version must match the digest it was written
    /// with, and its state must be one the store writes — else the store is damaged and the
    /// record is refused (`store-corrupt`), never shown.
    static func storedRecord(_ row: Row) throws -> StoredRecord {
        let record = StoredRecord(
            key: row[0], kind: row[1], subjectCode: row[2], jurisdiction: row[3], decisionDate: row[4], publicationDeadline: row[5],
            late: row[6], deadlineProvisional: row[13], state: row[7], publicityUntil: row[12], fieldsJSON: row[8], origin: row[9],
            seq: row[10], enteredAt: Date(timeIntervalSince1970: Double(row[11] as Int64) / 1000), rowID: row[20])
        let change = Change(
            origin: record.origin, seq: record.seq, hlc: HLCStamp(rawValue: row[14]), enteredAtMilliseconds: row[11], op: row[15], kind: row[16],
            key: row[17],
            jurisdiction: row[18], body: record.fieldsJSON)
        guard let digest = row[19] as Int64?, digest == ChangeDigest.of(change), RecordState(rawValue: record.state) != nil else {
            throw StoreError(
                code: .corrupt,
                message:
                    "record \(record.key) cannot be vouched for: its stored bytes no longer match what was written (the store is damaged). Run `credit-node verify-store` and restore the node (OPERATIONS.md, \"A damaged store\")"
            )
        }
        return record
    }

    /// Every record about a subject (credit code or ID number), newest decision first. A credit
    /// code's are also those filed under its former codes alone (`recordsFiledUnderFormerCodes`):
    /// a report on the organisation does not leave out what was filed under its old registration.
    public func records(subject: String) throws -> [StoredRecord] {
        var records = try read { db in
            try Row.fetchAll(
                db.cachedStatement(
                    sql: "\(Self.storedRecordColumns) \(Self.storedRecordFrom) WHERE r.subject_code = ? ORDER BY r.decision_date DESC, r.record_key"),
                arguments: [subject]
            ).map(Self.storedRecord)
        }
        guard (try? SocialCreditCode(subject)) != nil else { return records }
        let former = try recordsFiledUnderFormerCodes(of: subject)
        guard !former.isEmpty else { return records }
        records += former
        records.sort { ($0.decisionDate ?? "", $1.key) > ($1.decisionDate ?? "", $0.key) }
        return records
    }

    /// Some fields of the records of `kind` decided from `from` up to but not including `until`
    /// (ISO dates), in the area whose jurisdictions begin with `areaPrefix`, active or under
    /// objection; newest decision first, through `records_kind_date`. Each row: the decision
    /// date, subject code, jurisdiction, then `fields` (full codes) as the current version holds
    /// them ("" when absent) — read by SQLite from the body, no record decoded: what a month's
    /// figures of one kind read.
    public func fieldValues(kind: String, from: String, until: String, areaPrefix: String, fields: [String]) throws -> [[String]] {
        let columns = try Self.extracted(fields).joined(separator: ", ")
        return try read { db in
            let cursor = try Row.fetchCursor(
                db.cachedStatement(
                    sql: """
                        SELECT coalesce(r.decision_date, ''), coalesce(r.subject_code, ''), r.jurisdiction, \(columns)
                        FROM records r JOIN changes c ON c.id = r.content_change
                        WHERE r.kind = ? AND r.decision_date >= ? AND r.decision_date < ? AND r.jurisdiction >= ? AND r.jurisdiction < ?
                          AND r.state IN ('active', 'objected')
                        ORDER BY r.decision_date DESC, r.record_key
                        """),
                arguments: [kind, from, until, areaPrefix, areaPrefix + ":"])
            var rows: [[String]] = []
            while let row = try cursor.next() { rows.append((0..<(3 + fields.count)).map { row[$0] as String }) }
            return rows
        }
    }

    /// The SQL that reads each of `fields` (full codes) from the current version's body `c.body`
    /// as text ('' when absent); anything but a plain field code is refused before any SQL is written.
    static func extracted(_ fields: [String]) throws -> [String] {
        guard fields.allSatisfy(Self.plainCode) else { throw StoreError(code: .badRule, message: "not a field code in \(fields)") }
        return fields.map { "coalesce(CAST(json_extract(c.body, '$.\($0)') AS TEXT), '')" }
    }

    /// The record with `key`, as stored, or nil.
    public func record(key: String) throws -> StoredRecord? {
        try read { db in
            try Row.fetchOne(db.cachedStatement(sql: "\(Self.storedRecordColumns) \(Self.storedRecordFrom) WHERE r.record_key = ?"), arguments: [key])
                .map(Self.storedRecord)
        }
    }

    /// Records of the serious-dishonesty list (kind `blacklist`) whose current version names
    /// `idNumber` as the subject's legal representative (`SX_FR_ZJHM`), through the partial index
    /// of migration v8.
    public func listedAsRepresentative(idNumber: String) throws -> [StoredRecord] {
        try read { db in
            try Row.fetchAll(
                db,
                sql: """
                    \(Self.storedRecordColumns) \(Self.storedRecordFrom)
                    WHERE r.record_key IN (
                        SELECT record_key FROM changes WHERE op = 'put' AND kind = 'blacklist' AND json_extract(body, '$.SX_FR_ZJHM') = ?1)
                      AND json_extract(c.body, '$.SX_FR_ZJHM') = ?1
                    ORDER BY r.decision_date DESC, r.record_key
                    """, arguments: [idNumber]
            ).map(Self.storedRecord)
        }
    }

    /// Refused rows, newest first, optionally of one ingestion run.
    public func quarantine(ingestID: Int64? = nil, limit: Int = 100) throws -> (rows: [QuarantinedRow], total: Int) {
        try read { db in
            let filter = ingestID == nil ? "" : "WHERE q.ingest_id = \(ingestID!)"
            let total = try Int.fetchOne(db, sql: "SELECT count(*) FROM quarantine q \(filter)") ?? 0
            let rows = try Row.fetchAll(
                db,
                sql: """
                    SELECT q.id, q.ingest_id, i.source, q.line, q.kind, q.reasons, q.raw, i.finished_at
                    FROM quarantine q JOIN ingests i ON i.id = q.ingest_id \(filter)
                    ORDER BY q.id DESC LIMIT ?
                    """, arguments: [limit]
            ).map { row in
                let reasonsText: String = row[5]
                let reasons = (try? JSONDecoder().decode([ValidationIssue].self, from: Data(reasonsText.utf8))) ?? []
                return QuarantinedRow(
                    id: row[0], ingestID: row[1], source: row[2], line: row[3], kind: row[4], reasons: reasons, raw: row[6],
                    receivedAt: Date(timeIntervalSince1970: Double(row[7] as Int64) / 1000))
            }
            return (rows, total)
        }
    }

    /// Changes of one origin after `seq`, in order (for change sets and checks).
    public func changes(origin: String, after seq: Int64 = 0, limit: Int = 1000) throws -> [Change] {
        try read { db in
            try Row.fetchAll(
                db.cachedStatement(sql: Self.changeSelect + " FROM changes WHERE origin = ? AND seq > ? ORDER BY seq LIMIT ?"),
                arguments: [origin, seq, limit]
            ).map(Self.change)
        }
    }
}

extension NodeStore {
    /// Every record's key, kind and state, by key.
    public func allRecords() throws -> [(key: String, kind: String, state: String)] {
        try read { db in
            try Row.fetchAll(db, sql: "SELECT record_key, kind, state FROM records ORDER BY record_key").map { ($0[0], $0[1], $0[2]) }
        }
    }

    /// The subjects of a kind's records.
    public func allSubjects(kind: String) throws -> [String] {
        try read { db in
            try String.fetchAll(
                db, sql: "SELECT DISTINCT subject_code FROM records WHERE kind = ? AND subject_code IS NOT NULL ORDER BY subject_code",
                arguments: [kind])
        }
    }

    /// The subject of a record.
    public func subject(of key: String) throws -> String? {
        try read { db in try String.fetchOne(db, sql: "SELECT subject_code FROM records WHERE record_key = ?", arguments: [key]) }
    }
}

extension NodeStore {
    /// How many changes of `origin` this node holds, optionally only those about `jurisdiction`.
    public func changeCount(origin: String, jurisdiction: String? = nil) throws -> Int {
        try read { db in
            if let jurisdiction {
                return try Int.fetchOne(
                    db, sql: "SELECT count(*) FROM changes WHERE origin = ? AND jurisdiction = ?", arguments: [origin, jurisdiction]) ?? 0
            }
            return try Int.fetchOne(db, sql: "SELECT count(*) FROM changes WHERE origin = ?", arguments: [origin]) ?? 0
        }
    }
}
