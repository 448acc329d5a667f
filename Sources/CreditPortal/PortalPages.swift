import ChangeSets
import CreditDomain
import CreditStore
import Foundation
import NodeRuntime
import Synchronization

/// What every page shows around its content: the site (this node's area) and its navigation.
public struct Site: Sendable, Encodable {
    /// 信用 + the area's name: 信用湖北省, 信用大智一村.
    public var title: String
    public var areaName: String
    public var code: String
    public var tier: String
    /// The search box's text (masked when it is a resident ID number).
    public var query: String
    /// The 信用 sites of the divisions above this one, the province first, as the division
    /// directory gives them (信用网站互联互通): linked from every page's footer.
    public var above: [SiteLink] = []
    public var hasAbove: Bool = false
    /// The portal listens on an IPv6 address (政府网站支持 IPv6: said in the footer).
    public var ipv6: Bool = false
}

/// Another division's 信用 site: its title (信用 + the division's name) and public address.
public struct SiteLink: Sendable, Encodable, Equatable {
    public var name: String
    public var url: String
    /// A page of that site for what the reader was looking at (a search, a subject), if any.
    public var link: String? = nil
}

/// A record kind with how many of its records the public sees.
public struct KindCount: Sendable, Encodable {
    public var kind: String
    public var name: String
    public var count: Int
    /// The kind's listing (`PortalPages.listings`).
    public var link: String?
}

/// A row of a listing (`/`, `/publicity/…`, `/lists/…`): one record, its subject linked.
public struct ListingRow: Sendable, Encodable {
    /// The row's heading: the subject's name in listings, the decision on a subject's page.
    public var title: String
    public var record: PublicRecord
    /// `/records/…`, `/subjects/…` (nil: a record without a subject code).
    public var recordLink: String
    public var subjectLink: String?
    /// The kind's main content field (处罚内容, 许可内容, 惩戒措施 …), shortened.
    public var summary: String?
    /// The row carries its kind's tag; not where its title already names the kind.
    public var tagged = true
    /// The subject's name, where the title is the record's own (a typical case's).
    public var subjectName: String?
    /// A typical case's 奖惩类别 (守信激励, 失信惩戒) or a 信易+ scenario's 激励类别, tagged in
    /// stead of the kind.
    public var category: String?
    /// The category is a reward (green), not a sanction (red).
    public var rewarding = false

    enum CodingKeys: String, CodingKey {
        case title, record, recordLink, subjectLink, summary, tagged, subjectName, category, rewarding
    }

    /// As JSON, the whole record; to a template, the record without its fields, which no row
    /// shows (their encoding was a tenth of a subject page's CPU).
    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(title, forKey: .title)
        if encoder is TemplateValue.TemplateEncoder {
            var shown = record
            shown.fields = []
            try c.encode(shown, forKey: .record)
        } else {
            try c.encode(record, forKey: .record)
        }
        try c.encode(recordLink, forKey: .recordLink)
        try c.encodeIfPresent(subjectLink, forKey: .subjectLink)
        try c.encodeIfPresent(summary, forKey: .summary)
        try c.encode(tagged, forKey: .tagged)
        try c.encodeIfPresent(subjectName, forKey: .subjectName)
        try c.encodeIfPresent(category, forKey: .category)
        if category != nil { try c.encode(rewarding, forKey: .rewarding) }
    }
}

public struct HomePage: Sendable, Encodable {
    public var site: Site
    public var title: String
    public var counts: [KindCount]
    public var total: Int
    public var latest: [ListingRow]
    /// The newest typical cases (联合奖惩典型案例), when the area has published any.
    public var cases: [ListingRow]
    public var hasCases: Bool
    /// The newest 信用动态 articles.
    public var news: [NewsPage.Item] = []
    public var hasNews = false
    /// The sites of the divisions directly below (a county's townships …) that have one.
    public var below: [SiteLink] = []
    public var hasBelow: Bool = false
}

public struct SearchHit: Sendable, Encodable {
    public var name: String
    /// The name in pieces, the searched fragment's first occurrence marked (`hit`).
    public var nameParts: [NamePart]
    /// The code as shown (a person's masked).
    public var code: String
    public var isPerson: Bool
    public var link: String
    /// What the public sees of the subject, by kind (`PortalPages.publicSummary`).
    public var summary: [KindCount]
}

public struct NamePart: Sendable, Encodable, Equatable {
    public var text: String
    public var hit: Bool

    /// `name` cut around the first occurrence of `fragment` — letters in either case, full-width
    /// and ASCII forms alike (（ and (), as the search finds them — (the whole name unmarked
    /// without one).
    public static func split(_ name: String, at fragment: String) -> [NamePart] {
        guard !fragment.isEmpty, let r = name.range(of: fragment, options: [.caseInsensitive, .widthInsensitive]) else {
            return [NamePart(text: name, hit: false)]
        }
        return [
            NamePart(text: String(name[..<r.lowerBound]), hit: false), NamePart(text: String(name[r]), hit: true),
            NamePart(text: String(name[r.upperBound...]), hit: false),
        ].filter { !$0.text.isEmpty }
    }

    /// `text` with every occurrence of any of `terms` marked (letters in either case); the whole
    /// text unmarked when there are none.
    public static func marked(_ text: String, terms: [String]) -> [NamePart] {
        guard !terms.isEmpty else { return [NamePart(text: text, hit: false)] }
        var parts: [NamePart] = []
        var plain = text.startIndex
        var at = text.startIndex
        while at < text.endIndex {
            // The longest term that starts here.
            let found = terms.compactMap { t -> Range<String.Index>? in
                guard !t.isEmpty, let r = text.range(of: t, options: [.caseInsensitive, .anchored], range: at..<text.endIndex) else { return nil }
                return r
            }.max { $0.upperBound < $1.upperBound }
            guard let r = found else {
                at = text.index(after: at)
                continue
            }
            if plain < r.lowerBound { parts.append(NamePart(text: String(text[plain..<r.lowerBound]), hit: false)) }
            parts.append(NamePart(text: String(text[r]), hit: true))
            plain = r.upperBound
            at = r.upperBound
        }
        if plain < text.endIndex || parts.isEmpty { parts.append(NamePart(text: String(text[plain...]), hit: false)) }
        return parts
    }
}

public struct SearchPage: Sendable, Encodable {
    public var site: Site
    public var title: String
    public var query: String
    /// `code` (an exact credit code or ID number) or `name` (a fragment of a name).
    public var by: String
    public var hits: [SearchHit]
    public var next: String?
    /// Why nothing was searched (too short, too long …), else nil.
    public var notice: String?
    public var empty: Bool
    /// The query was a former code (a 工商注册号 …): which credit code it leads to.
    public var formerNote: String? = nil
    /// The site of the top of the network (the province's, which holds every area's records),
    /// with the same search there — the query left out when it holds an ID number — for a node
    /// below it.
    public var wider: SiteLink? = nil
    /// The area's 信用动态 holding the words searched: how many, the newest few, and the whole
    /// search on `/news`; nil when none does (or a code was searched).
    public var articles: ArticleHits? = nil
    /// The query was a decision's document number (决定文书号): the records the public sees
    /// that bear it (`by` is then `number`).
    public var document: DocumentHits? = nil
    /// The query may have been a document number, but no record the public sees bears it (nor
    /// does a subject's name hold it): the empty page says so.
    public var numberTried = false
}

/// The records a search by document number found.
public struct DocumentHits: Sendable, Encodable {
    /// The number as it was typed (an ID number in it masked).
    public var number: String
    public var count: Int
    public var rows: [ListingRow]
    /// More records bear it than are listed (`PortalPages.documentRowsMax`).
    public var more: Bool
}

