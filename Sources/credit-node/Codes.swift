import ArgumentParser
import CreditPortal
import Foundation

struct CodesCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "codes",
        abstract: "新旧代码转换: the records still filed under a former code (工商注册号…) and whether they map to a credit code.",
        discussion: """
            The same as the operators' page /ops/codes: the node's records filed under a former code alone (an individual \
            business by its 工商注册号, with no unified social credit code), how many of them the records map to a credit \
            code (another record giving both codes; an organisation code is positions 9–17 of its credit code) and how \
            many not, by the unit that filed them, those still to convert, and the conflicts (a former code given with two \
            credit codes, an organisation code unlike its credit code's). A mapped record is on its credit code's subject \
            page and credit report. --csv writes every record filed under a former code (UTF-8 with BOM); --json the whole.
            """)

    @OptionGroup var output: ReportOutput

    @OptionGroup var node: NodeOptions

    func run() throws {
        try guarded {
            let context = try node.open()
            let document = try CodesDocument(node: context, now: context.clock())
            try output.write(text: document.text, json: document.json, csv: document.csv, what: "\(document.unmapped) record(s) not mapped")
        }
    }
}
