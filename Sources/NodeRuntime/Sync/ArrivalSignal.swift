import Foundation

/// Tells a node's push loop that change sets arrived from a child, so it need not sleep out its
/// poll: in a running node, a hop's latency is then the schedule's, not the poll's.
/// `@unchecked Sendable`: the counter is only touched under `lock`.
public final class ArrivalSignal: @unchecked Sendable {
    private let lock = NSLock()
    private var count = 0

    public init() {}

    public func signal() {
        lock.lock()
        count += 1
        lock.unlock()
    }

    public var generation: Int {
        lock.lock()
        defer { lock.unlock() }
        return count
    }

    /// Sleeps for `duration`, or less when a signal comes (checked every 50 ms).
    public func wait(for duration: Duration) async {
        let start = generation
        let clock = ContinuousClock()
        let deadline = clock.now.advanced(by: duration)
        while clock.now < deadline, generation == start, !Task.isCancelled {
            try? await Task.sleep(for: min(.milliseconds(50), deadline - clock.now))
        }
    }
}
