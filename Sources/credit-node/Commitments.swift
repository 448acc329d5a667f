import ArgumentParser
import CreditPortal
import Foundation

struct CommitmentsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "commitments",
        abstract: "信用承诺履约: the area's commitments by accepting unit, kept, broken and unchecked, and those to follow up.",
        discussion: """
            The same figures as the operators' page /ops/commitments: commitments not kept in full, and those still unchecked \
            past the catalogue's check period (90 days from the commitment's date), oldest first. --csv writes the list to \
            follow up (UTF-8 with BOM) for the accepting units; --json the figures and the whole list.
            """)

    @Option(help: "Only this child region (its 12-digit code) in the list.")
    var region: String?

    @Option(help: "Only this accepting unit (受理单位: its unified social credit code) in the list.")
    var acceptor: String?

    @OptionGroup var output: ReportOutput

    @OptionGroup var node: NodeOptions

    func run() throws {
        try guarded {
            let context = try node.open()
            let document = try filtered(missing: "the node's catalogue sets no fulfilment rule for any kind: there are no commitments to follow up") {
                try CommitmentsDocument(node: context, region: region, acceptor: acceptor, now: context.clock())
            }
            try output.write(text: document.text, json: document.json, csv: document.csv, what: "")
        }
    }
}
