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
            print(Self.summary(report, node: context.configuration.code.digits))
        }
    }
}

extension Ingest {
    /// The summary as text: each figure under its English and Chinese names, then the first
    /// refused rows with the words the department reads (the reason's code after them); the
    /// rest are in quarantine. Nothing in it repeats a personal ID number.
    static func summary(_ report: IngestReport, node: String, shown: Int = 5) -> String {
        var lines = ["Ingested \(report.file) as \(report.kindName) (\(report.kind)), \(report.format), \(report.encoding), into node \(node)"]
        let earlier =
            report.alreadyQuarantined > 0 ? "; \(report.alreadyQuarantined) of them from an earlier run 其中 \(report.alreadyQuarantined) 行此前已退回" : ""
        for (name, value, remark) in [
            ("rows 行数", report.rows, ""), ("accepted 新增", report.accepted, ""), ("updated 更新", report.updated, ""),
            ("duplicates 重复", report.duplicates, ""),
            ("rejected 退回", report.rejected, report.rejected > 0 ? "  (in quarantine 已存入待处理区\(earlier); list them with credit-node quarantine)" : ""),
            ("late 迟报", report.late, ""),
        ] {
            lines.append("  " + name.padding(toLength: 16, withPad: " ", startingAt: 0) + "\(value)\(remark)")
        }
        if let a = report.firstSeq, let b = report.lastSeq {
            lines.append("  " + "change log 日志".padding(toLength: 16, withPad: " ", startingAt: 0) + "seq \(a)…\(b)")
        }
        if !report.ignoredColumns.isEmpty {
            lines.append("  ignored columns 未使用的列: \(Masking.maskResidentIDs(in: report.ignoredColumns.joined(separator: ", ")))")
        }
        for r in report.rejections.prefix(shown) {
            lines.append(
                "  第 \(r.line) 行 line \(r.line): " + r.reasons.map { "\(Masking.maskResidentIDs(in: $0.shown)) [\($0.code)]" }.joined(separator: "；"))
        }
        if report.rejected > shown {
            lines.append("  … \(report.rejected - shown) more refused rows in quarantine 其余 \(report.rejected - shown) 行见 credit-node quarantine")
        }
        return lines.joined(separator: "\n")
    }
}

extension InputFormat: ExpressibleByArgument {}
extension TextEncoding: ExpressibleByArgument {}
