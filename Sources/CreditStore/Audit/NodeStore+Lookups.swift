import CreditDomain
import Foundation
import GRDB

/// A government body's look-up of a subject's whole file (`government_lookups`, migration v22).
public struct GovernmentLookup: Sendable, Hashable {
    /// Milliseconds since 1970 (UTC).
    public var at: Int64
    /// The subject's code as stored (a resident ID number is never shown whole).
    public var subject: String
    /// `AuditActor.description` of who looked.
    public var reader: String
    /// 查询事由.
    public var purpose: String
    public var records: Int
}

extension NodeStore {
    /// Notes that `reader` read the file of `subject` for `purpose`, `records` records shown.
    public func addGovernmentLookup(subject: String, reader: String, purpose: String, records: Int, now: Date = Date()) throws {
        try write { db in
            try db.execute(
                sql: "INSERT INTO government_lookups (at, subject, reader, purpose, records) VALUES (?, ?, ?, ?, ?)",
                arguments: [ChinaTime.milliseconds(now), subject, reader, purpose, records])
        }
    }

    /// The latest `limit` look-ups, of `subject` only when given, newest first.
    public func governmentLookups(subject: String? = nil, limit: Int = 50) throws -> [GovernmentLookup] {
        var arguments: StatementArguments = []
        if let subject { arguments += [subject] }
        arguments += [limit]
        return try read { db in
            try Row.fetchAll(
                db,
                sql: """
                    SELECT at, subject, reader, purpose, records FROM government_lookups
                    \(subject == nil ? "" : "WHERE subject = ?") ORDER BY at DESC, id DESC LIMIT ?
                    """,
                arguments: arguments
            ).map { GovernmentLookup(at: $0[0], subject: $0[1], reader: $0[2], purpose: $0[3], records: $0[4]) }
        }
    }
}
