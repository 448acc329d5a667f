import ChangeSets
import CreditDomain
import CreditStore
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTLS
import Logging
import Mustache
import NIOCore
import NodePKI
import NodeRuntime
import ServiceLifecycle
import Synchronization

/// The public credit portal: every node is a 信用X site for its own area, from its own store.
/// Read-only; pages are rendered on the server from the templates shipped in
/// `CreditNet_CreditPortal.resources/portal/templates` (every value escaped by the engine), and
/// each answers as JSON with `?format=json` — the same value the template was given.
public struct Portal: Sendable {
    public static let resourceBundle = "CreditNet_CreditPortal.resources"

    public let node: NodeContext
    let pages: PortalPages
    let library: MustacheLibrary
    let assets: [String: Asset]
    let limiter = RateLimiter(perHour: Portal.objectionsPerHour)
    /// Reports one address may have checked an hour (each is a signature per record).
    let verifications = RateLimiter(perHour: Portal.verificationsPerHour)
    /// Failed authorised queries (授权查询) per address an hour.
    let authorisedFailures = RateLimiter(perHour: Portal.authorisedFailuresPerHour)
    /// Reports of dishonest conduct by address (`complaintsPerHour`).
    let complaintLimiter = RateLimiter(perHour: Portal.complaintsPerHour)
    /// Requests for 信易贷 products by address (`loanRequestsPerHour`).
    let loanLimiter = RateLimiter(perHour: Portal.loanRequestsPerHour)
    /// Pages as last rendered, for the store's newest change.
    let cache = PageCache<Rendered>()
    /// What reports on a subject say (their entries encoded, or their rows rendered), for the
    /// store's newest change: a report is then a number, a time and a signature.
    let reportBodies = PageCache<ReportBody>()
    /// Now (injected by tests): what "today" is for publicity periods.
    let clock: @Sendable () -> Date

    struct Asset: Sendable {
        var bytes: [UInt8]
        var contentType: String
    }

    /// `clock` defaults to the node's (`NodeContext.clock`).
    public init(node: NodeContext, clock: (@Sendable () -> Date)? = nil) throws {
        self.node = node
        self.clock = clock ?? node.clock
        pages = try PortalPages(node: node)
        let root: URL
        switch ShippedResources.url("portal", bundle: Self.resourceBundle) {
        case .success(let url): root = url
        case .failure(let missing): throw missing
        }
        var library = MustacheLibrary()
        let templates = root.appendingPathComponent("templates")
        for name in try FileManager.default.contentsOfDirectory(atPath: templates.path) where name.hasSuffix(".mustache") {
            let text = try String(contentsOf: templates.appendingPathComponent(name), encoding: .utf8)
            try HTMLEscaping.register(text, named: String(name.dropLast(".mustache".count)), into: &library)
        }
        self.library = library
        var assets: [String: Asset] = [:]
        let statics = root.appendingPathComponent("static")
        for name in try FileManager.default.contentsOfDirectory(atPath: statics.path) {
            let type = name.hasSuffix(".css") ? "text/css; charset=utf-8" : name.hasSuffix(".svg") ? "image/svg+xml" : "application/octet-stream"
            assets[name] = Asset(bytes: Array(try Data(contentsOf: statics.appendingPathComponent(name))), contentType: type)
        }
        self.assets = assets
    }

    /// The listener, a service for the node's `ServiceGroup`: plain HTTP, or HTTPS with the
    /// node's certificate when `tls` (no client certificate: the public has none). The node's
    /// listener limits apply (idle timeout, connection cap); it reads no request body.
    public func application(host: String, port: Int, tls: Bool = false, onRunning: @escaping @Sendable (Int) async -> Void = { _ in }) throws
        -> any Service
    {
        let limits = ListenerLimits(node.configuration, defaultUploadBytes: 64 << 10)
        let configuration = ApplicationConfiguration(
            address: .hostname(host, port: port), serverName: "credit-node \(node.configuration.code) portal")
        let onServerRunning: @Sendable (any Channel) async -> Void = { channel in await onRunning(channel.localAddress?.port ?? port) }
        if tls {
            let tlsConfiguration = try TLSConfigurations.publicServer(identity: try node.credentials.identity())
            return Application(
                router: router(), server: try .tls(limits.http1(name: "portal", logger: node.logger), tlsConfiguration: tlsConfiguration),
                configuration: configuration, onServerRunning: onServerRunning, logger: node.logger)
        }
        return Application(
            router: router(), server: limits.http1(name: "portal", logger: node.logger), configuration: configuration,
            onServerRunning: onServerRunning,
            logger: node.logger)
    }

