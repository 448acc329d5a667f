import Foundation
import NodePKI
import Synchronization

/// The node's identity (certificate and key) and trust (the network's CA and the newest
/// revocation list it has), loaded once and kept for every request. The identity is read when
/// first needed — commands that never sign work without one. The trust is read again only when a
/// revocation list changed: one received from the parent, or one an operator put into the
/// identity directory (each request looks at the two files' modification times, nothing more).
/// The simulator gives its nodes their credentials directly, with no files.
public final class NodeCredentials: Sendable {
    private enum Source {
        case files(NodeConfiguration)
        case given(NodeIdentity, TrustStore)
    }

    private struct Kept {
        var identity: NodeIdentity?
        var trust: TrustStore?
        /// The revocation lists' modification times when `trust` was read.
        var listsSeen: [Date?] = []
    }

    private let source: Source
    private let kept = Mutex(Kept())

    /// Read from the configuration's identity directory (and control directory) when first needed.
    public init(configuration: NodeConfiguration) { source = .files(configuration) }

    /// Given whole (the simulator's nodes).
    public init(identity: NodeIdentity, trust: TrustStore) { source = .given(identity, trust) }

    /// The node's certificate and key.
    public func identity() throws -> NodeIdentity {
        switch source {
        case .given(let identity, _): return identity
        case .files(let configuration):
            if let hit = kept.withLock({ $0.identity }) { return hit }
            let identity = try Export.identity(of: configuration)
            kept.withLock { $0.identity = identity }
            return identity
        }
    }

    /// The CA and revocation list in force.
    public func trust() throws -> TrustStore {
        switch source {
        case .given(_, let trust): return trust
        case .files(let configuration):
            let seen = Self.listTimes(configuration)
            if let hit = kept.withLock({ $0.listsSeen == seen ? $0.trust : nil }) { return hit }
            let trust = try Import.trust(configuration)
            kept.withLock {
                $0.trust = trust
                $0.listsSeen = seen
            }
            return trust
        }
    }

    /// The modification times of the two places a revocation list may be (nil: absent).
    private static func listTimes(_ configuration: NodeConfiguration) -> [Date?] {
        var paths = [URL(fileURLWithPath: configuration.controlDirectory).appendingPathComponent("revoked.json").path]
        if let dir = configuration.identity { paths.append(URL(fileURLWithPath: dir).appendingPathComponent("revoked.json").path) }
        return paths.map { path in
            var st = stat()
            guard stat(path, &st) == 0 else { return nil }
            return Date(timeIntervalSince1970: Double(st.st_mtim.tv_sec) + Double(st.st_mtim.tv_nsec) / 1e9)
        }
    }
}
