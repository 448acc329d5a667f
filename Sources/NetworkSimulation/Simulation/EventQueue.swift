import Foundation

/// Bytes as a dictionary key, hashed in one call rather than byte by byte.
struct ByteKey: Hashable {
    let bytes: [UInt8]
    func hash(into hasher: inout Hasher) { bytes.withUnsafeBytes { hasher.combine(bytes: $0) } }
}

/// A binary min-heap of events by (time, scheduling order): ties go in the order they were
/// scheduled, so runs are reproducible. The heap moves plain keys; events wait in slots.
struct EventQueue {
    private struct Key {
        var time: Int64
        var order: Int
        var slot: Int32
    }
    private var heap: [Key] = []
    private var slots: [Simulation.Event?] = []
    private var free: [Int32] = []
    private var order = 0
    private var work = 0

    /// Whether anything but the working days, heartbeats, nightly backups and the end is still
    /// to happen (a pull is only scheduled when there is something to pull, so it counts).
    var containsWork: Bool { work > 0 }

    static func isWork(_ e: Simulation.Event) -> Bool {
        switch e {
        case .end, .day, .heartbeat, .backup: false
        default: true
        }
    }

    mutating func push(at time: Int64, _ event: Simulation.Event) {
        if Self.isWork(event) { work += 1 }
        order += 1
        let slot: Int32
        if let f = free.popLast() {
            slot = f
            slots[Int(f)] = event
        } else {
            slot = Int32(slots.count)
            slots.append(event)
        }
        heap.append(Key(time: time, order: order, slot: slot))
        var i = heap.count - 1
        while i > 0 {
            let p = (i - 1) / 2
            guard Self.less(heap[i], heap[p]) else { break }
            heap.swapAt(i, p)
            i = p
        }
    }

    mutating func pop() -> (time: Int64, event: Simulation.Event)? {
        guard !heap.isEmpty else { return nil }
        let top = heap[0]
        let last = heap.removeLast()
        if !heap.isEmpty {
            heap[0] = last
            var i = 0
            while true {
                let l = 2 * i + 1
                let r = l + 1
                var m = i
                if l < heap.count, Self.less(heap[l], heap[m]) { m = l }
                if r < heap.count, Self.less(heap[r], heap[m]) { m = r }
                if m == i { break }
                heap.swapAt(i, m)
                i = m
            }
        }
        let event = slots[Int(top.slot)].take()!
        free.append(top.slot)
        if Self.isWork(event) { work -= 1 }
        return (top.time, event)
    }

    private static func less(_ a: Key, _ b: Key) -> Bool { a.time < b.time || (a.time == b.time && a.order < b.order) }
}
