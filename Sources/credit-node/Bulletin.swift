import ArgumentParser
import CreditPortal
import Foundation

struct BulletinCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bulletin",
        abstract:
            "The month's bulletin (定期通报): each deciding authority's decisions of the month, late, corrected, missing numbers and unexplained withdrawals.",
        discussion: """
            The same figures as the operators' page /ops/bulletin, read from the node's store: the decisions dated in the month, \
            per kind and authority, the authorities to follow up first. --csv writes every authority as a table (UTF-8 with BOM) \
            for the office's own documents; --json the whole page.
            """)

    @Option(help: "The month: 2026-11 or 2026年11月 (default: the last whole month).")
    var month: String?

    @Flag(help: "Write the table of every authority as CSV.")
    var csv = false

    @Flag(help: "Print the whole bulletin as JSON.")
    var json = false

    @Option(help: "Write to this file instead of standard output.")
    var out: String?

    @OptionGroup var node: NodeOptions

    func run() throws {
        try guarded {
            guard !(csv && json) else { throw ExitFailure(message: "give --csv or --json, not both", code: 64) }
            let context = try node.open()
            let document: BulletinDocument
            do { document = try BulletinDocument(node: context, month: month, now: context.clock()) } catch let e as PortalPages.BadParameter {
                throw ExitFailure(message: e.message, code: 64)
            }
            let bytes = csv ? document.csv : json ? Array(document.json) + [0x0A] : Array((document.text + "\n").utf8)
            try write(bytes, to: out, what: document.month)
        }
    }
}