    /// Every route of the portal.
    public func router() -> Router<PortalRequestContext> {
        let router = Router(context: PortalRequestContext.self)
        router.add(middleware: SecurityHeaders())
        // Outside the error pages: a refusal is rendered in the reader's chosen view too.
        router.add(middleware: ViewChoice())
        let portal = self
        router.add(middleware: ErrorPages(under: "/", notFound: Self.noSuchPage) { failure, json, _ in portal.failure(failure, json: json) })
        router.get("/") { request, _ in
            await portal.respond(request, template: "home") { today in try portal.pages.home(today: today, now: portal.clock()) }
        }
        router.get(RouterPath(PortalPages.cataloguePath)) { request, _ in
            await portal.respond(request, template: "catalogue") { today in try portal.pages.catalogue(today: today, now: portal.clock()) }
        }
        router.get(RouterPath(PortalPages.statisticsPath)) { request, _ in
            await portal.respond(request, template: "statistics") { today in try portal.pages.statistics(today: today, now: portal.clock()) }
        }
        router.get(RouterPath(PortalView.path)) { request, _ in
            guard let response = PortalView.switchResponse(request) else {
                throw HTTPError(.badRequest, message: "没有这种浏览方式：请从页面顶部的“关怀版”或“标准版”链接切换。")
            }
            return response
        }
        router.get("/search") { request, _ in
            let form = FormValues(request.uri.query)
            return await portal.respond(request, template: "search") { today in
                try portal.pages.search(form["q"] ?? "", after: form["after"], today: today)
            }
        }
        router.get("/subjects/{reference}") { request, context in
            let reference = (context.parameters.get("reference") ?? "").removingPercentEncoding ?? ""
            let page = FormValues(request.uri.query)["page"].map { Int($0) ?? 0 } ?? 1
            return await portal.respond(request, template: "subject") { today in
                guard let page = try portal.pages.subject(reference, page: page, today: today) else { throw NotFound(message: "没有找到这个主体的公开信用信息。") }
                return page
            }
        }
        router.get(RouterPath(PortalPages.newsPath)) { request, _ in
            let form = FormValues(request.uri.query)
            return await portal.respond(request, template: "news") { today in
                try portal.pages.news(q: form["q"], column: form["column"], region: form["region"], after: form["after"], today: today)
            }
        }
        router.get(RouterPath(PortalPages.newsPath + "/**")) { request, context in
            let key = context.parameters.getCatchAll().joined(separator: "/").removingPercentEncoding ?? ""
            return await portal.respond(request, template: "article") { today in
                guard let page = try portal.pages.article(key: key, q: FormValues(request.uri.query)["q"], today: today) else {
                    throw NotFound(message: "没有找到这篇信用动态：它可能不存在，或已撤下。")
                }
                return page
            }
        }
        router.get("/records/**") { request, context in
            let key = context.parameters.getCatchAll().joined(separator: "/").removingPercentEncoding ?? ""
            // An article of 信用动态 has its own page.
            if key.hasPrefix(CreditNews.kind + "|") {
                return Response(status: .movedPermanently, headers: [.location: PortalPages.articleLink(key)])
            }
            // The objection form's token.
            return await portal.tokenPage(request, template: "record") { today, token in
                guard var page = try portal.pages.record(key: key, today: today) else { throw NotFound(message: "没有找到这条公开记录：它可能不存在、未公开，或已撤销、修复、期满。") }
                page.csrf = token
                return page
            }
        }
        router.get("/reports/{reference}") { request, context in
            let reference = (context.parameters.get("reference") ?? "").removingPercentEncoding ?? ""
            return await portal.report(request, reference: reference)
        }
        router.post("/objections") { request, context in
            await portal.request(request, purpose: .objection, from: context.remoteAddress)
        }
        router.post("/repairs") { request, context in
            await portal.request(request, purpose: .repair, from: context.remoteAddress)
        }
        router.get("/objections/status") { request, _ in
            await portal.objectionStatus(request)
        }
        router.get("/complaints") { request, _ in
            await portal.complaintFormResponse(request)
        }
        router.post("/complaints") { request, context in
            await portal.complaint(request, from: context.remoteAddress)
        }
        router.get("/complaints/status") { request, _ in
            await portal.complaintStatus(request)
        }
        router.get("/loans/apply") { request, _ in
            await portal.loanFormResponse(request)
        }
        router.post("/loans/apply") { request, context in
            await portal.loanRequest(request, from: context.remoteAddress)
        }
        router.get("/loans/status") { request, _ in
            await portal.loanStatus(request)
        }
        router.get("/authorised") { request, _ in
            portal.authorisedFormResponse(request)
        }
        router.post("/authorised") { request, context in
            await portal.authorisedQuery(request, from: context.remoteAddress)
        }
        router.get("/verify") { request, _ in
            FormValues(request.uri.query)["format"] == "json"
                ? Self.json(portal.verifyPage()) : portal.html(portal.verifyPage(), template: "verify", status: .ok)
        }
        router.post("/verify") { request, context in
            await portal.verify(request, from: context.remoteAddress)
        }
        for listing in pages.listings {
            let (path, kinds, title) = (listing.path, listing.kinds, listing.title)
            router.get(RouterPath(path)) { request, _ in
                let form = FormValues(request.uri.query)
                let parameters = PortalPages.ListingParameters(
                    region: form["region"], authority: form["authority"], from: form["from"], to: form["to"], after: form["after"],
                    category: form["category"])
                if form["format"] == "csv" {
                    return await portal.csv(path: path, kinds: kinds, title: title, parameters: parameters)
                }
                return await portal.respond(request, template: "listing") { today in
                    try portal.pages.listing(path: path, kinds: kinds, title: title, parameters: parameters, today: today).page
                }
            }
        }
        // Browsers ask for /favicon.ico whatever the page says: the same icon.
        router.get("/favicon.ico") { _, _ in portal.asset("favicon.svg") }
        router.get("/static/{name}") { _, context in portal.asset(context.parameters.get("name") ?? "") }
        return router
    }

