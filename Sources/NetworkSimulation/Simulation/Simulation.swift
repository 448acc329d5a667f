import ChangeSets
import CreditDomain
import Foundation
import NodePKI
import SampleData
import SyncCore

/// What a simulation runs: how long, from which seed, with which faults and workload.
public struct SimulationOptions: Sendable {
    public var days: Int
    public var seed: UInt64
    public var faults: FaultPlan
    /// The first simulated day (China time); the default is a Monday.
    public var start = CivilDate(year: 2026, month: 3, day: 2)!
    /// Mean rows a node enters per working day, by tier.
    public var rowsPerDay: [Tier: Double] = [.province: 30, .city: 20, .county: 15, .township: 1.5, .village: 0.3]
    /// Share of rows with a fault the validator refuses (错误率), and of late decisions (迟报率).
    public var faultShare = 0.05
    public var lateShare = 0.05
    /// Share of accepted records that later see an objection (then kept, corrected or repaired).
    public var statusShare = 0.08
    /// Share of the province's rows that concern a village (its decisions go down to it).
    public var provinceAboutVillages = 0.6
    /// Share of the rows at county level and above that are of a network-wide kind (black and red
    /// lists are decided by departments at county level and above; every node holds them).
    public var networkWideShare = 0.01
    /// After the last simulated day, how long the network may take to deliver what is in flight.
    public var settleDays = 10

    public init(days: Int, seed: UInt64, faults: FaultPlan = FaultPlan()) {
        self.days = days
        self.seed = seed
        self.faults = faults
    }
}

/// Why a simulation could not run.
public struct SimulationError: Error, Sendable, CustomStringConvertible {
    public var message: String
    public var description: String { message }
}

/// The deterministic simulator (`credit-node simulate`): every node of a topology in one
/// process, in virtual time, over an in-memory network that loses, duplicates, reorders and
/// corrupts messages as the fault plan says. The messages are the real formats — change sets,
/// bundles, receipts and down pages encoded, compressed and signed by `ChangeSets` with each
/// node's own P-256 key and certificate, and verified at every hop — and the nodes follow the
/// runtime's rules (see `SimNode`). Everything random comes from one seeded generator and every
/// tie is broken by scheduling order, so a seed on a commit gives the same report, byte for byte.
public final class Simulation {
    enum Message {
        case bundle(bytes: [UInt8], since: [Int64], attempt: Int, corrupted: Bool)
        case receipt(bytes: [UInt8], attempt: Int, corrupted: Bool)
        case refusal(attempt: Int)
        case pullRequest(cursor: Int, attempt: Int)
        case page(bytes: [UInt8], next: Int, since: [Int64], attempt: Int, corrupted: Bool)
    }

    enum Event {
        case day(Int)
        case ingest(node: Int, rows: Int)
        case status(node: Int, key: String, action: StatusAction, outcome: String?)
        case push(node: Int)
        case pushTimeout(node: Int, attempt: Int)
        case pull(node: Int)
        case pullTimeout(node: Int, attempt: Int)
        case deliver(from: Int, to: Int, Message)
        case down(node: Int)
        case up(node: Int)
        case end
    }

    public let topology: Topology
    public let options: SimulationOptions
    let catalogue: Catalogue
    let kinds: [ResolvedKind]
    let wideKinds: Set<String>
    let wideCandidates: [ResolvedKind]
    let localCandidates: [ResolvedKind]
    let calendar: WorkingCalendar
    var nodes: [SimNode] = []
    var indexOf: [DivisionCode: Int] = [:]
    /// The same, by the code's digits as changes carry them.
    var indexOfDigits: [String: Int] = [:]
    var rng: SeededRandom
    var queue = EventQueue()
    var now: Int64 = 0
    let epoch: Int64
    let endOfWork: Int64
    var signedHeaders: [[UInt8]] = []
    var generators: [String: SampleGenerator] = [:]
    var attempts = 0
    var metrics = Metrics()
    var villages: [Int] = []
    /// Every record accepted anywhere: key → (origin node, kind, jurisdiction).
    var truth: [String: (origin: Int, kind: String, jurisdiction: DivisionCode)] = [:]
    var truthOrder: [String] = []
    var settledAt: Int64?
    /// Called at the start of each simulated day (for progress on a terminal); not part of the report.
    public var onDay: ((_ day: Int, _ records: Int, _ messages: Int) -> Void)?

