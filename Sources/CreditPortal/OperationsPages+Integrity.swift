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
        let ledger = try GovernmentIntegrity.compute(node, today: ChinaTime.date(now))
        return (
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
