import CreditDomain
import Foundation
import GRDB

/// A subject's authorisation (授权查询, `authorisations`, migration v21): a named party may see
/// the subject's records of `kinds` — kinds disclosed only with the subject's authorisation —
/// from `validFrom` to `validUntil` (China dates, both included), unless revoked. Kept at this
/// node only, never synced; the code the subject hands over is kept as its digest.
public struct Authorisation: Sendable, Hashable {
    public var id: Int64
    /// The subject's code as stored (a unified social credit code or a resident ID number: never
    /// shown whole).
    public var subject: String
    public var subjectName: String
    /// 被授权方: who may look, and what for (用途).
    public var grantee: String
    public var purpose: String
    public var kinds: [String]
    /// Milliseconds since 1970 (UTC), and who issued it (`AuditActor.description`).
    public var issuedAt: Int64
    public var issuedBy: String
    /// `YYYY-MM-DD`.
    public var validFrom: String
    public var validUntil: String
    public var revokedAt: Int64?
    public var revokedBy: String?
    public var revokeReason: String?
    /// Queries made with it, and the last one's time (milliseconds since 1970).
    public var uses: Int
    public var lastUsedAt: Int64?

    /// In force on `today` (`YYYY-MM-DD`): not revoked, and today within its dates.
    public func inForce(today: String) -> Bool { revokedAt == nil && validFrom <= today && today <= validUntil }

    /// 有效, 已撤销 or 已到期, as of `today`.
    public func stateName(today: String) -> String { revokedAt != nil ? "已撤销" : inForce(today: today) ? "有效" : "已到期" }
}

/// One query made with an authorisation.
public struct AuthorisationUse: Sendable, Hashable {
    public var at: Int64
    public var records: Int
}

extension NodeStore {
    /// Keeps an authorisation whose code has the digest `codeDigest` (64 hex digits); returns its number.
    public func addAuthorisation(
        subject: String, subjectName: String, grantee: String, purpose: String, kinds: [String], codeDigest: String, validFrom: String,
        validUntil: String, issuedBy: String, now: Date = Date()
    ) throws -> Int64 {
        try write { db in
            try db.execute(
                sql: """
                    INSERT INTO authorisations (subject, subject_name, grantee, purpose, kinds, code_digest, issued_at, issued_by, valid_from, valid_until)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                    """,
                arguments: [
                    subject, subjectName, grantee, purpose, kinds.joined(separator: ","), codeDigest, ChinaTime.milliseconds(now), issuedBy,
                    validFrom, validUntil,
                ])
            return db.lastInsertedRowID
        }
    }

    /// The authorisation whose code has `codeDigest`, or nil.
    public func authorisation(codeDigest: String) throws -> Authorisation? {
        try read { db in
            try Row.fetchOne(db, sql: "\(Self.authorisationSelect) WHERE a.code_digest = ?", arguments: [codeDigest]).map(Self.authorisation)
        }
    }

    public func authorisation(id: Int64) throws -> Authorisation? {
        try read { db in
            try Row.fetchOne(db, sql: "\(Self.authorisationSelect) WHERE a.id = ?", arguments: [id]).map(Self.authorisation)
        }
    }

    /// Authorisations in force on `today` (the ones ending soonest first), then, with
    /// `ended` > 0, the latest `ended` revoked or past their dates (newest first).
    public func authorisations(today: String, ended: Int = 0) throws -> [Authorisation] {
        try read { db in
            let current = try Row.fetchAll(
                db,
                sql: "\(Self.authorisationSelect) WHERE a.revoked_at IS NULL AND a.valid_until >= ? ORDER BY a.valid_until, a.id",
                arguments: [today])
            let past =
                ended > 0
                ? try Row.fetchAll(
                    db,
                    sql: "\(Self.authorisationSelect) WHERE a.revoked_at IS NOT NULL OR a.valid_until < ? ORDER BY a.id DESC LIMIT ?",
                    arguments: [today, ended]) : []
            return (current + past).map(Self.authorisation)
        }
    }

    /// Revokes authorisation `id`; false when there is none or it was revoked before.
    public func revokeAuthorisation(id: Int64, by: String, reason: String, now: Date = Date()) throws -> Bool {
        try write { db in
            try db.execute(
                sql: "UPDATE authorisations SET revoked_at = ?, revoked_by = ?, revoke_reason = ? WHERE id = ? AND revoked_at IS NULL",
                arguments: [ChinaTime.milliseconds(now), by, reason, id])
            return db.changesCount > 0
        }
    }

    /// Notes a query made with authorisation `id` that showed `records` records.
    public func addAuthorisationUse(id: Int64, records: Int, now: Date = Date()) throws {
        try write { db in
            try db.execute(
                sql: "INSERT INTO authorisation_uses (authorisation, at, records) VALUES (?, ?, ?)",
                arguments: [id, ChinaTime.milliseconds(now), records])
        }
    }

    /// The queries made with authorisation `id`, newest first.
    public func authorisationUses(id: Int64, limit: Int = 100) throws -> [AuthorisationUse] {
        try read { db in
            try Row.fetchAll(
                db, sql: "SELECT at, records FROM authorisation_uses WHERE authorisation = ? ORDER BY at DESC, id DESC LIMIT ?",
                arguments: [id, limit]
            ).map { AuthorisationUse(at: $0[0], records: $0[1]) }
        }
    }

    static let authorisationSelect = """
        SELECT a.id, a.subject, a.subject_name, a.grantee, a.purpose, a.kinds, a.issued_at, a.issued_by, a.valid_from, a.valid_until,
               a.revoked_at, a.revoked_by, a.revoke_reason,
               (SELECT count(*) FROM authorisation_uses u WHERE u.authorisation = a.id),
               (SELECT max(at) FROM authorisation_uses u WHERE u.authorisation = a.id)
        FROM authorisations a
        """

    static func authorisation(_ r: Row) -> Authorisation {
        Authorisation(
            id: r[0], subject: r[1], subjectName: r[2], grantee: r[3], purpose: r[4], kinds: (r[5] as String).split(separator: ",").map(String.init),
            issuedAt: r[6], issuedBy: r[7], validFrom: r[8], validUntil: r[9], revokedAt: r[10], revokedBy: r[11], revokeReason: r[12],
            uses: r[13], lastUsedAt: r[14])
    }
}
