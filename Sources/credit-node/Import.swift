import ArgumentParser
import Foundation
import NodeRuntime

struct ImportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "import",
        abstract: "At a parent: apply a child's bundle file and write a signed receipt. At a child: import the parent's receipt, or a down bundle it exported.",
        discussion: """
            A bundle is verified completely (certificates, signatures, hashes, every line), its sender must be one of the
            configuration's children and every origin must lie in the sender's subtree; change sets are applied exactly
            once by (origin, seq), a gap is held, and the sets are queued for the parent verbatim. The same checks as over HTTPS.
            """)

    @Argument(help: "A bundle (.cnbd) from a child, or a receipt or down bundle (`export --down`) from the parent.")
    var file: String

    @Option(help: "Where to write the receipt for the child (default: FILE.receipt).")
    var receipt: String?

    @OptionGroup var node: NodeOptions

    @Flag(help: "Print the result as JSON.")
    var json = false

    func run() throws {
        try guarded {
            let context = try node.open()
            let report = try Import(node: context).run(file: file, receiptOut: receipt)
            if json {
                try printJSON(report)
                return
            }
            if report.kind == "down bundle" {
                print("Applied \(report.applied) change(s) from \(report.sender ?? "?") (\(report.duplicates) already held); now at position \(report.cursor ?? 0) of its stream\(report.more == true ? "; more wait: import the next page" : "")")
                if let controls = report.controls, !controls.isEmpty { print("Control data installed: \(controls.joined(separator: ", "))") }
            } else if report.kind == "receipt" {
                print("Receipt from \(report.sender ?? "?") stored; \(report.acknowledged ?? 0) change set(s) acknowledged and out of the outbox\(report.held > 0 ? "; the parent holds \(report.held) behind a gap" : "")")
            } else {
                print("Applied \(report.applied) change set(s) (\(report.changes) changes) from \(report.sender ?? "?"); \(report.duplicates) already held; \(report.held) held behind a gap")
                if let n = report.setAside, n > 0 { print("Set aside \(n) change set(s) refused on their own: credit-node set-aside --config … lists them") }
                if let r = report.receipt { print("Receipt for the child: \(r)") }
            }
        }
    }
}
