import CreditDomain
import CreditStore
import Foundation
import HTTPTypes
import Hummingbird
import NIOCore
import NodeRuntime

extension Operations {
    /// `GET /ops/subjects` (the form and the latest look-ups) and `POST /ops/subjects` (a
    /// subject's whole file, for a stated reason: a POST, so that no ID number stands in an
    /// address or a history).
    func registerSubjects(on router: RouterGroup<SyncRequestContext>) {
        let ops = self
        let node = portal.node
        router.get("subjects") { request, context -> Response in
            let reader = try await context.operatorCaller(node)
            return await ops.formPage(request, template: "ops-subjects") { now, token in
                try ops.pages.subjectFile(reader: Self.name(reader), now: now, csrf: token)
            }
        }
        router.post("subjects") { request, context -> Response in
            let actor = try await context.operatorCaller(node)
            return await ops.lookUp(request, actor: actor)
        }
    }

    /// `POST /ops/subjects` (fields `subject`, `purpose`): the file (`GovernmentSharing.file`), never
    /// cached; a refusal on the form with what to fix (400), or 404 for a subject the node holds
    /// nothing about.
    func lookUp(_ request: Request, actor: AuditActor) async -> Response {
        let (now, reader, token, json) = formPost(request, actor: actor)
        let pages = self.pages
        let node = portal.node
        let answer = { (status: HTTPResponse.Status, error: String?, purpose: String, file: GovernmentSharing.File?) -> Response in
            self.formAnswer(status: status, template: "ops-subjects", json: json, token: token) {
                try pages.subjectFile(reader: reader, now: now, csrf: token, error: error, purpose: purpose, file: file)
            }
        }
        let form: FormValues
        switch await changeForm(request) {
        case .success(let f): form = f
        case .failure(let refused): return answer(.badRequest, refused.message, "", nil)
        }
        let purpose = form["purpose"] ?? ""
        let result = await BlockingWork.page {
            try GovernmentSharing(node: node).file(subject: form["subject"] ?? "", purpose: purpose, reader: actor, now: now)
        }
        switch result {
        case .success(let file): return answer(.ok, nil, purpose, file)
        case .failure(let e as LookupError): return answer(e.code == .unknownSubject ? .notFound : .badRequest, e.message, purpose, nil)
        case .failure(let error): return failure(error, json: json)
        }
    }
}
