import CreditDomain
import Foundation
import GRDB
import SyncCore

/// A node of the subtree as this node knows it from health records (migration v15).
public struct KnownNode: Sendable, Hashable {
    public var code: String
    public var parent: String
    public var name: String
    /// Its latest record; nil for a node only named as a child, never heard from.
    public var health: NodeHealth?

    public init(code: String, parent: String, name: String, health: NodeHealth?) {
        self.code = code
        self.parent = parent
        self.name = name
        self.health = health
    }
}

extension NodeStore {
    /// What goes up next: the rows whose record is newer than the one the parent acknowledged,
    /// from their partial index (`node_health_unsent`).
    static let healthToForwardSQL = """
        SELECT code, issued_at, encoded FROM node_health INDEXED BY node_health_unsent WHERE issued_at > forwarded_issued_at
        ORDER BY code = ? DESC, code LIMIT ?
        """

    /// The rows written since a reader last looked, from `node_health_written`.
    static let knownNodesSQL = """
        SELECT code, parent, name, issued_at, written, json_extract(content, '$.windowSeconds') AS window,
            json_extract(content, '$.backlog') AS backlog, json_extract(content, '$.oldestPendingAt') AS oldest,
            json_extract(content, '$.records') AS records, json_extract(content, '$.quarantined') AS quarantined,
            json_extract(content, '$.software') AS software, json_extract(content, '$.catalogue') AS catalogue
        FROM node_health INDEXED BY node_health_written WHERE written > ? ORDER BY written
        """

    /// Keeps verified health records, the latest per node (`HealthRules.keeps`), and a row for
    /// every child they name that is not known yet, in one transaction; returns how many replaced
    /// or added a record.
    @discardableResult
    public func keepHealth(_ entries: [HealthEntry], now: Date) throws -> Int {
        guard !entries.isEmpty else { return 0 }
        let at = ChinaTime.milliseconds(now)
        return try write { db in
            var kept = 0
            var written = try Int64.fetchOne(db.cachedStatement(sql: "SELECT max(written) FROM node_health")) ?? 0
            for e in entries {
                let h = e.health
                let current = try Int64.fetchOne(db.cachedStatement(sql: "SELECT issued_at FROM node_health WHERE code = ?"), arguments: [h.code])
                guard HealthRules.keeps(incoming: h.issuedAt, kept: current) else { continue }
                let content = String(decoding: h.canonicalBytes(), as: UTF8.self)
                try db.cachedStatement(
                    sql: """
                        INSERT INTO node_health (code, parent, name, issued_at, content, encoded, received_at, written) VALUES (?, ?, ?, ?, ?, ?, ?, ?)
                        ON CONFLICT(code) DO UPDATE SET parent = excluded.parent, name = excluded.name, issued_at = excluded.issued_at,
                            content = excluded.content, encoded = excluded.encoded, received_at = excluded.received_at, written = excluded.written
                        """
                ).execute(arguments: [h.code, h.parent, h.name, h.issuedAt, content, Data(e.encoded), at, written + 1])
                written += 1
                kept += 1
                for child in h.children {
                    try db.cachedStatement(sql: "INSERT OR IGNORE INTO node_health (code, parent, written) VALUES (?, ?, ?)").execute(arguments: [
                        child, h.code, written + 1,
                    ])
                    written += Int64(db.changesCount)
                }
            }
            return kept
        }
    }

    /// Records not yet acknowledged upward, at most `limit`, `first` (the node's own) first: their
    /// signed bytes as kept, not decoded (they were verified when they arrived).
    public func healthToForward(first: String, limit: Int) throws -> [OutgoingHealth] {
        try read { db in
            try Row.fetchAll(db.cachedStatement(sql: Self.healthToForwardSQL), arguments: [first, limit]).map { row in
                OutgoingHealth(code: row[0], issuedAt: row[1], encoded: Array(row[2] as Data))
            }
        }
    }

    /// Notes which records travel in the bundle `bundle` (its hash): its receipt acknowledges them.
    public func healthSent(in bundle: [UInt8], _ sent: [(code: String, issuedAt: Int64)]) throws {
        guard !sent.isEmpty else { return }
        try write { db in
            for s in sent {
                try db.cachedStatement(sql: "UPDATE node_health SET in_bundle = ?, in_bundle_issued_at = ? WHERE code = ?").execute(arguments: [
                    Data(bundle), s.issuedAt, s.code,
                ])
            }
        }
    }

    /// Every node known here whose row was written after write number `after` (0: all), by code,
    /// with the newest write number read (`written`). The records' fields are read by SQLite (`json_extract`),
    /// not decoded one by one: at the province this is 27,000 rows per read. Their `children`
    /// are not read (the tree is the rows' `parent`s; every child named has a row of its own).
    public func knownNodes(writtenAfter after: Int64 = 0) throws -> (nodes: [KnownNode], written: Int64) {
        try read { db in
            let rows = try Row.fetchAll(db.cachedStatement(sql: Self.knownNodesSQL), arguments: [after])
            var newest = after
            let nodes = rows.map { row in
                newest = max(newest, row["written"])
                let code: String = row["code"]
                let parent: String = row["parent"]
                let name: String = row["name"]
                let issued: Int64? = row["issued_at"]
                return KnownNode(
                    code: code, parent: parent, name: name,
                    health: issued.map { at in
                        NodeHealth(
                            code: code, name: name, parent: parent, children: [], issuedAt: at, windowSeconds: row["window"] ?? 0,
                            backlog: row["backlog"] ?? 0, oldestPendingAt: row["oldest"] ?? 0, records: row["records"] ?? 0,
                            quarantined: row["quarantined"] ?? 0, software: row["software"] ?? "", catalogue: row["catalogue"] ?? "")
                    })
            }
            return (nodes, newest)
        }
    }

    /// The names the nodes `codes` gave in their health records (those known and named).
    public func nodeNames(_ codes: [String]) throws -> [String: String] {
        guard !codes.isEmpty else { return [:] }
        return try read { db in
            let marks = Array(repeating: "?", count: codes.count).joined(separator: ",")
            var out: [String: String] = [:]
            for row in try Row.fetchAll(
                db, sql: "SELECT code, name FROM node_health WHERE code IN (\(marks)) AND name <> ''", arguments: StatementArguments(codes))
            {
                out[row["code"]] = row["name"]
            }
            return out
        }
    }

    /// The signed record kept for `code`, if any (what `/ops/network` offers to download).
    public func healthRecord(of code: String) throws -> [UInt8]? {
        try read { db in
            try Data.fetchOne(db.cachedStatement(sql: "SELECT encoded FROM node_health WHERE code = ?"), arguments: [code]).map(Array.init)
        }
    }
}
