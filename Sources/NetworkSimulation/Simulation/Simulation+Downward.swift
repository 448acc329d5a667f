import ChangeSets
import CreditDomain
import CreditStore
import Foundation
import NodePKI
import NodeRuntime

/// Downward: the child's pull from its stored cursor, the parent's page (`Downward.page`: what
/// concerns the child, with proofs, signed) and the child's apply (`Downward.apply`: verified,
/// applied with the cursor in one transaction) — as `serve`'s pull loop and `GET /v1/sync/down`.
extension Simulation {
    /// Whether the parent noted something for `n` past `n`'s cursor.
    func hasUnpulled(_ n: SimNode) throws -> Bool {
        guard let p = n.parent else { return false }
        let parent = nodes[p]
        return try parent.node.store.lastRelevantChange(child: n.code) > n.node.sync.downCursor(parent: parent.code)
    }

    /// A child pulls every `pullIntervalSeconds` from its own phase. The simulator only wakes it
    /// at the ticks where its parent has noted something past its cursor: the ticks in between
    /// would find nothing (the real parent answers them with a signed empty page).
    func wakePull(_ n: SimNode, later: Bool = false) {
        guard n.parent != nil, n.pullAt == nil else { return }
        let interval = Int64(topology.pullIntervalSeconds) * 1000
        let from = later ? now + 1 : now
        let k = from <= n.pullPhase ? 0 : (from - n.pullPhase + interval - 1) / interval
        let at = n.pullPhase + k * interval
        n.pullAt = at
        schedule(at: at, .pull(node: n.index))
    }

    /// Wakes the children of `n` that have something to pull.
    func wakeChildren(_ n: SimNode) throws {
        for c in n.children where try hasUnpulled(nodes[c]) { wakePull(nodes[c]) }
    }

    func pull(_ n: SimNode) throws {
        n.pullAt = nil
        guard let p = n.parent else { return }
        guard !n.down, n.pullAttempt == nil else {
            // Down, or a pull still waiting for its page: the next tick tries again.
            n.pullAt = now + Int64(topology.pullIntervalSeconds) * 1000
            schedule(at: n.pullAt!, .pull(node: n.index))
            return
        }
        guard try hasUnpulled(n) else { return }
        attempts += 1
        n.pullAttempt = attempts
        let cursor = try n.node.sync.downCursor(parent: nodes[p].code)
        send(
            from: n.index, to: p, .pullRequest(cursor: cursor, controls: Downward.controlDigest(n.node), attempt: attempts)
        )
        schedule(at: now + 120_000, .pullTimeout(node: n.index, attempt: attempts))
    }

    func servePull(_ n: SimNode, child c: Int, cursor: Int64, controls: String, attempt: Int) throws {
        let page = try Downward(node: n.node).page(
            for: nodes[c].code, after: cursor, controlDigest: controls, limit: n.configuration.pullPageChanges ?? 5000, now: date(now, node: n))
        metrics.pages += 1
        send(from: n.index, to: c, .page(bytes: page.encoded, attempt: attempt, corrupted: false))
    }

    func receivePage(_ bytes: [UInt8], at n: SimNode, attempt: Int, corrupted: Bool) throws {
        guard n.pullAttempt == attempt, let p = n.parent else { return }
        n.pullAttempt = nil
        // A crash planned for this page fails the commit that applies it with the cursor: the
        // node restarts and pulls the page again from where its store stands.
        let crashing = options.faults.crash > 0 && rng.chance(options.faults.crash)
        if crashing { n.faults.failCommit(after: 0) }
        let result: (bundle: DownBundle, applied: Int, duplicates: Int, controls: [String], setAside: Int)
        do { result = try Downward(node: n.node).apply(bytes, now: date(now, node: n)) } catch let error as StoreError
            where error.code == .commitFailed
        {
            return crash(n)
        } catch {
            n.faults.clear()
            refused(corrupted: corrupted, what: "down page at \(n.code): \(error)")
            wakePull(n, later: true)
            return
        }
        n.faults.clear()
        if corrupted {
            if result.setAside > 0 { metrics.corruptedRefused += 1 } else { metrics.corruptedAccepted.append("down page at \(n.code)") }
        } else if result.setAside > 0 {
            metrics.unexpectedRefusals.append("\(result.setAside) section(s) of a down page set aside at \(n.code)")
        }
        // The hop's latency: from when each change reached the parent to its first arrival here.
        let parent = nodes[p]
        for section in result.bundle.sections {
            for entry in section.entries {
                guard let c = entry.line.withUnsafeBufferPointer({ Change.parseCanonical($0) }), n.arrival(c.origin, c.seq) == nil else { continue }
                n.pulled[.init(origin: c.origin, seq: c.seq)] = now
                metrics.downHop(from: parent, to: n, latency: now - (parent.arrival(c.origin, c.seq) ?? now))
            }
        }
        try wakeChildren(n)
        // A page that did not move the cursor ended at the parent's own change its parent has
        // not acknowledged: the parent wakes its children when the receipt comes.
        if result.bundle.next > result.bundle.after, try hasUnpulled(n) { wakePull(n, later: true) }
    }
}