    public init(topology: Topology, options: SimulationOptions) throws {
        self.topology = topology
        self.options = options
        guard options.days >= 1, options.days <= 3660 else { throw SimulationError(message: "--days must be 1…3660 (got \(options.days))") }
        catalogue = try Catalogue.bundled()
        kinds = try catalogue.resolvedKinds()
        wideKinds = Set(catalogue.kinds.filter(\.networkWide).map(\.slug))
        wideCandidates = kinds.filter { $0.kind.networkWide }
        localCandidates = kinds.filter { !$0.kind.networkWide }
        calendar = try WorkingCalendar.load()
        rng = SeededRandom(seed: options.seed)
        epoch = Int64(options.start.dayNumber) * 86_400_000 - Int64(ChinaTime.offsetSeconds) * 1000
        endOfWork = Int64(options.days) * 86_400_000
        for o in options.faults.outages where !topology.nodes.contains(where: { $0.code == o.node }) {
            throw SimulationError(message: "fault \(o.kind.rawValue)=\(o.node.digits): no such node in topology \(topology.name)")
        }
        for o in options.faults.outages where o.kind == .partition && topology.node(o.node)?.parent == nil {
            throw SimulationError(message: "fault partition=\(o.node.digits): the top node has no link upward to cut")
        }
        // The network's PKI, as `topology certs` issues it: one CA, one key and certificate per node.
        let issued = Date(timeIntervalSince1970: Double(epoch) / 1000 - 7 * 86_400)
        let ca = try NetworkCA.create(now: issued)
        // The nodes trust the same CA and the same (empty) revocation list, so they share one
        // memo of what was verified: a certificate or a header verified at one node is not
        // verified again at the next; corrupted bytes never match and are verified afresh.
        let memo = VerificationMemo()
        let sorted = Self.topDown(topology)
        for (i, n) in sorted.enumerated() {
            indexOf[n.code] = i
            indexOfDigits[n.code.digits] = i
        }
        let childCodes = topology.children
        for (i, n) in sorted.enumerated() {
            var sc = UpwardSchedule.Configuration()
            sc.interval = .seconds(topology.pushIntervalSeconds)
            sc.window = .seconds(topology.window(of: n) * 3600)
            let node = SimNode(
                index: i, code: n.code, name: n.name, parent: n.parent.flatMap { indexOf[$0] }, identity: try ca.issue(code: n.code, name: n.name, now: issued),
                window: Int64(topology.window(of: n)) * 3_600_000, schedule: UpwardSchedule(configuration: sc),
                routes: Routes(children: childCodes[n.code] ?? [], networkWideKinds: wideKinds), trust: try TrustStore(ca: ca.certificate, memo: memo))
            nodes.append(node)
        }
        for node in nodes {
            if let p = node.parent { nodes[p].children.append(node.index) }
            if node.children.isEmpty, node.code.tier == .village { villages.append(node.index) }
            node.region = region(of: node.index)
            if options.faults.skewHours > 0 {
                let range = Int64(options.faults.skewHours * 3_600_000)
                node.skew = Int64(rng.int(0...Int(2 * range))) - range
            }
        }
    }

    /// Parents before children, each level in the topology's order.
    static func topDown(_ topology: Topology) -> [Topology.Node] {
        var children: [DivisionCode: [Topology.Node]] = [:]
        for n in topology.nodes { if let p = n.parent { children[p, default: []].append(n) } }
        var out = topology.nodes.filter { $0.parent == nil }
        var i = 0
        while i < out.count {
            out.append(contentsOf: children[out[i].code] ?? [])
            i += 1
        }
        return out
    }

    func region(of i: Int) -> Int {
        var n = nodes[i]
        while let p = n.parent, nodes[p].parent != nil { n = nodes[p] }
        return n.index
    }

    // MARK: Running

    /// Runs the simulation to its end and returns the report (checks included).
    public func run() throws -> SimulationReport {
        schedule(at: 0, .day(0))
        for node in nodes where node.parent != nil { node.pullPhase = Int64(rng.int(0...(topology.pullIntervalSeconds * 1000 - 1))) }
        metrics.outages = options.faults.outages.count
        for o in options.faults.outages where o.kind == .down {
            guard let i = indexOf[o.node] else { continue }
            schedule(at: o.start, .down(node: i))
            schedule(at: o.end, .up(node: i))
        }
        let limit = endOfWork + Int64(options.settleDays) * 86_400_000
        schedule(at: limit, .end)
        while let next = queue.pop() {
            now = next.time
            if case .end = next.event { break }
            try handle(next.event)
            if now >= endOfWork, !queue.containsWork, isSettled() {
                settledAt = now
                break
            }
        }
        return SimulationReport.make(self)
    }

