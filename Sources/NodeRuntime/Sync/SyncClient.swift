import AsyncHTTPClient
import ChangeSets
import CreditDomain
import Foundation
import NIOCore
import NodePKI
import SyncCore

/// Why a push failed.
public struct SyncError: Error, Hashable, Sendable, CustomStringConvertible {
    public enum Code: String, Sendable { case noParent = "no-parent", refused = "refused-by-parent", unreachable = "parent-unreachable" }
    public var code: Code
    public var message: String
    public var description: String { message }
}

/// What a push did.
public struct PushReport: Sendable, Codable {
    public var parent: String
    public var changeSets: Int
    public var bytes: Int
    public var acknowledged: Int
    /// Bundles sent, each answered by a signed receipt.
    public var bundles = 0
    /// Health records carried (this node's and its subtree's).
    public var health = 0
}

/// The upward sync client: the pending bundle to the parent over HTTPS with mutual TLS, the
/// parent's signed receipt back into the store.
public struct SyncClient: Sendable {
    public let node: NodeContext

    public init(node: NodeContext) { self.node = node }

    /// Changes per bundle pushed: a parent verifies and accepts a bundle in one go, so a large
    /// backlog goes up as a stream of bundles of about this size, each acknowledged before the
    /// next, instead of as one that holds everything in memory at both ends.
    public static let bundleChangesMax = 40_000

    /// Sends everything pending, in bundles of at most `bundleChanges` changes (or one set), over
    /// one connection; stops when nothing is pending or a receipt acknowledges nothing new (the
    /// parent holds the rest back until a gap closes). After a heartbeat, or after the first
    /// bundle when the pushes before failed (`afterFailures`), it asks where the parent stands
    /// (`UpwardSchedule.asksWhereTheParentStands`) and what the parent lost goes again.
    public func push(bundleChanges: Int = bundleChangesMax, afterFailures: Bool = false, now: Date = Date()) async throws -> PushReport {
        let configuration = node.configuration
        guard let parent = configuration.parent else {
            throw SyncError(code: .noParent, message: "this node has no parent in its configuration; nothing to push")
        }
        let export = Export(node: node)
        var total = PushReport(parent: parent.code.digits, changeSets: 0, bytes: 0, acknowledged: 0)
        var (report, bundle) = try export.pendingBundle(changesMax: bundleChanges, setBytes: ChangeSetLimits().setBytesMax, now: now)
        // Nothing pending still sends this node's health record (the heartbeat).
        guard !report.changeSets.isEmpty || report.health > 0 else { return total }
        try await Self.withParent(node, parent) { connection in
            var asking = afterFailures
            while true {
                let receipt = try await connection.exchange(path: "/v1/sync/up", upload: bundle, limit: 1 << 20, what: "the bundle")
                let ack = try Import(node: node).importReceipt(receipt, file: "receipt from \(parent.code)", now: now)
                total.bundles += 1
                total.changeSets += report.changeSets.count
                total.bytes += bundle.count
                total.acknowledged += ack.acknowledged ?? 0
                total.health += report.health
                let heartbeat = report.changeSets.isEmpty
                var reopened = 0
                if UpwardSchedule.asksWhereTheParentStands(heartbeat: heartbeat, afterFailures: asking) {
                    asking = false
                    // The parent says where it stands with this node's subtree, and what it
                    // acknowledged and lost (it rebuilt its store) goes again now. The push itself
                    // went through: a failing question is logged, not a failed push.
                    do {
                        let state = try await connection.exchange(path: "/v1/sync/state", limit: 64 << 20, what: "the question where it stands")
                        reopened = try Return.reopenWhatTheParentLost(node, standing: state)
                    } catch {
                        node.logger.warning("could not learn where the parent stands", metadata: ["parent": "\(parent.code)", "reason": "\(error)"])
                    }
                }
                if reopened == 0 && (heartbeat || (ack.acknowledged ?? 0) == 0) { break }
                (report, bundle) = try export.pendingBundle(changesMax: bundleChanges, setBytes: ChangeSetLimits().setBytesMax, now: now)
                guard !report.changeSets.isEmpty else { break }
            }
        }
        return total
    }

