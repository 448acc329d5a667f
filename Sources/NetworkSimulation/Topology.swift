import CreditDomain
import Foundation
import NodeRuntime
import SyncCore
import Yams

/// Why a topology was refused; the message names the offending node.
public struct TopologyError: Error, Hashable, Sendable, CustomStringConvertible {
    public enum Code: String, Sendable {
        case unreadable = "topology-unreadable", invalid = "topology-invalid", duplicateCode = "duplicate-code", missingParent = "missing-parent"
        case parentTier = "parent-tier", outsideParent = "outside-parent", noRoot = "no-root"
    }
    public var code: Code
    public var message: String
    public init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }
    public var description: String { "\(message) [\(code.rawValue)]" }
}

/// A whole network (`Topologies/*.yaml`): its nodes, each with its parent and address, and the
/// per-hop windows and schedules.
///
/// ```yaml
/// name: demo
/// windowHours: 72               # every hop, unless a node says otherwise
/// windowHoursIntoProvince: 48   # the hops into the province
/// pushIntervalSeconds: 60
/// pullIntervalSeconds: 30
/// nodes:
///   - {code: "420000000000", name: 湖北省, address: "127.0.0.1:7400"}
///   - {code: "420100000000", name: 武汉市, parent: "420000000000", address: "127.0.0.1:7401"}
///   - {code: "429004000000", name: 仙桃市, parent: "420000000000", address: "127.0.0.1:7420"}
/// ```
///
/// The tier follows from each code. A node lies inside its parent's code; a node that does not
/// (a unit administered across a boundary) must say `outsideParent: true`.
public struct Topology: Sendable, Hashable {
    public struct Node: Sendable, Hashable {
        public var code: DivisionCode
        public var name: String
        public var parent: DivisionCode?
        /// `host:port` of its sync listener.
        public var address: String?
        public var windowHours: Int?
        /// A window in seconds (60 …), winning over the hours: for drills and browser tests that
        /// watch a stopped node go at risk within minutes.
        public var windowSeconds: Int?
        public var outsideParent: Bool
        /// The public address of the node's 信用 site (`https://credit.example.gov.cn/`), written
        /// into the division directory so that the sites link each other; `up` gives each node
        /// without one its portal's loopback address.
        public var site: String?

        public init(
            code: DivisionCode, name: String, parent: DivisionCode? = nil, address: String? = nil, windowHours: Int? = nil,
            outsideParent: Bool = false
        ) {
            self.code = code
            self.name = name
            self.parent = parent
            self.address = address
            self.windowHours = windowHours
            self.outsideParent = outsideParent
        }

        public var tier: Tier { code.tier }
    }

    public var name: String
    public var windowHours: Int
    public var windowHoursIntoProvince: Int
    public var pushIntervalSeconds: Int
    public var pullIntervalSeconds: Int
    /// Seconds between pushes with nothing pending (the health record's heartbeat); nil: each
    /// node's default (its push interval) — in the simulator a day.
    public var heartbeatSeconds: Int?
    public var nodes: [Node]
    /// The line of each node in the file it was read from (parallel to `nodes`; empty for a
    /// topology built in code). Not part of what a topology is: equality ignores it.
    public var lines: [Int] = []

    public static func == (a: Topology, b: Topology) -> Bool {
        (a.name, a.windowHours, a.windowHoursIntoProvince, a.pushIntervalSeconds, a.pullIntervalSeconds) == (
            b.name, b.windowHours, b.windowHoursIntoProvince, b.pushIntervalSeconds, b.pullIntervalSeconds
        )
            && a.heartbeatSeconds == b.heartbeatSeconds && a.nodes == b.nodes
    }

    public func hash(into h: inout Hasher) {
        h.combine(name)
        h.combine(nodes)
    }

    public init(
        name: String, windowHours: Int = Window.defaultHours, windowHoursIntoProvince: Int = Window.intoProvinceHours, pushIntervalSeconds: Int = 300,
        pullIntervalSeconds: Int = 60, nodes: [Node]
    ) {
        self.name = name
        self.windowHours = windowHours
        self.windowHoursIntoProvince = windowHoursIntoProvince
        self.pushIntervalSeconds = pushIntervalSeconds
        self.pullIntervalSeconds = pullIntervalSeconds
        self.nodes = nodes
    }

    /// The window of the hop from `node` to its parent.
    public func window(of node: Node) -> Int {
        if let w = node.windowHours { return w }
        guard let p = node.parent else { return windowHours }
        return p.tier == .province ? windowHoursIntoProvince : windowHours
    }

    /// Each node's children, by parent code.
    public var children: [DivisionCode: [DivisionCode]] {
        var out: [DivisionCode: [DivisionCode]] = [:]
        for n in nodes { if let p = n.parent { out[p, default: []].append(n.code) } }
        return out
    }

    public func node(_ code: DivisionCode) -> Node? { nodes.first { $0.code == code } }