/// Articles a site search found besides subjects.
public struct ArticleHits: Sendable, Encodable {
    /// How many, as `NewsPage.found` says it.
    public var count: String
    public var items: [NewsPage.Item]
    public var link: String
}

public struct ListEntry: Sendable, Encodable {
    public var row: ListingRow
    /// 惩戒措施 / 激励措施 and the list's name, when the kind has them.
    public var measures: String?
    public var listName: String?
    /// 列入原因 and 有效期至, when given.
    public var reason: String?
    public var until: String?
}

public struct SubjectPage: Sendable, Encodable {
    public var site: Site
    public var title: String
    public var name: String
    public var code: String
    public var isPerson: Bool
    /// What the public sees of the subject, by kind, on every page of its records.
    public var summary: [KindCount]
    public var listings: [ListEntry]
    public var records: [ListingRow]
    /// `/reports/…`: the subject's credit report.
    public var reportLink: String
    public var empty: Bool
    /// Which page of the subject's records this is (from 1), and the links to its neighbours.
    public var page: Int
    public var previousLink: String?
    public var nextLink: String?
    /// More than one page: the pager is shown.
    public var paged: Bool
    /// An organisation's former codes the records give (`工商注册号 4201…`), its organisation code
    /// among them: records filed under them alone are on this page.
    public var formerCodes: [String] = []
    /// A subject filed under a former code that the records map to a credit code: that code and
    /// its page, where these records are too.
    public var currentCode: String? = nil
    public var currentLink: String? = nil
    /// An organisation's page on the top of the network's site, which holds every area's records.
    public var wider: SiteLink? = nil
    /// 失信举报's form with this organisation's name and code filled in (none for a person).
    public var complaintLink: String? = nil

    /// What the code on the page is: 统一社会信用代码, 证件号码 (a resident's or another document's),
    /// or 工商注册号 (a business filed under its registration number).
    public var codeLabel = "统一社会信用代码"

    enum CodingKeys: String, CodingKey {
        case site, title, name, code, isPerson, summary, listings, records, reportLink, empty, page, previousLink, nextLink, paged
        case formerCodes, hasFormerCodes, currentCode, currentLink, codeLabel, wider, complaintLink
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(site, forKey: .site)
        try c.encode(title, forKey: .title)
        try c.encode(name, forKey: .name)
        try c.encode(code, forKey: .code)
        try c.encode(isPerson, forKey: .isPerson)
        try c.encode(summary, forKey: .summary)
        try c.encode(listings, forKey: .listings)
        try c.encode(records, forKey: .records)
        try c.encode(reportLink, forKey: .reportLink)
        try c.encode(empty, forKey: .empty)
        try c.encode(page, forKey: .page)
        try c.encodeIfPresent(previousLink, forKey: .previousLink)
        try c.encodeIfPresent(nextLink, forKey: .nextLink)
        try c.encode(paged, forKey: .paged)
        try c.encode(formerCodes, forKey: .formerCodes)
        try c.encode(!formerCodes.isEmpty, forKey: .hasFormerCodes)
        try c.encodeIfPresent(currentCode, forKey: .currentCode)
        try c.encodeIfPresent(currentLink, forKey: .currentLink)
        try c.encode(codeLabel, forKey: .codeLabel)
        try c.encodeIfPresent(wider, forKey: .wider)
        try c.encodeIfPresent(complaintLink, forKey: .complaintLink)
    }
}

/// A record under objection: when the objection was accepted, and by when the unit that owns the
/// record is to decide it (catalogue `objectionWorkingDays`; none when it sets no limit).
public struct ObjectionNote: Sendable, Encodable, Hashable {
    public var openedOn: String
    /// The last day for the decision: the assisted one once another unit helps verify (协查).
    public var dueBy: String?
    /// The assisted limit, while no 协查 is marked.
    public var dueAssisted: String?
    /// Another unit helps verify (协查): `dueBy` is the assisted limit.
    public var assisted: Bool
}

/// How the latest objection to a record the public sees was decided: the day, the outcome as
/// the public reads it, the deciding unit and its finding (ID numbers masked).
public struct ObjectionDecision: Sendable, Encodable, Hashable {
    public var closedOn: String
    public var outcome: String
    public var unit: String
    public var finding: String
}

/// Where a record now lies when a correction moved it out of this node's area.
public struct MovedNote: Sendable, Encodable, Hashable {
    /// The area's 12-digit code, and its name when this node knows it (`NodeContext.areaName`).
    public var code: String
    public var areaName: String?
}

public struct RecordPage: Sendable, Encodable {
    public var site: Site
    public var title: String
    public var record: PublicRecord
    public var subjectLink: String?
    /// Published within its publication deadline (seven working days for 双公示).
    public var onTime: Bool
    public var hasDeadline: Bool
    public var originName: String
    /// When it entered the network, as a person reads it (`record.enteredAt` keeps the timestamp).
    public var enteredAt: String
    /// For a kind with a minimum publicity period (penalties, listings): when its subject may ask
    /// for credit repair (信用修复), and whom.
    public var repair: RepairNote?
    /// The record's own title (a typical case's), which heads the page.
    public var heading: String?
    /// The listing that shows the record's kind.
    public var listingLink: String?
    /// The kind's entry in the 公示目录 (its publicity and repair rules).
    public var catalogueLink: String
    /// A 信易贷 product's form to ask for it (`/loans/apply?product=…`).
    /// A record a correction moved to another area: its office takes objections and repair.
    public var movedTo: MovedNote?
    /// Under objection: since when, and the unit's time limit.
    public var objection: ObjectionNote?
    /// Its latest objection was decided: when, how and by whom (处理决定公示).
    public var objectionDecided: ObjectionDecision?
    /// The objection form's token (the same value as the `cn_csrf` cookie set with the page).
    public var csrf: String = ""
    public var nameMax = ObjectionDesk.nameMax
    public var contactMax = ObjectionDesk.contactMax
    public var reasonMax = ObjectionDesk.reasonMax
    /// The files (证明材料) a request may carry: at most this many, each at most this many MB.
    public var attachmentsMax = Attachments.max
    public var attachmentMB = Attachments.bytesMax >> 20
    /// A 信易贷 product's form to ask for it (`/loans/apply?product=…`).
    public var applyLink: String? = nil
}

/// When a record's subject may ask for credit repair: after the kind's minimum publicity period
/// from the decision (《信用修复管理办法》, the catalogue's `repairMinimumMonthsByValue`).
public struct RepairNote: Sendable, Encodable {
    /// The minimum period in months; `atOnce`: none (轻微失信, as soon as the penalty is carried out).
    public var months: Int
    public var atOnce: Bool
    /// The first day, `YYYY-MM-DD`.
    public var from: String
    /// That day has come.
    public var open: Bool
    /// Whom to ask: the deciding authority, when the record names it.
    public var authority: String?
}

/// A credit report as a page: the signed report's content, what proves each record, and the
/// link to the signed document itself.
public struct ReportPage: Sendable, Encodable {
    public struct Row: Sendable, Encodable {
        public var number: Int
        public var entry: CreditReport.Entry
        /// The entry's fields as a person reads them.
        public var fields: [Field]
        /// The first 16 hex digits of the leaf digest.
        public var leafShort: String
        public var proofLength: Int
        public var objected: Bool
    }
    public struct Field: Sendable, Encodable {
        public var label: String
        public var text: String
    }
    /// The rows alone, for the `report-rows` template.
    struct Rows: Sendable, Encodable {
        var rows: [Row]
    }
    public var site: Site
    public var title: String
    /// The report's head (its entries are in `rowsHTML`).
    public var report: CreditReport
    /// 2026年12月04日 08:47:41
    public var issuedAtText: String
    public var count: Int
    public var empty: Bool
    public var subjectLink: String
    public var jsonLink: String
    /// The rows as the engine rendered them from the same entries (every value escaped there):
    /// the same for every report on the subject until the store changes, so rendered once.
    public var rowsHTML: String
}

