import CSQLiteSettings
import CreditDomain
import SyncCore
import Foundation
import GRDB
import Logging

/// One node's SQLite store. Each public method is one transaction that keeps the store's
/// invariants. Commits are durable before they return (WAL with `synchronous=FULL`).
public final class NodeStore: Sendable {
    /// The node this store belongs to; opening it for another node is refused.
    public let node: DivisionCode
    public let path: String
    /// Where this node's changes go down: its children and the network-wide kinds.
    public let routes: Routes
    /// A pool of connections to the file (WAL: readers never wait for the writer), or the
    /// simulator's in-memory database (`StoreOptions.memory`).
    let pool: any DatabaseWriter
    let logger: Logger
    /// Commits the simulator makes fail (`StoreOptions.faults`); nil in a running node.
    let faults: StoreFaults?

    /// Opens (creating if needed) the store at `path` for `node`.
    public init(
        path: String, node: DivisionCode, routes: Routes = Routes(), options: StoreOptions = StoreOptions(),
        logger: Logger = Logger(label: "creditnet.store")
    ) throws {
        Self.processSettings()
        faults = options.faults
        do {
            if let memory = options.memory {
                pool = memory.queue
            } else {
                pool = try Self.openPool(path: path, configuration: Self.configuration(durable: options.durable))
            }
            try Self.migrate(pool)
        } catch {
            throw StoreError(code: .open, message: "cannot open the store \(path): \(error)")
        }
        self.node = node
        self.routes = routes
        self.path = path
        self.logger = logger
        // Written first, so that of two processes opening a new store at once one writes the
        // code and the other reads it.
        let stored: String? = try write { db in
            try db.cachedStatement(sql: "INSERT OR IGNORE INTO node (id, code, created_at) VALUES (1, ?, ?)").execute(arguments: [
                node.digits, ChinaTime.milliseconds(Date()),
            ])
            return try String.fetchOne(db.cachedStatement(sql: "SELECT code FROM node WHERE id = 1"))
        }
        if let stored, stored != node.digits {
            throw StoreError(
                code: .wrongNode, message: "the store \(path) belongs to node \(stored), not \(node.digits); check the configuration's data directory"
            )
        }
    }

    /// How every connection to a store is set up.
    static func configuration(durable: Bool, pageSize: Int = 16384) -> Configuration {
        let synchronous = durable ? "FULL" : "OFF"
        var config = Configuration()
        config.foreignKeysEnabled = true
        config.busyMode = .timeout(10)
        config.prepareDatabase { db in
            // What the trigger of migration v11 stores beside every change.
            db.add(function: ChangeDigest.function)
            // Records with their change-log entries are about 1 KiB; 16 KiB pages hold more of
            // them per page and split less often. Takes effect when the file is created.
            try db.execute(sql: "PRAGMA page_size = \(pageSize)")
            // Durability: a commit returns only after the WAL is on disk (a simulated node, whose
            // crashes are failed transactions, skips the wait).
            try db.execute(sql: "PRAGMA synchronous = \(synchronous)")
            // The writer keeps 256 MiB of pages (the records and their indexes, written in random
            // key order); a reader mostly streams change sets' bytes once, for which a cache of
            // its own that size only grows the process: 16 MiB.
            try db.execute(sql: db.configuration.readonly ? "PRAGMA cache_size = -16384" : "PRAGMA cache_size = -262144")
            // Statement journals (for statements with triggers and foreign keys) stay in memory.
            try db.execute(sql: "PRAGMA temp_store = MEMORY")
        }
        return config
    }

    /// A read: on a reader connection of the pool (WAL: a snapshot that never waits for the
    /// writer). The simulator's in-memory store is one connection that nothing else writes to
    /// between a read's statements, so its reads run in line: GRDB's read-only guard on a single
    /// connection (`PRAGMA query_only` set and reset around each read) would expire every prepared
    /// statement of the connection each time, and every cached statement would be compiled again —
    /// a fifth of a simulated tenth of Hubei.
    func read<T>(_ block: (Database) throws -> T) throws -> T {
        if let single = pool as? DatabaseQueue { return try single.unsafeRead(block) }
        return try pool.read(block)
    }

    /// One write transaction (`DatabasePool.write`), failed before its commit — everything in it
    /// rolled back — when the simulator's fault plan says so (`StoreFaults`).
    func write<T>(_ updates: (Database) throws -> T) throws -> T {
        try pool.write { db in
            let result = try updates(db)
            if let faults, faults.failsThisCommit() {
                throw StoreError(code: .commitFailed, message: "the commit failed (a crash injected by the simulator)")
            }
            return result
        }
    }

    /// Opens the pool. Switching a new file to WAL needs the file to itself, which SQLite does
    /// not wait for: when another process is opening the same new store, it tries again for up
    /// to ten seconds (the busy timeout of every other statement).
    static func openPool(path: String, configuration: Configuration) throws -> DatabasePool {
        let deadline = Date().addingTimeInterval(10)
        while true {
            do {
                return try DatabasePool(path: path, configuration: configuration)
            } catch let error as DatabaseError where error.resultCode == .SQLITE_BUSY && Date() < deadline {
                Thread.sleep(forTimeInterval: 0.01)
            }
        }
    }

