import CreditDomain
import Foundation
import Testing

@testable import CreditPortal
@testable import CreditStore
@testable import NodeRuntime

/// 信用动态 searched by words: `/news?q=` (title and text, every term), and the site search's
/// articles beside the subjects it finds.
@Suite("信用动态: articles found by their words", .serialized)
struct NewsSearchTests {
    static let actor = TypicalCaseTests.actor

    /// Three articles of the township's office, each with its own words.
    static func published(_ f: PortalFixture) throws -> (repair: String, market: String, app: String) {
        let desk = try #require(CreditNews(node: f.node))
        var repair = NewsTests.draft(title: "大智街道举办信用知识讲座", column: "诚信宣传", number: "DT-S-1")
        repair.body = "讲座介绍了行政处罚信息信用修复的条件和程序。\n居民可在信用网站查询本人的公共信用信息。"
        var market = NewsTests.draft(title: "诚信经营示范市场创建启动", column: "工作动态", number: "DT-S-2")
        market.body = "街道在农贸市场开展诚信经营宣传，向经营户发放倡议书。"
        var app = NewsTests.draft(title: "关于启用信用查询服务的通知", column: "通知公告", number: "DT-S-3")
        app.body = "居民可通过政务服务APP查询信用报告，无需到窗口排队。"
        let keys = try [repair, market, app].map { try desk.publish($0, now: PortalFixture.now, actor: Self.actor).key }
        return (keys[0], keys[1], keys[2])
    }

    static func titles(_ page: [String: Any]) -> [String] {
        ((page["items"] as? [[String: Any]]) ?? []).compactMap { ($0["article"] as? [String: Any])?["title"] as? String }
    }

    static func search(_ f: PortalFixture, _ q: String, more: String = "") async throws -> [String: Any] {
        try await f.json("/news?q=" + PortalPages.escapePath(q) + more)
    }