    /// One fault of a topology, at the line of the node it names (nil: the network as a whole).
    public struct Fault: Sendable, Hashable {
        public var line: Int?
        public var error: TopologyError
    }

    /// Every fault, sorted by line: duplicate codes, missing parents, a parent of a lower or
    /// equal tier, a node outside its parent's code unless declared, and a network without
    /// exactly one root — so that a 27,000-node file is mended in one pass.
    public func faults() -> [Fault] {
        func line(_ i: Int) -> Int? { i < lines.count ? lines[i] : nil }
        func at(_ i: Int) -> String { line(i).map { " (line \($0))" } ?? "" }
        var out: [Fault] = []
        var first: [DivisionCode: Int] = [:]
        for (i, n) in nodes.enumerated() {
            if let j = first[n.code] {
                out.append(
                    Fault(
                        line: line(i),
                        error: TopologyError(.duplicateCode, "node \(n.code) (\(n.name)) appears twice; the first is \(nodes[j].name)\(at(j))")))
            } else {
                first[n.code] = i
            }
        }
        let roots = nodes.indices.filter { nodes[$0].parent == nil }
        if roots.isEmpty {
            out.append(Fault(line: nil, error: TopologyError(.noRoot, "no node is without a parent: a network has one top")))
        } else if roots.count > 1 {
            let named = roots.map { "\(nodes[$0].code.digits)\(at($0))" }.joined(separator: ", ")
            out.append(
                Fault(line: line(roots[1]), error: TopologyError(.noRoot, "\(roots.count) nodes have no parent (\(named)); a network has one top")))
        }
        for (i, n) in nodes.enumerated() {
            guard let p = n.parent else { continue }
            guard let j = first[p] else {
                out.append(
                    Fault(
                        line: line(i),
                        error: TopologyError(.missingParent, "node \(n.code) (\(n.name)) names parent \(p), which is not in the topology")))
                continue
            }
            let parent = nodes[j].name
            if p.tier >= n.tier {
                out.append(
                    Fault(
                        line: line(i),
                        error: TopologyError(
                            .parentTier,
                            "node \(n.code) (\(n.name), \(n.tier.name)) has parent \(p) (\(parent), \(p.tier.name)), which is not of a higher tier")))
            } else if !n.outsideParent && !p.contains(n.code) {
                out.append(
                    Fault(
                        line: line(i),
                        error: TopologyError(
                            .outsideParent,
                            "node \(n.code) (\(n.name)) lies outside its parent \(p) (\(parent)); declare `outsideParent: true` if that is intended"))
                )
            }
        }
        return out.enumerated().sorted { a, b in
            switch (a.element.line, b.element.line) {
            case let (x?, y?): x != y ? x < y : a.offset < b.offset
            case (nil, nil): a.offset < b.offset
            case (nil, _): false
            case (_, nil): true
            }
        }.map(\.element)
    }

    /// Refuses a topology with any fault (`faults`); the error is the first, and says how many more.
    public func check() throws(TopologyError) {
        let all = faults()
        guard var error = all.first?.error else { return }
        if all.count > 1 { error.message += " (and \(all.count - 1) more fault(s): `credit-node topology check` lists them all)" }
        throw error
    }
}

extension Topology {
    /// Reads and checks a topology file.
    public static func load(path: String) throws(TopologyError) -> Topology {
        let text: String
        do { text = try String(contentsOfFile: path, encoding: .utf8) } catch {
            throw TopologyError(.unreadable, "cannot read topology \(path): \(error.localizedDescription)")
        }
        let topology = try parse(text, source: path)
        try topology.check()
        return topology
    }

