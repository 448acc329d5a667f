import ArgumentParser
import CreditPortal
import Foundation

struct ListsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "lists",
        abstract: "联合奖惩名单推送与响应: the area's subjects on a list in force, and whether any unit has answered with feedback.",
        discussion: """
            The same ledger as the operators' page /ops/lists: the subjects of the node's area on a network-wide list in force \
            today (严重失信主体名单, 红名单), the measures due, and the 联合奖惩执行反馈 recorded on each since its listing date. \
            Entries no unit has answered (待响应) come first, the longest listed first. --csv writes the entries (UTF-8 with BOM) \
            as the list pushed to the units (推送清单); --json the whole ledger.
            """)

    @Option(help: "Which entries: pending (待响应), answered (已有反馈) or all (default).")
    var show: String?

    @Option(help: "A child region's 12-digit code, or the node's own (本级).")
    var region: String?

    @OptionGroup var output: ReportOutput

    @OptionGroup var node: NodeOptions

    func run() throws {
        try guarded {
            let context = try node.open()
            let document = try filtered(missing: "the node's catalogue has no feedback kind (联合奖惩执行反馈): the lists cannot be answered") {
                try ListsDocument(node: context, show: show, region: region, now: context.clock())
            }
            try output.write(text: document.text, json: document.json, csv: document.csv, what: "\(document.count) listed subject(s)")
        }
    }
}