    /// One mutual-TLS connection to the parent for the duration of `body`, shut down either way.
    /// It connects under the parent's certificate name to the configured address: TLS hostname
    /// verification then accepts only the configured parent.
    static func withParent<T: Sendable>(
        _ node: NodeContext, _ parent: NodeConfiguration.Parent, _ body: (ParentConnection) async throws -> T
    ) async throws -> T {
        guard let url = URL(string: parent.url), let host = url.host, let port = url.port else {
            throw SyncError(code: .unreachable, message: "parent.url '\(parent.url)' is not https://host:port")
        }
        let name = NodeIdentity.hostName(for: parent.code)
        let identity = try node.credentials.identity()
        let trust = try node.credentials.trust()
        var clientConfiguration = HTTPClient.Configuration(tlsConfiguration: try TLSConfigurations.client(identity: identity, ca: trust.ca))
        clientConfiguration.dnsOverride = [name: host]
        let client = HTTPClient(eventLoopGroupProvider: .singleton, configuration: clientConfiguration)
        do {
            let result = try await body(ParentConnection(client: client, base: "https://\(name):\(port)", parent: parent))
            try await client.shutdown()
            return result
        } catch {
            try? await client.shutdown()
            throw error
        }
    }

    struct ParentConnection {
        let client: HTTPClient
        let base: String
        let parent: NodeConfiguration.Parent

        /// A GET (or a POST of `upload`) to the parent; the answer's bytes, at most `limit`. An
        /// unreachable parent and a refusal each become their `SyncError`.
        func exchange(path: String, upload: [UInt8]? = nil, limit: Int, what: String) async throws -> [UInt8] {
            var request = HTTPClientRequest(url: base + path)
            if let upload {
                request.method = .POST
                request.headers.add(name: "Content-Type", value: "application/octet-stream")
                request.body = .bytes(ByteBuffer(bytes: upload))
            }
            let response: HTTPClientResponse
            do { response = try await client.execute(request, timeout: .seconds(300)) } catch {
                throw SyncError(code: .unreachable, message: "cannot reach parent \(parent.code) at \(parent.url): \(error)")
            }
            let body = try await response.body.collect(upTo: limit)
            guard response.status == .ok else {
                throw SyncError(code: .refused, message: "parent \(parent.code) refused \(what) (\(response.status.code)): \(String(buffer: body))")
            }
            return Array(body.readableBytesView)
        }
    }

    /// Pulls what concerns this node from its parent, page by page from the stored cursor, each
    /// page verified and applied with its cursor in one transaction.
    public func pull(now: Date = Date()) async throws -> PullReport {
        let configuration = node.configuration
        guard let parent = configuration.parent else {
            throw SyncError(code: .noParent, message: "this node has no parent in its configuration; nothing to pull")
        }
        let downward = Downward(node: node)
        var report = PullReport(
            parent: parent.code.digits, pages: 0, applied: 0, duplicates: 0, bytes: 0, controls: [],
            cursor: try node.sync.downCursor(parent: parent.code))
        return try await Self.withParent(node, parent) { connection in
            while true {
                let digest = Downward.controlDigest(node)
                let bytes = try await connection.exchange(
                    path: "/v1/sync/down?after=\(report.cursor)&control=\(digest)", limit: 1 << 30, what: "the pull")
                let result = try downward.apply(bytes, now: now)
                report.pages += 1
                report.bytes += bytes.count
                report.applied += result.applied
                report.duplicates += result.duplicates
                report.controls += result.controls
                report.setAside += result.setAside
                report.cursor = max(report.cursor, result.bundle.next)
                guard result.bundle.more, result.bundle.next > result.bundle.after else { break }
            }
            return report
        }
    }
}
