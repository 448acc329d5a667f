import ArgumentParser
import CreditDomain
import CreditStore
import Foundation
import NetworkSimulation
import NodeRuntime
import SampleData
import SyncCore

/// Where `up` keeps a local network: each node's configuration, store, log and pid file.
struct NetworkOptions: ParsableArguments {
    @Argument(help: "The topology file.") var file: String
    @Option(help: "The directory for the nodes' data (default: .creditnet/NAME).") var dir: String?
    @Option(help: "The certificate directory.") var certs = "Certs"

    func root(_ t: Topology) -> URL { URL(fileURLWithPath: dir ?? ".creditnet/\(t.name)") }
    func node(_ t: Topology, _ code: DivisionCode) -> URL { root(t).appendingPathComponent(code.digits) }
}

struct Up: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract:
            "Start a topology on this machine: certificates into Certs/ if missing, every node's configuration, one `credit-node serve` per node on its loopback port."
    )

    @OptionGroup var network: NetworkOptions
    @Option(help: "Keep showing the network's status for this many seconds once it is up.") var follow = 0

    /// Each node's portal listens on its sync port plus this.
    static let portalOffset = 100
    /// Each node's records listener — departments' uploads and the operators' pages, local only —
    /// on its sync port plus this.
    static let recordsOffset = 200

    func run() throws {
        LoggingSetup.bootstrap(level: .warning)
        try guarded {
            let t = try loadTopology(network.file)
            let certs = NetworkCertificates(directory: URL(fileURLWithPath: network.certs))
            let issued = try certs.ensure(t)
            let configs = t.configurations(
                root: network.root(t), identity: { certs.identity($0).standardizedFileURL.path }, portalOffset: Self.portalOffset,
                recordsOffset: Self.recordsOffset)
            // The topology's names go down the network as its division directory, from the top,
            // with each node's portal as its 信用 site (unless the topology gives one): the sites
            // link each other.
            if let top = configs.first(where: { $0.parent == nil }) {
                let portals = Dictionary(configs.compactMap { c in c.portal.map { (c.code, "\(c.portalTLS ? "https" : "http")://\($0)/") } }) {
                    a, _ in a
                }
                _ = try certs.signDivisions(t, into: URL(fileURLWithPath: top.controlDirectory), sites: portals)
            }
            let me = URL(fileURLWithPath: CommandLine.arguments[0]).standardizedFileURL.path
            var started = 0
            // Where each node started now begins writing in its log: it is up when, after that, it
            // says its sync listener is bound — not merely when something answers on its port.
            var startedLogs: [(config: NodeConfiguration, log: URL, offset: Int, pid: pid_t)] = []
            for c in configs {
                try FileManager.default.createDirectory(atPath: c.dataDirectory, withIntermediateDirectories: true)
                let yaml = URL(fileURLWithPath: c.dataDirectory).appendingPathComponent("node.yaml")
                try Data(c.yaml().utf8).write(to: yaml, options: .atomic)
                let pidFile = URL(fileURLWithPath: c.dataDirectory).appendingPathComponent("serve.pid")
                if Self.runningPID(pidFile) != nil { continue }
                let log = URL(fileURLWithPath: c.dataDirectory).appendingPathComponent("serve.log")
                // A process group of its own: the node lives on after `up` returns and is not hit
                // by the terminal's Ctrl-C or hang-up; its pid is the one `down` stops.
                let offset = FileManager.default.contents(atPath: log.path)?.count ?? 0
                let pid = try Self.spawnDetached(me, ["serve", "--config", yaml.path, "--log-level", "info"], log: log.path)
                try Data("\(pid)\n".utf8).write(to: pidFile, options: .atomic)
                startedLogs.append((c, log, offset, pid))
                started += 1
            }
            // Ready when every listener accepts connections.
            let deadline = Date().addingTimeInterval(60)
            var waiting = t.nodes.compactMap(\.address)
            while !waiting.isEmpty && Date() < deadline {
                waiting = waiting.filter { !Self.accepts($0) }
                if !waiting.isEmpty { Thread.sleep(forTimeInterval: 0.2) }
            }
            guard waiting.isEmpty else {
                throw ExitFailure(
                    message:
                        "\(waiting.count) node(s) did not start listening within 60 s (\(waiting.prefix(3).joined(separator: ", "))…); see their serve.log under \(network.root(t).path)",
                    code: 69)
            }
            // Something answering on a node's port is not that node: another process (another
            // network left running) may hold it, and the node, unable to listen, exits.
            var unbound = startedLogs
            var exited = Set<pid_t>()
            while !unbound.isEmpty && Date() < deadline {
                unbound = unbound.filter { s in
                    let text = FileManager.default.contents(atPath: s.log.path).map { String(decoding: $0.dropFirst(s.offset), as: UTF8.self) } ?? ""
                    // Every listener of the node says it is bound (a port shared with another
                    // process may let one bind and the next fail).
                    var expected = ["sync listener on"]
                    if s.config.recordsListen != nil { expected.append("records listener on") }
                    if s.config.portal != nil { expected.append("credit portal on") }
                    if Self.exited(s.pid) {
                        exited.insert(s.pid)
                        return false
                    }
                    return !expected.allSatisfy { text.contains($0) }
                }
                if !unbound.isEmpty { Thread.sleep(forTimeInterval: 0.2) }
            }
            let gone = startedLogs.filter { exited.contains($0.pid) || Self.exited($0.pid) }
            if let first = gone.first?.config {
                throw ExitFailure(
                    message:
                        "\(gone.count) node(s) exited after starting (\(gone.prefix(3).map(\.config.code.digits).joined(separator: ", "))…): is another process using their ports (\(first.listen ?? "?"))? Stop it (another network: credit-node down TOPOLOGY --dir …) and see \(first.dataDirectory)/serve.log",
                    code: 69)
            }
            print(
                "Network \(t.name) is up: \(t.nodes.count) nodes (\(started) started now, \(t.nodes.count - started) running already), \(issued) certificate(s) issued, data in \(network.root(t).path)"
            )
            try NetworkStatus.print(t, network: network)
            var remaining = follow
            while remaining > 0 {
                Thread.sleep(forTimeInterval: 2)
                remaining -= 2
                print("")
                try NetworkStatus.print(t, network: network)
            }
            // The 信用X sites of the province, one county and one village.
            let shown = [Tier.province, .county, .village].compactMap { tier in configs.first { $0.code.tier == tier } }
            if !shown.isEmpty {
                print("Credit portals (every node serves its own area):")
                for c in shown {
                    if let p = c.portal {
                        print("  \(c.code.tier.name.padding(toLength: 9, withPad: " ", startingAt: 0)) \(c.name ?? c.code.digits): http://\(p)/")
                    }
                }
            }
            // The operators' side of the top of the network: the whole picture.
            if let top = configs.first(where: { $0.parent == nil }), let r = top.recordsListen {
                print(
                    "Operators' dashboard of \(top.name ?? top.code.digits) (local only): http://\(r)/ops/  ·  四率: http://\(r)/ops/quality  ·  定期通报: http://\(r)/ops/bulletin  ·  四率走势: http://\(r)/ops/trend  ·  网络运行: http://\(r)/ops/network"
                )
            }
            print("Stop it with: credit-node down \(network.file)\(network.dir.map { " --dir \($0)" } ?? "")")
        }
    }

    /// Starts `executable` in a process group of its own, hang-ups ignored, standard output and
    /// error appended to `log`, standard input from /dev/null; returns its pid. It stays in the
    /// caller's session: the nodes of a network started together share one scheduling group
    /// (Linux autogroup), so each node's thread priorities count across the whole local network
    /// — a node applying its own copy at low priority yields to another forwarding — as they do
    /// on a machine of its own; a session per node would give every process an equal share.
    static func spawnDetached(_ executable: String, _ arguments: [String], log: String) throws -> pid_t {
        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETPGROUP))
        posix_spawnattr_setpgroup(&attributes, 0)
        // Ignored here, ignored in the child after exec: closing the terminal does not stop it.
        signal(SIGHUP, SIG_IGN)
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, log, O_WRONLY | O_CREAT | O_APPEND, 0o644)
        posix_spawn_file_actions_adddup2(&actions, 1, 2)
        // Nothing else is inherited: a pipe of whoever started `up` held open by a node would keep
        // that caller waiting for its end.
        let open = (try? FileManager.default.contentsOfDirectory(atPath: "/proc/self/fd"))?.compactMap { Int32($0) } ?? []
        for fd in open where fd > 2 && fcntl(fd, F_GETFD) >= 0 { posix_spawn_file_actions_addclose(&actions, fd) }
        let argv = ([executable] + arguments).map { strdup($0) } + [nil]
        defer { for a in argv { free(a) } }
        var pid: pid_t = 0
        let rc = posix_spawn(&pid, executable, &actions, &attributes, argv, environ)
        guard rc == 0 else { throw ExitFailure(message: "cannot start \(executable): \(String(cString: strerror(rc)))", code: 69) }
        return pid
    }

    /// Whether a node this process started has exited, reaping it (until then `kill(pid, 0)`
    /// still finds it, as a zombie); true only once per process.
    static func exited(_ pid: pid_t) -> Bool {
        var status: Int32 = 0
        return waitpid(pid, &status, WNOHANG) == pid
    }

    static func runningPID(_ pidFile: URL) -> Int32? {
        guard let text = try? String(contentsOf: pidFile, encoding: .utf8), let pid = Int32(text.trimmingCharacters(in: .whitespacesAndNewlines)),
            kill(pid, 0) == 0
        else {
            return nil
        }
        return pid
    }

    /// Whether something accepts TCP connections at `host:port` (or `[IPv6]:port`), at any of
    /// the addresses the host resolves to.
    static func accepts(_ address: String) -> Bool {
        guard let target = try? HostPort.parse(address).get() else { return false }
        var hints = addrinfo()
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        hints.ai_flags = AI_NUMERICSERV
        var found: UnsafeMutablePointer<addrinfo>?
        guard getaddrinfo(target.host, String(target.port), &hints, &found) == 0, let first = found else { return false }
        defer { freeaddrinfo(first) }
        var next: UnsafeMutablePointer<addrinfo>? = first
        while let a = next {
            let fd = socket(a.pointee.ai_family, a.pointee.ai_socktype, a.pointee.ai_protocol)
            if fd >= 0 {
                defer { close(fd) }
                if connect(fd, a.pointee.ai_addr, a.pointee.ai_addrlen) == 0 { return true }
            }
            next = a.pointee.ai_next
        }
        return false
    }
}

