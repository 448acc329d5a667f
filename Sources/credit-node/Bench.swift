import ArgumentParser
import Foundation
import NodeRuntime

struct Bench: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Benchmarks, measured against their baselines in the same run.",
        subcommands: [IngestBench.self, CodecBench.self, MessagesBench.self])
}

struct IngestBench: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ingest",
        abstract: "Validated ingestion of generated penalty records against plain SQLite inserts of the same rows.")

    @Option(help: "Number of records.")
    var records = 1_000_000

    @Option(help: "Rounds; the two sides alternate and the medians are reported.")
    var rounds = 3

    @Option(help: "Working directory (default: a new temporary directory, removed afterwards).")
    var directory: String?

    @Flag(help: "Print the result as JSON.")
    var json = false

    func run() throws {
        let dir = directory.map { URL(fileURLWithPath: $0) } ?? FileManager.default.temporaryDirectory.appendingPathComponent("creditnet-bench-\(getpid())")
        defer { if directory == nil { try? FileManager.default.removeItem(at: dir) } }
        var bench = IngestBenchmark(records: records, directory: dir)
        bench.rounds = max(1, rounds)
        let result = try bench.run { message in
            FileHandle.standardError.write(Data("bench: \(message)\n".utf8))
        }
        if json {
            try printJSON(result)
            return
        }
        func f(_ v: Double) -> String { String(format: "%.0f", v) }
        print("records:                    \(result.records) (\(result.csvBytes / 1_000_000) MB of CSV), medians of \(result.rounds) alternating rounds")
        print("validated ingest:           \(String(format: "%.2f", result.ingestSeconds)) s, \(f(result.ingestRecordsPerSecond)) records/s (accepted \(result.accepted))")
        print("plain SQLite insert (C API): \(String(format: "%.2f", result.plainSeconds)) s, \(f(result.plainRecordsPerSecond)) records/s")
        print("ratio:                      \(String(format: "%.2f", result.ratio)) (target ≥ \(result.targetRatio)); ≥ \(f(result.targetRecordsPerSecond)) records/s: \(result.ingestRecordsPerSecond >= result.targetRecordsPerSecond ? "met" : "not met")")
    }
}

struct CodecBench: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "codec",
        abstract: "Change-set encode (+ compress + sign) and verify (+ decompress + decode) against the lz4 tool on the same bytes; wire bytes against CSV.")

    @Option(help: "Number of records.")
    var records = 1_000_000

    @Option(help: "Runs of each side; medians are compared.")
    var rounds = 3

    @Flag(help: "Print the result as JSON.")
    var json = false

    func run() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("creditnet-codec-\(getpid())")
        defer { try? FileManager.default.removeItem(at: dir) }
        var bench = CodecBenchmark(records: records, directory: dir)
        bench.rounds = max(1, rounds)
        let r = try bench.run { FileHandle.standardError.write(Data("bench: \($0)\n".utf8)) }
        if json {
            try printJSON(r)
            return
        }
        func f(_ v: Double, _ d: Int = 1) -> String { String(format: "%.\(d)f", v) }
        print("records: \(r.records) in \(r.changeSets) change sets; lines \(r.linesBytes / 1_000_000) MB, CSV \(r.csvBytes / 1_000_000) MB; medians of \(max(1, rounds)) rounds")
        print("encode+compress+sign:   \(f(r.encodeSeconds, 2)) s, \(f(r.encodeMBps)) MB/s, \(f(r.encodeRecordsPerSecond, 0)) records/s; lz4 -1: \(f(r.lz4CompressMBps)) MB/s; ratio \(f(r.encodeRatio, 2)) (target ≥ 0.5)")
        print("verify+decompress+decode: \(f(r.decodeSeconds, 2)) s, \(f(r.decodeMBps)) MB/s, \(f(r.decodeRecordsPerSecond, 0)) records/s; lz4 -d: \(f(r.lz4DecompressMBps)) MB/s; ratio \(f(r.decodeRatio, 2)) (target ≥ 0.5)")
        print("wire: \(r.wireBytes) bytes = \(f(r.wireShareOfCSV * 100)) % of the CSV (target ≤ 25 %)")
    }
}

struct MessagesBench: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "messages",
        abstract:
            "What a down page and a push cost in the production codec with no store behind them, beside a bare P-256 signature: the floor of a simulated network's time."
    )

    @Option(help: "Messages of each kind per round.")
    var iterations = 2000

    @Option(help: "Rounds; medians are reported.")
    var rounds = 3

    @Option(help: "Changes in each down page.")
    var changesPerPage = 4

    @Option(help: "Changes in each push.")
    var changesPerPush = 2

    @Flag(help: "Print the result as JSON.")
    var json = false

    func run() throws {
        var bench = MessageCostBenchmark()
        bench.iterations = max(10, iterations)
        bench.rounds = max(1, rounds)
        bench.changesPerPage = max(1, changesPerPage)
        bench.changesPerPush = max(1, changesPerPush)
        let r = try bench.run { FileHandle.standardError.write(Data("bench: \($0)\n".utf8)) }
        if json {
            try printJSON(r)
            return
        }
        func f(_ v: Double) -> String { String(format: "%.1f", v) }
        print("medians of \(bench.rounds) rounds of \(r.iterations) each")
        print("P-256 signature:   sign \(f(r.p256SignMicroseconds)) µs, verify \(f(r.p256VerifyMicroseconds)) µs")
        print(
            "down page (\(r.changesPerPage) changes, \(r.downPageBytes) bytes): \(f(r.downPageMicroseconds)) µs (built and signed \(f(r.downPageBuildMicroseconds)) µs, decoded and verified \(f(r.downPageMicroseconds - r.downPageBuildMicroseconds)) µs)"
        )
        print("push (\(r.changesPerPush) changes, health record, receipt; \(r.pushBytes) bytes): \(f(r.pushMicroseconds)) µs")
        print("heartbeat (a push of the health record alone, receipt): \(f(r.heartbeatMicroseconds)) µs")
    }
}