    /// A file of the portal's `static` directory, or 404.
    func asset(_ name: String) -> Response {
        guard let asset = assets[name] else {
            return Response(
                status: .notFound, headers: [.contentType: "text/plain; charset=utf-8"], body: .init(byteBuffer: ByteBuffer(string: "not found")))
        }
        return Response(
            status: .ok, headers: [.contentType: asset.contentType, .cacheControl: "public, max-age=3600"],
            body: .init(byteBuffer: ByteBuffer(bytes: asset.bytes)))
    }

    struct NotFound: Error { var message: String }

    /// What a person reads at an address the portal has no page for (a mistyped or outdated link).
    static let noSuchPage = "本站没有这个页面：网址可能输入有误，或页面已经调整。请从首页进入，或在上方输入企业名称、姓名或统一社会信用代码查询。"

    /// A form's fields and files: `multipart/form-data` (a form with a file input: its text fields
    /// and its files) or `application/x-www-form-urlencoded`; nil for a multipart body that cannot
    /// be read as its boundary says.
    static func formContent(_ body: ByteBuffer, contentType: String?) -> (fields: FormValues, files: [MultipartForm.Part])? {
        guard let boundary = contentType.flatMap(MultipartForm.boundary(contentType:)) else { return (FormValues(String(buffer: body)), []) }
        guard let multipart = MultipartForm(Array(body.readableBytesView), boundary: boundary) else { return nil }
        return (
            FormValues(fields: multipart.parts.filter { $0.filename == nil }.map { ($0.name, String(decoding: $0.bytes, as: UTF8.self)) }),
            multipart.parts.filter { $0.filename != nil }
        )
    }

    static let unreadableForm = "提交的内容无法读取：请用本页的表单重新提交。"

    /// The files a public form sent in its `evidence` input, as `Attachments` checks them.
    static func uploads(_ files: [MultipartForm.Part]) -> [Attachments.Upload] {
        files.filter { $0.name == "evidence" }.map { Attachments.Upload(filename: $0.filename ?? "", bytes: $0.bytes) }
    }

    /// Requests (objections and repair applications together) a single address may submit per hour.
    static let objectionsPerHour = 5
    /// The largest request form body read: its fields alone (`application/x-www-form-urlencoded`),
    /// or its fields and up to three files (证明材料, `multipart/form-data`).
    static let objectionFieldsMax = 16 << 10
    static let objectionBodyMax = (64 << 10) + Attachments.max * Attachments.bytesMax

    /// How much of a form's body is read: `withFiles` for a multipart body, `fields` for any other.
    static func bodyLimit(_ request: Request, fields: Int, withFiles: Int) -> Int {
        request.headers[.contentType].flatMap(MultipartForm.boundary(contentType:)) == nil ? fields : withFiles
    }

