import AsyncHTTPClient
import ChangeSets
import CreditDomain
import CreditStore
import Foundation
import Hummingbird
import NIOCore
import NIOSSL
import NodePKI
import TestSupport
import ServiceLifecycle
import SyncCore
import Testing

@testable import NodeRuntime

/// Runs a node's sync listener on a free loopback port (of `host`) for the duration of `body`.
func withSyncServer(_ node: NodeContext, host: String = "127.0.0.1", _ body: @Sendable (Int) async throws -> Void) async throws {
    let (ports, continuation) = AsyncStream<Int>.makeStream()
    let app = try SyncServer(node: node).application(host: host, port: 0) { port in continuation.yield(port) }
    try await withListener(app, node: node, ports: ports, body)
}

/// Runs `listener` as `serve` does (`NodeServices.group`) while `body` uses the port it reports,
/// then shuts it down gracefully — never by cancelling it under the server — and waits for it.
func withListener(_ listener: any Service, node: NodeContext, ports: AsyncStream<Int>, _ body: @Sendable (Int) async throws -> Void) async throws {
    let services = NodeServices.group(listeners: [listener], loops: [], signals: [], logger: node.logger)
    try await withThrowingTaskGroup(of: Void.self) { group in
        group.addTask { try await services.run() }
        var iterator = ports.makeAsyncIterator()
        guard let port = await iterator.next() else { throw SyncError(code: .unreachable, message: "the server did not start") }
        let outcome: Result<Void, any Error>
        do { outcome = .success(try await body(port)) } catch { outcome = .failure(error) }
        await services.triggerGracefulShutdown()
        try await group.waitForAll()
        try outcome.get()
    }
}

/// Waits until the node's applier has applied every change set it accepted (at most 30 s).
func applied(_ node: NodeContext) async throws {
    for _ in 0..<300 {
        if try node.store.queued().sets == 0 { return }
        try await Task.sleep(for: .milliseconds(100))
    }
    Issue.record("\(node.configuration.code) still has accepted change sets to apply")
}

extension OfflineChain {
    /// The same node, configured to reach its parent at a loopback port (`host`: `127.0.0.1`, or `[::1]`).
    func pointing(_ node: NodeContext, toPort port: Int, host: String = "127.0.0.1") throws -> NodeContext {
        var config = node.configuration
        config.parent?.url = "https://\(host):\(port)"
        return try NodeContext(configuration: config)
    }
}

@Suite("Sync over HTTPS with mutual TLS", .serialized)
struct SyncServerTests {
    /// IPv6 (政府网站支持 IPv6): the same exchange over the IPv6 loopback, certificates checked both
    /// ways; the parent's address in brackets (`https://[::1]:PORT`).
    @Test(.enabled(if: ipv6LoopbackAvailable, "this machine has no IPv6 loopback"))
    func aVillagePushesAndPullsOverIPv6() async throws {
        let net = try OfflineChain()
        try net.ingest(net.village, rows: 30, seed: 2)
        let township = net.township
        try await withSyncServer(township, host: "::1") { port in
            let village = try net.pointing(net.village, toPort: port, host: "[::1]")
            let report = try await SyncClient(node: village).push()
            #expect(report.changeSets == 1 && report.acknowledged == 1)
            try await applied(township)
            #expect(try township.store.counts().records == 30 && village.store.pendingOutbox().isEmpty)
            let pulled = try await SyncClient(node: village).pull()
            #expect(pulled.pages >= 1 && pulled.parent == "420102002000", "\(pulled)")
        }
    }

