import AsyncHTTPClient
import CreditDomain
import Foundation
import NIOCore
import NIOSSL
import NodePKI
import Synchronization
import TestSupport
import Testing

#if canImport(Glibc)
import Glibc
#endif

@testable import NodeRuntime

/// Bytes produced for an upload, counted from the producing task.
final class ByteCounter: Sendable {
    let value = Atomic<Int>(0)
}

/// A plain TCP connection to a loopback port, for what a client that never speaks TLS does.
/// Its reads block, so they run on a thread of their own (`blocking`): on the two threads of the
/// concurrency pool they would stall every other test's servers and clients until they time out.
/// `@unchecked Sendable`: one test uses it at a time, and its descriptor never changes.
final class RawConnection: @unchecked Sendable {
    let fd: Int32

    init(port: Int) throws {
        fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let connected = withUnsafePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) } }
        guard connected == 0 else { throw SyncError(code: .unreachable, message: "connect failed: \(errno)") }
    }

    deinit { close(fd) }

    func send(_ text: String) {
        let bytes = Array(text.utf8)
        _ = bytes.withUnsafeBytes { Glibc.send(fd, $0.baseAddress, $0.count, 0) }
    }

    /// One HTTP response (head, and a body of its Content-Length), waiting at most `seconds` for
    /// each read; nil if it does not arrive whole.
    func readResponse(within seconds: Int) async -> String? { await Self.blocking { self.readResponseNow(within: seconds) } }

    func readResponseNow(within seconds: Int) -> String? {
        var timeout = timeval(tv_sec: seconds, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        var out: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 4096)
        while true {
            let text = String(decoding: out, as: UTF8.self)
            if let end = text.range(of: "\r\n\r\n") {
                let head = text[..<end.lowerBound].lowercased()
                let length = head.split(separator: "\r\n").first { $0.hasPrefix("content-length:") }.flatMap { Int($0.dropFirst(15).trimmingCharacters(in: .whitespaces)) } ?? 0
                if out.count - text[..<end.upperBound].utf8.count >= length { return text }
            }
            let n = recv(fd, &buffer, buffer.count, 0)
            guard n > 0 else { return nil }
            out += buffer[0..<n]
        }
    }

    /// Whether the server closed the connection within `seconds` (a read returns end of file);
    /// false when the read times out with the connection still open.
    func closedByServer(within seconds: Int) async -> Bool { await Self.blocking { self.closedByServerNow(within: seconds) } }

    /// Runs a blocking call on a thread of its own.
    static func blocking<T: Sendable>(_ body: @escaping @Sendable () -> T) async -> T {
        await withCheckedContinuation { continuation in Thread { continuation.resume(returning: body()) }.start() }
    }

    func closedByServerNow(within seconds: Int) -> Bool {
        var timeout = timeval(tv_sec: seconds, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        var byte: UInt8 = 0
        let n = recv(fd, &byte, 1, 0)
        return n == 0 || (n < 0 && errno == ECONNRESET)
    }
}

@Suite("Listener limits: idle connections, a cap, AEAD only, bodies refused before they are read", .serialized)
struct ListenerLimitsTests {
    /// The township of the offline chain with small limits.
    static func township(_ net: OfflineChain, idle: Int, connections: Int) throws -> NodeContext {
        var config = net.township.configuration
        config.idleTimeoutSeconds = idle
        config.connectionsMax = connections
        return try NodeContext(configuration: config)
    }

    @Test func aSilentConnectionIsClosedAfterTheIdleTimeout() async throws {
        let net = try OfflineChain()
        try await withSyncServer(try Self.township(net, idle: 1, connections: 100)) { port in
            // It never starts its TLS handshake: closed after about a second, not held for ever.
            let silent = try RawConnection(port: port)
            #expect(await silent.closedByServer(within: 10))
        }
    }

    @Test func connectionsOverTheCapAreClosedAndTheListenerStaysUsable() async throws {
        let net = try OfflineChain()
        try await withSyncServer(try Self.township(net, idle: 30, connections: 3)) { port in
            // Four at once against a cap of three: exactly one is closed (which one depends on the
            // event loop each lands on); the other three stay open (their reads time out).
            var connections = try (0..<4).map { _ in try RawConnection(port: port) }
            var closed = 0
            for c in connections where await c.closedByServer(within: 3) { closed += 1 }
            #expect(closed == 1)
            // Freed, the listener serves again (the server sees the closes as they come).
            connections.removeAll()
            let village = try net.pointing(net.village, toPort: port)
            var served = false
            for _ in 0..<50 where !served {
                served = (try? await SyncServerTests.get(village, port: port, path: "/v1/sync/state").contains("\"origins\"")) == true
                if !served { try await Task.sleep(for: .milliseconds(100)) }
            }
            #expect(served)
        }
    }

    /// HTTP/1.0 without keep-alive is one request per connection: closed after the answer. An
    /// HTTP/1.1 connection stays open for the next request.
    @Test func http10ConnectionsAreClosedAfterTheirAnswer() async throws {
        let net = try OfflineChain()
        try await withRecordsServer(net.village, tls: false) { port in
            // Generous waits: the answer may be slow on a loaded machine; only closing is judged.
            let old = try RawConnection(port: port)
            old.send("GET /v1/check/91110000600037341L HTTP/1.0\r\nHost: localhost\r\n\r\n")
            let answer = await old.readResponse(within: 60)
            #expect(answer?.contains("\"restricted\":false") == true, "\(answer ?? "no answer")")
            #expect(await old.closedByServer(within: 10))
            let current = try RawConnection(port: port)
            current.send("GET /v1/check/91110000600037341L HTTP/1.1\r\nHost: localhost\r\n\r\n")
            #expect(await current.readResponse(within: 60)?.contains("\"restricted\":false") == true)
            #expect(await !current.closedByServer(within: 1))
        }
    }

