import CreditDomain
import CreditStore
import Foundation
import NodeRuntime

extension OperationsPages {
    /// `/ops/feedback`: 联合奖惩 — a month's 执行反馈 in the area: by executing unit, by list, by
    /// region (every child, those that sent none too), and the feedback itself, newest first.
    struct FeedbackPage: Sendable, Encodable {
        var head: Head
        var months: [BulletinPage.MonthOption]
        /// Nil when the catalogue has no `feedback` kind.
        var ledger: JointFeedback?
        var feedbackCount: Int
        /// Feedback left off the page (the CSV has it all).
        var more: Int?
        /// The cases a 市州 or 县 reports each month at least.
        var monthlyCases = JointFeedback.monthlyCases
    }

    /// How many feedback rows the page lists.
    static let feedbackShown = 200

    /// The month asked for (this month when none), refused with how to write one.
    static func feedbackMonth(_ text: String?, now: Date) throws -> CalendarMonth {
        let today = ChinaTime.date(now)
        return try bulletinMonth(text, today: today, otherwise: CalendarMonth(today))
    }

    func feedback(reader: String, now: Date, month text: String?, shown: Int = feedbackShown) throws -> FeedbackPage {
        let month = try Self.feedbackMonth(text, now: now)
        var ledger = try JointFeedback.compute(node, month: month)
        let count = ledger?.feedback.count ?? 0
        if let all = ledger?.feedback { ledger?.feedback = Array(all.prefix(shown)) }
        return FeedbackPage(
            head: head(title: "联合奖惩", reader: reader, now: now),
            months: Self.monthOptions(latest: CalendarMonth(ChinaTime.date(now)), selected: month), ledger: ledger, feedbackCount: count,
            more: count > shown ? count - shown : nil)
    }

    /// The month's feedback as the CSV an office sends in its monthly report (按月考核通报).
    func feedbackCSV(month text: String?, now: Date) throws -> (header: [String], rows: [[String]]) {
        let month = try Self.feedbackMonth(text, now: now)
        return Self.feedbackTable(try JointFeedback.compute(node, month: month))
    }

    /// The feedback's columns and a row each (the page's CSV and `credit-node feedback --csv`).
    static func feedbackTable(_ ledger: JointFeedback?) -> (header: [String], rows: [[String]]) {
        (
            ["反馈编号", "执行日期", "奖惩类别", "依据名单", "主体名称", "主体代码", "办理事项", "采取措施", "执行结果", "备注", "执行单位", "执行单位统一社会信用代码", "所属区划", "地区"],
            (ledger?.feedback ?? []).map {
                [
                    $0.number, $0.date, $0.type, $0.list, $0.subject, $0.subjectCode, $0.matter, $0.measure, $0.result, $0.remark, $0.unit,
                    $0.unitCode,
                    $0.jurisdiction, $0.region,
                ]
            }
        )
    }
}

/// 联合奖惩执行反馈 as `credit-node feedback` writes it: the month's figures as text, the
/// feedback as the page's CSV, or the whole month as JSON.
public struct FeedbackDocument: Sendable {
    public var text: String
    public var count: Int
    let ledger: JointFeedback
    /// The whole ledger as JSON, built when asked for.
    public var json: Data { get throws { try ReportFiles.json(ledger) } }
    /// The page's CSV, built when asked for.
    public var csv: [UInt8] {
        let table = OperationsPages.feedbackTable(ledger)
        return ListingCSV.table(header: table.header, rows: table.rows)
    }

    /// `month` (`2026-11`; this month when nil) at `now`; refused with
    /// `PortalPages.BadParameter`; nil when the catalogue has no `feedback` kind.
    public init?(node: NodeContext, month asked: String?, now: Date, shown: Int = 20) throws {
        let month = try OperationsPages.feedbackMonth(asked, now: now)
        guard let ledger = try JointFeedback.compute(node, month: month) else { return nil }
        self.ledger = ledger
        count = ledger.feedback.count
        // Cases are counted by region only: a unit's or a list's line does not name them.
        func line(_ f: JointFeedback.Figures, cases: Bool = true) -> String {
            "反馈 \(f.feedback)：失信惩戒 \(f.sanctions)，守信激励 \(f.rewards)，未实施 \(f.notApplied)" + (cases ? "，发布典型案例 \(f.cases)" : "")
        }
        var out = ["\(ledger.total.name) \(ledger.monthName)联合奖惩执行反馈", "合计 " + line(ledger.total)]
        if ledger.minimumApplies {
            out.append("当月未报送案例的市县 \(ledger.regionsBelowMinimum) 个（每月至少发布 \(JointFeedback.monthlyCases) 个典型案例）")
        }
        out.append("按地区：")
        for r in ledger.regions { out.append("  " + OperationsPages.named(r.name, r.code) + line(r) + (r.belowMinimum ? "（当月未报送案例）" : "")) }
        out.append("按执行单位：")
        for u in ledger.units { out.append("  " + OperationsPages.named(u.name, u.code) + line(u, cases: false)) }
        out.append("按名单：")
        for l in ledger.lists { out.append("  \(l.name) " + line(l, cases: false)) }
        out.append("反馈（新的在前）：\(count) 件")
        for f in ledger.feedback.prefix(shown) {
            let why = f.remark.isEmpty ? "" : "（\(f.remark)）"
            out.append("  \(f.date) \(f.unit) · \(f.subject) · \(f.list) · \(f.matter)：\(f.measure)，\(f.result)\(why)")
        }
        if count > shown { out.append("  ……另有 \(count - shown) 件（--csv 可得全部）") }
        text = out.joined(separator: "\n")
    }
}