/// The answer to an objection submitted on the portal.
public struct ObjectionReceivedPage: Sendable, Encodable {
    public var site: Site
    public var title: String
    public var request: Int64
    public var recordLink: String
    /// The follow-up code, grouped (`ABCD-EFGH-JKMN`), and the page that shows the request's state.
    public var code: String
    public var statusLink: String
    /// A credit repair application (信用修复申请), not an objection.
    public var repair: Bool
}

/// `/objections/status`: where a request stands, found by its follow-up code. It shows the
/// request's number, when it was made, the record and the decision — never who made it, how to
/// reach them or what they wrote.
public struct ObjectionStatusPage: Sendable, Encodable {
    public struct Request: Sendable, Encodable {
        public var number: Int64
        /// 异议申诉 or 信用修复申请.
        public var purpose: String
        public var repair: Bool
        public var submittedAt: String
        /// The record as the public sees it named (kind and document number), and its page when
        /// the public still sees it.
        public var record: String
        public var recordLink: String?
        /// 待受理, 已受理, 已办结 (the objection since closed) or 不予受理 (a repair: 待审核, 准予修复, 不予修复).
        public var state: String
        public var pending: Bool
        public var accepted: Bool
        public var refused: Bool
        public var decidedAt: String?
        /// The refusal's reason (empty for others).
        public var reason: String?
        /// An objection accepted and still open: the last day for the unit's decision (the
        /// assisted one once another unit helps verify), and while none is marked the one for
        /// an assisted verification (catalogue `objectionWorkingDays`).
        public var dueBy: String?
        public var dueAssisted: String?
        /// Another unit helps verify (协查): `dueBy` is the assisted limit.
        public var assisted = false
        /// An objection accepted and since closed: when, and how (维持原记录, 记录已更正 …).
        public var closedOn: String?
        public var outcome: String?
        /// A request still pending whose record a correction moved out of this node's area since:
        /// the area that holds it now (its name and code), where the person asks instead.
        public var movedTo: String?
        /// How many files (证明材料) came with it (nil for none); never the files themselves.
        public var evidence: Int?
    }
    public var site: Site
    public var title: String
    /// What was asked, as typed (echoed into the form).
    public var code: String
    public var request: Request?
    /// Why nothing is shown (no code, a malformed one, none such).
    public var message: String?
}

public struct Filter: Sendable, Encodable {
    public var region: String
    public var authority: String
    public var from: String
    public var to: String
}

public struct RegionOption: Sendable, Encodable {
    public var code: String
    /// As its node's health records name it (仙桃市), else its code.
    public var name: String
    public var selected: Bool
}

public struct ListingPage: Sendable, Encodable {
    public var site: Site
    public var title: String
    /// `/publicity/penalty`, `/publicity/license`, `/lists/black`, `/lists/red`.
    public var path: String
    public var kindName: String
    public var filter: Filter
    public var regions: [RegionOption]
    public var rows: [ListingRow]
    public var next: String?
    public var csvLink: String
    public var empty: Bool
    public var filterable: Bool
    /// What the listing holds, in a sentence, where the title alone does not say it.
    public var intro: String?
    /// A “信易+” listing's 激励类别 to choose from (全部 first), else none.
    public var categories: [CategoryOption] = []
    public var hasCategories = false
    /// The kind's entry in the 公示目录, for a listing of one kind.
    public var catalogueLink: String?
    /// The same listing on the nearest site above (信易贷: an institution of a wider area publishes
    /// its products on that area's site, not on each village's); nil at the top or without sites.
    public var wider: SiteLink? = nil
}

public struct CategoryOption: Sendable, Encodable {
    public var name: String
    public var link: String
    public var selected: Bool
}

public struct ErrorPage: Sendable, Encodable {
    public var site: Site
    public var title: String
    public var status: Int
    public var message: String
}

/// Builds the portal's pages from the node's store: only what the public sees (`PublicRecord`),
/// every record vouched for by the store as it is read.
public struct PortalPages: Sendable {
    public let node: NodeContext
    let kinds: [String: ResolvedKind]
    /// The kinds the public sees, by slug.
    let publicKinds: [String]
    /// Every listing of the portal (`listings(publicKinds:kinds:)`).
    public let listings: [Listing]

    /// Issues reports, with the trees of change sets held whole kept across them.
    let issuer: ReportIssuer
    /// The portal listens on an IPv6 address (read once from the configuration).
    let portalOnIPv6: Bool
    /// The home page's counts by kind (a scan of every record): kept for a minute.
    let counts = CountsCache<[String: Int]>(seconds: 60)
    /// The 公示统计, kept for a minute too: every change a pull brings would otherwise build it
    /// again for the next reader.
    let statisticsKept = CountsCache<StatisticsPage>(seconds: 60)

    public static let pageSize = 20
    /// Typical cases on the home page.
    static let homeCases = 3
    /// Batches of search candidates read at most for one page of hits.
    static let searchRoundsMax = 5
    public static let queryCharactersMax = 50

    public init(node: NodeContext) throws {
        self.node = node
        issuer = ReportIssuer(node: node)
        kinds = node.resolvedKinds
        publicKinds = node.catalogue.kinds.map(\.slug).filter { node.resolvedKinds[$0]?.scope == .public }
        listings = Self.listings(publicKinds: publicKinds, kinds: kinds)
        portalOnIPv6 = node.configuration.portal.flatMap { try? HostPort.parse($0).get() }?.isIPv6 ?? false
    }

    /// What the public sees today; the listings and their counts keep to the node's area.
    func scope(_ today: CivilDate) -> PublicScope {
        var scope = PublicScope(kinds: publicKinds, today: today.iso)
        scope.area = node.configuration.code.areaPrefix
        scope.networkWideKinds = node.store.routes.networkWideKinds
        return scope
    }

    /// A listing of the portal: its path, the kinds it shows, its title.
    public struct Listing: Sendable {
        public var path: String
        public var kinds: [String]
        public var title: String
    }

    /// Every listing: the 双公示 pair and the two lists first, then one for each other kind the
    /// public sees (行政强制, 行政奖励, 信用承诺 … as the catalogue has them), in catalogue order.
    static func listings(publicKinds: [String], kinds: [String: ResolvedKind]) -> [Listing] {
        let fixed = [
            Listing(path: "/publicity/penalty", kinds: ["penalty"], title: "行政处罚公示"),
            Listing(path: "/publicity/license", kinds: ["license"], title: "行政许可公示"),
            Listing(path: "/lists/black", kinds: ["blacklist"], title: "严重失信主体名单"), Listing(path: "/lists/red", kinds: ["redlist"], title: "红名单"),
            Listing(path: "/cases", kinds: [TypicalCases.kind], title: "联合奖惩典型案例"),
            Listing(path: "/incentives", kinds: [IncentiveScenarios.kind], title: "“信易+”守信激励场景"),
            Listing(path: "/loans", kinds: [LoanDesk.kind], title: "信易贷产品"),
        ]
        // 信用动态 has pages of its own (`/news`).
        let taken = Set(fixed.flatMap(\.kinds) + [CreditNews.kind])
        return fixed
            + publicKinds.filter { !taken.contains($0) && kinds[$0]?.kind.networkWide != true }.map {
                Listing(path: "/publicity/\($0)", kinds: [$0], title: "\(kinds[$0]?.name ?? $0)公示")
            }
    }

