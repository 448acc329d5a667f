import CreditDomain
import CreditStore
import Foundation
import GRDBSQLite
import SampleData

/// Validated ingestion against the floor: the same rows' columns inserted into a plain SQLite
/// table in one transaction through the C API, in the same run, on the same disk.
public struct IngestBenchmark: Sendable {
    public struct Result: Sendable, Codable {
        public var records: Int
        /// Each side ran this many times, alternating; the figures are medians.
        public var rounds: Int
        public var ingestSecondsEachRound: [Double]
        public var plainSecondsEachRound: [Double]
        public var csvBytes: Int
        public var ingestSeconds: Double
        public var ingestRecordsPerSecond: Double
        public var accepted: Int
        public var rejected: Int
        public var plainSeconds: Double
        public var plainRecordsPerSecond: Double
        /// Validated ingestion rate over the plain-insert rate (target ≥ 0.5).
        public var ratio: Double
        public var storeBytes: Int64
        public var targetRatio = 0.5
        public var targetRecordsPerSecond = 100_000.0
        public var meetsTargets: Bool { ratio >= targetRatio && ingestRecordsPerSecond >= targetRecordsPerSecond }
    }

    public var records: Int
    public var seed: UInt64 = 42
    public var faultShare = 0.0
    public var rounds = 3
    public var directory: URL

    public init(records: Int, directory: URL) {
        self.records = records
        self.directory = directory
    }

    public func run(progress: (String) -> Void = { _ in }) throws -> Result {
        let fm = FileManager.default
        try fm.createDirectory(at: directory, withIntermediateDirectories: true)
        let node = try DivisionCode("420102002201")
        let asOf = CivilDate(year: 2026, month: 11, day: 20)!
        let kind = try Catalogue.bundled().kind(named: "penalty")
        let csvPath = directory.appendingPathComponent("bench-penalties.csv").path

        progress("generating \(records) penalty records")
        var options = SampleGenerator.Options(seed: seed, node: node, asOf: asOf)
        options.faultShare = faultShare
        var generator = SampleGenerator(options)
        guard fm.createFile(atPath: csvPath, contents: nil) else { throw BenchError("cannot create \(csvPath)") }
        let out = try FileHandle(forWritingTo: URL(fileURLWithPath: csvPath))
        out.write(Data(SampleGenerator.csvHeader(kind: kind, style: .codes).utf8))
        var written = 0
        while written < records {
            let n = min(50_000, records - written)
            out.write(Data(SampleGenerator.csvRows(generator.rows(kind: kind, count: n)).utf8))
            written += n
        }
        try out.close()
        let csvBytes = (try fm.attributesOfItem(atPath: csvPath)[.size] as? NSNumber)?.intValue ?? 0

        // Alternate the two sides so that both see the same state of the machine.
        var ingestTimes: [Double] = []
        var plainTimes: [Double] = []
        var report: IngestReport?
        var storeBytes: Int64 = 0
        for round in 1...rounds {
            // CreditNet: decode, parse, validate, store with change log, in one transaction.
            let storeDir = directory.appendingPathComponent("node")
            try? fm.removeItem(at: storeDir)
            var config = NodeConfiguration(code: node, dataDirectory: storeDir.path)
            config.name = "bench"
            let context = try NodeContext(configuration: config)
            progress("round \(round)/\(rounds): validated ingestion into \(config.databasePath)")
            let now = Date(timeIntervalSince1970: Double(asOf.dayNumber) * 86_400 + 2 * 3600)  // 10:00 in China
            let t0 = DispatchTime.now().uptimeNanoseconds
            report = try FileIngestion(node: context).ingest(file: csvPath, kind: "penalty", now: now)
            ingestTimes.append(Double(DispatchTime.now().uptimeNanoseconds - t0) / 1e9)
            storeBytes = (try fm.attributesOfItem(atPath: config.databasePath)[.size] as? NSNumber)?.int64Value ?? 0

            // The floor: the same columns, pre-parsed, bound and stepped through the C API.
            progress("round \(round)/\(rounds): plain SQLite inserts of the same rows")
            plainTimes.append(try plainInsert(csvPath: csvPath, columns: kind.fields.count))
        }
        func median(_ v: [Double]) -> Double { v.sorted()[v.count / 2] }
        let ingestSeconds = median(ingestTimes)
        let plainSeconds = median(plainTimes)
        let ingestRate = Double(records) / ingestSeconds
        let plainRate = Double(records) / plainSeconds
        return Result(
            records: records, rounds: rounds, ingestSecondsEachRound: ingestTimes, plainSecondsEachRound: plainTimes, csvBytes: csvBytes,
            ingestSeconds: ingestSeconds, ingestRecordsPerSecond: ingestRate, accepted: report?.accepted ?? 0, rejected: report?.rejected ?? 0,
            plainSeconds: plainSeconds, plainRecordsPerSecond: plainRate, ratio: ingestRate / plainRate, storeBytes: storeBytes)
    }

