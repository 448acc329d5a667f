import ChangeSets
import CreditStore
import CreditDomain
import Foundation
import NodePKI
import NodeRuntime
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
    /// Share of accepted records about a village later corrected to name another village of the
    /// same county as their 所属行政区划 — by the county or by that village (a 错报 of the area):
    /// every node that held the record must come to hold the correction.
    public var moveShare = 0.02
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
/// corrupts messages as the fault plan says. Each node is the production node (`SimNode`): its
/// own SQLite store, and the same intake, acknowledgement, downward serving and applying, record
/// apply and push schedule that `serve` runs — the simulator only supplies the clock, carries
/// the bytes, and injects the faults (a crash is a real transaction failing to commit, or the
/// process lost between the commit and the receipt). Everything random comes from one seeded
/// generator and every tie is broken by scheduling order, so a seed on a commit gives the same
/// report, byte for byte.
public final class Simulation {
    enum Message {
        case bundle(bytes: [UInt8], attempt: Int, corrupted: Bool)
        case receipt(bytes: [UInt8], attempt: Int, corrupted: Bool)
        case refusal(attempt: Int)
        case pullRequest(cursor: Int64, controls: String, attempt: Int)
        case page(bytes: [UInt8], attempt: Int, corrupted: Bool)
        /// A child's question where the parent stands with its subtree (after a heartbeat, or
        /// recovering), and a recovering child's for the sets of `origin` after `after`; and the
        /// parent's answers.
        case standingRequest(attempt: Int)
        case returnRequest(origin: String, after: Int64, attempt: Int)
        case standing(bytes: [UInt8], attempt: Int)
        case returned(bytes: [UInt8], attempt: Int, corrupted: Bool)
    }

    enum Event {
        case day(Int)
        case ingest(node: Int, rows: Int)
        case status(node: Int, key: String, action: StatusAction, outcome: String?)
        /// A correction of record `key` naming village `to` as its area, entered at `node`.
        case move(node: Int, key: String, to: Int)
        /// The top's offices enter again what its lost disk held past its backup.
        case enterAgain(node: Int)
        case push(node: Int)
        /// A push timer set with nothing pending: the health record's heartbeat. Not work: a
        /// network whose only timers are heartbeats has settled.
        case heartbeat(node: Int)
        case pushTimeout(node: Int, attempt: Int)
        case pull(node: Int)
        case pullTimeout(node: Int, attempt: Int)
        case deliver(from: Int, to: Int, Message)
        case down(node: Int)
        /// The node's disk is lost (it is down until its `up`, then recovers), its newest backup
        /// restored or not.
        case lose(node: Int, restoring: Bool)
        /// The daily backup of a node whose disk a `restore` fault loses.
        case backup(node: Int)
        case recoveryTimeout(node: Int, attempt: Int)
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
    var rng: SeededRandom
    var queue = EventQueue()
    var now: Int64 = 0
    let epoch: Int64
    let endOfWork: Int64
    var generators: [String: SampleGenerator] = [:]
    var attempts = 0
    var metrics = Metrics()
    var villages: [Int] = []
    /// Every record accepted anywhere: key → (origin node, kind, every area its versions named).
    var truth: [String: (origin: Int, kind: String, jurisdictions: [DivisionCode])] = [:]
    var truthOrder: [String] = []
    var settledAt: Int64?
    /// The directory holding every node's store, removed with the simulation.
    let directory: URL
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
        epoch = ChinaTime.milliseconds(startOf: options.start)
        endOfWork = Int64(options.days) * 86_400_000
        for o in options.faults.outages where !topology.nodes.contains(where: { $0.code == o.node }) {
            throw SimulationError(message: "fault \(o.kind.rawValue)=\(o.node.digits): no such node in topology \(topology.name)")
        }
        for o in options.faults.outages where o.kind == .partition && topology.node(o.node)?.parent == nil {
            throw SimulationError(message: "fault partition=\(o.node.digits): the top node has no link upward to cut")
        }
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("creditnet-simulation-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        do { try openNodes() } catch {
            try? FileManager.default.removeItem(at: directory)
            throw error
        }
    }

    deinit {
        nodes.removeAll()
        try? FileManager.default.removeItem(at: directory)
    }

