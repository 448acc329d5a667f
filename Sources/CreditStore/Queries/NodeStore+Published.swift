import Foundation
import GRDB

/// How many records of one kind the public sees that were published in a stretch of days,
/// grouped by month, by where they lie and by the values of a few of their fields (who published
/// them): what `/ops/news` counts against each unit's monthly share.
public struct PublishedCount: Sendable, Hashable {
    /// `YYYY-MM` of the decision date.
    public var month: String
    public var jurisdiction: String
    /// The fields' values, in the order asked for ("" for one the record leaves out).
    public var values: [String]
    public var count: Int
}

extension NodeStore {
    /// Records of `kind` the public sees today (`scope`'s rule) dated `from`…`to` (inclusive,
    /// `YYYY-MM-DD`) within the area `areaPrefix`, counted by month, jurisdiction and the values of
    /// `fields` (full codes). One walk of the kind's stretch of `records_kind_date`, each body
    /// parsed once (one `json_extract` of every path, grouped by the array it gives).
    public func publishedCounts(kind: String, from: String, to: String, areaPrefix: String, fields: [String], today: String) throws
        -> [PublishedCount]
    {
        precondition(!fields.isEmpty)
        let paths = fields.map { _ in "?" }.joined(separator: ", ")
        // With two paths or more SQLite answers a JSON array; with one, the value itself.
        let extracted = fields.count == 1 ? "json_array(json_extract(c.body, \(paths)))" : "json_extract(c.body, \(paths))"
        var arguments = StatementArguments(fields.map { "$." + $0 })
        arguments += [kind, from, to, today]
        arguments += PublicScope.areaBounds(areaPrefix)
        let rows = try read { db in
            try Row.fetchAll(
                db,
                sql: """
                    SELECT substr(r.decision_date, 1, 7), r.jurisdiction, \(extracted), count(*)
                    FROM records r JOIN changes c ON c.id = r.content_change
                    WHERE r.kind = ? AND r.decision_date >= ? AND r.decision_date <= ? AND \(PublicScope.shownToday)
                    AND \(PublicScope.inArea)
                    GROUP BY 1, 2, 3
                    """,
                arguments: arguments)
        }
        return rows.map { row in
            let array = (try? JSONSerialization.jsonObject(with: Data((row[2] as String).utf8))) as? [Any] ?? []
            let values = (0..<fields.count).map { i in i < array.count ? (array[i] as? String) ?? (array[i] is NSNull ? "" : "\(array[i])") : "" }
            return PublishedCount(month: row[0], jurisdiction: row[1], values: values, count: row[3])
        }
    }

    /// The newest date of the records of `kind` the public sees today, dated `since` or later, by
    /// jurisdiction: when each area last published (an article of 信用动态 …). One walk of the
    /// kind's recent stretch of `records_kind_date`.
    public func newestDates(kind: String, since: String, today: String) throws -> [String: String] {
        try read { db in
            var out: [String: String] = [:]
            for row in try Row.fetchAll(
                db,
                sql: """
                    SELECT r.jurisdiction, max(r.decision_date) FROM records r
                    WHERE r.kind = ? AND r.decision_date >= ? AND \(PublicScope.shownToday) GROUP BY r.jurisdiction
                    """,
                arguments: [kind, since, today])
            {
                out[row[0]] = row[1]
            }
            return out
        }
    }
}