    /// The listing that shows `slug`'s records.
    func listingLink(_ slug: String) -> String? {
        slug == CreditNews.kind ? Self.newsPath : listings.first { $0.kinds.contains(slug) }?.path
    }

    func site(query: String = "") -> Site {
        let c = node.configuration
        let area = c.name ?? c.code.digits
        // 信用中国 first, then the divisions' sites from the province down.
        let national = node.divisions?.national.map { SiteLink(name: $0.name, url: $0.site) }
        let above = (national.map { [$0] } ?? []) + sitesAbove()
        return Site(
            title: "信用\(area)", areaName: area, code: c.code.digits, tier: c.code.tier.name, query: Self.shownQuery(query), above: above,
            hasAbove: !above.isEmpty, ipv6: portalOnIPv6)
    }

    /// A division's site as the directory gives it, titled 信用 + its name.
    func siteLink(_ code: DivisionCode, in directory: DivisionDirectory) -> SiteLink? {
        directory.site(of: code).map { SiteLink(name: "信用" + (directory.name(of: code) ?? code.digits), url: $0) }
    }

    /// The sites of the divisions above this node, the province first (the national site is
    /// not a division's: it is linked, never searched).
    func sitesAbove() -> [SiteLink] {
        guard let directory = node.divisions else { return [] }
        return node.configuration.code.ancestors.compactMap { siteLink($0, in: directory) }
    }

    /// The top of the network's site (the first above with one) with `path` under it.
    func widerSite(_ path: String) -> SiteLink? {
        guard var top = sitesAbove().first else { return nil }
        top.link = top.url + path
        return top
    }

    /// What the search box shows back: a resident ID number masked (a page never holds one whole).
    static func shownQuery(_ q: String) -> String {
        Masking.shown(q)
    }

    /// A query as a link may carry it: nil when empty or when it holds a resident ID number.
    static func linkedQuery(_ q: String) -> String? {
        q.isEmpty || Masking.shown(q) != q ? nil : q
    }

    // MARK: Links

    /// A subject's page: organisations by their code, natural persons by their row (their ID
    /// number never appears in a page or a link).
    static func subjectLink(code: String?, id: Int64?) -> String? {
        guard let code else { return nil }
        if (try? ResidentID(code)) != nil { return id.map { "/subjects/~\($0)" } }
        return "/subjects/" + escapePath(code)
    }

    static func recordLink(_ key: String) -> String { "/records/" + escapePath(key) }

