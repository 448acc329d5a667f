import CreditDomain
import Foundation
import HTTPTypes
import Hummingbird
import NIOCore

/// How a reader has chosen to read the public pages: the standard pages, or 关怀版 — the same
/// pages in large type with stronger contrast, underlined links and larger targets, as the
/// 适老化 rules for government websites ask (工业和信息化部《互联网网站适老化通用设计规范》).
/// Chosen with a link at the top of every page (`GET /mode`), kept in a cookie, no script.
///
/// Set for a request by `ViewChoice` (a task local, read where the request's own task renders);
/// work sent to the page pool takes it along explicitly (`Portal.respond`, `Portal.report`).
struct PortalView: Sendable, Encodable {
    enum Mode: String, Sendable {
        case standard, care
    }

    var mode: Mode
    /// The page's own address, where the switch comes back to (`returnable`).
    var here: String

    @TaskLocal static var current = PortalView(mode: .standard, here: "/")

    static let cookieName = "cn_view"
    /// The switch's address.
    static let path = "/mode"

    /// The reader's choice from the request's cookie (standard when none or another value).
    static func chosen(in request: Request) -> PortalView {
        let mode = Cookies.value(cookieName, in: request).flatMap(Mode.init(rawValue:)) ?? .standard
        return PortalView(mode: mode, here: returnable(path: request.uri.path, query: request.uri.query))
    }

    /// The query parameters a page's address keeps in its switch link: what chooses the page's
    /// content. A follow-up code (`code`) is the requester's secret and stays out.
    static let keptParameters: Set<String> = ["q", "region", "authority", "from", "to", "after", "category", "page"]

    /// The address the switch comes back to, as the page holds it in a link: the path and the
    /// parameters that choose the content — never a resident ID number (a search for one, or an
    /// address typed with one, comes back without it).
    static func returnable(path: String, query: String?) -> String {
        let kept = (query ?? "").split(separator: "&").filter { pair in
            keptParameters.contains(String(pair.prefix { $0 != "=" }))
        }
        func holdsIDNumber(_ s: String) -> Bool {
            let text = s.replacingOccurrences(of: "+", with: " ").removingPercentEncoding ?? s
            return Masking.maskResidentIDs(in: text) != text
        }
        guard !holdsIDNumber(path) else { return "/" }
        let here = path + (kept.isEmpty ? "" : "?" + kept.joined(separator: "&"))
        return holdsIDNumber(here) ? path : here
    }

    /// The link that switches to the other mode and comes back to this page.
    var switchLink: String {
        let other: Mode = mode == .care ? .standard : .care
        return "\(Self.path)?to=\(other.rawValue)&back=\(PortalPages.escapePath(here))"
    }

    enum CodingKeys: String, CodingKey {
        case care, switchLink, switchLabel, switchHint
    }

    /// What a template reads: `care`, and the switch's link, its text and its hint.
    func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(mode == .care, forKey: .care)
        try c.encode(switchLink, forKey: .switchLink)
        try c.encode(mode == .care ? "标准版" : "关怀版", forKey: .switchLabel)
        try c.encode(mode == .care ? "回到标准版页面" : "切换到大字体、高对比度的关怀版（适老化）页面", forKey: .switchHint)
    }

    /// Where `/mode` sends the reader back to: `back` when it is an address on this site (a
    /// path, printable ASCII, not `//host`), else the home page — never to another site.
    static func returnAddress(_ back: String?) -> String {
        guard let back, back.hasPrefix("/"), !back.hasPrefix("//"), !back.hasPrefix("/\\"), back.utf8.count <= 2048,
            back.utf8.allSatisfy({ (0x21...0x7E).contains($0) && $0 != UInt8(ascii: "\\") })
        else { return "/" }
        return back
    }

    /// `GET /mode?to=care|standard&back=/path`: keeps the choice a year (or forgets it) and
    /// sends the reader back to the page they were on.
    static func switchResponse(_ request: Request) -> Response? {
        let form = FormValues(request.uri.query)
        guard let mode = form["to"].flatMap(Mode.init(rawValue:)) else { return nil }
        let cookie =
            mode == .care
            ? "\(cookieName)=care; Path=/; Max-Age=31536000; HttpOnly; SameSite=Lax"
            : "\(cookieName)=; Path=/; Max-Age=0; HttpOnly; SameSite=Lax"
        return Response(
            status: .seeOther,
            headers: [.location: returnAddress(form["back"]), .setCookie: cookie, .cacheControl: "no-store"])
    }
}

/// Sets `PortalView.current` from the request for everything under it; a page that depends on
/// the cookie says so to caches (`Vary: Cookie`).
struct ViewChoice<Context: RequestContext>: RouterMiddleware {
    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        var response = try await PortalView.$current.withValue(PortalView.chosen(in: request)) { try await next(request, context) }
        if response.headers[.contentType]?.hasPrefix("text/html") == true { response.headers[.vary] = "Cookie" }
        return response
    }
}

/// A request's cookies.
enum Cookies {
    /// The first value of the cookie `name`, if the request has one.
    static func value(_ name: String, in request: Request) -> String? {
        for header in request.headers[values: .cookie] {
            for part in header.split(separator: ";") {
                let pair = part.trimmingCharacters(in: .whitespaces).split(separator: "=", maxSplits: 1)
                if pair.count == 2, pair[0] == name { return String(pair[1]) }
            }
        }
        return nil
    }
}
