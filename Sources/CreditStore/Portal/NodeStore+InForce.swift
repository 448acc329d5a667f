import GRDB

/// A kind's rule for which of its records the public sees by their own fields: a record is in
/// force while `field` (a full code: 当前状态, 名单状态) holds one of `values`.
public struct InForceRule: Sendable, Hashable {
    public var kind: String
    public var field: String
    public var values: [String]

    public init(kind: String, field: String, values: [String]) {
        self.kind = kind
        self.field = field
        self.values = values
    }

    /// The rules as one text, the same whatever their order: what `node.in_force_rules` keeps.
    static func name(_ rules: [InForceRule]) -> String {
        rules.sorted { $0.kind < $1.kind }.map { "\($0.kind)\t\($0.field)\t\($0.values.sorted().joined(separator: "\u{1F}"))" }
            .joined(separator: "\n")
    }
}

extension NodeStore {
    /// Brings `records.in_force` in line with `rules` (a kind without a rule: every record in
    /// force) when the store's column was computed by other rules or none — a store from before
    /// the column, a catalogue that changed — and returns how many records changed; nil when the
    /// rules are those the column was computed by (one read). Every version written afterwards
    /// carries its own value (`RecordDates.inForce`).
    @discardableResult
    public func applyInForceRules(_ rules: [InForceRule]) throws -> Int? {
        let name = InForceRule.name(rules)
        let current = try read { db in try String.fetchOne(db, sql: "SELECT in_force_rules FROM node WHERE id = 1") }
        guard current != name else { return nil }
        return try write { db in
            let kinds = rules.map(\.kind)
            let marks = Array(repeating: "?", count: max(kinds.count, 1)).joined(separator: ", ")
            try db.execute(
                sql: "UPDATE records SET in_force = 1 WHERE in_force = 0 AND kind NOT IN (\(marks))",
                arguments: kinds.isEmpty ? [""] : StatementArguments(kinds))
            var changed = db.changesCount
            for rule in rules {
                let values = Array(repeating: "?", count: max(rule.values.count, 1)).joined(separator: ", ")
                let inForce = """
                    COALESCE((SELECT json_extract(c.body, '$."' || ? || '"') FROM changes c WHERE c.id = records.content_change) IN (\(values)), 0)
                    """
                let ruleArguments: StatementArguments = [rule.field] + (rule.values.isEmpty ? [""] : StatementArguments(rule.values))
                try db.execute(
                    sql: "UPDATE records SET in_force = \(inForce) WHERE kind = ? AND in_force <> \(inForce)",
                    arguments: ruleArguments + [rule.kind] + ruleArguments)
                changed += db.changesCount
            }
            try db.execute(sql: "UPDATE node SET in_force_rules = ? WHERE id = 1", arguments: [name])
            return changed
        }
    }
}
