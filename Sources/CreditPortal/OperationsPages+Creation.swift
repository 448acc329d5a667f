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

    /// The year asked for, refused with what to write; nil when none was asked.
    static func creationYear(_ text: String?, today: CivilDate) throws -> Int? {
        guard let text, !text.isEmpty else { return nil }
        guard let year = Int(text.trimmingCharacters(in: .whitespaces).replacingOccurrences(of: "年", with: "")), (2000...today.year).contains(year)
        else {
            throw PortalPages.BadParameter(
                message: "积分年度“\(Masking.maskResidentIDs(in: String(text.prefix(20))))”无法识别：请写成 \(today.year) 这样的年份，2000 年至今年。")
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
        guard let ledger = try CreditCreation.compute(node, year: try Self.creationYear(text, today: today), today: today) else {
            return (["地区"], [])
        }
        return (
            ["积分年度", "地区", "区划代码", "评定户数", "信用户", "信用户占比", "平均积分"] + ledger.levels + ["严重失信主体（在列）", "红名单（在列）"],
            (ledger.regions + [ledger.total]).map { f in
                [String(ledger.year), f.name, f.code, String(f.households), String(f.creditHouseholds), f.creditShare ?? "", f.averagePoints ?? ""]
                    + f.levels.map(String.init) + [String(f.sanctioned), String(f.honoured)]
            }
        )
    }
}
