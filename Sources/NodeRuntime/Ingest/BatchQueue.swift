import Foundation

/// A bounded queue between one producer thread and one consumer: the ingestion pipeline's
/// hand-over from parsing and validation to the store's writer. `push` blocks while the queue
/// is full, `pop` while it is empty; `cancel` releases both sides for good.
///
/// `@unchecked Sendable`: every stored property is read and written only with `condition` held.
final class BatchQueue<Element: Sendable>: @unchecked Sendable {
    private let condition = NSCondition()
    private var items: [Element] = []
    private var head = 0
    private var finished = false
    private var cancelled = false
    private let capacity: Int

    init(capacity: Int) { self.capacity = capacity }

    /// Adds an element; returns false (dropping it) once the consumer has cancelled.
    func push(_ element: Element) -> Bool {
        condition.lock()
        defer { condition.unlock() }
        while items.count - head >= capacity && !cancelled { condition.wait() }
        guard !cancelled else { return false }
        items.append(element)
        condition.broadcast()
        return true
    }

    /// No more elements will come.
    func finish() {
        condition.lock()
        finished = true
        condition.broadcast()
        condition.unlock()
    }

    /// The next element, or nil when the producer has finished and everything was taken.
    func pop() -> Element? {
        condition.lock()
        defer { condition.unlock() }
        while head == items.count && !finished && !cancelled { condition.wait() }
        guard head < items.count, !cancelled else { return nil }
        let e = items[head]
        head += 1
        if head > 64 && head * 2 > items.count {
            items.removeFirst(head)
            head = 0
        }
        condition.broadcast()
        return e
    }

    /// The consumer gives up (an error): the producer's next push returns false.
    func cancel() {
        condition.lock()
        cancelled = true
        condition.broadcast()
        condition.unlock()
    }
}
