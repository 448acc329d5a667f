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

    public func ingest(file path: String, kind kindName: String, format: InputFormat? = nil, encoding: TextEncoding? = nil, now: Date = Date()) throws -> IngestReport {
        let kind = try node.catalogue.kind(named: kindName)
        let bytes = try Self.read(path)
        let format = format ?? InputFormat.guess(fileName: path)
        let reader = try RecordReader(bytes: bytes, format: format, kind: kind, encoding: encoding)
        let context = ValidationContext(node: node.configuration.code, today: ChinaTime.date(now), calendar: node.calendar)
        var validator = RecordValidator(kind: kind, context: context)
        var rows = 0
        var rejections: [IngestReport.Rejection] = []
        let source = IngestSource(name: URL(fileURLWithPath: path).lastPathComponent, kind: kind.slug, format: format, encoding: reader.encoding)
        let summary = try node.store.ingest(source: source, now: now) { writer in
            try reader.forEachRow { row in
                rows += 1
                var issues: [ValidationIssue]
                if let problem = row.problem {
                    issues = [problem]
                } else {
                    switch validator.validate(row.values) {
                    case .valid(let record):
                        _ = try writer.put(record)
                        return
                    case .invalid(let found): issues = found
                    }
                }
                try writer.reject(line: row.line, raw: row.raw, kind: kind.slug, issues: issues)
                if rejections.count < 20 { rejections.append(.init(line: row.line, reasons: issues)) }
            }
        }
        return IngestReport(
            file: path, kind: kind.slug, kindName: kind.name, format: format.rawValue, encoding: reader.encoding.rawValue, rows: rows,
            accepted: summary.accepted, updated: summary.updated, duplicates: summary.duplicates, rejected: summary.rejected, alreadyQuarantined: summary.alreadyQuarantined, late: summary.late,
            ignoredColumns: reader.ignoredColumns, ingestID: summary.ingestID, firstSeq: summary.firstSeq, lastSeq: summary.lastSeq, rejections: rejections)
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
