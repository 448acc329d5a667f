import CreditDomain
import GRDB
import SyncCore

/// The one writer of `records` rows, whatever path a change took — ingested here, received from a
/// child, pulled from the parent. A new record is inserted with its first version's dates (its
/// deadline and lateness are those of its first arrival and never change); a newer version, once
/// `LastWriter` has chosen it, updates the content columns only. The SQL is written here once; the
/// ingest writer and the batch of received changes bind the same statements through the C API.
enum RecordRows {
    /// The columns of an inserted record, in the order every insert binds them.
    static let columns =
        "(record_key, kind, subject_code, jurisdiction, decision_date, publication_deadline, late, content_change, updated_hlc, publicity_until, in_force)"
    static let width = 11

    static let insertSQL = "INSERT INTO records \(columns) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"

    /// A newer version of a known record: subject, area, decision date, end of publicity, whether
    /// in force, and the change that wrote it (bound in this order, the record's id last).
    static let updateSQL =
        "UPDATE records SET subject_code = ?, jurisdiction = ?, decision_date = ?, publicity_until = ?, in_force = ?, content_change = ?, updated_hlc = ? WHERE id = ?"

    /// Inserts the record a put creates.
    static func insert(_ c: Change, changeID: Int64, dates d: RecordDates, db: Database) throws {
        try db.cachedStatement(sql: insertSQL).execute(
            arguments: [
                c.key, c.kind, d.subject, c.jurisdiction, d.decision?.iso, d.deadline?.iso, d.late ? 1 : 0, changeID, c.hlc.rawValue,
                d.publicityUntil?.iso, d.inForce ? 1 : 0,
            ])
    }

    /// Writes a newer version into record `id`.
    static func update(id: Int64, _ c: Change, changeID: Int64, dates d: RecordDates, db: Database) throws {
        try db.cachedStatement(sql: updateSQL).execute(
            arguments: [d.subject, c.jurisdiction, d.decision?.iso, d.publicityUntil?.iso, d.inForce ? 1 : 0, changeID, c.hlc.rawValue, id])
    }
}
