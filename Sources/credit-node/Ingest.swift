import ArgumentParser
import CreditDomain
import Foundation
import NodeRuntime

struct Ingest: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Validate a department's CSV or JSON Lines file and store it: good rows as records, bad rows in quarantine.",
        discussion: """
            CSV headers may be national field codes (CF_WSH or WSH) or Chinese field names (行政处罚决定书文号).
            Files may be UTF-8 (with or without BOM) or GB18030. Re-ingesting the same rows stores nothing new.
            """)

    @Argument(help: "The file to ingest (.csv, or .jsonl / .ndjson / .json for JSON Lines).")
    var file: String

    @Option(help: "The record kind: an English slug (penalty, license, …) or its Chinese name (行政处罚). `credit-node kinds` lists them.")
    var kind: String

    @Option(help: "csv or jsonl (default: from the file name).")
    var format: InputFormat?

    @Option(help: "utf-8 or gb18030 (default: detected).")
    var encoding: TextEncoding?

    @OptionGroup var node: NodeOptions

    @Flag(help: "Print the summary as JSON.")
    var json = false

    func run() throws {
        try guarded {
            let context = try node.open()
            let report = try FileIngestion(node: context).ingest(file: file, kind: kind, format: format, encoding: encoding, actor: .commandLine)
            if json {
                try printJSON(report)
                return
            }
            print("Ingested \(report.file) as \(report.kindName) (\(report.kind)), \(report.format), \(report.encoding), into node \(context.configuration.code)")
            print("  rows:       \(report.rows)")
            print("  accepted:   \(report.accepted)")
            print("  updated:    \(report.updated)")
            print("  duplicates: \(report.duplicates)")
            print("  rejected:   \(report.rejected)  (in quarantine\(report.alreadyQuarantined > 0 ? ", \(report.alreadyQuarantined) of them from an earlier run" : ""); list them with credit-node quarantine)")
            print("  late (迟报): \(report.late)")
            if let a = report.firstSeq, let b = report.lastSeq { print("  change log: seq \(a)…\(b)") }
            if !report.ignoredColumns.isEmpty { print("  ignored columns: \(report.ignoredColumns.joined(separator: ", "))") }
            for r in report.rejections.prefix(5) {
                print("  line \(r.line): \(r.reasons.map(\.description).joined(separator: "; "))")
            }
            if report.rejected > 5 { print("  … \(report.rejected - 5) more refused rows in quarantine") }
        }
    }
}

extension InputFormat: ExpressibleByArgument {}
extension TextEncoding: ExpressibleByArgument {}
