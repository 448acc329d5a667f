import CreditDomain
import CreditStore
import Foundation
import Logging
import SyncCore

/// Drives `UpwardSchedule` for a running node: asks it what to do, pushes when told to, records
/// the outcome, and sleeps until the next decision — at most `pollSeconds`, so new records and a
/// growing backlog are noticed, and less when change sets applied from children wake it
/// (`NodeContext.arrivals`).
public struct PushLoop: Sendable {
    public let node: NodeContext
    public var pollSeconds: Double = 2

    public init(node: NodeContext) { self.node = node }

    public var schedule: UpwardSchedule.Configuration {
        let c = node.configuration
        var s = UpwardSchedule.Configuration()
        s.interval = .seconds(c.pushIntervalSeconds ?? 300)
        s.backlogThreshold = c.backlogThreshold ?? 10_000
        s.window = .seconds(c.effectiveWindowSeconds)
        s.backoffBase = .seconds(c.backoffBaseSeconds ?? 5)
        s.backoffMax = .seconds(c.backoffMaxSeconds ?? 3600)
        s.heartbeat = .seconds(c.effectiveHeartbeatSeconds)
        return s
    }

    /// What the schedule decides on: the changes not yet acknowledged by the parent and when the
    /// oldest of them reached this node (milliseconds since the epoch, as a Duration).
    /// The runtime and the simulator both ask this.
    public static func backlog(_ node: NodeContext) -> (pending: Int, oldestPendingAt: Duration?) {
        guard let b = try? node.sync.upwardBacklog() else { return (0, nil) }
        return (b.pending, b.oldestAt.map { Duration.milliseconds($0) })
    }

    /// One decision of the schedule at `now`: the push is made when the schedule says so (and
    /// its outcome recorded in `state`); otherwise what to wait for. The loop below calls it with
    /// the wall clock; tests call it with the instants they choose.
    @discardableResult
    public func step(_ state: inout UpwardSchedule, now clock: Date) async -> UpwardSchedule.Action {
        let now = Duration.milliseconds(ChinaTime.milliseconds(clock))
        let (pending, oldest) = Self.backlog(node)
        let action = state.next(now: now, pending: pending, oldestPendingAt: oldest)
        guard case .push = action else { return action }
        do {
            let report = try await SyncClient(node: node).push(afterFailures: state.failures > 0, now: clock)
            state.record(attemptAt: now, succeeded: true)
            node.logger.info(
                "pushed",
                metadata: [
                    "parent": "\(report.parent)", "changeSets": "\(report.changeSets)", "bundles": "\(report.bundles)",
                    "acknowledged": "\(report.acknowledged)", "health": "\(report.health)",
                ])
        } catch {
            state.record(attemptAt: now, succeeded: false)
            node.logger.warning("push failed; retrying with backoff", metadata: ["reason": "\(error)", "failures": "\(state.failures)"])
        }
        return action
    }

    /// Runs until the task is cancelled: a step, then a wait until the schedule's next instant —
    /// at most `pollSeconds`, and less when change sets arrive (`NodeContext.arrivals`).
    public func run() async {
        guard node.configuration.parent != nil else { return }
        var state = UpwardSchedule(configuration: schedule)
        while !Task.isCancelled {
            let clock = node.clock()
            switch await step(&state, now: clock) {
            case .idle: await node.arrivals.wait(for: .seconds(pollSeconds))
            case .wait(let until): await node.arrivals.wait(for: min(until - .milliseconds(ChinaTime.milliseconds(clock)), .seconds(pollSeconds)))
            case .push: break
            }
        }
    }
}
