import CreditDomain
import CreditStore
import Foundation
import NodeRuntime

extension OperationsPages {
    /// `/ops/repair`: 信用修复提醒 — the area's dishonesty records whose subjects may now apply for
    /// credit repair, by kind and deciding authority, and the list to remind them.
    struct RepairPage: Sendable, Encodable {
        var head: Head
        /// Nil when the catalogue has no kind with a minimum publicity period.
        var ledger: RepairOutreach?
        var shown: Int
        var more: Int?
        var soonDays: Int
    }

    /// Entries on the page (the CSV has them all).
    static let repairEntriesShown = 200

    func repair(reader: String, now: Date) throws -> RepairPage {
        var ledger = try RepairOutreach.compute(node, today: ChinaTime.date(now))
        let count = ledger?.due.count ?? 0
        if let all = ledger?.due { ledger?.due = Array(all.prefix(Self.repairEntriesShown)) }
        return RepairPage(
            head: head(title: "信用修复提醒", reader: reader, now: now), ledger: ledger, shown: ledger?.due.count ?? 0,
            more: count > Self.repairEntriesShown ? count - Self.repairEntriesShown : nil, soonDays: RepairOutreach.soonDays)
    }

    /// The records repairable now, a row each (the page's CSV and `credit-node repair-due --csv`).
    static func repairTable(_ ledger: RepairOutreach?) -> (header: [String], rows: [[String]]) {
        (
            ["主体名称", "主体代码", "类别", "决定文书号", "决定机关", "决定日期", "处罚类别或名单", "最短公示期（月）", "可申请修复日期", "已可申请天数", "异议处理中"],
            (ledger?.due ?? []).map { e in
                [
                    e.subject, e.subjectCode, e.kindName, e.documentNumber, e.authority, e.decisionDate, e.what, String(e.minimumMonths),
                    e.repairableFrom,
                    String(e.daysSince), e.objected ? "是" : "",
                ]
            }
        )
    }

    func repairCSV(now: Date) throws -> (header: [String], rows: [[String]]) {
        Self.repairTable(try RepairOutreach.compute(node, today: ChinaTime.date(now)))
    }
}

/// 信用修复提醒 as `credit-node repair-due` writes it.
public struct RepairDocument: Sendable {
    public var text: String
    let ledger: RepairOutreach
    public var count: Int { ledger.due.count }
    public var json: Data { get throws { try ReportFiles.json(ledger) } }
    public var csv: [UInt8] {
        let table = OperationsPages.repairTable(ledger)
        return ListingCSV.table(header: table.header, rows: table.rows)
    }

    /// The area's records on `now`'s day; nil when the catalogue has no kind with a minimum period.
    public init?(node: NodeContext, now: Date) throws {
        guard let ledger = try RepairOutreach.compute(node, today: ChinaTime.date(now)) else { return nil }
        self.ledger = ledger
        let name = node.configuration.name ?? node.configuration.code.digits
        func line(_ f: RepairOutreach.Figures) -> String {
            "仍在公示 \(f.inForce)，可申请修复 \(f.due)，\(RepairOutreach.soonDays) 日内可申请 \(f.soon)"
        }
        var out = ["\(name) 信用修复提醒（\(ledger.today)）", "合计 " + line(ledger.total)]
        for k in ledger.kinds { out.append("  \(k.name) " + line(k)) }
        out.append("按决定机关（谁产生、谁督促修复）：")
        for a in ledger.authorities.prefix(20) { out.append("  \(a.name) " + line(a)) }
        out.append("可申请修复的记录：\(ledger.due.count) 条（已可申请久的在前）")
        for e in ledger.due.prefix(20) {
            out.append(
                "  \(e.subject)（\(e.subjectCode)） \(e.kindName) \(e.documentNumber) \(e.what) · \(e.authority) · 自 \(e.repairableFrom) 可申请\(e.objected ? " · 异议处理中" : "")"
            )
        }
        text = out.joined(separator: "\n")
    }
}
