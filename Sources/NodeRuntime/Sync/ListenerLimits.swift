import Hummingbird
import HummingbirdCore
import HummingbirdTLS
import Logging
import NIOCore
import NIOHTTP1
import NIOHTTPTypesHTTP1
import NIOSSL
import Synchronization

/// What every listener of a node keeps to: an idle timeout (a connection silent in its TLS
/// handshake or between requests is closed), a cap on open connections (more are closed at once,
/// with a log line), and a bound on request bodies. Descriptors are finite: 20,000 idle
/// connections once took a node's, and its own pulls failed for want of one.
public struct ListenerLimits: Sendable {
    public var idleTimeoutSeconds: Int
    public var connectionsMax: Int
    public var uploadBytesMax: Int

    public init(idleTimeoutSeconds: Int = 60, connectionsMax: Int = 1024, uploadBytesMax: Int) {
        self.idleTimeoutSeconds = idleTimeoutSeconds
        self.connectionsMax = connectionsMax
        self.uploadBytesMax = uploadBytesMax
    }

    /// The node's limits for a listener whose bodies are at most `defaultUploadBytes` unless
    /// the configuration says otherwise.
    public init(_ configuration: NodeConfiguration, defaultUploadBytes: Int) {
        self.init(
            idleTimeoutSeconds: configuration.effectiveIdleTimeoutSeconds, connectionsMax: configuration.effectiveConnectionsMax,
            uploadBytesMax: configuration.uploadBytesMax ?? defaultUploadBytes)
    }

    /// HTTP/1.1 with the idle timeout and the connection cap, for a listener called `name`.
    public func http1(name: String, logger: Logger) -> HTTPServerBuilder {
        let gate = ConnectionGate(limit: connectionsMax, name: name, logger: logger)
        return .http1(
            configuration: .init(additionalChannelHandlers: [ConnectionGate.Handler(gate: gate)], idleTimeout: .seconds(Int64(idleTimeoutSeconds))))
    }
}

/// Uploads in progress per peer: a child pushes one bundle at a time (each after the receipt for
/// the last), so a second upload from the same node while one is in progress is refused (429)
/// instead of buffering both.
final class UploadSlots: Sendable {
    private let busy = Mutex<Set<String>>([])

    /// Takes the peer's slot, or false when it has an upload in progress.
    func take(_ peer: String) -> Bool { busy.withLock { $0.insert(peer).inserted } }

    func release(_ peer: String) { _ = busy.withLock { $0.remove(peer) } }
}

/// Marks an HTTP/1.0 request without `Connection: keep-alive` as `Connection: close`, so that
/// the connection is closed after its response (HTTP/1.0's default) instead of kept open.
final class HTTP10Closer: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPServerRequestPart
    typealias InboundOut = HTTPServerRequestPart

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        guard case .head(var head) = unwrapInboundIn(data), head.version.major == 1, head.version.minor == 0, !head.isKeepAlive else {
            context.fireChannelRead(data)
            return
        }
        head.headers.replaceOrAdd(name: "connection", value: "close")
        context.fireChannelRead(wrapInboundOut(.head(head)))
    }
}

/// Counts a listener's open connections; one over the cap is closed as soon as it is accepted.
final class ConnectionGate: Sendable {
    let limit: Int
    let name: String
    let logger: Logger
    let open = Atomic<Int>(0)
    let refused = Atomic<Int>(0)

    init(limit: Int, name: String, logger: Logger) {
        self.limit = limit
        self.name = name
        self.logger = logger
    }

    /// Added to every connection's pipeline when it is accepted (before its TLS handshake ends).
    final class Handler: ChannelInboundHandler, RemovableChannelHandler {
        typealias InboundIn = NIOAny
        let gate: ConnectionGate
        var counted = false

        init(gate: ConnectionGate) { self.gate = gate }

        func handlerAdded(context: ChannelHandlerContext) {
            // HTTP/1.0 without keep-alive means one request per connection: say so to the server
            // (which only reads `Connection: close`), ahead of the codec that drops the version.
            if let codec = try? context.pipeline.syncOperations.handler(type: HTTP1ToHTTPServerCodec.self) {
                try? context.pipeline.syncOperations.addHandler(HTTP10Closer(), position: .before(codec))
            }
            let now = gate.open.add(1, ordering: .relaxed).newValue
            guard now <= gate.limit else {
                gate.open.subtract(1, ordering: .relaxed)
                let refused = gate.refused.add(1, ordering: .relaxed).newValue
                // One line for the first refusal and then every 1,000th: a flood must not flood the log.
                if refused == 1 || refused % 1000 == 0 {
                    gate.logger.warning(
                        "connection refused: the listener is at its cap of open connections (connectionsMax)",
                        metadata: ["listener": "\(gate.name)", "open": "\(gate.limit)", "refusedSoFar": "\(refused)"])
                }
                context.close(promise: nil)
                return
            }
            counted = true
        }

        func handlerRemoved(context: ChannelHandlerContext) {
            if counted { gate.open.subtract(1, ordering: .relaxed) }
            counted = false
        }
    }
}

/// An address no route of a listener has, or a method its route lacks, answered as every other
/// refusal of the API is (`{"error":{"message":"… [no-such-endpoint]"}}`, 404) rather than with an
/// empty body: a third party's client learns what it asked for and where the endpoints are listed.
struct UnknownEndpoint<Context: RequestContext>: RouterMiddleware {
    let listener: String

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        do {
            return try await next(request, context)
        } catch let error as HTTPError where error.status == .notFound && error.body == nil && context.endpointPath == "NotFound" {
            throw HTTPError(
                .notFound,
                message:
                    "the \(listener) listener has no endpoint \(request.method) \(request.uri.path); its endpoints are listed in docs/PROTOCOL.md [no-such-endpoint]"
            )
        }
    }
}