    /// `POST /objections`, `POST /repairs`: a request from the public (name, contact, reason; for
    /// a repair the undertaking; up to three files, 证明材料) about a record. The form's token must
    /// match the cookie set with the record's page (no other site can submit it), the body is
    /// bounded, and one address submits at most `objectionsPerHour` an hour, of both kinds together.
    func request(_ request: Request, purpose: RequestPurpose, from address: String?) async -> Response {
        var request = request
        let json = FormValues(request.uri.query)["format"] == "json"
        let refuse = { (status: HTTPResponse.Status, message: String) -> Response in
            let page = pages.error(status: Int(status.code), message: message)
            return json ? Self.json(page, status: status) : html(page, template: "error", status: status)
        }
        let body: ByteBuffer
        do {
            body = try await request.collectBody(upTo: Self.bodyLimit(request, fields: Self.objectionFieldsMax, withFiles: Self.objectionBodyMax))
        } catch {
            return refuse(.contentTooLarge, "提交内容过长：证明材料最多 \(Attachments.max) 份、每份不超过 \(Attachments.bytesMax >> 20) MB。")
        }
        guard let (form, files) = Self.formContent(body, contentType: request.headers[.contentType]) else {
            return refuse(.badRequest, Self.unreadableForm)
        }
        guard let token = CSRF.token(in: request), let sent = form["csrf"], CSRF.matches(token, sent) else {
            return refuse(.forbidden, "表单已过期或不是从本站提交的：请回到记录页面重新填写。")
        }
        guard limiter.take(address ?? "unknown", now: clock()) else {
            return refuse(.tooManyRequests, "同一网络地址每小时最多提交 \(Self.objectionsPerHour) 次异议申诉或信用修复申请，请稍后再试。")
        }
        let key = form["key"] ?? ""
        let desk = ObjectionDesk(node: node)
        let now = clock()
        let result = await BlockingWork.run {
            try desk.submit(
                key: key, name: form["name"] ?? "", contact: form["contact"] ?? "", reason: form["reason"] ?? "", purpose: purpose,
                undertaking: form["undertaking"] == "yes", attachments: Self.uploads(files), now: now)
        }
        switch result {
        case .success(let (id, code)):
            let page = ObjectionReceivedPage(
                site: pages.site(), title: purpose == .objection ? "异议已提交" : "信用修复申请已提交", request: id, recordLink: PortalPages.recordLink(key),
                code: ObjectionRequestCode.grouped(code), statusLink: "/objections/status?code=" + code, repair: purpose == .repair)
            return json ? Self.json(page) : html(page, template: "objection-received", status: .ok)
        case .failure(let e as ObjectionRequestError):
            return refuse(
                e.code == .unknownRecord
                    ? .notFound : e.code == .repairTooEarly || e.code == .notRepairable || e.code == .elsewhere ? .conflict : .badRequest, e.message)
        case .failure(let error):
            return failure(error, json: json)
        }
    }

    /// `GET /objections/status?code=…`: where a request stands (`PortalPages.objectionStatus`).
    func objectionStatus(_ request: Request) async -> Response {
        await followUp(request, template: "objection-status") { [pages] typed, today in try pages.objectionStatus(code: typed, today: today) }
    }

    /// A page found by a follow-up code (`?code=`), built with what was typed and today, answered
    /// with the status the page gives; never cached anywhere, since the page is the requester's.
    func followUp<Page: Encodable & Sendable>(
        _ request: Request, template: String, build: @escaping @Sendable (String, CivilDate) throws -> (page: Page, status: Int)
    ) async -> Response {
        let form = FormValues(request.uri.query)
        let json = form["format"] == "json"
        let typed = form["code"] ?? ""
        let today = ChinaTime.date(clock())
        switch await BlockingWork.page({ try build(typed, today) }) {
        case .success(let (page, code)):
            let status = HTTPResponse.Status(code: code)
            var response = json ? Self.json(page, status: status) : html(page, template: template, status: status)
            response.headers[.cacheControl] = "no-store"
            return response
        case .failure(let error):
            return failure(error, json: json)
        }
    }

