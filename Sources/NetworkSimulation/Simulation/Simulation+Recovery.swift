import CreditDomain
import Foundation
import NodeRuntime

/// Where a node that lost its disk stands in its recovery: the steps of `credit-node recover`
/// (`Recovery.begin`, `wanted`, `take`) answered by its parent's `Return` over the simulated
/// network, then the pull loop brings what concerns it from above.
struct SimRecovery {
    /// The lost store, read only by the simulator's account of what the loss cost.
    var lost: NodeContext
    /// What to take back, once the parent said where it stands.
    var wanted: [Recovery.Wanted]?
    /// The origin being taken back (an index into `wanted`) and how far it is.
    var current = 0
    var taken: RecoveryReport.Origin?
    /// The request waiting for its answer.
    var attempt: Int?
}

/// A disk lost (`lose=`): the node goes down on an empty store, and when it comes back it
/// recovers from its parent before it enters, pushes or pulls anything — as an operator runs
/// `credit-node recover` before `serve`.
extension Simulation {
    func loseDisk(_ n: SimNode, restoring: Bool) throws {
        n.down = true
        metrics.disksLost += 1
        if restoring, n.backup != nil { metrics.disksRestored += 1 }
        // A disk lost twice before the first recovery ended: the account is of the first store.
        let lost = try n.loseStore(restoring: restoring)
        n.recovery = SimRecovery(lost: n.recovery?.lost ?? lost)
    }

    /// The node is back on its new store: the down stream starts again, then it asks its parent
    /// where it stands. The top has no parent: its own seqs go on past the lost ones, and it is back.
    func startRecovery(_ n: SimNode) throws {
        let recovery = Recovery(node: n.node)
        try recovery.begin(now: date(now, node: n))
        guard n.parent != nil else {
            _ = try recovery.restartOwnSeqs(now: date(now, node: n))
            return try finishRecovery(n)
        }
        askParent(n)
    }

    /// The recovery's next question to the parent (where it stands, or the next page of an
    /// origin's sets); unanswered after two minutes, asked again.
    func askParent(_ n: SimNode) {
        guard let p = n.parent, var r = n.recovery else { return }
        attempts += 1
        r.attempt = attempts
        n.recovery = r
        if let wanted = r.wanted, let taken = r.taken {
            send(from: n.index, to: p, .returnRequest(origin: wanted[r.current].origin, after: taken.to, attempt: attempts))
        } else {
            send(from: n.index, to: p, .standingRequest(attempt: attempts))
        }
        schedule(at: now + 120_000, .recoveryTimeout(node: n.index, attempt: attempts))
    }

    /// After a heartbeat went through, the child asks where the parent stands (`SyncClient.push`).
    func askStanding(_ n: SimNode) {
        guard let p = n.parent else { return }
        attempts += 1
        n.standingAttempt = attempts
        send(from: n.index, to: p, .standingRequest(attempt: attempts))
    }

    /// What the parent acknowledged and no longer holds goes again (`Return.reopenWhatTheParentLost`).
    func receiveStanding(_ bytes: [UInt8], at n: SimNode, attempt: Int) throws {
        guard n.standingAttempt == attempt else { return }
        n.standingAttempt = nil
        let reopened = try Return.reopenWhatTheParentLost(n.node, standing: bytes)
        metrics.setsSentAgain += reopened
        if reopened > 0 { try planPush(n) }
    }

    /// The parent's side, as `GET /v1/sync/state` (after a heartbeat, or recovering) and `GET
    /// /v1/sync/return` answer.
    func answerChild(_ n: SimNode, child c: Int, origin: String?, after: Int64, attempt: Int) throws {
        let child = nodes[c]
        do {
            if let origin {
                let bytes = try Return(node: n.node).sets(for: child.code, origin: try DivisionCode(origin), after: after, now: date(now, node: n))
                send(from: n.index, to: c, .returned(bytes: bytes, attempt: attempt, corrupted: false))
            } else {
                send(from: n.index, to: c, .standing(bytes: try Return(node: n.node).standing(of: child.code), attempt: attempt))
            }
        } catch {
            metrics.unexpectedRefusals.append("question from \(child.code) refused at \(n.code): \(error)")
            send(from: n.index, to: c, .refusal(attempt: attempt))
        }
    }