    static func milliseconds(_ d: Duration) -> Int64 { d.components.seconds * 1000 + d.components.attoseconds / 1_000_000_000_000_000 }

    func schedule(at time: Int64, _ event: Event) {
        queue.push(at: time, event)
    }

    /// Whether the parent's log holds something for `n` after its cursor.
    func hasUnpulled(_ n: SimNode) -> Bool {
        guard let p = n.parent else { return false }
        let log = nodes[p].downLog
        return log[min(n.pullCursor, log.count)...].contains { isFor(n, $0) }
    }

    /// Whether a log entry goes to child `n`: routed to it, or network-wide and not from its subtree.
    func isFor(_ n: SimNode, _ item: SimNode.DownItem) -> Bool {
        item.area == Int32(n.index) || (item.area == -1 && !n.code.contains(nodes[Int(item.originNode)].code))
    }

    /// Nothing waits anywhere: every outbox acknowledged, nothing held, every child's cursor at
    /// its parent's end, nothing in flight, no node down.
    func isSettled() -> Bool {
        for n in nodes {
            if n.down || n.pushAttempt != nil || n.pullAttempt != nil || n.deferredRows > 0 { return false }
            if n.outbox.contains(where: { !$0.acknowledged }) { return false }
            if n.held.values.contains(where: { !$0.isEmpty }) { return false }
            if hasUnpulled(n) { return false }
        }
        return true
    }

    func date(_ trueTime: Int64, node: SimNode) -> Date { Date(timeIntervalSince1970: Double(epoch + trueTime + node.skew) / 1000) }
    func local(_ node: SimNode) -> Int64 { epoch + now + node.skew }

    func handle(_ event: Event) throws {
        switch event {
        case .day(let d): startDay(d)
        case .ingest(let i, let rows): try ingest(nodes[i], rows: rows)
        case .status(let i, let key, let action, let outcome): try enterStatus(nodes[i], key: key, action: action, outcome: outcome)
        case .push(let i): try push(nodes[i])
        case .pushTimeout(let i, let attempt):
            let n = nodes[i]
            guard n.pushAttempt == attempt else { return }
            n.pushAttempt = nil
            n.schedule.record(attemptAt: .milliseconds(local(n)), succeeded: false)
            metrics.pushFailures += 1
            planPush(n)
        case .pull(let i): try pull(nodes[i])
        case .pullTimeout(let i, let attempt):
            if nodes[i].pullAttempt == attempt {
                nodes[i].pullAttempt = nil
                wakePull(nodes[i], later: true)
            }
        case .deliver(let from, let to, let message): try deliver(from: from, to: nodes[to], message)
        case .down(let i):
            nodes[i].down = true
        case .up(let i):
            let n = nodes[i]
            guard n.down, !stillDown(i) else { return }
            n.down = false
            if n.deferredRows > 0 {
                let rows = n.deferredRows
                n.deferredRows = 0
                schedule(at: now + 60_000, .ingest(node: i, rows: rows))
            }
            n.pushAttempt = nil
            n.pullAttempt = nil
            planPush(n)
            wakePull(n)
        case .end: break
        }
    }

    func stillDown(_ i: Int) -> Bool {
        options.faults.outages.contains { $0.kind == .down && indexOf[$0.node] == i && $0.start <= now && now < $0.end }
    }

    // MARK: Workload

    /// Each working day, every node enters a Poisson number of rows at a moment of the office day.
    func startDay(_ d: Int) {
        onDay?(d, truthOrder.count, metrics.messages)
        if d + 1 < options.days { schedule(at: Int64(d + 1) * 86_400_000, .day(d + 1)) }
        let day = options.start.adding(days: d)
        guard (try? calendar.isWorkingDay(day)) ?? !day.isWeekend else { return }
        for n in nodes {
            let rows = poisson(options.rowsPerDay[n.code.tier] ?? 0)
            guard rows > 0 else { continue }
            let at = Int64(d) * 86_400_000 + Int64(9 * 3600 + rng.int(0...(8 * 3600))) * 1000 - n.skew
            schedule(at: max(now, at), .ingest(node: n.index, rows: rows))
        }
    }

    func poisson(_ mean: Double) -> Int {
        guard mean > 0 else { return 0 }
        let limit = exp(-mean)
        var k = 0
        var p = 1.0
        repeat {
            k += 1
            p *= Double(rng.next() >> 11) / Double(1 << 53)
        } while p > limit && k < 1000
        return k - 1
    }