    public static func parse(_ text: String, source: String) throws(TopologyError) -> Topology {
        let root: Yams.Node?
        do { root = try Yams.compose(yaml: text) } catch {
            throw TopologyError(.invalid, "\(source) is not YAML: \(error)\(HostPort.yamlHint(text))")
        }
        guard let map = root?.mapping else { throw TopologyError(.invalid, "\(source) must be a mapping with name and nodes") }
        func fail(_ key: String, _ why: String) -> TopologyError { TopologyError(.invalid, "\(source): key '\(key)': \(why)") }
        func int(_ m: Yams.Node.Mapping, _ key: String, _ range: ClosedRange<Int>, default value: Int) throws(TopologyError) -> Int {
            guard let v = m[key] else { return value }
            guard let n = v.int, range.contains(n) else {
                throw fail(key, "'\(v.string ?? "?")' must be a whole number from \(range.lowerBound) to \(range.upperBound)")
            }
            return n
        }
        let known: Set<String> = [
            "name", "windowHours", "windowHoursIntoProvince", "pushIntervalSeconds", "pullIntervalSeconds", "heartbeatSeconds", "nodes",
        ]
        for key in map.keys.compactMap(\.string) where !known.contains(key) {
            throw fail(key, "unknown key; known: \(known.sorted().joined(separator: ", "))")
        }
        var topology = Topology(
            name: map["name"]?.string ?? URL(fileURLWithPath: source).deletingPathExtension().lastPathComponent,
            windowHours: try int(map, "windowHours", 1...720, default: Window.defaultHours),
            windowHoursIntoProvince: try int(map, "windowHoursIntoProvince", 1...720, default: Window.intoProvinceHours),
            pushIntervalSeconds: try int(map, "pushIntervalSeconds", 1...86_400, default: 300),
            pullIntervalSeconds: try int(map, "pullIntervalSeconds", 1...86_400, default: 60),
            nodes: [])
        if map["heartbeatSeconds"] != nil { topology.heartbeatSeconds = try int(map, "heartbeatSeconds", 1...86_400, default: 300) }
        guard let items = map["nodes"]?.sequence, !items.isEmpty else { throw fail("nodes", "must be a non-empty list of nodes") }
        let nodeKeys: Set<String> = ["code", "name", "parent", "address", "windowHours", "windowSeconds", "outsideParent", "tier", "site"]
        for (i, item) in items.enumerated() {
            guard let m = item.mapping else { throw fail("nodes", "entry \(i + 1) is not a mapping") }
            for key in m.keys.compactMap(\.string) where !nodeKeys.contains(key) { throw fail("nodes[\(i + 1)].\(key)", "unknown key") }
            guard let text = m["code"]?.string, let code = try? DivisionCode(text) else {
                throw fail("nodes[\(i + 1)].code", "'\(m["code"]?.string ?? "")' is not a division code")
            }
            var parent: DivisionCode?
            if let p = m["parent"]?.string {
                do { parent = try DivisionCode(p) } catch { throw fail("nodes[\(i + 1)].parent", "node \(code): '\(p)' is not a division code") }
            }
            if let t = m["tier"]?.string, t != code.tier.name {
                throw fail("nodes[\(i + 1)].tier", "node \(code) is a \(code.tier.name) by its code, not a \(t)")
            }
            var window: Int?
            if m["windowHours"] != nil { window = try int(m, "windowHours", 1...720, default: Window.defaultHours) }
            var node = Node(
                code: code, name: m["name"]?.string ?? code.digits, parent: parent, address: m["address"]?.string, windowHours: window,
                outsideParent: m["outsideParent"]?.bool ?? false)
            if m["windowSeconds"] != nil { node.windowSeconds = try int(m, "windowSeconds", 60...2_592_000, default: 3600) }
            if let a = m["address"] {
                // An unquoted [::1]:7400 is a YAML list: refused, not ignored.
                guard let text = a.scalar?.string else {
                    throw fail("nodes[\(i + 1)].address", "node \(code): must be text; quote an IPv6 address in brackets: address: \"[::1]:7400\"")
                }
                if let problem = HostPort.problem(text) { throw fail("nodes[\(i + 1)].address", "node \(code): \(problem)") }
            }
            if let site = m["site"] {
                guard let text = site.scalar?.string else { throw fail("nodes[\(i + 1)].site", "node \(code): must be an address (text)") }
                if let problem = DivisionDirectory.siteProblem(text) { throw fail("nodes[\(i + 1)].site", "node \(code): \(problem)") }
                node.site = text
            }
            topology.nodes.append(node)
            topology.lines.append(item.mark?.line ?? 0)
        }
        return topology
    }

    /// The topology as YAML, one node per line (as `load` reads it).
    public func yaml() -> String {
        var lines = [
            "# CreditNet topology: \(nodes.count) nodes. Check with `credit-node topology check FILE`.", "name: \(Self.quote(name))",
            "windowHours: \(windowHours)",
            "windowHoursIntoProvince: \(windowHoursIntoProvince)", "pushIntervalSeconds: \(pushIntervalSeconds)",
            "pullIntervalSeconds: \(pullIntervalSeconds)",
        ]
        if let heartbeatSeconds { lines.append("heartbeatSeconds: \(heartbeatSeconds)") }
        lines.append("nodes:")
        for n in nodes {
            var fields = ["code: \"\(n.code.digits)\"", "name: \(Self.quote(n.name))", "tier: \(n.tier.name)"]
            if let p = n.parent { fields.append("parent: \"\(p.digits)\"") }
            if let a = n.address { fields.append("address: \"\(a)\"") }
            if let w = n.windowHours { fields.append("windowHours: \(w)") }
            if let w = n.windowSeconds { fields.append("windowSeconds: \(w)") }
            if n.outsideParent { fields.append("outsideParent: true") }
            if let site = n.site { fields.append("site: \"\(site)\"") }
            lines.append("  - {" + fields.joined(separator: ", ") + "}")
        }
        return lines.joined(separator: "\n") + "\n"
    }

    static func quote(_ s: String) -> String {
        "\"" + s.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"") + "\""
    }
}
