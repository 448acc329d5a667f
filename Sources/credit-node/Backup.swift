import ArgumentParser
import CreditStore
import Foundation

struct Backup: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Copy the node's store into a new file while the node runs (SQLite's online backup, checked before it takes its name).",
        discussion:
            "The copy is the store as of one commit, readable by its owner only (it holds ID numbers). An existing file is never replaced. Restore: OPERATIONS.md, \"Restoring\" — the backup goes in place of node.sqlite, then `credit-node recover` takes back from the parent what came after it. Exit 0 written, 73 not written (nothing left under the name)."
    )

    @OptionGroup var node: NodeOptions

    @Option(help: "The backup file to create (it must not exist).")
    var to: String

    @Flag(help: "Print the result as JSON.")
    var json = false

    func run() throws {
        try guarded {
            let context = try node.open()
            let summary = try context.store.backup(to: to)
            if json {
                try printJSON(summary)
            } else {
                let size = ByteCountFormatter.string(fromByteCount: summary.bytes, countStyle: .binary)
                print(
                    "Backup of node \(context.configuration.code): \(summary.path), \(size) — \(summary.records) record(s), \(summary.changes) change(s); checked, readable by its owner only"
                )
            }
        }
    }
}