struct Down: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Stop a topology's nodes started by `up` (SIGTERM, then SIGKILL after 10 s); their data stays.")

    @OptionGroup var network: NetworkOptions
    @Option(name: .customLong("node"), help: "Stop only this node (repeatable); `up` starts it again.") var only: [String] = []

    func run() throws {
        try guarded {
            let t = try loadTopology(network.file)
            let known = Set(t.nodes.map(\.code.digits))
            if let unknown = only.first(where: { !known.contains($0) }) {
                throw ExitFailure(message: "--node \(unknown): no such node in \(network.file)", code: 64)
            }
            var stopped: [(DivisionCode, Int32)] = []
            for n in t.nodes where only.isEmpty || only.contains(n.code.digits) {
                let pidFile = network.node(t, n.code).appendingPathComponent("serve.pid")
                guard let pid = Up.runningPID(pidFile) else {
                    try? FileManager.default.removeItem(at: pidFile)
                    continue
                }
                kill(pid, SIGTERM)
                stopped.append((n.code, pid))
            }
            let deadline = Date().addingTimeInterval(10)
            while stopped.contains(where: { kill($0.1, 0) == 0 }) && Date() < deadline { Thread.sleep(forTimeInterval: 0.1) }
            var killed = 0
            for (code, pid) in stopped {
                if kill(pid, 0) == 0 {
                    kill(pid, SIGKILL)
                    killed += 1
                }
                try? FileManager.default.removeItem(at: network.node(t, code).appendingPathComponent("serve.pid"))
            }
            print(
                "Network \(t.name): stopped \(stopped.count) node(s)\(killed > 0 ? " (\(killed) killed after 10 s)" : ""); data kept in \(network.root(t).path)"
            )
        }
    }
}