    /// Rows generated for the node (the county's subjects and authorities), validated with the
    /// real validator; the good ones entered as changes and sealed into a signed change set.
    func ingest(_ n: SimNode, rows: Int) throws {
        if n.down {
            n.deferredRows += rows
            return
        }
        let today = ChinaTime.date(date(now, node: n))
        let county = n.code.truncated(to: .county) ?? n.code
        var generator = generators[county.digits] ?? SampleGenerator(SampleGenerator.Options(seed: rng.next(), node: county, asOf: today))
        generator.options.faultShare = options.faultShare
        generator.options.lateShare = options.lateShare
        generator.options.asOf = today
        generator.options.node = n.code
        var changes: [Change] = []
        for _ in 0..<rows {
            let candidates = n.code.tier <= .county && rng.chance(options.networkWideShare) ? wideCandidates : localCandidates
            let kind = candidates[rng.int(0...(candidates.count - 1))]
            generator.options.jurisdictions = []
            if n.parent == nil, !villages.isEmpty, rng.chance(options.provinceAboutVillages) {
                generator.options.jurisdictions = [nodes[villages[rng.int(0...(villages.count - 1))]].code]
            }
            let row = generator.rows(kind: kind, count: 1)[0]
            var validator = RecordValidator(kind: kind, context: ValidationContext(node: n.code, today: today, calendar: calendar))
            metrics.rows[n.region, default: 0] += 1
            guard case .valid(let record) = validator.validate(row.values) else {
                metrics.erroneous[n.region, default: 0] += 1
                continue
            }
            guard truth[record.key] == nil else { continue }  // the same decision entered again: nothing new
            if record.late { metrics.late[n.region, default: 0] += 1 }
            truth[record.key] = (n.index, kind.kind.slug, record.jurisdiction)
            truthOrder.append(record.key)
            let change = Change(
                origin: n.code.digits, seq: n.nextSeq, hlc: n.hlc.tick(nowMilliseconds: local(n)), enteredAtMilliseconds: local(n), op: "put",
                kind: kind.kind.slug, key: record.key, jurisdiction: record.jurisdiction.digits, body: record.fieldsJSON)
            n.nextSeq += 1
            metrics.changesEntered += 1
            changes.append(change)
            if rng.chance(options.statusShare) {
                schedule(at: now + Int64(rng.int(1...5)) * 86_400_000, .status(node: n.index, key: record.key, action: .objectionOpened, outcome: nil))
            }
        }
        generators[county.digits] = generator
        try enter(n, changes)
    }

    /// The record's origin acts on an objection: opens it, then keeps, corrects or repairs.
    func enterStatus(_ n: SimNode, key: String, action: StatusAction, outcome: String?) throws {
        guard !n.down else {
            schedule(at: now + 3_600_000, .status(node: n.index, key: key, action: action, outcome: outcome))
            return
        }
        guard let record = n.records[key], record.state.allows(action), let t = truth[key] else { return }
        let today = ChinaTime.date(date(now, node: n))
        let status = StatusChange(
            action: action, date: today, reason: action == .objectionOpened ? "信用主体提出异议" : "异议核查完毕", unit: n.name, outcome: outcome)
        let change = Change(
            origin: n.code.digits, seq: n.nextSeq, hlc: n.hlc.tick(nowMilliseconds: local(n)), enteredAtMilliseconds: local(n), op: "status", kind: t.kind,
            key: key, jurisdiction: t.jurisdiction.digits, body: status.canonicalBody)
        n.nextSeq += 1
        metrics.statusChanges += 1
        metrics.changesEntered += 1
        // DOMAIN.md §5: a record later corrected counts as erroneous too.
        if action == .objectionClosed, outcome == "corrected" { metrics.corrected[n.region, default: 0] += 1 }
        if action == .objectionOpened {
            let roll = rng.int(0...2)
            let (next, outcome): (StatusAction, String?) = roll == 0 ? (.repaired, nil) : (.objectionClosed, roll == 1 ? "kept" : "corrected")
            schedule(at: now + Int64(rng.int(1...3)) * 86_400_000, .status(node: n.index, key: key, action: next, outcome: outcome))
        }
        try enter(n, [change])
    }

