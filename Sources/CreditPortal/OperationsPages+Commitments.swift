import CreditDomain
import CreditStore
import Foundation
import NodeRuntime

extension OperationsPages {
    /// `/ops/commitments`: 信用承诺履约 — the commitments of the area by accepting unit, region
    /// and type, kept, broken and unchecked, and the list of those to follow up (broken, or
    /// unchecked past the check period), oldest first, for one unit or region if asked.
    struct CommitmentsPage: Sendable, Encodable {
        var head: Head
        /// Nil when the catalogue has no fulfilment rule (the page says so).
        var ledger: CommitmentLedger?
        /// What the list holds, in words, and the query that keeps to it (for the CSV and the next page).
        var filter: String
        var filtered: Bool
        var rows: [CommitmentToFollowUp]
        var next: String?
        var csv: String
        /// The source of the rule and of the county's target.
        var source: String?
    }

    /// How many commitments to follow up a page lists.
    static let followUpsPerPage = 50

    /// The list's filter from the query: a child region (or this node's own code) and an
    /// accepting unit's credit code; refused with what to fix.
    func commitmentFilter(region: String?, acceptor: String?) throws -> (prefix: String?, acceptor: String?, words: [String], query: [String]) {
        var words: [String] = []
        var query: [String] = []
        var prefix: String?
        if let region, !region.isEmpty {
            let code = try regionFilter(region)
            prefix = code.areaPrefix
            words.append(try regionWords(code))
            query.append("region=\(code.digits)")
        }
        var unit: String?
        if let acceptor, !acceptor.isEmpty {
            let code = acceptor.trimmingCharacters(in: .whitespaces).uppercased()
            guard (try? SocialCreditCode(code)) != nil else {
                throw PortalPages.BadParameter(message: "“\(Masking.maskResidentIDs(in: String(acceptor.prefix(20))))”不是统一社会信用代码：请从上表选择受理单位。")
            }
            unit = code
            words.append(try node.store.commitmentAcceptorNames()[code].map { "\($0)（\(code)）" } ?? code)
            query.append("acceptor=\(code)")
        }
        return (prefix, unit, words, query)
    }

    func commitments(reader: String, now: Date, region: String?, acceptor: String?, after: String?) throws -> CommitmentsPage {
        let today = ChinaTime.date(now)
        let filter = try commitmentFilter(region: region, acceptor: acceptor)
        let start = try Self.followUpCursor(after)
        let found = try CommitmentToFollowUp.list(
            node, today: today, areaPrefix: filter.prefix, acceptor: filter.acceptor, after: start, limit: Self.followUpsPerPage + 1)
        let shown = Array(found.prefix(Self.followUpsPerPage))
        var next: String?
        if found.count > Self.followUpsPerPage, let last = shown.last {
            next = "/ops/commitments?" + (filter.query + ["after=\(last.committedOn)~\(last.id)"]).joined(separator: "&") + "#follow-up"
        }
        return CommitmentsPage(
            head: head(title: "信用承诺履约", reader: reader, now: now), ledger: try CommitmentLedger.compute(node, today: today),
            filter: filter.words.isEmpty ? "本地区全部受理单位" : filter.words.joined(separator: " · "), filtered: !filter.words.isEmpty,
            rows: shown, next: next, csv: "/ops/commitments?" + (filter.query + ["format=csv"]).joined(separator: "&"),
            source: CommitmentLedger.rule(node)?.rule.source)
    }

    /// `2026-08-01~123`: the last row a page showed (its date and id), for the next page.
    static func followUpCursor(_ text: String?) throws -> (date: String, id: Int64)? {
        guard let text, !text.isEmpty else { return nil }
        let parts = text.split(separator: "~", maxSplits: 1).map(String.init)
        guard parts.count == 2, CivilDate.parse(parts[0]) != nil, let id = Int64(parts[1]) else {
            throw PortalPages.BadParameter(message: "翻页参数有误：请从第一页重新打开。")
        }
        return (parts[0], id)
    }

