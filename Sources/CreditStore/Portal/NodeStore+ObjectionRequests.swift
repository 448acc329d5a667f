import CreditDomain
import Foundation
import GRDB

/// An objection submitted by a member of the public on the portal (`objection_requests`,
/// migration v13): kept at this node only, never synced.
public struct ObjectionRequest: Sendable, Hashable, Codable {
    public var id: Int64
    /// Milliseconds since 1970 (UTC).
    public var at: Int64
    public var recordKey: String
    public var name: String
    public var contact: String
    public var reason: String
    /// `pending`, `accepted` or `refused`.
    public var state: String
    public var decidedAt: Int64?
    /// The refusal's reason, or what accepting entered.
    public var decision: String?
}

extension NodeStore {
    /// Keeps a request; returns its number.
    public func addObjectionRequest(key: String, name: String, contact: String, reason: String, now: Date = Date()) throws -> Int64 {
        try write { db in
            try db.execute(
                sql: "INSERT INTO objection_requests (at, record_key, name, contact, reason) VALUES (?, ?, ?, ?, ?)",
                arguments: [ChinaTime.milliseconds(now), key, name, contact, reason])
            return db.lastInsertedRowID
        }
    }

    /// Requests, pending first (oldest first), then decided (newest first).
    public func objectionRequests(includeDecided: Bool = false) throws -> [ObjectionRequest] {
        try read { db in
            try Row.fetchAll(
                db,
                sql: """
                    SELECT id, at, record_key, name, contact, reason, state, decided_at, decision FROM objection_requests
                    \(includeDecided ? "" : "WHERE state = 'pending'")
                    ORDER BY state <> 'pending', CASE WHEN state = 'pending' THEN id ELSE -id END
                    """
            ).map(Self.objectionRequest)
        }
    }

    public func objectionRequest(id: Int64) throws -> ObjectionRequest? {
        try read { db in
            try Row.fetchOne(
                db, sql: "SELECT id, at, record_key, name, contact, reason, state, decided_at, decision FROM objection_requests WHERE id = ?",
                arguments: [id]
            ).map(Self.objectionRequest)
        }
    }

    /// Records the decision on a pending request; false when it is not pending (decided before,
    /// or no such request).
    public func decideObjectionRequest(id: Int64, accepted: Bool, decision: String, now: Date = Date()) throws -> Bool {
        try write { db in
            try db.execute(
                sql: "UPDATE objection_requests SET state = ?, decided_at = ?, decision = ? WHERE id = ? AND state = 'pending'",
                arguments: [accepted ? "accepted" : "refused", ChinaTime.milliseconds(now), decision, id])
            return db.changesCount > 0
        }
    }

    static func objectionRequest(_ r: Row) -> ObjectionRequest {
        ObjectionRequest(id: r[0], at: r[1], recordKey: r[2], name: r[3], contact: r[4], reason: r[5], state: r[6], decidedAt: r[7], decision: r[8])
    }
}
