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
        s.window = .seconds(c.effectiveWindowHours * 3600)
        s.backoffBase = .seconds(c.backoffBaseSeconds ?? 5)
        s.backoffMax = .seconds(c.backoffMaxSeconds ?? 3600)
        return s
    }

    /// What the schedule decides on: the changes not yet acknowledged by the parent and when the
    /// oldest of them reached this node (milliseconds since the epoch, as a Duration).
    /// The runtime and the simulator both ask this.
    public static func backlog(_ node: NodeContext) -> (pending: Int, oldestPendingAt: Duration?) {
        guard let b = try? node.store.upwardBacklog() else { return (0, nil) }
        return (b.pending, b.oldestAt.map { Duration.milliseconds($0) })
    }

    /// Runs until the task is cancelled.
    public func run() async {
        guard node.configuration.parent != nil else { return }
        var state = UpwardSchedule(configuration: schedule)
        let logger = node.logger
        while !Task.isCancelled {
            let clock = Date()
            let now = Duration.milliseconds(ChinaTime.milliseconds(clock))
            let (pending, oldest) = Self.backlog(node)
            switch state.next(now: now, pending: pending, oldestPendingAt: oldest) {
            case .idle:
                await node.arrivals.wait(for: .seconds(pollSeconds))
            case .wait(let until):
                await node.arrivals.wait(for: min(until - now, .seconds(pollSeconds)))
            case .push:
                do {
                    let report = try await SyncClient(node: node).push()
                    state.record(attemptAt: now, succeeded: true)
                    logger.info(
                        "pushed",
                        metadata: [
                            "parent": "\(report.parent)", "changeSets": "\(report.changeSets)", "bundles": "\(report.bundles)",
                            "acknowledged": "\(report.acknowledged)",
                        ])
                } catch {
                    state.record(attemptAt: now, succeeded: false)
                    logger.warning("push failed; retrying with backoff", metadata: ["reason": "\(error)", "failures": "\(state.failures)"])
                }
            }
        }
    }
}
