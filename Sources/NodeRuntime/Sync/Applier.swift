import ChangeSets
import CreditDomain
import CreditStore
import Foundation
import Logging
import ServiceLifecycle
import SyncCore

/// Applies accepted change sets — the store's apply queue — to the change log and records, in
/// the order they were accepted, a slice of a set per transaction (`NodeStore.applySlice`). A parent acknowledges and forwards a
/// set as soon as it is verified and durably queued (`NodeStore.accept`); its own copy follows
/// here. In a running node this runs on a thread of its own, woken when a bundle was accepted;
/// a one-shot import drains the queue before it returns. Sets handed over at acceptance are used
/// as they were read (in a running node, up to `keptChangesMax` changes wait in memory); any other
/// set is read back from the store, whose bytes were verified when they were accepted.
/// `@unchecked Sendable`: its state is only touched under `condition`.
public final class Applier: @unchecked Sendable {
    static let keptChangesMax = 50_000

    private let condition = NSCondition()
    private var generation = 0
    private var kept: [SetKey: [Change]] = [:]
    private var keptChanges = 0
    private var runs = 0

    public init() {}

    /// Keeps sets just accepted, as verified, so they need not be read again: while at most
    /// `limit` changes wait in memory.
    func offer(_ sets: [ChangeSet.Verified], limit: Int = keptChangesMax) {
        condition.lock()
        defer { condition.unlock() }
        // A set verified without its changes (`readChanges: false`) is read again when applied.
        for v in sets where v.changes.count == v.changeSet.header.count && keptChanges + v.changes.count <= limit {
            guard kept.updateValue(v.changes, forKey: v.received.key) == nil else { continue }
            keptChanges += v.changes.count
        }
    }

    /// Which of these sets (their change counts, in order) `offer` would keep now: the changes of
    /// the others are not worth building when they are verified, since they are read again when
    /// applied. Decided as `offer` decides; a set offered after another bundle took the room is
    /// read again all the same.
    func room(forSetsOf counts: [Int], limit: Int = keptChangesMax) -> [Bool] {
        condition.lock()
        defer { condition.unlock() }
        var free = limit - keptChanges
        return counts.map { n in
            guard n <= free else { return false }
            free -= n
            return true
        }
    }

    fileprivate func take(_ key: SetKey) -> [Change]? {
        condition.lock()
        defer { condition.unlock() }
        guard let found = kept.removeValue(forKey: key) else { return nil }
        keptChanges -= found.count
        return found
    }

    private func forgetKept() {
        condition.lock()
        kept.removeAll()
        keptChanges = 0
        condition.unlock()
    }

    /// Wakes the running applier.
    public func signal() {
        condition.lock()
        generation += 1
        condition.broadcast()
        condition.unlock()
    }

    /// How this node applies what it accepted (`ApplyPolicy`: slices, priority, reading ahead).
    static func policy(_ configuration: NodeConfiguration) -> ApplyPolicy { ApplyPolicy(hasParent: configuration.parent != nil) }

    /// Applies every queued set, as the node's `ApplyPolicy` says; returns how many sets and changes.
    /// Reading ahead, the next set is read (decoded, checked, its dates computed) on another
    /// thread while this one writes the current set.
    @discardableResult
    public func drain(_ node: NodeContext, while continuing: () -> Bool = { true }) throws -> (sets: Int, changes: Int) {
        let policy = Self.policy(node.configuration)
        let reading = SetReader(applier: self, dates: RecordDatesReader(kinds: node.resolvedKinds, calendar: node.calendar))
        var changes = 0
        let sets = try node.sync.applyAllQueued(slice: policy.slice, while: continuing) { entry, encoded in
            let set = try reading.read(entry, encoded)
            if policy.readAhead, let following = try node.sync.nextQueued(after: entry.id) { reading.readAhead(following.entry, following.encoded) }
            changes += entry.count - entry.applied
            return set
        }
        // Nothing queued is left: whatever is still kept was applied elsewhere (another process).
        if continuing() { forgetKept() }
        return (sets, changes)
    }

