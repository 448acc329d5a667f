import CreditDomain
import CreditStore
import Foundation
import NodeRuntime
import SyncCore

/// `/ops/network`: the node's subtree as its health records tell it (migration v15).
extension OperationsPages {
    struct NetworkPage: Sendable, Encodable {
        /// One node, as seen at this node now.
        struct NodeRow: Sendable, Encodable {
            var code: String
            var name: String
            var tier: String
            /// Never heard from: only named as a child by its parent.
            var silent: Bool
            var lastHeard: String
            /// `lastHeard` as a person reads it.
            var lastHeardText: String
            var heardAgo: String
            var backlog: Int64
            var oldestPending: String
            var window: String
            var standing: String
            var standingLabel: String
            var software: String
            var catalogue: String
            var records: Int64
            /// The node's subtree, itself included.
            var nodes: Int
            var heard: Int
            var interconnection: String
            var atRisk: Int
            var breached: Int
            var link: String
            var hasChildren: Bool
            /// 信息更新监测: how long ago the node's own departments last entered a record or a
            /// status change (as held here), or 从未报送; `quiet` past `quietDays` or never.
            var reportedAgo: String = "从未报送"
            var quiet: Bool = true
            /// 网站信息更新: when the newest article of 信用动态 published at the node's own level
            /// (its 所属行政区划 the node's code) is dated — 今天, 12 天前 — or none in `newsDays`
            /// (`newsQuiet`).
            var newsAgo: String = ""
            var newsQuiet: Bool = true
        }
        struct Crumb: Sendable, Encodable {
            var code: String
            var name: String
            var link: String
        }
        var head: Head
        /// The node viewed and its subtree's figures.
        var under: NodeRow
        var path: [Crumb]
        var children: [NodeRow]
        var query: String
        var results: [NodeRow]
        var searched: Bool
        var moreResults: Bool
        /// The days without a report of its own after which a node is marked (`quietDays`).
        var quietDays = OperationsPages.quietDays
        /// The catalogue has 信用动态: the rows say when each site last published an article.
        var hasNews = false
        var newsDays = OperationsPages.newsDays
    }

    func network(reader: String, now: Date, under requested: String?, query: String) throws -> NetworkPage {
        let ms = ChinaTime.milliseconds(now)
        let picture = try NetworkPicture(node: node, now: now)
        // Only this node's subtree is shown; anything else asked for shows the node itself.
        let top = picture.top
        let under = requested.flatMap { code in picture.node(code) != nil && picture.path(to: code) != nil ? code : nil } ?? top
        let crumbs = (picture.path(to: under) ?? [top]).map { code in
            NetworkPage.Crumb(code: code, name: picture.name(of: code), link: "/ops/network?under=\(code)")
        }
        let q = query.trimmingCharacters(in: .whitespaces)
        var results: [NetworkPage.NodeRow] = []
        var more = false
        if !q.isEmpty {
            for code in picture.subtree(top) {
                let name = picture.node(code)?.name ?? ""
                guard code.hasPrefix(q) || (!name.isEmpty && name.contains(q)) else { continue }
                guard results.count < 100 else {
                    more = true
                    break
                }
                results.append(row(code, picture: picture, now: ms, tally: NetworkPicture.Tally(one: picture.node(code)?.health, now: ms)))
            }
        }
        let regions = picture.regions(of: under, now: ms)
        var page = NetworkPage(
            head: head(title: "网络运行", reader: reader, now: now), under: row(under, picture: picture, now: ms, tally: regions.whole), path: crumbs,
            children: regions.children.map { row($0.code, picture: picture, now: ms, tally: $0.tally) }, query: q, results: results,
            searched: !q.isEmpty, moreResults: more)
        // When each node shown last entered something of its own: a site whose departments have
        // stopped reporting is found although the node itself keeps in touch.
        let entered = try node.store.newestOwnEntry(origins: [page.under.code] + page.children.map(\.code) + page.results.map(\.code))
        // 网站信息更新监测 (seed 003 item 5): when each node's site last published an article.
        let today = ChinaTime.date(now)
        let desk = CreditNews(node: node)
        page.hasNews = desk != nil
        let published = try desk?.latestDates(days: Self.newsDays, today: today, now: now) ?? [:]
        func stamp(_ row: inout NetworkPage.NodeRow) {
            if let at = entered[row.code] {
                row.reportedAgo = ms - at < 86_400_000 ? "24 小时内" : Self.age(ms - at) + "前"
                row.quiet = ms - at > Int64(Self.quietDays) * 86_400_000
            }
            if let date = published[row.code].flatMap(CivilDate.parse) {
                let days = today.dayNumber - date.dayNumber
                row.newsAgo = days <= 0 ? "今天" : "\(days) 天前"
                row.newsQuiet = days > Self.quietDays
            } else {
                row.newsAgo = "\(Self.newsDays) 天内未发布"
            }
        }
        stamp(&page.under)
        for i in page.children.indices { stamp(&page.children[i]) }
        for i in page.results.indices { stamp(&page.results[i]) }
        return page
    }

