import CreditDomain
import CreditStore
import Foundation
import NodeRuntime

extension OperationsPages {
    /// `/ops/incentives`: “信易+”守信激励场景 — the scenarios the area's departments offer, by
    /// 激励类别 and region, against the target of 15.
    struct IncentivesPage: Sendable, Encodable {
        var head: Head
        /// Nil when the catalogue has no kind `incentive`.
        var ledger: IncentiveScenarios?
    }

    func incentives(reader: String, now: Date) throws -> IncentivesPage {
        IncentivesPage(
            head: head(title: "信易+激励场景", reader: reader, now: now), ledger: try IncentiveScenarios.compute(node, today: ChinaTime.date(now)))
    }

    /// The scenarios in force, a row each (the page's CSV and `credit-node incentives --csv`).
    static func incentivesTable(_ s: IncentiveScenarios?) -> (header: [String], rows: [[String]]) {
        (
            ["场景编号", "场景名称", "激励类别", "适用对象", "激励内容", "发布单位", "发布日期", "有效期至", "地区"],
            (s?.scenarios ?? []).map {
                [$0.number, $0.name, $0.category, $0.beneficiaries, $0.content, $0.publisher, $0.published, $0.until ?? "", $0.region]
            }
        )
    }

    func incentivesCSV(now: Date) throws -> (header: [String], rows: [[String]]) {
        Self.incentivesTable(try IncentiveScenarios.compute(node, today: ChinaTime.date(now)))
    }
}

/// “信易+”守信激励场景 as `credit-node incentives` writes them.
public struct IncentivesDocument: Sendable {
    public var text: String
    let scenarios: IncentiveScenarios
    public var count: Int { scenarios.total }
    public var json: Data { get throws { try ReportFiles.json(scenarios) } }
    public var csv: [UInt8] {
        let table = OperationsPages.incentivesTable(scenarios)
        return ListingCSV.table(header: table.header, rows: table.rows)
    }

    /// The area's scenarios on `now`'s day; nil when the catalogue has no kind `incentive`.
    public init?(node: NodeContext, now: Date) throws {
        guard let s = try IncentiveScenarios.compute(node, today: ChinaTime.date(now)) else { return nil }
        scenarios = s
        let name = node.configuration.name ?? node.configuration.code.digits
        var out = [
            "\(name) “信易+”守信激励场景（\(s.today)）",
            "在有效期内的场景 \(s.total) 个，目标 \(s.target) 个以上：\(s.reached ? "已达到" : "还差 \(s.missing) 个")",
            "按激励类别：" + s.categories.map { "\($0.name) \($0.count)" }.joined(separator: "，"),
            "按地区：",
        ]
        for r in s.regions { out.append("  \(r.name) \(r.scenarios) 个场景，覆盖 \(r.categories) 类") }
        out.append("场景（新发布的在前）：")
        for e in s.scenarios.prefix(20) {
            out.append("  \(e.name)（\(e.category)）\(e.publisher) \(e.published) 发布\(e.until.map { "，有效期至 \($0)" } ?? "")：\(e.beneficiaries)")
        }
        text = out.joined(separator: "\n")
    }
}