    /// The child's side: the parent's standing read, or a page taken back. A refused answer
    /// (a corrupted page fails verification) is asked again when its timer fires.
    func receiveRecoveryAnswer(_ bytes: [UInt8], standing: Bool, at n: SimNode, attempt: Int, corrupted: Bool) throws {
        guard var r = n.recovery, r.attempt == attempt else { return }
        let recovery = Recovery(node: n.node)
        do {
            if standing {
                guard r.wanted == nil else { return }
                let wanted = try recovery.wanted(state: bytes)
                r.wanted = wanted
                r.current = 0
                r.taken = wanted.first?.untaken
            } else {
                guard let wanted = r.wanted, var taken = r.taken else { return }
                try recovery.take(page: bytes, of: wanted[r.current], into: &taken, now: date(now, node: n))
                metrics.setsTakenBack += taken.sets - (r.taken?.sets ?? 0)
                metrics.changesTakenBack += taken.changes - (r.taken?.changes ?? 0)
                r.taken = taken
                if taken.to >= wanted[r.current].to {
                    r.current += 1
                    r.taken = r.current < wanted.count ? wanted[r.current].untaken : nil
                }
            }
        } catch let refusal as Recovery.Refusal where refusal.code == .unsealed && !corrupted {
            // A restored backup holding own changes never sealed while the parent holds sets past
            // them: as OPERATIONS.md says, the operator recovers into an empty store instead.
            metrics.backupsRefused += 1
            _ = try n.loseStore(restoring: false)
            n.recovery = SimRecovery(lost: r.lost)
            return try startRecovery(n)
        } catch {
            // The timer set with the question asks again.
            return refused(corrupted: corrupted, what: "recovery of \(n.code): \(error)")
        }
        if corrupted { metrics.corruptedAccepted.append("returned sets at \(n.code)") }
        r.attempt = nil
        n.recovery = r
        if r.taken == nil { return try finishRecovery(n) }
        askParent(n)
    }

    /// Everything the parent held is back: what the lost store held past it is lost for good
    /// (the simulator's truth forgets it), and the node starts as after any outage. At the top,
    /// which has no parent, its offices enter again what it lost (`enterAgain`).
    func finishRecovery(_ n: SimNode) throws {
        guard let r = n.recovery else { return }
        n.recovery = nil
        let own = n.code.digits
        // What the store holds of its own now (taken back, or in the restored backup) is what the
        // lost store held up to there: a backup is an earlier state of the same store.
        let standing = try n.node.sync.ownStanding().logged
        let lost = try r.lost.store.changes(origin: own, after: standing, limit: .max)
        for c in lost {
            metrics.changesEntered -= 1
            metrics.changesLost += 1
            if c.op == "status" { metrics.statusChanges -= 1 }
            guard n.parent != nil, c.op == "put", let t = truth[c.key] else { continue }
            if t.origin == n.index, try n.node.store.record(key: c.key) == nil {
                truth[c.key] = nil
                truthOrder.removeAll { $0 == c.key }
                metrics.recordsLost += 1
            } else if c.jurisdiction != t.jurisdictions.first?.digits {
                // A correction entered here that moved a record to another area: it never left,
                // and no version left names that area.
                truth[c.key]!.jurisdictions.removeAll { $0.digits == c.jurisdiction }
                metrics.moves -= 1
            }
        }
        n.forgetOwnMarks(after: standing)
        if n.parent == nil, !lost.isEmpty {
            // Hours later, once its children have sent again what it lost: a version entered again
            // must carry a later clock than the lost one, which may have taken a child's clock
            // running ahead (`skew`).
            n.toEnterAgain = (lost, r.lost)
            schedule(at: now + Int64((2 * options.faults.skewHours + 6) * 3_600_000), .enterAgain(node: n.index))
        }
        try cameUp(n)
    }

    /// The top's offices enter again what they entered since the backup (OPERATIONS.md "At the
    /// top"): each record a lost change put, as the lost store held it last, then the lost status
    /// changes in order — new changes, under seqs past the restart, and new versions wherever
    /// the lost ones reached.
    func enterAgain(_ n: SimNode) throws {
        guard let (lost, store) = n.toEnterAgain else { return }
        guard !n.down else {
            schedule(at: now + 3_600_000, .enterAgain(node: n.index))
            return
        }
        n.toEnterAgain = nil
        let clock = date(now, node: n)
        var seen: Set<String> = []
        var first: Int64?
        var last: Int64?
        for c in lost where c.op == "put" && seen.insert(c.key).inserted {
            guard let record = try store.store.record(key: c.key), let kind = try? catalogue.kind(named: record.kind) else { continue }
            let report = try enterRecord(n, record, kind: kind, file: "\(kind.slug)-补录.csv")
            if let f = report.firstSeq, let l = report.lastSeq {
                first = first ?? f
                last = l
            }
        }
        for c in lost where c.op == "status" {
            guard let status = StatusChange.parse(body: c.body) else { continue }
            do {
                let entered = try StatusDesk(node: n.node).enter(key: c.key, status, now: clock)
                first = first ?? entered.seq
                last = entered.seq
            } catch is StatusChangeError {
                metrics.statusRefused += 1
            }
        }
        guard let first, let last else { return }
        n.mark(n.code.digits, upTo: last, at: now)
        for c in try n.node.store.changes(origin: n.code.digits, after: first - 1, limit: .max) {
            metrics.changesEntered += 1
            metrics.changesEnteredAgain += 1
            if c.op == "status" { metrics.statusChanges += 1 }
        }
        try entered(n)
    }
}
