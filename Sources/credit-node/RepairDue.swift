import ArgumentParser
import CreditPortal
import Foundation

struct RepairDueCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "repair-due",
        abstract: "信用修复提醒: the area's penalties and listings still shown whose subjects may now apply for credit repair.",
        discussion: """
            The same as the operators' page /ops/repair: the records of the node's area still shown whose kind has a \
            minimum publicity period (行政处罚, 严重失信主体名单) — how many, how many may be repaired now and within 30 days, \
            by kind and by deciding authority (谁产生、谁督促修复) — and those repairable now, the longest first. --csv writes \
            them (UTF-8 with BOM) as the list of subjects to remind; --json the whole ledger.
            """)

    @OptionGroup var output: ReportOutput

    @OptionGroup var node: NodeOptions

    func run() throws {
        try guarded {
            let context = try node.open()
            let document = try filtered(missing: "the node's catalogue has no kind with a minimum publicity period (行政处罚, 严重失信主体名单)") {
                try RepairDocument(node: context, now: context.clock())
            }
            try output.write(text: document.text, json: document.json, csv: document.csv, what: "\(document.count) record(s) repairable")
        }
    }
}
