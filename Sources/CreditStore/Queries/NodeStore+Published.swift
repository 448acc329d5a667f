import GRDB

/// How many records of one kind the public sees that were published in a stretch of days,
/// grouped by where they lie and by the values of a few of their fields (who published them):
/// what `/ops/news` counts against each unit's monthly share.
public struct PublishedCount: Sendable, Hashable {
    public var jurisdiction: String
    /// The fields' values, in the order asked for ("" for one the record leaves out).
    public var values: [String]
    public var count: Int
}

extension NodeStore {
    /// Records of `kind` the public sees today (`scope`'s rule) dated `from`…`to` (inclusive,
    /// `YYYY-MM-DD`) within the area `areaPrefix`, counted by jurisdiction and the values of
    /// `fields` (full codes). One walk of the kind's stretch of `records_kind_date`.
    public func publishedCounts(kind: String, from: String, to: String, areaPrefix: String, fields: [String], today: String) throws
        -> [PublishedCount]
    {
        let extracted = fields.map { _ in "COALESCE(json_extract(c.body, ?), '')" }
        let columns = (["r.jurisdiction"] + extracted).joined(separator: ", ")
        let groups = (1...(fields.count + 1)).map(String.init).joined(separator: ", ")
        var arguments = StatementArguments(fields.map { "$." + $0 })
        arguments += [kind, from, to, today]
        arguments += PublicScope.areaBounds(areaPrefix)
        return try read { db in
            try Row.fetchAll(
                db,
                sql: """
                    SELECT \(columns), count(*) FROM records r JOIN changes c ON c.id = r.content_change
                    WHERE r.kind = ? AND r.decision_date >= ? AND r.decision_date <= ? AND \(PublicScope.shownToday)
                    AND \(PublicScope.inArea)
                    GROUP BY \(groups)
                    """,
                arguments: arguments
            ).map { row in
                PublishedCount(
                    jurisdiction: row[0], values: (0..<fields.count).map { row[$0 + 1] as String }, count: row[fields.count + 1])
            }
        }
    }
}
