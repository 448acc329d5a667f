import CreditDomain
import Foundation
import GRDB

/// Where an ingestion run's rows come from.
public struct IngestSource: Sendable, Hashable {
    public var name: String
    public var kind: String
    public var format: InputFormat
    public var encoding: TextEncoding

    public init(name: String, kind: String, format: InputFormat, encoding: TextEncoding) {
        self.name = name
        self.kind = kind
        self.format = format
        self.encoding = encoding
    }
}

/// The counts of one ingestion run.
public struct IngestSummary: Sendable, Hashable, Codable {
    public var ingestID: Int64 = 0
    /// New records stored.
    public var accepted = 0
    /// Known records whose content changed (stored as a new version).
    public var updated = 0
    /// Rows identical to a stored record: nothing stored.
    public var duplicates = 0
    /// Rows refused (kept in quarantine).
    public var rejected = 0
    /// Refused rows that were in quarantine already from an earlier run: not stored again.
    public var alreadyQuarantined = 0
    /// Accepted or updated records that arrived after their publication deadline (迟报).
    public var late = 0
    /// Seq range this run appended to the change log, if any.
    public var firstSeq: Int64?
    public var lastSeq: Int64?
}

/// What happened to one put.
public enum PutOutcome: Sendable, Hashable { case inserted, updated, duplicate }

/// Writes one ingestion run inside a single transaction. Obtained from `NodeStore.ingest`.
public struct IngestWriter: ~Copyable {
    let origin: String
    let ingestID: Int64
    let nowMilliseconds: Int64
    var clock: HybridLogicalClock
    var nextSeq: Int64
    /// Change ids are assigned here (the log is append-only, so max + 1 never repeats).
    var nextChangeID: Int64
    var summary = IngestSummary()
    let findRecord: RawStatement
    let insertChange: RawStatement
    let insertRecord: RawStatement
    let updateRecord: RawStatement
    let insertQuarantine: RawStatement
    let findQuarantined: RawStatement

    /// Stores a validated record: a new record, a new version of a known one, or nothing when
    /// an identical version is stored already. Each stored version is one change-log entry.
    public mutating func put(_ r: ValidatedRecord) throws -> PutOutcome {
        findRecord.bind(1, r.key)
        var existing: (id: Int64, body: String?)?
        if try findRecord.step() { existing = (findRecord.int64(0), findRecord.text(1)) }
        findRecord.reset()
        if let existing, existing.body == r.fieldsJSON {
            summary.duplicates += 1
            return .duplicate
        }
        let changeID = try appendChange(op: "put", kind: r.kind, key: r.key, jurisdiction: r.jurisdiction.digits, body: r.fieldsJSON)
        let hlc = clock.last.rawValue
        if let existing {
            // A correction: a new version; the record keeps its first arrival's deadline and lateness.
            updateRecord.bind(1, r.subjectCode)
            updateRecord.bind(2, r.jurisdiction.digits)
            updateRecord.bind(3, r.decisionDate?.iso)
            updateRecord.bind(4, changeID)
            updateRecord.bind(5, hlc)
            updateRecord.bind(6, existing.id)
            try updateRecord.step()
            updateRecord.reset()
            summary.updated += 1
            return .updated
        }
        insertRecord.bind(1, r.key)
        insertRecord.bind(2, r.kind)
        insertRecord.bind(3, r.subjectCode)
        insertRecord.bind(4, r.jurisdiction.digits)
        insertRecord.bind(5, r.decisionDate?.iso)
        insertRecord.bind(6, r.publicationDeadline?.iso)
        insertRecord.bind(7, r.late ? 1 : 0)
        insertRecord.bind(8, changeID)
        insertRecord.bind(9, hlc)
        try insertRecord.step()
        insertRecord.reset()
        summary.accepted += 1
        if r.late { summary.late += 1 }
        return .inserted
    }

    /// Keeps a refused row with its reasons and its text as received.
    public mutating func reject(line: Int, raw: String, kind: String, issues: [ValidationIssue]) throws {
        precondition(!issues.isEmpty, "a rejected row needs at least one reason")
        var reasons = "["
        for (i, issue) in issues.enumerated() {
            if i > 0 { reasons += "," }
            reasons += "{\"code\":" + CanonicalJSON.string(issue.code)
            if let f = issue.field { reasons += ",\"field\":" + CanonicalJSON.string(f) }
            reasons += ",\"message\":" + CanonicalJSON.string(issue.message) + "}"
        }
        reasons += "]"
        summary.rejected += 1
        let digest = Self.digest(kind, raw)
        findQuarantined.bind(1, digest)
        findQuarantined.bind(2, kind)
        findQuarantined.bind(3, raw)
        let known = try findQuarantined.step()
        findQuarantined.reset()
        if known {
            summary.alreadyQuarantined += 1
            return
        }
        insertQuarantine.bind(1, ingestID)
        insertQuarantine.bind(2, Int64(line))
        insertQuarantine.bind(3, kind)
        insertQuarantine.bind(4, reasons)
        insertQuarantine.bind(5, raw)
        insertQuarantine.bind(6, digest)
        try insertQuarantine.step()
        insertQuarantine.reset()
    }