    /// Turns a queued set into what the store applies: the changes kept at acceptance or read
    /// again from its bytes, with their dates. Reads on a serial queue of its own, at most one
    /// set ahead of the writer. `@unchecked Sendable`: its state is only touched on `queue`.
    final class SetReader: @unchecked Sendable {
        private let queue = DispatchQueue(label: "creditnet.applier.read")
        private let applier: Applier
        private var dates: RecordDatesReader
        private var ahead: (id: Int64, result: Result<Read, any Error>)?

        typealias Read = (changes: [Change], dates: [RecordDates])

        init(applier: Applier, dates: RecordDatesReader) {
            self.applier = applier
            self.dates = dates
        }

        /// The set, read ahead or now.
        func read(_ entry: QueueEntry, _ encoded: [UInt8]) throws -> Read {
            try queue.sync {
                defer { ahead = nil }
                if let ahead, ahead.id == entry.id { return try ahead.result.get() }
                return try make(entry, encoded)
            }
        }

        /// Starts reading a set while the caller writes the set before it.
        func readAhead(_ entry: QueueEntry, _ encoded: [UInt8]) {
            queue.async { self.ahead = (entry.id, Result { try self.make(entry, encoded) }) }
        }

        private func make(_ entry: QueueEntry, _ encoded: [UInt8]) throws -> Read {
            let changes = try applier.take(entry.key) ?? ChangeSet.decode(encoded).contents()
            return (changes, changes.map { dates.dates($0) })
        }
    }

    /// Starts the applier on a thread of its own, until `stop`: it drains the queue (at start
    /// too: what was accepted before a restart), then sleeps until signalled or `pollSeconds`
    /// passed. `nice` lowers the thread's scheduling priority (Linux: per thread) — a node with a
    /// parent forwards first and applies its own copy with the CPU left. A failed apply is logged
    /// and retried after `retrySeconds`; the set stays queued.
    public func start(_ node: NodeContext, nice: Int32, pollSeconds: Double = 2, retrySeconds: Double = 5) {
        condition.lock()
        runs += 1
        let run = runs
        condition.unlock()
        let thread = Thread { [self] in
            if nice != 0 { _ = setpriority(__priority_which_t(PRIO_PROCESS.rawValue), 0, nice) }
            loop(node, run: run, pollSeconds: pollSeconds, retrySeconds: retrySeconds)
        }
        thread.stackSize = 1 << 22
        thread.start()
    }

    /// Stops the running applier after the slice it is applying (that slice's transaction commits
    /// or is not begun; the next start resumes after it).
    public func stop() {
        condition.lock()
        runs += 1
        condition.broadcast()
        condition.unlock()
    }

    private func current(_ run: Int) -> Bool {
        condition.lock()
        defer { condition.unlock() }
        return runs == run
    }

    private func loop(_ node: NodeContext, run: Int, pollSeconds: Double, retrySeconds: Double) {
        let logger = node.logger
        while current(run) {
            condition.lock()
            let seen = generation
            condition.unlock()
            var wait = pollSeconds
            do {
                let started = Date()
                let done = try drain(node) { self.current(run) }
                if done.sets > 0 {
                    logger.info(
                        "change sets applied",
                        metadata: [
                            "sets": "\(done.sets)", "changes": "\(done.changes)",
                            "seconds": "\(String(format: "%.1f", -started.timeIntervalSinceNow))",
                        ])
                }
            } catch {
                logger.error(
                    "applying accepted change sets failed; they stay queued and are retried",
                    metadata: ["reason": "\(error)", "retryInSeconds": "\(retrySeconds)"])
                wait = retrySeconds
            }
            condition.lock()
            let until = Date(timeIntervalSinceNow: wait)
            while generation == seen, runs == run, condition.wait(until: until) {}
            condition.unlock()
        }
    }
}

/// The applier as a service of the running node: started with the listener, stopped with it.
public struct ApplierService: Service {
    public let node: NodeContext

    public init(node: NodeContext) { self.node = node }

    public func run() async throws {
        node.applier.start(node, nice: Applier.policy(node.configuration).nice)
        try? await gracefulShutdown()
        node.applier.stop()
    }
}

extension ChangeSet.Verified {
    var received: ReceivedSet { changeSet.received }
}
