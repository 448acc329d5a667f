import AsyncHTTPClient
import CreditDomain
import Foundation
import Testing

@testable import CreditPortal
@testable import CreditStore
@testable import NodeRuntime
@testable import SampleData

/// 信用动态: the office's and departments' articles on the portal's /news, counted for the office
/// against each unit's monthly share (seed 000: 每月……至少2篇).
@Suite("信用动态: articles on the portal and the monthly share", .serialized)
struct NewsTests {
    static let office = TypicalCaseTests.office
    static let actor = TypicalCaseTests.actor
    static let month = CalendarMonth(year: 2026, month: 11)!

    static func draft(title: String = "大智街道召开信用建设推进会", column: String = "工作动态", number: String = "") -> CreditNews.Draft {
        CreditNews.Draft(
            number: number, title: title, column: column,
            body: "近日，大智街道召开信用建设推进会。\r\n\r\n  会议要求各村按时报送双公示信息。  \n会议部署了信用承诺履约核查。",
            publisher: office.name, publisherCode: office.code)
    }

    /// `count` generated articles of the fixture's first village.
    static func generated(_ f: PortalFixture, count: Int, seed: UInt64, edit: (inout [SampleRow], (String) -> Int) -> Void = { _, _ in }) throws
        -> IngestReport
    {
        let kind = try f.node.catalogue.kind(named: CreditNews.kind)
        var rows = try f.generated(kind, count: count, seed: seed)
        edit(&rows) { kind.index[$0]! }
        return try f.ingest(rows, kind: kind, name: "news-\(seed).csv")
    }

    static func newsRecords(_ f: PortalFixture) throws -> [StoredRecord] { try TypicalCaseTests.records(f, kind: CreditNews.kind) }

    @Test func articlesAreShownByColumnAndRegionEachOnItsOwnPage() async throws {
        let f = try PortalFixture()
        let desk = try #require(CreditNews(node: f.node))
        #expect(desk.columns == ["工作动态", "政策法规", "通知公告", "诚信宣传"])
        let report = try Self.generated(f, count: 8, seed: 41) { rows, at in
            rows[0].values[at("LM")] = "政策法规"
            rows[0].values[at("WH")] = "大智街道信用办发〔2026〕1号"
            rows[1].values[at("LM")] = "宣传教育"  // an alias: 诚信宣传
        }
        #expect(report.accepted == 8, "\(report.rejections)")
        let own = try desk.publish(Self.draft(), now: PortalFixture.now, actor: Self.actor)
        let today = ChinaTime.date(PortalFixture.now)

        // The listing: every article newest first, the office's own (today) on top.
        let all = try await f.json("/news")
        let items = try #require(all["items"] as? [[String: Any]])
        #expect(items.count == 9)
        let first = try #require(items.first?["article"] as? [String: Any])
        #expect(first["title"] as? String == "大智街道召开信用建设推进会" && first["region"] as? String == "本级" && first["ownPublication"] as? Bool == true)
        #expect(first["paragraphs"] as? [String] == ["近日，大智街道召开信用建设推进会。", "会议要求各村按时报送双公示信息。", "会议部署了信用承诺履约核查。"])
        let dates = items.compactMap { ($0["article"] as? [String: Any])?["date"] as? String }
        #expect(dates == dates.sorted(by: >))
        // By column: only that column, the chip marked; an alias was stored as its column.
        let policies = try await f.json("/news?column=" + PortalPages.escapePath("政策法规"))
        let policyItems = try #require(policies["items"] as? [[String: Any]])
        #expect(!policyItems.isEmpty && policyItems.allSatisfy { ($0["article"] as? [String: Any])?["column"] as? String == "政策法规" })
        #expect(policyItems.contains { ($0["article"] as? [String: Any])?["documentNumber"] as? String == "大智街道信用办发〔2026〕1号" })
        let propaganda = try await f.json("/news?column=" + PortalPages.escapePath("诚信宣传"))
        #expect(!((propaganda["items"] as? [Any]) ?? []).isEmpty)
        let (_, _, policyHTML) = try await f.get("/news?column=" + PortalPages.escapePath("政策法规"))
        #expect(policyHTML.contains("aria-current=\"page\">政策法规</a>") && policyHTML.contains("<h1>信用动态 <small>政策法规</small></h1>"))
        // By region: the township's own level holds only the office's article; the village the rest.
        let ownLevel = try await f.json("/news?region=\(PortalFixture.township)")
        #expect((ownLevel["items"] as? [Any])?.count == 1)
        let village = try await f.json("/news?region=\(PortalFixture.villages[0])")
        #expect((village["items"] as? [Any])?.count == 8)
        // Refused with why: a column not in the catalogue, a region outside the area, a page position out of shape.
        for (path, words) in [
            ("/news?column=" + PortalPages.escapePath("娱乐新闻"), "栏目应为：工作动态、政策法规、通知公告、诚信宣传"),
            ("/news?region=420103000000", "不是本地区或其下级区划"), ("/news?after=x", "翻页位置无效"),
        ] {
            let (status, _, body) = try await f.get(path)
            #expect(status == .badRequest && body.contains(words), "\(path)")
        }

        // The article's page: its title, meta line and paragraphs; the generic record address leads there.
        let link = PortalPages.articleLink(own.key)
        let (status, _, page) = try await f.get(link)
        #expect(status == .ok && page.contains("<h1>大智街道召开信用建设推进会</h1>") && page.contains("<p>会议要求各村按时报送双公示信息。</p>"))
        #expect(page.contains("发布单位：\(Self.office.name)") && page.contains("发布日期：\(today.iso)") && page.contains("大智街道（420102002000）"))
        #expect(!page.contains("异议申诉</h2>"))
        let moved = try await f.get(PortalPages.recordLink(own.key))
        #expect(moved.status == .movedPermanently && moved.headers[.location] == link)
        #expect(try await f.get("/news/" + PortalPages.escapePath("news|none|x")).status == .notFound)

        // The home page: the newest articles, linked; the counts of 公示信息 leave the articles out.
        let home = try await f.json("/")
        #expect((home["news"] as? [Any])?.count == PortalPages.homeNews && home["hasNews"] as? Bool == true)
        #expect(!((home["counts"] as? [[String: Any]]) ?? []).contains { $0["kind"] as? String == CreditNews.kind })
        let (_, _, homeHTML) = try await f.get("/")
        #expect(homeHTML.contains("<a href=\"\(link)\">大智街道召开信用建设推进会</a>") && homeHTML.contains("<a href=\"/news\">信用动态</a>"))
        // No generic listing: the articles have their own.
        #expect(try await f.get("/publicity/news").status == .notFound)

        // Withdrawn: off the listing, the home page and its own page.
        _ = try StatusDesk(node: f.node).enter(
            key: own.key, StatusChange(action: .withdrawn, date: today, reason: "稿件内容有误", unit: Self.office.name), now: PortalFixture.now)
        let portal = try Portal(node: f.node, clock: { PortalFixture.now })
        #expect(try await f.get(link, from: portal).contains("没有找到这篇信用动态"))
        #expect(!(try await f.get("/news", from: portal)).contains("大智街道召开信用建设推进会"))
    }

