import CreditDomain
import Foundation
import Testing

@testable import CreditPortal
@testable import NodeRuntime

/// 信用网站互联互通 (seed 000 item 2: 信用柳江 linked with 信用柳州 and 信用广西): every site links the
/// sites above it and, on its home page, those below it, as the division directory gives them;
/// a search and an organisation's page lead to the province's site, which holds every area.
@Suite("信用网站群: the sites of every level linked", .serialized)
struct SiteClusterTests {
    static let province = "https://credit.hubei.gov.cn/"
    static let city = "https://credit.wuhan.gov.cn/"
    static let village = "http://[fd00::2]:7500/"
    static let national = "https://www.creditchina.gov.cn/"

    /// The fixture's township given a directory: names from the province down, sites for the
    /// province, the city and the first village (not the district, nor the second village).
    static func directory(_ f: PortalFixture, at node: NodeContext? = nil) throws {
        let names = [
            "420000000000": "湖北省", "420100000000": "武汉市", "420102000000": "江岸区", "420102002000": "大智街道",
            "420102002201": "大智一村", "420102002202": "大智二村",
        ]
        let sites = ["420000000000": province, "420100000000": city, "420102002201": village]
        let directory = DivisionDirectory(
            source: "test", names: Dictionary(uniqueKeysWithValues: try names.map { (try DivisionCode($0.key), $0.value) }),
            sites: Dictionary(uniqueKeysWithValues: try sites.map { (try DivisionCode($0.key), $0.value) }),
            national: .init(name: "信用中国", site: national))
        let node = node ?? f.node
        let control = URL(fileURLWithPath: node.configuration.controlDirectory)
        try FileManager.default.createDirectory(at: control, withIntermediateDirectories: true)
        try Data(directory.encoded()).write(to: control.appendingPathComponent(NodeContext.divisionsFile))
        node.reloadDivisions()
    }

    static func links(_ list: Any?) -> [String] { ((list as? [[String: Any]]) ?? []).map { "\($0["name"] ?? "") \($0["link"] ?? $0["url"] ?? "")" } }

