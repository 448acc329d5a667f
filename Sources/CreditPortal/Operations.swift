import CreditDomain
import CreditStore
import Foundation
import HTTPTypes
import Hummingbird
import NodeRuntime

/// The operators' pages, served on the records listener beside the records (`RecordsServer`'s
/// `routes`): local only by default, and exposed only to an operator's certificate of this node
/// (`SyncRequestContext.operatorCaller`). Server-rendered from the portal's templates and styles,
/// each page also answers as JSON with `?format=json`. They only read.
public struct Operations: Sendable {
    let portal: Portal
    let pages: OperationsPages

    public init(node: NodeContext) throws {
        portal = try Portal(node: node)
        pages = OperationsPages(node: node)
    }

    /// Adds `/ops/`, `/ops/quality` and `/ops/static/…` to the records listener's router.
    public func register(on router: Router<SyncRequestContext>) {
        let ops = self
        let node = portal.node
        router.get("/ops/") { request, context -> Response in
            let reader = try await context.operatorCaller(node)
            return await ops.respond(request, template: "ops-collection") { now in try ops.pages.collection(reader: Self.name(reader), now: now) }
        }
        router.get("/ops/quality") { request, context -> Response in
            let reader = try await context.operatorCaller(node)
            return await ops.respond(request, template: "ops-quality") { now in try ops.pages.quality(reader: Self.name(reader), now: now) }
        }
        router.get("/ops/static/{name}") { _, context -> Response in
            _ = try await context.operatorCaller(node)
            return ops.portal.asset(context.parameters.get("name") ?? "")
        }
    }

    static func name(_ reader: AuditActor) -> String {
        reader.role == "local" ? "本机操作员" : (reader.name ?? reader.role)
    }

    /// Builds the page off the event loops and answers with HTML or, with `?format=json`, JSON.
    func respond(_ request: Request, template: String, build: @escaping @Sendable (Date) throws -> some Encodable & Sendable) async -> Response {
        let json = FormValues(request.uri.query)["format"] == "json"
        let now = portal.clock()
        let portal = self.portal
        let result = await BlockingWork.run { () throws -> Portal.Rendered in
            let page = try build(now)
            return json ? Portal.jsonBody(page) : try portal.rendered(page, template: template)
        }
        switch result {
        case .success(let r):
            return Response(status: .ok, headers: [.contentType: r.contentType, .cacheControl: "no-store"], body: .init(byteBuffer: r.body))
        case .failure(let error):
            return portal.failure(error, json: json)
        }
    }
}
