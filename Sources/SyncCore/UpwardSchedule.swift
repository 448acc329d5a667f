/// When to push the backlog upward. Pure: it takes the time and what happened and returns the
/// next action; it never sleeps and never opens a socket, so the runtime and the simulator drive
/// the same rules (DESIGN.md, "Sans-I/O core").
///
/// Rules: push every `interval`; push at once when the backlog reaches `backlogThreshold`
/// changes; after a failed push wait `backoffBase · 2^(failures−1)`, at most `backoffMax`, but
/// never so long that the oldest pending change would pass `window` before the next attempt
/// (then retry at `retryFloor`); nothing pending, nothing to do.
public struct UpwardSchedule: Sendable, Hashable {
    public struct Configuration: Sendable, Hashable {
        public var interval: Duration = .seconds(300)
        public var backlogThreshold = 10_000
        public var window: Duration = .seconds(Window.defaultHours * 3600)
        public var backoffBase: Duration = .seconds(5)
        public var backoffMax: Duration = .seconds(3600)
        /// The shortest wait between attempts, however urgent.
        public var retryFloor: Duration = .seconds(5)

        public init() {}
    }

    /// What the runtime should do now.
    public enum Action: Sendable, Hashable {
        /// Nothing pending: wake up when something is ingested or received.
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
        guard pending > 0, let oldest = oldestPendingAt else { return .idle }
        let c = configuration
        var due: Duration
        if failures > 0, let last = lastAttempt {
            var backoff = c.backoffBase
            for _ in 1..<failures where backoff < c.backoffMax { backoff = backoff * 2 }
            due = last + min(backoff, c.backoffMax)
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
