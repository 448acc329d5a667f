import CreditDomain
import Foundation
import Hummingbird
import HummingbirdTLS
import NIOCore
import NodePKI
import ServiceLifecycle

/// The listener for department systems: `POST /v1/records?kind=KIND[&format=csv|jsonl]` with a
/// CSV or JSON Lines body gets the same validation, storage and quarantine as `credit-node
/// ingest`, and answers with the same summary. Local-only by default; bound to any other
/// address it requires a client certificate issued by the network CA.
public struct RecordsServer: Sendable {
    public let node: NodeContext

    public init(node: NodeContext) { self.node = node }

    /// Whether `host` only accepts connections from this machine.
    public static func isLoopback(_ host: String) -> Bool { host == "localhost" || host == "::1" || host.hasPrefix("127.") }

    /// Builds the listener, a service: run it in a `ServiceGroup`, which stops it gracefully
    /// (`NodeServices`). `routes` adds pages served beside the records (the operators' pages of
    /// `CreditPortal.Operations`), under the same access rule.
    public func application(
        host: String, port: Int, requireClientCertificate: Bool? = nil, onRunning: @escaping @Sendable (Int) async -> Void = { _ in },
        routes: (Router<SyncRequestContext>) -> Void = { _ in }
    )
        throws -> any Service
    {
        let node = self.node
        let limits = ListenerLimits(node.configuration, defaultUploadBytes: 64 << 20)
        let router = Router(context: SyncRequestContext.self)
        router.add(middleware: UnknownEndpoint(listener: "records"))
        router.post("/v1/records") { request, context -> Response in
            // Who writes, before the body is read: a department or operator of this node, or a local caller.
            let writer = try await context.writer(node)
            try node.refuseIfDamaged()
            guard let kind = request.uri.queryParameters.get("kind") else {
                throw HTTPError(.badRequest, message: "give the record kind: /v1/records?kind=penalty (or its Chinese name)")
            }
            let format: InputFormat
            switch request.uri.queryParameters.get("format") ?? (request.headers[.contentType]?.contains("json") == true ? "jsonl" : "csv") {
            case "csv": format = .csv
            case "jsonl": format = .jsonLines
            case let other: throw HTTPError(.badRequest, message: "format '\(other)' is unknown; use csv or jsonl")
            }
            let body: ByteBuffer
            do { body = try await request.body.collect(upTo: limits.uploadBytesMax) } catch {
                throw HTTPError(
                    .contentTooLarge, message: "an upload is at most \(limits.uploadBytesMax) bytes here (uploadBytesMax); send the file in parts")
            }
            let bytes = Array(body.readableBytesView)
            let result: Result<IngestReport, any Error> = await BlockingWork.run {
                try FileIngestion(node: node).ingest(
                    bytes: bytes, name: "POST /v1/records", kind: kind, format: format, now: node.clock(), actor: writer)
            }
            switch result {
            case .success(let report):
                node.logger.info(
                    "records written",
                    metadata: [
                        "by": "\(writer.description)", "kind": "\(report.kind)", "ingest": "\(report.ingestID)", "accepted": "\(report.accepted)",
                    ])
                let encoder = JSONEncoder()
                encoder.outputFormatting = [.sortedKeys]
                return Response(
                    status: .ok, headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(bytes: try encoder.encode(report))))
            case .failure(let e as IngestError):
                throw HTTPError(.unprocessableContent, message: "\(e.message) [\(e.code.rawValue)]; nothing was written")
            case .failure(let e as CatalogueError):
                throw HTTPError(.badRequest, message: e.message)
            case .failure(let error):
                // The log must hold what the answer points to (a full disk, a damaged store …).
                node.logger.error("records could not be stored", metadata: ["by": "\(writer.description)", "kind": "\(kind)", "reason": "\(error)"])
                throw HTTPError(.internalServerError, message: "the records could not be stored; see the node's log")
            }
        }
        // Writers: local callers of the loopback listener, or — exposed — department systems and
        // operators of this node by their certificates (`SyncRequestContext.writer`); any holder of
        // a valid, unrevoked certificate of the network may ask a check.
        router.addStatusRoute(node: node)
        router.addCheckRoute(node: node) { context in _ = try await context.holder(node) }
        // 政务共享: a subject's whole file for a department system or an operator of this node
        // (or the local caller), with the reason for asking; every look-up noted.
        router.get("/v1/subjects/:code") { request, context -> Response in
            let reader = try await context.governmentCaller(node, doing: "read a subject's government file", refusal: "not-government")
            try node.refuseIfDamaged()
            let code = context.parameters.get("code") ?? ""
            let purpose = request.uri.queryParameters.get("purpose").map { String($0) } ?? ""
            let now = node.clock()
            switch await BlockingWork.run({ try GovernmentSharing(node: node).file(subject: code, purpose: purpose, reader: reader, now: now) }) {
            case .success(let file): return try jsonResponse(file)
            case .failure(let e as LookupError):
                throw HTTPError(e.code == .unknownSubject ? .notFound : .badRequest, message: e.description)
            case .failure(let e): throw e
            }
        }
        // A department's receipt: how its decision stands here, by its document number (no field
        // of it), for the same callers as the government file.
        router.get("/v1/decisions") { request, context -> Response in
            _ = try await context.governmentCaller(node, doing: "read decisions by their number", refusal: "not-government")
            try node.refuseIfDamaged()
            let number = request.uri.queryParameters.get("number").map { String($0) } ?? ""
            guard DocumentNumber.mayBeOne(number) else {
                throw HTTPError(
                    .badRequest,
                    message:
                        "give the decision's document number (决定文书号): /v1/decisions?number=… — 4 to \(DocumentNumber.maximumLength) characters, digits among them and not digits alone"
                )
            }
            let today = ChinaTime.date(node.clock())
            switch await BlockingWork.run({ try DecisionLookup(node: node).decisions(number: number, today: today) }) {
            case .success(let answer):
                guard !answer.decisions.isEmpty else {
                    throw HTTPError(
                        .notFound, message: "no record at node \(node.configuration.code) bears the number \(answer.number): not received here (yet)")
                }
                return try jsonResponse(answer)
            case .failure(let e): throw e
            }
        }
        // 信易贷: a financial institution of this node answers the requests for its products.
        router.addInstitutionRoutes(node: node)
        routes(router)
        let configuration = ApplicationConfiguration(
            address: .hostname(host, port: port), serverName: "credit-node \(node.configuration.code) records")
        let onServerRunning: @Sendable (any Channel) async -> Void = { channel in await onRunning(channel.localAddress?.port ?? port) }
        if requireClientCertificate ?? !Self.isLoopback(host) {
            let tls = try TLSConfigurations.server(identity: try node.credentials.identity(), ca: try node.credentials.trust().ca)
            return Application(
                router: router, server: try .tls(limits.http1(name: "records", logger: node.logger), tlsConfiguration: tls),
                configuration: configuration,
                onServerRunning: onServerRunning, logger: node.logger)
        }
        return Application(
            router: router, server: limits.http1(name: "records", logger: node.logger), configuration: configuration,
            onServerRunning: onServerRunning,
            logger: node.logger)
    }
}
