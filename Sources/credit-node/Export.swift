import ArgumentParser
import Foundation
import NodeRuntime

struct ExportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "export",
        abstract: "Write the node's pending upward bundle to a file, for removable media (the same bytes as over HTTPS).",
        discussion: "New changes are sealed into signed change sets first; change sets stay pending until the parent's receipt acknowledges them.")

    @Option(help: "The bundle file to write.")
    var out: String

    @OptionGroup var node: NodeOptions

    @Flag(help: "Print the result as JSON.")
    var json = false

    func run() throws {
        try guarded {
            let context = try node.open()
            let report = try Export(node: context).export(to: out)
            if json {
                try printJSON(report)
                return
            }
            print("Wrote \(report.file): \(report.bytes) bytes, \(report.changeSets.count) change set(s) pending (\(report.sealed) sealed now)")
            for s in report.changeSets { print("  origin \(s.origin)  seq \(s.firstSeq)…\(s.lastSeq)") }
        }
    }
}
