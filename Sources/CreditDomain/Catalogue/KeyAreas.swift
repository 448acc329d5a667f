import Foundation

/// 重点领域预警 as catalogue data (seed 002 (九): 加强对食品卫生、安全生产、金融诈骗、生态环境、工资社保等
/// 失信事件频发、高发的重点领域，加快建立完善预警机制): which records count as dishonesty in which key
/// area — a record of `kind` one of whose `fields` holds one of an area's keywords (a record may
/// count in several; `NodeStore.keywordCounts` matches them) — and when a month's count is a warning: at least `minimum`, and at least `ratio`
/// times the average of the `baselineMonths` whole months before it (any count of `minimum` or
/// more when that average is 0).
public struct KeyAreas: Codable, Sendable, Hashable {
    public struct Area: Codable, Sendable, Hashable {
        public var name: String
        public var keywords: [String]

        public init(name: String, keywords: [String]) {
            self.name = name
            self.keywords = keywords
        }
    }

    /// The kind counted (行政处罚).
    public var kind: String
    /// The fields read for keywords (bare codes: 违法行为类型, 违法事实, 处罚机关).
    public var fields: [String]
    public var areas: [Area]
    public var ratio: Double
    public var minimum: Int
    public var baselineMonths: Int
    /// Where the rule comes from.
    public var source: String?

    /// When a month is a warning, as the office's page and `kinds --rules` say it:
    /// 至少 5 件，且不低于前 5 个月月均的 1.5 倍.
    public var ruleInWords: String {
        let ratio = ratio.rounded() == ratio ? String(Int(ratio)) : String(ratio)
        return "至少 \(minimum) 件，且不低于前 \(baselineMonths) 个月月均的 \(ratio) 倍"
    }

    /// Whether `count` in a month is a warning against the average of the months before it.
    public func isWarning(_ count: Int, baseline: Double) -> Bool {
        count >= minimum && Double(count) >= ratio * baseline
    }

    /// The first thing wrong with the rule, as an operator fixes it; nil when it is usable with `kinds`.
    func problem(kinds: [String: ResolvedKind]) -> String? {
        guard let resolved = kinds[kind] else { return "keyAreas.kind '\(kind)' is not a kind of the catalogue" }
        if fields.isEmpty { return "keyAreas.fields is empty: name the fields read for keywords (e.g. WFXW)" }
        if let unknown = fields.first(where: { resolved.index[$0] == nil }) { return "keyAreas.fields names \(unknown), not a field of \(kind)" }
        if areas.isEmpty { return "keyAreas.areas is empty" }
        var names = Set<String>()
        for a in areas {
            if a.name.trimmingCharacters(in: .whitespaces).isEmpty { return "keyAreas: an area has no name" }
            if !names.insert(a.name).inserted { return "keyAreas: area \(a.name) appears twice" }
            if a.keywords.isEmpty || a.keywords.contains(where: { $0.trimmingCharacters(in: .whitespaces).isEmpty }) {
                return "keyAreas: area \(a.name) needs keywords, none empty"
            }
        }
        if !(ratio > 1) { return "keyAreas.ratio must be more than 1 (a warning is a rise), not \(ratio)" }
        if minimum < 1 { return "keyAreas.minimum must be at least 1, not \(minimum)" }
        if !(1...12).contains(baselineMonths) { return "keyAreas.baselineMonths must be 1 to 12, not \(baselineMonths)" }
        return nil
    }
}
