import CreditDomain
import SyncCore
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

/// Multi-row statements of one transaction, for a few row counts only: each is the connection's
/// cached statement (`RawStatement`), so every row count met would stay compiled for the
/// connection's life. A batch of any other size is written in chunks of these sizes (inserts) or
/// padded up to the next (lookups).
final class BatchStatements {
    /// The row counts statements are prepared for, largest first: a full batch, then chunks.
    static let sizes = [IngestWriter.batch, 64, 16, 4, 1]

    private struct Key: Hashable {
        var name: String
        var rows: Int
    }
    private let database: Database
    private var prepared: [Key: RawStatement] = [:]

    init(_ database: Database) { self.database = database }

    /// The statement `name` for `rows` rows (one of `sizes`), from `sql(rows)`.
    func statement(_ name: String, rows: Int, sql: (Int) -> String) throws -> RawStatement {
        precondition(Self.sizes.contains(rows), "no statement is prepared for \(rows) rows")
        let key = Key(name: name, rows: rows)
        if let hit = prepared[key] { return hit }
        let statement = try RawStatement(database, sql(rows))
        prepared[key] = statement
        return statement
    }

    /// The smallest size that holds `rows` (a lookup pads up to it).
    static func padded(_ rows: Int) -> Int { sizes.last { $0 >= rows } ?? sizes[0] }

    /// `rows` split into chunks of the sizes, largest first (an insert runs one statement each).
    static func chunks(_ rows: Int) -> [Int] {
        var left = rows
        var out: [Int] = []
        for size in sizes {
            while left >= size {
                out.append(size)
                left -= size
            }
        }
        return out
    }
}

/// Writes one ingestion run inside a single transaction. Obtained from `NodeStore.ingest`.
///
/// Records are written in batches: one lookup of a batch's keys, then one multi-row insert each
/// for changes and records, which costs SQLite far less per row than a statement per row. A key
/// that repeats inside a batch flushes the batch first, so versions are stored in file order.
/// Summary counts are final once the ingestion's body returns.
public struct IngestWriter: ~Copyable {
    static let batch = 256

    let origin: String
    let node: DivisionCode
    let ingestID: Int64
    let nowMilliseconds: Int64
    let database: Database
    var clock: HybridLogicalClock
    var nextSeq: Int64
    /// Change ids are assigned here (the log is append-only, so max + 1 never repeats).
    var nextChangeID: Int64
    var summary = IngestSummary()
    var pending: [ValidatedRecord] = []
    var pendingKeys: Set<ExactText> = []
    /// Keys and bodies of the batch being written, laid out once and bound in place.
    var arena: [UInt8] = []
    /// The multi-row statements, for a full batch and for chunks (`BatchStatements.sizes`),
    /// compiled once per connection: a file of a few rows never pays for a statement of 2,560
    /// parameters it will not use (once 3.8 of 4 ms of ingesting a five-row upload).
    let batchStatements: BatchStatements
    let updateRecord: RawStatement
    let insertQuarantine: RawStatement
    let findQuarantined: RawStatement
    let routes: Routes

    static let changeColumns = "(origin, seq, hlc, entered_at, op, kind, record_key, jurisdiction, body, id)"

    static func findSQL(_ n: Int) -> String {
        "SELECT r.record_key, r.id, c.body, r.jurisdiction FROM records r JOIN changes c ON c.id = r.content_change WHERE r.record_key IN (\(Array(repeating: "?", count: n).joined(separator: ",")))"
    }

    static func insertSQL(_ table: String, _ columns: String, width: Int, rows: Int) -> String {
        let row = "(" + Array(repeating: "?", count: width).joined(separator: ",") + ")"
        return "INSERT INTO \(table) \(columns) VALUES " + Array(repeating: row, count: rows).joined(separator: ",")
    }

    /// Stores a validated record: a new record, a new version of a known one, or nothing when
    /// an identical version is stored already. Each stored version is one change-log entry.
    public mutating func put(_ r: ValidatedRecord) throws {
        let key = ExactText(r.key)
        // A key already in the batch flushes it first (which empties the set), then starts the next.
        if !pendingKeys.insert(key).inserted {
            try flush()
            pendingKeys.insert(key)
        }
        pending.append(r)
        if pending.count == Self.batch { try flush() }
    }

