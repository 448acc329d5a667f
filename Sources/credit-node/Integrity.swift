import ArgumentParser
import CreditPortal
import Foundation

struct IntegrityCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "integrity",
        abstract: "政务诚信: the government bodies of the area with dishonesty standing against them, and each case to close (督办台账).",
        discussion: """
            The same ledger as the operators' page /ops/integrity: bodies registered by 机构编制 (credit codes 11…, 12…, 13…, \
            19…, not natural persons) with a penalty or a sanction listing the public still sees, or a commitment not kept; \
            each case with what closes it (销号), oldest first. --csv writes the cases as the page's CSV (UTF-8 with BOM); \
            --json the whole ledger. With no case the text says 零失信.
            """)

    @OptionGroup var output: ReportOutput

    @OptionGroup var node: NodeOptions

    func run() throws {
        try guarded {
            let context = try node.open()
            let document = try IntegrityDocument(node: context, now: context.clock())
            try output.write(text: document.text, json: document.json, csv: document.csv, what: "\(document.cases) case(s)")
        }
    }
}
