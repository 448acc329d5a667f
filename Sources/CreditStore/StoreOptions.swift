import GRDB
import Synchronization

/// How a store is opened. A running node keeps the defaults: every commit on disk before it
/// returns. The simulator opens its nodes' stores without waiting for the disk — its crashes are
/// failed transactions (`StoreFaults`), not lost power — so that a month of a network runs in
/// seconds on the production SQL.
public struct StoreOptions: Sendable {
    /// `PRAGMA synchronous = FULL` (true) or `OFF`.
    public var durable = true
    /// Commits to fail, for the simulator's crashes.
    public var faults: StoreFaults?
    /// The store in memory instead of the file (the simulator's nodes): the same schema, SQL and
    /// transactions, one connection, nothing written to disk.
    public var memory: MemoryDatabase?

    public init(durable: Bool = true, faults: StoreFaults? = nil, memory: MemoryDatabase? = nil) {
        self.durable = durable
        self.faults = faults
        self.memory = memory
    }
}

/// An in-memory SQLite database for one simulated node, kept across the node's restarts (as its
/// file would be). It starts as a copy of an empty store already migrated, made once per process:
/// migrating each of a province's thousands of nodes from nothing would be most of opening them.
public final class MemoryDatabase: Sendable {
    let queue: DatabaseQueue

    public init() throws {
        NodeStore.processSettings()
        queue = try DatabaseQueue(configuration: NodeStore.configuration(durable: false, pageSize: Self.pageSize))
        try Self.template().backup(to: queue)
    }

    private init(copying source: DatabaseQueue) throws {
        queue = try DatabaseQueue(configuration: NodeStore.configuration(durable: false, pageSize: Self.pageSize))
        try source.backup(to: queue)
    }

    /// A copy of the database as it stands (SQLite's online backup, as `credit-node backup`
    /// takes of a file): the simulator's daily backup of a node.
    public func copy() throws -> MemoryDatabase { try MemoryDatabase(copying: queue) }

    /// Pages of 1 KiB, not the file's 16: an empty store is about seventy tables, indexes and
    /// full-text shadow tables of a page or two each, and a simulated province holds thousands
    /// (4 KiB pages: 0.16 MiB more per node before the first record, for about 2 % less time over a
    /// month; PERFORMANCE.md, session 19).
    static let pageSize = 1024

    private static let migrated = Mutex<DatabaseQueue?>(nil)

    private static func template() throws -> DatabaseQueue {
        try migrated.withLock { kept in
            if let kept { return kept }
            let queue = try DatabaseQueue(configuration: NodeStore.configuration(durable: false, pageSize: pageSize))
            try NodeStore.migrate(queue)
            kept = queue
            return queue
        }
    }
}

/// Write transactions the simulator makes fail before their commit, so that a crash in the middle
/// of accepting or applying is the real store's transaction rolled back: `failCommit(after: n)`
/// lets `n` more commits through, fails the next one, then lets every later one through.
public final class StoreFaults: Sendable {
    private let countdown = Mutex<Int?>(nil)

    public init() {}

    /// Fails the commit after the next `n` (0: the very next one).
    public func failCommit(after n: Int) { countdown.withLock { $0 = n } }

    /// Lets every commit through again.
    public func clear() { countdown.withLock { $0 = nil } }

    /// Whether a failure is still planned.
    public var armed: Bool { countdown.withLock { $0 != nil } }

    /// Called by the store just before each commit: true when this one is to fail.
    func failsThisCommit() -> Bool {
        countdown.withLock { c in
            guard let n = c else { return false }
            if n == 0 {
                c = nil
                return true
            }
            c = n - 1
            return false
        }
    }
}
