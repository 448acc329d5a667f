import CreditDomain
import Logging
import CreditStore
import Foundation
import NodePKI
import NodeRuntime
import SyncCore

/// One node inside the simulator: the production node — a `NodeContext` over its own SQLite
/// store, driven through the same `Import`, `Export`, `Downward`, `Applier`, `FileIngestion` and
/// `StatusDesk` that `serve` drives — and what only the simulator keeps about it: its clock's
/// skew, whether it is down, its push schedule and the attempts in flight, and when each change
/// reached it (for the report's latencies; the node itself never reads that).
final class SimNode {
    let index: Int
    let code: DivisionCode
    let name: String
    let parent: Int?
    var children: [Int] = []
    let configuration: NodeConfiguration
    let credentials: NodeCredentials
    /// Commits the simulator fails to crash the node mid-apply.
    let faults: StoreFaults
    /// The node's store: SQLite in memory, kept across its restarts as its file would be (and
    /// replaced by an empty one when its disk is lost).
    private(set) var database: MemoryDatabase
    /// The production node; opened again (a restart) after a crash.
    private(set) var node: NodeContext
    /// The window of the hop from this node to its parent, in milliseconds.
    let window: Int64
    /// The region (DOMAIN.md §5) this node reports under: its city, or a county-level unit under the province.
    var region: Int = 0
    /// Its clock's offset from true time (clock-skew fault), in milliseconds.
    var skew: Int64 = 0

    var down = false
    /// A recovery under way after the disk was lost (the node is down until it ends).
    var recovery: SimRecovery?
    /// At the top after a lost disk: what its offices are to enter again, as the lost store held it.
    var toEnterAgain: (changes: [Change], store: NodeContext)?
    var schedule: UpwardSchedule
    /// The push and the pull waiting for their answer, if any (one of each at a time, as in `serve`).
    var pushAttempt: Int?
    var pullAttempt: Int?
    /// Whether the push waiting for its receipt is a heartbeat (no change sets), and the
    /// question where the parent stands that follows one.
    var heartbeating = false
    var standingAttempt: Int?
    /// When the next push timer fires, if one is set.
    var pushTimerAt: Int64?
    /// This node's pull ticks are `pullPhase + k · interval`; the next one it is woken at.
    var pullPhase: Int64 = 0
    var pullAt: Int64?
    var backlogPeak = 0
    var backlogPeakAt: Int64 = 0
    /// Rows waiting while the node was down (entered when it is back).
    var deferredRows = 0
    /// When changes reached this node, in true time, per origin: `(upTo, at)` marks in seq order —
    /// every seq up to `upTo` not covered by an earlier mark arrived at `at` (its own ingest, or
    /// accepted from a child: an origin's chain arrives in order).
    var marks: [String: [(upTo: Int64, at: Int64)]] = [:]
    /// Changes that came down from the parent (sparse, any order), by (origin, seq).
    var pulled: [ChangeID: Int64] = [:]

    struct ChangeID: Hashable {
        var origin: String
        var seq: Int64
    }

    init(index: Int, parent: Int?, configuration: NodeConfiguration, credentials: NodeCredentials, window: Int64) throws {
        self.index = index
        self.code = configuration.code
        self.name = configuration.name ?? configuration.code.digits
        self.parent = parent
        self.configuration = configuration
        self.credentials = credentials
        self.window = window
        let faults = StoreFaults()
        self.faults = faults
        let database = try MemoryDatabase()
        self.database = database
        let node = try Self.open(configuration, credentials, faults, database)
        self.node = node
        // The runtime's schedule from the same configuration (`PushLoop`).
        schedule = UpwardSchedule(configuration: PushLoop(node: node).schedule)
    }

    static func open(_ configuration: NodeConfiguration, _ credentials: NodeCredentials, _ faults: StoreFaults, _ database: MemoryDatabase) throws
        -> NodeContext
    {
        try NodeContext(
            configuration: configuration, credentials: credentials, storeOptions: StoreOptions(durable: false, faults: faults, memory: database),
            logger: SimNode.quiet)
    }

    /// The node's log goes nowhere: a month of a network would write millions of lines.
    static let quiet = Logger(label: "creditnet.simulated") { _ in SwiftLogNoOpLogHandler() }

    /// A restart after a crash: the store opened again (what was committed is there, nothing
    /// else), a fresh schedule, and the apply queue drained as `serve` does when it starts.
    func restart() throws {
        faults.clear()
        node = try Self.open(configuration, credentials, faults, database)
        schedule = UpwardSchedule(configuration: schedule.configuration)
        try node.applier.drain(node)
    }

    /// The newest daily backup (`restore=` faults), as `credit-node backup` takes it.
    private(set) var backup: MemoryDatabase?

    func takeBackup() throws { backup = try database.copy() }

    /// The disk is lost: the node opens a new store — a copy of its newest backup when
    /// `restoring` and there is one, else an empty one. The lost one is returned, for the
    /// simulator's account of what the loss cost (the node never reads it again).
    func loseStore(restoring: Bool) throws -> NodeContext {
        faults.clear()
        let lost = node
        database = try restoring ? backup?.copy() ?? MemoryDatabase() : MemoryDatabase()
        node = try Self.open(configuration, credentials, faults, database)
        schedule = UpwardSchedule(configuration: schedule.configuration)
        return lost
    }

    /// The node's own changes after `seq` are gone for good (lost with a disk, and its chain
    /// goes on from `seq` with new changes): their arrival marks are forgotten.
    func forgetOwnMarks(after seq: Int64) {
        let own = code.digits
        guard var list = marks[own] else { return }
        while let last = list.last, last.upTo > seq {
            list.removeLast()
            if list.last.map({ $0.upTo < seq }) ?? (seq > 0) { list.append((seq, last.at)) }
        }
        marks[own] = list
    }

    /// Notes that `origin`'s changes up to `upTo` reached this node at `at` (those already noted keep their time).
    func mark(_ origin: String, upTo: Int64, at: Int64) {
        if let last = marks[origin]?.last, last.upTo >= upTo { return }
        marks[origin, default: []].append((upTo, at))
    }

    /// How far `origin`'s changes have reached this node (marked by `mark`), lost ones included.
    func marked(_ origin: String) -> Int64 { marks[origin]?.last?.upTo ?? 0 }

    /// When the change reached this node, if it did.
    func arrival(_ origin: String, _ seq: Int64) -> Int64? {
        if let list = marks[origin], let last = list.last, last.upTo >= seq {
            var lo = 0
            var hi = list.count - 1
            while lo < hi {
                let mid = (lo + hi) / 2
                if list[mid].upTo >= seq { hi = mid } else { lo = mid + 1 }
            }
            return list[lo].at
        }
        return pulled[ChangeID(origin: origin, seq: seq)]
    }

    /// The seqs `(from, to]` of `origin`, split by the time they reached this node: `(count, at)`.
    func spans(_ origin: String, after from: Int64, through to: Int64) -> [(count: Int, at: Int64)] {
        var out: [(count: Int, at: Int64)] = []
        var lower = from
        for m in marks[origin] ?? [] where m.upTo > lower {
            let upper = min(m.upTo, to)
            out.append((Int(upper - lower), m.at))
            lower = upper
            if lower >= to { break }
        }
        return out
    }
}
