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

    @OptionGroup var output: ReportOutput

    @OptionGroup var node: NodeOptions

    func run() throws {
        try guarded {
            let context = try node.open()
            let document = try filtered { try BulletinDocument(node: context, month: month, now: context.clock()) }
            try output.write(text: document.text, json: document.json, csv: document.csv, what: document.month)
        }
    }
}

struct RatesCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "rates",
        abstract: "The four rates month by month (四率走势) against 四清零, with the objections opened each month.",
        discussion: """
            The same figures as the operators' page /ops/trend: each month's late, error, missing and concealed rates — the \
            month's bulletin totals — whether a month whose deadlines have passed reached 四清零 (decisions, none of them late, \
            refused, corrected, missing or concealed), and the objections opened on the area's records that month. --csv \
            writes a month a row (UTF-8 with BOM); --json the whole page, with each child region's late rate by month.
            """)

    @Option(help: "The last month shown: 2026-11 or 2026年11月 (default: the current month).")
    var to: String?

    @Option(help: "How many months, 3 to 24 (default 12).")
    var months: String?

    @OptionGroup var output: ReportOutput

    @OptionGroup var node: NodeOptions

    func run() throws {
        try guarded {
            let context = try node.open()
            let document = try filtered { try TrendDocument(node: context, to: to, months: months, now: context.clock()) }
            try output.write(text: document.text, json: document.json, csv: document.csv, what: document.to)
        }
    }
}