    /// New local changes: applied to the node's records, sealed as the origin's next change set,
    /// queued upward and routed to the children they concern.
    func enter(_ n: SimNode, _ changes: [Change]) throws {
        guard !changes.isEmpty else { return }
        let set = try ChangeSet.build(changes: changes, previousHash: n.lastOwnHash, identity: n.identity, now: date(now, node: n))
        let hash = set.hash
        n.lastOwnHash = hash
        for c in changes {
            n.applyToRecords(c)
            n.applied.insert(changeID(c))
        }
        route(n, changes: changes, set: set, since: now)
        if n.parent != nil {
            n.outbox.append(.init(set, hash: hash, since: now))
            noteBacklog(n)
            planPush(n)
        }
    }

    /// A change's identity across the network: its origin's index and its seq.
    func changeID(_ c: Change) -> Int64 { Int64(indexOfDigits[c.origin] ?? 0) << 40 | c.seq }

    func noteBacklog(_ n: SimNode) {
        let pending = n.pendingChanges
        if pending > n.backlogPeak {
            n.backlogPeak = pending
            n.backlogPeakAt = now
        }
    }

    /// Writes the children's relevance for changes that entered `n` (`Routes.areas`), with the
    /// inclusion proofs they need against the origin's signed header.
    func route(_ n: SimNode, changes: [Change], set: ChangeSet, since: Int64) {
        guard !n.children.isEmpty else { return }
        // Lines, tree and header are made once, when the first change of the set is routed.
        var evidence: (lines: [[UInt8]], tree: MerkleTree, header: Int)?
        for (i, c) in changes.enumerated() {
            for area in n.routes.areas(jurisdiction: c.jurisdiction, kind: c.kind, origin: c.origin) {
                if evidence == nil {
                    let lines = changes.map(lineOf)
                    evidence = (lines, MerkleTree(digests: lines.map { $0.withUnsafeBytes { Merkle.leafDigest($0) } }), signedHeaderIndex(set.signedHeaderBytes))
                }
                guard let e = evidence else { continue }
                let childIndex = area == Routes.everyChild ? -1 : Int32(indexOfDigits[area] ?? -1)
                wakeChildren(n, area: childIndex)
                n.downLog.append(.init(
                    area: childIndex, originNode: Int32(indexOfDigits[c.origin] ?? 0), line: e.lines[i], leafIndex: i, proof: e.tree.proof(index: i),
                    signedHeader: e.header, since: since))
            }
        }
    }

    // MARK: Upward

    /// Asks the node's real schedule what to do now and does it, or sets a timer.
    func planPush(_ n: SimNode) {
        guard n.parent != nil, !n.down, n.pushAttempt == nil else { return }
        let oldest = n.oldestPending.map { Duration.milliseconds(epoch + $0 + n.skew) }
        switch n.schedule.next(now: .milliseconds(local(n)), pending: n.pendingChanges, oldestPendingAt: oldest) {
        case .idle: return
        case .push: schedule(at: now, .push(node: n.index))
        case .wait(let until):
            let at = max(now, Self.milliseconds(until) - epoch - n.skew)
            if let t = n.pushTimerAt, t > now, t <= at { return }
            n.pushTimerAt = at
            schedule(at: at, .push(node: n.index))
        }
    }

    func push(_ n: SimNode) throws {
        guard let p = n.parent, !n.down, n.pushAttempt == nil else { return }
        guard case .push = n.schedule.next(now: .milliseconds(local(n)), pending: n.pendingChanges, oldestPendingAt: n.oldestPending.map { .milliseconds(epoch + $0 + n.skew) })
        else { return planPush(n) }
        n.compactOutbox()
        let sending = Array(n.outbox.lazy.filter { !$0.acknowledged }.prefix(200))
        let bundle = try ChangeBundle.build(sending.map(\.changeSet), identity: n.identity, now: date(now, node: n))
        attempts += 1
        n.pushAttempt = attempts
        metrics.bundles += 1
        send(from: n.index, to: p, .bundle(bytes: bundle.encoded, since: sending.map(\.since), attempt: attempts, corrupted: false))
        schedule(at: now + 120_000, .pushTimeout(node: n.index, attempt: attempts))
    }

