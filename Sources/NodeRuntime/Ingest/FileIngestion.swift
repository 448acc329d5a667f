import CreditDomain
import CreditStore
import Foundation

/// What an ingestion run reports: the store's counts plus what was learnt about the file.
public struct IngestReport: Sendable, Codable {
    public var file: String
    public var kind: String
    public var kindName: String
    public var format: String
    public var encoding: String
    public var rows: Int
    public var accepted: Int
    public var updated: Int
    public var duplicates: Int
    public var rejected: Int
    /// Refused rows already in quarantine from an earlier run (not stored again).
    public var alreadyQuarantined: Int
    public var late: Int
    public var ignoredColumns: [String]
    public var ingestID: Int64
    public var firstSeq: Int64?
    public var lastSeq: Int64?
    /// The first refused rows and why (up to 20); `credit-node quarantine` lists them all.
    public var rejections: [Rejection]

    public struct Rejection: Sendable, Codable {
        public var line: Int
        public var reasons: [ValidationIssue]
    }
}

/// Reads a department's file, validates every row and stores the result in one transaction:
/// good rows as records with change-log entries, bad rows in quarantine. A file that cannot be
/// read as a whole (empty, undecodable, no usable header) is refused before anything is written.
public struct FileIngestion: Sendable {
    public static let fileBytesMax = 4 << 30
    public let node: NodeContext

    public init(node: NodeContext) { self.node = node }

    /// Rows handed from the validating thread to the writer in one batch.
    static let batchRows = 512

    /// Inputs up to this size are validated on the calling thread; larger ones on a thread of
    /// their own while the store writes (a file of a million rows: both cores busy).
    static let inlineBytesMax = 1 << 20

    static func write(_ batch: [Checked], to writer: inout IngestWriter, kind: ResolvedKind) throws {
        for item in batch {
            switch item {
            case .valid(let record): try writer.put(record)
            case .refused(let line, let raw, let issues): try writer.reject(line: line, raw: raw, kind: kind.slug, issues: issues)
            }
        }
    }

    /// One row after validation, as the writer needs it.
    enum Checked: Sendable {
        case valid(ValidatedRecord)
        case refused(line: Int, raw: String, issues: [ValidationIssue])
    }

    /// What the validating thread learnt, handed over when it finishes.
    final class ProducerResult: @unchecked Sendable {
        // Written by the producer before `finish()`, read by the consumer after `pop()` returned
        // nil; the queue's lock orders the two.
        var rows = 0
        var rejections: [IngestReport.Rejection] = []
    }

    public func ingest(
        file path: String, kind kindName: String, format: InputFormat? = nil, encoding: TextEncoding? = nil, now: Date = Date(),
        actor: AuditActor? = nil
    ) throws -> IngestReport {
        let kind = try node.kind(named: kindName)
        let bytes = try Self.read(path)
        return try ingest(
            bytes: bytes, name: path, kind: kind, format: format ?? InputFormat.guess(fileName: path), encoding: encoding, now: now, actor: actor)
    }

    /// Ingests bytes received from elsewhere (`POST /v1/records`), with the same checks as a file.
    public func ingest(
        bytes: [UInt8], name: String, kind kindName: String, format: InputFormat, encoding: TextEncoding? = nil, now: Date = Date(),
        actor: AuditActor? = nil
    ) throws -> IngestReport {
        guard !bytes.isEmpty else { throw IngestError(.empty, "the upload is empty; it needs a header line and at least one row") }
        return try ingest(bytes: bytes, name: name, kind: try node.kind(named: kindName), format: format, encoding: encoding, now: now, actor: actor)
    }

