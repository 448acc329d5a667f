import ArgumentParser
import CreditPortal
import Foundation

struct SupervisionCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "supervision",
        abstract: "信用分级分类监管: a year's rated subjects by grade and how often each grade was inspected after its rating.",
        discussion: """
            The same figures as the operators' page /ops/supervision: for one 评价年度 (default: the newest rated), the \
            subjects of the node's area rated A to D (records of the rating kind, 信用评价; each subject once, by its lowest \
            grade of the year) and, per grade, those inspected in the year after their rating (records of the inspection \
            kind, 行政监督检查), the inspections, the 双随机一公开 ones and those that found a problem — whether D is \
            inspected more than A, as 分级分类监管 asks; then each 评价领域's grades and its share of A. --csv writes the \
            grades (UTF-8 with BOM); --json the whole year.
            """)

    @Option(help: "The 评价年度 (2026; default: the newest rated).")
    var year: String?

    @OptionGroup var output: ReportOutput

    @OptionGroup var node: NodeOptions

    func run() throws {
        try guarded {
            let context = try node.open()
            let document = try filtered(missing: "the node's catalogue lacks the rating (信用评价) or inspection (行政监督检查) kind") {
                try SupervisionDocument(node: context, year: year, now: context.clock())
            }
            try output.write(text: document.text, json: document.json, csv: document.csv, what: "")
        }
    }
}