    /// The parent's side: verify, authorise, apply exactly once (gaps held), receipt.
    func receiveBundle(_ bytes: [UInt8], since: [Int64], from c: Int, at n: SimNode, attempt: Int, corrupted: Bool) throws {
        let verified: [ChangeSet.Verified]
        let bundleHash: [UInt8]
        do {
            let bundle = try ChangeBundle.decode(bytes)
            verified = try bundle.verify(trust: n.trust, now: date(now, node: n))
            bundleHash = bundle.hash
            guard bundle.sender == nodes[c].code.digits else { throw SimulationError(message: "sender") }
        } catch {
            refused(corrupted: corrupted, what: "bundle from \(nodes[c].code) at \(n.code): \(error)")
            send(from: n.index, to: c, .refusal(attempt: attempt))
            return
        }
        if corrupted { metrics.corruptedAccepted.append("bundle from \(nodes[c].code) at \(n.code)") }
        let origins = verified.compactMap { try? DivisionCode($0.changeSet.header.origin) }
        if let refusal = UpwardAcceptance.check(sender: nodes[c].code, children: n.routes.children, origins: origins) {
            metrics.unexpectedRefusals.append("\(refusal)")
            send(from: n.index, to: c, .refusal(attempt: attempt))
            return
        }
        // A crash in the middle of the apply: the transaction never commits (or commits and the
        // receipt is never sent); the node restarts after `restart` minutes.
        let crash = options.faults.crash > 0 && rng.chance(options.faults.crash)
        let commit = !crash || rng.chance(0.5)
        if commit {
            for (v, t) in zip(verified, since) { try applyUpward(v, since: t, from: c, at: n) }
        }
        if crash {
            metrics.crashes += 1
            n.down = true
            schedule(at: now + Int64(options.faults.restartMinutes) * 60_000, .up(node: n.index))
            return
        }
        var acknowledged: [Receipt.Acknowledged] = []
        for origin in Set(verified.map(\.changeSet.header.origin)).sorted() {
            if let s = n.chains[origin] { acknowledged.append(.init(origin: origin, lastSeq: s.lastSeq, hash: s.lastHash)) }
        }
        let held = verified.compactMap { v -> Receipt.Held? in
            let h = v.changeSet.header
            return n.held[h.origin]?[h.firstSeq] != nil ? Receipt.Held(origin: h.origin, firstSeq: h.firstSeq) : nil
        }
        let receipt = Receipt(
            parent: n.code.digits, child: nodes[c].code.digits, bundleHash: bundleHash, issuedAt: local(n), acknowledged: acknowledged, held: held)
        send(from: n.index, to: c, .receipt(bytes: try receipt.encode(identity: n.identity), attempt: attempt, corrupted: false))
    }

    /// Applies a verified set exactly once, as the store does (`ChainState.fit`): a duplicate is
    /// counted, a set after a gap is held, the next one is applied — and then any held set that
    /// now follows.
    func applyUpward(_ v: ChangeSet.Verified, since: Int64, from c: Int, at n: SimNode) throws {
        var next: (set: ChangeSet.Verified, since: Int64)? = (v, since)
        var fromHeld = false
        while let (set, t) = next {
            let sh = set.changeSet.header
            switch Result(catching: { () throws(ChangeSetError) in try (n.chains[sh.origin] ?? ChainState()).fit(sh) }) {
            case .success(.next): break
            case .success(.duplicate):
                metrics.duplicates += 1
                return
            case .failure(let error) where error.code == .sequenceGap && !fromHeld:
                n.held[sh.origin, default: [:]][sh.firstSeq] = SimNode.HeldSet(verified: set, since: t)
                metrics.held += 1
                return
            case .failure(let error):
                // A broken chain (or a held set that no longer fits) is never applied, and reported.
                metrics.unexpectedRefusals.append("\(n.code): \(error.message)")
                return
            }
            for ch in set.changes {
                if !n.applied.insert(changeID(ch)).inserted { metrics.appliedTwice.append("\(n.code): \(ch.origin) seq \(ch.seq)") }
                n.applyToRecords(ch)
            }
            metrics.hop(from: nodes[c], to: n, latency: now - t, count: set.changes.count, outage: outageLonger(than: nodes[c].window, child: c, parent: n.index, from: t, to: now))
            let hash = set.changeSet.hash
            n.chains[sh.origin] = ChainState(lastSeq: sh.lastSeq, lastHash: hash)
            route(n, changes: set.changes, set: set.changeSet, since: now)
            if n.parent != nil {
                n.outbox.append(.init(set.changeSet, hash: hash, since: now))
                noteBacklog(n)
                planPush(n)
            }
            next = n.held[sh.origin]?.removeValue(forKey: sh.lastSeq + 1).map { ($0.verified, $0.since) }
            fromHeld = true
        }
    }

