import Foundation
import GRDB

/// A list entry in force in an area, as `listedInForce` reads it for the lists' response ledger.
public struct ListedSubject: Sendable, Hashable {
    public var recordKey: String
    /// The listing's decision date (列入日期).
    public var since: String
    public var subjectCode: String
    public var jurisdiction: String
    public var state: String
    /// The fields asked for, in their order ("" when absent).
    public var values: [String]
}

extension NodeStore {
    /// What makes a record of a list kind in force in an area on a day, in SQL over `records r`
    /// (its arguments: the kind, the area's bounds, the day).
    static let listedInForceWhere = """
        r.kind = ? AND r.jurisdiction >= ? AND r.jurisdiction < ? AND r.state IN ('active', 'objected')
          AND (r.publicity_until IS NULL OR r.publicity_until >= ?)
        """

    /// The records of list kind `kind` in the area of `areaPrefix` in force on `today` (active or
    /// under objection, within their publicity), oldest listing first, with the fields asked for
    /// (full codes, checked plain before any SQL is written).
    public func listedInForce(kind: String, areaPrefix: String, today: String, fields: [String]) throws -> [ListedSubject] {
        let columns = try Self.extracted(fields).map { ", " + $0 }.joined()
        return try read { db in
            let cursor = try Row.fetchCursor(
                db.cachedStatement(
                    sql: """
                        SELECT r.record_key, coalesce(r.decision_date, ''), coalesce(r.subject_code, ''), r.jurisdiction, r.state\(columns)
                        FROM records r JOIN changes c ON c.id = r.content_change
                        WHERE \(Self.listedInForceWhere)
                        ORDER BY r.decision_date, r.record_key
                        """),
                arguments: [kind, areaPrefix, areaPrefix + ":", today])
            var listed: [ListedSubject] = []
            while let row = try cursor.next() {
                listed.append(
                    ListedSubject(
                        recordKey: row[0], since: row[1], subjectCode: row[2], jurisdiction: row[3], state: row[4],
                        values: (0..<fields.count).map { row[5 + $0] as String }))
            }
            return listed
        }
    }

    /// The records of kind `feedback` dated on or after `since`, active or under objection, whose
    /// subject has a record of list kind `listKind` in force in the area on `today`: the subject's
    /// code, the date, then the fields asked for (full codes, checked plain). One pass over the
    /// feedback since the oldest listing through `records_kind_date` (named: by the subjects'
    /// index SQLite would read every record of every listed subject), a body read only for a
    /// listed subject's feedback.
    public func feedbackOnListed(listKind: String, areaPrefix: String, today: String, feedback: String, since: String, fields: [String]) throws
        -> [[String]]
    {
        let columns = try Self.extracted(fields).map { ", " + $0 }.joined()
        return try read { db in
            let cursor = try Row.fetchCursor(
                db.cachedStatement(
                    sql: """
                        SELECT f.subject_code, f.decision_date\(columns)
                        FROM records f INDEXED BY records_kind_date JOIN changes c ON c.id = f.content_change
                        WHERE f.kind = ? AND f.decision_date >= ? AND f.state IN ('active', 'objected')
                          AND f.subject_code IN (SELECT r.subject_code FROM records r WHERE \(Self.listedInForceWhere))
                        """),
                arguments: [feedback, since, listKind, areaPrefix, areaPrefix + ":", today])
            var rows: [[String]] = []
            while let row = try cursor.next() { rows.append((0..<(2 + fields.count)).map { row[$0] as String }) }
            return rows
        }
    }
}
