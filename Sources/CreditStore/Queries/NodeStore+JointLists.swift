import Foundation
import GRDB

/// A list entry in force in an area, with the feedback (联合奖惩执行反馈) recorded on its subject
/// since the day it was listed: what `listedWithFeedback` reads for the lists' response ledger.
public struct ListedSubject: Sendable, Hashable {
    public var recordKey: String
    /// The listing's decision date (列入日期).
    public var since: String
    public var subjectCode: String
    public var jurisdiction: String
    public var state: String
    /// The fields asked for, in their order ("" when absent).
    public var values: [String]
    /// Feedback of the matching category on the subject, dated on or after `since`.
    public var feedback: Int
    /// Of those, measures not applied.
    public var notApplied: Int
    /// The distinct executing units among them.
    public var units: Int
    /// The newest feedback's date.
    public var latest: String?
}

/// Which feedback answers a list: the feedback kind and the field codes (full, with the kind's
/// prefix) of its category, result and executing unit, with the values that count.
public struct FeedbackMatch: Sendable, Hashable {
    public var kind: String
    public var typeField: String
    /// The category a list of this effect is answered by (失信惩戒 / 守信激励).
    public var type: String
    public var resultField: String
    public var notApplied: String
    public var unitField: String

    public init(kind: String, typeField: String, type: String, resultField: String, notApplied: String, unitField: String) {
        self.kind = kind
        self.typeField = typeField
        self.type = type
        self.resultField = resultField
        self.notApplied = notApplied
        self.unitField = unitField
    }
}

extension NodeStore {
    /// The records of list kind `kind` in the area of `areaPrefix` that are in force on `today`
    /// (active or under objection, within their publicity), oldest listing first, each with the
    /// feedback matching `match` on its subject since its listing date — one look-up per entry
    /// through `records_subject`, so the cost follows the lists, not the feedback kept. Field
    /// codes are full codes, checked plain before any SQL is written.
    public func listedWithFeedback(kind: String, areaPrefix: String, today: String, fields: [String], match: FeedbackMatch) throws
        -> [ListedSubject]
    {
        let codes = fields + [match.typeField, match.resultField, match.unitField]
        guard codes.allSatisfy(Self.plainCode) else { throw StoreError(code: .badRule, message: "not a field code in \(codes)") }
        let columns = fields.map { "coalesce(CAST(json_extract(c.body, '$.\($0)') AS TEXT), '')" }.joined(separator: ", ")
        return try read { db in
            let answers = try db.cachedStatement(
                sql: """
                    SELECT count(*), coalesce(sum(json_extract(c.body, '$.\(match.resultField)') = ?), 0),
                           count(DISTINCT json_extract(c.body, '$.\(match.unitField)')), max(f.decision_date)
                    FROM records f JOIN changes c ON c.id = f.content_change
                    WHERE f.subject_code = ? AND f.kind = ? AND f.decision_date >= ? AND f.state IN ('active', 'objected')
                      AND json_extract(c.body, '$.\(match.typeField)') = ?
                    """)
            let cursor = try Row.fetchCursor(
                db.cachedStatement(
                    sql: """
                        SELECT r.record_key, coalesce(r.decision_date, ''), coalesce(r.subject_code, ''), r.jurisdiction, r.state\(fields.isEmpty ? "" : ", ")\(columns)
                        FROM records r JOIN changes c ON c.id = r.content_change
                        WHERE r.kind = ? AND r.jurisdiction >= ? AND r.jurisdiction < ? AND r.state IN ('active', 'objected')
                          AND (r.publicity_until IS NULL OR r.publicity_until >= ?)
                        ORDER BY r.decision_date, r.record_key
                        """),
                arguments: [kind, areaPrefix, areaPrefix + ":", today])
            var listed: [ListedSubject] = []
            while let row = try cursor.next() {
                var one = ListedSubject(
                    recordKey: row[0], since: row[1], subjectCode: row[2], jurisdiction: row[3], state: row[4],
                    values: (0..<fields.count).map { row[5 + $0] as String }, feedback: 0, notApplied: 0, units: 0, latest: nil)
                if !one.subjectCode.isEmpty,
                    let a = try Row.fetchOne(answers, arguments: [match.notApplied, one.subjectCode, match.kind, one.since, match.type])
                {
                    one.feedback = a[0]
                    one.notApplied = a[1]
                    one.units = a[2]
                    one.latest = a[3]
                }
                listed.append(one)
            }
            return listed
        }
    }
}
