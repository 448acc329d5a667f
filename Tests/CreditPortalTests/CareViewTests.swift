import Foundation
import HTTPTypes
import Testing

@testable import CreditPortal

/// 关怀版 (适老化): every public page in large type and strong contrast when the reader chooses it
/// with the link at the top of the page; the choice kept in a cookie, no script.
@Suite("关怀版: the large-type view of the public pages", .serialized)
struct CareViewTests {
    static let care: HTTPFields = [.cookie: "cn_view=care"]

    /// Whether a page was rendered as 关怀版, and its switch link.
    static func view(of html: String) -> (care: Bool, link: String?) {
        let care = html.contains("<html lang=\"zh-CN\" class=\"care\">")
        let plain = html.contains("<html lang=\"zh-CN\">")
        #expect(care != plain, "the page has one <html> opening")
        guard let open = html.range(of: "<a class=\"mode\" href=\""), let close = html[open.upperBound...].firstIndex(of: "\"") else {
            return (care, nil)
        }
        return (care, String(html[open.upperBound..<close]).replacingOccurrences(of: "&amp;", with: "&"))
    }

    @Test func theSwitchKeepsTheChoiceAndComesBackToThePage() async throws {
        let f = try PortalFixture()
        let back = "/publicity/penalty?region=\(PortalFixture.villages[0])&from=2026-11-01"
        let (status, headers, _) = try await f.get("/mode?to=care&back=" + PortalPages.escapePath(back))
        #expect(status == .seeOther && headers[.location] == back)
        let cookie = try #require(headers[.setCookie])
        #expect(cookie.hasPrefix("cn_view=care;") && cookie.contains("Max-Age=31536000") && cookie.contains("Path=/") && cookie.contains("HttpOnly"))
        #expect(headers[.cacheControl] == "no-store")
        // Back to the standard pages: the cookie is forgotten.
        let (again, standard, _) = try await f.get("/mode?to=standard&back=%2F")
        #expect(again == .seeOther && standard[.location] == "/")
        #expect(standard[.setCookie]?.hasPrefix("cn_view=;") == true && standard[.setCookie]?.contains("Max-Age=0") == true)
    }

    @Test func theSwitchNeverSendsTheReaderToAnotherSite() async throws {
        let f = try PortalFixture()
        for back in ["//evil.example/x", "https://evil.example/", "/\\evil.example", "/a\r\nSet-Cookie: x=1", "/搜索", "", "publicity"] {
            let (status, headers, _) = try await f.get("/mode?to=care&back=" + PortalPages.escapePath(back))
            #expect(status == .seeOther && headers[.location] == "/", "\(back.debugDescription) → \(headers[.location] ?? "none")")
        }
        // No `back` at all: home.
        let (_, headers, _) = try await f.get("/mode?to=care")
        #expect(headers[.location] == "/")
        #expect(PortalView.returnAddress("/subjects/91420100MA4K0000X1?page=2") == "/subjects/91420100MA4K0000X1?page=2")
    }

    @Test func aModeThatDoesNotExistIsRefusedInWords() async throws {
        let f = try PortalFixture()
        for query in ["?to=large", "?to=", ""] {
            let (status, headers, body) = try await f.get("/mode" + query)
            #expect(status == .badRequest && headers[.setCookie] == nil, "\(query)")
            #expect(body.contains("没有这种浏览方式") && body.contains("关怀版"), "\(query)")
        }
    }

    @Test func everyPublicPageHonoursTheChoiceAndLinksBackToItself() async throws {
        let f = try PortalFixture()
        let company = try ReportTests.company(f)
        let penalty = try #require((try await f.json("/publicity/penalty")["rows"] as? [[String: Any]])?.first)
        let record = try #require(penalty["recordLink"] as? String)
        let pages = [
            "/", "/search?q=" + PortalPages.escapePath(String(f.person.name.prefix(2))), "/subjects/\(company)", record,
            "/publicity/penalty?region=\(PortalFixture.villages[0])", "/lists/black", "/catalogue", "/statistics", "/verify", "/authorised",
            "/objections/status", "/cases", "/reports/\(company)", "/no-such-page",
        ]
        for path in pages {
            let (_, _, standard) = try await f.get(path)
            let plain = Self.view(of: standard)
            #expect(!plain.care && plain.link == "/mode?to=care&back=" + PortalPages.escapePath(path), "\(path): \(plain.link ?? "no switch")")
            #expect(standard.contains(">关怀版</a>"), "\(path)")
            let (status, headers, chosen) = try await f.get(path, headers: Self.care)
            let care = Self.view(of: chosen)
            #expect(status == (path == "/no-such-page" ? .notFound : .ok), "\(path)")
            #expect(care.care && care.link == "/mode?to=standard&back=" + PortalPages.escapePath(path), "\(path): \(care.link ?? "no switch")")
            #expect(chosen.contains(">标准版</a>") && headers[.vary] == "Cookie", "\(path)")
        }
        // The switch link comes back without what a page must never hold: a resident ID number
        // searched for or typed into an address, a requester's follow-up code.
        let id = PortalFixture.hiddenID
        for (path, back) in [
            ("/search?q=\(id)", "/search"), ("/subjects/\(id)", "/"), ("/objections/status?code=ABCD2345EFGH", "/objections/status"),
            ("/publicity/penalty?region=\(PortalFixture.villages[0])&format=html&x=1", "/publicity/penalty?region=\(PortalFixture.villages[0])"),
        ] {
            let (_, _, body) = try await f.get(path, headers: Self.care)
            #expect(Self.view(of: body).link == "/mode?to=standard&back=" + PortalPages.escapePath(back), "\(path)")
            #expect(!body.contains(id), "\(path)")
        }
        // Another cookie's value is the standard view.
        let (_, _, other) = try await f.get("/", headers: [.cookie: "cn_view=huge; cn_csrf=00"])
        #expect(!Self.view(of: other).care)
    }

    @Test func aKeptPageIsKeptForEachViewApart() async throws {
        let f = try PortalFixture()
        // The same address, first standard, then 关怀版, then standard again: each from the cache
        // after its first rendering, none the other's.
        for (headers, care) in [([:], false), (Self.care, true), ([:], false), (Self.care, true)] as [(HTTPFields, Bool)] {
            for path in ["/", "/catalogue", "/publicity/license"] {
                let (_, _, body) = try await f.get(path, headers: headers)
                #expect(Self.view(of: body).care == care, "\(path) care=\(care)")
            }
        }
    }

    @Test func theJSONAndTheCSVAreTheSameInEitherView() async throws {
        let f = try PortalFixture()
        for path in ["/?format=json", "/publicity/penalty?format=json", "/publicity/penalty?format=csv"] {
            let (_, standardHeaders, standard) = try await f.get(path)
            let (_, careHeaders, care) = try await f.get(path, headers: Self.care)
            #expect(standard == care && !care.contains("switchLink"), "\(path)")
            #expect(standardHeaders[.vary] == nil && careHeaders[.vary] == nil, "\(path)")
        }
    }
}
