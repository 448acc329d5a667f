import ArgumentParser
import CreditDomain
import Foundation
import NodeRuntime
import SampleData

struct Generate: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Write deterministic sample records (good and faulty rows) for a node to ingest.",
        discussion: "The same seed, node, date and options give the same file, byte for byte.")

    @Option(help: "Record kind (slug or Chinese name).")
    var kind = "penalty"

    @Option(help: "Number of rows.")
    var rows = 1000

    @Option(help: "Random seed.")
    var seed: UInt64 = 1

    @Option(help: "The node the records are for (12-digit code); or give --config.")
    var node: String?

    @Option(help: "Take the node code from this configuration file.")
    var config: String?

    @Option(help: "The day the file is meant to be ingested, YYYY-MM-DD (default: today in China).")
    var asOf: String?

    @Option(help: "How many distinct subjects the rows are drawn from (default: one per five rows).")
    var subjects: Int?

    @Option(help: "Share of faulty rows, 0…1.")
    var faults = 0.1

    @Option(help: "Share of good rows decided long enough ago to be late (迟报), 0…1.")
    var late = 0.1

    @Option(help: "The area the records concern (所属行政区划), a 12-digit code inside the node's (default: the node's own).")
    var jurisdiction: String?

    @Option(help: "csv or jsonl.")
    var format: InputFormat = .csv

    @Option(help: "CSV header style: codes (CF_XDR_MC) or names (行政相对人名称).")
    var header: SampleGenerator.HeaderStyle = .names

    @Option(help: "Output encoding: utf-8 or gb18030.")
    var encoding: TextEncoding = .utf8

    @Option(help: "Output file (default: standard output).")
    var out: String?

    func run() throws {
        try guarded {
            let code: DivisionCode
            if let node {
                code = try DivisionCode(node)
            } else if let config {
                code = try NodeConfiguration.load(path: config).code
            } else {
                throw ExitFailure(message: "give the node the records are for: --node CODE or --config FILE", code: 64)
            }
            guard (0...1).contains(faults), (0...1).contains(late) else {
                throw ExitFailure(message: "--faults and --late are shares between 0 and 1", code: 64)
            }
            guard rows >= 0 else { throw ExitFailure(message: "--rows must not be negative", code: 64) }
            let day: CivilDate
            if let asOf {
                guard let d = CivilDate.parse(asOf) else { throw ExitFailure(message: "--as-of '\(asOf)' is not a date (YYYY-MM-DD)", code: 64) }
                day = d
            } else {
                day = ChinaTime.date(Date())
            }
            let resolved = try Catalogue.bundled().kind(named: kind)
            var options = SampleGenerator.Options(seed: seed, node: code, asOf: day)
            options.faultShare = faults
            options.lateShare = late
            if let subjects {
                guard subjects > 0 else { throw ExitFailure(message: "--subjects must be at least 1", code: 64) }
                options.subjects = subjects
            }
            if let jurisdiction {
                let area = try DivisionCode(jurisdiction)
                guard code.contains(area) else { throw ExitFailure(message: "--jurisdiction \(area) lies outside node \(code)", code: 64) }
                options.jurisdictions = [area]
            }
            var generator = SampleGenerator(options)
            let sample = generator.rows(kind: resolved, count: rows)
            let text =
                format == .csv
                ? SampleGenerator.csv(kind: resolved, rows: sample, header: header) : SampleGenerator.jsonLines(kind: resolved, rows: sample)
            let bytes = encoding == .gb18030 ? TextDecoding.gb18030(text) : Array(text.utf8)
            if let out {
                do { try Data(bytes).write(to: URL(fileURLWithPath: out), options: .atomic) } catch {
                    throw ExitFailure(message: "cannot write \(out): \(error.localizedDescription)", code: 73)
                }
                let faulty = sample.filter { $0.fault != nil }.count
                FileHandle.standardError.write(Data("wrote \(rows) \(resolved.slug) rows (\(faulty) faulty) to \(out)\n".utf8))
            } else {
                FileHandle.standardOutput.write(Data(bytes))
            }
        }
    }
}

extension SampleGenerator.HeaderStyle: ExpressibleByArgument {}
