import ChangeSets
import CreditDomain
import CreditStore
import Foundation
import NodeRuntime
import SyncCore

/// Upward: the child's push (`UpwardSchedule` asked with `PushLoop.backlog`, the bundle from
/// `Export.pendingBundle`), the parent's intake (`Import.applyBundle`: verify, authorise, accept
/// exactly once, hold a gap, apply, receipt) and the child's acknowledgement
/// (`Import.importReceipt`) — the production calls `serve` makes, at each node's clock.
extension Simulation {
    /// Asks the node's real schedule what to do now and does it, or sets a timer.
    func planPush(_ n: SimNode) throws {
        guard n.parent != nil, !n.down, n.pushAttempt == nil else { return }
        let backlog = PushLoop.backlog(n.node)
        switch n.schedule.next(now: .milliseconds(local(n)), pending: backlog.pending, oldestPendingAt: backlog.oldestPendingAt) {
        case .idle: return
        case .push: schedule(at: now, backlog.pending > 0 ? .push(node: n.index) : .heartbeat(node: n.index))
        case .wait(let until):
            let at = max(now, Self.milliseconds(until) - epoch - n.skew)
            if let t = n.pushTimerAt, t > now, t <= at { return }
            n.pushTimerAt = at
            schedule(at: at, backlog.pending > 0 ? .push(node: n.index) : .heartbeat(node: n.index))
        }
    }

    func push(_ n: SimNode) throws {
        guard let p = n.parent, !n.down, n.pushAttempt == nil else { return }
        let clock = date(now, node: n)
        let backlog = PushLoop.backlog(n.node)
        guard case .push = n.schedule.next(now: .milliseconds(local(n)), pending: backlog.pending, oldestPendingAt: backlog.oldestPendingAt) else {
            return try planPush(n)
        }
        let (report, bundle) = try Export(node: n.node).pendingBundle(
            changesMax: SyncClient.bundleChangesMax, setBytes: ChangeSetLimits().setBytesMax, now: clock)
        guard !report.changeSets.isEmpty || report.health > 0 else { return }
        attempts += 1
        n.pushAttempt = attempts
        n.heartbeating = report.changeSets.isEmpty
        metrics.bundles += 1
        send(from: n.index, to: p, .bundle(bytes: bundle, attempt: attempts, corrupted: false))
        schedule(at: now + 120_000, .pushTimeout(node: n.index, attempt: attempts))
    }

    /// The parent's side, as `POST /v1/sync/up` runs it. A crash planned for this delivery fails
    /// the store's first commit (nothing accepted), or its second (accepted, not applied: the
    /// restart applies it), or lets both through and loses the process before the receipt.
    func receiveBundle(_ bytes: [UInt8], from c: Int, at n: SimNode, attempt: Int, corrupted: Bool) throws {
        let child = nodes[c]
        let crashing = options.faults.crash > 0 && rng.chance(options.faults.crash)
        if crashing {
            let roll = rng.int(0...2)
            if roll < 2 { n.faults.failCommit(after: roll) }
        }
        let before = try n.node.sync.chains(inside: child.code)
        let result = Result {
            try Import(node: n.node).applyBundle(bytes, source: "push from \(child.code)", peer: child.code, now: date(now, node: n))
        }
        try accepted(at: n, from: child, before: before)
        switch result {
        case .success(let (report, receipt)):
            metrics.duplicates += report.duplicates
            metrics.held += report.held
            if corrupted {
                if (report.setAside ?? 0) > 0 {
                    metrics.corruptedRefused += 1
                } else {
                    metrics.corruptedAccepted.append("bundle from \(child.code) at \(n.code)")
                }
            } else if (report.setAside ?? 0) > 0 {
                metrics.unexpectedRefusals.append("\(report.setAside ?? 0) change set(s) from \(child.code) set aside at \(n.code)")
            }
            if crashing { return crash(n) }
            send(from: n.index, to: c, .receipt(bytes: receipt, attempt: attempt, corrupted: false))
        case .failure(let error as StoreError) where error.code == .commitFailed:
            crash(n)
        case .failure(let error):
            n.faults.clear()
            refused(corrupted: corrupted, what: "bundle from \(child.code) at \(n.code): \(error)")
            send(from: n.index, to: c, .refusal(attempt: attempt))
        }
    }

    /// What the parent's chains moved past since `before`: those changes reached `n` now (the
    /// hop's latency, per span of the child's arrival times, counted at their first arrival: a
    /// set the child sent again after `n` lost it crossed the hop before), wait at `n` to go
    /// further up, and may concern `n`'s children.
    func accepted(at n: SimNode, from child: SimNode, before: [ChainPosition]) throws {
        var was: [String: Int64] = [:]
        for b in before { was[b.origin] = b.lastSeq }
        var moved = false
        for a in try n.node.sync.chains(inside: child.code) where a.lastSeq > (was[a.origin] ?? 0) {
            moved = true
            let counted = max(was[a.origin] ?? 0, n.marked(a.origin))
            for span in child.spans(a.origin, after: counted, through: a.lastSeq) {
                metrics.hop(
                    from: child, to: n, latency: now - span.at, count: span.count,
                    outage: outageLonger(than: child.window, child: child.index, parent: n.index, from: span.at, to: now))
            }
            n.mark(a.origin, upTo: a.lastSeq, at: now)
        }
        if moved { try entered(n) }
    }

    /// Whether an injected outage longer than `window` — the child or the parent down, or the
    /// link cut — overlapped the time a change spent on the hop.
    func outageLonger(than window: Int64, child: Int, parent: Int, from: Int64, to: Int64) -> Bool {
        options.faults.outages.contains { o in
            guard o.length > window, o.start < to, o.end > from, let i = indexOf[o.node] else { return false }
            return (o.downs && (i == child || i == parent)) || (o.kind == .partition && i == child)
        }
    }

    /// The child's side: a verified receipt acknowledges the outbox entries it covers.
    func receiveReceipt(_ bytes: [UInt8], at n: SimNode, attempt: Int, corrupted: Bool) throws {
        guard n.pushAttempt == attempt else { return }
        n.pushAttempt = nil
        do { _ = try Import(node: n.node).importReceipt(bytes, file: "receipt", now: date(now, node: n)) } catch {
            refused(corrupted: corrupted, what: "receipt at \(n.code): \(error)")
            n.schedule.record(attemptAt: .milliseconds(local(n)), succeeded: false)
            return try planPush(n)
        }
        if corrupted { metrics.corruptedAccepted.append("receipt at \(n.code)") }
        let afterFailures = n.schedule.failures > 0
        n.schedule.record(attemptAt: .milliseconds(local(n)), succeeded: true)
        if UpwardSchedule.asksWhereTheParentStands(heartbeat: n.heartbeating, afterFailures: afterFailures) { askStanding(n) }
        try planPush(n)
        // Its own changes now acknowledged go down to its children.
        try wakeChildren(n)
    }

    func refused(corrupted: Bool, what: String) {
        if corrupted { metrics.corruptedRefused += 1 } else { metrics.unexpectedRefusals.append(what) }
    }
}
