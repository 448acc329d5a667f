import ArgumentParser
import Foundation
import NodeRuntime

struct VerifyStore: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "verify-store",
        abstract: "Check the node's store: SQLite's integrity check, every kept change set against its signed hashes, every logged change against the line its origin signed, every change from above against its proof.",
        discussion: "Exit 0 sound, 65 damaged (recorded: status, /v1/status and metrics say so, and serve stops sync until the store is restored).")

    @OptionGroup var node: NodeOptions

    @Flag(help: "Print the result as JSON.")
    var json = false

    func run() throws {
        try guarded {
            let context = try node.open()
            let report = try StoreVerification(node: context).run()
            if json {
                try printJSON(report)
            } else {
                print("Store \(context.store.path): \(report.damaged ? "DAMAGED" : "sound") — \(report.checkedSets) change set(s), \(report.checkedChanges) logged change(s), \(report.checkedProofs) change(s) from above checked")
                for f in report.integrity { print("  integrity: \(f)") }
                for f in report.changes { print("  changes:   \(f)") }
            }
            if report.damaged { throw ExitCode(65) }
        }
    }
}
