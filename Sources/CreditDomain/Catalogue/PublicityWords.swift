/// One case of a publication rule as a person reads it (公示目录, `credit-node kinds --rules`): to
/// what it applies, and what it says.
public struct RuleInWords: Sendable, Hashable, Codable {
    public var when: String
    public var rule: String

    public init(when: String, rule: String) {
        self.when = when
        self.rule = rule
    }
}

/// A kind's publication rules put into words from the catalogue's data — what the portal's 公示目录
/// shows and `kinds --rules` prints — so that what the public reads is what the node does.
extension ResolvedKind {
    /// 公示时限: within how many working days of the decision a record is to be published.
    public var deadlineInWords: String? {
        kind.publicationWorkingDays.map { "自\(Self.decisionName(self))起 \($0) 个工作日内公示" }
    }

    /// 公示期限 in words: a date the record gives first, then months by the value of the rule's
    /// field (grouped, in the enumeration's order), the default, and while which state it is shown.
    public var periodInWords: [RuleInWords] {
        let kind = self
        guard let rule = kind.kind.publicity else { return [RuleInWords(when: "全部", rule: "不设公示期限，信息有效期间持续公示")] }
        var lines: [RuleInWords] = []
        if let field = rule.shownWhileField, let values = rule.shownWhileValues, let i = kind.index[field] {
            let states = values.map { "“\(kind.readable($0, field: i))”" }.joined(separator: "或")
            lines.append(.init(when: "公示条件", rule: "\(kind.fields[i].name)为\(states)时公示"))
        }
        let untilNames = (rule.untilFields ?? []).compactMap { kind.index[$0].map { kind.fields[$0].name } }
        let byMonths = Self.monthGroups(rule.monthsByValue, field: rule.monthsField, kind: kind)
        if !untilNames.isEmpty {
            let named = untilNames.joined(separator: "或")
            lines.append(.init(when: "载明\(named)的", rule: untilNames.count > 1 ? "公示至其中较早的日期" : "公示至\(named)"))
        }
        for group in byMonths {
            lines.append(.init(when: group.values.joined(separator: "、"), rule: "自\(Self.decisionName(kind))起公示 \(Self.span(group.months))"))
        }
        if let months = rule.defaultMonths {
            lines.append(
                .init(
                    when: byMonths.isEmpty ? "其余" : "未注明\(Self.monthsFieldName(rule.monthsField, kind: kind))的",
                    rule: "自\(Self.decisionName(kind))起公示 \(Self.span(months))"))
        }
        if byMonths.count > 1, let field = rule.monthsField, let i = kind.index[field], kind.fields[i].multiple == true {
            lines.append(.init(when: "同时有多个\(kind.fields[i].name)的", rule: "按其中最长的期限"))
        }
        if byMonths.isEmpty && rule.defaultMonths == nil {
            let when = untilNames.isEmpty ? "期限" : "未载明\(untilNames.joined(separator: "或"))的"
            lines.append(.init(when: when, rule: "不设公示期限，信息有效期间持续公示"))
        }
        return lines
    }

    /// 信用修复 in words: the minimum publicity period by the value of the rule's field, then the default.
    public var repairInWords: [RuleInWords] {
        let kind = self
        guard let rule = kind.kind.publicity else { return [] }
        var lines: [RuleInWords] = []
        let groups = Self.monthGroups(rule.repairMinimumMonthsByValue, field: rule.monthsField, kind: kind)
        for group in groups {
            lines.append(.init(when: group.values.joined(separator: "、"), rule: Self.repairRule(group.months, kind: kind)))
        }
        if let months = rule.repairDefaultMinimumMonths {
            lines.append(
                .init(
                    when: groups.isEmpty ? "全部" : "未注明\(Self.monthsFieldName(rule.monthsField, kind: kind))的",
                    rule: Self.repairRule(months, kind: kind)))
        }
        return lines
    }

    static func repairRule(_ months: Int, kind: ResolvedKind) -> String {
        months == 0
            ? "履行法定责任和义务、纠正失信行为后即可申请"
            : "最短公示期 \(Self.span(months))（自\(Self.decisionName(kind))起），期满后可申请"
    }

    /// A table of months by value, grouped by months (shortest first), each group's values in
    /// the enumeration's order and read as a person reads them.
    static func monthGroups(_ table: [String: Int]?, field: String?, kind: ResolvedKind) -> [(months: Int, values: [String])] {
        guard let table, !table.isEmpty else { return [] }
        let i = field.flatMap { kind.index[$0] }
        let order = field.map { kind.enumerationValues(of: $0) } ?? []
        let rank = Dictionary(order.enumerated().map { ($1, $0) }, uniquingKeysWith: { a, _ in a })
        let values = table.keys.sorted { (rank[$0] ?? Int.max, $0) < (rank[$1] ?? Int.max, $1) }
        var groups: [(months: Int, values: [String])] = []
        for months in Set(table.values).sorted() {
            let named = values.filter { table[$0] == months }.map { value in i.map { kind.readable(value, field: $0) } ?? value }
            groups.append((months, named))
        }
        return groups
    }

    /// The name of the field publicity is counted from (处罚决定日期, 列入日期), or 决定日期.
    static func decisionName(_ kind: ResolvedKind) -> String {
        kind.kind.decisionDate.flatMap { kind.index[$0] }.map { kind.fields[$0].name } ?? "决定日期"
    }

    static func monthsFieldName(_ field: String?, kind: ResolvedKind) -> String {
        field.flatMap { kind.index[$0] }.map { kind.fields[$0].name } ?? "类别"
    }

    /// `36` → `3 年`, `3` → `3 个月`.
    static func span(_ months: Int) -> String {
        months > 0 && months % 12 == 0 ? "\(months / 12) 年" : "\(months) 个月"
    }
}