    @Test func aVillagePushesToItsTownshipAndGetsASignedReceipt() async throws {
        let net = try OfflineChain()
        try net.ingest(net.village, rows: 50, seed: 1)
        let township = net.township
        try await withSyncServer(township) { port in
            let village = try net.pointing(net.village, toPort: port)
            let report = try await SyncClient(node: village).push()
            #expect(report.changeSets == 1 && report.acknowledged == 1)
            try await applied(township)
            #expect(try township.store.counts().records == 50)
            #expect(try village.store.pendingOutbox().isEmpty)
            // Nothing pending: nothing sent.
            #expect(try await SyncClient(node: village).push().changeSets == 0)
            // What the township holds of the village's subtree, and its metrics.
            let state = try await Self.get(village, port: port, path: "/v1/sync/state")
            #expect(state.contains("\"lastSeq\":50,\"origin\":\"420102002201\""))
            let metrics = try await Self.get(village, port: port, path: "/metrics")
            #expect(metrics.contains("creditnet_records{node=\"420102002000\"} 50"))
            #expect(metrics.contains("creditnet_origin_seq_held{node=\"420102002000\",origin=\"420102002201\"} 50"))
            // An endpoint the listener does not have, or a method its endpoint lacks: a 404 that says so.
            for path in ["/v1/sync/nothing", "/v1/sync/up"] {
                let body = try await Self.get(village, port: port, path: path, expecting: 404)
                let error = try JSONDecoder().decode([String: [String: String]].self, from: Data(body.utf8))["error"]?["message"]
                #expect(error?.contains("no endpoint GET \(path);") == true && error?.hasSuffix("[no-such-endpoint]") == true, "\(body)")
            }
        }
    }

    @Test(arguments: [(40, 2), (SyncClient.bundleChangesMax, 1)])
    func aBacklogGoesUpInBundlesOfAtMostTheLimit(limit: Int, bundles: Int) async throws {
        let net = try OfflineChain()
        // Two change sets: 30 changes sealed, then 20 more sealed by the push.
        try net.ingest(net.village, rows: 30, seed: 1)
        try Export(node: net.village).seal(identity: try Export.identity(of: net.village.configuration))
        try net.ingest(net.village, rows: 20, seed: 2)
        let township = net.township
        try await withSyncServer(township) { port in
            let village = try net.pointing(net.village, toPort: port)
            // Over the limit, a set per bundle (each acknowledged before the next); within it, one.
            let report = try await SyncClient(node: village).push(bundleChanges: limit)
            #expect(report.bundles == bundles && report.changeSets == 2 && report.acknowledged == 2)
            #expect(try village.store.pendingOutbox().isEmpty)
            #expect(try township.store.position(of: "420102002201")?.lastSeq == 50)
        }
    }

    /// A GET to the parent over mutual TLS, as the given node.
    static func get(_ node: NodeContext, port: Int, path: String, expecting: UInt = 200) async throws -> String {
        String(decoding: try await bytes(node, port: port, path: path, expecting: expecting), as: UTF8.self)
    }

