import CreditStore
import Foundation
import Prometheus
import SyncCore
import CreditDomain

/// The node's metrics in the Prometheus text exposition format, through swift-prometheus: read
/// from the store at scrape time into a registry of this scrape (so that an origin or a kind that
/// is gone leaves no stale series), then emitted.
enum Metrics {
    static func text(_ node: NodeContext, now: Date? = nil) throws -> String {
        let c = node.configuration
        let counts = try node.store.counts()
        let origins = try node.store.originStatus(windowSeconds: Int64(c.effectiveWindowSeconds), hasParent: c.parent != nil)
        let queued = try node.store.queued()
        let registry = PrometheusCollectorRegistry()
        let n = ("node", c.code.digits)
        func gauge(_ name: String, _ help: String, _ value: Int64, _ labels: [(String, String)] = []) {
            let descriptor = MetricNameDescriptor(namespace: "creditnet", metricName: name, unitName: "", helpText: help)
            registry.makeGauge(descriptor: descriptor, labels: [n] + labels).set(value)
        }
        gauge(
            "store_damaged", "1 when verify-store or the check at start found the store damaged (sync stopped), else 0.",
            StoreVerification.recordedDamage(c) == nil ? 0 : 1)
        gauge("records", "Records held by the node.", Int64(counts.records))
        gauge(
            "set_aside_sets", "Change sets refused on their own inside bundles and set aside, not yet resolved.",
            Int64(try node.store.unresolvedSetAside()))
        gauge("changes", "Entries in the node's change log.", Int64(counts.changes))
        gauge("quarantined_rows", "Refused rows kept in quarantine.", Int64(counts.quarantined))
        gauge("late_records", "Records that arrived after their publication deadline.", Int64(counts.late))
        gauge(
            "provisional_deadline_records",
            "Records whose publication deadline counts a year without an official working-day calendar (settled when it arrives).",
            Int64(counts.provisionalDeadlines))
        gauge("apply_queue_sets", "Change sets accepted from children and not yet applied here.", Int64(queued.sets))
        gauge("apply_queue_changes", "Changes accepted from children and not yet applied here.", Int64(queued.changes))
        gauge("window_seconds", "The upward window of this hop.", Int64(c.effectiveWindowSeconds))
        for o in origins {
            let origin = [("origin", o.origin)]
            gauge("origin_seq_held", "Highest seq of an origin held by the node.", o.highestSeqHeld, origin)
            gauge("origin_seq_acknowledged", "Highest seq of an origin acknowledged by the parent.", o.highestSeqAcknowledged, origin)
            gauge("origin_pending_changes", "Changes of an origin not yet acknowledged upward.", o.unacknowledged, origin)
            gauge(
                "origin_oldest_pending_seconds", "Age of the oldest unacknowledged change of an origin.", o.oldestUnacknowledgedSeconds ?? 0, origin)
            gauge("origin_at_risk_changes", "Pending changes older than two thirds of the window.", o.atRisk, origin)
            gauge("origin_past_window_changes", "Pending changes older than the window.", o.pastWindow, origin)
        }
        // Network health from the health records (`NetworkPicture`): each child's standing and
        // backlog, and per child's region (its subtree) the nodes known, heard from, at risk, breached.
        let at = now ?? node.clock()
        let ms = ChinaTime.milliseconds(at)
        let picture = try NetworkPicture(node: node, now: at)
        let (regions, whole) = picture.regions(of: picture.top, now: ms)
        gauge("subtree_nodes", "Nodes known in this node's subtree (itself included), from the health records that reached it.", Int64(whole.nodes))
        gauge(
            "subtree_nodes_heard", "Nodes of the subtree heard from within their window (the interconnection rate's numerator).", Int64(whole.heard))
        for (child, t) in regions {
            let h = picture.node(child)?.health
            let label = [("child", child)]
            let standing: Int64 =
                switch HealthRules.standing(of: h, now: ms) {
                case .met: 0
                case .atRisk: 1
                case .breached: 2
                }
            gauge("child_window_state", "A child's standing against its window: 0 met, 1 at risk, 2 breached or never heard from.", standing, label)
            gauge(
                "child_backlog_changes", "Changes a child had not yet had acknowledged upward, by its latest health record.", h?.backlog ?? 0, label)
            gauge(
                "child_last_heard_seconds", "Seconds since a child's latest health record was issued (its own clock).",
                h.map { max(0, ms - $0.issuedAt) / 1000 } ?? -1, label)
            let region = [("region", child)]
            gauge("region_nodes", "Nodes known in a child's region (its subtree).", Int64(t.nodes), region)
            gauge("region_nodes_heard", "Nodes of a child's region heard from within their window.", Int64(t.heard), region)
            gauge("region_nodes_at_risk", "Nodes of a child's region at risk against their window.", Int64(t.atRisk), region)
            gauge("region_nodes_breached", "Nodes of a child's region past their window or never heard from.", Int64(t.breached), region)
        }
        // What the public asked for on the portal and waits for the office (异议申诉, 信用修复申请).
        let pending = try node.store.pendingRequests()
        for purpose in [RequestPurpose.objection, .repair] {
            let label = [("purpose", purpose.rawValue)]
            let p = pending[purpose]
            gauge(
                "public_requests_pending", "Requests from the portal's public waiting for the office: objections and repair applications.",
                Int64(p?.count ?? 0), label)
            gauge(
                "public_requests_oldest_pending_seconds", "Age of the oldest request from the public waiting for the office (0 when none waits).",
                p.map { max(0, ms - $0.oldestAt) / 1000 } ?? 0, label)
        }
        // The objections open here, by where each stands against its time limit (异议办理时限).
        let open = try node.openObjections(today: ChinaTime.date(at))
        for standing in OpenObjection.Standing.allCases {
            gauge(
                "objections_open",
                "Objections open at this node by standing against their time limit (the assisted one once marked 协查): within, last-day (due today), overdue.",
                Int64(open.filter { $0.standing == standing }.count), [("standing", standing.rawValue)])
        }
        // Reports of dishonest conduct still to answer or close (失信举报), by standing against
        // the catalogue's limit (within when none is set).
        let complaints = try ComplaintDesk(node: node).openCounts(today: ChinaTime.date(at))
        for standing in OpenObjection.Standing.allCases {
            gauge(
                "complaints_open", "Reports of dishonest conduct from the public not yet answered or closed, by standing against their time limit.",
                Int64(complaints.standing[standing] ?? 0), [("standing", standing.rawValue)])
        }
        // Businesses' requests for 信易贷 products still to take up (pending) or to answer (contacted).
        let loans = try node.store.openLoanRequestCounts()
        for (state, count) in [("pending", loans.pending), ("contacted", loans.contacted)] {
            gauge(
                "loan_requests_open", "Businesses' requests for 信易贷 loan products not yet answered: pending (not taken up) or contacted.",
                Int64(count), [("state", state)])
        }
        // The subjects of the area on a joint list in force, answered by a unit's feedback or
        // waiting (联合奖惩 待响应), as the dashboard's card counts them (`ListResponses.totals`, kept).
        if let (lists, _) = try ListResponses.totals(node, now: at) {
            for (answer, count) in [("answered", lists.answered), ("pending", lists.pending)] {
                gauge(
                    "list_entries",
                    "Subjects of the area on a joint reward or punishment list in force today, by whether any unit has answered with feedback (联合奖惩 待响应).",
                    Int64(count), [("answer", answer)])
            }
        }
        // The four rates' figures per kind (OPERATIONS.md, "The operators' pages"), computed again
        // while the store changes at most every `KeptFigures.keptFor` their cost.
        for k in try QualityFigures.latest(node, now: at).kinds {
            let kind = [("kind", k.slug)]
            gauge("kind_records", "Records of a kind held by the node.", Int64(k.records), kind)
            gauge("kind_late_records", "Records of a kind that entered the network after their publication deadline (迟报).", Int64(k.late), kind)
            gauge("kind_corrected_records", "Records of a kind corrected after an objection (错报).", Int64(k.corrected), kind)
            gauge("kind_quarantined_rows", "Rows of a kind this node's validator refused (错报).", Int64(k.quarantined), kind)
            gauge(
                "kind_suspected_missing_decisions",
                "Decision numbers missing between two an authority reported in a series and year (漏报, suspected).",
                Int64(k.suspectedMissing), kind)
            gauge(
                "kind_concealed_records", "Records of a kind withdrawn for a reason the catalogue does not allow (瞒报, suspected).",
                Int64(k.concealed.count), kind)
        }
        return registry.emitToString()
    }
}