    /// FNV-1a over the kind and the row's text: an index key for finding a row already held.
    static func digest(_ kind: String, _ raw: String) -> Int64 {
        var h: UInt64 = 0xCBF2_9CE4_8422_2325
        for b in kind.utf8 { h = (h ^ UInt64(b)) &* 0x100_0000_01B3 }
        h = (h ^ 0xFF) &* 0x100_0000_01B3
        for b in raw.utf8 { h = (h ^ UInt64(b)) &* 0x100_0000_01B3 }
        return Int64(bitPattern: h)
    }

    private mutating func appendChange(op: String, kind: String, key: String, jurisdiction: String, body: String) throws -> Int64 {
        let id = nextChangeID
        let seq = nextSeq
        let hlc = clock.tick(nowMilliseconds: nowMilliseconds)
        insertChange.bind(10, id)
        insertChange.bind(1, origin)
        insertChange.bind(2, seq)
        insertChange.bind(3, hlc.rawValue)
        insertChange.bind(4, nowMilliseconds)
        insertChange.bind(5, op)
        insertChange.bind(6, kind)
        insertChange.bind(7, key)
        insertChange.bind(8, jurisdiction)
        insertChange.bind(9, body)
        try insertChange.step()
        insertChange.reset()
        nextSeq += 1
        nextChangeID += 1
        if summary.firstSeq == nil { summary.firstSeq = seq }
        summary.lastSeq = seq
        return id
    }
}

extension NodeStore {
    /// Runs one ingestion in a single transaction: either every accepted row, every quarantined
    /// row and the run's counts are committed together, or nothing is (the body threw).
    public func ingest(source: IngestSource, now: Date = Date(), _ body: (inout IngestWriter) throws -> Void) throws -> IngestSummary {
        let nowMs = ChinaTime.milliseconds(now)
        let origin = node.digits
        let summary = try pool.writeWithoutTransaction { db -> IngestSummary in
            var result = IngestSummary()
            try db.inTransaction(.immediate) {
                try db.execute(
                    sql: "INSERT INTO ingests (source, kind, format, encoding, started_at, finished_at, accepted, updated, duplicates, rejected, late) VALUES (?, ?, ?, ?, ?, ?, 0, 0, 0, 0, 0)",
                    arguments: [source.name, source.kind, source.format.rawValue, source.encoding.rawValue, nowMs, nowMs])
                let ingestID = db.lastInsertedRowID
                let lastSeq = try Int64.fetchOne(db, sql: "SELECT MAX(seq) FROM changes WHERE origin = ?", arguments: [origin]) ?? 0
                let lastHLC = try Int64.fetchOne(db, sql: "SELECT MAX(hlc) FROM changes") ?? 0
                var writer = IngestWriter(
                    origin: origin, ingestID: ingestID, nowMilliseconds: nowMs, clock: HybridLogicalClock(last: HLCStamp(rawValue: lastHLC)),
                    nextSeq: lastSeq + 1,
                    nextChangeID: (try Int64.fetchOne(db, sql: "SELECT MAX(id) FROM changes") ?? 0) + 1,
                    findRecord: try RawStatement(db, "SELECT r.id, c.body FROM records r JOIN changes c ON c.id = r.content_change WHERE r.record_key = ?"),
                    insertChange: try RawStatement(db, "INSERT INTO changes (origin, seq, hlc, entered_at, op, kind, record_key, jurisdiction, body, id) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"),
                    insertRecord: try RawStatement(db, "INSERT INTO records (record_key, kind, subject_code, jurisdiction, decision_date, publication_deadline, late, content_change, updated_hlc) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) "),
                    updateRecord: try RawStatement(db, "UPDATE records SET subject_code = ?, jurisdiction = ?, decision_date = ?, content_change = ?, updated_hlc = ? WHERE id = ?"),
                    insertQuarantine: try RawStatement(db, "INSERT INTO quarantine (ingest_id, line, kind, reasons, raw, raw_digest) VALUES (?, ?, ?, ?, ?, ?)"),
                    findQuarantined: try RawStatement(db, "SELECT 1 FROM quarantine WHERE raw_digest = ? AND kind = ? AND raw = ? LIMIT 1"))
                try body(&writer)
                var s = writer.summary
                s.ingestID = ingestID
                try db.execute(
                    sql: "UPDATE ingests SET finished_at = ?, accepted = ?, updated = ?, duplicates = ?, rejected = ?, late = ? WHERE id = ?",
                    arguments: [ChinaTime.milliseconds(Date()), s.accepted, s.updated, s.duplicates, s.rejected, s.late, ingestID])
                result = s
                return .commit
            }
            return result
        }
        logger.info(
            "ingest committed",
            metadata: [
                "source": "\(source.name)", "kind": "\(source.kind)", "accepted": "\(summary.accepted)", "updated": "\(summary.updated)",
                "duplicates": "\(summary.duplicates)", "rejected": "\(summary.rejected)", "late": "\(summary.late)",
            ])
        return summary
    }
}