    /// Percent-encodes all but unreserved characters (a record key holds `|`, `/`, Chinese).
    /// Percent-encodes every byte of the UTF-8 but ASCII letters, digits and `-._~` (RFC 3986's
    /// unreserved characters), upper-case hex. (Byte by byte: building a `CharacterSet` for each
    /// link was 4 % of a subject page.)
    static func escapePath(_ s: String) -> String {
        let hex = Array("0123456789ABCDEF".utf8)
        var out: [UInt8] = []
        out.reserveCapacity(s.utf8.count)
        for b in s.utf8 {
            switch b {
            case UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"),
                UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "_"), UInt8(ascii: "~"):
                out.append(b)
            default:
                out += [UInt8(ascii: "%"), hex[Int(b >> 4)], hex[Int(b & 15)]]
            }
        }
        return String(decoding: out, as: UTF8.self)
    }

    func row(_ record: StoredRecord, today: CivilDate, subjectIDs: [String: Int64]) -> ListingRow? {
        let kind = kinds[record.kind]
        let values = record.fields
        guard let shown = PublicRecord.make(record, kind: kind, today: today, values: values) else { return nil }
        let summary = kind.flatMap { k in Self.summary(values, kind: k) }.map { PublicRecord.masked($0, code: "", kind: kind!) }
        // A record with a title of its own (a typical case's 案例标题) is headed by it, its subject named below.
        let heading = kind.flatMap { Self.heading(values, kind: $0) }
        // A typical case is tagged by its 奖惩类别, a 信易+ scenario by its 激励类别 (a reward).
        let joint = heading == nil ? nil : kind.flatMap { values[$0.kind.fullCode("JCLB")] }
        // A 信易贷 product by its 贷款类别, as a scenario by its class.
        let incentive = kind.flatMap { values[$0.kind.fullCode(IncentiveScenarios.classField)] ?? values[$0.kind.fullCode("DKLB")] }
        return ListingRow(
            title: heading ?? shown.subjectName ?? "（未署名）", record: shown, recordLink: Self.recordLink(record.key),
            subjectLink: Self.subjectLink(code: record.subjectCode, id: record.subjectCode.flatMap { subjectIDs[$0] }),
            summary: summary.map { $0.count > 60 ? String($0.prefix(60)) + "…" : $0 }, subjectName: heading == nil ? nil : shown.subjectName,
            category: joint ?? incentive, rewarding: joint.map { $0 == JointFeedback.reward } ?? (incentive != nil))
    }

    static let incentivesIntro =
        "本栏目公示本地区及下级地区各部门推出的“信易+”守信激励场景：在减免费用、享受优惠、免交押金、降低门槛、绿色通道、享受便利等方面，为信用良好的企业和个人提供便利。符合适用对象的，可按办理方式向发布单位申请；场景在有效期内公示。"

    static let casesIntro =
        "本栏目公示本地区及下级地区信用办审核发布的联合奖惩典型案例：各单位核查信用主体后实施守信激励或失信惩戒，报送执行反馈，经信用办审核整理后向社会公开。对案例有异议的，可在案例页面提出异议申诉。"

    /// A record's own title, where its kind gives one (a typical case's 案例标题, `ALBT`), a
    /// resident ID number in it masked as in any free text.
    static func heading(_ values: [String: String], kind: ResolvedKind) -> String? {
        values[kind.kind.fullCode("ALBT")].flatMap { $0.isEmpty ? nil : Masking.maskResidentIDs(in: $0) }
    }

    /// A row's line under its title: for a list entry, the list's name and why the subject is on
    /// it (or the measures); otherwise what was decided (内容, 承诺事项 …), after the violation
    /// for a penalty (违法行为类型 · 处罚内容) and the reward's name for a reward (奖励名称 · 奖励内容).
    static func summary(_ values: [String: String], kind: ResolvedKind) -> String? {
        let value = { (code: String) in values[kind.kind.fullCode(code)].flatMap { $0.isEmpty ? nil : $0 } }
        if let listing = kind.kind.listing, let name = value(listing.name) {
            return [name, value("LRYY") ?? value(listing.measures)].compactMap { $0 }.joined(separator: " · ")
        }
        let decided = ["ALZY", "NR", "CJCS", "JLCS", "LRYY", "CNSX", "CNNR", "MDMC"].lazy.compactMap(value).first
        // A 信易+ scenario: to whom, then what is given.
        if let whom = value("SYDX") { return ["适用对象：\(whom)", decided].compactMap { $0 }.joined(separator: " · ") }
        // A 信易贷 product: the institution, how much for how long, to whom.
        if let lender = value("JRJG"), let most = value("EDSX") {
            return [lender, "最高 \(most) 万元" + (value("QXSX").map { "、\($0) 个月" } ?? ""), value("FWDX").map { "服务对象：\($0)" }]
                .compactMap { $0 }.joined(separator: " · ")
        }
        // A penalty: what was done, then what was decided; a reward: its name, then what was given.
        return (value("WFXW") ?? value("JLMC")).map { [$0, decided].compactMap { $0 }.joined(separator: " · ") } ?? decided
    }

    /// Rows for records, with the subject rows a person's link needs.
    func rows(_ records: [StoredRecord], today: CivilDate) throws -> [ListingRow] {
        var ids: [String: Int64] = [:]
        for code in Set(records.compactMap(\.subjectCode)) where (try? ResidentID(code)) != nil {
            ids[code] = try node.store.subjectHit(code: code)?.id
        }
        return records.compactMap { row($0, today: today, subjectIDs: ids) }
    }

    // MARK: Pages

    public func home(today: CivilDate, now: Date = Date()) throws -> HomePage {
        let counts = try self.counts.value(today: today.iso, now: now) { try node.store.publicCounts(scope: scope(today)) }
        // The counts are of 公示信息 about subjects: the articles of 信用动态 are not.
        let order = publicKinds.filter { $0 != CreditNews.kind }
        let shown = order.compactMap { slug in
            counts[slug].map { KindCount(kind: slug, name: kinds[slug]?.name ?? slug, count: $0, link: listingLink(slug)) }
        }
        var query = ListingQuery(kinds: ["penalty", "license"], limit: 10)
        query.kinds = query.kinds.filter { kinds[$0] != nil }
        let latest = try rows(try node.store.listing(query, scope: scope(today)), today: today)
        let cases = try rows(
            try node.store.listing(ListingQuery(kinds: [TypicalCases.kind], limit: Self.homeCases), scope: scope(today)), today: today)
        let below = node.divisions.map { d in node.configuration.children.sorted { $0.digits < $1.digits }.compactMap { siteLink($0, in: d) } } ?? []
        let news = try homeNews(today: today)
        return HomePage(
            site: site(), title: "首页", counts: shown, total: shown.reduce(0) { $0 + $1.count }, latest: latest, cases: cases,
            hasCases: !cases.isEmpty, news: news, hasNews: !news.isEmpty,
            below: below, hasBelow: !below.isEmpty)
    }

    /// The site's search; `after` is where the page before stopped among names
    /// (`NameSearchPosition`'s text), out of shape refused.
    public func search(_ raw: String, after: String? = nil, today: CivilDate) throws -> SearchPage {
        guard let position = NameSearchPosition(after) else { throw BadParameter(message: "翻页位置无效，请从第一页开始。") }
        let q = raw.trimmingCharacters(in: .whitespacesAndNewlines)
        var page = SearchPage(site: site(query: q), title: "搜索", query: Self.shownQuery(q), by: "name", hits: [], next: nil, notice: nil, empty: true)
        // The same search on the province's site — never with an ID number in the link.
        page.wider = widerSite(Self.linkedQuery(q).map { "search?q=" + Self.escapePath($0) } ?? "search")
        guard !q.isEmpty else {
            page.notice = "请输入企业名称、个人姓名的一部分，统一社会信用代码、身份证号码，或行政许可、行政处罚等决定的文书号。"
            return page
        }
        // Longer than a name's fragment may be: only a document number (up to 64 characters).
        let long = q.count > Self.queryCharactersMax
        let mayBeNumber = DocumentNumber.mayBeOne(q)
        let tooLong = "搜索内容过长：最多 \(Self.queryCharactersMax) 个字（决定文书号最多 \(DocumentNumber.maximumLength) 个字）。"
        guard !long || mayBeNumber else {
            page.notice = tooLong
            return page
        }
        // Candidates come by name (those beginning with it first) or code; a subject the public
        // sees nothing of (its one licence 无效, its listing removed) is passed over, and more are
        // read in its place — at most `searchRoundsMax` batches a page — so that a page is not left
        // short or empty.
        var shown: [(hit: SubjectHit, summary: [KindCount])] = []
        if let code = try? SubjectQuery.normalise(q), code.count == 18 {
            page.by = "code"
            let hits = try node.store.subjectHit(code: code).map { [$0] } ?? []
            let seen = try publicSummaries(subjects: hits.map(\.code), today: today)
            shown = hits.compactMap { h in seen[h.code].flatMap { $0.isEmpty ? nil : (h, $0) } }
        } else if let found = try formerCodeHits(q, today: today), !found.hits.isEmpty {
            page.by = "code"
            page.formerNote = found.note
            shown = found.hits
        } else if mayBeNumber, let found = try documentHits(q, today: today) {
            page.by = "number"
            page.document = found
        } else if long {
            page.notice = tooLong
            return page
        } else {
            page.numberTried = mayBeNumber
            var cursor = position
            var more = false
            rounds: for _ in 0..<Self.searchRoundsMax {
                let batch = try node.store.searchSubjects(q, scope: scope(today), from: cursor, limit: Self.pageSize + 1)
                let seen = try publicSummaries(subjects: batch.map(\.hit.code), today: today)
                for (h, next) in batch {
                    if shown.count == Self.pageSize {
                        more = true
                        break rounds
                    }
                    cursor = next
                    if let summary = seen[h.code], !summary.isEmpty { shown.append((h, summary)) }
                }
                more = batch.count > Self.pageSize
                if !more { break }
            }
            if more, let at = cursor.text { page.next = "/search?q=\(Self.escapePath(q))&after=\(at)" }
        }
        // On the first page of subjects found by name.
        if page.by == "name" && position == .start { page.articles = try articleHits(q, today: today) }
        page.hits = shown.map { h, summary in
            let person = (try? ResidentID(h.code)) != nil
            return SearchHit(
                name: h.name, nameParts: NamePart.split(h.name, at: page.by == "name" ? q : ""), code: person ? Masking.mask(h.code) : h.code,
                isPerson: person, link: Self.subjectLink(code: h.code, id: h.id) ?? "/", summary: summary)
        }
        page.empty = page.hits.isEmpty && page.document == nil
        return page
    }

    /// How many records a search by document number lists.
    static let documentRowsMax = 50

    /// A query that may be a document number (`DocumentNumber.mayBeOne`): the records the public
    /// sees that bear it, newest decision first. Nil: none bears it.
    func documentHits(_ q: String, today: CivilDate) throws -> DocumentHits? {
        let found = try node.store.records(documentNumber: q, scope: scope(today), limit: Self.documentRowsMax + 1)
        let rows = try rows(Array(found.prefix(Self.documentRowsMax)), today: today)
        guard !rows.isEmpty else { return nil }
        return DocumentHits(number: Self.shownQuery(q), count: rows.count, rows: rows, more: found.count > Self.documentRowsMax)
    }

    /// A query that may be a former code (工商注册号, 组织机构代码 …: 8 to 30 letters and digits,
    /// '-' and spaces aside, with a digit): the subjects of the credit codes it leads to, with what
    /// the public sees of each (records filed under the former code included), and the subject
    /// filed under it when it leads nowhere. Nil: not a code.
    func formerCodeHits(_ q: String, today: CivilDate) throws -> (hits: [(hit: SubjectHit, summary: [KindCount])], note: String?)? {
        let code = FormerCode.normalised(q)
        guard (8...30).contains(code.utf8.count), code.utf8.allSatisfy({ ($0 >= 0x30 && $0 <= 0x39) || ($0 >= 0x41 && $0 <= 0x5A) }),
            code.utf8.contains(where: { $0 >= 0x30 && $0 <= 0x39 })
        else { return nil }
        var hits: [(hit: SubjectHit, summary: [KindCount])] = []
        let current = try node.store.creditCodes(forTyped: code)
        for uscc in current {
            guard let hit = try node.store.subjectHit(code: uscc) else { continue }
            let summary = publicSummary(try node.store.records(subject: uscc), today: today)
            if !summary.isEmpty { hits.append((hit, summary)) }
        }
        if hits.isEmpty, let hit = try node.store.subjectHit(code: code) {
            let summary = try publicSummaries(subjects: [hit.code], today: today)[hit.code] ?? []
            if !summary.isEmpty { hits.append((hit, summary)) }
        }
        let note = hits.isEmpty || current.isEmpty ? nil : "“\(code)”是原代码，对应统一社会信用代码 \(current.joined(separator: "、"))；以原代码报送的记录已归入该主体。"
        return (hits, note)
    }

    /// How many of a subject's `records` the public sees, by kind in the catalogue's order: the
    /// head of the subject's page.
    func publicSummary(_ records: [StoredRecord], today: CivilDate) -> [KindCount] {
        var counts: [String: Int] = [:]
        for r in records where PublicRecord.isShown(r, kind: kinds[r.kind], today: today) { counts[r.kind, default: 0] += 1 }
        return summary(counts)
    }

    /// The same for a page of search hits, counted by the store under the same rule
    /// (`PublicScope`) instead of reading whole records.
    func publicSummaries(subjects: [String], today: CivilDate) throws -> [String: [KindCount]] {
        try node.store.publicCounts(subjects: subjects, scope: scope(today)).mapValues(summary)
    }

    func summary(_ counts: [String: Int]) -> [KindCount] {
        publicKinds.compactMap { slug in counts[slug].map { KindCount(kind: slug, name: kinds[slug]?.name ?? slug, count: $0) } }
    }

    /// `reference`: a code, or `~ROW` for a natural person's page.
    func subjectHit(_ reference: String) throws -> SubjectHit? {
        if reference.hasPrefix("~") {
            guard let id = Int64(reference.dropFirst()) else { return nil }
            return try node.store.subjectHit(id: id)
        }
        guard let code = try? SubjectQuery.normalise(reference) else { return nil }
        return try node.store.subjectHit(code: code)
    }

    /// Records on one page of a subject's: a company with hundreds of decisions is read a page at
    /// a time (and the page's cost stays bounded).
    public static let subjectPageSize = 20

    /// The subject's page `page` (from 1): its list entries first, then its public records newest
    /// first, `subjectPageSize` in all. Nil: no such subject. A page past the last is refused.
    public func subject(_ reference: String, page: Int = 1, today: CivilDate) throws -> SubjectPage? {
        guard let hit = try subjectHit(reference) else { return nil }
        guard page >= 1, page <= 100_000 else { throw BadParameter(message: "页码应为 1 以上的整数。") }
        let all = try node.store.records(subject: hit.code)
        let isList = { (r: StoredRecord) in self.kinds[r.kind]?.kind.networkWide == true }
        let ids = [hit.code: hit.id]
        var listings: [ListEntry] = []
        var shown: [ListingRow] = []
        var skipped = 0
        var more = false
        // Rows are built (their fields parsed) in order only up to the page's end.
        for r in all.filter(isList) + all.filter({ !isList($0) }) {
            guard var row = row(r, today: today, subjectIDs: ids) else { continue }
            if skipped < (page - 1) * Self.subjectPageSize {
                skipped += 1
                continue
            }
            if listings.count + shown.count == Self.subjectPageSize {
                more = true
                break
            }
            // On the subject's own page a row is named by its kind (its number is under it), not the subject again.
            row.title = row.record.kindName
            row.tagged = false
            row.subjectLink = nil
            if let kind = kinds[r.kind], kind.kind.networkWide {
                let value = { (short: String) in r.fields[kind.kind.fullCode(short)].flatMap { $0.isEmpty ? nil : $0 } }
                let shown = { (short: String) in value(short).map { PublicRecord.masked($0, code: "", kind: kind) } }
                listings.append(
                    ListEntry(
                        row: row, measures: shown("CJCS") ?? shown("JLCS"), listName: value("MDMC") ?? kind.name, reason: shown("LRYY"),
                        until: kind.kind.listing?.until.flatMap(value)))
            } else {
                shown.append(row)
            }
        }
        if page > 1, listings.isEmpty, shown.isEmpty {
            throw BadParameter(message: "该主体的公开记录没有第 \(page) 页。")
        }
        let person = (try? ResidentID(hit.code)) != nil
        let base = Self.subjectLink(code: hit.code, id: hit.id) ?? ""
        let isOrganisation = (try? SocialCreditCode(hit.code)) != nil
        let current = person || isOrganisation ? nil : try node.store.currentCreditCode(ofFormerSubject: hit.code)
        var subjectPage = SubjectPage(
            site: site(), title: hit.name, name: hit.name, code: person ? Masking.mask(hit.code) : hit.code, isPerson: person,
            summary: publicSummary(all, today: today), listings: listings,
            records: shown, reportLink: Self.reportLink(hit),
            empty: listings.isEmpty && shown.isEmpty, page: page,
            previousLink: page > 1 ? base + (page == 2 ? "" : "?page=\(page - 1)") : nil,
            nextLink: more ? base + "?page=\(page + 1)" : nil, paged: page > 1 || more)
        if isOrganisation {
            subjectPage.formerCodes = try node.store.formerCodes(of: hit.code).map { "\(CodeConversion.fieldName($0.field)) \($0.code)" }
        }
        let registration = !person && !isOrganisation ? try node.store.isRegistrationNumber(hit.code) : false
        subjectPage.codeLabel = isOrganisation ? "统一社会信用代码" : registration ? "工商注册号" : "证件号码"
        subjectPage.currentCode = current
        subjectPage.currentLink = current.map { "/subjects/" + Self.escapePath($0) }
        if isOrganisation {
            subjectPage.wider = widerSite("subjects/" + Self.escapePath(hit.code))
            subjectPage.complaintLink = "/complaints?subject=\(Self.escapePath(hit.name))&subjectCode=\(hit.code)"
        }
        return subjectPage
    }

    /// `2026-12-04T08:47:41+08:00` → `2026年12月04日 08:47:41`.
    static func readable(_ timestamp: String) -> String {
        let t = Array(timestamp)
        guard t.count >= 19 else { return timestamp }
        return "\(String(t[0..<4]))年\(String(t[5..<7]))月\(String(t[8..<10]))日 \(String(t[11..<19]))"
    }

    static func reportLink(_ hit: SubjectHit) -> String {
        (try? ResidentID(hit.code)) != nil ? "/reports/~\(hit.id)" : "/reports/" + escapePath(hit.code)
    }

    /// What a credit report on the subject `reference` names (as `/subjects/` names it) says as of
    /// now: its public records in force, list entries first, each with its proof. Nil: no such
    /// subject. A report is this with a number, a time and the node's signature
    /// (`ReportIssuer.report`, `SignedReport.sign`; `Portal.report` issues them).
    public func reportContent(_ reference: String, today: CivilDate, now: Date) throws
        -> (subject: CreditReport.Subject, entries: [CreditReport.Entry])?
    {
        guard let hit = try subjectHit(reference) else { return nil }
        var chosen: [(stored: StoredRecord, shown: PublicRecord)] = []
        for r in try node.store.records(subject: hit.code) {
            guard let shown = PublicRecord.make(r, kind: kinds[r.kind], today: today) else { continue }
            chosen.append((r, shown))
        }
        // List entries first, then the rest newest first.
        chosen.sort { a, b in
            let la = kinds[a.stored.kind]?.kind.networkWide == true
            let lb = kinds[b.stored.kind]?.kind.networkWide == true
            if la != lb { return la }
            return (a.stored.decisionDate ?? "", a.stored.key) > (b.stored.decisionDate ?? "", b.stored.key)
        }
        let person = (try? ResidentID(hit.code)) != nil
        let subject = CreditReport.Subject(name: hit.name, code: person ? Masking.mask(hit.code) : hit.code, isPerson: person)
        return (subject, try issuer.entries(chosen, identity: try node.credentials.identity(), now: now))
    }

    /// A report's rows as its page shows them: each field's value as a person reads it, an area
    /// by its name (the report's JSON keeps the values it signs).
    func reportRows(_ entries: [CreditReport.Entry]) throws -> [ReportPage.Row] {
        try entries.enumerated().map { i, e in
            let kind = kinds[e.kind]
            return ReportPage.Row(
                number: i + 1, entry: e,
                fields: try e.fields.map { f in
                    let area = try kind?.area(f.value, fullCode: f.code).flatMap(node.areaLabel)
                    return ReportPage.Field(label: f.label, text: area ?? kind?.readable(f.value, fullCode: f.code) ?? f.value)
                },
                leafShort: e.leaf.map { String($0.prefix(16)) } ?? "", proofLength: e.proof.count, objected: e.state == "objected")
        }
    }

    /// The report as a page: its head from `report` (whose entries are not read), its `count` rows
    /// as the `report-rows` template rendered them (`rowsHTML`).
    func reportPage(_ report: CreditReport, count: Int, rowsHTML: String, reference: String) -> ReportPage {
        // A person is named by row, an organisation by its code (never a whole ID number).
        let ref = Self.escapePath(reference.hasPrefix("~") ? reference : report.subject.code)
        return ReportPage(
            site: site(), title: "信用报告 \(report.subject.name)", report: report, issuedAtText: Self.readable(report.issuedAt),
            count: count, empty: count == 0, subjectLink: "/subjects/" + ref, jsonLink: "/reports/" + ref + "?format=json", rowsHTML: rowsHTML)
    }

    public func record(key: String, today: CivilDate) throws -> RecordPage? {
        guard let stored = try node.store.record(key: key), let kind = kinds[stored.kind],
            let shown = PublicRecord.make(stored, kind: kind, today: today)
        else { return nil }
        let id = try stored.subjectCode.flatMap { try node.store.subjectHit(code: $0)?.id }
        let onTime = !stored.late
        let repair = kind.kind.earliestRepair(of: stored)
        // A record of a kind about no subject (a 信易+ scenario) is headed by its name (场景名称).
        let heading = Self.heading(stored.fields, kind: kind) ?? (kind.kind.subjectCode.isEmpty ? shown.subjectName : nil)
        var page = RecordPage(
            site: site(), title: heading ?? "\(kind.name) \(shown.documentNumber ?? "")", record: try shown.namingAreas(kind: kind, node.areaLabel),
            subjectLink: Self.subjectLink(code: stored.subjectCode, id: id),
            onTime: onTime, hasDeadline: stored.publicationDeadline != nil, originName: stored.origin, enteredAt: Self.readable(shown.enteredAt),
            repair: repair.map {
                RepairNote(months: $0.months, atOnce: $0.months == 0, from: $0.date.iso, open: $0.date <= today, authority: shown.authority)
            }, heading: heading, listingLink: listingLink(stored.kind), catalogueLink: Self.catalogueLink(stored.kind),
            movedTo: try PublicRecord.movedAway(stored, kind: kind, from: node.configuration.code).map {
                MovedNote(code: $0.digits, areaName: try node.areaName($0))
            }, objection: shown.objected ? try objectionNote(key: key) : nil,
            objectionDecided: shown.objected ? nil : try objectionDecision(key: key))
        if stored.kind == LoanDesk.kind { page.applyLink = "/loans/apply?product=" + Self.escapePath(key) }
        return page
    }

    /// The objection open on record `key`: the day its opening names, and the time limit.
    func objectionNote(key: String) throws -> ObjectionNote? {
        let progress = try node.objectionProgress(key: key)
        guard case .open(let opened, _, _) = progress else { return nil }
        return ObjectionNote(openedOn: opened.iso, dueBy: progress.dueBy?.iso, dueAssisted: progress.dueAssisted?.iso, assisted: progress.assisted)
    }

    /// How record `key`'s latest objection was decided, once it was: published on the record's
    /// page, as the requester's status page says.
    func objectionDecision(key: String) throws -> ObjectionDecision? {
        guard case .closed(let change) = try node.objectionProgress(key: key) else { return nil }
        return ObjectionDecision(
            closedOn: change.date.iso, outcome: Self.outcomeLabel(change.outcome), unit: change.unit,
            finding: String(Masking.maskResidentIDs(in: change.reason).reversed().drop { "。. ".contains($0) }.reversed()))
    }

    /// The listing filters as the query string gives them; a value out of shape is refused.
    public struct ListingParameters: Sendable {
        public var region: String?
        public var authority: String?
        public var from: String?
        public var to: String?
        public var after: String?
        /// A “信易+” scenario's 激励类别 (`/incentives` only).
        public var category: String?
        public init(
            region: String? = nil, authority: String? = nil, from: String? = nil, to: String? = nil, after: String? = nil, category: String? = nil
        ) {
            self.region = region
            self.authority = authority
            self.from = from
            self.to = to
            self.after = after
            self.category = category
        }
    }

    /// A refused parameter: said on the page, 400.
    public struct BadParameter: Error, Sendable {
        public var message: String
    }

    /// `/publicity/penalty`, `/publicity/license`, `/lists/black`, `/lists/red`.
    public func listing(path: String, kinds slugs: [String], title: String, parameters p: ListingParameters, limit: Int = pageSize, today: CivilDate)
        throws
        -> (page: ListingPage, records: [StoredRecord])
    {
        var query = ListingQuery(kinds: slugs, limit: limit + 1)
        let children = node.configuration.children
        if let region = p.region, !region.isEmpty {
            guard let code = try? DivisionCode(region), children.contains(code) || code == node.configuration.code else {
                throw BadParameter(message: "地区 \(Masking.maskResidentIDs(in: String(region.prefix(20)))) 不是本地区的下级区划。")
            }
            query.regionPrefix = code.areaPrefix
        }
        for (value, label) in [(p.from, "起始日期"), (p.to, "截止日期")] {
            if let v = value, !v.isEmpty, CivilDate.parse(v) == nil { throw BadParameter(message: "\(label)应为 YYYY-MM-DD 格式的日期。") }
        }
        query.from = p.from.flatMap { $0.isEmpty ? nil : $0 }
        query.to = p.to.flatMap { $0.isEmpty ? nil : $0 }
        if let a = p.authority?.trimmingCharacters(in: .whitespaces), !a.isEmpty {
            guard a.count <= 100 else { throw BadParameter(message: "决定机关名称过长：最多 100 个字。") }
            guard let kind = slugs.first.flatMap({ kinds[$0] }), let field = PublicRecord.authorityField(of: kind) else {
                throw BadParameter(message: "此栏目不能按决定机关筛选。")
            }
            query.authority = (kind.kind.fullCode(field), a)
        }
        // The 激励类别 a “信易+” listing is filtered by, one of the catalogue's.
        let classes = slugs.count == 1 ? IncentiveScenarios.classes(of: kinds[slugs[0]]) : []
        if let c = p.category?.trimmingCharacters(in: .whitespaces), !c.isEmpty {
            guard !classes.isEmpty, let kind = kinds[slugs[0]] else { throw BadParameter(message: "此栏目不能按激励类别筛选。") }
            guard classes.contains(c) else { throw BadParameter(message: "激励类别应为：\(classes.joined(separator: "、"))。") }
            guard query.authority == nil else { throw BadParameter(message: "不能同时按决定机关和激励类别筛选。") }
            query.authority = (kind.kind.fullCode(IncentiveScenarios.classField), c)
        }
        query.after = try Self.keyset(p.after)
        var records = try node.store.listing(query, scope: scope(today))
        var next: String?
        if records.count > limit {
            records.removeLast()
            if let last = records.last, let d = last.decisionDate {
                next = path + "?" + Self.queryString(p, after: "\(d).\(last.rowID)")
            }
        }
        let filter = Filter(region: p.region ?? "", authority: p.authority ?? "", from: p.from ?? "", to: p.to ?? "")
        let rows = try rows(records, today: today)
        let names = try node.childNames()
        var page = ListingPage(
            site: site(), title: title, path: path, kindName: title, filter: filter,
            regions: children.map { RegionOption(code: $0.digits, name: names[$0.digits] ?? $0.digits, selected: $0.digits == p.region) },
            rows: rows, next: next,
            csvLink: path + "?" + Self.queryString(p, after: nil, format: "csv"), empty: rows.isEmpty, filterable: path.hasPrefix("/publicity/"),
            intro: [TypicalCases.kind: Self.casesIntro, IncentiveScenarios.kind: Self.incentivesIntro, LoanDesk.kind: Self.loansIntro][
                slugs.count == 1 ? slugs[0] : ""],
            categories: classes.isEmpty
                ? []
                : [CategoryOption(name: "全部", link: path, selected: (p.category ?? "").isEmpty)]
                    + classes.map { CategoryOption(name: $0, link: path + "?category=" + Self.escapePath($0), selected: $0 == p.category) },
            hasCategories: !classes.isEmpty, catalogueLink: slugs.count == 1 ? Self.catalogueLink(slugs[0]) : nil)
        if slugs == [LoanDesk.kind], var above = sitesAbove().last {
            above.link = above.url + String(path.dropFirst())
            page.wider = above
        }
        return (page, records)
    }

    /// A page's position in a listing as its `after` gives it (`DATE.ROW`: the last row shown
    /// before), nil for the first page; out of shape, refused.
    static func keyset(_ after: String?) throws -> (date: String, id: Int64)? {
        guard let after, !after.isEmpty else { return nil }
        let parts = after.split(separator: ".", maxSplits: 1)
        guard parts.count == 2, CivilDate.parse(String(parts[0])) != nil, let id = Int64(parts[1]), id > 0 else {
            throw BadParameter(message: "翻页位置无效，请从第一页开始。")
        }
        return (String(parts[0]), id)
    }

    static func queryString(_ p: ListingParameters, after: String?, format: String? = nil) -> String {
        var items: [String] = []
        for (k, v) in [
            ("region", p.region), ("authority", p.authority), ("category", p.category), ("from", p.from), ("to", p.to), ("after", after),
            ("format", format),
        ] {
            if let v, !v.isEmpty { items.append("\(k)=\(escapePath(v))") }
        }
        return items.joined(separator: "&")
    }

    /// The status page for `typed` (a follow-up code as a person typed it), with the HTTP status
    /// it answers with: 200 with the request or the empty form, 400 for what cannot be a code, 404
    /// for a code of no request.
    public func objectionStatus(code typed: String, today: CivilDate) throws -> (page: ObjectionStatusPage, status: Int) {
        // What was typed is echoed into the form, at most as long as a code could be typed.
        var page = ObjectionStatusPage(site: site(), title: "异议申诉与信用修复办理进度", code: String(typed.prefix(40)), request: nil, message: nil)
        let typed = typed.trimmingCharacters(in: .whitespaces)
        guard !typed.isEmpty else { return (page, 200) }
        guard let code = ObjectionRequestCode.normalized(typed) else {
            page.message = "查询码是提交申请时给出的 12 位字母和数字（如 ABCD-EFGH-JKMN），请核对后重新输入。"
            return (page, 400)
        }
        guard let r = try node.store.objectionRequest(code: code) else {
            page.message = "没有与这个查询码对应的申请，请核对后重新输入。"
            return (page, 404)
        }
        let stored = try node.store.record(key: r.recordKey)
        let kind = stored.flatMap { kinds[$0.kind] }
        let shown = stored.flatMap { PublicRecord.make($0, kind: kind, today: today) }
        page.request = ObjectionStatusPage.Request(
            number: r.id, purpose: r.purpose.name, repair: r.purpose == .repair, submittedAt: Self.readable(milliseconds: r.at),
            record: shown.map { "\($0.kindName) \($0.documentNumber ?? "")" }
                ?? "\(kind?.name ?? "") \(OperationsPages.number(in: r.recordKey))（本站已不公示这条记录）",
            recordLink: shown.map { _ in Self.recordLink(r.recordKey) },
            state: Self.requestState(r), pending: r.state == "pending",
            accepted: r.state == "accepted", refused: r.state == "refused", decidedAt: r.decidedAt.map(Self.readable(milliseconds:)),
            reason: r.state == "refused" ? Masking.maskResidentIDs(in: r.decision ?? "") : nil)
        if r.state == "pending", let stored { page.request?.movedTo = try node.movedAwayLabel(stored) }
        page.request?.evidence = Self.counted(try node.store.attachmentCount(of: .request, r.id))
        if r.purpose == .objection, r.state == "accepted", stored != nil {
            let progress = try node.objectionProgress(key: r.recordKey, opening: r.opening)
            switch progress {
            case .closed(let change):
                page.request?.closedOn = change.date.iso
                page.request?.outcome = Self.outcomeLabel(change.outcome)
                page.request?.state = "已办结"
            case .open:
                page.request?.dueBy = progress.dueBy?.iso
                page.request?.dueAssisted = progress.dueAssisted?.iso
                page.request?.assisted = progress.assisted
            case .none: break
            }
        }
        return (page, 200)
    }

    /// How an objection was closed, as the public reads it.
    static func outcomeLabel(_ outcome: String?) -> String {
        switch outcome {
        case "kept": "经核查记录无误，维持原记录"
        case "corrected": "经核查记录有误，已更正"
        case "withdrawn": "经核查，记录已撤销"
        default: "已作出处理决定"
        }
    }

    /// Where a request stands, as its requester reads it.
    static func requestState(_ r: ObjectionRequest) -> String {
        switch (r.purpose, r.state) {
        case (.objection, "accepted"): "已受理"
        case (.objection, "refused"): "不予受理"
        case (.objection, _): "待受理"
        case (.repair, "accepted"): "准予修复"
        case (.repair, "refused"): "不予修复"
        case (.repair, _): "待审核"
        }
    }

    public func error(status: Int, message: String) -> ErrorPage {
        ErrorPage(site: site(), title: Self.errorTitle(status), status: status, message: message)
    }

    /// An error page's heading for its status.
    static func errorTitle(_ status: Int) -> String {
        switch status {
        case 404: "未找到"
        case 403: "无权访问"
        case 429: "请求过于频繁"
        case 500...: "暂时无法显示"
        default: "请求有误"
        }
    }
}

/// Figures computed at most once a minute (and again when the day changes) — the public counts
/// by kind, the 公示统计 — one request recomputing them while the others are given the last ones.
final class CountsCache<Value: Sendable>: Sendable {
    struct State {
        var today = ""
        var at = Date.distantPast
        var counts: Value?
        var refreshing = false
    }
    let seconds: TimeInterval
    let state = Mutex(State())

    init(seconds: TimeInterval) { self.seconds = seconds }

    func value(today: String, now: Date, compute: () throws -> Value) throws -> Value {
        let cached: Value? = state.withLock { s in
            let fresh = s.today == today && now.timeIntervalSince(s.at) < seconds
            if let counts = s.counts, fresh || (s.refreshing && s.today == today) { return counts }
            s.refreshing = true
            return nil
        }
        if let cached { return cached }
        do {
            let counts = try compute()
            state.withLock { $0 = State(today: today, at: now, counts: counts, refreshing: false) }
            return counts
        } catch {
            state.withLock { $0.refreshing = false }
            throw error
        }
    }
}
