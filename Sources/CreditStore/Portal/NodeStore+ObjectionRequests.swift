import CreditDomain
import Foundation
import GRDB

/// What a member of the public asks for on the portal.
public enum RequestPurpose: String, Sendable, Hashable, Codable {
    /// 异议申诉: the record is wrong.
    case objection
    /// 信用修复申请: the subject has done what the decision required and asks that publicity stop.
    case repair

    /// 异议申诉, 信用修复申请.
    public var name: String { self == .objection ? "异议申诉" : "信用修复申请" }
}

/// An objection or a credit repair application submitted by a member of the public on the portal
/// (`objection_requests`, migrations v13, v19): kept at this node only, never synced.
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
    /// What the requester follows it with (`ObjectionRequestCode`); nil for requests made
    /// before codes existed.
    public var code: String?
    public var purpose: RequestPurpose
    /// An accepted objection: the opening (`origin:seq`) of the objection it belongs to — the
    /// one accepting it opened, or the one already open (v30).
    public var opening: String?
}

/// A request's follow-up code: 12 characters of an alphabet without look-alikes (no 0/O, 1/I/L),
/// about 60 random bits, shown in groups of four (`ABCD-EFGH-JKMN`).
public enum ObjectionRequestCode {
    public static let alphabet = Array("ABCDEFGHJKMNPQRSTUVWXYZ23456789")
    public static let length = 12

    public static func make<G: RandomNumberGenerator>(using generator: inout G) -> String {
        String((0..<length).map { _ in alphabet.randomElement(using: &generator)! })
    }

    /// `ABCD-EFGH-JKMN` for showing.
    public static func grouped(_ code: String) -> String {
        stride(from: 0, to: code.count, by: 4).map { i in
            String(code.dropFirst(i).prefix(4))
        }.joined(separator: "-")
    }

    /// What a person typed, as stored: case, spaces and dashes ignored; nil when it cannot be a code.
    public static func normalized(_ typed: String) -> String? {
        let code = String(typed.uppercased().filter { !$0.isWhitespace && $0 != "-" })
        guard code.count == length, code.allSatisfy({ alphabet.contains($0) }) else { return nil }
        return code
    }
}

extension NodeStore {
    /// Keeps a request with its follow-up code (`ObjectionRequestCode`) and its files (证明材料), in
    /// one transaction; returns its number.
    public func addObjectionRequest(
        key: String, name: String, contact: String, reason: String, code: String, purpose: RequestPurpose = .objection,
        attachments: [NewAttachment] = [], now: Date = Date()
    ) throws -> Int64 {
        try write { db in
            try db.execute(
                sql: "INSERT INTO objection_requests (at, record_key, name, contact, reason, code, purpose) VALUES (?, ?, ?, ?, ?, ?, ?)",
                arguments: [ChinaTime.milliseconds(now), key, name, contact, reason, code, purpose.rawValue])
            let id = db.lastInsertedRowID
            try Self.insertAttachments(db, of: .request, id: id, attachments)
            return id
        }
    }

    /// Requests, pending first (oldest first), then decided (newest first).
    public func objectionRequests(includeDecided: Bool = false) throws -> [ObjectionRequest] {
        try read { db in
            try Row.fetchAll(
                db,
                sql: """
                    SELECT \(Self.objectionRequestColumns) FROM objection_requests
                    \(includeDecided ? "" : "WHERE state = 'pending'")
                    ORDER BY state <> 'pending', CASE WHEN state = 'pending' THEN id ELSE -id END
                    """
            ).map(Self.objectionRequest)
        }
    }

    /// The latest `limit` requests decided, the most recent decision first.
    public func decidedRequests(limit: Int) throws -> [ObjectionRequest] {
        try read { db in
            try Row.fetchAll(
                db,
                sql:
                    "SELECT \(Self.objectionRequestColumns) FROM objection_requests WHERE state <> 'pending' ORDER BY decided_at DESC, id DESC LIMIT ?",
                arguments: [limit]
            ).map(Self.objectionRequest)
        }
    }

    public func objectionRequest(id: Int64) throws -> ObjectionRequest? {
        try read { db in
            try Row.fetchOne(
                db, sql: "SELECT \(Self.objectionRequestColumns) FROM objection_requests WHERE id = ?", arguments: [id]
            ).map(Self.objectionRequest)
        }
    }

    /// The request followed with `code` (as stored: `ObjectionRequestCode.normalized`).
    public func objectionRequest(code: String) throws -> ObjectionRequest? {
        try read { db in
            try Row.fetchOne(db, sql: "SELECT \(Self.objectionRequestColumns) FROM objection_requests WHERE code = ?", arguments: [code])
                .map(Self.objectionRequest)
        }
    }

    /// Pending requests by purpose: how many, and when the oldest was made (milliseconds since 1970).
    public func pendingRequests() throws -> [RequestPurpose: (count: Int, oldestAt: Int64)] {
        try read { db in
            var out: [RequestPurpose: (count: Int, oldestAt: Int64)] = [:]
            for row in try Row.fetchAll(
                db, sql: "SELECT purpose, count(*), min(at) FROM objection_requests WHERE state = 'pending' GROUP BY purpose")
            {
                if let purpose = RequestPurpose(rawValue: row[0]) { out[purpose] = (row[1], row[2]) }
            }
            return out
        }
    }

    /// Records the decision on a pending request — for an accepted objection, the opening
    /// (`origin:seq`) of the objection it belongs to; false when it is not pending (decided
    /// before, or no such request).
    public func decideObjectionRequest(id: Int64, accepted: Bool, decision: String, opening: String? = nil, now: Date = Date()) throws -> Bool {
        try write { db in
            try db.execute(
                sql: "UPDATE objection_requests SET state = ?, decided_at = ?, decision = ?, opening = ? WHERE id = ? AND state = 'pending'",
                arguments: [accepted ? "accepted" : "refused", ChinaTime.milliseconds(now), decision, opening, id])
            return db.changesCount > 0
        }
    }

    static let objectionRequestColumns = "id, at, record_key, name, contact, reason, state, decided_at, decision, code, purpose, opening"

    static func objectionRequest(_ r: Row) -> ObjectionRequest {
        ObjectionRequest(
            id: r[0], at: r[1], recordKey: r[2], name: r[3], contact: r[4], reason: r[5], state: r[6], decidedAt: r[7], decision: r[8], code: r[9],
            purpose: RequestPurpose(rawValue: r[10]) ?? .objection, opening: r[11])
    }
}
