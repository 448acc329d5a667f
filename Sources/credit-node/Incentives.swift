import ArgumentParser
import CreditPortal
import Foundation

struct IncentivesCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "incentives",
        abstract: "“信易+”守信激励场景: the incentive scenarios the area's departments offer trustworthy subjects, against the target of 15.",
        discussion: """
            The same as the operators' page /ops/incentives: the records of the kind incentive (信易+守信激励场景) of the \
            node's area in force (within their 有效期至, not withdrawn), how many against the target of 15 (seed 004 item 12), \
            by 激励类别 (减免费用, 享受优惠, 免交押金, 降低门槛, 绿色通道, 享受便利) and by region, and the scenarios newest \
            first. The public reads them on the portal's /incentives. --csv writes the scenarios (UTF-8 with BOM); --json the whole.
            """)

    @OptionGroup var output: ReportOutput

    @OptionGroup var node: NodeOptions

    func run() throws {
        try guarded {
            let context = try node.open()
            let document = try filtered(missing: "the node's catalogue has no kind incentive (信易+守信激励场景)") {
                try IncentivesDocument(node: context, now: context.clock())
            }
            try output.write(text: document.text, json: document.json, csv: document.csv, what: "\(document.count) scenario(s) in force")
        }
    }
}
