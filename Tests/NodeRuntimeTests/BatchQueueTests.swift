import Foundation
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
    @Test func aSignalEndsTheWaitBeforeItsDeadline() async throws {
        let signal = ArrivalSignal()
        let started = ContinuousClock.now
        async let waited: Void = signal.wait(for: .seconds(60))
        try await Task.sleep(for: .milliseconds(100))
        signal.signal()
        await waited
        #expect(ContinuousClock.now - started < .seconds(30))
        #expect(signal.generation == 1)
    }
}
