import CreditDomain
import CreditStore
import Foundation
import NodeRuntime

extension OperationsPages {
    /// `/ops/lists`: 联合奖惩 名单推送与响应 — the subjects of the area on a list in force, what the
    /// units must do about each, and whether any unit has answered with 执行反馈; pending first.
    struct ListsPage: Sendable, Encodable {
        struct ShowOption: Sendable, Encodable {
            var value: String
            var label: String
            var selected: Bool
            var href: String
        }

        var head: Head
        var shows: [ShowOption]
        /// Nil when the catalogue has no `feedback` kind to answer the lists with.
        var ledger: ListResponses?
        /// The entries the filter holds, and those left off the page (the CSV has them all).
        var entryCount: Int
        var more: Int?
        /// The region the entries are filtered to, in words.
        var regionWords: String?
        /// The CSV of the entries the filter holds.
        var csv: String
    }

    /// How many entries the page lists.
    static let listEntriesShown = 200

    /// The filter from the query: which entries (`show`: pending, answered, all; all when none)
    /// and a child region or this node's own code; refused with what to fix.
    func listsFilter(show: String?, region: String?) throws -> (show: ListResponses.Show, region: DivisionCode?, query: String) {
        var parts: [String] = []
        var chosen = ListResponses.Show.all
        if let show, !show.isEmpty {
            guard let s = ListResponses.Show(rawValue: show) else {
                throw PortalPages.BadParameter(
                    message: "显示“\(Masking.maskResidentIDs(in: String(show.prefix(20))))”无法识别：请用 pending（待响应）、answered（已有反馈）或 all（全部）。")
            }
            chosen = s
            parts.append("show=\(s.rawValue)")
        }
        var code: DivisionCode?
        if let region, !region.isEmpty {
            code = try regionFilter(region)
            parts.append("region=\(code!.digits)")
        }
        return (chosen, code, parts.joined(separator: "&"))
    }

    func lists(reader: String, now: Date, show: String?, region: String?, shown: Int = listEntriesShown) throws -> ListsPage {
        let filter = try listsFilter(show: show, region: region)
        var ledger = try ListResponses.compute(node, today: ChinaTime.date(now), show: filter.show, region: filter.region)
        let count = ledger?.entries.count ?? 0
        if let all = ledger?.entries { ledger?.entries = Array(all.prefix(shown)) }
        let keep = filter.region.map { "&region=\($0.digits)" } ?? ""
        return ListsPage(
            head: head(title: "名单推送与响应", reader: reader, now: now),
            shows: ListResponses.Show.allCases.map {
                ListsPage.ShowOption(
                    value: $0.rawValue, label: $0.chinese, selected: $0 == filter.show, href: "/ops/lists?show=\($0.rawValue)\(keep)#entries")
            },
            ledger: ledger, entryCount: count, more: count > shown ? count - shown : nil, regionWords: try filter.region.map(regionWords),
            csv: "/ops/lists?" + (filter.query.isEmpty ? "" : filter.query + "&") + "format=csv")
    }

    /// The entries the filter holds as the CSV pushed to the units (推送清单).
    func listsCSV(show: String?, region: String?, now: Date) throws -> (header: [String], rows: [[String]]) {
        let filter = try listsFilter(show: show, region: region)
        return Self.listsTable(try ListResponses.compute(node, today: ChinaTime.date(now), show: filter.show, region: filter.region))
    }

    /// The entries' columns and a row each (the page's CSV and `credit-node lists --csv`).
    static func listsTable(_ ledger: ListResponses?) -> (header: [String], rows: [[String]]) {
        (
            [
                "名单名称", "奖惩类别", "主体名称", "主体代码", "列入日期", "有效期至", "认定单位", "应采取措施", "名单状态", "所属区划", "地区", "列入天数", "执行反馈", "执行单位数",
                "未实施", "最近反馈", "响应",
            ],
            (ledger?.entries ?? []).map {
                [
                    $0.list, $0.category, $0.subject, $0.subjectCode, $0.since, $0.until ?? "", $0.unit, $0.measures,
                    $0.objected ? "异议处理中" : "有效", $0.jurisdiction, $0.region, String($0.days), String($0.feedback), String($0.units),
                    String($0.notApplied), $0.latest ?? "", $0.pending ? "待响应" : "已有反馈",
                ]
            }
        )
    }
}

/// 名单推送与响应 as `credit-node lists` writes it: the figures and the first entries as text, the
/// entries as the page's CSV (the 推送清单), or the whole ledger as JSON.
public struct ListsDocument: Sendable {
    public var text: String
    public var count: Int
    let ledger: ListResponses
    /// The whole ledger as JSON, built when asked for.
    public var json: Data { get throws { try ReportFiles.json(ledger) } }
    /// The page's CSV, built when asked for.
    public var csv: [UInt8] {
        let table = OperationsPages.listsTable(ledger)
        return ListingCSV.table(header: table.header, rows: table.rows)
    }

    /// At `now`, the entries `show` names (pending, answered, all) of one child region if given;
    /// refused with `PortalPages.BadParameter`; nil when the catalogue has no `feedback` kind.
    public init?(node: NodeContext, show: String?, region: String?, now: Date, shown: Int = 20) throws {
        let filter = try OperationsPages(node: node).listsFilter(show: show, region: region)
        guard let ledger = try ListResponses.compute(node, today: ChinaTime.date(now), show: filter.show, region: filter.region) else {
            return nil
        }
        self.ledger = ledger
        count = ledger.entries.count
        func line(_ f: ListResponses.Figures) -> String {
            "在列 \(f.listed)：已有反馈 \(f.answered)（\(f.answeredShare ?? "—")），待响应 \(f.pending)，近 \(ListResponses.recentDays) 日新列入 \(f.recent)"
        }
        var out = ["\(ledger.total.name) 联合奖惩名单推送与响应（\(ledger.asOf)）", "合计 " + line(ledger.total)]
        for f in [ledger.sanctions, ledger.rewards] { out.append("  \(f.name) " + line(f)) }
        out.append("按地区：")
        for r in ledger.regions { out.append("  " + OperationsPages.named(r.name, r.code) + line(r)) }
        out.append("按名单：")
        for l in ledger.lists { out.append("  \(l.name) " + line(l)) }
        out.append("\(ledger.show.chinese)：\(count) 条（待响应在前，列入久的在前）")
        for e in ledger.entries.prefix(shown) {
            let answer = e.pending ? "待响应" : "反馈 \(e.feedback) 件（\(e.units) 个单位，最近 \(e.latest ?? "")）"
            out.append("  \(e.since) \(e.list) · \(e.subject)（\(e.subjectCode)）· \(e.region) · 列入 \(e.days) 天 · \(answer)")
        }
        if count > shown { out.append("  ……另有 \(count - shown) 条（--csv 可得全部）") }
        text = out.joined(separator: "\n")
    }
}
