import CreditDomain
import Foundation
import Testing

@testable import CreditPortal
@testable import CreditStore
@testable import NodeRuntime

/// 信用信息公示目录 (seed 002 (八): 政务信用信息公开目录): what the portal publishes, for how long and
/// when repair may be asked, in words read from the catalogue the node runs with.
@Suite("公示目录: the catalogue as the public reads it", .serialized)
struct CatalogueTests {
    typealias Line = CataloguePage.Line

    static func entry(_ page: CataloguePage, _ slug: String) throws -> CataloguePage.Entry {
        try #require((page.open + page.authorised).first { $0.kind == slug }, "\(slug) not on the page")
    }

    @Test func eachKindSaysWhatIsShownForHowLongAndWhenRepairMayBeAsked() throws {
        let f = try PortalFixture()
        let today = ChinaTime.date(PortalFixture.now)
        let page = try PortalPages(node: f.node).catalogue(today: today, now: PortalFixture.now)
        let catalogue = f.node.catalogue
        // Every kind once, by its scope, in the catalogue's order.
        #expect(page.open.map(\.kind) == catalogue.kinds.filter { $0.scope == .public }.map(\.slug))
        #expect(page.authorised.map(\.kind) == ["points"] && page.authorised[0].link == "/authorised" && page.authorised[0].shown == nil)
        #expect(page.shared == catalogue.kinds.filter { $0.scope == .government }.map(\.name) && page.shared.contains("信用评价"))
        #expect(page.version == catalogue.version)

        // 行政处罚: seven working days; a 公示截止期 given first, then by 处罚类别 in the enumeration's
        // order; the longest of several; repair at once for the minor ones.
        let penalty = try Self.entry(page, "penalty")
        #expect(penalty.deadline == "自处罚决定日期起 7 个工作日内公示" && penalty.link == "/publicity/penalty" && !penalty.networkWide)
        #expect(
            penalty.period == [
                Line(when: "载明公示截止期的", rule: "公示至公示截止期"),
                Line(when: "警告、通报批评", rule: "自处罚决定日期起公示 3 个月"),
                Line(when: "罚款、没收违法所得、没收非法财物、暂扣许可证件、行政拘留、其他", rule: "自处罚决定日期起公示 1 年"),
                Line(when: "降低资质等级、吊销许可证件、限制开展生产经营活动、责令停产停业、责令关闭、限制从业", rule: "自处罚决定日期起公示 3 年"),
                Line(when: "未注明处罚类别的", rule: "自处罚决定日期起公示 1 年"),
                Line(when: "同时有多个处罚类别的", rule: "按其中最长的期限"),
            ])
        #expect(
            penalty.repair == [
                Line(when: "警告、通报批评", rule: "履行法定责任和义务、纠正失信行为后即可申请"),
                Line(when: "罚款、没收违法所得、没收非法财物、暂扣许可证件、行政拘留、其他", rule: "最短公示期 3 个月（自处罚决定日期起），期满后可申请"),
                Line(when: "降低资质等级、吊销许可证件、限制开展生产经营活动、责令停产停业、责令关闭、限制从业", rule: "最短公示期 1 年（自处罚决定日期起），期满后可申请"),
                Line(when: "未注明处罚类别的", rule: "最短公示期 3 个月（自处罚决定日期起），期满后可申请"),
            ])
        // Every field in a record page's order; the ID numbers marked as partly hidden, nothing else.
        let penaltyKind = try #require(f.node.resolvedKinds["penalty"])
        #expect(penalty.fields.map(\.name) == penaltyKind.fields.map(\.name) && penalty.fieldCount == penaltyKind.fields.count)
        #expect(Set(penalty.fields.filter(\.masked).map(\.name)) == ["证件号码", "法定代表人证件号码"])

        // 行政许可: while valid (the enumeration's label, not its code), until its end.
        let license = try Self.entry(page, "license")
        #expect(
            license.period == [
                Line(when: "公示条件", rule: "当前状态为“有效”时公示"), Line(when: "载明有效期至的", rule: "公示至有效期至"),
                Line(when: "未载明有效期至的", rule: "不设公示期限，信息有效期间持续公示"),
            ])
        #expect(license.repair.isEmpty && !license.hasRepair)
        // 严重失信主体名单: every node's, two end dates, repair a year from the listing.
        let black = try Self.entry(page, "blacklist")
        #expect(black.networkWide && black.deadline == nil && black.link == "/lists/black")
        #expect(black.period.contains(Line(when: "载明移出日期或有效期至的", rule: "公示至其中较早的日期")))
        #expect(black.repair == [Line(when: "全部", rule: "最短公示期 1 年（自列入日期起），期满后可申请")])
        // 信用承诺: no period.
        let commitment = try Self.entry(page, "commitment")
        #expect(commitment.period == [Line(when: "全部", rule: "不设公示期限，信息有效期间持续公示")] && !commitment.hasRepair)
        #expect(page.objection?.contains("3 个工作日内") == true && page.objection?.contains("7 个工作日内") == true)
    }

    @Test func theCountsAreWhatThePublicSeesToday() async throws {
        let f = try PortalFixture()
        let today = ChinaTime.date(PortalFixture.now)
        let page = try PortalPages(node: f.node).catalogue(today: today, now: PortalFixture.now)
        let home = try PortalPages(node: f.node).home(today: today, now: PortalFixture.now)
        for entry in page.open {
            #expect(entry.shown == home.counts.first { $0.kind == entry.kind }?.count ?? 0, "\(entry.kind)")
        }
        let penalties = try #require(try Self.entry(page, "penalty").shown)
        #expect(penalties > 0)
        // A penalty withdrawn is no longer counted.
        let key = try #require(try f.node.store.allRecords().first { $0.kind == "penalty" && $0.key != f.person.key }?.key)
        _ = try StatusDesk(node: f.node).enter(
            key: key, StatusChange(action: .withdrawn, date: today, reason: "行政复议决定撤销原处罚决定", unit: "江岸区市场监督管理局"), now: PortalFixture.now)
        let after = try PortalPages(node: f.node).catalogue(today: today, now: PortalFixture.now)
        #expect(try Self.entry(after, "penalty").shown == penalties - 1)
    }

    @Test func aProvincesOwnCatalogueIsWhatThePageSays() throws {
        let f = try PortalFixture()
        let today = ChinaTime.date(PortalFixture.now)
        // The province shows 警告 for six months, shares 行政确认 with government only, and sets no
        // time limit for objections.
        let node = try f.node(named: "province-rules") { catalogue in
            for i in catalogue.kinds.indices {
                if catalogue.kinds[i].slug == "penalty" { catalogue.kinds[i].publicity?.monthsByValue?["警告"] = 6 }
                if catalogue.kinds[i].slug == "confirmation" { catalogue.kinds[i].scope = .government }
            }
            catalogue.objectionWorkingDays = nil
        }
        let page = try PortalPages(node: node).catalogue(today: today, now: PortalFixture.now)
        let penalty = try Self.entry(page, "penalty")
        #expect(penalty.period.contains(Line(when: "通报批评", rule: "自处罚决定日期起公示 3 个月")))
        #expect(penalty.period.contains(Line(when: "警告", rule: "自处罚决定日期起公示 6 个月")))
        #expect(!page.open.contains { $0.kind == "confirmation" } && page.shared.contains("行政确认"))
        #expect(page.objection == nil)
        // An empty store: every kind is listed, with nothing shown.
        #expect(page.open.allSatisfy { $0.shown == 0 })
    }

    @Test func thePageItsJSONAndTheLinksToIt() async throws {
        let f = try PortalFixture()
        let response = try await f.get("/catalogue")
        #expect(response.status == .ok && response.headers[.contentType] == "text/html; charset=utf-8")
        let body = response.body
        #expect(body.contains("<h1>信用信息公示目录</h1>") && body.contains("id=\"penalty\"") && body.contains("href=\"/publicity/penalty\""))
        #expect(body.contains("<span class=\"when\">警告、通报批评：</span>自处罚决定日期起公示 3 个月"))
        #expect(body.contains("证件号码<small>（部分隐去）</small>") && body.contains("<details>"))
        #expect(body.contains("href=\"/authorised\">凭授权码查询") && body.contains("<span class=\"tag\">信用评价</span>"))
        // A kind with nothing shown says so, still linking its (empty) listing.
        #expect(body.contains("<a href=\"/publicity/confirmation\">暂无，查看栏目 ›</a>"))
        let json = try await f.json("/catalogue")
        let open = try #require(json["open"] as? [[String: Any]])
        #expect(open.first?["kind"] as? String == "license" && open.contains { $0["kind"] as? String == "penalty" && ($0["shown"] as? Int ?? 0) > 0 })
        // Each kind's listing answers; every page links the catalogue, a record and a listing its kind's entry.
        for link in open.compactMap({ $0["link"] as? String }) {
            let listing = try await f.get(link)
            #expect(listing.status == .ok, "\(link)")
        }
        let home = try await f.get("/")
        #expect(home.body.contains("href=\"/catalogue\""))
        let record = try await f.get(PortalPages.recordLink(f.person.key))
        #expect(record.body.contains("href=\"/catalogue#penalty\""))
        let recordJSON = try await f.json(PortalPages.recordLink(f.person.key))
        #expect(recordJSON["catalogueLink"] as? String == "/catalogue#penalty")
        let penalties = try await f.get("/publicity/penalty")
        #expect(penalties.body.contains("href=\"/catalogue#penalty\""))
        let black = try await f.get("/lists/black")
        #expect(black.body.contains("href=\"/catalogue#blacklist\""))
        // A misspelt address is the portal's own 404, not the catalogue.
        let misspelt = try await f.get("/catalog")
        #expect(misspelt.status == .notFound)
    }
}
