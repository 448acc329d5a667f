import CreditDomain
import CreditStore
import Foundation
import NodeRuntime

extension OperationsPages {
    /// `/ops/creation`: 三信创建 — for one 积分年度, each child region's households rated, its
    /// 信用户 by level, their share and average points, and its subjects on a list in force.
    struct CreationPage: Sendable, Encodable {
        struct YearOption: Sendable, Encodable {
            var value: Int
            var selected: Bool
        }

        struct Row: Sendable, Encodable {
            var figures: CreditCreation.Figures
            var own: Bool
        }

        var head: Head
        var years: [YearOption]
        /// Nil when the catalogue has no `points` kind.
        var ledger: CreditCreation?
        var rows: [Row]
        var rated: Bool
    }

    /// The 积分年度 asked for, refused with what to write; nil when none was asked.
    static func creationYear(_ text: String?, today: CivilDate) throws -> Int? { try year(text, today: today, label: "积分年度") }

    /// A year asked for (2000 to this year; `2026` or `2026年`), refused naming `label` and what to
    /// write; nil when none was asked.
    static func year(_ text: String?, today: CivilDate, label: String) throws -> Int? {
        guard let text, !text.isEmpty else { return nil }
        guard let year = Int(text.trimmingCharacters(in: .whitespaces).replacingOccurrences(of: "年", with: "")), (2000...today.year).contains(year)
        else {
            throw PortalPages.BadParameter(
                message: "\(label)“\(Masking.maskResidentIDs(in: String(text.prefix(20))))”无法识别：请写成 \(today.year) 这样的年份，2000 年至今年。")
        }
        return year
    }

    func creation(reader: String, now: Date, year text: String?) throws -> CreationPage {
        let today = ChinaTime.date(now)
        let ledger = try CreditCreation.compute(node, year: try Self.creationYear(text, today: today), today: today)
        let offered = Set((ledger?.years ?? []) + [ledger?.year ?? today.year]).sorted(by: >)
        return CreationPage(
            head: head(title: "三信创建", reader: reader, now: now),
            years: offered.map { CreationPage.YearOption(value: $0, selected: $0 == ledger?.year) }, ledger: ledger,
            rows: (ledger?.regions ?? []).map { CreationPage.Row(figures: $0, own: $0.code == node.configuration.code.digits) },
            rated: (ledger?.total.households ?? 0) > 0)
    }

    /// The year's figures by region, as the page's CSV.
    func creationCSV(year text: String?, now: Date) throws -> (header: [String], rows: [[String]]) {
        let today = ChinaTime.date(now)
        return Self.creationTable(try CreditCreation.compute(node, year: try Self.creationYear(text, today: today), today: today))
    }

    /// The regions' figures and the area's total, a row each (the page's CSV and `credit-node creation --csv`).
    static func creationTable(_ ledger: CreditCreation?) -> (header: [String], rows: [[String]]) {
        guard let ledger else { return (["地区"], []) }
        return (
            ["积分年度", "地区", "区划代码", "评定户数", "信用户", "信用户占比", "平均积分"] + ledger.levels + ["严重失信主体（在列）", "红名单（在列）"],
            (ledger.regions + [ledger.total]).map { f in
                [String(ledger.year), f.name, f.code, String(f.households), String(f.creditHouseholds), f.creditShare ?? "", f.averagePoints ?? ""]
                    + f.levels.map(String.init) + [String(f.sanctioned), String(f.honoured)]
            }
        )
    }
}

/// 三信创建 as `credit-node creation` writes it: the year's figures by region as text, the page's
/// CSV, or the whole year as JSON.
public struct CreationDocument: Sendable {
    public var text: String
    let ledger: CreditCreation
    let table: (header: [String], rows: [[String]])
    /// The whole year as JSON, built when asked for.
    public var json: Data { get throws { try ReportFiles.json(ledger) } }
    /// The page's CSV.
    public var csv: [UInt8] { ListingCSV.table(header: table.header, rows: table.rows) }

    /// `year` (the newest rated when nil) at `now`; refused with `PortalPages.BadParameter`; nil
    /// when the catalogue has no `points` kind.
    public init?(node: NodeContext, year asked: String?, now: Date) throws {
        let today = ChinaTime.date(now)
        guard let ledger = try CreditCreation.compute(node, year: try OperationsPages.creationYear(asked, today: today), today: today) else {
            return nil
        }
        self.ledger = ledger
        table = OperationsPages.creationTable(ledger)
        func line(_ f: CreditCreation.Figures) -> String {
            let levels = zip(ledger.levels, f.levels).map { "\($0) \($1)" }.joined(separator: "，")
            return
                "评定 \(f.households) 户，信用户 \(f.creditHouseholds)（\(f.creditShare ?? "—")\(levels.isEmpty ? "" : "：" + levels)），平均积分 \(f.averagePoints ?? "—")，"
                + "严重失信主体 \(f.sanctioned)，红名单 \(f.honoured)"
        }
        var out = ["\(ledger.total.name) \(ledger.year) 年三信创建（信用户、信用村、信用镇）", "合计 " + line(ledger.total), "按地区："]
        for r in ledger.regions {
            out.append("  " + OperationsPages.named(r.code == node.configuration.code.digits ? "本级" : r.name, r.code) + line(r))
        }
        if ledger.total.households == 0 { out.append("\(ledger.year) 年本地区尚无信用积分评定记录。") }
        text = out.joined(separator: "\n")
    }
}