    /// `POST` of a public form that keeps what it sends (失信举报, 融资需求): the body bounded
    /// (413), the form's token matching the cookie (403: no other site can send it), at most
    /// `limiter`'s sends kept an hour from one address (429; refusals are not counted, so a person
    /// correcting the form is not held back), then `submit` — what its desk refused (`refusal`
    /// gives the message) shown on the form refilled with what was typed (400), its page answered
    /// otherwise. Never cached.
    func formPost<Form: Sendable>(
        _ request: Request, from address: String?, limiter: RateLimiter, bodyMax: Int, fieldsMax: Int? = nil, template: String, received: String,
        tooLong: String,
        tooMany: String, parse: (FormValues, [MultipartForm.Part]) -> Form,
        refill: @escaping @Sendable (Form?, String, CivilDate, String) throws -> some Encodable & Sendable,
        refusal: @escaping @Sendable (any Error) -> String?, submit: @escaping @Sendable (Form, Date) throws -> some Encodable & Sendable
    ) async -> Response {
        var request = request
        let json = FormValues(request.uri.query)["format"] == "json"
        let token = CSRF.token(in: request) ?? CSRF.newToken()
        let now = clock()
        let today = ChinaTime.date(now)
        func answer(_ page: some Encodable & Sendable, _ template: String, _ status: HTTPResponse.Status) -> Response {
            var response = json ? Self.json(page, status: status) : html(page, template: template, status: status)
            response.headers[.cacheControl] = "no-store"
            response.headers[.setCookie] = CSRF.cookie(token)
            return response
        }
        func refuse(_ status: HTTPResponse.Status, _ form: Form?, _ message: String) async -> Response {
            switch await BlockingWork.page({ try refill(form, message, today, token) }) {
            case .success(let page): return answer(page, template, status)
            case .failure(let error): return failure(error, json: json)
            }
        }
        let body: ByteBuffer
        let limit = Self.bodyLimit(request, fields: fieldsMax ?? bodyMax, withFiles: bodyMax)
        do { body = try await request.collectBody(upTo: limit) } catch { return await refuse(.contentTooLarge, nil, tooLong) }
        guard let (fields, files) = Self.formContent(body, contentType: request.headers[.contentType]) else {
            return await refuse(.badRequest, nil, Self.unreadableForm)
        }
        let form = parse(fields, files)
        guard let cookie = CSRF.token(in: request), let sent = fields["csrf"], CSRF.matches(cookie, sent) else {
            return await refuse(.forbidden, form, "表单已过期或不是从本站提交的：请核对后再提交一次。")
        }
        let sender = address ?? "unknown"
        guard !limiter.exhausted(sender, now: now) else { return await refuse(.tooManyRequests, form, tooMany) }
        switch await BlockingWork.run({ try submit(form, now) }) {
        case .success(let page):
            _ = limiter.take(sender, now: now)
            return answer(page, received, .ok)
        case .failure(let error):
            if let message = refusal(error) { return await refuse(.badRequest, form, message) }
            return failure(error, json: json)
        }
    }

    /// A page holding a form of the public: built with the browser's token (or a new one), which
    /// is set as its cookie and which the form repeats (`CSRF`); never kept in the page cache.
    func tokenPage(
        _ request: Request, template: String, build: @escaping @Sendable (CivilDate, String) throws -> some Encodable & Sendable
    ) async -> Response {
        let token = CSRF.token(in: request) ?? CSRF.newToken()
        var response = await respond(request, template: template, cached: false) { today in try build(today, token) }
        response.headers[.setCookie] = CSRF.cookie(token)
        return response
    }

    /// Runs `build` off the event loops (SQLite reads block) and answers with its page as HTML
    /// from `template`, or as JSON with `?format=json`; refusals as a page with their status.
    /// A `cached` page is kept (`PageCache`) while the store has no newer change, the day is the
    /// same and for at most a minute.
    func respond(
        _ request: Request, template: String, cached: Bool = true, build: @escaping @Sendable (CivilDate) throws -> some Encodable & Sendable
    ) async -> Response {
        let json = FormValues(request.uri.query)["format"] == "json"
        let now = clock()
        let today = ChinaTime.date(now)
        let portal = self
        // The page pool's threads have no task locals: the reader's view goes along by hand.
        let view = PortalView.current
        // The division directory's generation too: a new one names areas anew with no change to the store.
        let key =
            "\(json ? "json" : template) \(view.mode) \(today.iso) d\(node.divisionsGeneration) \(request.uri.path)?\(request.uri.query ?? "")"
        let result = await BlockingWork.page { () throws -> Rendered in
            let version = cached ? try portal.node.store.newestChangeID() : nil
            if let version, let hit = portal.cache.page(key, version: version, now: now) { return hit }
            let page = try build(today)
            let rendered = json ? Self.jsonBody(page) : try portal.rendered(page, template: template, view: view)
            if let version { portal.cache.keep(rendered, key: key, version: version, now: now) }
            return rendered
        }
        switch result {
        case .success(let r):
            return Response(status: .ok, headers: [.contentType: r.contentType], body: .init(byteBuffer: r.body))
        case .failure(let error): return failure(error, json: json)
        }
    }

    /// A page as sent: its bytes and type.
    struct Rendered: Sendable {
        var body: ByteBuffer
        var contentType: String
    }

    /// `view`: the reader's choice for a public page (`PortalView`), nil for the operators' pages.
    func rendered(_ page: some Encodable, template: String, view: PortalView?) throws -> Rendered {
        Rendered(body: ByteBuffer(string: try render(page, template: template, view: view)), contentType: "text/html; charset=utf-8")
    }

    func render(_ page: some Encodable, template: String, view: PortalView?) throws -> String {
        guard let text = library.render(TemplateValue.make(page, view: view), withTemplate: template) else {
            node.logger.error("portal: template missing", metadata: ["template": "\(template)"])
            throw TemplateMissing()
        }
        return text
    }

