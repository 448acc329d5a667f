import ArgumentParser
import CreditPortal
import Foundation

struct FeedbackCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "feedback",
        abstract: "联合奖惩执行反馈: a month's feedback on joint rewards and punishments in the area, by region, executing unit and list.",
        discussion: """
            The same figures as the operators' page /ops/feedback: the records of the catalogue's feedback kind (联合奖惩执行反馈) \
            whose 执行日期 falls in the month — punishments, incentives, measures not applied (with why) — every child region \
            listed, those that sent none too. --csv writes the month's feedback (UTF-8 with BOM) for the monthly report; --json \
            the whole month.
            """)

    @Option(help: "The month (2026-11 or 2026年11月; default: this month).")
    var month: String?

    @OptionGroup var output: ReportOutput

    @OptionGroup var node: NodeOptions

    func run() throws {
        try guarded {
            let context = try node.open()
            let document = try filtered(missing: "the node's catalogue has no feedback kind (联合奖惩执行反馈): there is nothing to count") {
                try FeedbackDocument(node: context, month: month, now: context.clock())
            }
            try output.write(text: document.text, json: document.json, csv: document.csv, what: "\(document.count) feedback record(s)")
        }
    }
}
