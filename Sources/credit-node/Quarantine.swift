import ArgumentParser
import CreditDomain
import CreditStore
import Foundation
import NodeRuntime

struct Quarantine: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "List refused rows with their file, line and reasons.",
        discussion: "Resident ID numbers in the rows' text are masked; the store keeps the text as received.")

    @Option(help: "Only rows of this ingestion run (its number is in `ingest --json` as ingestID).")
    var ingest: Int64?

    @Option(help: "At most this many rows, newest first.")
    var limit = 50

    @Flag(help: "Also print each row's text as received (ID numbers masked).")
    var raw = false

    @OptionGroup var node: NodeOptions

    @Flag(help: "Print the result as JSON.")
    var json = false

    struct Output: Encodable {
        var total: Int
        var shown: Int
        var rows: [Row]
        struct Row: Encodable {
            var ingestID: Int64
            var file: String
            var line: Int
            var kind: String
            var reasons: [ValidationIssue]
            var raw: String
        }
    }

    func run() throws {
        try guarded {
            let context = try node.open()
            let (rows, total) = try context.store.quarantine(ingestID: ingest, limit: limit)
            let output = Output(
                total: total, shown: rows.count,
                rows: rows.map {
                    .init(
                        ingestID: $0.ingestID, file: $0.source, line: $0.line, kind: $0.kind, reasons: $0.reasons,
                        raw: Masking.maskResidentIDs(in: $0.raw))
                })
            if json {
                try printJSON(output)
                return
            }
            print("\(total) row(s) in quarantine at node \(context.configuration.code)\(total > rows.count ? ", newest \(rows.count) shown" : "")")
            for r in output.rows {
                print("\(r.file) 第 \(r.line) 行 line \(r.line) (\(r.kind), ingest #\(r.ingestID)):")
                for reason in r.reasons {
                    // The department's words first, then the operator's; both name the field.
                    print("  - \(Masking.maskResidentIDs(in: reason.shown)) [\(reason.code)]")
                    if reason.chinese != nil { print("    \(Masking.maskResidentIDs(in: reason.message))") }
                }
                if raw { print("  row: \(r.raw)") }
            }
        }
    }
}
