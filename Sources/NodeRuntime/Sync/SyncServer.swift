import ChangeSets
import CreditDomain
import CreditStore
import Foundation
import Hummingbird
import HummingbirdTLS
import Logging
import NIOCore
import NIOSSL
import NodePKI

/// The request context of the sync listener: it keeps the connection's channel, from whose TLS
/// handler the caller's certificate is read. The caller's identity comes only from it.
public struct SyncRequestContext: RequestContext {
    public var coreContext: CoreRequestContextStorage
    let channel: any Channel

    public init(source: ApplicationRequestContextSource) {
        coreContext = .init(source: source)
        channel = source.channel
    }

    /// The caller's node code, from the certificate it presented, checked against the trust
    /// store (issuer, validity, revocation). Departments and operators are not nodes.
    func caller(_ node: NodeContext) async throws -> DivisionCode {
        guard let holder = try await holder(node) else { throw HTTPError(.unauthorized, message: "no client certificate") }
        guard holder.role == .node else {
            throw HTTPError(.forbidden, message: "the certificate is \(holder)'s, not a node's [identity-mismatch]")
        }
        return holder.code
    }

    /// The holder of the caller's certificate (node, department, operator or institution), checked against the
    /// trust store (issuer, validity, revocation), or nil when the connection has no TLS. Read per
    /// request: a revocation list that came down since start applies at once.
    func holder(_ node: NodeContext) async throws -> CertificateHolder? {
        let trust = try node.credentials.trust()
        let channel = self.channel
        let der: [UInt8]?? = try await channel.eventLoop.submit {
            guard let tls = try? channel.pipeline.syncOperations.handler(type: NIOSSLServerHandler.self) else { return nil }
            return .some(try tls.peerCertificate.map { try $0.toDERBytes() })
        }.get()
        guard let der else { return nil }
        guard let der, let certificate = try? TLSConfigurations.certificate(fromDER: der) else {
            throw HTTPError(.unauthorized, message: "no client certificate")
        }
        do { return try trust.holder(certificate) } catch {
            throw HTTPError(.forbidden, message: "\(error.message) [\(error.code.rawValue)]")
        }
    }

    /// Who may write records and status changes on the records listener, as the audit trail
    /// records them: over TLS, a department system or an operator of this very node by its
    /// certificate (a node's certificate writes nothing: nodes sync, departments report); on the
    /// loopback listener without TLS, the local caller.
    func writer(_ node: NodeContext) async throws -> AuditActor {
        try await governmentCaller(node, doing: "write records or status changes", refusal: "not-a-writer")
    }

    /// A department system or an operator of this very node by its certificate, or the local
    /// caller: who may `doing` (a node's certificate may not: nodes sync).
    func governmentCaller(_ node: NodeContext, doing: String, refusal: String) async throws -> AuditActor {
        guard let holder = try await holder(node) else {
            return AuditActor(role: "local", name: remoteAddress.map { "\($0)" } ?? "loopback")
        }
        switch holder.role {
        case .node, .institution:
            throw HTTPError(
                .forbidden,
                message:
                    "\(holder)'s certificate may not \(doing); a department system needs its own: credit-node pki issue --department NAME --code \(node.configuration.code) [\(refusal)]"
            )
        case .department, .operator:
            guard holder.code == node.configuration.code else {
                throw HTTPError(
                    .forbidden,
                    message:
                        "the certificate is for \(holder), not for node \(node.configuration.code): a department or operator writes at its own node [wrong-node]"
                )
            }
            return AuditActor(role: holder.role.rawValue, code: holder.code.digits, name: holder.name, serial: holder.serial)
        }
    }

    /// Who may read the operators' pages (`/ops/`): on the loopback listener without TLS, the
    /// local caller; over TLS, an operator of this very node by its certificate — a node's or a
    /// department's certificate is not an operator's.
    public func operatorCaller(_ node: NodeContext) async throws -> AuditActor {
        guard let holder = try await holder(node) else {
            return AuditActor(role: "local", name: remoteAddress.map { "\($0)" } ?? "loopback")
        }
        guard holder.role == .operator else {
            throw HTTPError(
                .forbidden,
                message:
                    "the operators' pages need an operator's certificate of node \(node.configuration.code); \(holder) is not one: credit-node pki issue --operator NAME --code \(node.configuration.code) [not-an-operator]"
            )
        }
        guard holder.code == node.configuration.code else {
            throw HTTPError(
                .forbidden,
                message:
                    "the certificate is for \(holder), not for node \(node.configuration.code): an operator reads the pages of its own node [wrong-node]"
            )
        }
        return AuditActor(role: holder.role.rawValue, code: holder.code.digits, name: holder.name, serial: holder.serial)
    }