    struct TemplateMissing: Error {}

    static func jsonBody(_ page: some Encodable) -> Rendered {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return Rendered(body: ByteBuffer(bytes: (try? encoder.encode(page)) ?? Data("{}".utf8)), contentType: "application/json; charset=utf-8")
    }

    /// A credit report: as a printable page, or with `?format=json` the signed document itself.
    /// Each is issued anew (its number and time; the JSON signed), from the subject's entries as
    /// last encoded or rendered while the store has no newer change (`reportBodies`).
    func report(_ request: Request, reference: String) async -> Response {
        let json = FormValues(request.uri.query)["format"] == "json"
        let now = clock()
        let today = ChinaTime.date(now)
        let portal = self
        let view = PortalView.current
        let key = "\(json ? "json" : "html") \(today.iso) d\(node.divisionsGeneration) \(reference)"
        let result = await BlockingWork.page { () throws -> Response in
            let version = try portal.node.store.newestChangeID()
            let body: ReportBody
            if let hit = portal.reportBodies.page(key, version: version, now: now) {
                body = hit
            } else {
                guard let content = try portal.pages.reportContent(reference, today: today, now: now) else {
                    throw NotFound(message: "没有找到这个主体的公开信用信息，无法出具信用报告。")
                }
                let fragment =
                    json
                    ? try SignedReport.encode(entries: content.entries)
                    : Array(
                        try portal.render(ReportPage.Rows(rows: try portal.pages.reportRows(content.entries)), template: "report-rows", view: nil)
                            .utf8)
                body = ReportBody(subject: content.subject, count: content.entries.count, fragment: fragment)
                portal.reportBodies.keep(body, key: key, version: version, now: now)
            }
            let report = portal.pages.issuer.report(subject: body.subject, entries: [], now: now)
            if json {
                let signed = try SignedReport.sign(report, entries: body.fragment, identity: try portal.node.credentials.identity())
                var response = Self.json(signed)
                response.headers[.contentDisposition] = "attachment; filename=\"\(Self.reportFileName(report.number))\""
                return response
            }
            let page = portal.pages.reportPage(
                report, count: body.count, rowsHTML: String(decoding: body.fragment, as: UTF8.self), reference: reference)
            return portal.html(page, template: "report", status: .ok, view: view)
        }
        switch result {
        case .success(let response): return response
        case .failure(let error): return failure(error, json: json)
        }
    }

    /// What every report on a subject says until the store changes: its entries, encoded as a
    /// payload holds them (JSON) or rendered as the page's rows (HTML).
    struct ReportBody: Sendable {
        var subject: CreditReport.Subject
        var count: Int
        var fragment: [UInt8]
    }

    /// `CNR-….json`: the report's number when it is ASCII letters, digits and hyphens.
    static func reportFileName(_ number: String) -> String {
        return number.unicodeScalars.allSatisfy { $0.isASCII && ($0.properties.isAlphabetic || $0.properties.numericType != nil || $0 == "-") }
            ? number + ".json" : "credit-report.json"
    }

    func failure(_ error: any Error, json: Bool) -> Response {
        let (status, message) = refusal(error)
        let page = pages.error(status: Int(status.code), message: message)
        return json ? Self.json(page, status: status) : html(page, template: "error", status: status)
    }

    /// The status and the message a page's failure is answered with; what is not the reader's to
    /// fix is logged (ID numbers masked).
    func refusal(_ error: any Error) -> (HTTPResponse.Status, String) {
        switch error {
        case let e as NotFound: return (.notFound, e.message)
        case let e as PortalPages.BadParameter: return (.badRequest, e.message)
        case let e as HTTPError: return (e.status, e.body ?? "请求无法处理（HTTP \(e.status.code)）。")
        case let e as StoreError where e.code == .corrupt:
            node.logger.critical("portal: a record cannot be vouched for", metadata: ["reason": "\(e.message)"])
            return (.serviceUnavailable, "本站数据正在核验，暂不能提供此信息。This node's store is damaged; it cannot vouch for what it holds.")
        default:
            node.logger.error("portal: the page could not be built", metadata: ["reason": "\(Masking.maskResidentIDs(in: "\(error)"))"])
            return (.internalServerError, "页面暂时无法显示，请稍后再试。")
        }
    }

