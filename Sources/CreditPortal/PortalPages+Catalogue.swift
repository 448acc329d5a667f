import CreditDomain
import Foundation

/// 信用信息公示目录 (seed 003 item 6: 编制发布公共信用信息目录; seed 004 item 5: 信用信息资源目录): what
/// the site publishes and for how long, kind by kind — read from the catalogue the node runs
/// with, so that the page says what the node does (a catalogue received from the network changes
/// both at the node's next start). For each kind the public sees: how many records are shown now,
/// the time limit for publishing it, how long a record stays shown, when its subject may ask for
/// credit repair (`ResolvedKind.periodInWords`, `repairInWords`), and which fields are shown
/// (masked ones marked).
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
    public typealias Line = RuleInWords

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
        let repair = kind.repairInWords
        let masked = Set(kind.kind.masked)
        return CataloguePage.Entry(
            kind: kind.slug, name: kind.name, scope: kind.scope.chineseName, shown: shown, hasShown: (shown ?? 0) > 0,
            authorisedOnly: kind.scope == .authorised, link: link,
            networkWide: kind.kind.networkWide,
            deadline: kind.deadlineInWords, period: kind.periodInWords, repair: repair, hasRepair: !repair.isEmpty,
            fields: kind.fields.map { CataloguePage.Field(name: $0.name, masked: masked.contains($0.code)) }, fieldCount: kind.fields.count)
    }
}
