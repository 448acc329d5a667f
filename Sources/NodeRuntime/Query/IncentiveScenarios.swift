import CreditDomain
import CreditStore
import Foundation

/// “信易+”守信激励场景 (seed 004 item 12: 探索“信易+”应用场景……围绕减免费用、享受优惠、免交押金、
/// 降低门槛、绿色通道、享受便利等方面扩大“信易+”应用场景……确保“信用+”激励场景应用增加到15个以上):
/// the incentive scenarios the departments of the node's area offer trustworthy subjects, as
/// records of the kind `incentive` in force (within their 有效期至, not withdrawn) — counted by
/// 激励类别 and by child region against the target, and listed newest first. What `/ops/incentives`
/// and `credit-node incentives` show; the public reads the same scenarios on the portal's
/// `/incentives`.
public struct IncentiveScenarios: Sendable, Encodable {
    public static let kind = "incentive"
    /// The scenarios an area is to offer (seed 004 item 12: 增加到15个以上).
    public static let target = 15
    /// The field of a scenario's 激励类别.
    public static let classField = "JLLB"

    /// The 激励类别 of `kind`, in the catalogue's order, when it has them (a scenario's kind).
    public static func classes(of kind: ResolvedKind?) -> [String] {
        guard let kind, kind.index[classField] != nil else { return [] }
        return kind.enumerationValues(of: classField)
    }

    public struct Scenario: Sendable, Encodable {
        public var recordKey: String
        public var number: String
        public var name: String
        public var category: String
        public var beneficiaries: String
        public var content: String
        public var publisher: String
        public var published: String
        public var until: String?
        public var region: String
    }

    public struct Count: Sendable, Encodable {
        public var name: String
        public var count: Int
    }

    public struct Region: Sendable, Encodable {
        public var code: String
        public var name: String
        public var scenarios: Int
        /// How many of the 激励类别 its scenarios cover.
        public var categories: Int
    }

    public var today: String
    public var target: Int
    public var total: Int
    public var reached: Bool
    /// Scenarios still to add to reach the target (0 once reached).
    public var missing: Int
    /// Every 激励类别 of the catalogue, in its order, with its scenarios (0 included).
    public var categories: [Count]
    /// This node's own level first, then each child region, with their scenarios.
    public var regions: [Region]
    /// The scenarios in force, newest first.
    public var scenarios: [Scenario]

    /// The area's scenarios on `today`; nil when the catalogue has no kind `incentive`.
    public static func compute(_ node: NodeContext, today: CivilDate) throws -> IncentiveScenarios? {
        guard let kind = node.resolvedKinds[Self.kind] else { return nil }
        let read = ["CJBH", "CJMC", Self.classField, "SYDX", "NR", "FBDW", "YXQZ"].filter { kind.index[$0] != nil }
        let value = { (one: ListedSubject, code: String) -> String in read.firstIndex(of: code).map { one.values[$0] } ?? "" }
        let regions = try node.childRegions()
        var scenarios: [Scenario] = []
        var perCategory: [String: Int] = [:]
        var perRegion: [String: (scenarios: Int, categories: Set<String>)] = [:]
        for one in try node.listedInForce(kind, today: today, fields: read) {
            let region = regions.region(of: one.jurisdiction)
            let category = value(one, Self.classField)
            perCategory[category, default: 0] += 1
            perRegion[region.code, default: (0, [])].scenarios += 1
            perRegion[region.code]!.categories.insert(category)
            let until = value(one, "YXQZ")
            scenarios.append(
                Scenario(
                    recordKey: one.recordKey, number: value(one, "CJBH"), name: Masking.maskResidentIDs(in: value(one, "CJMC")), category: category,
                    beneficiaries: Masking.maskResidentIDs(in: value(one, "SYDX")), content: Masking.maskResidentIDs(in: value(one, "NR")),
                    publisher: value(one, "FBDW"), published: one.since, until: until.isEmpty ? nil : until, region: region.name))
        }
        scenarios.sort { ($0.published, $0.recordKey) > ($1.published, $1.recordKey) }
        let names = Self.classes(of: kind)
        let categories = (names + perCategory.keys.filter { !names.contains($0) }.sorted()).map { Count(name: $0, count: perCategory[$0] ?? 0) }
        let rows = [(regions.own.digits, "本级")] + regions.children.map { ($0.digits, regions.name(of: $0)) }
        let total = scenarios.count
        return IncentiveScenarios(
            today: today.iso, target: Self.target, total: total, reached: total >= Self.target, missing: max(0, Self.target - total),
            categories: categories,
            regions: rows.map { code, name in
                Region(code: code, name: name, scenarios: perRegion[code]?.scenarios ?? 0, categories: perRegion[code]?.categories.count ?? 0)
            }, scenarios: scenarios)
    }
}