    /// Writes the pending batch.
    mutating func flush() throws {
        guard !pending.isEmpty else { return }
        defer {
            pending.removeAll(keepingCapacity: true)
            pendingKeys.removeAll(keepingCapacity: true)
        }
        // 1. Which keys are known, and with which current body. The statement takes one of
        // `BatchStatements.sizes` keys; a batch of fewer repeats its last key.
        var existing: [ExactText: (id: Int64, body: String?, jurisdiction: String)] = [:]
        let width = BatchStatements.padded(pending.count)
        let findRecords = try batchStatements.statement("find", rows: width) { Self.findSQL($0) }
        for i in 0..<width { findRecords.bind(Int32(i + 1), pending[min(i, pending.count - 1)].key) }
        while try findRecords.step() {
            if let key = findRecords.text(0) { existing[ExactText(key)] = (findRecords.int64(1), findRecords.text(2), findRecords.text(3) ?? "") }
        }
        findRecords.reset()

        // 2. Decide, and give every new version its change id, seq and clock stamp in order.
        var changes: [(record: ValidatedRecord, id: Int64, seq: Int64, hlc: Int64)] = []
        var newRecords: [Int] = []
        var updates: [(recordID: Int64, change: Int, jurisdiction: String)] = []
        for r in pending {
            let known = existing[ExactText(r.key)]
            if let known, known.body == r.fieldsJSON {
                summary.duplicates += 1
                continue
            }
            changes.append((r, nextChangeID, nextSeq, clock.tick(nowMilliseconds: nowMilliseconds).rawValue))
            nextChangeID += 1
            nextSeq += 1
            if let known {
                updates.append((known.id, changes.count - 1, known.jurisdiction))
                summary.updated += 1
            } else {
                newRecords.append(changes.count - 1)
                summary.accepted += 1
                if r.late { summary.late += 1 }
            }
        }
        if let first = changes.first, let last = changes.last {
            if summary.firstSeq == nil { summary.firstSeq = first.seq }
            summary.lastSeq = last.seq
        }

        // 3. Changes first (records refer to them), then new records, then corrections. Keys
        // and bodies are copied once into the arena and bound in place.
        arena.removeAll(keepingCapacity: true)
        var spans: [(key: Range<Int>, body: Range<Int>)] = []
        spans.reserveCapacity(changes.count)
        for c in changes {
            let k = arena.count
            arena.append(contentsOf: c.record.key.utf8)
            let b = arena.count
            arena.append(contentsOf: c.record.fieldsJSON.utf8)
            spans.append((k..<b, b..<arena.count))
        }
        try arena.withUnsafeBufferPointer { bytes in
            let base = bytes.baseAddress ?? UnsafePointer(bitPattern: 1)!
            try insertRows(changes.count, width: 10, table: "changes", columns: Self.changeColumns) { s, at, i in
                let c = changes[i]
                s.bind(at + 1, origin)
                s.bind(at + 2, c.seq)
                s.bind(at + 3, c.hlc)
                s.bind(at + 4, nowMilliseconds)
                s.bind(at + 5, "put")
                s.bind(at + 6, c.record.kind)
                s.bindStatic(at + 7, base + spans[i].key.lowerBound, spans[i].key.count)
                s.bind(at + 8, c.record.jurisdiction.digits)
                s.bindStatic(at + 9, base + spans[i].body.lowerBound, spans[i].body.count)
                s.bind(at + 10, c.id)
            }
            try insertRows(newRecords.count, width: RecordRows.width, table: "records", columns: RecordRows.columns) { s, at, i in
                let n = newRecords[i]
                let c = changes[n]
                let r = c.record
                s.bindStatic(at + 1, base + spans[n].key.lowerBound, spans[n].key.count)
                s.bind(at + 2, r.kind)
                s.bind(at + 3, r.subjectCode)
                s.bind(at + 4, r.jurisdiction.digits)
                s.bind(at + 5, r.decisionDate?.iso)
                s.bind(at + 6, r.publicationDeadline?.iso)
                s.bind(at + 7, r.late ? 1 : 0)
                s.bind(at + 8, c.id)
                s.bind(at + 9, c.hlc)
                s.bind(at + 10, r.publicityUntil?.iso)
                s.bind(at + 11, r.inForce ? 1 : 0)
            }
        }
        for n in newRecords where changes[n].record.deadlineProvisional {
            let enteredOn = ChinaTime.date(Date(timeIntervalSince1970: Double(nowMilliseconds) / 1000))
            try NodeStore.noteProvisionalDeadline(key: changes[n].record.key, enteredOn: enteredOn, db: database)
        }
        for u in updates {
            // A correction: the record keeps its first arrival's deadline and lateness.
            let c = changes[u.change]
            // RecordRows.updateSQL: subject, area, decision date, end of publicity, in force, change, HLC, id.
            updateRecord.bind(1, c.record.subjectCode)
            updateRecord.bind(2, c.record.jurisdiction.digits)
            updateRecord.bind(3, c.record.decisionDate?.iso)
            updateRecord.bind(4, c.record.publicityUntil?.iso)
            updateRecord.bind(5, c.record.inForce ? 1 : 0)
            updateRecord.bind(6, c.id)
            updateRecord.bind(7, c.hlc)
            updateRecord.bind(8, u.recordID)
            try updateRecord.step()
            updateRecord.reset()
        }
        // Records of a child's area are noted for its pulls (a county's penalty about a village);
        // a correction naming another area than the record had goes to both children (`Router`).
        if !routes.children.isEmpty {
            var router = try Router(routes: routes, db: database)
            for u in updates {
                let c = changes[u.change]
                try router.noteVersion(
                    key: c.record.key, kind: c.record.kind, jurisdiction: c.record.jurisdiction.digits, current: u.jurisdiction, changeID: c.id,
                    db: database)
            }
            for c in changes where c.record.jurisdiction != self.node || routes.networkWideKinds.contains(c.record.kind) || router.anyMoved {
                try router.route(
                    key: c.record.key, kind: c.record.kind, jurisdiction: c.record.jurisdiction.digits, origin: origin, changeID: c.id, db: database)
            }
        }
    }

