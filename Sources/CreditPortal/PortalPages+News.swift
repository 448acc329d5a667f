import CreditDomain
import CreditStore
import Foundation
import NodeRuntime

/// `/news`: 信用动态 — the area's articles newest first, by 栏目 (工作动态, 政策法规, 通知公告,
/// 诚信宣传) and by region, a page at a time.
public struct NewsPage: Sendable, Encodable {
    public struct Item: Sendable, Encodable {
        public var article: CreditNews.Article
        public var link: String
        /// The region is said where the node has regions below it (a county's township …).
        public var showRegion: Bool
    }
    public var site: Site
    public var title: String
    /// 全部 first, then each 栏目: the link, and which is chosen.
    public var columns: [CategoryOption]
    /// The chosen 栏目, if any (nil: all).
    public var column: String?
    public var regions: [RegionOption]
    public var hasRegions: Bool
    /// The chosen region's code ("" for all).
    public var region: String
    public var items: [Item]
    public var empty: Bool
    public var next: String?
}

/// `/news/{key}`: one article — its title, 栏目, publisher, date, 文号, and its text in paragraphs.
public struct ArticlePage: Sendable, Encodable {
    public var site: Site
    public var title: String
    public var article: CreditNews.Article
    /// The article's 栏目 on `/news`.
    public var columnLink: String
    /// Where it was published, said in words (大智街道（420102002000）).
    public var regionLabel: String
    public var originName: String
    public var enteredAt: String
}

extension PortalPages {
    static let newsPath = "/news"
    /// Articles on the home page.
    static let homeNews = 6

    /// An article's page.
    static func articleLink(_ key: String) -> String { newsPath + "/" + escapePath(key) }

    func newsDesk() throws -> CreditNews {
        guard let desk = CreditNews(node: node) else { throw Portal.NotFound(message: "本站的信用目录没有“信用动态”栏目。") }
        return desk
    }

    /// `/news?column=&region=&after=`: a column or region out of shape is refused (400).
    public func news(column rawColumn: String?, region rawRegion: String?, after rawAfter: String?, today: CivilDate) throws -> NewsPage {
        let desk = try newsDesk()
        let column = rawColumn.flatMap { $0.isEmpty ? nil : $0 }
        if let column, !desk.columns.contains(column) {
            throw BadParameter(message: "栏目应为：\(desk.columns.joined(separator: "、"))。")
        }
        let regions = try node.childRegions()
        var region: DivisionCode?
        if let r = rawRegion, !r.isEmpty {
            guard let code = regions.filter(r) else {
                throw BadParameter(message: "地区 \(Masking.maskResidentIDs(in: String(r.prefix(20)))) 不是本地区或其下级区划。")
            }
            region = code
        }
        let found = try desk.list(column: column, region: region, after: try Self.keyset(rawAfter), limit: Self.pageSize, today: today)
        let query = { (column: String?, region: String?, after: String?) -> String in
            let items = [("column", column), ("region", region), ("after", after)].compactMap { k, v in v.map { "\(k)=\(Self.escapePath($0))" } }
            return Self.newsPath + (items.isEmpty ? "" : "?" + items.joined(separator: "&"))
        }
        let regionCode = region?.digits
        let next = found.more ? found.records.last.map { query(column, regionCode, "\($0.decisionDate ?? "").\($0.rowID)") } : nil
        let hasRegions = !regions.children.isEmpty
        return NewsPage(
            site: site(), title: column ?? "信用动态",
            columns: [CategoryOption(name: "全部", link: query(nil, regionCode, nil), selected: column == nil)]
                + desk.columns.map { CategoryOption(name: $0, link: query($0, regionCode, nil), selected: $0 == column) },
            column: column,
            regions: ([regions.own] + regions.children).map {
                RegionOption(code: $0.digits, name: $0 == regions.own ? "本级" : regions.name(of: $0), selected: $0 == region)
            },
            hasRegions: hasRegions, region: regionCode ?? "",
            items: found.articles.map { NewsPage.Item(article: $0, link: Self.articleLink($0.key), showRegion: hasRegions) },
            empty: found.articles.isEmpty, next: next)
    }

    /// `/news/{key}`: nil when there is no such article the public sees.
    public func article(key: String, today: CivilDate) throws -> ArticlePage? {
        let desk = try newsDesk()
        guard let article = try desk.article(key: key, today: today), let stored = try node.store.record(key: key) else { return nil }
        let region = try? DivisionCode(stored.jurisdiction)
        return ArticlePage(
            site: site(), title: article.title, article: article,
            columnLink: Self.newsPath + "?column=" + Self.escapePath(article.column),
            regionLabel: region.flatMap { try? node.areaLabel($0) } ?? stored.jurisdiction,
            originName: stored.origin, enteredAt: Self.readable(ChinaTime.timestamp(stored.enteredAt)))
    }

    /// The home page's newest articles.
    func homeNews(today: CivilDate) throws -> [NewsPage.Item] {
        guard let desk = CreditNews(node: node) else { return [] }
        return try desk.list(limit: Self.homeNews, today: today).articles.map {
            NewsPage.Item(article: $0, link: Self.articleLink($0.key), showRegion: false)
        }
    }
}