    @Test func aMonthsArticlesAreCountedByUnitRegionAndColumnAgainstTheShare() throws {
        let f = try PortalFixture()
        let desk = try #require(CreditNews(node: f.node))
        // Unit A: two this month (met); unit B: one this month (one missing); unit C: one in
        // October only (none this month, still counted as a unit); one of A's withdrawn this
        // month would leave it short.
        let kind = try f.node.catalogue.kind(named: CreditNews.kind)
        let units = try f.generated(kind, count: 3, seed: 50).map { ($0.values[kind.index["FBDW"]!], $0.values[kind.index["FBDWDM"]!]) }
        try #require(Set(units.map(\.1)).count == 3)
        let report = try Self.generated(f, count: 5, seed: 51) { rows, at in
            let plan: [(unit: Int, date: String, column: String, region: String)] = [
                (0, "2026-11-03", "工作动态", PortalFixture.villages[0]), (0, "2026-11-18", "诚信宣传", PortalFixture.villages[1]),
                (1, "2026-11-10", "政策法规", PortalFixture.villages[0]), (2, "2026-10-20", "工作动态", PortalFixture.villages[0]),
                (1, "2026-12-01", "工作动态", PortalFixture.villages[0]),  // next month: not counted in November
            ]
            for (i, p) in plan.enumerated() {
                rows[i].values[at("FBDW")] = units[p.unit].0
                rows[i].values[at("FBDWDM")] = units[p.unit].1
                rows[i].values[at("FBRQ")] = p.date
                rows[i].values[at("LM")] = p.column
                rows[i].values[at("XZQH")] = p.region
            }
        }
        #expect(report.accepted == 4 && report.rejected == 1, "\(report.rejections)")  // 2026-12-01 lies after the fixture's today
        let ledger = try desk.ledger(month: Self.month, today: ChinaTime.date(PortalFixture.now))
        #expect(ledger.total == 3 && ledger.target == 2 && ledger.unitCount == 3 && ledger.unitsMet == 1)
        #expect(ledger.units.map(\.code) == [units[2].1, units[1].1, units[0].1])
        #expect(
            ledger.units.map(\.articles) == [0, 1, 2] && ledger.units.map(\.missing) == [2, 1, 0] && ledger.units.map(\.met) == [false, false, true])
        #expect(ledger.regions.map(\.code) == [PortalFixture.township] + PortalFixture.villages)
        #expect(ledger.regions.map(\.articles) == [0, 2, 1] && ledger.regions.map(\.units) == [0, 2, 1])
        #expect(ledger.columns.map(\.articles) == [1, 1, 0, 1])
        // October: unit C's one article; A and B had published none yet.
        let october = try desk.ledger(month: CalendarMonth(year: 2026, month: 10)!, today: ChinaTime.date(PortalFixture.now))
        #expect(october.total == 1 && october.units.map(\.code) == [units[2].1] && october.unitsMet == 0)
        // One of A's withdrawn: A falls short.
        let aKey = try #require(try Self.newsRecords(f).first { $0.fields["DT_FBDWDM"] == units[0].1 }?.key)
        _ = try StatusDesk(node: f.node).enter(
            key: aKey, StatusChange(action: .withdrawn, date: ChinaTime.date(PortalFixture.now), reason: "重复发布", unit: units[0].0),
            now: PortalFixture.now)
        let after = try desk.ledger(month: Self.month, today: ChinaTime.date(PortalFixture.now))
        #expect(after.total == 2 && after.unitsMet == 0)
    }

    @Test func anArticleThatCannotBePublishedIsRefusedWithEveryReasonAndNothingWritten() throws {
        let f = try PortalFixture()
        let desk = try #require(CreditNews(node: f.node))
        let refused = { (draft: CreditNews.Draft) -> CreditNews.Refusal? in
            do {
                _ = try desk.publish(draft, now: PortalFixture.now, actor: Self.actor)
                return nil
            } catch let r as CreditNews.Refusal { return r } catch { return nil }
        }
        var missing = Self.draft(title: "  ")
        missing.publisherCode = "91420100MA4K"
        let both = try #require(refused(missing))
        #expect(both.code == .invalid && both.description.contains("标题") && both.description.contains("发布单位统一社会信用代码"))
        let column = try #require(refused(Self.draft(column: "娱乐新闻")))
        #expect(column.description.contains("娱乐新闻") && column.description.contains("政策法规"))
        var personal = Self.draft()
        personal.body += "\n举报人身份证号 \(PortalFixture.hiddenID)。"
        let id = try #require(refused(personal))
        #expect(id.code == .personalData && id.description.contains("正文含有身份证号码") && !id.description.contains(PortalFixture.hiddenID))
        var long = Self.draft()
        long.body = String(repeating: "信", count: 10_001)
        #expect(try #require(refused(long)).description.contains("正文"))
        #expect(try Self.newsRecords(f).isEmpty)
        // Accepted, then the same number again: refused, the first kept.
        let first = try desk.publish(Self.draft(number: "DT-2026-01"), now: PortalFixture.now, actor: Self.actor)
        #expect(first.key == "news|\(Self.office.code)|DT-2026-01")
        let again = try #require(refused(Self.draft(title: "另一篇", number: "DT-2026-01")))
        #expect(again.code == .numberTaken && again.description.contains("大智街道召开信用建设推进会"))
        // Without a number, one made from the time.
        let numbered = try desk.publish(Self.draft(title: "第二篇"), now: PortalFixture.now, actor: Self.actor)
        #expect(numbered.key.hasPrefix("news|\(Self.office.code)|DT20261125"))
        #expect(try Self.newsRecords(f).count == 2)
        // In the audit trail as the operator's.
        #expect(try f.node.store.recentIngestions(limit: 5).contains { $0.source == "信用动态发布" && $0.actor.name == Self.actor.name })
    }

    @Test func markupInAnArticleIsShownAsText() async throws {
        let f = try PortalFixture()
        let desk = try #require(CreditNews(node: f.node))
        var draft = Self.draft(title: PortalFixture.scriptName)
        draft.body = "第一段\(PortalFixture.attributeName)\n<b>第二段</b>"
        let published = try desk.publish(draft, now: PortalFixture.now, actor: Self.actor)
        for path in ["/", "/news", PortalPages.articleLink(published.key)] {
            let (_, _, body) = try await f.get(path)
            #expect(!body.contains(PortalFixture.scriptName) && !body.contains("<img src=x") && !body.contains("<b>第二段"), "\(path)")
            #expect(body.contains("&lt;script&gt;alert(1)&lt;/script&gt;"), "\(path)")
        }
    }

    @Test func theOfficeWritesAnArticleOnItsPages() async throws {
        let f = try PortalFixture()
        try await withOperatorsListener(f.node, tls: false) { port in
            let base = "http://127.0.0.1:\(port)"
            let client = HTTPClient(eventLoopGroupProvider: .singleton, configuration: .init(redirectConfiguration: .disallow))
            defer { _ = client.shutdown() }
            let get = { (path: String) in try await getPage(client, base + path) }
            let page = try await get("/ops/news")
            #expect(page.status == 200 && page.body.contains("本地区还没有发布信用动态") && page.body.contains("href=\"/ops/news/new\""))
            #expect(page.body.contains("2026年11月发布的稿件"))
            let form = try await get("/ops/news/new")
            let cookie = try #require(form.cookie)
            let token = String(cookie.split(separator: "=")[1])
            #expect(form.status == 200 && form.body.contains("<option selected>工作动态</option>") && form.body.contains("maxlength=\"10000\""))
            let draft = Self.draft()
            var fields = [
                ("title", draft.title), ("column", "政策法规"), ("body", draft.body), ("documentNumber", "大智街道信用办发〔2026〕2号"),
                ("publisher", draft.publisher), ("publisherCode", draft.publisherCode),
            ]
            let post = { (fields: [(String, String)], cookie: String?) in try await postForm(client, base + "/ops/news", fields, cookie: cookie) }
            // Without the page's token: the form again, what was typed kept, nothing written.
            let forged = try await post([("csrf", "x")] + fields, nil)
            #expect(forged.status == 400 && forged.body.contains("表单已过期") && forged.body.contains("会议部署了信用承诺履约核查"))
            // A title missing: the form again with why, the column chosen and the text kept.
            fields[0].1 = ""
            let refused = try await post([("csrf", token)] + fields, cookie)
            #expect(refused.status == 400 && refused.body.contains("稿件未发布") && refused.body.contains("标题"))
            #expect(refused.body.contains("<option selected>政策法规</option>") && refused.body.contains("会议部署了信用承诺履约核查"))
            // An ID number in the text: refused, the text shown back with the number masked.
            let personal = try await post(
                [("csrf", token), ("title", draft.title), ("column", "政策法规"), ("body", "联系人 \(PortalFixture.hiddenID)")] + fields.dropFirst(3), cookie
            )
            #expect(personal.status == 400 && personal.body.contains("正文含有身份证号码") && !personal.body.contains(PortalFixture.hiddenID))
            #expect(personal.body.contains("联系人 " + Masking.mask(PortalFixture.hiddenID)))
            #expect(try Self.newsRecords(f).isEmpty)
            // Published: back to the page, which confirms it; the next form starts with the same publisher.
            fields[0].1 = draft.title
            let done = try await post([("csrf", token)] + fields, cookie)
            let location = try #require(done.location)
            #expect(done.status == 303 && location.hasPrefix("/ops/news?published="))
            let confirmed = try await get(location)
            #expect(confirmed.body.contains("已发布：《\(draft.title)》（政策法规") && confirmed.body.contains("大智街道信用办发〔2026〕2号"))
            // No site in a division directory: no link (a path would lead to the operators' listener, which has no such page).
            #expect(!confirmed.body.contains("href=\"/news/") && !confirmed.body.contains("在信用网站查看"))
            #expect(try Self.newsRecords(f).count == 1)
            let next = try await get("/ops/news/new")
            #expect(next.body.contains("value=\"\(Self.office.name)\"") && next.body.contains("value=\"\(Self.office.code)\""))
            // As JSON: the month's ledger.
            let json = try await get("/ops/news?format=json&month=2026-11")
            #expect(json.status == 200 && json.body.contains("\"month\":\"2026-11\"") && json.body.contains("\"total\":1"))
            let badMonth = try await get("/ops/news?month=2026-12")
            #expect(badMonth.status == 400 && badMonth.body.contains("尚未开始"))
        }
    }

    @Test func aCatalogueWithoutTheKindSaysSo() async throws {
        let f = try PortalFixture()
        let without = try f.nodeWithout(kind: CreditNews.kind)
        #expect(CreditNews(node: without) == nil)
        let page = try OperationsPages(node: without).news(reader: "测试", now: PortalFixture.now, month: nil)
        #expect(!page.available && page.ledger == nil)
        let portal = try Portal(node: without, clock: { PortalFixture.now })
        #expect(try await f.get("/news", from: portal).contains("没有“信用动态”栏目"))
        // Sample rows of the kind are valid records, their paragraphs on lines of their own.
        let kind = try f.node.catalogue.kind(named: CreditNews.kind)
        let report = try f.ingest(try f.generated(kind, count: 20, seed: 5), kind: kind, name: "动态.csv")
        #expect(report.accepted == 20, "\(report.rejections)")
        #expect(try Self.newsRecords(f).allSatisfy { ($0.fields["DT_ZW"] ?? "").contains("\n") })
    }
}
