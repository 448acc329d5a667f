import ArgumentParser
import CreditDomain
import Foundation
import NodeRuntime

struct ExportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "export",
        abstract: "Write the node's pending upward bundle to a file, for removable media (the same bytes as over HTTPS).",
        discussion: """
            New changes are sealed into signed change sets first; change sets stay pending until the parent's receipt acknowledges them.
            With --down CHILD, a parent writes instead what its child would pull — the changes that concern the child and control
            data, signed for that child — for a child without a line (光盘); the child applies it with `import`, with the checks of `pull`.
            """)

    @Option(help: "The bundle file to write (with --down: the first page; further pages FILE.2, FILE.3 …).")
    var out: String

    @Option(help: "Write the down bundle for this child (its 12-digit code) instead of the upward bundle.")
    var down: String?

    @Option(help: "With --down: the position in this node's stream the child stands at (its `status` shows it; default 0, everything).")
    var after: Int64 = 0

    @Option(help: "With --down: changes per page.")
    var pageChanges: Int = 100_000

    @OptionGroup var node: NodeOptions

    @Flag(help: "Print the result as JSON.")
    var json = false

    func run() throws {
        try guarded {
            let context = try node.open()
            if let down {
                try exportDown(context, child: down)
                return
            }
            let report = try Export(node: context).export(to: out)
            if json {
                try printJSON(report)
                return
            }
            print("Wrote \(report.file): \(report.bytes) bytes, \(report.changeSets.count) change set(s) pending (\(report.sealed) sealed now)")
            for s in report.changeSets { print("  origin \(s.origin)  seq \(s.firstSeq)…\(s.lastSeq)") }
        }
    }

    /// Writes the child's down bundle pages, each durably, and says where the child stands after them.
    func exportDown(_ context: NodeContext, child raw: String) throws {
        let child: DivisionCode
        do { child = try DivisionCode(raw) } catch { throw ExitFailure(message: "--down \(raw): \(error.message)", code: 64) }
        guard after >= 0, pageChanges > 0 else { throw ExitFailure(message: "--after must be 0 or more and --page-changes more than 0", code: 64) }
        let pages = try Downward(node: context).pages(for: child, after: after, limit: pageChanges)
        struct Page: Encodable {
            var file: String
            var bytes: Int
            var changes: Int
            var after: Int64
            var next: Int64
        }
        var written: [Page] = []
        for (i, page) in pages.enumerated() {
            let file = i == 0 ? out : "\(out).\(i + 1)"
            try Export.writeDurably(page.encoded, to: file)
            written.append(Page(file: file, bytes: page.encoded.count, changes: page.sections.reduce(0) { $0 + $1.entries.count }, after: page.after, next: page.next))
        }
        if json {
            try printJSON(written)
            return
        }
        for p in written { print("Wrote \(p.file): \(p.bytes) bytes, \(p.changes) change(s) for \(child.digits) after position \(p.after) → \(p.next)") }
        print("Import them at \(child.digits) in this order (`credit-node import FILE`); next time export with --after \(written.last?.next ?? after).")
    }
}
