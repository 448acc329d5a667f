import CreditDomain
import GRDB

extension NodeStore {
    /// The condition on `records r` that finds the records of `DocumentNumber.kinds` by their
    /// number, normalised, as one of its `forms` arguments: the expression and the kinds exactly
    /// as the index of migration v36 writes them, so that SQLite reads that index.
    static func byDocumentNumber(forms: Int) -> String {
        "r.kind IN (\(DocumentNumber.kinds.map { "'\($0)'" }.joined(separator: ", "))) AND \(DocumentNumber.sql(of: DocumentNumber.keyTail(of: "r"))) IN (\(Array(repeating: "?", count: forms).joined(separator: ", ")))"
    }

    /// The records whose document number (决定文书号) is `number` as `DocumentNumber.searched`
    /// compares them, newest decision first, at most `limit`: with a `scope`, those the public
    /// sees today (in force, within their publicity, of a public kind — a record a correction moved
    /// to another area is found, as a search by name finds its subject); without, every one
    /// whatever its state and kind (what the office and a department's system read).
    public func records(documentNumber number: String, scope: PublicScope?, limit: Int) throws -> [StoredRecord] {
        let forms = DocumentNumber.searched(number)
        guard forms[0].count <= DocumentNumber.maximumLength, scope?.kinds.isEmpty != true else { return [] }
        let (sql, arguments) = Self.documentNumberQuery(forms: forms, scope: scope, limit: limit)
        return try read { db in try Row.fetchAll(db.cachedStatement(sql: sql), arguments: arguments).map(Self.storedRecord) }
    }

    /// The query of `records(documentNumber:scope:limit:)`, with its arguments.
    static func documentNumberQuery(forms: [String], scope: PublicScope?, limit: Int) -> (sql: String, arguments: StatementArguments) {
        let shown = scope?.condition
        return (
            """
            \(storedRecordColumns) \(storedRecordFrom)
            WHERE \(byDocumentNumber(forms: forms.count))\(shown.map { " AND " + $0.sql } ?? "")
            ORDER BY r.decision_date DESC, r.id DESC LIMIT ?
            """,
            StatementArguments(forms) + (shown?.arguments ?? []) + [limit]
        )
    }
}
