import ArgumentParser
import CreditDomain
import Foundation
import NodeRuntime

struct Reconcile: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract:
            "Compare a department's case register with what the network holds for it: missing (漏报), late (迟报), different (错报), and unregistered.",
        discussion: """
            The register is a CSV file (UTF-8 or GB18030, as spreadsheets export it) with a header naming at least the decision \
            number (决定书文号 or 文号); 决定日期, 统一社会信用代码 (or 证件号码) and 类别 are compared when present. Decisions \
            are matched by kind and number; the network's are those of the authority given by its unified social credit code. The \
            register is read and compared, never stored; resident ID numbers are masked in the report.
            """)

    @Argument(help: "The register (CSV).")
    var register: String

    @Option(help: "The deciding authority's unified social credit code.")
    var authority: String

    @Option(help: "The kind of every decision, when the register has no 类别 column (e.g. penalty or 行政处罚).")
    var kind: String?

    @Option(help: "The register's encoding: utf-8 or gb18030 (default: UTF-8 when valid, else GB18030).")
    var encoding: TextEncoding?

    @OptionGroup var node: NodeOptions

    @Flag(help: "Print the report as JSON.")
    var json = false

    func run() throws {
        try guarded {
            let context = try node.open()
            guard let bytes = FileManager.default.contents(atPath: register) else {
                throw ExitFailure(message: "cannot read the register \(register)", code: 66)
            }
            let report = try RegisterReconciliation(node: context).run(Array(bytes), authority: authority, kind: kind, encoding: encoding)
            if json {
                try printJSON(report)
                return
            }
            print("register of \(report.authority): \(report.registered) decision(s); the network holds \(report.held), \(report.matched) matched")
            print("missing (漏报): \(report.missing.count)")
            for e in report.missing { print("  line \(e.line): \(e.number)  \(e.date?.iso ?? "")  \(e.subject)") }
            print("late (迟报): \(report.late.count)")
            for h in report.late { print("  \(h.number)  \(h.date?.iso ?? "")  \(h.key)") }
            print("different (错报): \(report.different.count)")
            for d in report.different { print("  line \(d.entry.line): \(d.entry.number)  \(d.fields.joined(separator: "; "))") }
            print("in the network, not in the register: \(report.unregistered.count)")
            for h in report.unregistered.prefix(50) { print("  \(h.number)  \(h.date?.iso ?? "")") }
            if !report.refused.isEmpty {
                print("register lines not read: \(report.refused.count)")
                for r in report.refused { print("  line \(r.line): \(r.reason)") }
            }
        }
    }
}
