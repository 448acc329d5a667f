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
        router.get("complaints/{id}/evidence/{position}") { _, context -> Response in
            _ = try await context.operatorCaller(node)
            return await ops.attachment(
                of: .complaint, Int64(context.parameters.get("id") ?? "") ?? 0, position: Int(context.parameters.get("position") ?? "") ?? 0)
        }
        router.post("complaints/{id}/{action}") { request, context -> Response in
            let actor = try await context.operatorCaller(node)
            return await ops.answerComplaint(
                request, id: Int64(context.parameters.get("id") ?? "") ?? 0, action: context.parameters.get("action") ?? "", actor: actor)
        }
    }

    /// `GET /ops/complaints/ID/evidence/N`, `GET /ops/work/requests/ID/evidence/N`: a file the
    /// public attached, as it came, to download (never shown inline: a file from the public is not
    /// rendered by the operators' browser as a page; the listener's `SecurityHeaders` forbid
    /// sniffing it as another type).
    func attachment(of owner: AttachmentOwner, _ id: Int64, position: Int) async -> Response {
        let store = portal.node.store
        switch await BlockingWork.page({ try store.attachment(of: owner, id, position: position) }) {
        case .success(let found?):
            let type = Attachments.FileType(rawValue: found.file.type)
            let what = owner == .complaint ? "举报" : "申请"
            let fallback = "\(owner.rawValue)-\(id)-\(position).\(type?.fileExtension ?? "bin")"
            return Response(
                status: .ok,
                headers: [
                    .contentType: found.file.type, .cacheControl: "no-store",
                    .contentDisposition:
                        "attachment; filename=\"\(fallback)\"; filename*=UTF-8''\(PortalPages.escapePath("\(what)\(id)-\(position)-\(found.file.name)"))",
                ], body: .init(byteBuffer: ByteBuffer(bytes: found.bytes)))
        case .success(nil):
            return failure(Portal.NotFound(message: "第 \(id) 号\(owner == .complaint ? "举报" : "申请")没有第 \(position) 份材料。"), json: false)
        case .failure(let error): return failure(error, json: false)
        }
    }

    func answerComplaint(_ request: Request, id: Int64, action: String, actor: AuditActor) async -> Response {
        let pages = self.pages
        let desk = ComplaintDesk(node: portal.node)
        return await deskAnswer(
            request, actor: actor, template: "ops-complaints", location: "/ops/complaints#complaint-\(id)",
            page: { reader, now, token, error in try pages.complaints(reader: reader, now: now, csrf: token, error: error) },
            refusal: { ($0 as? ComplaintError)?.message }
        ) { form, now in
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
    }

    /// An office's answer to one item of a desk (a report, a request) from its page: the page's
    /// token checked, `perform` run off the event loops, then a redirect to `location` (303); what
    /// the desk refuses (`refusal` gives its message) shown on the page rebuilt with it (400).
    func deskAnswer(
        _ request: Request, actor: AuditActor, template: String, location: String,
        page: @escaping @Sendable (String, Date, String, String?) throws -> some Encodable & Sendable,
        refusal: @escaping @Sendable (any Error) -> String?, perform: @escaping @Sendable (FormValues, Date) throws -> Void
    ) async -> Response {
        let (now, reader, token, json) = formPost(request, actor: actor)
        let refuse = { (message: String) -> Response in
            self.formAnswer(status: .badRequest, template: template, json: json, token: token) { try page(reader, now, token, message) }
        }
        let form: FormValues
        switch await changeForm(request) {
        case .success(let f): form = f
        case .failure(let refused): return refuse(refused.message)
        }
        switch await BlockingWork.run({ try perform(form, now) }) {
        case .success: return Response(status: .seeOther, headers: [.location: location])
        case .failure(let error):
            if let message = refusal(error) { return refuse(message) }
            return failure(error, json: json)
        }
    }
}
