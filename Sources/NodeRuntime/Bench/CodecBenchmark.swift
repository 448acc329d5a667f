import ChangeSets
import CreditDomain
import Foundation
import NodePKI
import SampleData

/// The change-set codec against the `lz4` command-line tool on the same body bytes, in the same
/// run, and the bytes on the wire against the records' CSV.
public struct CodecBenchmark: Sendable {
    public struct Result: Sendable, Codable {
        public var records: Int
        public var csvBytes: Int
        public var linesBytes: Int
        public var wireBytes: Int
        public var wireShareOfCSV: Double
        public var changeSets: Int
        public var encodeSeconds: Double
        public var encodeMBps: Double
        public var encodeRecordsPerSecond: Double
        public var decodeSeconds: Double
        public var decodeMBps: Double
        public var decodeRecordsPerSecond: Double
        public var lz4CompressSeconds: Double
        public var lz4CompressMBps: Double
        public var lz4DecompressSeconds: Double
        public var lz4DecompressMBps: Double
        /// Codec speed over the tool's, each direction (target ≥ 0.5).
        public var encodeRatio: Double
        public var decodeRatio: Double
    }

    public var records: Int
    public var changesPerSet = 10_000
    /// Runs of each side; the medians are reported.
    public var rounds = 3
    public var directory: URL

    public init(records: Int, directory: URL) {
        self.records = records
        self.directory = directory
    }

    public func run(progress: (String) -> Void = { _ in }) throws -> Result {
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let node = try DivisionCode("420102002201")
        let asOf = CivilDate(year: 2026, month: 11, day: 20)!
        let kind = try Catalogue.bundled().kind(named: "penalty")
        let calendar = try WorkingCalendar.load()
        progress("generating and validating \(records) penalty records")
        var options = SampleGenerator.Options(seed: 42, node: node, asOf: asOf)
        options.faultShare = 0
        var generator = SampleGenerator(options)
        var validator = RecordValidator(kind: kind, context: ValidationContext(node: node, today: asOf, calendar: calendar))
        var changes: [Change] = []
        changes.reserveCapacity(records)
        var csvBytes = SampleGenerator.csvHeader(kind: kind, style: .codes).utf8.count
        var clock = HybridLogicalClock()
        let entered: Int64 = 1_763_600_000_000
        while changes.count < records {
            let rows = generator.rows(kind: kind, count: min(50_000, records - changes.count))
            csvBytes += SampleGenerator.csvRows(rows).utf8.count
            for row in rows {
                guard case .valid(let r) = validator.validate(row.values) else { continue }
                changes.append(
                    Change(
                        origin: node.digits, seq: Int64(changes.count + 1), hlc: clock.tick(nowMilliseconds: entered), enteredAtMilliseconds: entered, op: "put",
                        kind: r.kind, key: r.key, jurisdiction: r.jurisdiction.digits, body: r.fieldsJSON))
            }
        }
        let ca = try NetworkCA.create()
        let identity = try ca.issue(code: node)
        let trust = try TrustStore(ca: ca.certificate)

        // Each side runs `rounds` times, alternating, and the medians are compared: single runs of
        // the tool vary by 2–4× on this machine (it writes through the page cache).
        var encodeTimes: [Double] = []
        var decodeTimes: [Double] = []
        var sets: [ChangeSet] = []
        var bundle: ChangeBundle?
        for round in 1...rounds {
            progress("round \(round): encoding (canonical lines, Merkle root, LZ4 frame, signature), then decoding (structure, certificates, signatures, hashes, LZ4, Merkle root, lines)")
            let t0 = DispatchTime.now().uptimeNanoseconds
            sets = try ChangeSet.buildChain(changes: changes, changesPerSet: changesPerSet, previousHash: [], identity: identity)
            let built = try ChangeBundle.build(sets, identity: identity)
            encodeTimes.append(Double(DispatchTime.now().uptimeNanoseconds - t0) / 1e9)
            let t1 = DispatchTime.now().uptimeNanoseconds
            let verified = try ChangeBundle.decode(built.encoded).verify(trust: trust)
            decodeTimes.append(Double(DispatchTime.now().uptimeNanoseconds - t1) / 1e9)
            let decodedCount = verified.reduce(0) { $0 + $1.changes.count }
            guard decodedCount == changes.count else { throw BenchError("decoded \(decodedCount) changes of \(changes.count)") }
            bundle = built
        }
        guard let bundle else { throw BenchError("no round ran") }
        let encodeSeconds = Self.median(encodeTimes)
        let decodeSeconds = Self.median(decodeTimes)

        // The same body bytes through the lz4 tool.
        let linesPath = directory.appendingPathComponent("lines.jsonl")
        var lines: [UInt8] = []
        for c in changes {
            c.appendCanonicalLine(to: &lines)
            lines.append(0x0A)
        }
        try Data(lines).write(to: linesPath)
        progress("the lz4 tool on the same \(lines.count) bytes")
        let compressed = directory.appendingPathComponent("lines.jsonl.lz4")
        var lz4cTimes: [Double] = []
        var lz4dTimes: [Double] = []
        for _ in 1...rounds {
            lz4cTimes.append(try Self.time("/usr/bin/lz4", ["-q", "-f", "-1", linesPath.path, compressed.path]))
            lz4dTimes.append(try Self.time("/usr/bin/lz4", ["-q", "-d", "-f", compressed.path, directory.appendingPathComponent("lines.out").path]))
        }
        let lz4c = Self.median(lz4cTimes)
        let lz4d = Self.median(lz4dTimes)
        let mb = Double(lines.count) / 1e6
        return Result(
            records: changes.count, csvBytes: csvBytes, linesBytes: lines.count, wireBytes: bundle.encoded.count,
            wireShareOfCSV: Double(bundle.encoded.count) / Double(csvBytes), changeSets: sets.count, encodeSeconds: encodeSeconds,
            encodeMBps: mb / encodeSeconds, encodeRecordsPerSecond: Double(changes.count) / encodeSeconds, decodeSeconds: decodeSeconds,
            decodeMBps: mb / decodeSeconds, decodeRecordsPerSecond: Double(changes.count) / decodeSeconds, lz4CompressSeconds: lz4c,
            lz4CompressMBps: mb / lz4c, lz4DecompressSeconds: lz4d, lz4DecompressMBps: mb / lz4d, encodeRatio: lz4c / encodeSeconds,
            decodeRatio: lz4d / decodeSeconds)
    }

    static func median(_ values: [Double]) -> Double { values.sorted()[values.count / 2] }

    /// Wall-clock seconds of one run of a command.
    static func time(_ tool: String, _ arguments: [String]) throws -> Double {
        guard FileManager.default.isExecutableFile(atPath: tool) else { throw BenchError("\(tool) is missing; install the lz4 package") }
        let p = Process()
        p.executableURL = URL(fileURLWithPath: tool)
        p.arguments = arguments
        let t0 = DispatchTime.now().uptimeNanoseconds
        try p.run()
        p.waitUntilExit()
        guard p.terminationStatus == 0 else { throw BenchError("\(tool) \(arguments.joined(separator: " ")) failed") }
        return Double(DispatchTime.now().uptimeNanoseconds - t0) / 1e9
    }
}
