import CreditStore
import Foundation

/// The node's metrics in the Prometheus text exposition format (version 0.0.4), read from the
/// store at scrape time.
enum Metrics {
    static func text(_ node: NodeContext) throws -> String {
        let c = node.configuration
        let counts = try node.store.counts()
        let origins = try node.store.originStatus(windowSeconds: Int64(c.effectiveWindowHours) * 3600, hasParent: c.parent != nil)
        let queued = try node.store.queued()
        let n = "node=\"\(c.code.digits)\""
        var out = ""
        func gauge(_ name: String, _ help: String, _ samples: [(labels: String, value: Int64)]) {
            out += "# HELP creditnet_\(name) \(help)\n# TYPE creditnet_\(name) gauge\n"
            for s in samples { out += "creditnet_\(name){\(s.labels)} \(s.value)\n" }
        }
        gauge("store_damaged", "1 when verify-store or the check at start found the store damaged (sync stopped), else 0.", [(n, StoreVerification.recordedDamage(c) == nil ? 0 : 1)])
        gauge("records", "Records held by the node.", [(n, Int64(counts.records))])
        gauge("set_aside_sets", "Change sets refused on their own inside bundles and set aside, not yet resolved.", [(n, Int64(try node.store.unresolvedSetAside()))])
        gauge("changes", "Entries in the node's change log.", [(n, Int64(counts.changes))])
        gauge("quarantined_rows", "Refused rows kept in quarantine.", [(n, Int64(counts.quarantined))])
        gauge("late_records", "Records that arrived after their publication deadline.", [(n, Int64(counts.late))])
        gauge(
            "provisional_deadline_records", "Records whose publication deadline counts a year without an official working-day calendar (settled when it arrives).",
            [(n, Int64(counts.provisionalDeadlines))])
        gauge("apply_queue_sets", "Change sets accepted from children and not yet applied here.", [(n, Int64(queued.sets))])
        gauge("apply_queue_changes", "Changes accepted from children and not yet applied here.", [(n, Int64(queued.changes))])
        gauge("window_seconds", "The upward window of this hop.", [(n, Int64(c.effectiveWindowHours) * 3600)])
        func perOrigin(_ value: (OriginStatus) -> Int64) -> [(String, Int64)] { origins.map { ("\(n),origin=\"\($0.origin)\"", value($0)) } }
        gauge("origin_seq_held", "Highest seq of an origin held by the node.", perOrigin(\.highestSeqHeld))
        gauge("origin_seq_acknowledged", "Highest seq of an origin acknowledged by the parent.", perOrigin(\.highestSeqAcknowledged))
        gauge("origin_pending_changes", "Changes of an origin not yet acknowledged upward.", perOrigin(\.unacknowledged))
        gauge("origin_oldest_pending_seconds", "Age of the oldest unacknowledged change of an origin.", perOrigin { $0.oldestUnacknowledgedSeconds ?? 0 })
        gauge("origin_at_risk_changes", "Pending changes older than two thirds of the window.", perOrigin(\.atRisk))
        gauge("origin_past_window_changes", "Pending changes older than the window.", perOrigin(\.pastWindow))
        return out
    }
}
