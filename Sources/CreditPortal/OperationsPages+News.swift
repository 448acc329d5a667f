import CreditDomain
import CreditStore
import Foundation
import NodeRuntime

extension OperationsPages {
    /// `/ops/news`: 信用动态 — a month's articles by publishing unit against the monthly share (每月
    /// 至少 2 篇), by region and by 栏目, the area's newest articles, and the form to write one.
    struct NewsPage: Sendable, Encodable {
        struct Line: Sendable, Encodable {
            var article: CreditNews.Article
            /// Its page on the node's public site, when the division directory gives the site
            /// (the operators' pages are on another listener: a path alone would lead nowhere).
            var link: String?
        }
        var head: Head
        /// False when the catalogue lacks the `news` kind: the page says so.
        var available: Bool
        var ledger: CreditNews.Ledger?
        /// When the ledger was counted (this month's is kept a little while: `latestLedger`).
        var countedAt: String?
        var monthName: String
        var months: [BulletinPage.MonthOption]
        var latest: [Line]
        /// The article just published (after the form's redirect), to confirm it.
        var published: Line?
    }

    /// `/ops/news/new`: the form, first empty (the publisher of the last article filled in) or as
    /// sent back with what to fix.
    struct NewsFormPage: Sendable, Encodable {
        struct Column: Sendable, Encodable {
            var name: String
            var selected: Bool
        }
        var head: Head
        var csrf: String
        var draft: CreditNews.Draft
        var columns: [Column]
        var errors: [String]
        var refused: Bool
        var titleMax: Int
        var bodyMax: Int
    }

    static let newsUnavailable = "本节点的信用目录没有“信用动态”类别。"
    /// Articles listed on the page.
    static let newsShown = 30

    func newsLine(_ a: CreditNews.Article) -> NewsPage.Line {
        let site = node.divisions?.site(of: node.configuration.code)
        return NewsPage.Line(article: a, link: site.map { $0 + String(PortalPages.articleLink(a.key).dropFirst()) })
    }

    func news(reader: String, now: Date, month text: String?, published key: String? = nil) throws -> NewsPage {
        let today = ChinaTime.date(now)
        let head = head(title: "信用动态", reader: reader, now: now)
        let month = try Self.bulletinMonth(text, today: today, otherwise: CalendarMonth(today))
        guard let desk = CreditNews(node: node) else {
            return NewsPage(head: head, available: false, monthName: month.chinese, months: [], latest: [])
        }
        let latest = try desk.list(limit: Self.newsShown, today: today).articles.map(newsLine)
        let counted = try desk.latestLedger(month: month, today: today, now: now, fresh: key != nil)
        return NewsPage(
            head: head, available: true, ledger: counted.ledger, countedAt: ChinaTime.timestamp(counted.at).dropFirst(11).prefix(8).description,
            monthName: month.chinese,
            months: Self.monthOptions(latest: CalendarMonth(today), selected: month), latest: latest,
            published: try key.flatMap { try desk.article(key: $0, today: today) }.map(newsLine))
    }

    func newsForm(reader: String, now: Date, csrf: String, draft sent: CreditNews.Draft? = nil, errors: [String] = []) throws -> NewsFormPage {
        guard let desk = CreditNews(node: node) else { throw PortalPages.BadParameter(message: Self.newsUnavailable) }
        var draft = sent ?? CreditNews.Draft(column: desk.columns.first ?? "")
        if sent == nil, let last = try desk.lastPublisher(today: ChinaTime.date(now)) {
            draft.publisher = last.name
            draft.publisherCode = last.code
        }
        let length = { (code: String) in node.resolvedKinds[CreditNews.kind]?.fields.first { $0.code == code }?.maxLength ?? 100 }
        return NewsFormPage(
            head: head(title: "撰写信用动态", reader: reader, now: now), csrf: csrf, draft: draft,
            columns: desk.columns.map { .init(name: $0, selected: $0 == draft.column) }, errors: errors, refused: !errors.isEmpty,
            titleMax: length("BT"), bodyMax: length("ZW"))
    }
}
