import CreditDomain
import CreditStore
import Foundation

/// 联合奖惩执行反馈 of one month in the node's area: what the units did after checking subjects
/// against the joint reward and punishment lists (seed 003 item 15: 发起响应、信息推送、执行反馈,
/// the units' application assessed monthly; seed 004 item 10: 向上级反馈执行案例、统计分析). Each
/// feedback is a record of the catalogue's `feedback` kind, so it travels upward as every record
/// does; this is the month's figures — by executing unit, by list, by region — and the feedback
/// itself, newest first. What `/ops/feedback` and `credit-node feedback` show.
public struct JointFeedback: Sendable, Encodable {
    /// The catalogue kind and the field codes this reads (CreditNet's own `feedback` kind).
    public static let kind = "feedback"
    /// The fields read, in this order: 反馈编号, 奖惩类别, 依据名单, 办理事项, 采取措施, 执行结果, 备注,
    /// 执行单位, its credit code.
    static let fields = ["FKBH", "JCLB", "YJMD", "BLSX", "CQCS", "ZXJG", "BZ", "ZXDW", "ZXDWDM"]
    /// The values of 奖惩类别 and 执行结果 the figures split by.
    public static let reward = "守信激励"
    public static let notApplied = "未实施"
    /// The cases a 市州 or 县 government reports each month at least (鄂信用文〔2017〕1号, item 17:
    /// 各市州县人民政府每月至少向省信用办报送1个信用联合奖惩案例).
    public static let monthlyCases = 1

    /// Feedback counted together: all, punishments, incentives, measures not applied.
    public struct Figures: Sendable, Encodable {
        public var code: String
        public var name: String
        public var feedback = 0
        public var sanctions = 0
        public var rewards = 0
        public var notApplied = 0
        /// 联合奖惩典型案例 published in the month (`TypicalCases`, dated by 发布日期).
        public var cases = 0
        /// A child region of a 市州 or 县 with fewer typical cases published this month than
        /// `monthlyCases` (its feedback, however much, is not a case until the office publishes one).
        public var belowMinimum = false

        mutating func count(_ f: Feedback) {
            feedback += 1
            if f.type == JointFeedback.reward { rewards += 1 } else { sanctions += 1 }
            if f.result == JointFeedback.notApplied { notApplied += 1 }
        }
    }

    public struct Feedback: Sendable, Encodable {
        public var number: String
        public var date: String
        public var subject: String
        /// The subject's code, a resident ID number masked.
        public var subjectCode: String
        public var type: String
        public var list: String
        public var matter: String
        public var measure: String
        public var result: String
        public var remark: String
        public var unit: String
        public var unitCode: String
        public var jurisdiction: String
        public var region: String
    }

    public var month: String
    public var monthName: String
    public var total: Figures
    /// Executing units, most feedback first.
    public var units: [Figures]
    /// The lists acted on, most feedback first (`code` is the list's name).
    public var lists: [Figures]
    /// The child regions in the configuration's order, this node's own level last when it has any.
    public var regions: [Figures]
    /// Whether the children are 市州 or 县 governments, held to `monthlyCases`, and how many of
    /// them had fewer cases published this month.
    public var minimumApplies: Bool
    public var regionsBelowMinimum: Int
    public var feedback: [Feedback]

    /// The month's feedback in `node`'s area; nil when the catalogue has no `feedback` kind with
    /// the fields this reads.
    public static func compute(_ node: NodeContext, month: CalendarMonth) throws -> JointFeedback? {
        guard let kind = node.resolvedKinds[Self.kind] else { return nil }
        guard Self.fields.allSatisfy({ kind.index[$0] != nil }) else { return nil }
        let c = node.configuration
        let areas = try node.childRegions()
        let prefix = c.code.areaPrefix
        let read = Self.fields + [kind.kind.subjectName]
        let rows = try node.store.fieldValues(
            kind: kind.slug, from: month.first.iso, until: month.next.first.iso, areaPrefix: prefix, fields: read.map(kind.kind.fullCode))
        var total = Figures(code: c.code.digits, name: c.name ?? c.code.digits)
        var units: [String: Figures] = [:]
        var lists: [String: Figures] = [:]
        var regions: [String: Figures] = [:]
        var feedback: [Feedback] = []
        feedback.reserveCapacity(rows.count)
        for row in rows {
            // The decision date, subject, jurisdiction, then the fields in `read`'s order.
            let v = row.dropFirst(3).map { Masking.maskResidentIDs(in: $0) }
            let region = areas.region(of: row[2])
            let one = Feedback(
                number: v[0], date: row[0], subject: v[9], subjectCode: Masking.shown(row[1]), type: v[1], list: v[2],
                matter: v[3], measure: v[4], result: v[5], remark: v[6], unit: v[7], unitCode: v[8], jurisdiction: row[2], region: region.name)
            total.count(one)
            units[one.unitCode, default: Figures(code: one.unitCode, name: one.unit.isEmpty ? one.unitCode : one.unit)].count(one)
            lists[one.list, default: Figures(code: one.list, name: one.list)].count(one)
            regions[region.code, default: Figures(code: region.code, name: region.name)].count(one)
            feedback.append(one)
        }
        // The typical cases published in the month, by the region of their subject.
        if let cases = node.resolvedKinds[TypicalCases.kind], cases.index["ALBH"] != nil {
            for row in try node.store.fieldValues(
                kind: cases.slug, from: month.first.iso, until: month.next.first.iso, areaPrefix: prefix, fields: [cases.kind.fullCode("ALBH")])
            {
                let region = areas.region(of: row[2])
                total.cases += 1
                regions[region.code, default: Figures(code: region.code, name: region.name)].cases += 1
            }
        }
        let most = { (a: Figures, b: Figures) in (a.feedback, b.code) > (b.feedback, a.code) }
        // Every child region, those that sent nothing too: the month's assessment names them.
        let held = { (child: DivisionCode) in child.tier == .city || child.tier == .county }
        var regionRows = areas.children.map { child in
            var f = regions[child.digits] ?? Figures(code: child.digits, name: areas.name(of: child))
            f.belowMinimum = held(child) && f.cases < Self.monthlyCases
            return f
        }
        if let own = regions[c.code.digits] { regionRows.append(own) }
        return JointFeedback(
            month: month.iso, monthName: month.chinese, total: total, units: units.values.sorted(by: most),
            lists: lists.values.sorted(by: most), regions: regionRows, minimumApplies: areas.children.contains(where: held),
            regionsBelowMinimum: regionRows.filter(\.belowMinimum).count, feedback: feedback)
    }
}