struct Load: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract:
            "Feed generated records into a running topology: villages, townships and counties record their own decisions; the province decides about companies in villages."
    )

    @OptionGroup var network: NetworkOptions
    @Option(help: "Records in all.") var records = 2000
    @Option(help: "Random seed.") var seed: UInt64 = 1
    @Option(help: "Share decided at the province about subjects in villages.") var provinceShare = 0.1
    @Option(
        help:
            "Then follow the first village's records up to the top and the top's decisions about it down, for at most this many seconds, printing each hop's arrival."
    )
    var follow = 0

    /// The kinds a node's generated decisions are of, with their shares; penalties take the rest.
    static let mix: [(String, Double)] = [
        ("license", 0.3), ("redlist", 0.04), ("blacklist", 0.04), ("reward", 0.03), ("commitment", 0.04), ("penalty", 1.0),
    ]

    func run() throws {
        LoggingSetup.bootstrap(level: .warning)
        try guarded {
            let t = try loadTopology(network.file)
            let villages = t.nodes.filter { $0.tier == .village }
            let local = t.nodes.filter { [.village, .township, .county].contains($0.tier) }
            guard !local.isEmpty else { throw ExitFailure(message: "the topology has no villages, townships or counties to load", code: 65) }
            let top = t.nodes.first { $0.parent == nil }!
            let atTop = villages.isEmpty ? 0 : Int(Double(records) * provinceShare)
            // Villages carry most of the volume (3 shares each), townships and counties one each.
            let weights = local.map { $0.tier == .village ? 3 : 1 }
            let total = weights.reduce(0, +)
            var plan: [(Topology.Node, Int, DivisionCode?)] = []
            var left = records - atTop
            for (i, n) in local.enumerated() {
                let count = i == local.count - 1 ? left : (records - atTop) * weights[i] / total
                plan.append((n, count, nil))
                left -= count
            }
            for (i, v) in villages.enumerated() {
                let count = atTop / villages.count + (i < atTop % villages.count ? 1 : 0)
                if count > 0 { plan.append((top, count, v.code)) }
            }
            let today = ChinaTime.date(Date())
            var totals = (accepted: 0, updated: 0, duplicates: 0, rejected: 0)
            // A county's departments are one set of bodies — one credit code each, numbering their
            // decisions in one series — whichever of the county's nodes a decision is reported at:
            // each node's generator takes them from the county's first.
            var bodies: [String: SampleGenerator] = [:]
            for (i, (n, count, about)) in plan.enumerated() where count > 0 {
                let config = try NodeConfiguration.load(path: network.node(t, n.code).appendingPathComponent("node.yaml").path)
                let context = try NodeContext(configuration: config)
                var options = SampleGenerator.Options(seed: seed &+ UInt64(i), node: n.code, asOf: today)
                options.faultShare = 0.02
                if let about { options.jurisdictions = [about] }
                var generator = SampleGenerator(options)
                if let county = bodies[n.code.countyPrefix] { generator.adoptBodies(of: county) }
                defer { bodies[n.code.countyPrefix] = generator }
                // A node's own decisions are of several kinds (the 双公示 pair and the lists); the
                // top's decisions about villages are penalties.
                var left = count
                for (slug, share) in about == nil ? Self.mix : [("penalty", 1.0)] where left > 0 {
                    let rows = slug == "penalty" ? left : min(left, Int((Double(count) * share).rounded()))
                    left -= rows
                    guard rows > 0 else { continue }
                    let kind = try context.catalogue.kind(named: slug)
                    let csv = SampleGenerator.csv(kind: kind, rows: generator.rows(kind: kind, count: rows), header: .codes)
                    let report = try FileIngestion(node: context).ingest(
                        bytes: Array(csv.utf8), name: "load \(n.code) \(slug)", kind: slug, format: .csv, actor: .commandLine)
                    totals.accepted += report.accepted
                    totals.updated += report.updated
                    totals.duplicates += report.duplicates
                    totals.rejected += report.rejected
                }
            }
            // Each outcome counted as the ingest reported it: a row is new, a new version, already
            // held, or refused into quarantine — never one taken for another.
            print(
                "Loaded \(records) generated rows into \(Set(plan.map(\.0.code)).count) nodes: \(totals.accepted) new records, \(totals.updated) new versions, \(totals.duplicates) already held, \(totals.rejected) refused into quarantine; \(atTop) decided at \(top.code) about companies in villages"
            )
            if follow > 0, let village = villages.first { try trace(t, village: village, top: top, seconds: follow) }
        }
    }

    /// Polls the stores along the village's chain until its records are at the top and the top's
    /// decisions about it are in the village, printing when each hop has them all.
    func trace(_ t: Topology, village: Topology.Node, top: Topology.Node, seconds: Int) throws {
        var chain = [village]
        while let p = chain.last?.parent, let parent = t.node(p) { chain.append(parent) }
        func store(_ n: Topology.Node) throws -> NodeStore {
            try NodeStore(path: network.node(t, n.code).appendingPathComponent("node.sqlite").path, node: n.code)
        }
        let stores = try chain.map(store)
        let upTotal = try stores[0].changeCount(origin: village.code.digits)
        let downTotal = try stores.last!.changeCount(origin: top.code.digits, jurisdiction: village.code.digits)
        print(
            "Following \(village.code) \(village.name): its \(upTotal) changes up to \(top.code) \(top.name), and \(downTotal) decisions of \(top.code) about it down"
        )
        let start = Date()
        var upSeen = Array(repeating: false, count: chain.count)
        var downSeen = Array(repeating: false, count: chain.count)
        upSeen[0] = true
        downSeen[chain.count - 1] = true
        while Date().timeIntervalSince(start) < Double(seconds) && !(upSeen.allSatisfy { $0 } && downSeen.allSatisfy { $0 }) {
            let elapsed = String(format: "%5.1f s", Date().timeIntervalSince(start))
            for (i, n) in chain.enumerated() {
                if !upSeen[i], try stores[i].changeCount(origin: village.code.digits) >= upTotal {
                    upSeen[i] = true
                    print("  \(elapsed)  up    \(village.code) → \(n.code) \(n.tier.name) \(n.name): all \(upTotal)")
                }
                if !downSeen[i], try stores[i].changeCount(origin: top.code.digits, jurisdiction: village.code.digits) >= downTotal {
                    downSeen[i] = true
                    print("  \(elapsed)  down  \(top.code) → \(n.code) \(n.tier.name) \(n.name): all \(downTotal)")
                }
            }
            Thread.sleep(forTimeInterval: 0.25)
        }
        guard upSeen.allSatisfy({ $0 }) && downSeen.allSatisfy({ $0 }) else {
            throw ExitFailure(message: "not converged within \(seconds) s; see the nodes' serve.log under \(network.root(t).path)", code: 1)
        }
    }
}