    /// Who may answer the businesses' 信易贷 requests from its own system: a financial institution
    /// of this node by its certificate (`pki issue --institution`), and no one else — not the
    /// local caller, who has no institution (the office answers on `/ops/loans`). Its credit code
    /// is the institution's.
    public func institutionCaller(_ node: NodeContext) async throws -> (actor: AuditActor, lenderCode: String) {
        let how = "credit-node pki issue --institution NAME --lender-code USCC --code \(node.configuration.code)"
        guard let holder = try await holder(node) else {
            throw HTTPError(
                .forbidden,
                message:
                    "the institutions' routes need a financial institution's certificate over TLS (the office answers for one on /ops/loans): \(how) [not-an-institution]"
            )
        }
        guard holder.role == .institution, let lender = holder.lenderCode else {
            throw HTTPError(.forbidden, message: "\(holder) is not a financial institution: \(how) [not-an-institution]")
        }
        guard holder.code == node.configuration.code else {
            throw HTTPError(
                .forbidden,
                message:
                    "the certificate is for \(holder), not for node \(node.configuration.code): an institution answers at the node of its area [wrong-node]"
            )
        }
        return (AuditActor(role: holder.role.rawValue, code: holder.code.digits, name: holder.name, serial: holder.serial), lender)
    }

    /// The peer's address, for the audit trail of the loopback listener.
    var remoteAddress: SocketAddress? { channel.remoteAddress }
}

/// `credit-node serve`: the HTTPS sync listener, mutual TLS required.
///
/// - `POST /v1/sync/up`: a bundle in (from a configured child), the signed receipt out.
/// - `GET /v1/status`: the node's per-origin status as JSON.
public struct SyncServer: Sendable {
    public let node: NodeContext

    public init(node: NodeContext) { self.node = node }

