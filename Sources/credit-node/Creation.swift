import ArgumentParser
import CreditPortal
import Foundation

struct CreationCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "creation",
        abstract: "三信创建: a year's households rated by the village credit points, their 信用户 by level, and the lists in force, by region.",
        discussion: """
            The same figures as the operators' page /ops/creation: for one 积分年度 (default: the newest rated), each child \
            region's households rated (records of the points kind, 个人信用积分), those rated a 信用户 and at which level, \
            the share and the average points, and the subjects on a list in force (严重失信主体名单, 红名单) — what a township \
            weighs when it proposes a 信用村, and a county a 信用镇. Figures only: no one's points are shown. --csv writes the \
            regions (UTF-8 with BOM); --json the whole year.
            """)

    @Option(help: "The 积分年度 (2026; default: the newest rated).")
    var year: String?

    @OptionGroup var output: ReportOutput

    @OptionGroup var node: NodeOptions

    func run() throws {
        try guarded {
            let context = try node.open()
            let document = try filtered(missing: "the node's catalogue has no points kind (个人信用积分): there is nothing to count") {
                try CreationDocument(node: context, year: year, now: context.clock())
            }
            try output.write(text: document.text, json: document.json, csv: document.csv, what: "")
        }
    }
}
