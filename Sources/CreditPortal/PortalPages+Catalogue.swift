import CreditDomain
import Foundation

/// 信用信息公示目录: what the site publishes and for how long, kind by kind — read from the
/// catalogue the node runs with, so that the page says what the node does (a catalogue received
/// from the network changes both at the node's next start). For each kind the public sees: how many records are shown now, the
/// time limit for publishing it, how long a record stays shown, when its subject may ask for
/// credit repair, and which fields are shown (masked ones marked).
public struct CataloguePage: Sendable, Encodable {
    /// One kind of record.
    public struct Entry: Sendable, Encodable {
        /// The kind's slug: the entry's anchor (`/catalogue#penalty`).
        public var kind: String
        public var name: String
        /// 社会公开, 授权查询, 政务共享.
        public var scope: String
        /// Records the public sees now (public kinds).
        public var shown: Int?
        /// Some are shown now.
        public var hasShown: Bool
        /// Shown only with the subject's authorisation (授权查询): no count.
        public var authorisedOnly: Bool
        /// The listing that shows them, or the 授权查询 page.
        public var link: String?
        /// Every node publishes it (严重失信主体名单, 红名单), not only the area's own.
        public var networkWide: Bool
        /// 公示时限: within how many working days of the decision the record must be published.
        public var deadline: String?
        /// 公示期限: how long a record is shown, case by case.
        public var period: [Line]
        /// 信用修复: the minimum publicity period before repair, case by case; empty when the kind has none.
        public var repair: [Line]
        public var hasRepair: Bool
        /// 公示内容: the fields shown, in the order of a record's page.
        public var fields: [Field]
        public var fieldCount: Int
    }

    /// One case of a rule: to what it applies, and what it says.
    public struct Line: Sendable, Encodable, Equatable {
        public var when: String
        public var rule: String
    }

    public struct Field: Sendable, Encodable, Equatable {
        public var name: String
        /// Shown with part of it hidden (证件号码).
        public var masked: Bool
    }

    public var site: Site
    public var title: String
    /// The catalogue's version, as signed.
    public var version: String
    /// Kinds shown to everyone (社会公开).
    public var open: [Entry]
    /// Kinds shown only to whom the subject authorised (授权查询).
    public var authorised: [Entry]
    public var hasAuthorised: Bool
    /// Kinds shared between government bodies only (政务共享): named, never shown.
    public var shared: [String]
    public var hasShared: Bool
    /// The time limit for deciding an objection, when the catalogue sets one.
    public var objection: String?
}

extension PortalPages {
    /// The address of the page, and of a kind's entry on it.
    static let cataloguePath = "/catalogue"
    static func catalogueLink(_ slug: String) -> String { cataloguePath + "#" + slug }

    /// `/catalogue`: the catalogue as the public reads it, with today's counts (the home page's,
    /// kept for a minute).
    public func catalogue(today: CivilDate, now: Date = Date()) throws -> CataloguePage {
        let counts = try self.counts.value(today: today.iso, now: now) { try node.store.publicCounts(scope: scope(today)) }
        let catalogue = node.catalogue
        var open: [CataloguePage.Entry] = []
        var authorised: [CataloguePage.Entry] = []
        var shared: [String] = []
        for slug in catalogue.kinds.map(\.slug) {
            guard let kind = kinds[slug] else { continue }
            switch kind.scope {
            case .public:
                open.append(Self.entry(kind, shown: counts[slug] ?? 0, link: listingLink(slug)))
            case .authorised:
                authorised.append(Self.entry(kind, shown: nil, link: "/authorised"))
            case .government:
                shared.append(kind.name)
            }
        }
        let objection = catalogue.objectionWorkingDays.map {
            "信息提供单位自异议受理之日起 \($0.decide) 个工作日内作出处理决定；需要其他单位协助核查的，\($0.assisted) 个工作日内。核查期间，记录标注“异议处理中”。"
        }
        return CataloguePage(
            site: site(), title: "公示目录", version: catalogue.version, open: open, authorised: authorised, hasAuthorised: !authorised.isEmpty,
            shared: shared, hasShared: !shared.isEmpty, objection: objection)
    }

    /// A kind's entry: its rules put into words from the catalogue's data.
    static func entry(_ kind: ResolvedKind, shown: Int?, link: String?) -> CataloguePage.Entry {
        let repair = repairLines(kind)
        let masked = Set(kind.kind.masked)
        return CataloguePage.Entry(
            kind: kind.slug, name: kind.name, scope: kind.scope.chineseName, shown: shown, hasShown: (shown ?? 0) > 0,
            authorisedOnly: kind.scope == .authorised, link: link,
            networkWide: kind.kind.networkWide,
            deadline: kind.kind.publicationWorkingDays.map { "自\(decisionName(kind))起 \($0) 个工作日内公示" },
            period: periodLines(kind), repair: repair, hasRepair: !repair.isEmpty,
            fields: kind.fields.map { CataloguePage.Field(name: $0.name, masked: masked.contains($0.code)) }, fieldCount: kind.fields.count)
    }

    /// 公示期限 in words: a date the record gives first, then months by the value of the rule's
    /// field (grouped, in the enumeration's order), the default, and while which state it is shown.
    static func periodLines(_ kind: ResolvedKind) -> [CataloguePage.Line] {
        guard let rule = kind.kind.publicity else { return [CataloguePage.Line(when: "全部", rule: "不设公示期限，信息有效期间持续公示")] }
        var lines: [CataloguePage.Line] = []
        if let field = rule.shownWhileField, let values = rule.shownWhileValues, let i = kind.index[field] {
            let states = values.map { "“\(kind.readable($0, field: i))”" }.joined(separator: "或")
            lines.append(.init(when: "公示条件", rule: "\(kind.fields[i].name)为\(states)时公示"))
        }
        let untilNames = (rule.untilFields ?? []).compactMap { kind.index[$0].map { kind.fields[$0].name } }
        let byMonths = monthGroups(rule.monthsByValue, field: rule.monthsField, kind: kind)
        if !untilNames.isEmpty {
            let named = untilNames.joined(separator: "或")
            lines.append(.init(when: "载明\(named)的", rule: untilNames.count > 1 ? "公示至其中较早的日期" : "公示至\(named)"))
        }
        for group in byMonths {
            lines.append(.init(when: group.values.joined(separator: "、"), rule: "自\(decisionName(kind))起公示 \(span(group.months))"))
        }
        if let months = rule.defaultMonths {
            lines.append(
                .init(
                    when: byMonths.isEmpty ? "其余" : "未注明\(monthsFieldName(rule.monthsField, kind: kind))的",
                    rule: "自\(decisionName(kind))起公示 \(span(months))"))
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
    static func repairLines(_ kind: ResolvedKind) -> [CataloguePage.Line] {
        guard let rule = kind.kind.publicity else { return [] }
        var lines: [CataloguePage.Line] = []
        let groups = monthGroups(rule.repairMinimumMonthsByValue, field: rule.monthsField, kind: kind)
        for group in groups {
            lines.append(.init(when: group.values.joined(separator: "、"), rule: repairRule(group.months, kind: kind)))
        }
        if let months = rule.repairDefaultMinimumMonths {
            lines.append(
                .init(when: groups.isEmpty ? "全部" : "未注明\(monthsFieldName(rule.monthsField, kind: kind))的", rule: repairRule(months, kind: kind)))
        }
        return lines
    }

    static func repairRule(_ months: Int, kind: ResolvedKind) -> String {
        months == 0
            ? "履行法定责任和义务、纠正失信行为后即可申请"
            : "最短公示期 \(span(months))（自\(decisionName(kind))起），期满后可申请"
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