    /// Inserts `count` rows, in order, through the statements prepared for chunks of them.
    private func insertRows(
        _ count: Int, width: Int, table: String, columns: String, bind: (RawStatement, Int32, Int) -> Void
    ) throws {
        var first = 0
        for rows in BatchStatements.chunks(count) {
            let statement = try batchStatements.statement(table, rows: rows) { Self.insertSQL(table, columns, width: width, rows: $0) }
            for i in 0..<rows { bind(statement, Int32(i * width), first + i) }
            try statement.step()
            statement.reset()
            first += rows
        }
    }

    /// Keeps a refused row with its reasons and its text as received.
    public mutating func reject(line: Int, raw: String, kind: String, issues: [ValidationIssue]) throws {
        precondition(!issues.isEmpty, "a rejected row needs at least one reason")
        var reasons = "["
        for (i, issue) in issues.enumerated() {
            if i > 0 { reasons += "," }
            reasons += "{\"code\":" + CanonicalJSON.string(issue.code)
            if let f = issue.field { reasons += ",\"field\":" + CanonicalJSON.string(f) }
            reasons += ",\"message\":" + CanonicalJSON.string(issue.message)
            if let c = issue.chinese { reasons += ",\"chinese\":" + CanonicalJSON.string(c) }
            reasons += "}"
        }
        reasons += "]"
        summary.rejected += 1
        let digest = Self.digest(kind, raw)
        let raw = Self.kept(raw)
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

    /// The most of a refused row's text the quarantine keeps: enough to read and correct any real
    /// row; a row of megabytes (one of 3.5 million characters was sent) is kept cut, saying so.
    public static let rawBytesMax = 16 * 1024

    /// A row's text as kept: whole, or its first `rawBytesMax` bytes (whole characters) and a note
    /// of how long it was.
    static func kept(_ raw: String) -> String {
        let bytes = raw.utf8
        guard bytes.count > rawBytesMax else { return raw }
        var end = bytes.index(bytes.startIndex, offsetBy: rawBytesMax)
        // Back to the start of a character: UTF-8 continuation bytes are 10xxxxxx.
        while end > bytes.startIndex && bytes[end] & 0xC0 == 0x80 { end = bytes.index(before: end) }
        return String(decoding: bytes[..<end], as: UTF8.self) + "…〔quarantine keeps the first \(rawBytesMax) bytes; the row had \(bytes.count)〕"
    }

    /// FNV-1a over the kind and the row's text: an index key for finding a row already held.
    static func digest(_ kind: String, _ raw: String) -> Int64 {
        var h: UInt64 = 0xCBF2_9CE4_8422_2325
        for b in kind.utf8 { h = (h ^ UInt64(b)) &* 0x100_0000_01B3 }
        h = (h ^ 0xFF) &* 0x100_0000_01B3
        for b in raw.utf8 { h = (h ^ UInt64(b)) &* 0x100_0000_01B3 }
        return Int64(bitPattern: h)
    }

}

extension NodeStore {
    /// Runs one ingestion in a single transaction: either every accepted row, every quarantined
    /// row and the run's counts are committed together, or nothing is (the body threw).
    /// With `actor`, the run is written to the audit trail in the same transaction.
    public func ingest(source: IngestSource, now: Date = Date(), actor: AuditActor? = nil, _ body: (inout IngestWriter) throws -> Void) throws
        -> IngestSummary
    {
        let nowMs = ChinaTime.milliseconds(now)
        let origin = node.digits
        let summary = try pool.writeWithoutTransaction { db -> IngestSummary in
            var result = IngestSummary()
            try db.inTransaction(.immediate) {
                try db.cachedStatement(
                    sql:
                        "INSERT INTO ingests (source, kind, format, encoding, started_at, finished_at, accepted, updated, duplicates, rejected, late) VALUES (?, ?, ?, ?, ?, ?, 0, 0, 0, 0, 0)"
                ).execute(arguments: [source.name, source.kind, source.format.rawValue, source.encoding.rawValue, nowMs, nowMs])
                let ingestID = db.lastInsertedRowID
                let lastHLC = try Int64.fetchOne(db.cachedStatement(sql: "SELECT MAX(hlc) FROM changes")) ?? 0
                var writer = IngestWriter(
                    origin: origin, node: node, ingestID: ingestID, nowMilliseconds: nowMs, database: db,
                    clock: HybridLogicalClock(last: HLCStamp(rawValue: lastHLC)),
                    nextSeq: try Self.nextOwnSeq(origin, db),
                    nextChangeID: (try Int64.fetchOne(db.cachedStatement(sql: "SELECT MAX(id) FROM changes")) ?? 0) + 1,
                    batchStatements: BatchStatements(db),
                    updateRecord: try RawStatement(db, RecordRows.updateSQL),
                    insertQuarantine: try RawStatement(
                        db, "INSERT INTO quarantine (ingest_id, line, kind, reasons, raw, raw_digest) VALUES (?, ?, ?, ?, ?, ?)"),
                    findQuarantined: try RawStatement(db, "SELECT 1 FROM quarantine WHERE raw_digest = ? AND kind = ? AND raw = ? LIMIT 1"),
                    routes: routes)
                try body(&writer)
                try writer.flush()
                var s = writer.summary
                s.ingestID = ingestID
                try db.cachedStatement(
                    sql: "UPDATE ingests SET finished_at = ?, accepted = ?, updated = ?, duplicates = ?, rejected = ?, late = ? WHERE id = ?"
                ).execute(arguments: [ChinaTime.milliseconds(Date()), s.accepted, s.updated, s.duplicates, s.rejected, s.late, ingestID])
                if let actor {
                    try Self.audit(
                        actor, action: "records", kind: source.kind, ingestID: ingestID, recordKey: nil,
                        detail: "accepted \(s.accepted), updated \(s.updated), duplicates \(s.duplicates), rejected \(s.rejected)", atMs: nowMs,
                        db: db)
                }
                result = s
                if let faults, faults.failsThisCommit() {
                    throw StoreError(code: .commitFailed, message: "the commit failed (a crash injected by the simulator)")
                }
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
