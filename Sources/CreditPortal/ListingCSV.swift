import CreditDomain
import Foundation
import NodeRuntime

/// A listing as a CSV download: UTF-8 with a byte-order mark (so that spreadsheet programs on
/// Chinese Windows read it as UTF-8), Chinese headers, IDs masked as on the pages, and cells that
/// a spreadsheet would take for a formula (`=`, `+`, `-`, `@`) prefixed with `'`.
enum ListingCSV {
    static let header = ["决定日期", "类别", "行政相对人名称", "统一社会信用代码/证件号码", "决定文书号", "决定机关", "内容", "行政区划", "状态", "按时公示", "记录编号"]

    static func render(_ rows: [ListingRow]) -> [UInt8] {
        table(
            header: header,
            rows: rows.map { row in
                let r = row.record
                return [
                    r.decisionDate ?? "", r.kindName, r.subjectName ?? "", r.subject ?? "", r.documentNumber ?? "", r.authority ?? "",
                    // A record with a title of its own (a typical case's): the title, then the summary.
                    row.subjectName == nil ? row.summary ?? "" : "《\(row.title)》\(row.summary ?? "")",
                    r.jurisdiction, r.stateLabel, r.late ? "否（迟报）" : "是", r.key,
                ]
            })
    }

    /// Any table as such a download: the BOM, the header, one CRLF line per row.
    static func table(header: [String], rows: [[String]]) -> [UInt8] {
        var out: [UInt8] = [0xEF, 0xBB, 0xBF]
        for cells in [header] + rows {
            out.append(contentsOf: Array(cells.map(cell).joined(separator: ",").utf8))
            out.append(contentsOf: [0x0D, 0x0A])
        }
        return out
    }

    static func cell(_ value: String) -> String {
        var v = value
        if let first = v.first, "=+-@\t\r".contains(first) { v = "'" + v }
        guard v.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" }) else { return v }
        return "\"" + v.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }
}