/// A table of every node's records and pending changes, read from the stores.
enum NetworkStatus {
    static func print(_ t: Topology, network: NetworkOptions) throws {
        Swift.print("node          tier      name          records  changes  pending-up  running")
        for n in t.nodes {
            let dir = network.node(t, n.code)
            let running = Up.runningPID(dir.appendingPathComponent("serve.pid")) != nil
            guard FileManager.default.fileExists(atPath: dir.appendingPathComponent("node.sqlite").path) else { continue }
            let store = try NodeStore(path: dir.appendingPathComponent("node.sqlite").path, node: n.code)
            let counts = try store.counts()
            let pending = try store.originStatus(windowSeconds: Int64(Window.defaultHours) * 3600, hasParent: n.parent != nil).reduce(0) {
                $0 + $1.unacknowledged
            }
            Swift.print(
                "\(n.code.digits)  \(n.tier.name.padding(toLength: 8, withPad: " ", startingAt: 0))  \(String(n.name.prefix(6)) + String(repeating: "　", count: max(0, 6 - n.name.count)))  \(String(counts.records).leftPadded(7))  \(String(counts.changes).leftPadded(7))  \(String(pending).leftPadded(10))  \(running ? "yes" : "no")"
            )
        }
    }
}

extension String {
    func leftPadded(_ width: Int) -> String { count >= width ? self : String(repeating: " ", count: width - count) + self }
}
