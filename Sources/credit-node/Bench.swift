import ArgumentParser
import Foundation
import NodeRuntime

struct Bench: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Benchmarks, measured against their baselines in the same run.",
        subcommands: [IngestBench.self])
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
