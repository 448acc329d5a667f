/// When to push the backlog upward. Pure: it takes the time and what happened and returns the
/// next action; it never sleeps and never opens a socket, so the runtime and the simulator drive
/// the same rules (DESIGN.md, "Sans-I/O core").
///
/// Rules: push every `interval`; push at once when the backlog reaches `backlogThreshold`
/// changes; after a failed push wait `backoffBase · 2^(failures−1)`, at most `backoffMax`, but
/// never so long that the oldest pending change would pass `window` before the next attempt
/// (then retry at `retryFloor`); nothing pending, push every `heartbeat` (the push then carries
/// only health records), or nothing at all without one.
public struct UpwardSchedule: Sendable, Hashable {
    public struct Configuration: Sendable, Hashable {
        public var interval: Duration = .seconds(300)
        public var backlogThreshold = 10_000
        public var window: Duration = .seconds(Window.defaultHours * 3600)
        public var backoffBase: Duration = .seconds(5)
        public var backoffMax: Duration = .seconds(3600)
        /// The shortest wait between attempts, however urgent.
        public var retryFloor: Duration = .seconds(5)
        /// With nothing pending, a push this long after the last success (or the last attempt,
        /// backing off as above after failures): the node's health record goes up even when it
        /// has no changes. nil: no push without changes.
        public var heartbeat: Duration?

        public init() {}
    }

    /// What the runtime should do now.
    public enum Action: Sendable, Hashable {
        /// Nothing pending and no heartbeat: wake up when something is ingested or received.
        case idle
        /// Push now.
        case push
        /// Wait until this instant (seconds since an arbitrary epoch, as given to `next`).
        case wait(until: Duration)
    }

    public let configuration: Configuration
    public private(set) var lastAttempt: Duration?
    public private(set) var lastSuccess: Duration?
    public private(set) var failures = 0

    public init(configuration: Configuration = Configuration()) { self.configuration = configuration }

    /// The next action at `now`, given the pending changes and when the oldest of them reached this node.
    public func next(now: Duration, pending: Int, oldestPendingAt: Duration?) -> Action {
        let c = configuration
        guard pending > 0, let oldest = oldestPendingAt else {
            guard let heartbeat = c.heartbeat else { return .idle }
            var due = backoff() ?? (lastSuccess.map { $0 + heartbeat } ?? now)
            if let last = lastAttempt, due < last + c.retryFloor { due = last + c.retryFloor }
            return due <= now ? .push : .wait(until: due)
        }
        var due: Duration
        if let retry = backoff() {
            due = retry
        } else if pending >= c.backlogThreshold {
            due = now
        } else {
            due = (lastSuccess ?? oldest) + c.interval
        }
        // Leave room inside the window: never plan an attempt after the deadline of the oldest change.
        let deadline = oldest + c.window
        if due > deadline { due = max(deadline, (lastAttempt ?? now) + c.retryFloor) }
        if let last = lastAttempt, due < last + c.retryFloor { due = last + c.retryFloor }
        return due <= now ? .push : .wait(until: due)
    }

    /// After failures, when the next attempt is due: `backoffBase · 2^(failures−1)` after the
    /// last, at most `backoffMax`.
    private func backoff() -> Duration? {
        guard failures > 0, let last = lastAttempt else { return nil }
        var backoff = configuration.backoffBase
        for _ in 1..<failures where backoff < configuration.backoffMax { backoff = backoff * 2 }
        return last + min(backoff, configuration.backoffMax)
    }

    /// Whether a child asks where its parent stands (`/v1/sync/state`) once a push went through,
    /// to send again what the parent acknowledged and no longer holds: after a heartbeat, and
    /// after the first push that went through after failed ones (`afterFailures`: the parent may
    /// have been restored from a backup meanwhile, and a busy child sends no heartbeat).
    public static func asksWhereTheParentStands(heartbeat: Bool, afterFailures: Bool) -> Bool { heartbeat || afterFailures }

    /// Records a push attempt's outcome.
    public mutating func record(attemptAt now: Duration, succeeded: Bool) {
        lastAttempt = now
        if succeeded {
            lastSuccess = now
            failures = 0
        } else {
            failures += 1
        }
    }
}
