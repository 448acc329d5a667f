/// A hybrid logical clock stamp: wall-clock milliseconds in the high 48 bits and a counter in the
/// low 16, so stamps order like time yet never repeat or go backwards on one node.
public struct HLCStamp: Hashable, Sendable, Comparable, CustomStringConvertible {
    public let rawValue: Int64

    public init(rawValue: Int64) { self.rawValue = rawValue }
    public init(milliseconds: Int64, counter: Int) { rawValue = milliseconds << 16 | Int64(counter & 0xFFFF) }

    public var milliseconds: Int64 { rawValue >> 16 }
    public var counter: Int { Int(rawValue & 0xFFFF) }
    public var description: String { "\(milliseconds).\(counter)" }
    public static func < (a: HLCStamp, b: HLCStamp) -> Bool { a.rawValue < b.rawValue }
}

/// The clock itself: `tick` for a local event, `observe` for a stamp received from elsewhere.
public struct HybridLogicalClock: Sendable {
    public private(set) var last: HLCStamp

    public init(last: HLCStamp = HLCStamp(rawValue: 0)) { self.last = last }

    /// A stamp for a local event at wall-clock `nowMilliseconds`.
    public mutating func tick(nowMilliseconds: Int64) -> HLCStamp {
        if nowMilliseconds > last.milliseconds {
            last = HLCStamp(milliseconds: nowMilliseconds, counter: 0)
        } else if last.counter < 0xFFFF {
            last = HLCStamp(rawValue: last.rawValue + 1)
        } else {
            last = HLCStamp(milliseconds: last.milliseconds + 1, counter: 0)
        }
        return last
    }

    /// Moves the clock past a stamp seen on a remote change.
    public mutating func observe(_ remote: HLCStamp, nowMilliseconds: Int64) -> HLCStamp {
        let base = max(last, remote)
        if nowMilliseconds > base.milliseconds {
            last = HLCStamp(milliseconds: nowMilliseconds, counter: 0)
        } else {
            last = base
            _ = tick(nowMilliseconds: nowMilliseconds)
        }
        return last
    }
}