    /// Brings the schema up to date. Each migration is a transaction of its own, so when two
    /// processes open a new store at once (`credit-node up` starting a node while `status` reads
    /// it) the slower one can find a step it was about to run done by the other: that step fails
    /// and rolls back, and it goes on from what is applied now. A step that fails while nobody
    /// else moved the schema on is an error.
    static func migrate(_ pool: any DatabaseWriter) throws {
        let migrator = Migrations.migrator
        while true {
            let before = try pool.read { try migrator.appliedIdentifiers($0) }
            do {
                return try migrator.migrate(pool)
            } catch {
                let now = try pool.read { try migrator.appliedIdentifiers($0) }
                guard now.isStrictSuperset(of: before) else { throw error }
            }
        }
    }

    /// SQLite's process-wide settings, applied once before the process's first connection: no
    /// allocation statistics (SQLite otherwise counts every allocation behind one global mutex —
    /// about 5 % of applying received changes went to that lock). Anything else in the process
    /// that opens SQLite (the plain-table benchmark) calls this first, so both run alike.
    public static func processSettings() { _ = sqliteSettings }

    private static let sqliteSettings: Int32 = creditnet_sqlite_without_memory_statistics()

    /// The value of a pragma, for checks and diagnostics.
    public func pragma(_ name: String) throws -> String? {
        try read { db in try String.fetchOne(db, sql: "PRAGMA \(name)") }
    }

    /// Totals for status displays and metrics scrapes, without reading every row: records and
    /// changes are never deleted and numbered 1, 2, 3 … (migration v6), so each table's length is
    /// its largest id, read from the end of its b-tree; late records have an index of their own.
    public func counts() throws -> StoreCounts {
        try read { db in
            StoreCounts(
                records: try Int.fetchOne(db.cachedStatement(sql: "SELECT COALESCE(MAX(id), 0) FROM records")) ?? 0,
                changes: try Int.fetchOne(db.cachedStatement(sql: "SELECT COALESCE(MAX(id), 0) FROM changes")) ?? 0,
                quarantined: try Int.fetchOne(db.cachedStatement(sql: "SELECT count(*) FROM quarantine")) ?? 0,
                late: try Int.fetchOne(db.cachedStatement(sql: "SELECT count(*) FROM records WHERE late = 1")) ?? 0,
                provisionalDeadlines: try Int.fetchOne(db.cachedStatement(sql: "SELECT count(*) FROM provisional_deadlines")) ?? 0)
        }
    }

    /// When each of `origins` last entered a change of its own (its newest change's hybrid clock,
    /// in milliseconds since 1970), as this store holds them; an origin with none is left out.
    /// Two index lookups per origin (`(origin, seq)`), whatever the log's size.
    public func newestOwnEntry(origins: [String]) throws -> [String: Int64] {
        try read { db in
            let statement = try db.cachedStatement(sql: "SELECT hlc FROM changes WHERE origin = ? ORDER BY seq DESC LIMIT 1")
            var out: [String: Int64] = [:]
            for origin in Set(origins) {
                if let hlc = try Int64.fetchOne(statement, arguments: [origin]) { out[origin] = HLCStamp(rawValue: hlc).milliseconds }
            }
            return out
        }
    }

    /// Highest seq per origin in the change log. The origins are visited by skipping along the
    /// `(origin, seq)` index, two lookups each: `GROUP BY origin` would read every entry of the
    /// index — the whole log, at the province hundreds of millions of rows.
    public func highestSeq() throws -> [String: Int64] {
        try read { db in
            var out: [String: Int64] = [:]
            let sql = """
                WITH RECURSIVE o(origin) AS (
                    SELECT MIN(origin) FROM changes
                    UNION ALL
                    SELECT (SELECT MIN(origin) FROM changes WHERE origin > o.origin) FROM o WHERE o.origin IS NOT NULL)
                SELECT origin, (SELECT MAX(seq) FROM changes c WHERE c.origin = o.origin) AS seq FROM o WHERE origin IS NOT NULL
                """
            for row in try Row.fetchAll(db, sql: sql) {
                out[row["origin"]] = row["seq"]
            }
            return out
        }
    }
}

/// Totals held by a store.
public struct StoreCounts: Sendable, Hashable, Codable {
    public var records: Int
    public var changes: Int
    public var quarantined: Int
    public var late: Int
    /// Records whose publication deadline (and so `late`) is provisional: it counts days of a
    /// year without an official working-day schedule, and is settled when the schedule arrives.
    public var provisionalDeadlines: Int

    public init(records: Int, changes: Int, quarantined: Int, late: Int, provisionalDeadlines: Int = 0) {
        self.records = records
        self.changes = changes
        self.quarantined = quarantined
        self.late = late
        self.provisionalDeadlines = provisionalDeadlines
    }
}