    /// `view` is the request's when called from its own task; work on the page pool passes it.
    func html(_ page: some Encodable, template: String, status: HTTPResponse.Status, view: PortalView = PortalView.current) -> Response {
        guard let r = try? rendered(page, template: template, view: view) else {
            return Response(
                status: .internalServerError, headers: [.contentType: "text/plain; charset=utf-8"],
                body: .init(byteBuffer: ByteBuffer(string: "template missing")))
        }
        return Response(status: status, headers: [.contentType: r.contentType], body: .init(byteBuffer: r.body))
    }

    static func json(_ page: some Encodable, status: HTTPResponse.Status = .ok) -> Response {
        let r = jsonBody(page)
        return Response(status: status, headers: [.contentType: r.contentType], body: .init(byteBuffer: r.body))
    }

    /// The filtered listing as CSV, every page of it up to `csvRowsMax` rows.
    func csv(path: String, kinds: [String], title: String, parameters: PortalPages.ListingParameters) async -> Response {
        let today = ChinaTime.date(clock())
        let pages = self.pages
        let result = await BlockingWork.page { () throws -> [ListingRow] in
            var rows: [ListingRow] = []
            var p = parameters
            while rows.count < Self.csvRowsMax {
                let (page, records) = try pages.listing(path: path, kinds: kinds, title: title, parameters: p, limit: 500, today: today)
                rows += page.rows
                guard page.next != nil, let last = records.last, let d = last.decisionDate else { break }
                p.after = "\(d).\(last.rowID)"
            }
            return rows
        }
        switch result {
        case .success(let rows): return Self.csvDownload(ListingCSV.render(rows), name: "\(title)-\(today.iso).csv", fallback: "listing.csv")
        case .failure(let error): return failure(error, json: false)
        }
    }

    static let csvRowsMax = 10_000

    /// A CSV file to download: its Chinese `name` for browsers that read RFC 5987, `fallback` for the rest.
    static func csvDownload(_ bytes: [UInt8], name: String, fallback: String) -> Response {
        Response(
            status: .ok,
            headers: [
                .contentType: "text/csv; charset=utf-8", .cacheControl: "no-store",
                .contentDisposition: "attachment; filename=\"\(fallback)\"; filename*=UTF-8''\(PortalPages.escapePath(name))",
            ], body: .init(byteBuffer: ByteBuffer(bytes: bytes)))
    }
}

/// The portal's request context: the caller's address (for the objection rate limit).
public struct PortalRequestContext: RequestContext {
    public var coreContext: CoreRequestContextStorage
    public let remoteAddress: String?

    public init(source: ApplicationRequestContextSource) {
        coreContext = .init(source: source)
        remoteAddress = source.channel.remoteAddress?.ipAddress
    }
}

/// The objection form's protection against submission from other sites: a random token in a
/// `SameSite=Strict` cookie set with the record's page and repeated in the form; both must be
/// present and equal (a page elsewhere can neither read nor set the cookie).
enum CSRF {
    static let cookieName = "cn_csrf"

    static func newToken() -> String {
        var g = SystemRandomNumberGenerator()
        return (0..<16).map { _ in String(format: "%02x", UInt8.random(in: 0...255, using: &g)) }.joined()
    }

    /// The token of the request's cookie, when it has a well-formed one.
    static func token(in request: Request) -> String? {
        guard let token = Cookies.value(cookieName, in: request), token.count == 32, token.allSatisfy(\.isHexDigit) else { return nil }
        return token
    }

    static func cookie(_ token: String) -> String { "\(cookieName)=\(token); Path=/; HttpOnly; SameSite=Strict" }

    /// Compared in constant time.
    static func matches(_ a: String, _ b: String) -> Bool {
        let x = Array(a.utf8)
        let y = Array(b.utf8)
        guard x.count == y.count else { return false }
        return zip(x, y).reduce(UInt8(0)) { $0 | ($1.0 ^ $1.1) } == 0
    }
}

/// At most `perHour` takes per key in any hour (a sliding window), with the clock passed in.
final class RateLimiter: Sendable {
    let perHour: Int
    private let taken = Mutex<[String: [Date]]>([:])

    init(perHour: Int) { self.perHour = perHour }

    /// Whether `key` has used up its hour, without taking.
    func exhausted(_ key: String, now: Date) -> Bool {
        taken.withLock { all in (all[key] ?? []).filter { now.timeIntervalSince($0) < 3600 }.count >= perHour }
    }

    func take(_ key: String, now: Date) -> Bool {
        taken.withLock { all in
            if all.count > 10_000 { all = all.filter { $0.value.last.map { now.timeIntervalSince($0) < 3600 } ?? false } }
            var times = (all[key] ?? []).filter { now.timeIntervalSince($0) < 3600 }
            guard times.count < perHour else {
                all[key] = times
                return false
            }
            times.append(now)
            all[key] = times
            return true
        }
    }
}

