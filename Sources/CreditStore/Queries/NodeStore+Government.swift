import GRDB

extension NodeStore {
    /// The records about government bodies (migration v24) still active or under objection, in
    /// the area whose codes start with `areaPrefix`, oldest decision first: what the office's
    /// 政务诚信 ledger sorts into cases.
    public func governmentBodyRecords(areaPrefix: String) throws -> [StoredRecord] {
        try read { db in
            try Row.fetchAll(
                db,
                sql: """
                    \(Self.storedRecordColumns) FROM government_records g JOIN records r ON r.id = g.record_id
                    JOIN changes c ON c.id = r.content_change LEFT JOIN change_digests d ON d.change_id = c.id
                    LEFT JOIN provisional_deadlines p ON p.record_id = r.id
                    WHERE g.jurisdiction >= ? AND g.jurisdiction < ? AND r.state IN ('active', 'objected')
                    ORDER BY r.decision_date, r.record_key
                    """, arguments: [areaPrefix, areaPrefix + ":"]
            ).map(Self.storedRecord)
        }
    }
}
