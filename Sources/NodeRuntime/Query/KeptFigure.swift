import Foundation
import Synchronization

/// How long a figure that is dear to compute at a province — every decision number read for the
/// 漏报 gaps, every list entry in force and its feedback for 待响应 — is kept while the store keeps
/// changing, so that pages and scrapes every few seconds do not each compute it (OPERATIONS.md).
public enum KeptFigures {
    /// The longest a figure is kept while the store keeps changing.
    public static let refreshSeconds: TimeInterval = 300
    /// The shortest: a small store's figures are current within seconds.
    public static let refreshSecondsMin: TimeInterval = 10
    /// Figures whose last computation took less than this are computed again by the caller, who
    /// then sees them current; dearer ones in the background.
    public static let inlineCostMax: TimeInterval = 0.2

    /// How long a figure that took `cost` seconds to compute is kept while the store changes: fifty
    /// times its cost (at most 2 % of one core spent computing it again), between
    /// `refreshSecondsMin` and `refreshSeconds` — seconds for a village or the demo's province,
    /// five minutes for a province of a million records (about 6 s a computation).
    public static func keptFor(cost: TimeInterval) -> TimeInterval { min(refreshSeconds, max(refreshSecondsMin, cost * 50)) }
}

/// One such figure as last computed: with the store's newest change and the day then (a figure of
/// what is in force today is stale the next day however quiet the store), when, what it cost,
/// and whether a computation is under way in the background.
public final class KeptFigure<Value: Sendable>: Sendable {
    struct Kept {
        var version: Int64
        var day: String
        var at: Date
        var cost: TimeInterval
        var value: Value
    }
    let kept = Mutex<Kept?>(nil)
    let refreshing = Mutex(false)
    /// Held while the first computation runs: callers that find nothing kept wait for it rather
    /// than each computing it.
    let first = Mutex(())

    public init() {}

    /// The figure as last computed, and when. Kept while the store has no newer change (on the
    /// same `day`) or it is younger than `keptFor` its cost; older, the caller computes it now when
    /// that is cheap (under `inlineBelow` seconds last time) or `inBackground` is false, else it is
    /// still answered at once while one computation runs in the background. With nothing kept yet,
    /// the caller computes it — one caller at a time.
    public func latest(
        version: Int64, day: String = "", now: Date, inBackground: Bool = true, inlineBelow: TimeInterval = KeptFigures.inlineCostMax,
        compute: @escaping @Sendable () throws -> Value
    ) throws -> (value: Value, at: Date) {
        if let k = kept.withLock({ $0 }) {
            if k.day == day && (k.version == version || (now >= k.at && now.timeIntervalSince(k.at) < KeptFigures.keptFor(cost: k.cost))) {
                return (k.value, k.at)
            }
            guard inBackground && k.cost >= inlineBelow else { return try computeAndKeep(version: version, day: day, at: now, compute) }
            if refreshing.withLock({ (busy: inout Bool) -> Bool in
                defer { busy = true }
                return !busy
            }) {
                DispatchQueue.global(qos: .utility).async {
                    _ = try? self.computeAndKeep(version: version, day: day, at: now, compute)
                    self.refreshing.withLock { $0 = false }
                }
            }
            return (k.value, k.at)
        }
        return try first.withLock { _ in
            if let k = kept.withLock({ $0 }) { return (k.value, k.at) }
            return try computeAndKeep(version: version, day: day, at: now, compute)
        }
    }

    /// The figure computed now, and kept: for a page that must show what was just written.
    public func renewed(version: Int64, day: String = "", now: Date, compute: () throws -> Value) throws -> (value: Value, at: Date) {
        try computeAndKeep(version: version, day: day, at: now, compute)
    }

    private func computeAndKeep(version: Int64, day: String, at: Date, _ compute: () throws -> Value) throws -> (value: Value, at: Date) {
        let started = ContinuousClock.now
        let value = try compute()
        let seconds = started.duration(to: .now) / .seconds(1)
        // A background computation that finishes after a newer one must not put an older figure back.
        kept.withLock { kept in
            if let k = kept, k.version > version || (k.version == version && k.at > at) { return }
            kept = Kept(version: version, day: day, at: at, cost: seconds, value: value)
        }
        return (value, at)
    }
}