    /// The whole list to follow up (at most `limit`), as the CSV sends it to the accepting units.
    func commitmentsCSV(now: Date, region: String?, acceptor: String?, limit: Int) throws -> (header: [String], rows: [[String]]) {
        let filter = try commitmentFilter(region: region, acceptor: acceptor)
        return Self.followUpTable(
            try CommitmentToFollowUp.list(node, today: ChinaTime.date(now), areaPrefix: filter.prefix, acceptor: filter.acceptor, limit: limit))
    }

    /// Commitments to follow up as the CSV's table.
    static func followUpTable(_ rows: [CommitmentToFollowUp]) -> (header: [String], rows: [[String]]) {
        (
            ["承诺编码", "承诺日期", "已过天数", "承诺类型", "承诺事项", "承诺主体", "统一社会信用代码/证件号码", "所属区划", "受理单位", "受理单位统一社会信用代码", "履约情况", "跟进要求"],
            rows.map {
                [
                    $0.number, $0.committedOn, String($0.days), $0.type, $0.matter, $0.subjectName, $0.subject, $0.jurisdiction, $0.acceptorName,
                    $0.acceptor, $0.outcome.isEmpty ? "未核查" : $0.outcome, $0.remark,
                ]
            }
        )
    }
}

/// The commitments to follow up as `credit-node commitments` writes them: the ledger and the
/// list in words, the list as the page's CSV, or the ledger and the whole list as JSON.
public struct CommitmentsDocument: Sendable {
    public var text: String
    public var json: Data
    public var csv: [UInt8]

    /// At `now`, of one child region or accepting unit if given (refused with
    /// `PortalPages.BadParameter` when not one); nil when the catalogue has no fulfilment rule.
    public init?(node: NodeContext, region: String?, acceptor: String?, now: Date) throws {
        let pages = OperationsPages(node: node)
        let today = ChinaTime.date(now)
        guard let ledger = try CommitmentLedger.compute(node, today: today) else { return nil }
        let filter = try pages.commitmentFilter(region: region, acceptor: acceptor)
        let rows = try CommitmentToFollowUp.list(node, today: today, areaPrefix: filter.prefix, acceptor: filter.acceptor, limit: Portal.csvRowsMax)
        let table = OperationsPages.followUpTable(rows)
        csv = ListingCSV.table(header: table.header, rows: table.rows)
        struct Whole: Encodable {
            var ledger: CommitmentLedger
            var followUp: [CommitmentToFollowUp]
        }
        json = try ReportFiles.json(Whole(ledger: ledger, followUp: rows))
        let name = node.configuration.name ?? node.configuration.code.digits
        func line(_ l: CommitmentLedger.Line) -> String {
            let outcomes = zip(ledger.outcomes, l.outcomes).map { "\($0) \($1)" }.joined(separator: "，")
            return "承诺 \(l.commitments)：\(outcomes)；待核查 \(l.unchecked)（逾期 \(l.overdue)）；履约率 \(l.keptRate)"
        }
        var out = ["\(name) 信用承诺履约（\(today.iso)；承诺日期起 \(ledger.checkDays) 天内核查，\(ledger.overdueBefore) 以前的未核查即逾期）"]
        out.append("合计 " + line(ledger.total))
        out.append("按受理单位（需要跟进的在前）：")
        for a in ledger.acceptors { out.append("  " + OperationsPages.named(a.name, a.code) + line(a)) }
        out.append("待跟进的承诺（\(filter.words.isEmpty ? "全部" : filter.words.joined(separator: " · "))）：\(rows.count) 件")
        for r in rows.prefix(20) {
            out.append("  \(r.number) \(r.committedOn) \(r.subjectName) · \(r.acceptorName)：\(r.remark)")
        }
        if rows.count > 20 { out.append("  ……另有 \(rows.count - 20) 件（--csv 可得全部）") }
        text = out.joined(separator: "\n")
    }
}