    /// Whether an injected outage longer than `window` — the child or the parent down, or the
    /// link cut — overlapped the time a change spent on the hop.
    func outageLonger(than window: Int64, child: Int, parent: Int, from: Int64, to: Int64) -> Bool {
        options.faults.outages.contains { o in
            guard o.length > window, o.start < to, o.end > from, let i = indexOf[o.node] else { return false }
            return (o.kind == .down && (i == child || i == parent)) || (o.kind == .partition && i == child)
        }
    }

    /// The child's side: a verified receipt acknowledges the outbox entries it covers.
    func receiveReceipt(_ bytes: [UInt8], at n: SimNode, attempt: Int, corrupted: Bool) {
        guard n.pushAttempt == attempt else { return }
        n.pushAttempt = nil
        let receipt: Receipt
        do { receipt = try Receipt.verify(bytes, trust: n.trust, now: date(now, node: n)) } catch {
            refused(corrupted: corrupted, what: "receipt at \(n.code): \(error)")
            n.schedule.record(attemptAt: .milliseconds(local(n)), succeeded: false)
            planPush(n)
            return
        }
        if corrupted { metrics.corruptedAccepted.append("receipt at \(n.code)") }
        for a in receipt.acknowledged {
            guard let i = n.outbox.firstIndex(where: { $0.origin == a.origin && $0.lastSeq == a.lastSeq }), n.outbox[i].hash == a.hash else { continue }
            for j in n.outbox.indices where n.outbox[j].origin == a.origin && n.outbox[j].lastSeq <= a.lastSeq { n.outbox[j].acknowledged = true }
        }
        n.compactOutbox()
        n.schedule.record(attemptAt: .milliseconds(local(n)), succeeded: true)
        planPush(n)
    }

    func refused(corrupted: Bool, what: String) {
        if corrupted { metrics.corruptedRefused += 1 } else { metrics.unexpectedRefusals.append(what) }
    }

    // MARK: Downward

    /// A child pulls every `pullIntervalSeconds` from its own phase. The simulator only wakes it
    /// at the ticks where its parent's log has grown past its cursor: the ticks in between would
    /// find nothing (the real parent answers them with a signed empty page).
    func wakePull(_ n: SimNode, later: Bool = false) {
        guard n.parent != nil, n.pullAt == nil else { return }
        let interval = Int64(topology.pullIntervalSeconds) * 1000
        let from = later ? now + 1 : now
        let k = from <= n.pullPhase ? 0 : (from - n.pullPhase + interval - 1) / interval
        let at = n.pullPhase + k * interval
        n.pullAt = at
        schedule(at: at, .pull(node: n.index))
    }

    func pull(_ n: SimNode) throws {
        n.pullAt = nil
        guard let p = n.parent else { return }
        guard n.pullCursor < nodes[p].downLog.count else { return }
        guard !n.down, n.pullAttempt == nil else {
            // Down, or a pull still waiting for its page: the next tick tries again.
            n.pullAt = now + Int64(topology.pullIntervalSeconds) * 1000
            schedule(at: n.pullAt!, .pull(node: n.index))
            return
        }
        attempts += 1
        n.pullAttempt = attempts
        send(from: n.index, to: p, .pullRequest(cursor: n.pullCursor, attempt: attempts))
        schedule(at: now + 120_000, .pullTimeout(node: n.index, attempt: attempts))
    }

    func servePull(_ n: SimNode, child c: Int, cursor: Int, attempt: Int) throws {
        let child = nodes[c]
        var sections: [DownBundle.Section] = []
        var sectionOf: [Int: Int] = [:]
        var since: [Int64] = []
        var position = cursor
        while position < n.downLog.count, since.count < 1000 {
            let item = n.downLog[position]
            position += 1
            if isFor(child, item) {
                let entry = DownBundle.Entry(leafIndex: item.leafIndex, line: item.line, proof: item.proof)
                if let s = sectionOf[item.signedHeader] {
                    sections[s].entries.append(entry)
                } else {
                    sectionOf[item.signedHeader] = sections.count
                    sections.append(.init(signedHeader: signedHeaders[item.signedHeader], entries: [entry]))
                }
                since.append(item.since)
            }
        }
        let page = try DownBundle.build(
            identity: n.identity, child: child.code.digits, after: Int64(cursor), next: Int64(position), more: position < n.downLog.count, sections: sections,
            controls: [], now: date(now, node: n))
        metrics.pages += 1
        send(from: n.index, to: c, .page(bytes: page.encoded, next: position, since: since, attempt: attempt, corrupted: false))
    }

