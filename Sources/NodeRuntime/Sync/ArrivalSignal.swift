import Foundation
import Synchronization

/// Tells a node's push loop that change sets arrived from a child, so it need not sleep out its
/// poll: in a running node, a hop's latency is then the schedule's, not the poll's. A wait ends at
/// its deadline or at the next signal, whichever comes first — a continuation resumed by the
/// signal, nothing polled.
public final class ArrivalSignal: Sendable {
    private struct State {
        var count = 0
        var waiters: [UInt64: CheckedContinuation<Void, Never>] = [:]
        var nextWaiter: UInt64 = 0
    }

    private let state = Mutex(State())

    public init() {}

    /// Wakes every wait in progress.
    public func signal() {
        let waiting = state.withLock { s in
            s.count += 1
            defer { s.waiters.removeAll() }
            return Array(s.waiters.values)
        }
        for w in waiting { w.resume() }
    }

    /// How many signals were given.
    public var generation: Int { state.withLock { $0.count } }

    /// Sleeps for `duration`, or less when a signal comes.
    public func wait(for duration: Duration) async {
        let start = generation
        await withTaskGroup(of: Void.self) { group in
            group.addTask { try? await Task.sleep(for: duration) }
            group.addTask { await self.signalled(after: start) }
            await group.next()
            group.cancelAll()
        }
    }

    /// Returns once the generation moved past `start`, or when cancelled.
    private func signalled(after start: Int) async {
        let id = state.withLock { s in
            s.nextWaiter += 1
            return s.nextWaiter
        }
        await withTaskCancellationHandler {
            await withCheckedContinuation { (c: CheckedContinuation<Void, Never>) in
                // Checked and registered under the lock: a signal or a cancellation either came
                // before (resume now) or will find the continuation.
                let now = state.withLock { s -> Bool in
                    if s.count != start || Task.isCancelled { return true }
                    s.waiters[id] = c
                    return false
                }
                if now { c.resume() }
            }
        } onCancel: {
            state.withLock { $0.waiters.removeValue(forKey: id) }?.resume()
        }
    }
}
