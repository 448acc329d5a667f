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
        /// The title, and the excerpt (around the first term found, when searching), with the
        /// terms searched marked.
        public var titleParts: [NamePart]
        public var excerptParts: [NamePart]
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
    /// The words searched, as typed (an ID number masked); "" when none.
    public var query: String
    public var searching: Bool
    /// How many articles the search found (all pages; "1000 以上" past `CreditNews.countMax`);
    /// nil when not searching, on a later page, or when none was found.
    public var found: String?
    /// Why nothing was searched (too long), else nil.
    public var notice: String?
    /// The same search on the province's site, for a node below it.
    public var wider: SiteLink?
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
    /// Opened from a search (`?q=`): the title and each paragraph with the words marked, and
    /// the way back to the search; unmarked otherwise.
    public var titleParts: [NamePart]
    public var paragraphs: [Paragraph]
    public var searchLink: String?

    public struct Paragraph: Sendable, Encodable {
        public var parts: [NamePart]
    }
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

    /// `/news?q=&column=&region=&after=`: a column or region out of shape is refused (400); words
    /// too long are said on the page.
    public func news(
        q rawQuery: String? = nil, column rawColumn: String?, region rawRegion: String?, after rawAfter: String?, today: CivilDate
    ) throws -> NewsPage {
        let desk = try newsDesk()
        let q = (rawQuery ?? "").trimmingCharacters(in: .whitespacesAndNewlines)
        let tooLong = q.count > Self.queryCharactersMax
        let words = tooLong ? [] : ArticleWords.terms(q)
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
        let after = try Self.keyset(rawAfter)
        let found =
            tooLong
            ? (articles: [], records: [], more: false)
            : try desk.list(column: column, region: region, words: words, after: after, limit: Self.pageSize, today: today)
        // The search's words go on in every link, but never a resident ID number.
        let kept = words.isEmpty ? nil : Self.linkedQuery(q)
        let query = { (column: String?, region: String?, after: String?) -> String in
            let items = [("q", kept), ("column", column), ("region", region), ("after", after)].compactMap { k, v in
                v.map { "\(k)=\(Self.escapePath($0))" }
            }
            return Self.newsPath + (items.isEmpty ? "" : "?" + items.joined(separator: "&"))
        }
        let regionCode = region?.digits
        let next = found.more ? found.records.last.map { query(column, regionCode, "\($0.decisionDate ?? "").\($0.rowID)") } : nil
        let hasRegions = !regions.children.isEmpty
        // The count is stated on the search's first page.
        let total = words.isEmpty || after != nil ? 0 : try desk.count(column: column, region: region, words: words, today: today)
        return NewsPage(
            site: site(), title: words.isEmpty ? (column ?? "信用动态") : "搜索信用动态",
            columns: [CategoryOption(name: "全部", link: query(nil, regionCode, nil), selected: column == nil)]
                + desk.columns.map { CategoryOption(name: $0, link: query($0, regionCode, nil), selected: $0 == column) },
            column: column,
            regions: ([regions.own] + regions.children).map {
                RegionOption(code: $0.digits, name: $0 == regions.own ? "本级" : regions.name(of: $0), selected: $0 == region)
            },
            hasRegions: hasRegions, region: regionCode ?? "", query: Self.shownQuery(q), searching: !q.isEmpty,
            found: total > 0 ? Self.articleCount(total) : nil,
            notice: tooLong ? "搜索内容过长：最多 \(Self.queryCharactersMax) 个字。" : nil,
            wider: words.isEmpty ? nil : widerSite(kept.map { Self.newsPath + "?q=" + Self.escapePath($0) } ?? Self.newsPath),
            items: found.articles.map { newsItem($0, words: words, query: kept, showRegion: hasRegions) },
            empty: found.articles.isEmpty, next: next)
    }

    /// A row of a listing of articles: the terms searched marked in the title, and the excerpt
    /// taken around the first of them the text holds (the opening lines when only the title does);
    /// the link carries the search (`query`, never one holding an ID number) to mark it there too.
    func newsItem(_ article: CreditNews.Article, words: [String], query: String? = nil, showRegion: Bool) -> NewsPage.Item {
        let excerpt = words.isEmpty ? article.excerpt : Self.snippet(article.paragraphs, terms: words) ?? article.excerpt
        return NewsPage.Item(
            article: article, link: Self.articleLink(article.key) + (query.map { "?q=" + Self.escapePath($0) } ?? ""), showRegion: showRegion,
            titleParts: NamePart.marked(article.title, terms: words), excerptParts: NamePart.marked(excerpt, terms: words))
    }

    /// Characters of an excerpt around a term found.
    static let snippetLength = 80

    /// `snippetLength` characters of the paragraph holding the most of `terms` (the first of
    /// those), starting a little before the first term in it (… where cut); nil when none holds one.
    static func snippet(_ paragraphs: [String], terms: [String]) -> String? {
        var best: (paragraph: String, terms: Int, first: String.Index)?
        for p in paragraphs {
            let hits = terms.compactMap { p.range(of: $0, options: .caseInsensitive)?.lowerBound }
            guard let first = hits.min(), hits.count > best?.terms ?? 0 else { continue }
            best = (p, hits.count, first)
            if hits.count == terms.count { break }
        }
        guard let (p, _, first) = best else { return nil }
        let before = p.distance(from: p.startIndex, to: first)
        let start = p.index(p.startIndex, offsetBy: max(0, min(before - 20, p.count - snippetLength)))
        let end = p.index(start, offsetBy: snippetLength, limitedBy: p.endIndex) ?? p.endIndex
        return (start > p.startIndex ? "…" : "") + String(p[start..<end]) + (end < p.endIndex ? "…" : "")
    }

    /// `/news/{key}[?q=]`: nil when there is no such article the public sees. `q`: the search it
    /// was opened from (its words marked; one too long or holding an ID number is left out).
    public func article(key: String, q rawQuery: String? = nil, today: CivilDate) throws -> ArticlePage? {
        let desk = try newsDesk()
        guard let article = try desk.article(key: key, today: today), let stored = try node.store.record(key: key) else { return nil }
        let region = try? DivisionCode(stored.jurisdiction)
        let q = (rawQuery ?? "").trimmingCharacters(in: .whitespacesAndNewlines)
        let words = q.count > Self.queryCharactersMax ? [] : Self.linkedQuery(q).map(ArticleWords.terms) ?? []
        return ArticlePage(
            site: site(), title: article.title, article: article,
            columnLink: Self.newsPath + "?column=" + Self.escapePath(article.column),
            regionLabel: region.flatMap { try? node.areaLabel($0) } ?? stored.jurisdiction,
            originName: stored.origin, enteredAt: Self.readable(ChinaTime.timestamp(stored.enteredAt)),
            titleParts: NamePart.marked(article.title, terms: words),
            paragraphs: article.paragraphs.map { ArticlePage.Paragraph(parts: NamePart.marked($0, terms: words)) },
            searchLink: words.isEmpty ? nil : Self.newsPath + "?q=" + Self.escapePath(q))
    }

    /// A search's count as the page says it: past `CreditNews.countMax`, "1000 以上".
    static func articleCount(_ n: Int) -> String {
        n > CreditNews.countMax ? "\(CreditNews.countMax) 以上" : "\(n)"
    }

    /// Articles a site search shows under the subjects found.
    static let searchArticles = 3

    /// The area's articles holding the words of a site search `q`: nil without the kind or a hit.
    func articleHits(_ q: String, today: CivilDate) throws -> ArticleHits? {
        guard let desk = CreditNews(node: node) else { return nil }
        let words = ArticleWords.terms(q)
        guard !words.isEmpty else { return nil }
        let count = try desk.count(words: words, today: today)
        guard count > 0 else { return nil }
        // Never a resident ID number in a link.
        let kept = Self.linkedQuery(q)
        let items = try desk.list(words: words, limit: Self.searchArticles, today: today).articles.map {
            newsItem($0, words: words, query: kept, showRegion: false)
        }
        let link = kept.map { Self.newsPath + "?q=" + Self.escapePath($0) } ?? Self.newsPath
        return ArticleHits(count: Self.articleCount(count), items: items, link: link)
    }

    /// The home page's newest articles.
    func homeNews(today: CivilDate) throws -> [NewsPage.Item] {
        guard let desk = CreditNews(node: node) else { return [] }
        return try desk.list(limit: Self.homeNews, today: today).articles.map { newsItem($0, words: [], showRegion: false) }
    }
}
