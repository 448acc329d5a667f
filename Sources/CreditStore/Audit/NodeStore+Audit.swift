import CreditDomain
import Foundation
import GRDB

/// Who wrote: a department system or operator by its certificate, a local caller of the loopback
/// listener, or the command line. Kept with what it wrote (`audit` table, migration v9).
public struct AuditActor: Sendable, Hashable, Codable {
    /// `department`, `operator`, `local` (the loopback records listener) or `cli`; `institution`
    /// (a financial institution answering 信易贷 requests, never written to `audit`).
    public var role: String
    /// The node code the certificate names (department and operator).
    public var code: String?
    /// The department's or operator's name, or the local address.
    public var name: String?
    /// The certificate's serial number (hex), when there is one.
    public var serial: String?

    /// A financial institution by its certificate (`CertificateHolder.Role.institution`).
    public var isInstitution: Bool { role == "institution" }

    public init(role: String, code: String? = nil, name: String? = nil, serial: String? = nil) {
        self.role = role
        self.code = code
        self.name = name
        self.serial = serial
    }

    /// The command line of this machine.
    public static let commandLine = AuditActor(role: "cli")

    public var description: String {
        [role, name, code.map { "of \($0)" }, serial.map { "(serial \($0))" }].compactMap { $0 }.joined(separator: " ")
    }
}

/// One write, as `credit-node audit` lists it.
public struct AuditEntry: Sendable, Hashable, Codable {
    public var id: Int64
    /// Milliseconds since 1970 (UTC) of the commit.
    public var at: Int64
    public var actor: AuditActor
    /// `records` (an ingestion run) or `status-change`.
    public var action: String
    public var kind: String?
    /// For `records`: the ingestion run (`quarantine --ingest ID`).
    public var ingestID: Int64?
    /// For `status-change`: the record and the change's seq in this node's log.
    public var recordKey: String?
    /// What it amounted to: the run's counts, or the status action and the state it left.
    public var detail: String
}

extension NodeStore {
    /// Appends an audit row, inside the caller's transaction.
    static func audit(
        _ actor: AuditActor, action: String, kind: String?, ingestID: Int64?, recordKey: String?, detail: String, atMs: Int64, db: Database
    ) throws {
        try db.cachedStatement(
            sql: """
                INSERT INTO audit (at, role, code, name, serial, action, kind, ingest_id, record_key, detail)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                """
        ).execute(arguments: [atMs, actor.role, actor.code, actor.name, actor.serial, action, kind, ingestID, recordKey, detail])
    }

    /// Writes since `since` (milliseconds, inclusive), oldest first, at most `limit`.
    public func audit(since: Int64 = 0, limit: Int = 10_000) throws -> [AuditEntry] {
        try read { db in
            try Row.fetchAll(
                db.cachedStatement(
                    sql:
                        "SELECT id, at, role, code, name, serial, action, kind, ingest_id, record_key, detail FROM audit WHERE at >= ? ORDER BY id LIMIT ?"
                ), arguments: [since, limit]
            ).map { row in
                AuditEntry(
                    id: row[0], at: row[1], actor: AuditActor(role: row[2], code: row[3], name: row[4], serial: row[5]), action: row[6], kind: row[7],
                    ingestID: row[8], recordKey: row[9], detail: row[10])
            }
        }
    }
}

/// One ingestion run as the office's upload page lists it: the file, what it did, and who sent it.
public struct IngestionRun: Sendable, Hashable {
    public var id: Int64
    public var source: String
    public var kind: String
    public var finishedAt: Date
    public var accepted: Int
    public var updated: Int
    public var duplicates: Int
    public var rejected: Int
    public var late: Int
    public var actor: AuditActor
}

extension NodeStore {
    /// The latest ingestion runs, newest first, each with the writer its audit row names — a file
    /// at the command line, a department system's upload, an operator's form alike. Read from the
    /// audit's end (its rows in order), so status changes in between cost only their skipping.
    public func recentIngestions(limit: Int = 20) throws -> [IngestionRun] {
        try read { db in
            try Row.fetchAll(
                db.cachedStatement(
                    sql: """
                        SELECT i.id, i.source, i.kind, i.finished_at, i.accepted, i.updated, i.duplicates, i.rejected, i.late,
                               a.role, a.code, a.name, a.serial
                        FROM audit a JOIN ingests i ON i.id = a.ingest_id
                        WHERE a.action = 'records' ORDER BY a.id DESC LIMIT ?
                        """), arguments: [limit]
            ).map { row in
                IngestionRun(
                    id: row[0], source: row[1], kind: row[2], finishedAt: Date(timeIntervalSince1970: Double(row[3] as Int64) / 1000),
                    accepted: row[4], updated: row[5], duplicates: row[6], rejected: row[7], late: row[8],
                    actor: AuditActor(role: row[9], code: row[10], name: row[11], serial: row[12]))
            }
        }
    }
}
