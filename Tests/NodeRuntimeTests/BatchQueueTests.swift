import Foundation
import Synchronization
import Testing

@testable import NodeRuntime

@Suite("Batch queue")
struct BatchQueueTests {
    @Test func deliversEverythingInOrderThenNil() {
        let queue = BatchQueue<Int>(capacity: 2)
        let producer = Thread {
            for i in 0..<1000 { _ = queue.push(i) }
            queue.finish()
        }
        producer.start()
        var got: [Int] = []
        while let i = queue.pop() { got.append(i) }
        #expect(got == Array(0..<1000))
        #expect(queue.pop() == nil)
    }

    @Test func cancellingReleasesABlockedProducer() {
        let queue = BatchQueue<Int>(capacity: 1)
        let done = DispatchSemaphore(value: 0)
        final class Flag: @unchecked Sendable { var refused = false }
        let flag = Flag()
        let producer = Thread {
            _ = queue.push(1)
            // The queue is full: this push waits until the consumer cancels.
            flag.refused = !queue.push(2)
            done.signal()
        }
        producer.start()
        #expect(done.wait(timeout: .now() + 0.2) == .timedOut)
        queue.cancel()
        #expect(done.wait(timeout: .now() + 5) == .success)
        #expect(flag.refused)
        #expect(queue.pop() == nil)
    }
}

@Suite("Arrival signal")
struct ArrivalSignalTests {
    @Test func aWaitWithoutASignalLastsItsDuration() async {
        let signal = ArrivalSignal()
        let started = ContinuousClock.now
        await signal.wait(for: .milliseconds(150))
        #expect(ContinuousClock.now - started >= .milliseconds(150))
        #expect(signal.generation == 0)
    }

    @Test func aSignalGivenBeforeTheWaitDoesNotEndALaterWait() async {
        let signal = ArrivalSignal()
        signal.signal()
        let started = ContinuousClock.now
        await signal.wait(for: .milliseconds(100))
        #expect(ContinuousClock.now - started >= .milliseconds(100))
    }

    /// A wait of an hour ends when a signal comes: the test returning at all is the proof (its
    /// time limit fails it otherwise); no wall-clock bound that a loaded machine could break. A
    /// signal given before the wait began does not end it, so signals are given until it ends.
    @Test(.timeLimit(.minutes(5))) func aSignalEndsTheWaitBeforeItsDeadline() async throws {
        let signal = ArrivalSignal()
        let ended = Mutex(false)
        let waiter = Task {
            await signal.wait(for: .seconds(3600))
            ended.withLock { $0 = true }
        }
        while !ended.withLock({ $0 }) {
            signal.signal()
            try await Task.sleep(for: .milliseconds(20))
        }
        await waiter.value
        #expect(signal.generation >= 1)
    }
}

@Suite("Blocking work on a bounded pool")
struct BlockingWorkTests {
    final class Gauge: @unchecked Sendable {
        private let lock = NSLock()
        private var running = 0
        private(set) var most = 0
        func enter() {
            lock.withLock {
                running += 1; most = max(most, running)
            }
        }
        func leave() { lock.withLock { running -= 1 } }
    }

    struct Refused: Error {}

    @Test func manyJobsRunAtMostSixteenAtATimeAndErrorsComeBack() async throws {
        let gauge = Gauge()
        let results = await withTaskGroup(of: Result<Int, any Error>.self) { group in
            for i in 0..<48 {
                group.addTask {
                    await BlockingWork.run {
                        gauge.enter()
                        defer { gauge.leave() }
                        usleep(20_000)
                        if i == 7 { throw Refused() }
                        return i
                    }
                }
            }
            var out: [Result<Int, any Error>] = []
            for await r in group { out.append(r) }
            return out
        }
        #expect(results.count == 48)
        #expect(results.filter { if case .failure(let e) = $0 { e is Refused } else { false } }.count == 1)
        #expect(gauge.most <= BlockingWork.threads && gauge.most > 1)
    }
}