    @Test func articlesAreFoundByWordsOfTheirTitleOrText() async throws {
        let f = try PortalFixture()
        _ = try Self.published(f)
        // A term of four characters (the trigram index) found in the text only: the article
        // found, counted, its excerpt the sentence holding the term, the term marked.
        let repair = try await Self.search(f, "信用修复")
        #expect(Self.titles(repair) == ["大智街道举办信用知识讲座"] && repair["found"] as? String == "1" && repair["searching"] as? Bool == true)
        let item = try #require((repair["items"] as? [[String: Any]])?.first)
        let excerpt = try #require(item["excerptParts"] as? [[String: Any]])
        #expect(excerpt.map { $0["text"] as? String ?? "" }.joined() == "讲座介绍了行政处罚信息信用修复的条件和程序。")
        #expect(excerpt.filter { $0["hit"] as? Bool == true }.map { $0["text"] as? String } == ["信用修复"])
        // The article opened from the search: the words marked in it, the way back to the search.
        let link = try #require(item["link"] as? String)
        #expect(link.hasSuffix("?q=" + PortalPages.escapePath("信用修复")))
        let (_, _, opened) = try await f.get(link)
        #expect(opened.contains("<p>讲座介绍了行政处罚信息<mark>信用修复</mark>的条件和程序。</p>"))
        #expect(opened.contains("<a href=\"/news?q=\(PortalPages.escapePath("信用修复"))\">‹ 返回搜索结果</a>"))
        let plain = try await f.get(String(link.prefix { $0 != "?" })).body
        #expect(!plain.contains("<mark>") && !plain.contains("返回搜索结果") && plain.contains("<p>讲座介绍了行政处罚信息信用修复的条件和程序。</p>"))
        // The excerpt: the paragraph holding the most of the words, from a little before the first.
        #expect(PortalPages.snippet(["开头一段", "信用户评定办法", "信用户的激励措施"], terms: ["信用户", "激励"]) == "信用户的激励措施")
        let long = String(repeating: "前", count: 50) + "信用户" + String(repeating: "后", count: 100)
        #expect(
            PortalPages.snippet([long], terms: ["信用户"]) == "…" + String(repeating: "前", count: 20) + "信用户" + String(repeating: "后", count: 57) + "…")
        // Two characters (most Chinese words): looked for in the text; in the title too.
        #expect(Self.titles(try await Self.search(f, "诚信")) == ["诚信经营示范市场创建启动"])
        #expect(Set(Self.titles(try await Self.search(f, "居民"))) == ["大智街道举办信用知识讲座", "关于启用信用查询服务的通知"])
        // Every term must be there: 居民 and 窗口 only in the notice.
        #expect(Self.titles(try await Self.search(f, "居民　窗口")) == ["关于启用信用查询服务的通知"])
        #expect(Self.titles(try await Self.search(f, "居民 示范")).isEmpty)
        // One character: found wherever it stands, the last of a text too.
        #expect(Self.titles(try await Self.search(f, "讲")) == ["大智街道举办信用知识讲座"])
        #expect(Self.titles(try await Self.search(f, "书")) == ["诚信经营示范市场创建启动"])
        // Four characters whose pairs another article holds apart (信用, 用修, 修复 in the
        // office's "信用建设……费用修缮……修复"): only the article holding them together.
        var apart = NewsTests.draft(title: "街道信用建设简报", column: "工作动态", number: "DT-S-4")
        apart.body = "推进信用建设，安排费用修缮道路，修复路灯。"
        _ = try #require(CreditNews(node: f.node)).publish(apart, now: PortalFixture.now, actor: Self.actor)
        #expect(Self.titles(try await Self.search(f, "信用修复")) == ["大智街道举办信用知识讲座"])
        #expect(Self.titles(try await Self.search(f, "费用修缮")) == ["街道信用建设简报"])
        // Punctuation in a term is part of it; punctuation alone finds nothing.
        #expect(Self.titles(try await Self.search(f, "程序。")) == ["大智街道举办信用知识讲座"])
        #expect(Self.titles(try await Self.search(f, "。")).isEmpty)
        #expect(Self.titles(try await Self.search(f, "，“")).isEmpty)
        // A count stops past its most: said as more than it.
        let desk = try #require(CreditNews(node: f.node))
        let query = desk.listingQuery(column: nil, region: nil, words: ["居民"], limit: 0)
        let scope = desk.scope(ChinaTime.date(PortalFixture.now))
        #expect(try f.node.store.listingCount(query, scope: scope, atMost: 5) == 2)
        #expect(try f.node.store.listingCount(query, scope: scope, atMost: 1) == 2)
        #expect(try f.node.store.listingCount(query, scope: scope, atMost: 0) == 1)
        #expect(PortalPages.articleCount(CreditNews.countMax + 1) == "1000 以上" && PortalPages.articleCount(CreditNews.countMax) == "1000")
        // Newest entered first, a page at a time by the row: the pages follow on without a
        // gap or an article twice.
        let all = try f.node.store.listing(desk.listingQuery(column: nil, region: nil, words: ["信用"], limit: 10), scope: scope)
        #expect(all.count == 3 && all.map(\.rowID) == all.map(\.rowID).sorted(by: >))
        var paged: [String] = []
        var page = desk.listingQuery(column: nil, region: nil, words: ["信用"], limit: 2)
        while true {
            let found = try f.node.store.listing(page, scope: scope)
            paged += found.map(\.key)
            guard found.count == 2, let last = found.last else { break }
            page.after = (last.decisionDate ?? "", last.rowID)
        }
        #expect(paged == all.map(\.key))
        // Letters in either case.
        #expect(Self.titles(try await Self.search(f, "app")) == ["关于启用信用查询服务的通知"])
        #expect(Self.titles(try await Self.search(f, "Ap")) == ["关于启用信用查询服务的通知"])
        // With a 栏目: the search within it.
        #expect(Self.titles(try await Self.search(f, "信用", more: "&column=" + PortalPages.escapePath("通知公告"))) == ["关于启用信用查询服务的通知"])
        // Nothing found: said, with what to try.
        let (status, _, none) = try await f.get("/news?q=" + PortalPages.escapePath("火灾"))
        #expect(status == .ok && none.contains("没有找到含“火灾”的信用动态"))
        // The words stay on in the 栏目 chips and the region filter, marked in the title.
        let (_, _, html) = try await f.get("/news?q=" + PortalPages.escapePath("诚信"))
        #expect(html.contains("href=\"/news?q=\(PortalPages.escapePath("诚信"))&amp;column=\(PortalPages.escapePath("工作动态"))\""))
        #expect(html.contains("<mark>诚信</mark>经营示范市场创建启动") && html.contains("含“诚信”的信用动态共 1 篇"))
        #expect(html.contains("<input type=\"hidden\" name=\"q\" value=\"诚信\">"))
    }

    @Test func aSearchFollowsTheArticlesAsTheyChange() async throws {
        let f = try PortalFixture()
        let keys = try Self.published(f)
        let today = ChinaTime.date(PortalFixture.now)
        // Withdrawn: no longer found.
        _ = try StatusDesk(node: f.node).enter(
            key: keys.market, StatusChange(action: .withdrawn, date: today, reason: "稿件内容有误", unit: NewsTests.office.name),
            now: PortalFixture.now)
        let portal = try Portal(node: f.node, clock: { PortalFixture.now })
        #expect(!(try await f.get("/news?q=" + PortalPages.escapePath("诚信"), from: portal)).contains("示范市场"))
        // A newer version of an article: found by its new words, no longer by its old ones.
        let kind = try f.node.catalogue.kind(named: CreditNews.kind)
        let stored = try #require(try f.node.store.record(key: keys.app))
        var row = try f.generated(kind, count: 1, seed: 42)[0]
        for (field, i) in kind.index { row.values[i] = stored.fields[kind.kind.fullCode(field)] ?? "" }
        row.values[try #require(kind.index["ZW"])] = "居民可在政务服务大厅自助终端打印信用报告。"
        #expect(try f.ingest([row], kind: kind, name: "corrected-news.csv").updated == 1)
        #expect(Self.titles(try await Self.search(f, "自助终端")) == ["关于启用信用查询服务的通知"])
        #expect(Self.titles(try await Self.search(f, "APP")).isEmpty)
        // A store whose articles came before the index (read by portals of their own: the pages
        // are kept while the records are unchanged): migration v33 indexes them.
        let found = { (q: String) async throws -> Bool in
            try await f.get("/news?q=" + PortalPages.escapePath(q), from: try Portal(node: f.node, clock: { PortalFixture.now })).contains(
                "row-title")
        }
        // Everything v33 made dropped, the index left empty: nothing is found.
        let dropped = """
            DROP TRIGGER records_article_added; DROP TRIGGER records_article_changed; DROP TRIGGER records_article_removed;
            DROP VIEW article_scratch_grams; DROP TABLE article_scratch; DROP VIEW change_article_text;
            DROP TABLE article_positions; DROP TABLE article_grams;
            """
        try f.node.store.write { db in
            try db.execute(sql: dropped)
            try db.execute(sql: "CREATE VIRTUAL TABLE article_grams USING fts5(grams, content='', detail=none)")
        }
        let before = try await found("信用修复")
        #expect(!before)
        try f.node.store.write { db in
            try db.execute(sql: "DROP TABLE article_grams")
            try Migrations.v33ArticlesByTheirWords(db)
        }
        let repair = try await found("信用修复")
        let terminal = try await found("自助终端")
        let old = try await found("APP")
        #expect(repair && terminal && !old)
    }

    @Test func whatIsTypedIsSearchedAsTextAndNeverShownWhole() async throws {
        let f = try PortalFixture()
        _ = try Self.published(f)
        // FTS5's own syntax typed is text: no error, nothing found.
        for q in ["\"", "信用 OR 诚信", "*", "NEAR(信用", "title:信用", "%", "_"] {
            let (status, _, _) = try await f.get("/news?q=" + PortalPages.escapePath(q))
            #expect(status == .ok, "\(q)")
        }
        #expect(Self.titles(try await Self.search(f, "信用 OR 诚信")).isEmpty)
        // Too long: said on the page, nothing searched.
        let long = String(repeating: "信", count: PortalPages.queryCharactersMax + 1)
        let (status, _, tooLong) = try await f.get("/news?q=" + PortalPages.escapePath(long))
        #expect(status == .ok && tooLong.contains("搜索内容过长：最多 50 个字") && !tooLong.contains("row-title"))
        // Markup typed is shown as text.
        let (_, _, markup) = try await f.get("/news?q=" + PortalPages.escapePath("<b>信用</b>"))
        #expect(markup.contains("&lt;b&gt;信用&lt;/b&gt;") && !markup.contains("<b>信用</b>"))
        // A resident ID number typed is shown masked and kept out of every link.
        let id = PortalFixture.hiddenID
        let (_, _, personal) = try await f.get("/news?q=" + PortalPages.escapePath("信用 \(id)"))
        #expect(!personal.contains(id) && personal.contains(Masking.mask(id)))
        let (_, _, site) = try await f.get("/search?q=" + PortalPages.escapePath("信用 \(id)"))
        #expect(!site.contains(id))
        let key = try #require(
            try f.node.store.read { db in try String.fetchOne(db, sql: "SELECT record_key FROM records WHERE kind = 'news' LIMIT 1") })
        let (_, _, opened) = try await f.get(PortalPages.articleLink(key) + "?q=" + PortalPages.escapePath("信用 \(id)"))
        #expect(!opened.contains(id) && !opened.contains("<mark>") && !opened.contains("返回搜索结果"))
    }

    @Test func theSiteSearchShowsTheArticlesBesideTheSubjects() async throws {
        let f = try PortalFixture()
        _ = try Self.published(f)
        // Words no subject's name holds: no subject, the articles holding them, the whole search linked.
        let found = try await f.json("/search?q=" + PortalPages.escapePath("居民"))
        let articles = try #require(found["articles"] as? [String: Any])
        #expect(articles["count"] as? String == "2" && articles["link"] as? String == "/news?q=" + PortalPages.escapePath("居民"))
        #expect((articles["items"] as? [Any])?.count == 2)
        let (_, _, html) = try await f.get("/search?q=" + PortalPages.escapePath("居民"))
        #expect(html.contains("没有找到名称含“居民”的信用主体") && html.contains("含“居民”的文章 2 篇") && html.contains("全部 2 篇信用动态"))
        // Words no article holds: no section; a credit code searched: subjects only.
        #expect((try await f.json("/search?q=" + PortalPages.escapePath("火灾")))["articles"] == nil)
        let code = try #require(
            try f.node.store.read { db in try String.fetchOne(db, sql: "SELECT code FROM subjects WHERE length(code) = 18 LIMIT 1") })
        let byCode = try await f.json("/search?q=" + code)
        #expect(byCode["by"] as? String == "code" && byCode["articles"] == nil)
    }
}