    func receivePage(_ bytes: [UInt8], next: Int, since: [Int64], at n: SimNode, attempt: Int, corrupted: Bool) throws {
        guard n.pullAttempt == attempt, let p = n.parent else { return }
        n.pullAttempt = nil
        let verified: [DownBundle.VerifiedChange]
        do {
            let page = try DownBundle.decode(bytes)
            verified = try page.verify(trust: n.trust, parent: nodes[p].code.digits, child: n.code.digits, now: date(now, node: n)) { c in
                Routes.concerns(n.code, origin: c.origin, kind: c.kind, jurisdiction: c.jurisdiction, networkWideKinds: wideKinds)
            }
            guard page.next == Int64(next) else { throw SimulationError(message: "cursor") }
        } catch {
            refused(corrupted: corrupted, what: "down page at \(n.code): \(error)")
            wakePull(n, later: true)
            return
        }
        if corrupted { metrics.corruptedAccepted.append("down page at \(n.code)") }
        // The page and the cursor in one transaction; changes already held are duplicates.
        for (i, v) in verified.enumerated() {
            guard n.applied.insert(changeID(v.change)).inserted else { continue }
            n.applyToRecords(v.change)
            metrics.downHop(from: nodes[p], to: n, latency: now - since[i])
            for area in n.routes.areas(jurisdiction: v.change.jurisdiction, kind: v.change.kind, origin: v.change.origin) {
                let key = signedHeaderIndex(v.signedHeader)
                let childIndex = area == Routes.everyChild ? -1 : Int32(indexOfDigits[area] ?? -1)
                wakeChildren(n, area: childIndex)
                n.downLog.append(.init(
                    area: childIndex, originNode: Int32(indexOfDigits[v.change.origin] ?? 0), line: lineOf(v.change), leafIndex: v.leafIndex,
                    proof: v.proof, signedHeader: key, since: now))
            }
        }
        n.pullCursor = next
        if hasUnpulled(n) { wakePull(n, later: true) }
    }

    func wakeChildren(_ n: SimNode, area: Int32) {
        if area >= 0 {
            wakePull(nodes[Int(area)])
        } else {
            for c in n.children { wakePull(nodes[c]) }
        }
    }

    /// Signed headers are kept once, however many nodes pass them down.
    var headerIndex: [ByteKey: Int] = [:]
    func signedHeaderIndex(_ bytes: [UInt8]) -> Int {
        if let i = headerIndex[ByteKey(bytes: bytes)] { return i }
        signedHeaders.append(bytes)
        headerIndex[ByteKey(bytes: bytes)] = signedHeaders.count - 1
        return signedHeaders.count - 1
    }

    func lineOf(_ c: Change) -> [UInt8] {
        var line: [UInt8] = []
        c.appendCanonicalLine(to: &line)
        return line
    }

    // MARK: The network

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
        case .bundle(let bytes, let since, let attempt, _): return .bundle(bytes: flip(bytes), since: since, attempt: attempt, corrupted: true)
        case .receipt(let bytes, let attempt, _): return .receipt(bytes: flip(bytes), attempt: attempt, corrupted: true)
        case .page(let bytes, let next, let since, let attempt, _): return .page(bytes: flip(bytes), next: next, since: since, attempt: attempt, corrupted: true)
        case .refusal, .pullRequest: return m
        }
    }

    func deliver(from: Int, to n: SimNode, _ m: Message) throws {
        guard !n.down else {
            metrics.lost += 1
            return
        }
        switch m {
        case .bundle(let bytes, let since, let attempt, let corrupted): try receiveBundle(bytes, since: since, from: from, at: n, attempt: attempt, corrupted: corrupted)
        case .receipt(let bytes, let attempt, let corrupted): receiveReceipt(bytes, at: n, attempt: attempt, corrupted: corrupted)
        case .refusal(let attempt):
            guard n.pushAttempt == attempt else { return }
            n.pushAttempt = nil
            n.schedule.record(attemptAt: .milliseconds(local(n)), succeeded: false)
            metrics.pushFailures += 1
            planPush(n)
        case .pullRequest(let cursor, let attempt): try servePull(n, child: from, cursor: cursor, attempt: attempt)
        case .page(let bytes, let next, let since, let attempt, let corrupted): try receivePage(bytes, next: next, since: since, at: n, attempt: attempt, corrupted: corrupted)
        }
    }
}

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

    /// Whether anything but the working days and the end is still to happen (a pull is only
    /// scheduled when there is something to pull, so it counts).
    var containsWork: Bool { work > 0 }

    static func isWork(_ e: Simulation.Event) -> Bool {
        switch e {
        case .end, .day: false
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
