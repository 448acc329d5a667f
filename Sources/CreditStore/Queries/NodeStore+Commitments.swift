import CreditDomain
import GRDB

/// The catalogue's fulfilment rule (`FulfilmentRule`) in the store's terms: the kind's slug and
/// full field codes. The triggers that keep the commitment tallies read these fields.
public struct CommitmentRule: Sendable, Hashable {
    public var kind: String
    /// 履约情况, and the value that means kept in full.
    public var fulfilment: String
    public var kept: String
    /// 受理单位's credit code and name, 承诺类型.
    public var acceptor: String
    public var acceptorName: String
    public var type: String

    public init(kind: String, fulfilment: String, kept: String, acceptor: String, acceptorName: String, type: String) {
        self.kind = kind
        self.fulfilment = fulfilment
        self.kept = kept
        self.acceptor = acceptor
        self.acceptorName = acceptorName
        self.type = type
    }

    /// The rule of a resolved kind with one, in full codes.
    public init?(_ kind: ResolvedKind) {
        guard let f = kind.kind.fulfilment else { return nil }
        let code = kind.kind.fullCode
        self.init(
            kind: kind.slug, fulfilment: code(f.field), kept: f.kept, acceptor: code(f.acceptor), acceptorName: code(f.acceptorName),
            type: code(f.type))
    }

    /// The rule as one text: what `node.commitment_rule` keeps.
    var name: String { [kind, fulfilment, kept, acceptor, acceptorName, type].joined(separator: "\t") }

    /// The rule a `name` gives; nil for none (an empty name).
    init?(name: String) {
        let parts = name.split(separator: "\t", omittingEmptySubsequences: false).map(String.init)
        guard parts.count == 6 else { return nil }
        self.init(kind: parts[0], fulfilment: parts[1], kept: parts[2], acceptor: parts[3], acceptorName: parts[4], type: parts[5])
    }
}

/// Commitments of one area, accepting unit, type and fulfilment ('' unchecked), not withdrawn.
public struct CommitmentTally: Sendable, Hashable {
    public var jurisdiction: String
    public var acceptor: String
    public var type: String
    public var fulfilment: String
    public var records: Int
}

/// A commitment to follow up: unchecked, or not kept in full.
public struct CommitmentFollowUp: Sendable, Hashable {
    public var id: Int64
    public var key: String
    public var subject: String?
    public var subjectName: String?
    public var jurisdiction: String
    public var acceptor: String
    public var committedOn: String
    public var fulfilment: String
    /// Values of the fields asked for, by full code.
    public var fields: [String: String]
}

extension NodeStore {
    /// Creates the triggers that keep the commitment tallies (migration v23) for `rule` — none
    /// when nil — and computes the tallies again from the records when the store's were kept by
    /// another rule or none; returns how many commitments were counted then, nil when the rule
    /// is the one they follow (one read).
    @discardableResult
    public func applyCommitmentRule(_ rule: CommitmentRule?) throws -> Int? {
        let name = rule?.name ?? ""
        let current = try read { db in try String.fetchOne(db, sql: "SELECT commitment_rule FROM node WHERE id = 1") }
        guard current != name else { return nil }
        if let rule {
            for code in [rule.kind, rule.fulfilment, rule.acceptor, rule.acceptorName, rule.type] where !Self.plainCode(code) {
                throw StoreError(code: .badRule, message: "commitment rule: '\(code)' is not a field code (letters, digits and _)")
            }
        }
        return try write { db in
            try db.execute(sql: "DROP TRIGGER IF EXISTS commitment_added; DROP TRIGGER IF EXISTS commitment_changed")
            try db.execute(sql: "DELETE FROM tally_commitment; DELETE FROM commitment_follow_up; DELETE FROM commitment_acceptors")
            var counted = 0
            if let rule {
                let sql = Self.commitmentSQL(rule)
                try db.execute(sql: sql.triggers)
                try db.execute(sql: sql.backfill)
                counted = try Int.fetchOne(db, sql: "SELECT COALESCE(SUM(records), 0) FROM tally_commitment") ?? 0
            }
            try db.execute(sql: "UPDATE node SET commitment_rule = ? WHERE id = 1", arguments: [name])
            return counted
        }
    }

    static func plainCode(_ code: String) -> Bool {
        !code.isEmpty && code.utf8.allSatisfy { ($0 >= 0x30 && $0 <= 0x39) || ($0 >= 0x41 && $0 <= 0x5A) || ($0 >= 0x61 && $0 <= 0x7A) || $0 == 0x5F }
    }

