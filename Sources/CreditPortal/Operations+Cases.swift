import CreditDomain
import CreditStore
import Foundation
import HTTPTypes
import Hummingbird
import NIOCore
import NodeRuntime

extension Operations {
    /// The largest case form read: a 2,000-character summary and 1,000 characters of measures,
    /// percent-encoded UTF-8, with room to spare.
    static let caseFormBytesMax = 96 << 10

    /// `GET /ops/cases` (the published cases and the feedback to choose from), `GET
    /// /ops/cases/new?feedback=KEY` (the form) and `POST /ops/cases` (publish).
    func registerCases(on router: RouterGroup<SyncRequestContext>) {
        let ops = self
        let node = portal.node
        router.get("cases") { request, context -> Response in
            let reader = try await context.operatorCaller(node)
            let published = FormValues(request.uri.query)["published"]
            return await ops.respond(request, template: "ops-cases") { now in
                try ops.pages.cases(reader: Self.name(reader), now: now, published: published)
            }
        }
        router.get("cases/new") { request, context -> Response in
            let reader = try await context.operatorCaller(node)
            let key = FormValues(request.uri.query)["feedback"] ?? ""
            return await ops.formPage(request, template: "ops-case-form") { now, token in
                try ops.pages.caseForm(reader: Self.name(reader), now: now, csrf: token, feedback: key)
            }
        }
        router.post("cases") { request, context -> Response in
            let actor = try await context.operatorCaller(node)
            return await ops.publishCase(request, actor: actor)
        }
    }

    /// `POST /ops/cases` (fields `feedback`, `number`, `title`, `summary`, `measures`, `list`,
    /// `publisher`, `publisherCode`, `remark`, and the page's token): the case validated and stored
    /// by the operator in the audit trail (`TypicalCases.publish`), answered with a redirect to
    /// `/ops/cases` naming it; refused with the form again, as typed, and every reason (400) — a
    /// feedback that cannot be published with the error page (404 unknown, 400 not publishable).
    func publishCase(_ request: Request, actor: AuditActor) async -> Response {
        let (now, reader, token, json) = formPost(request, actor: actor)
        let pages = self.pages
        let node = portal.node
        let again = { (draft: TypicalCases.Draft, errors: [String], status: HTTPResponse.Status) -> Response in
            do {
                let page = try pages.caseForm(reader: reader, now: now, csrf: token, feedback: draft.feedbackKey, draft: draft, errors: errors)
                return self.formAnswer(status: status, template: "ops-case-form", json: json, token: token) { page }
            } catch {
                return self.failure(error, json: json)
            }
        }
        let form: FormValues
        switch await changeForm(request, upTo: Self.caseFormBytesMax) {
        case .success(let f): form = f
        case .failure(let refused):
            guard let sent = refused.form else { return failure(PortalPages.BadParameter(message: "案例内容过长，请精简摘要后再发布。"), json: json) }
            return again(Self.caseDraft(sent), [refused.message + "（填写的内容已保留，请再次提交。）"], .badRequest)
        }
        let draft = Self.caseDraft(form)
        guard let desk = TypicalCases(node: node) else {
            return failure(PortalPages.BadParameter(message: "本节点的信用目录没有“联合奖惩典型案例”或“执行反馈”类别。"), json: json)
        }
        let result = await BlockingWork.run { try desk.publish(draft, now: now, actor: actor) }
        switch result {
        case .success(let published):
            node.logger.info(
                "typical case published from the operators' pages",
                metadata: ["by": "\(actor.description)", "ingest": "\(published.ingestID)", "case": "\(Masking.maskResidentIDs(in: published.key))"])
            if json { return Portal.json(published, status: .created) }
            return Response(status: .seeOther, headers: [.location: "/ops/cases?published=\(PortalPages.escapePath(published.key))#published"])
        case .failure(let refusal as TypicalCases.Refusal):
            switch refusal.code {
            case .unknownFeedback: return failure(Portal.NotFound(message: refusal.description), json: json)
            case .notPublishable: return failure(PortalPages.BadParameter(message: refusal.description), json: json)
            case .numberTaken, .invalid: return again(draft, refusal.reasons, .badRequest)
            }
        case .failure(let error as HTTPError) where error.status == .serviceUnavailable:
            return again(draft, ["本节点的数据库已损坏，恢复前不能发布案例，没有写入任何数据（见节点日志）。"], .serviceUnavailable)
        case .failure(let error):
            node.logger.error("a typical case could not be stored", metadata: ["by": "\(actor.description)", "reason": "\(error)"])
            return again(draft, ["案例未能保存，没有写入任何数据；请联系运维人员查看节点日志。"], .internalServerError)
        }
    }

    /// The office's words from the form.
    static func caseDraft(_ form: FormValues) -> TypicalCases.Draft {
        TypicalCases.Draft(
            feedbackKey: form["feedback"] ?? "", number: form["number"] ?? "", title: form["title"] ?? "", summary: form["summary"] ?? "",
            measures: form["measures"] ?? "", list: form["list"] ?? "", publisher: form["publisher"] ?? "",
            publisherCode: form["publisherCode"] ?? "", remark: form["remark"] ?? "")
    }
}
