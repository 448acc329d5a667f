import ChangeSets
import CreditDomain
import CreditStore
import Foundation
import NodePKI
import SyncCore

/// What `export` wrote.
public struct ExportReport: Sendable, Codable {
    public var file: String
    public var bytes: Int
    public var sealed: Int
    public var changeSets: [Entry]
    /// Health records carried: this node's own and those of its subtree not yet acknowledged.
    public var health: Int = 0
    public struct Entry: Sendable, Codable {
        public var origin: String
        public var firstSeq: Int64
        public var lastSeq: Int64
    }
}

/// Offline transport upward: seals the node's new changes into signed change sets in the
/// outbox, then writes every change set not yet acknowledged as one signed bundle file — the
/// same bytes a sync request carries.
public struct Export: Sendable {
    public let node: NodeContext

    public init(node: NodeContext) { self.node = node }

    /// The configuration's `identity` directory, or an error saying how to get one.
    static func identityDirectory(of configuration: NodeConfiguration) throws(ConfigurationError) -> URL {
        guard let dir = configuration.identity else {
            throw ConfigurationError(
                code: .invalid,
                message:
                    "the configuration has no 'identity' (the directory with node.pem and node.key); issue one with `credit-node pki issue` and add `identity: DIR`"
            )
        }
        return URL(fileURLWithPath: dir)
    }

    /// The node's certificate and key, from the configuration's `identity` directory.
    public static func identity(of configuration: NodeConfiguration) throws -> NodeIdentity {
        let dir = try identityDirectory(of: configuration)
        let identity = try NodeIdentity.load(from: dir)
        guard identity.code == configuration.code else {
            throw ConfigurationError(
                code: .invalid, message: "the certificate in \(dir.path) belongs to node \(identity.code), not \(configuration.code)")
        }
        return identity
    }

    public func export(to path: String, now: Date = Date()) throws -> ExportReport {
        var (report, bundle) = try pendingBundle(now: now)
        try Self.writeDurably(bundle, to: path)
        report.file = path
        return report
    }

    /// Seals this node's new changes into signed change sets in the outbox; returns how many.
    /// At the top of the network they serve only the proofs that go down with its changes.
    @discardableResult
    public func seal(identity: NodeIdentity, now: Date = Date()) throws -> Int {
        try node.sync.sealOutbox(origin: node.configuration.code.digits, changesPerSet: 10_000, now: now) { lastHash, changes in
            let set = try ChangeSet.build(changes: changes, previousHash: lastHash, identity: identity, now: now)
            return [(set.header.firstSeq, set.header.lastSeq, set.hash, lastHash, set.encoded)]
        }
    }

    /// Seals new changes and returns the signed bundle of the unacknowledged change sets, oldest
    /// first, as many as fit in `changesMax` changes and `setBytes` bytes together (at least
    /// one). A push passes `ChangeSetLimits.setBytesMax`, so that its bundle never exceeds
    /// `pushBytesMax`, the most the parent's listener reads; a file carries everything pending.
    /// With them go this node's health record, signed now, and its subtree's not yet
    /// acknowledged (`HealthRules.perBundleMax` at most, in the bytes the sets leave of
    /// `setBytes`), noted for the bundle's receipt.
    public func pendingBundle(changesMax: Int = .max, setBytes: Int = .max, now: Date = Date()) throws -> (ExportReport, [UInt8]) {
        let identity = try node.credentials.identity()
        let sealed = try seal(identity: identity, now: now)
        let pending = try node.sync.pendingOutbox(changesMax: changesMax, bytesMax: setBytes)
        let sets = try pending.map { try ChangeSet.decode($0.encoded) }
        var health: [OutgoingHealth] = []
        if node.configuration.parent != nil {
            _ = try node.sync.keepHealth([try Self.ownHealth(node, identity: identity, now: now)], now: now)
            // Within what the change sets leave of the byte bound, so that a push never exceeds
            // what the parent reads; what does not fit goes with the next push.
            var room = setBytes == .max ? Int.max : setBytes - pending.reduce(0) { $0 + $1.encoded.count }
            for entry in try node.sync.healthToForward(first: node.configuration.code.digits, limit: HealthRules.perBundleMax) {
                guard entry.encoded.count + 4 <= room else { break }
                room -= entry.encoded.count + 4
                health.append(entry)
            }
        }
        let bundle = try ChangeBundle.sign(sets, healthRecords: health.map(\.encoded), identity: identity, now: now)
        try node.sync.healthSent(in: bundle.hash, health.map { ($0.code, $0.issuedAt) })
        var report = ExportReport(
            file: "", bytes: bundle.encoded.count, sealed: sealed,
            changeSets: pending.map { .init(origin: $0.origin, firstSeq: $0.firstSeq, lastSeq: $0.lastSeq) })
        report.health = health.count
        return (report, bundle.encoded)
    }

    /// This node's own health record at `now`, signed: who it is, its window, backlog and counts.
    public static func ownHealth(_ node: NodeContext, identity: NodeIdentity, now: Date) throws -> HealthEntry {
        let health = try ownHealthContent(node, now: now)
        let record = try HealthRecord.build(health, identity: identity)
        return HealthEntry(health: health, encoded: record.encoded)
    }

    /// What this node's health record says at `now`.
    public static func ownHealthContent(_ node: NodeContext, now: Date) throws -> NodeHealth {
        let c = node.configuration
        // The top has no parent: nothing of its own waits to go up.
        let backlog = c.parent == nil ? UpwardBacklog(pending: 0, oldestAt: nil) : try node.sync.upwardBacklog()
        let counts = try node.store.counts()
        return NodeHealth(
            code: c.code.digits, name: c.name ?? "", parent: c.parent?.code.digits ?? "", children: c.children.map(\.digits),
            issuedAt: ChinaTime.milliseconds(now), windowSeconds: Int64(c.effectiveWindowSeconds), backlog: Int64(backlog.pending),
            oldestPendingAt: backlog.oldestAt ?? 0, records: Int64(counts.records), quarantined: Int64(counts.quarantined),
            software: Software.version, catalogue: node.catalogue.version)
    }

    /// Temp file, fsync, rename, fsync of the directory: the file is either whole or absent.
    public static func writeDurably(_ bytes: [UInt8], to path: String) throws {
        let url = URL(fileURLWithPath: path)
        let temp = url.deletingLastPathComponent().appendingPathComponent(".\(url.lastPathComponent).tmp-\(getpid())")
        let fd = open(temp.path, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        guard fd >= 0 else { throw WriteError(message: "cannot create \(temp.path): \(String(cString: strerror(errno)))") }
        var ok = bytes.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) } == bytes.count
        ok = ok && fsync(fd) == 0
        close(fd)
        guard ok, rename(temp.path, url.path) == 0 else {
            unlink(temp.path)
            throw WriteError(message: "cannot write \(path): \(String(cString: strerror(errno)))")
        }
        let dir = open(url.deletingLastPathComponent().path, O_RDONLY)
        if dir >= 0 {
            fsync(dir)
            close(dir)
        }
    }
}

/// A file could not be written (disk full, no permission): nothing was replaced.
public struct WriteError: Error, Hashable, Sendable, CustomStringConvertible {
    public var message: String
    public var description: String { message }
}