    /// 网站信息更新监测: how far back `/ops/network` looks for each site's newest article (a site
    /// with none for `quietDays` is marked, as one whose departments stopped reporting).
    static let newsDays = 90

    /// 信息更新监测: a node whose own departments entered nothing for longer than this is marked
    /// on `/ops/network` (双公示 are due within 7 working days of each decision; a month without
    /// any entry at a node is worth a call).
    static let quietDays = 30

    /// The node's row, with the figures `t` counted for it (its subtree's, or its own alone):
    /// nodes heard within their window ÷ nodes known.
    func row(_ code: String, picture: NetworkPicture, now: Int64, tally t: NetworkPicture.Tally) -> NetworkPage.NodeRow {
        let h = picture.node(code)?.health
        let standing = HealthRules.standing(of: h, now: now)
        let tier = (try? DivisionCode(code)).map { "\($0.tier.chineseName)级" } ?? ""
        let heard = h.map { ChinaTime.timestamp(PortalPages.instant($0.issuedAt)) }
        return NetworkPage.NodeRow(
            code: code, name: picture.name(of: code), tier: tier, silent: h == nil,
            lastHeard: heard ?? "从未联系", lastHeardText: heard.map(PortalPages.readable) ?? "从未联系",
            heardAgo: h.map { Self.age(now - $0.issuedAt) } ?? "—", backlog: h?.backlog ?? 0,
            oldestPending: h.map { $0.oldestPendingAt > 0 ? Self.age(now - $0.oldestPendingAt) : "无" } ?? "—",
            window: h.map { Self.age($0.windowSeconds * 1000) } ?? "—", standing: standing.rawValue,
            standingLabel: h == nil ? "未联系" : Self.standingLabel(standing), software: h?.software ?? "—", catalogue: h?.catalogue ?? "—",
            records: h?.records ?? 0, nodes: t.nodes, heard: t.heard, interconnection: Self.rate(t.heard, of: t.nodes), atRisk: t.atRisk,
            breached: t.breached,
            link: "/ops/network?under=\(code)", hasChildren: !picture.children(of: code).isEmpty)
    }

    static func standingLabel(_ s: Window.Standing) -> String {
        switch s {
        case .met: "正常"
        case .atRisk: "临近超时"
        case .breached: "已超时"
        }
    }

    /// A duration in milliseconds as a person reads it: 45 秒, 12 分钟, 5 小时, 3 天.
    static func age(_ ms: Int64) -> String {
        let s = max(0, ms / 1000)
        if s < 120 { return "\(s) 秒" }
        if s < 7200 { return "\(s / 60) 分钟" }
        if s < 172_800 { return "\(s / 3600) 小时" }
        return "\(s / 86_400) 天"
    }
}