    /// The body of a GET to the parent over mutual TLS, as the given node.
    static func bytes(_ node: NodeContext, port: Int, path: String, expecting: UInt = 200) async throws -> [UInt8] {
        let identity = try Export.identity(of: node.configuration)
        let trust = try Import.trust(node.configuration)
        var config = HTTPClient.Configuration(tlsConfiguration: try TLSConfigurations.client(identity: identity, ca: trust.ca))
        let name = NodeIdentity.hostName(for: try #require(node.configuration.parent).code)
        config.dnsOverride = [name: "127.0.0.1"]
        let (response, body) = try await withHTTPClient(config) { client in
            let response = try await client.execute(HTTPClientRequest(url: "https://\(name):\(port)\(path)"), timeout: .seconds(60))
            return (response, try await response.body.collect(upTo: 1 << 26))
        }
        #expect(response.status.code == expecting)
        return Array(body.readableBytesView)
    }

    @Test func villageToTownshipToCountyExactlyOnce() async throws {
        let net = try OfflineChain()
        try net.ingest(net.village, rows: 40, seed: 1)
        try net.ingest(net.village2, rows: 15, seed: 2)
        try net.ingest(net.township, rows: 5, seed: 3)
        try await withSyncServer(net.county) { countyPort in
            let township = try net.pointing(net.township, toPort: countyPort)
            try await withSyncServer(township) { townshipPort in
                for v in [net.village, net.village2] {
                    #expect(try await SyncClient(node: try net.pointing(v, toPort: townshipPort)).push().acknowledged == 1)
                }
                let up = try await SyncClient(node: township).push()
                #expect(up.changeSets == 3 && up.acknowledged == 3)
                // Again: nothing new anywhere.
                #expect(try await SyncClient(node: township).push().changeSets == 0)
                try await applied(township)
            }
            try await applied(net.county)
        }
        #expect(try net.county.store.counts().records == 60)
        for origin in ["420102002201", "420102002202", "420102002000"] {
            let source = origin == "420102002201" ? net.village : origin == "420102002202" ? net.village2 : net.township
            #expect(try net.county.store.changes(origin: origin, limit: 100) == (try source.store.changes(origin: origin, limit: 100)))
        }
        #expect(try net.township.store.pendingOutbox().isEmpty)
    }

    /// The sync listener reads the node's clock (`NodeContext.clock`), not the wall clock: a set
    /// accepted through it is stamped with the time the node was given.
    @Test func theListenerReadsTheNodesClock() async throws {
        let net = try OfflineChain()
        let fixed = Date(timeIntervalSince1970: (Date().timeIntervalSince1970 + 3600).rounded(.down))
        let township = try NodeContext(configuration: net.township.configuration, clock: { fixed })
        try await withSyncServer(township) { port in
            let village = try net.pointing(net.village, toPort: port)
            try net.ingest(village, rows: 5, seed: 1, now: Date())
            _ = try await SyncClient(node: village).push()
            #expect(try township.store.upwardBacklog() == UpwardBacklog(pending: 5, oldestAt: ChinaTime.milliseconds(fixed)))
        }
    }

    /// The push loop's decisions at instants the test chooses: nothing below the threshold
    /// before the interval, a push once the backlog reaches it, the interval after that — no
    /// wall-clock waiting to show that nothing happened.
    @Test func theScheduleRunsPushesOnItsOwn() async throws {
        let net = try OfflineChain()
        let township = net.township
        try await withSyncServer(township) { port in
            // A long interval: only the backlog threshold can trigger the push.
            var config = try net.pointing(net.village, toPort: port).configuration
            config.pushIntervalSeconds = 3600
            config.backlogThreshold = 20
            let village = try NodeContext(configuration: config)
            let loop = PushLoop(node: village)
            var state = UpwardSchedule(configuration: loop.schedule)
            let t = Date()
            let at = { (seconds: Double) in Duration.milliseconds(ChinaTime.milliseconds(t.addingTimeInterval(seconds))) }
            // Nothing pending: the first step still pushes — the heartbeat carrying the
            // village's signed health record, which the township keeps.
            #expect(await loop.step(&state, now: t) == .push)
            let heard = try township.store.knownNodes().nodes.first { $0.code == "420102002201" }?.health
            #expect(heard?.issuedAt == ChinaTime.milliseconds(t) && heard?.backlog == 0 && heard?.parent == "420102002000")
            try net.ingest(village, rows: 10, seed: 1, now: t)
            // Ten pending, threshold twenty: wait for the interval from when they entered.
            #expect(await loop.step(&state, now: t.addingTimeInterval(1)) == .wait(until: at(3600)))
            #expect(try township.store.position(of: "420102002201") == nil, "pushed before the interval or threshold")
            try net.ingest(village, rows: 15, seed: 2, now: t.addingTimeInterval(2))
            // Over the threshold: at once, but never sooner than the retry floor (5 s) after the heartbeat.
            #expect(await loop.step(&state, now: t.addingTimeInterval(3)) == .wait(until: at(5)))
            #expect(await loop.step(&state, now: t.addingTimeInterval(5)) == .push)
            try await applied(township)
            #expect(try township.store.counts().records == 25)
            // Each record is counted where it entered the network: the village, not the township.
            #expect(try township.store.recordsEntered(at: "420102002201") == 25 && township.store.recordsEntered(at: "420102002000") == 0)
            #expect(try village.store.pendingOutbox().isEmpty)
            #expect(state.failures == 0 && state.lastSuccess == at(5))
            #expect(try township.store.knownNodes().nodes.first { $0.code == "420102002201" }?.health?.issuedAt == ChinaTime.milliseconds(t) + 5000)
            // Nothing pending again: the next heartbeat is an interval after the last push.
            #expect(await loop.step(&state, now: t.addingTimeInterval(6)) == .wait(until: at(3605)))
        }
    }

    @Test func aClientWithoutACertificateFailsTheHandshake() async throws {
        let net = try OfflineChain()
        let caCert = net.ca.certificate
        try await withSyncServer(net.township) { port in
            var tls = TLSConfiguration.makeClientConfiguration()
            tls.trustRoots = .certificates([try TLSConfigurations.nio(caCert)])
            var config = HTTPClient.Configuration(tlsConfiguration: tls)
            let name = NodeIdentity.hostName(for: try DivisionCode("420102002000"))
            config.dnsOverride = [name: "127.0.0.1"]
            var request = HTTPClientRequest(url: "https://\(name):\(port)/v1/status")
            request.method = .GET
            let failed = try await withHTTPClient(config) { client in
                do { _ = try await client.execute(request, timeout: .seconds(60)) } catch { return true }
                return false
            }
            #expect(failed, "a client without a certificate got an answer")
        }
    }

    @Test func aCertificateFromAnotherCAIsRefused() async throws {
        let net = try OfflineChain()
        try net.ingest(net.village, rows: 5, seed: 1)
        // The village presents a certificate from another network's CA, while trusting the real
        // one: only the server's check of the client certificate can refuse it.
        let other = try NetworkCA.create()
        let certDir = net.dir.url.appendingPathComponent("certs/other-village")
        try FileManager.default.createDirectory(at: certDir, withIntermediateDirectories: true)
        try other.issue(code: net.village.configuration.code).write(to: certDir, ca: net.ca.certificate)
        try await withSyncServer(net.township) { port in
            var config = try net.pointing(net.village, toPort: port).configuration
            config.identity = certDir.path
            let stranger = try NodeContext(configuration: config)
            await #expect(throws: SyncError.self) { try await SyncClient(node: stranger).push() }
        }
        #expect(try net.township.store.counts().changes == 0 && net.township.store.queued().sets == 0)
    }

    @Test func aRevokedVillageIsRefused() async throws {
        let net = try OfflineChain()
        try net.ingest(net.village, rows: 5, seed: 1)
        // The township holds a revocation list naming the village's certificate.
        let villageCert = try NodeIdentity.load(from: URL(fileURLWithPath: try #require(net.village.configuration.identity))).certificate
        _ = try net.ca.revoke(villageCert, reason: "test", in: URL(fileURLWithPath: try #require(net.township.configuration.identity)))
        try await withSyncServer(net.township) { port in
            let village = try net.pointing(net.village, toPort: port)
            do {
                _ = try await SyncClient(node: village).push()
                Issue.record("a revoked village was accepted")
            } catch let e as SyncError {
                #expect(e.code == .refused && e.message.contains("revoked"))
            }
        }
        #expect(try net.township.store.counts().changes == 0 && net.township.store.queued().sets == 0)
    }

    @Test func theClientAcceptsOnlyItsConfiguredParent() async throws {
        let net = try OfflineChain()
        try net.ingest(net.village, rows: 5, seed: 1)
        // The county answers at the address the village believes is its township.
        try await withSyncServer(net.county) { port in
            let village = try net.pointing(net.village, toPort: port)
            do {
                _ = try await SyncClient(node: village).push()
                Issue.record("the village talked to a server that is not its parent")
            } catch let e as SyncError {
                #expect(e.code == .unreachable)
            }
        }
        #expect(try net.county.store.counts().changes == 0 && net.county.store.queued().sets == 0)
    }
}