    /// A field of the change `c` (a plain full code), '' when absent.
    static func commitmentField(_ code: String) -> String { "COALESCE(json_extract(c.body, '$.\(code)'), '')" }

    /// `text` as an SQL string literal.
    static func quoted(_ text: String) -> String { "'\(text.replacingOccurrences(of: "'", with: "''"))'" }

    /// The triggers and the back-fill of `rule`: its codes checked plain, its kept value quoted.
    static func commitmentSQL(_ rule: CommitmentRule) -> (triggers: String, backfill: String) {
        let field = commitmentField
        let kind = "'\(rule.kind)'"
        let kept = quoted(rule.kept)
        let (f, a, n, t) = (field(rule.fulfilment), field(rule.acceptor), field(rule.acceptorName), field(rule.type))
        // What one version of a commitment (`r`: the trigger's NEW) adds to the tallies.
        func add(_ r: String) -> String {
            """
            INSERT INTO tally_commitment (jurisdiction, acceptor, type, fulfilment, records)
            SELECT \(r).jurisdiction, \(a), \(t), \(f), 1 FROM changes c WHERE c.id = \(r).content_change AND \(r).state <> 'withdrawn'
            ON CONFLICT (jurisdiction, acceptor, type, fulfilment) DO UPDATE SET records = records + 1;
            INSERT INTO commitment_follow_up (record_id, jurisdiction, acceptor, committed_on, fulfilment)
            SELECT \(r).id, \(r).jurisdiction, \(a), COALESCE(\(r).decision_date, ''), \(f) FROM changes c
            WHERE c.id = \(r).content_change AND \(r).state <> 'withdrawn' AND \(f) <> \(kept);
            INSERT INTO commitment_acceptors (code, name) SELECT \(a), \(n) FROM changes c
            WHERE c.id = \(r).content_change AND length(\(a)) > 0 AND length(\(n)) > 0
            ON CONFLICT (code) DO UPDATE SET name = excluded.name WHERE name <> excluded.name;
            """
        }
        let triggers = """
            CREATE TRIGGER commitment_added AFTER INSERT ON records WHEN NEW.kind = \(kind) BEGIN
            \(add("NEW"))
            END;
            CREATE TRIGGER commitment_changed AFTER UPDATE OF content_change, state, jurisdiction ON records WHEN NEW.kind = \(kind) BEGIN
            UPDATE tally_commitment SET records = records - 1
            WHERE OLD.state <> 'withdrawn' AND (jurisdiction, acceptor, type, fulfilment) = (
                SELECT OLD.jurisdiction, \(a), \(t), \(f) FROM changes c WHERE c.id = OLD.content_change);
            DELETE FROM commitment_follow_up WHERE record_id = OLD.id;
            \(add("NEW"))
            END;
            """
        let backfill = """
            INSERT INTO tally_commitment (jurisdiction, acceptor, type, fulfilment, records)
            SELECT r.jurisdiction, \(a), \(t), \(f), count(*) FROM records r JOIN changes c ON c.id = r.content_change
            WHERE r.kind = \(kind) AND r.state <> 'withdrawn' GROUP BY 1, 2, 3, 4;
            INSERT INTO commitment_follow_up (record_id, jurisdiction, acceptor, committed_on, fulfilment)
            SELECT r.id, r.jurisdiction, \(a), COALESCE(r.decision_date, ''), \(f) FROM records r JOIN changes c ON c.id = r.content_change
            WHERE r.kind = \(kind) AND r.state <> 'withdrawn' AND \(f) <> \(kept);
            INSERT INTO commitment_acceptors (code, name)
            SELECT \(a), \(n) FROM records r JOIN changes c ON c.id = r.content_change
            WHERE r.kind = \(kind) AND length(\(a)) > 0 AND length(\(n)) > 0 ORDER BY r.content_change
            ON CONFLICT (code) DO UPDATE SET name = excluded.name WHERE name <> excluded.name;
            """
        return (triggers, backfill)
    }

    /// The tallies of `rule` counted from the records, in the shape `tallyDiscrepancies` compares.
    static func commitmentCountedSQL(_ rule: CommitmentRule) -> (tally: String, followUp: String) {
        let kept = quoted(rule.kept)
        let (f, a, t) = (commitmentField(rule.fulfilment), commitmentField(rule.acceptor), commitmentField(rule.type))
        let from = "FROM records r JOIN changes c ON c.id = r.content_change WHERE r.kind = '\(rule.kind)' AND r.state <> 'withdrawn'"
        return (
            "SELECT r.jurisdiction || '/' || \(a) || '/' || \(t), \(f), count(*), 0 \(from) GROUP BY 1, 2",
            "SELECT CAST(r.id AS TEXT), r.jurisdiction || '/' || \(a) || '/' || COALESCE(r.decision_date, '') || '/' || \(f), 1, 0 \(from) AND \(f) <> \(kept)"
        )
    }

    /// The commitment tallies (rows counting something).
    public func commitmentTallies() throws -> [CommitmentTally] {
        try read { db in
            try Row.fetchAll(db, sql: "SELECT jurisdiction, acceptor, type, fulfilment, records FROM tally_commitment WHERE records > 0").map {
                CommitmentTally(jurisdiction: $0[0], acceptor: $0[1], type: $0[2], fulfilment: $0[3], records: $0[4])
            }
        }
    }

    /// Unchecked commitments dated before `before`, by area and accepting unit.
    public func uncheckedCommitments(before: CivilDate) throws -> [(jurisdiction: String, acceptor: String, records: Int)] {
        try read { db in
            try Row.fetchAll(
                db,
                sql: """
                    SELECT jurisdiction, acceptor, count(*) FROM commitment_follow_up INDEXED BY commitment_follow_up_date
                    WHERE committed_on < ? AND fulfilment = '' GROUP BY 1, 2
                    """, arguments: [before.iso]
            ).map { ($0[0], $0[1], $0[2]) }
        }
    }

    /// The accepting units' names by credit code.
    public func commitmentAcceptorNames() throws -> [String: String] {
        try read { db in
            Dictionary(
                try Row.fetchAll(db, sql: "SELECT code, name FROM commitment_acceptors").map { ($0[0], $0[1]) }, uniquingKeysWith: { a, _ in a })
        }
    }

    /// Commitments to follow up, oldest first, after (`after`: date and id) by keyset, at most
    /// `limit`: the broken ones (neither unchecked nor `kept`) and, with `uncheckedBefore`, the
    /// unchecked ones dated before it; in the area whose codes start with `areaPrefix`, of one
    /// accepting unit; with the values of `fields` (full codes) and the subject's name.
    public func commitmentsToFollowUp(
        kept: String, uncheckedBefore: CivilDate?, brokenToo: Bool, areaPrefix: String?, acceptor: String?, fields: [String],
        after: (date: String, id: Int64)?, limit: Int
    ) throws -> [CommitmentFollowUp] {
        var which: [String] = []
        var arguments: [any DatabaseValueConvertible] = []
        if brokenToo {
            which.append("(f.fulfilment <> '' AND f.fulfilment <> ?)")
            arguments.append(kept)
        }
        if let uncheckedBefore {
            which.append("(f.fulfilment = '' AND f.committed_on < ?)")
            arguments.append(uncheckedBefore.iso)
        }
        guard !which.isEmpty else { return [] }
        var conditions = ["(\(which.joined(separator: " OR ")))"]
        if let areaPrefix {
            conditions.append("f.jurisdiction >= ? AND f.jurisdiction < ?")
            arguments += [areaPrefix, areaPrefix + ":"]
        }
        if let acceptor {
            conditions.append("f.acceptor = ?")
            arguments.append(acceptor)
        }
        if let after {
            conditions.append("(f.committed_on, f.record_id) > (?, ?)")
            arguments += [after.date, after.id]
        }
        arguments.append(limit)
        let extracted = fields.map { "json_extract(c.body, '$.\($0)')" }.joined(separator: ", ")
        guard fields.allSatisfy(Self.plainCode) else { throw StoreError(code: .badRule, message: "not a field code in \(fields)") }
        return try read { db in
            try Row.fetchAll(
                db,
                sql: """
                    SELECT f.record_id, r.record_key, r.subject_code, s.name, f.jurisdiction, f.acceptor, f.committed_on, f.fulfilment\(fields.isEmpty ? "" : ", " + extracted)
                    FROM commitment_follow_up f INDEXED BY commitment_follow_up_date
                    JOIN records r ON r.id = f.record_id JOIN changes c ON c.id = r.content_change LEFT JOIN subjects s ON s.code = r.subject_code
                    WHERE \(conditions.joined(separator: " AND ")) ORDER BY f.committed_on, f.record_id LIMIT ?
                    """, arguments: StatementArguments(arguments)
            ).map { row in
                var values: [String: String] = [:]
                for (i, code) in fields.enumerated() { values[code] = row[8 + i] ?? "" }
                return CommitmentFollowUp(
                    id: row[0], key: row[1], subject: row[2], subjectName: row[3], jurisdiction: row[4], acceptor: row[5], committedOn: row[6],
                    fulfilment: row[7], fields: values)
            }
        }
    }
}
