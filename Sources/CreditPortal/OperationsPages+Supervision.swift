import CreditDomain
import CreditStore
import Foundation
import NodeRuntime

extension OperationsPages {
    /// `/ops/supervision`: 信用分级分类监管 — for one 评价年度, the area's subjects by 信用等级 and how
    /// often each grade was inspected in the year after its rating; the grades per 评价领域.
    struct SupervisionPage: Sendable, Encodable {
        var head: Head
        var years: [CreationPage.YearOption]
        /// Nil when the catalogue lacks the `rating` or `inspection` kind.
        var ledger: CreditSupervision?
        /// A subject rated in the year (the tables have rows).
        var rated: Bool
        /// Both A and D have subjects, and D's share inspected is, or is not, the larger.
        var differentiated: Bool
        var undifferentiated: Bool
    }

    func supervision(reader: String, now: Date, year text: String?) throws -> SupervisionPage {
        let today = ChinaTime.date(now)
        let ledger = try CreditSupervision.compute(node, year: try Self.year(text, today: today, label: "评价年度"), today: today)
        let offered = Set((ledger?.years ?? []) + [ledger?.year ?? today.year]).sorted(by: >)
        return SupervisionPage(
            head: head(title: "分级分类监管", reader: reader, now: now),
            years: offered.map { CreationPage.YearOption(value: $0, selected: $0 == ledger?.year) }, ledger: ledger,
            rated: (ledger?.rated ?? 0) > 0, differentiated: ledger?.differentiated == true, undifferentiated: ledger?.differentiated == false)
    }

    /// The grades and the 评价领域, as the page's CSV (and `credit-node supervision --csv`).
    func supervisionCSV(year text: String?, now: Date) throws -> (header: [String], rows: [[String]]) {
        let today = ChinaTime.date(now)
        return Self.supervisionTable(
            try CreditSupervision.compute(node, year: try Self.year(text, today: today, label: "评价年度"), today: today))
    }

    static func supervisionTable(_ ledger: CreditSupervision?) -> (header: [String], rows: [[String]]) {
        guard let ledger else { return (["信用等级"], []) }
        return (
            ["评价年度", "信用等级", "主体数", "被检查主体", "检查比例", "检查次数", "每百户检查次数", "双随机一公开", "发现问题", "发现问题比例"],
            ledger.grades.map { g in
                [
                    String(ledger.year), g.grade, String(g.subjects), String(g.inspected), g.inspectedShare ?? "", String(g.inspections),
                    g.perHundred ?? "", String(g.random), String(g.problems), g.problemShare ?? "",
                ]
            }
        )
    }
}

/// 信用分级分类监管 as `credit-node supervision` writes it.
public struct SupervisionDocument: Sendable {
    public var text: String
    let ledger: CreditSupervision
    public var json: Data { get throws { try ReportFiles.json(ledger) } }
    public var csv: [UInt8] {
        let table = OperationsPages.supervisionTable(ledger)
        return ListingCSV.table(header: table.header, rows: table.rows)
    }

    /// `year` (the newest rated when nil); refused with `PortalPages.BadParameter`; nil when the
    /// catalogue lacks a kind it reads.
    public init?(node: NodeContext, year asked: String?, now: Date) throws {
        let today = ChinaTime.date(now)
        guard let ledger = try CreditSupervision.compute(node, year: try OperationsPages.year(asked, today: today, label: "评价年度"), today: today)
        else { return nil }
        self.ledger = ledger
        let name = node.configuration.name ?? node.configuration.code.digits
        var out = ["\(name) \(ledger.year) 年信用分级分类监管（评价后一年内的检查）", "按信用等级（每个主体按当年最低等级计一次）："]
        for g in ledger.grades {
            out.append(
                "  \(g.grade) 级 \(g.subjects) 户，被检查 \(g.inspected) 户（\(g.inspectedShare ?? "—")），检查 \(g.inspections) 次（每百户 \(g.perHundred ?? "—")），"
                    + "双随机一公开 \(g.random) 次，发现问题 \(g.problems) 次（\(g.problemShare ?? "—")）")
        }
        switch ledger.differentiated {
        case true?: out.append("D 级主体的检查比例高于 A 级：体现了差异化监管。")
        case false?: out.append("D 级主体的检查比例不高于 A 级：未体现差异化监管，请督促各部门调整抽查比例和频次。")
        case nil: out.append("A 级或 D 级没有主体，无法比较检查比例。")
        }
        out.append("当年被检查但无当年评价的主体：\(ledger.unratedInspected) 户")
        out.append("按评价领域：")
        for f in ledger.fields {
            out.append(
                "  \(f.name) 评价 \(f.rated) 户：" + zip(CreditSupervision.grades, f.counts).map { "\($0) \($1)" }.joined(separator: "，")
                    + "（A 级占 \(f.aShare ?? "—")）")
        }
        if ledger.rated == 0 { out.append("\(ledger.year) 年本地区尚无信用评价记录。") }
        text = out.joined(separator: "\n")
    }
}
