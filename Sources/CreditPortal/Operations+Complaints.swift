import CreditDomain
import CreditStore
import Foundation
import HTTPTypes
import Hummingbird
import NIOCore
import NodeRuntime

extension Operations {
    /// `GET /ops/complaints` (失信举报: the reports to answer and the answered) and `POST
    /// /ops/complaints/ID/accept` (field `unit`), `…/refuse` (`reason`), `…/close` (`finding`,
    /// `reply`, `record`): the office's answers, by the operator in the log, the page's token
    /// required; answered with a redirect to the page at the report, or the page with what to fix (400).
    func registerComplaints(on router: RouterGroup<SyncRequestContext>) {
        let ops = self
        let node = portal.node
        router.get("complaints") { request, context -> Response in
            let reader = try await context.operatorCaller(node)
            return await ops.formPage(request, template: "ops-complaints") { now, token in
                try ops.pages.complaints(reader: Self.name(reader), now: now, csrf: token)
            }
        }
        router.post("complaints/{id}/{action}") { request, context -> Response in
            let actor = try await context.operatorCaller(node)
            return await ops.answerComplaint(
                request, id: Int64(context.parameters.get("id") ?? "") ?? 0, action: context.parameters.get("action") ?? "", actor: actor)
        }
    }

    func answerComplaint(_ request: Request, id: Int64, action: String, actor: AuditActor) async -> Response {
        let (now, reader, token, json) = formPost(request, actor: actor)
        let pages = self.pages
        let refuse = { (message: String) -> Response in
            self.formAnswer(status: .badRequest, template: "ops-complaints", json: json, token: token) {
                try pages.complaints(reader: reader, now: now, csrf: token, error: message)
            }
        }
        let form: FormValues
        switch await changeForm(request) {
        case .success(let f): form = f
        case .failure(let refused): return refuse(refused.message)
        }
        let desk = ComplaintDesk(node: portal.node)
        let result = await BlockingWork.run { () throws -> Void in
            switch action {
            case "accept": try desk.accept(id: id, unit: form["unit"] ?? "", now: now, actor: actor)
            case "refuse": try desk.refuse(id: id, reason: form["reason"] ?? "", now: now, actor: actor)
            case "close":
                guard let finding = Complaint.Finding(rawValue: form["finding"] ?? "") else {
                    throw ComplaintError(code: .invalid, message: "请选择核查结果：属实、部分属实或不属实。")
                }
                try desk.close(id: id, finding: finding, reply: form["reply"] ?? "", record: form["record"] ?? "", now: now, actor: actor)
            default: throw ComplaintError(code: .invalid, message: "未知的操作。")
            }
        }
        switch result {
        case .success: return Response(status: .seeOther, headers: [.location: "/ops/complaints#complaint-\(id)"])
        case .failure(let e as ComplaintError): return refuse(e.message)
        case .failure(let error): return failure(error, json: json)
        }
    }
}