    func ingest(
        bytes: [UInt8], name path: String, kind: ResolvedKind, format: InputFormat, encoding: TextEncoding?, now: Date, actor: AuditActor? = nil
    ) throws -> IngestReport {
        let reader = try RecordReader(bytes: bytes, format: format, kind: kind, encoding: encoding)
        let context = ValidationContext(node: node.configuration.code, today: ChinaTime.date(now), calendar: node.calendar)
        let source = IngestSource(name: URL(fileURLWithPath: path).lastPathComponent, kind: kind.slug, format: format, encoding: reader.encoding)

        let produced = ProducerResult()
        // Parses and validates every row, handing them on in batches while `push` takes them.
        let produce = { @Sendable (push: ([Checked]) -> Bool) in
            var validator = RecordValidator(kind: kind, context: context)
            var batch: [Checked] = []
            batch.reserveCapacity(Self.batchRows)
            var open = true
            reader.forEachRow { row in
                guard open else { return }
                produced.rows += 1
                let checked: Checked
                if let problem = row.problem {
                    checked = .refused(line: row.line, raw: row.raw, issues: [problem])
                } else {
                    switch validator.validate(row.values) {
                    case .valid(let record): checked = .valid(record)
                    case .invalid(let issues): checked = .refused(line: row.line, raw: row.raw, issues: issues)
                    }
                }
                if case .refused(let line, _, let issues) = checked, produced.rejections.count < 20 {
                    produced.rejections.append(.init(line: line, reasons: issues))
                }
                batch.append(checked)
                if batch.count == Self.batchRows {
                    open = push(batch)
                    batch.removeAll(keepingCapacity: true)
                }
            }
            if open && !batch.isEmpty { _ = push(batch) }
        }
        let summary: IngestSummary
        if bytes.count <= Self.inlineBytesMax {
            // A small file or upload (a department's day, a form): validated on this thread, no
            // thread started for it.
            var batches: [[Checked]] = []
            produce {
                batches.append($0); return true
            }
            summary = try node.store.ingest(source: source, now: now, actor: actor) { writer in
                for batch in batches { try Self.write(batch, to: &writer, kind: kind) }
            }
        } else {
            // Two stages on two cores: a thread of its own parses and validates, this one stores.
            let queue = BatchQueue<[Checked]>(capacity: 8)
            let producer = Thread {
                produce { queue.push($0) }
                queue.finish()
            }
            producer.stackSize = 1 << 22
            producer.start()
            do {
                summary = try node.store.ingest(source: source, now: now, actor: actor) { writer in
                    while let batch = queue.pop() { try Self.write(batch, to: &writer, kind: kind) }
                }
            } catch {
                queue.cancel()
                throw error
            }
        }
        return IngestReport(
            file: path, kind: kind.slug, kindName: kind.name, format: format.rawValue, encoding: reader.encoding.rawValue, rows: produced.rows,
            accepted: summary.accepted, updated: summary.updated, duplicates: summary.duplicates, rejected: summary.rejected,
            alreadyQuarantined: summary.alreadyQuarantined, late: summary.late,
            ignoredColumns: reader.ignoredColumns, ingestID: summary.ingestID, firstSeq: summary.firstSeq, lastSeq: summary.lastSeq,
            rejections: produced.rejections)
    }

    static func read(_ path: String) throws(IngestError) -> [UInt8] {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
            throw IngestError(.unreadable, "input file \(path) does not exist")
        }
        guard !isDirectory.boolValue else { throw IngestError(.unreadable, "\(path) is a directory; give the file to ingest") }
        let data: Data
        do { data = try Data(contentsOf: URL(fileURLWithPath: path), options: .alwaysMapped) } catch {
            throw IngestError(.unreadable, "cannot read \(path): \(error.localizedDescription)")
        }
        guard data.count <= fileBytesMax else {
            throw IngestError(.tooLarge, "\(path) has \(data.count) bytes; split files larger than \(fileBytesMax >> 30) GiB")
        }
        guard !data.isEmpty else { throw IngestError(.empty, "the file \(path) is empty; it needs a header line and at least one row") }
        return [UInt8](data)
    }
}