    @Test func everyPageLinksTheSitesAboveAndTheHomePageThoseBelow() async throws {
        let f = try PortalFixture()
        // No directory yet: no site is linked.
        let before = try await f.json("/")
        #expect(Self.links((before["site"] as? [String: Any])?["above"]).isEmpty && Self.links(before["below"]).isEmpty)
        let (_, _, plain) = try await f.get("/")
        #expect(!plain.contains("上级信用网站") && !plain.contains("辖区信用网站"))

        try Self.directory(f)
        let home = try await f.json("/")
        // 信用中国 first, then the province, then the city; the district has no site and is left out.
        #expect(
            Self.links((home["site"] as? [String: Any])?["above"]) == [
                "信用中国 \(Self.national)", "信用湖北省 \(Self.province)", "信用武汉市 \(Self.city)",
            ])
        #expect(Self.links(home["below"]) == ["信用大智一村 \(Self.village)"])
        let (_, _, html) = try await f.get("/")
        #expect(html.contains("上级信用网站") && html.contains(">信用湖北省</a>") && html.contains(">信用武汉市</a>"))
        #expect(html.contains("辖区信用网站") && html.contains(">信用大智一村</a>") && !html.contains(">信用大智二村</a>"))
        // Every page's footer, not only the home page's.
        for path in ["/publicity/penalty", "/catalogue", "/no-such-page"] {
            let (_, _, page) = try await f.get(path)
            #expect(page.contains("上级信用网站") && page.contains(">信用湖北省</a>"), "\(path)")
            #expect(!page.contains("辖区信用网站"), "\(path)")
        }
    }

    @Test func aSearchAndAnOrganisationLeadToTheProvincesSiteNeverWithAnIDNumber() async throws {
        let f = try PortalFixture()
        try Self.directory(f)
        let fragment = String(f.person.name.prefix(2))
        let byName = try await f.json("/search?q=" + PortalPages.escapePath(fragment))
        #expect(
            (byName["wider"] as? [String: Any])?["link"] as? String == Self.province + "search?q=" + PortalPages.escapePath(fragment))
        let (_, _, page) = try await f.get("/search?q=" + PortalPages.escapePath(fragment))
        #expect(page.contains("到信用湖北省查询") && page.contains("本站只收录大智街道的信用信息"))
        // An ID number searched for: the link goes to the province's search box, the number stays out.
        for q in [f.person.code, PortalFixture.hiddenID, "张三\(PortalFixture.hiddenID)"] {
            let json = try await f.json("/search?q=" + PortalPages.escapePath(q))
            #expect((json["wider"] as? [String: Any])?["link"] as? String == Self.province + "search", "\(q)")
            let (_, _, html) = try await f.get("/search?q=" + PortalPages.escapePath(q))
            #expect(!html.contains(f.person.code) && !html.contains(PortalFixture.hiddenID), "\(q)")
        }
        // An organisation's page links its page on the province's site; a person's does not (a
        // person is found there by name, never by a number in a link).
        let company = try ReportTests.company(f)
        let subject = try await f.json("/subjects/\(company)")
        #expect((subject["wider"] as? [String: Any])?["link"] as? String == Self.province + "subjects/\(company)")
        let (_, _, companyPage) = try await f.get("/subjects/\(company)")
        #expect(companyPage.contains("在信用湖北省查看该主体各地区的公开信息"))
        let id = try #require(try f.node.store.subjectHit(code: f.person.code)?.id)
        let person = try await f.json("/subjects/~\(id)")
        #expect(person["wider"] == nil)
    }

    /// 网站支持 IPv6: a portal listening on an IPv6 address says so in its footer; one on IPv4 does not.
    @Test func aPortalOnIPv6SaysSo() async throws {
        let f = try PortalFixture()
        let (_, _, v4) = try await f.get("/")
        #expect(!v4.contains("本站支持 IPv6 访问"))
        var config = f.node.configuration
        config.portal = "[::]:8080"
        let node = try NodeContext(configuration: config, clock: { PortalFixture.now })
        #expect(try PortalPages(node: node).site().ipv6)
        let html = try await f.get("/", from: try Portal(node: node))
        #expect(html.contains("本站支持 IPv6 访问"))
    }

    /// 信易贷 products of a wider area are on that area's site: a village's or township's /loans
    /// leads to the nearest site above; other listings, and the top, lead nowhere.
    @Test func theLoansListingLeadsToTheNearestSiteAbove() async throws {
        let f = try PortalFixture()
        #expect(try await f.json("/loans")["wider"] == nil)
        try Self.directory(f)
        let loans = try await f.json("/loans")
        // The township's nearest site above is the city's (the district has none).
        #expect(Self.links([loans["wider"] ?? [:]]) == ["信用武汉市 \(Self.city)loans"])
        let (_, _, html) = try await f.get("/loans")
        #expect(html.contains("href=\"\(Self.city)loans\">到信用武汉市查看 ›</a>"))
        #expect(try await f.json("/publicity/penalty")["wider"] == nil)
        var config = NodeConfiguration(code: try DivisionCode("420000000000"), dataDirectory: f.dir.path("top"))
        config.children = [try DivisionCode("420100000000")]
        let province = try NodeContext(configuration: config, clock: { PortalFixture.now })
        try Self.directory(f, at: province)
        let top = try PortalPages(node: province).listing(
            path: "/loans", kinds: [LoanDesk.kind], title: "信易贷产品", parameters: PortalPages.ListingParameters(),
            today: ChinaTime.date(PortalFixture.now))
        #expect(top.0.wider == nil)
    }

    @Test func theTopOfTheNetworkLinksNothingAbove() throws {
        let f = try PortalFixture()
        var config = NodeConfiguration(code: try DivisionCode("420000000000"), dataDirectory: f.dir.path("province"))
        config.children = [try DivisionCode("420100000000")]
        let province = try NodeContext(configuration: config, clock: { PortalFixture.now })
        try Self.directory(f, at: province)
        let pages = try PortalPages(node: province)
        let today = ChinaTime.date(PortalFixture.now)
        // Only 信用中国 above the province; nothing to search further up.
        #expect(pages.site().above == [SiteLink(name: "信用中国", url: Self.national)])
        #expect(try pages.search("大智", today: today).wider == nil)
        #expect(try pages.home(today: today, now: PortalFixture.now).below.map(\.name) == ["信用武汉市"])
    }
}
