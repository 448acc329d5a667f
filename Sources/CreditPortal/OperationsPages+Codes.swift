import CreditDomain
import CreditStore
import Foundation
import NodeRuntime

extension OperationsPages {
    /// `/ops/codes`: 代码转换 — the records still filed under a former code alone, whether the
    /// records map it to a credit code, by the unit that filed them; the conflicts in the mapping.
    struct CodesPage: Sendable, Encodable {
        var head: Head
        var conversion: CodeConversion
        var more: Int?
        var conflictCount: Int
        var hasMapped: Bool
    }

    /// Records on the page, each list (the CSV has them all).
    static let codeEntriesShown = 200

    func codes(reader: String, now: Date) throws -> CodesPage {
        var conversion = try CodeConversion.compute(node, today: ChinaTime.date(now))
        let count = conversion.unmapped.count
        conversion.unmapped = Array(conversion.unmapped.prefix(Self.codeEntriesShown))
        conversion.mapped = Array(conversion.mapped.prefix(Self.codeEntriesShown))
        return CodesPage(
            head: head(title: "代码转换", reader: reader, now: now), conversion: conversion,
            more: count > Self.codeEntriesShown ? count - Self.codeEntriesShown : nil, conflictCount: conversion.conflicts.count,
            hasMapped: !conversion.mapped.isEmpty)
    }

    /// Every record filed under former codes alone, mapped or not, a row each (the page's CSV and
    /// `credit-node codes --csv`): what each unit has still to convert.
    static func codesTable(_ conversion: CodeConversion) -> (header: [String], rows: [[String]]) {
        (
            ["主体名称", "原代码", "类别", "报送单位（决定机关）", "决定日期", "对应统一社会信用代码", "记录编号"],
            (conversion.unmapped + conversion.mapped).map { e in
                [e.subject, e.formerCodes.joined(separator: "；"), e.kindName, e.authority, e.decisionDate, e.creditCode ?? "未映射", e.recordKey]
            }
        )
    }

    func codesCSV(now: Date) throws -> (header: [String], rows: [[String]]) {
        Self.codesTable(try CodeConversion.compute(node, today: ChinaTime.date(now)))
    }
}

/// 代码转换 as `credit-node codes` writes it.
public struct CodesDocument: Sendable {
    public var text: String
    let conversion: CodeConversion
    public var unmapped: Int { conversion.total.unmapped }
    public var json: Data { get throws { try ReportFiles.json(conversion) } }
    public var csv: [UInt8] {
        let table = OperationsPages.codesTable(conversion)
        return ListingCSV.table(header: table.header, rows: table.rows)
    }

    public init(node: NodeContext, now: Date) throws {
        let conversion = try CodeConversion.compute(node, today: ChinaTime.date(now))
        self.conversion = conversion
        let name = node.configuration.name ?? node.configuration.code.digits
        func line(_ f: CodeConversion.Figures) -> String {
            "以原代码报送 \(f.filed)，已映射 \(f.mapped)，未映射 \(f.unmapped)（映射率 \(f.mappedShare)）"
        }
        var out = ["\(name) 新旧代码转换（\(conversion.today)）", "合计 " + line(conversion.total)]
        out.append("记录声明的新旧代码对应：\(conversion.declared) 对；冲突 \(conversion.conflicts.count) 个")
        for c in conversion.conflicts.prefix(20) {
            out.append(
                "  \(c.fieldName) \(c.code) → \(c.creditCodes.joined(separator: "、"))（\(c.records) 条记录）\(c.mismatched ? " · 与统一社会信用代码第9–17位不一致" : " · 对应多个统一社会信用代码")"
            )
        }
        out.append("按报送单位（未映射多的在前）：")
        for a in conversion.authorities.prefix(20) { out.append("  \(a.name) " + line(a)) }
        out.append("尚未映射的记录：\(conversion.unmapped.count) 条（新的在前）")
        for e in conversion.unmapped.prefix(20) {
            out.append("  \(e.subject) \(e.formerCodes.joined(separator: "；")) \(e.kindName) \(e.decisionDate) · \(e.authority) · \(e.recordKey)")
        }
        text = out.joined(separator: "\n")
    }
}