    /// Inserts every CSV row's columns as text into one table in one transaction; returns the
    /// seconds spent in SQLite (parsing is done beforehand, chunk by chunk, and not counted).
    func plainInsert(csvPath: String, columns: Int) throws -> Double {
        let path = directory.appendingPathComponent("plain.sqlite").path
        for suffix in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: path + suffix) }
        NodeStore.processSettings()  // the same process-wide settings as the stores
        var db: OpaquePointer?
        guard sqlite3_open(path, &db) == SQLITE_OK, let db else { throw BenchError("cannot open \(path)") }
        defer { sqlite3_close(db) }
        func exec(_ sql: String) throws {
            guard sqlite3_exec(db, sql, nil, nil, nil) == SQLITE_OK else { throw BenchError("\(sql): \(String(cString: sqlite3_errmsg(db)))") }
        }
        try exec("PRAGMA journal_mode = WAL")
        try exec("PRAGMA synchronous = FULL")
        try exec("PRAGMA cache_size = -262144")
        let names = (1...columns).map { "c\($0)" }
        try exec("CREATE TABLE plain (\(names.map { "\($0) TEXT" }.joined(separator: ", ")))")
        var stmt: OpaquePointer?
        let sql = "INSERT INTO plain VALUES (\(Array(repeating: "?", count: columns).joined(separator: ", ")))"
        guard sqlite3_prepare_v2(db, sql, -1, &stmt, nil) == SQLITE_OK, let stmt else { throw BenchError("prepare failed") }
        defer { sqlite3_finalize(stmt) }
        let transient = unsafeBitCast(-1, to: sqlite3_destructor_type.self)
        let bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: csvPath)))
        var chunk: [[String]] = []
        var elapsed: UInt64 = 0
        var header = true
        func flush() throws {
            let t0 = DispatchTime.now().uptimeNanoseconds
            for row in chunk {
                for (i, v) in row.enumerated() {
                    var s = v
                    s.withUTF8 { p in _ = sqlite3_bind_text(stmt, Int32(i + 1), UnsafeRawPointer(p.baseAddress!).assumingMemoryBound(to: CChar.self), Int32(p.count), transient) }
                }
                guard sqlite3_step(stmt) == SQLITE_DONE else { throw BenchError("insert failed: \(String(cString: sqlite3_errmsg(db)))") }
                sqlite3_reset(stmt)
            }
            elapsed += DispatchTime.now().uptimeNanoseconds - t0
            chunk.removeAll(keepingCapacity: true)
        }
        var t0 = DispatchTime.now().uptimeNanoseconds
        try exec("BEGIN IMMEDIATE")
        elapsed += DispatchTime.now().uptimeNanoseconds - t0
        try CSVReader.forEachRow(bytes) { row in
            if header {
                header = false
                return
            }
            chunk.append(row.fields)
            if chunk.count == 20_000 { try flush() }
        }
        try flush()
        t0 = DispatchTime.now().uptimeNanoseconds
        try exec("COMMIT")
        elapsed += DispatchTime.now().uptimeNanoseconds - t0
        return Double(elapsed) / 1e9
    }
}

struct BenchError: Error, CustomStringConvertible {
    var description: String
    init(_ d: String) { description = d }
}
