import CreditDomain
import CreditStore
import Foundation
import HTTPTypes
import Hummingbird
import NIOCore
import NodeRuntime

extension Operations {
    /// The largest article form read: a 10,000-character text percent-encoded (9 bytes a
    /// character), with the other fields and room to spare.
    static let newsFormBytesMax = 128 << 10

    /// `GET /ops/news` (the month's ledger and the newest articles), `GET /ops/news/new` (the
    /// form) and `POST /ops/news` (publish).
    func registerNews(on router: RouterGroup<SyncRequestContext>) {
        let ops = self
        let node = portal.node
        router.get("news") { request, context -> Response in
            let reader = try await context.operatorCaller(node)
            let form = FormValues(request.uri.query)
            return await ops.respond(request, template: "ops-news") { now in
                try ops.pages.news(reader: Self.name(reader), now: now, month: form["month"], published: form["published"])
            }
        }
        router.get("news/new") { request, context -> Response in
            let reader = try await context.operatorCaller(node)
            return await ops.formPage(request, template: "ops-news-form") { now, token in
                try ops.pages.newsForm(reader: Self.name(reader), now: now, csrf: token)
            }
        }
        router.post("news") { request, context -> Response in
            let actor = try await context.operatorCaller(node)
            return await ops.publishNews(request, actor: actor)
        }
    }

    /// `POST /ops/news` (fields `title`, `column`, `body`, `documentNumber`, `source`, `number`,
    /// `publisher`, `publisherCode`, `remark`, and the page's token): the article validated and
    /// stored by the operator in the audit trail (`CreditNews.publish`), answered with a redirect
    /// to `/ops/news` naming it; refused with the form again, as typed, and every reason (400).
    func publishNews(_ request: Request, actor: AuditActor) async -> Response {
        let (now, reader, token, json) = formPost(request, actor: actor)
        let pages = self.pages
        let node = portal.node
        let again = { (draft: CreditNews.Draft, errors: [String], status: HTTPResponse.Status) -> Response in
            self.formAnswer(status: status, template: "ops-news-form", json: json, token: token) {
                try pages.newsForm(reader: reader, now: now, csrf: token, draft: draft.masked, errors: errors)
            }
        }
        let form: FormValues
        switch await changeForm(request, upTo: Self.newsFormBytesMax) {
        case .success(let f): form = f
        case .failure(let refused):
            guard let sent = refused.form else { return failure(PortalPages.BadParameter(message: "稿件内容过长，请精简正文后再发布。"), json: json) }
            return again(Self.newsDraft(sent), [refused.message + "（填写的内容已保留，请再次提交。）"], .badRequest)
        }
        let draft = Self.newsDraft(form)
        guard let desk = CreditNews(node: node) else {
            return failure(PortalPages.BadParameter(message: OperationsPages.newsUnavailable), json: json)
        }
        let result = await BlockingWork.run { try desk.publish(draft, now: now, actor: actor) }
        switch result {
        case .success(let published):
            node.logger.info(
                "news article published from the operators' pages",
                metadata: ["by": "\(actor.description)", "ingest": "\(published.ingestID)", "article": "\(published.key)"])
            if json { return Portal.json(published, status: .created) }
            return Response(status: .seeOther, headers: [.location: "/ops/news?published=\(PortalPages.escapePath(published.key))#published"])
        case .failure(let refusal as CreditNews.Refusal):
            return again(draft, refusal.reasons, .badRequest)
        case .failure(let error as HTTPError) where error.status == .serviceUnavailable:
            return again(draft, ["本节点的数据库已损坏，恢复前不能发布，没有写入任何数据（见节点日志）。"], .serviceUnavailable)
        case .failure(let error):
            node.logger.error("a news article could not be stored", metadata: ["by": "\(actor.description)", "reason": "\(error)"])
            return again(draft, ["稿件未能保存，没有写入任何数据；请联系运维人员查看节点日志。"], .internalServerError)
        }
    }

    /// The office's words from the form.
    static func newsDraft(_ form: FormValues) -> CreditNews.Draft {
        CreditNews.Draft(
            number: form["number"] ?? "", title: form["title"] ?? "", column: form["column"] ?? "", body: form["body"] ?? "",
            documentNumber: form["documentNumber"] ?? "", source: form["source"] ?? "", publisher: form["publisher"] ?? "",
            publisherCode: form["publisherCode"] ?? "", remark: form["remark"] ?? "")
    }
}
