import CreditDomain
import CreditStore
import Foundation

/// 政务诚信: the government bodies of the node's area with dishonesty on record (seed 004 item
/// 16: 政府机构失信问题督办台账、限时销号, 确保政府机构零失信) — each case a record about a body
/// registered by 机构编制 (credit code 1…: 机关, 事业单位, 群团组织) that still stands against it: a
/// penalty or a serious-dishonesty listing the public still sees (the kinds that take credit
/// repair, or that list to sanction), or a commitment it did not keep. A case closes (销号) when
/// the record stops standing: repaired, withdrawn, past its publicity, removed from the list, or
/// the commitment found kept. What `/ops/integrity` shows.
public struct GovernmentIntegrity: Sendable, Encodable {
    public struct Case: Sendable, Encodable {
        public var body: String
        public var code: String
        /// 机关, 事业单位, 群团组织, 其他机构编制单位.
        public var category: String
        public var kind: String
        public var slug: String
        /// The decision's number (or the record's business key), and the key.
        public var number: String
        public var key: String
        public var decisionDate: String
        /// Days since the decision: how long the case has stood.
        public var days: Int
        public var jurisdiction: String
        public var region: String
        public var state: String
        /// What the record says (处罚类别, 名单名称, 履约情况).
        public var what: String
        /// How the case is closed (销号), in words.
        public var closes: String
    }

    public struct Body: Sendable, Encodable {
        public var name: String
        public var code: String
        public var category: String
        public var cases: Int
        /// The oldest case's days.
        public var longest: Int
    }

    public struct KindCount: Sendable, Encodable {
        public var kind: String
        public var cases: Int
    }

    public var today: String
    public var cases: [Case]
    public var bodies: [Body]
    public var kinds: [KindCount]
    /// No case: 零失信.
    public var clean: Bool

    /// The category a 机构编制 credit code's second character names.
    public static func category(of code: String) -> String {
        switch code.dropFirst().first {
        case "1": "机关"
        case "2": "事业单位"
        case "3": "群团组织"
        default: "其他机构编制单位"
        }
    }

    /// The ledger on `today`: every case in the node's area, oldest first.
    public static func compute(_ node: NodeContext, today: CivilDate) throws -> GovernmentIntegrity {
        let c = node.configuration
        let prefix = c.code.areaPrefix
        let areas = try node.childRegions()
        var cases: [Case] = []
        for record in try node.store.governmentBodyRecords(areaPrefix: prefix) {
            guard let kind = node.resolvedKinds[record.kind], let subject = record.subjectCode, (try? SocialCreditCode(subject)) != nil,
                let (what, closes) = standing(record, kind: kind, today: today)
            else { continue }
            let fields = record.fields
            cases.append(
                Case(
                    body: Masking.maskResidentIDs(in: fields[kind.kind.fullCode(kind.kind.subjectName)] ?? subject), code: subject,
                    category: category(of: subject), kind: kind.name, slug: kind.slug,
                    number: Masking.maskResidentIDs(in: record.key.split(separator: "|").last.map(String.init) ?? record.key),
                    key: Masking.maskResidentIDs(in: record.key), decisionDate: record.decisionDate ?? "",
                    days: record.decisionDate.flatMap(CivilDate.parse).map { today.dayNumber - $0.dayNumber } ?? 0,
                    jurisdiction: record.jurisdiction, region: areas.region(of: record.jurisdiction).name,
                    state: RecordState(rawValue: record.state)?.label ?? record.state,
                    what: Masking.maskResidentIDs(in: what), closes: closes))
        }
        var bodies: [String: Body] = [:]
        for k in cases {
            var body = bodies[k.code] ?? Body(name: k.body, code: k.code, category: k.category, cases: 0, longest: 0)
            body.cases += 1
            body.longest = max(body.longest, k.days)
            bodies[k.code] = body
        }
        let kinds = node.catalogue.kinds.compactMap { kind -> KindCount? in
            let n = cases.filter { $0.slug == kind.slug }.count
            return n == 0 ? nil : KindCount(kind: kind.name, cases: n)
        }
        return GovernmentIntegrity(
            today: today.iso, cases: cases,
            bodies: bodies.values.sorted { ($0.cases, $0.longest, $1.code) > ($1.cases, $1.longest, $0.code) }, kinds: kinds,
            clean: cases.isEmpty)
    }

    /// Whether `record` stands against its subject today — with what it says and how it closes —
    /// or nil: a commitment not kept in full once checked; a record of a kind that takes credit
    /// repair or lists to sanction, while the public still sees it.
    static func standing(_ record: StoredRecord, kind: ResolvedKind, today: CivilDate) -> (what: String, closes: String)? {
        let fields = record.fields
        let value = { (code: String) in fields[kind.kind.fullCode(code)] ?? "" }
        if let rule = kind.kind.fulfilment {
            let outcome = value(rule.field)
            guard !outcome.isEmpty, outcome != rule.kept else { return nil }
            return ("\(value(rule.matter))：\(outcome)", "受理单位核实后依法依规处理；承诺主体补正履约、受理单位报送履约情况为\(rule.kept)后销号")
        }
        let sanctions = kind.kind.listing?.effect == "sanction"
        let repairable = kind.kind.publicity.map { $0.repairDefaultMinimumMonths != nil || $0.repairMinimumMonthsByValue != nil } ?? false
        guard sanctions || repairable, PublicRecord.isShown(record, kind: kind, today: today) else { return nil }
        if let listing = kind.kind.listing {
            return (value(listing.name), "履行相关义务、纠正失信行为后，由认定单位移出名单或经信用修复后销号")
        }
        // A penalty by its 处罚类别 (the field its publicity period follows), as a person reads it.
        let what = kind.kind.publicity?.monthsField.flatMap { code in kind.index[code].map { kind.readable(value(code), field: $0) } } ?? ""
        let until = record.publicityUntil.map { "，公示期至 \($0)" } ?? ""
        return (what, "纠正失信行为、履行处罚决定后申请信用修复\(until)；修复或公示期满后销号")
    }
}
