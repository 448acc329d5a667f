import CreditDomain
import Foundation
import GRDB

/// A change set set aside (`set_aside`, migration v10), as `credit-node set-aside` lists it.
public struct SetAsideEntry: Sendable, Hashable, Codable {
    public var id: Int64
    /// Milliseconds since 1970 (UTC) when it was first set aside.
    public var at: Int64
    /// `up`: refused inside a child's bundle; `down`: inside the parent's page.
    public var direction: String
    /// The child that sent it, or the parent.
    public var peer: String
    public var origin: String
    public var firstSeq: Int64
    public var lastSeq: Int64
    /// The reason's code (`revoked-certificate`, `bad-signature` …) and words.
    public var code: String
    public var message: String
    public var resolvedAt: Int64?
    public var resolution: String?
}

extension NodeStore {
    /// Keeps a refused change set with its reason, once (the child sends it again with its next
    /// bundle until an operator deals with it); true when it is new.
    @discardableResult
    public func setAside(
        direction: String, peer: String, origin: String, firstSeq: Int64, lastSeq: Int64, hash: [UInt8], code: String, message: String,
        encoded: [UInt8],
        now: Date = Date()
    ) throws -> Bool {
        try write { db in
            try db.cachedStatement(
                sql: """
                    INSERT OR IGNORE INTO set_aside (at, direction, peer, origin, first_seq, last_seq, hash, code, message, encoded)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                    """
            ).execute(arguments: [ChinaTime.milliseconds(now), direction, peer, origin, firstSeq, lastSeq, Data(hash), code, message, Data(encoded)])
            return db.changesCount > 0
        }
    }

    /// What was set aside, unresolved first, newest first.
    public func setAsideEntries(includeResolved: Bool = false) throws -> [SetAsideEntry] {
        try read { db in
            try Row.fetchAll(
                db,
                sql: """
                    SELECT id, at, direction, peer, origin, first_seq, last_seq, code, message, resolved_at, resolution FROM set_aside
                    \(includeResolved ? "" : "WHERE resolved_at IS NULL") ORDER BY resolved_at IS NOT NULL, id DESC
                    """
            ).map { r in
                SetAsideEntry(
                    id: r[0], at: r[1], direction: r[2], peer: r[3], origin: r[4], firstSeq: r[5], lastSeq: r[6], code: r[7], message: r[8],
                    resolvedAt: r[9],
                    resolution: r[10])
            }
        }
    }

    /// Change sets set aside and not yet resolved, for status and metrics.
    public func unresolvedSetAside() throws -> Int {
        try read { db in try Int.fetchOne(db.cachedStatement(sql: "SELECT count(*) FROM set_aside WHERE resolved_at IS NULL")) ?? 0 }
    }

    /// An operator's decision on a set-aside change set (what was done: the origin re-signed,
    /// the records re-entered, the set is not wanted …). False when there is no such unresolved entry.
    public func resolveSetAside(id: Int64, resolution: String, now: Date = Date()) throws -> Bool {
        try write { db in
            try db.cachedStatement(sql: "UPDATE set_aside SET resolved_at = ?, resolution = ? WHERE id = ? AND resolved_at IS NULL").execute(
                arguments: [ChinaTime.milliseconds(now), resolution, id])
            return db.changesCount > 0
        }
    }
}