/// The headers every answer of the portal carries: no script at all, nothing from elsewhere,
/// no framing, no sniffing, no referrer leaving the site.
struct SecurityHeaders<Context: RequestContext>: RouterMiddleware {
    static var referrerPolicy: HTTPField.Name { HTTPField.Name("Referrer-Policy")! }
    static var frameOptions: HTTPField.Name { HTTPField.Name("X-Frame-Options")! }

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        var response = try await next(request, context)
        response.headers[.contentSecurityPolicy] =
            "default-src 'none'; style-src 'self'; img-src 'self' data:; font-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'"
        response.headers[.xContentTypeOptions] = "nosniff"
        response.headers[Self.referrerPolicy] = "no-referrer"
        response.headers[Self.frameOptions] = "DENY"
        return response
    }
}

/// Errors no page answered — an address no route has, a method the route lacks, a refusal thrown
/// before a page was built (an operator's certificate refused) — answered as the site's error page
/// with their status, rather than as an empty body the browser replaces with its own message.
/// Only under `under`: the records listener's API keeps its own errors.
struct ErrorPages<Context: RequestContext>: RouterMiddleware {
    let under: String
    /// What an address with no page says.
    let notFound: String
    /// The site's error page for a failure, as HTML or (`json`) JSON.
    let answer: @Sendable (_ failure: any Error, _ json: Bool, _ context: Context) async -> Response

    func covers(_ path: String) -> Bool { under == "/" || path == under || path.hasPrefix(under + "/") }

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        do {
            return try await next(request, context)
        } catch let error as HTTPError where covers(request.uri.path) {
            let unrouted = context.endpointPath == "NotFound" && error.status == .notFound
            var response = await answer(
                unrouted ? Portal.NotFound(message: notFound) : error, FormValues(request.uri.query)["format"] == "json", context)
            response.headers.append(contentsOf: error.headers)
            response.headers[.cacheControl] = "no-store"
            return response
        }
    }
}

/// A query string as a form submits it: `+` is a space, then percent-decoding; the first value
/// of each name.
struct FormValues: Sendable {
    var values: [String: String] = [:]

    init(_ query: String?) {
        for pair in (query ?? "").split(separator: "&") {
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            func decode(_ s: Substring) -> String { String(s).replacingOccurrences(of: "+", with: " ").removingPercentEncoding ?? "" }
            let name = decode(parts[0])
            if values[name] == nil { values[name] = parts.count > 1 ? decode(parts[1]) : "" }
        }
    }

    /// A multipart form's text fields, the first of each name kept (as a query's).
    init(fields: [(String, String)]) {
        for (name, value) in fields where values[name] == nil { values[name] = value }
    }

    subscript(_ name: String) -> String? { values[name] }
}

/// Rendered pages, each valid for the store's newest change id when it was built (any write —
/// an ingest, a status change, a pull — makes a newer one and empties the cache), the same day,
/// and at most `seconds`; at most `capacity` pages, the least recently used dropped first.
final class PageCache<Value: Sendable>: Sendable {
    struct Entry {
        var page: Value
        var at: Date
        var used: UInt64
    }
    struct State {
        var version: Int64 = -1
        var entries: [String: Entry] = [:]
        var clock: UInt64 = 0
    }
    let capacity: Int
    let seconds: TimeInterval
    let state = Mutex(State())

    init(capacity: Int = 1024, seconds: TimeInterval = 60) {
        self.capacity = capacity
        self.seconds = seconds
    }

    func page(_ key: String, version: Int64, now: Date) -> Value? {
        state.withLock { s in
            guard s.version == version, let hit = s.entries[key], now.timeIntervalSince(hit.at) < seconds, now >= hit.at else { return nil }
            s.clock += 1
            s.entries[key]!.used = s.clock
            return hit.page
        }
    }

    func keep(_ page: Value, key: String, version: Int64, now: Date) {
        state.withLock { s in
            if version > s.version {
                s.version = version
                s.entries.removeAll(keepingCapacity: true)
            } else if version < s.version {
                return
            }
            s.clock += 1
            s.entries[key] = Entry(page: page, at: now, used: s.clock)
            if s.entries.count > capacity {
                // The least recently used eighth goes at once: one sort per capacity/8 pages kept
                // instead of a scan of every entry for each (3 % of a report built afresh) — a sort
                // of the use counts alone (sorting the entries copied every key and page: 3.5 % of
                // a subject page built afresh).
                let cutoff = s.entries.values.map(\.used).sorted()[max(1, capacity / 8) - 1]
                let oldest = s.entries.compactMap { $0.value.used <= cutoff ? $0.key : nil }
                for key in oldest { s.entries[key] = nil }
            }
        }
    }
}
