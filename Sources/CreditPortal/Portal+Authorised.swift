import CreditDomain
import CreditStore
import Foundation
import HTTPTypes
import Hummingbird
import NIOCore
import NodeRuntime

/// 授权查询 on the portal: the form (`GET /authorised`) and its answer (`POST /authorised`, so
/// that neither code stands in an address, a history or a log).
public struct AuthorisedPage: Sendable, Encodable {
    /// A record shown with the authorisation: its kind, its number or date, its fields.
    public struct Record: Sendable, Encodable {
        public var kindName: String
        public var stateLabel: String
        public var objected: Bool
        public var decisionDate: String?
        public var fields: [PublicField]
    }
    /// What the authorisation lets its holder see.
    public struct Shown: Sendable, Encodable {
        public var authorisation: Int64
        public var subjectName: String
        /// The subject's code as the public sees it (an ID number masked).
        public var subjectCode: String
        public var grantee: String
        public var purpose: String
        public var validFrom: String
        public var validUntil: String
        public var kinds: String
        /// When the query was made (China time), as a person reads it.
        public var queriedAt: String
        public var records: [Record]
        public var empty: Bool
        /// The subject's public page.
        public var subjectLink: String?
    }
    public var site: Site
    public var title: String
    public var csrf: String
    public var message: String?
    public var shown: Shown?
}

extension Portal {
    /// Failed queries one address may make an hour before it must wait (the codes carry about
    /// 60 random bits; this keeps guessing slow too).
    static let authorisedFailuresPerHour = 20

    func authorisedForm(csrf: String, message: String? = nil, shown: AuthorisedPage.Shown? = nil) -> AuthorisedPage {
        AuthorisedPage(site: pages.site(), title: shown == nil ? "授权查询" : "授权查询结果", csrf: csrf, message: message, shown: shown)
    }

    /// `GET /authorised`: the form, with its token in a cookie.
    func authorisedFormResponse(_ request: Request) -> Response {
        let json = FormValues(request.uri.query)["format"] == "json"
        let token = CSRF.token(in: request) ?? CSRF.newToken()
        var response = json ? Self.json(authorisedForm(csrf: token)) : html(authorisedForm(csrf: token), template: "authorised", status: .ok)
        response.headers[.setCookie] = CSRF.cookie(token)
        return response
    }

    /// `POST /authorised` (fields `subject`, `code`, `csrf`): the records the authorisation shows,
    /// never cached; refused with the reason (400 out of shape, 404 no such authorisation, 403
    /// ended, 429 too many failures from one address).
    func authorisedQuery(_ request: Request, from address: String?) async -> Response {
        var request = request
        let json = FormValues(request.uri.query)["format"] == "json"
        let token = CSRF.token(in: request) ?? CSRF.newToken()
        let answer = { (page: AuthorisedPage, status: HTTPResponse.Status) -> Response in
            var response = json ? Self.json(page, status: status) : self.html(page, template: "authorised", status: status)
            response.headers[.cacheControl] = "no-store"
            response.headers[.setCookie] = CSRF.cookie(token)
            return response
        }
        let refuse = { (status: HTTPResponse.Status, message: String) in answer(self.authorisedForm(csrf: token, message: message), status) }
        let body: ByteBuffer
        do { body = try await request.collectBody(upTo: 4 << 10) } catch { return refuse(.contentTooLarge, "提交内容过长。") }
        let form = FormValues(String(buffer: body))
        guard let cookie = CSRF.token(in: request), let sent = form["csrf"], CSRF.matches(cookie, sent) else {
            return refuse(.forbidden, "表单已过期或不是从本站提交的：请在本页重新填写。")
        }
        let now = clock()
        let key = address ?? "unknown"
        guard !authorisedFailures.exhausted(key, now: now) else {
            return refuse(.tooManyRequests, "同一网络地址每小时最多输错 \(Self.authorisedFailuresPerHour) 次，请稍后再试。")
        }
        let desk = AuthorisationDesk(node: node)
        let pages = self.pages
        let result = await BlockingWork.page { () throws -> AuthorisedPage.Shown in
            let view = try desk.query(subject: form["subject"] ?? "", code: form["code"] ?? "", now: now)
            let a = view.authorisation
            let hit = try desk.node.store.subjectHit(code: a.subject)
            return AuthorisedPage.Shown(
                authorisation: a.id, subjectName: a.subjectName, subjectCode: view.subjectShown, grantee: a.grantee, purpose: a.purpose,
                validFrom: a.validFrom, validUntil: a.validUntil,
                kinds: a.kinds.map { pages.kinds[$0]?.name ?? $0 }.joined(separator: "、"),
                queriedAt: PortalPages.readable(ChinaTime.timestamp(now)),
                records: try view.records.map { r in
                    let fields = try pages.kinds[r.kind].map { try r.namingAreas(kind: $0, desk.node.areaLabel).fields } ?? r.fields
                    return AuthorisedPage.Record(
                        kindName: r.kindName, stateLabel: r.stateLabel, objected: r.objected, decisionDate: r.decisionDate, fields: fields)
                }, empty: view.records.isEmpty, subjectLink: PortalPages.subjectLink(code: a.subject, id: hit?.id))
        }
        switch result {
        case .success(let shown):
            return answer(authorisedForm(csrf: token, shown: shown), .ok)
        case .failure(let e as AuthorisationError):
            if e.code != .ended { _ = authorisedFailures.take(key, now: now) }
            return refuse(e.code == .invalid ? .badRequest : e.code == .ended ? .forbidden : .notFound, e.message)
        case .failure(let error):
            return failure(error, json: json)
        }
    }
}