    @Test func cbcSuitesAreRefused() async throws {
        let net = try OfflineChain()
        try await withSyncServer(net.township) { port in
            let identity = try Export.identity(of: net.village.configuration)
            var tls = try TLSConfigurations.client(identity: identity, ca: net.ca.certificate)
            tls.maximumTLSVersion = .tlsv12
            let name = NodeIdentity.hostName(for: net.township.configuration.code)
            func status(_ ciphers: [NIOTLSCipher]) async -> Int? {
                tls.cipherSuiteValues = ciphers
                var config = HTTPClient.Configuration(tlsConfiguration: tls)
                config.dnsOverride = [name: "127.0.0.1"]
                return try? await withHTTPClient(config) { client in
                    Int(try await client.execute(HTTPClientRequest(url: "https://\(name):\(port)/v1/sync/state"), timeout: .seconds(10)).status.code)
                }
            }
            #expect(await status([.TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA, .TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA]) == nil)
            #expect(await status([.TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256]) == 200)
        }
    }

    /// A child pushes one bundle at a time: a second upload while its first is still arriving is
    /// refused (429) instead of being buffered beside it.
    @Test func oneUploadPerChildAtATime() async throws {
        let net = try OfflineChain()
        try await withSyncServer(net.township) { port in
            let identity = try Export.identity(of: net.village.configuration)
            let name = NodeIdentity.hostName(for: net.township.configuration.code)
            var config = HTTPClient.Configuration(tlsConfiguration: try TLSConfigurations.client(identity: identity, ca: net.ca.certificate))
            config.dnsOverride = [name: "127.0.0.1"]
            let sent = ByteCounter()
            try await withHTTPClient(config) { client in
                // The first upload trickles in: a megabyte every 50 ms, 200 announced.
                let slow = Task {
                    var request = HTTPClientRequest(url: "https://\(name):\(port)/v1/sync/up")
                    request.method = .POST
                    let chunk = ByteBuffer(repeating: 0x42, count: 1 << 20)
                    let chunks = AsyncStream<ByteBuffer> { continuation in
                        Task {
                            for _ in 0..<200 {
                                sent.value.add(1, ordering: .relaxed)
                                continuation.yield(chunk)
                                try? await Task.sleep(for: .milliseconds(50))
                            }
                            continuation.finish()
                        }
                    }
                    request.body = .stream(chunks, length: .known(Int64(200 << 20)))
                    return try? await client.execute(request, timeout: .seconds(60)).status.code
                }
                // Once it is under way, a second from the same child.
                while sent.value.load(ordering: .relaxed) < 5 { try await Task.sleep(for: .milliseconds(20)) }
                var second = HTTPClientRequest(url: "https://\(name):\(port)/v1/sync/up")
                second.method = .POST
                second.body = .bytes(ByteBuffer(bytes: [1, 2, 3]))
                let response = try await client.execute(second, timeout: .seconds(30))
                let body = String(buffer: try await response.body.collect(upTo: 1 << 16))
                #expect(response.status == .tooManyRequests && body.contains("upload-in-progress"), "\(response.status) \(body)")
                slow.cancel()
                _ = await slow.value
            }
        }
    }

    /// A node that is nobody's child announces a large upload: it is refused from its
    /// certificate, having sent only a little — the listener read none of it.
    @Test func anUploadFromANonChildIsRefusedBeforeItsBodyIsRead() async throws {
        let net = try OfflineChain()
        try await withSyncServer(net.township) { port in
            let identity = try Export.identity(of: net.county.configuration)  // the township's parent, not its child
            let name = NodeIdentity.hostName(for: net.township.configuration.code)
            var config = HTTPClient.Configuration(tlsConfiguration: try TLSConfigurations.client(identity: identity, ca: net.ca.certificate))
            config.dnsOverride = [name: "127.0.0.1"]
            let announced = 900 << 20
            let chunk = ByteBuffer(repeating: 0x42, count: 1 << 20)
            let sent = ByteCounter()
            let status: Int? = try? await withHTTPClient(config) { client in
                var request = HTTPClientRequest(url: "https://\(name):\(port)/v1/sync/up")
                request.method = .POST
                let chunks = AsyncStream<ByteBuffer> { continuation in
                    Task {
                        for _ in 0..<(announced >> 20) {
                            sent.value.add(1 << 20, ordering: .relaxed)
                            continuation.yield(chunk)
                            try? await Task.sleep(for: .milliseconds(5))
                        }
                        continuation.finish()
                    }
                }
                request.body = .stream(chunks, length: .known(Int64(announced)))
                return Int(try await client.execute(request, timeout: .seconds(60)).status.code)
            }
            // The answer came long before the 900 MB were produced.
            #expect(status == 403 || status == nil)
            let produced = sent.value.load(ordering: .relaxed)
            #expect(produced < 200 << 20, "\(produced >> 20) MB produced")
        }
    }
}
