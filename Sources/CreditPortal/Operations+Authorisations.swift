import CreditDomain
import CreditStore
import Foundation
import HTTPTypes
import Hummingbird
import NIOCore
import NodeRuntime

extension Operations {
    /// `GET /ops/authorisations`, `POST /ops/authorisations` (issue) and
    /// `POST /ops/authorisations/ID/revoke`.
    func registerAuthorisations(on router: RouterGroup<SyncRequestContext>) {
        let ops = self
        let node = portal.node
        router.get("authorisations") { request, context -> Response in
            let reader = try await context.operatorCaller(node)
            return await ops.formPage(request, template: "ops-authorisations") { now, token in
                try ops.pages.authorisations(reader: Self.name(reader), now: now, csrf: token)
            }
        }
        router.post("authorisations") { request, context -> Response in
            let actor = try await context.operatorCaller(node)
            return await ops.issueAuthorisation(request, actor: actor)
        }
        router.post("authorisations/{id}/revoke") { request, context -> Response in
            let actor = try await context.operatorCaller(node)
            return await ops.revokeAuthorisation(request, id: Int64(context.parameters.get("id") ?? "") ?? 0, actor: actor)
        }
    }

    /// The form of an operators' page that changes something: its body (bounded) when its token
    /// matches the page's cookie — so that no other site can make an operator's browser act — or
    /// the refusal to answer with.
    func changeForm(_ request: Request, upTo limit: Int = 16 << 10) async -> Result<FormValues, FormRefused> {
        var request = request
        let body: ByteBuffer
        do { body = try await request.collectBody(upTo: limit) } catch { return .failure(FormRefused(message: "提交内容过长。")) }
        let form = FormValues(String(buffer: body))
        guard let cookie = CSRF.token(in: request), let sent = form["csrf"], CSRF.matches(cookie, sent) else {
            return .failure(FormRefused(message: "表单已过期或不是从本页提交的：请在本页重新操作。", form: form))
        }
        return .success(form)
    }

    struct FormRefused: Error {
        var message: String
        /// The form as sent, when only its token was refused (a page may show it again to resend).
        var form: FormValues?
    }

    /// `POST /ops/authorisations` (fields `subject`, `grantee`, `purpose`, `days`): issues an
    /// authorisation as `credit-node authorise issue` does, by the operator in the audit trail,
    /// and answers with the 授权书 to print (its code shown this once, never cached); a refusal
    /// with the form and what to fix (400, or 404 for a subject the node holds nothing about).
    func issueAuthorisation(_ request: Request, actor: AuditActor) async -> Response {
        let (now, reader, token, json) = formPost(request, actor: actor)
        let pages = self.pages
        let portal = self.portal
        let form: FormValues
        switch await changeForm(request) {
        case .success(let f): form = f
        case .failure(let refused): return authorisationsRefused(refused.message, status: .badRequest, reader: reader, now: now, token: token)
        }
        let daysText = (form["days"] ?? "").trimmingCharacters(in: .whitespaces)
        let days = daysText.isEmpty ? AuthorisationDesk.defaultDays : Int(daysText) ?? -1
        let result = await BlockingWork.run {
            try AuthorisationDesk(node: portal.node).issue(
                subject: form["subject"] ?? "", grantee: form["grantee"] ?? "", purpose: form["purpose"] ?? "", days: days, actor: actor, now: now)
        }
        switch result {
        case .success(let (authorisation, code)):
            let page = pages.authorisationIssued(reader: reader, now: now, authorisation: authorisation, code: code)
            var response = json ? Portal.json(page) : portal.html(page, template: "ops-authorisation-issued", status: .ok)
            response.headers[.cacheControl] = "no-store"
            return response
        case .failure(let e as AuthorisationError):
            return authorisationsRefused(
                e.message, status: e.code == .unknownSubject ? .notFound : .badRequest, reader: reader, now: now, token: token,
                form: (form["subject"] ?? "", form["grantee"] ?? "", form["purpose"] ?? "", days > 0 ? days : AuthorisationDesk.defaultDays))
        case .failure(let error): return failure(error, json: json)
        }
    }

    /// `POST /ops/authorisations/ID/revoke` (field `reason`): revoked at once; a redirect to the list.
    func revokeAuthorisation(_ request: Request, id: Int64, actor: AuditActor) async -> Response {
        let (now, reader, token, _) = formPost(request, actor: actor)
        let node = portal.node
        let form: FormValues
        switch await changeForm(request) {
        case .success(let f): form = f
        case .failure(let refused): return authorisationsRefused(refused.message, status: .badRequest, reader: reader, now: now, token: token)
        }
        let result = await BlockingWork.run { try AuthorisationDesk(node: node).revoke(id: id, reason: form["reason"] ?? "", actor: actor, now: now) }
        switch result {
        case .success: return Response(status: .seeOther, headers: [.location: "/ops/authorisations"])
        case .failure(let e as AuthorisationError):
            return authorisationsRefused(e.message, status: e.code == .notRevocable ? .conflict : .badRequest, reader: reader, now: now, token: token)
        case .failure(let error): return failure(error, json: false)
        }
    }

    /// The list page with what to fix at its top, the form as it was sent.
    func authorisationsRefused(
        _ message: String, status: HTTPResponse.Status, reader: String, now: Date, token: String,
        form: (subject: String, grantee: String, purpose: String, days: Int) = ("", "", "", AuthorisationDesk.defaultDays)
    ) -> Response {
        guard
            let page = try? pages.authorisations(
                reader: reader, now: now, csrf: token, error: message, subject: form.subject, grantee: form.grantee, purpose: form.purpose,
                days: form.days)
        else {
            return Response(
                status: status, headers: [.contentType: "text/plain; charset=utf-8"], body: .init(byteBuffer: ByteBuffer(string: message)))
        }
        var response = portal.html(page, template: "ops-authorisations", status: status)
        response.headers[.setCookie] = CSRF.cookie(token)
        return response
    }
}