    public func application(
        host: String, port: Int, onRunning: @escaping @Sendable (Int) async -> Void = { _ in }
    ) throws -> some ApplicationProtocol {
        let identity = try node.credentials.identity()
        let trust = try node.credentials.trust()
        let importer = Import(node: node)
        let node = self.node
        let logger = node.logger
        let limits = ListenerLimits(node.configuration, defaultUploadBytes: ChangeSetLimits().pushBytesMax)
        let uploads = UploadSlots()
        let router = Router(context: SyncRequestContext.self)
        router.add(middleware: UnknownEndpoint(listener: "sync"))
        router.post("/v1/sync/up") { request, context -> Response in
            let peer = try await context.caller(node)
            try node.refuseIfDamaged()
            // Decided from the certificate before a byte of the body is read: a node that is no
            // child of this one cannot make it buffer anything.
            guard node.configuration.children.contains(peer) else {
                logger.warning("upload refused before its body was read", metadata: ["from": "\(peer)", "reason": "not a child"])
                throw HTTPError(.forbidden, message: "\(peer) is not a child of \(node.configuration.code) [not-a-child]")
            }
            guard uploads.take(peer.digits) else {
                throw HTTPError(
                    .tooManyRequests, message: "\(peer) has an upload in progress here; send the next bundle after its receipt [upload-in-progress]")
            }
            defer { uploads.release(peer.digits) }
            let body: ByteBuffer
            do { body = try await request.body.collect(upTo: limits.uploadBytesMax) } catch {
                throw HTTPError(
                    .contentTooLarge,
                    message: "a bundle is at most \(limits.uploadBytesMax) bytes here (uploadBytesMax); push sends bundles of at most 40,000 changes")
            }
            let bytes = Array(body.readableBytesView)
            let result: Result<(ImportReport, [UInt8]), any Error> = await BlockingWork.run {
                try importer.applyBundle(bytes, source: "https from \(peer)", peer: peer, deferApply: true, now: node.clock())
            }
            switch result {
            case .success(let (report, receipt)):
                if report.applied > 0 { node.arrivals.signal() }
                logger.info(
                    "bundle accepted",
                    metadata: [
                        "from": "\(peer)", "applied": "\(report.applied)", "duplicates": "\(report.duplicates)", "held": "\(report.held)",
                        "changes": "\(report.changes)",
                        "setAside": "\(report.setAside ?? 0)",
                    ])
                return Response(status: .ok, headers: [.contentType: "application/octet-stream"], body: .init(byteBuffer: ByteBuffer(bytes: receipt)))
            case .failure(let error):
                logger.warning("bundle refused", metadata: ["from": "\(peer)", "reason": "\(error)"])
                throw Self.httpError(error)
            }
        }
        router.get("/v1/sync/state") { _, context -> Response in
            let peer = try await context.caller(node)
            let answer = try await BlockingWork.run { try Return(node: node).standing(of: peer) }.get()
            return Response(status: .ok, headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(bytes: answer)))
        }
        // A child rebuilding a lost store takes back its own and its subtree's sets, as kept here.
        router.get("/v1/sync/return") { request, context -> Response in
            let peer = try await context.caller(node)
            try node.refuseIfDamaged()
            guard let text = request.uri.queryParameters.get("origin"), let origin = try? DivisionCode(String(text)) else {
                throw HTTPError(.badRequest, message: "origin must be a 12-digit division code inside the caller's")
            }
            let after = Int64(request.uri.queryParameters.get("after") ?? "0") ?? -1
            guard after >= 0 else { throw HTTPError(.badRequest, message: "after must be the last seq the caller holds of the origin (0: none)") }
            let result: Result<[UInt8], any Error> = await BlockingWork.run {
                try Return(node: node).sets(for: peer, origin: origin, after: after, now: node.clock())
            }
            switch result {
            case .success(let bundle):
                logger.notice(
                    "change sets returned to a child rebuilding its store", metadata: ["to": "\(peer)", "origin": "\(origin)", "after": "\(after)"])
                return Response(status: .ok, headers: [.contentType: "application/octet-stream"], body: .init(byteBuffer: ByteBuffer(bytes: bundle)))
            case .failure(let error):
                logger.warning("return refused", metadata: ["to": "\(peer)", "reason": "\(error)"])
                throw Self.httpError(error)
            }
        }
        router.get("/v1/sync/down") { request, context -> Response in
            let peer = try await context.caller(node)
            try node.refuseIfDamaged()
            let after = Int64(request.uri.queryParameters.get("after") ?? "0") ?? -1
            guard after >= 0 else { throw HTTPError(.badRequest, message: "after must be a cursor (a whole number) from the previous page") }
            let digest = request.uri.queryParameters.get("control").map { String($0) }
            let result: Result<DownBundle, any Error> = await BlockingWork.run {
                try Downward(node: node).page(
                    for: peer, after: after, controlDigest: digest, limit: node.configuration.pullPageChanges ?? 5000, now: node.clock())
            }
            switch result {
            case .success(let bundle):
                let changes = bundle.sections.reduce(0) { $0 + $1.entries.count }
                logger.info(
                    "pull served",
                    metadata: [
                        "to": "\(peer)", "after": "\(after)", "next": "\(bundle.next)", "changes": "\(changes)",
                        "controls": "\(bundle.controls.count)",
                    ])
                return Response(
                    status: .ok, headers: [.contentType: "application/octet-stream"], body: .init(byteBuffer: ByteBuffer(bytes: bundle.encoded)))
            case .failure(let error):
                logger.warning("pull refused", metadata: ["to": "\(peer)", "reason": "\(error)"])
                throw Self.httpError(error)
            }
        }
        // Checks over mutual TLS, for any holder of a certificate of the network's CA.
        router.addCheckRoute(node: node) { context in _ = try await context.caller(node) }
        router.get("/metrics") { _, context -> Response in
            _ = try await context.caller(node)
            let text = try await BlockingWork.run { try Metrics.text(node) }.get()
            return Response(status: .ok, headers: [.contentType: "text/plain; version=0.0.4"], body: .init(byteBuffer: ByteBuffer(string: text)))
        }
        router.get("/v1/status") { _, context -> Response in
            _ = try await context.caller(node)
            let c = node.configuration
            let origins = try await BlockingWork.run {
                try node.store.originStatus(windowSeconds: Int64(c.effectiveWindowSeconds), hasParent: c.parent != nil)
            }.get()
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.sortedKeys]
            let body = try encoder.encode(
                StatusBody(
                    code: c.code.digits, tier: c.tier.name, windowHours: c.effectiveWindowHours,
                    store: StoreVerification.recordedDamage(c)?.summary ?? "sound",
                    origins: origins))
            return Response(status: .ok, headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(bytes: body)))
        }
        let tls = try TLSConfigurations.server(identity: identity, ca: trust.ca)
        return Application(
            router: router, server: try .tls(limits.http1(name: "sync", logger: logger), tlsConfiguration: tls),
            configuration: .init(address: .hostname(host, port: port), serverName: "credit-node \(node.configuration.code)"),
            services: [ApplierService(node: node)], onServerRunning: { channel in await onRunning(channel.localAddress?.port ?? port) },
            logger: logger)
    }

    struct StatusBody: Encodable {
        var code: String
        var tier: String
        var windowHours: Int
        /// `sound`, or `DAMAGED: …` as `verify-store` found it.
        var store: String
        var origins: [OriginStatus]
    }

    static func hex(_ b: [UInt8]) -> String { b.map { String(format: "%02x", $0) }.joined() }

    /// Refusals map to a status and a one-line reason; nothing internal leaks.
    static func httpError(_ error: any Error) -> HTTPError {
        switch error {
        case let e as ImportError: HTTPError(.forbidden, message: "\(e.message) [\(e.code.rawValue)]")
        case let e as ChangeSetError: HTTPError(e.code == .outsideSubtree ? .forbidden : .badRequest, message: e.description)
        // A record that cannot be vouched for is not served: the node says it is damaged.
        case let e as StoreError where e.code == .corrupt:
            HTTPError(.serviceUnavailable, message: "this node's store is damaged; it cannot vouch for what it holds [store-damaged]")
        default: HTTPError(.internalServerError, message: "the request could not be served; see the node's log")
        }
    }
}