    /// Every node of the topology as a production node with its own store, identity and trust.
    private func openNodes() throws {
        // The network's PKI, as `topology certs` issues it: one CA, one key and certificate per node.
        let issued = Date(timeIntervalSince1970: Double(epoch) / 1000 - 7 * 86_400)
        let ca = try NetworkCA.create(now: issued)
        // The nodes trust the same CA and the same (empty) revocation list, so they share one
        // memo of what was verified: a certificate or a header verified at one node is not
        // verified again at the next; corrupted bytes never match and are verified afresh.
        let memo = VerificationMemo()
        let sorted = Self.topDown(topology)
        for (i, n) in sorted.enumerated() { indexOf[n.code] = i }
        let childCodes = topology.children
        for (i, n) in sorted.enumerated() {
            var c = NodeConfiguration(code: n.code, dataDirectory: directory.appendingPathComponent(n.code.digits).path)
            c.name = n.name
            c.children = childCodes[n.code] ?? []
            if let p = n.parent { c.parent = .init(url: "https://\(p.digits).simulated:443", code: p) }
            c.windowHours = topology.window(of: n)
            c.pushIntervalSeconds = topology.pushIntervalSeconds
            c.windowSeconds = n.windowSeconds
            // A heartbeat every push interval at every node would multiply the pushes of a
            // province-wide run; simulated nodes report once a day unless the topology says (their
            // health also rides every push with changes). PERFORMANCE.md, session 16.
            c.heartbeatSeconds = topology.heartbeatSeconds ?? 86_400
            c.pullIntervalSeconds = topology.pullIntervalSeconds
            let credentials = NodeCredentials(
                identity: try ca.issue(code: n.code, name: n.name, now: issued), trust: try TrustStore(ca: ca.certificate, memo: memo))
            nodes.append(
                try SimNode(
                    index: i, parent: n.parent.flatMap { indexOf[$0] }, configuration: c, credentials: credentials,
                    window: Int64(c.effectiveWindowSeconds) * 1000))
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
        for o in options.faults.outages where o.downs {
            guard let i = indexOf[o.node] else { continue }
            schedule(at: o.start, o.losesDisk ? .lose(node: i, restoring: o.kind == .restore) : .down(node: i))
            schedule(at: o.end, .up(node: i))
        }
        let limit = endOfWork + Int64(options.settleDays) * 86_400_000
        // A backup at 02:30 on its clock every day, of each node a `restore` fault names.
        for i in Set(options.faults.outages.filter { $0.kind == .restore }.compactMap { indexOf[$0.node] }).sorted() {
            for day in stride(from: Int64(0), to: limit, by: 86_400_000) { schedule(at: max(0, day + 9_000_000 - nodes[i].skew), .backup(node: i)) }
        }
        schedule(at: limit, .end)
        while let next = queue.pop() {
            now = next.time
            if case .end = next.event { break }
            try handle(next.event)
            if now >= endOfWork, !queue.containsWork, try isSettled() {
                settledAt = now
                break
            }
        }
        return try SimulationReport.make(self)
    }

    static func milliseconds(_ d: Duration) -> Int64 { d.components.seconds * 1000 + d.components.attoseconds / 1_000_000_000_000_000 }

    func schedule(at time: Int64, _ event: Event) {
        queue.push(at: time, event)
    }

    /// Nothing waits anywhere: no node down or waiting for an answer, every change acknowledged
    /// upward, nothing held or queued to apply, every child's cursor past what concerns it.
    func isSettled() throws -> Bool {
        for n in nodes {
            if n.down || n.pushAttempt != nil || n.pullAttempt != nil || n.deferredRows > 0 { return false }
            if n.parent != nil, PushLoop.backlog(n.node).pending > 0 { return false }
            if try n.node.store.heldSetCount() > 0 || n.node.sync.queued().sets > 0 { return false }
            if try hasUnpulled(n) { return false }
        }
        return true
    }

    /// The node's clock: true time plus its skew, as the production code reads it.
    func date(_ trueTime: Int64, node: SimNode) -> Date { Date(timeIntervalSince1970: Double(epoch + trueTime + node.skew) / 1000) }
    func local(_ node: SimNode) -> Int64 { epoch + now + node.skew }

    func handle(_ event: Event) throws {
        switch event {
        case .day(let d): startDay(d)
        case .ingest(let i, let rows): try ingest(nodes[i], rows: rows)
        case .status(let i, let key, let action, let outcome): try enterStatus(nodes[i], key: key, action: action, outcome: outcome)
        case .move(let i, let key, let to): try enterMove(nodes[i], key: key, to: nodes[to])
        case .enterAgain(let i): try enterAgain(nodes[i])
        case .push(let i), .heartbeat(let i): try push(nodes[i])
        case .pushTimeout(let i, let attempt):
            let n = nodes[i]
            guard n.pushAttempt == attempt else { return }
            n.pushAttempt = nil
            n.schedule.record(attemptAt: .milliseconds(local(n)), succeeded: false)
            metrics.pushFailures += 1
            try planPush(n)
        case .pull(let i): try pull(nodes[i])
        case .pullTimeout(let i, let attempt):
            if nodes[i].pullAttempt == attempt {
                nodes[i].pullAttempt = nil
                wakePull(nodes[i], later: true)
            }
        case .deliver(let from, let to, let message): try deliver(from: from, to: nodes[to], message)
        case .down(let i):
            nodes[i].down = true
        case .lose(let i, let restoring): try loseDisk(nodes[i], restoring: restoring)
        case .backup(let i):
            // A node down takes no backup (the cron job fails); the last one stays.
            if !nodes[i].down { try nodes[i].takeBackup() }
        case .recoveryTimeout(let i, let attempt):
            if nodes[i].recovery?.attempt == attempt { askParent(nodes[i]) }
        case .up(let i):
            let n = nodes[i]
            guard n.down, !stillDown(i), n.recovery?.attempt == nil else { return }
            // A disk lost: the node recovers from its parent first, and comes up when that ends.
            if n.recovery != nil { return try startRecovery(n) }
            // The process starts again: its store reopened, what was accepted and not applied applied.
            try n.restart()
            try cameUp(n)
        case .end: break
        }
    }

    /// The node is up again: the rows entered meanwhile, its push and pull, its children's pulls.
    func cameUp(_ n: SimNode) throws {
        n.down = false
        if n.deferredRows > 0 {
            let rows = n.deferredRows
            n.deferredRows = 0
            schedule(at: now + 60_000, .ingest(node: n.index, rows: rows))
        }
        n.pushAttempt = nil
        n.pullAttempt = nil
        try planPush(n)
        wakePull(n)
        try wakeChildren(n)
    }

    func stillDown(_ i: Int) -> Bool {
        options.faults.outages.contains { $0.downs && indexOf[$0.node] == i && $0.start <= now && now < $0.end }
    }

    /// Takes a node down after a crash; it restarts after the plan's `restart` minutes.
    func crash(_ n: SimNode) {
        metrics.crashes += 1
        n.faults.clear()
        n.down = true
        schedule(at: now + Int64(options.faults.restartMinutes) * 60_000, .up(node: n.index))
    }
}
