import CreditDomain
import CreditStore
import Foundation
import NodeRuntime

extension OperationsPages {
    /// `/ops/integrity`: 政务诚信 — the government bodies of the area with dishonesty standing
    /// against them, and each case to follow up until it closes (督办台账).
    struct IntegrityPage: Sendable, Encodable {
        var head: Head
        var ledger: GovernmentIntegrity
        var bodyCount: Int
        var caseCount: Int
        /// Cases left off the page (the CSV has them all).
        var more: Int?
    }

    /// How many cases the page lists.
    static let integrityCasesShown = 500

    func integrity(reader: String, now: Date, shown: Int = integrityCasesShown) throws -> IntegrityPage {
        var ledger = try GovernmentIntegrity.compute(node, today: ChinaTime.date(now))
        let count = ledger.cases.count
        ledger.cases = Array(ledger.cases.prefix(shown))
        return IntegrityPage(
            head: head(title: "政务诚信", reader: reader, now: now), ledger: ledger, bodyCount: ledger.bodies.count, caseCount: count,
            more: count > shown ? count - shown : nil)
    }

    /// The ledger's cases as the CSV the office keeps (督办台账).
    func integrityCSV(now: Date) throws -> (header: [String], rows: [[String]]) {
        Self.integrityTable(try GovernmentIntegrity.compute(node, today: ChinaTime.date(now)))
    }

    /// The 督办台账's columns and a row per case (the page's CSV and `credit-node integrity --csv`).
    static func integrityTable(_ ledger: GovernmentIntegrity) -> (header: [String], rows: [[String]]) {
        (
            ["机构名称", "统一社会信用代码", "机构类别", "类别", "记录", "决定日期", "已过天数", "所属区划", "地区", "状态", "内容", "销号条件"],
            ledger.cases.map {
                [
                    $0.body, $0.code, $0.category, $0.kind, $0.number, $0.decisionDate, String($0.days), $0.jurisdiction, $0.region, $0.state,
                    $0.what, $0.closes,
                ]
            }
        )
    }
}

/// 政务诚信 as `credit-node integrity` writes it: the ledger as text (the bodies, then the cases
/// oldest first), its cases as the CSV of the page (督办台账), or the whole ledger as JSON.
public struct IntegrityDocument: Sendable {
    public var text: String
    public var json: Data
    public var csv: [UInt8]
    /// Cases standing: none is 零失信.
    public var cases: Int

    /// The ledger at `now`; `shown` cases in the text (the CSV and JSON hold them all).
    public init(node: NodeContext, now: Date, shown: Int = 20) throws {
        let ledger = try GovernmentIntegrity.compute(node, today: ChinaTime.date(now))
        cases = ledger.cases.count
        let table = OperationsPages.integrityTable(ledger)
        csv = ListingCSV.table(header: table.header, rows: table.rows)
        json = try ReportFiles.json(ledger)
        let name = node.configuration.name ?? node.configuration.code.digits
        guard !ledger.clean else {
            text = "\(name) 政务诚信（\(ledger.today)）：辖区内政府机构没有未销号的失信记录，零失信。"
            return
        }
        var out = ["\(name) 政务诚信（\(ledger.today)）：\(ledger.bodies.count) 个政府机构有 \(ledger.cases.count) 件失信记录未销号"]
        out.append("按类别：" + ledger.kinds.map { "\($0.kind) \($0.cases)" }.joined(separator: "，"))
        out.append("按机构（件数多、时间长的在前）：")
        for b in ledger.bodies { out.append("  \(b.name)（\(b.code)，\(b.category)）：\(b.cases) 件，最长 \(b.longest) 天") }
        out.append("督办台账（时间长的在前）：")
        for c in ledger.cases.prefix(shown) {
            out.append("  \(c.kind) \(c.number) \(c.decisionDate)（\(c.days) 天）\(c.body) · \(c.region)：\(c.what)；销号：\(c.closes)")
        }
        if ledger.cases.count > shown { out.append("  ……另有 \(ledger.cases.count - shown) 件（--csv 可得全部）") }
        text = out.joined(separator: "\n")
    }
}
