import Foundation

/// The in-memory network: each message delayed, then lost, reordered, corrupted or duplicated as
/// the fault plan says; a cut link or a node down loses it.
extension Simulation {
    /// Sends a message through the in-memory network: delay, then the plan's faults.
    func send(from: Int, to: Int, _ message: Message) {
        metrics.messages += 1
        let f = options.faults
        let link = nodes[from].parent == to ? from : to
        if options.faults.outages.contains(where: { $0.kind == .partition && indexOf[$0.node] == link && $0.start <= now && now < $0.end }) {
            metrics.lost += 1
            return
        }
        if f.loss > 0, rng.chance(f.loss) {
            metrics.lost += 1
            return
        }
        var delay = Int64(20 + rng.int(0...180))
        if f.reordering > 0, rng.chance(f.reordering) {
            delay += Int64(rng.int(1_000...60_000))
            metrics.reordered += 1
        }
        var m = message
        if f.corruption > 0, rng.chance(f.corruption) {
            m = corrupt(m)
            metrics.corrupted += 1
        }
        schedule(at: now + delay, .deliver(from: from, to: to, m))
        if f.duplication > 0, case .bundle = message, rng.chance(f.duplication) {
            metrics.duplicated += 1
            schedule(at: now + delay + Int64(rng.int(1...5_000)), .deliver(from: from, to: to, message))
        }
    }

    func corrupt(_ m: Message) -> Message {
        func flip(_ b: [UInt8]) -> [UInt8] {
            var b = b
            guard !b.isEmpty else { return b }
            b[rng.int(0...(b.count - 1))] ^= UInt8(1 << rng.int(0...7))
            return b
        }
        switch m {
        case .bundle(let bytes, let attempt, _): return .bundle(bytes: flip(bytes), attempt: attempt, corrupted: true)
        case .receipt(let bytes, let attempt, _): return .receipt(bytes: flip(bytes), attempt: attempt, corrupted: true)
        case .page(let bytes, let attempt, _): return .page(bytes: flip(bytes), attempt: attempt, corrupted: true)
        case .returned(let bytes, let attempt, _): return .returned(bytes: flip(bytes), attempt: attempt, corrupted: true)
        // Not signed: TLS keeps requests and the parent's standing whole.
        case .refusal, .pullRequest, .standingRequest, .returnRequest, .standing: return m
        }
    }

    func deliver(from: Int, to n: SimNode, _ m: Message) throws {
        guard !n.down || (n.recovery != nil && m.answersRecovery) else {
            metrics.lost += 1
            return
        }
        switch m {
        case .bundle(let bytes, let attempt, let corrupted): try receiveBundle(bytes, from: from, at: n, attempt: attempt, corrupted: corrupted)
        case .receipt(let bytes, let attempt, let corrupted): try receiveReceipt(bytes, at: n, attempt: attempt, corrupted: corrupted)
        case .refusal(let attempt):
            // A refused recovery question is asked again when its timer fires.
            guard n.pushAttempt == attempt else { return }
            n.pushAttempt = nil
            n.schedule.record(attemptAt: .milliseconds(local(n)), succeeded: false)
            metrics.pushFailures += 1
            try planPush(n)
        case .pullRequest(let cursor, let controls, let attempt): try servePull(n, child: from, cursor: cursor, controls: controls, attempt: attempt)
        case .page(let bytes, let attempt, let corrupted): try receivePage(bytes, at: n, attempt: attempt, corrupted: corrupted)
        case .standingRequest(let attempt): try answerChild(n, child: from, origin: nil, after: 0, attempt: attempt)
        case .returnRequest(let origin, let after, let attempt): try answerChild(n, child: from, origin: origin, after: after, attempt: attempt)
        case .standing(let bytes, let attempt):
            if n.recovery != nil { return try receiveRecoveryAnswer(bytes, standing: true, at: n, attempt: attempt, corrupted: false) }
            try receiveStanding(bytes, at: n, attempt: attempt)
        case .returned(let bytes, let attempt, let corrupted):
            try receiveRecoveryAnswer(bytes, standing: false, at: n, attempt: attempt, corrupted: corrupted)
        }
    }
}

extension Simulation.Message {
    /// An answer a recovering node (down to everything else) takes.
    var answersRecovery: Bool {
        switch self {
        case .standing, .returned, .refusal: true
        default: false
        }
    }
}
