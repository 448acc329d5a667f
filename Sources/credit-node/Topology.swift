import ArgumentParser
import CreditDomain
import Foundation
import NetworkSimulation
import NodePKI
import NodeRuntime

struct TopologyCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "topology",
        abstract: "Whole networks described in Topologies/*.yaml: check one, generate a province-scale one, issue its certificates.",
        subcommands: [TopologyCheck.self, TopologyGenerate.self, TopologyCerts.self])
}

/// Loads a topology, turning its errors into exit 65 with the offending node named.
func loadTopology(_ path: String) throws -> Topology {
    do { return try Topology.load(path: path) } catch {
        throw ExitFailure(message: "topology: \(error.description)", code: error.code == .unreadable ? 66 : 65)
    }
}

struct TopologyCheck: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "check",
        abstract:
            "Refuse duplicate codes, missing parents, parents of a lower or equal tier, and children outside their parent's code unless declared.")

    @Argument(help: "The topology file.") var file: String

    func run() throws {
        try guarded {
            let t: Topology
            do {
                let text = try String(contentsOfFile: file, encoding: .utf8)
                t = try Topology.parse(text, source: file)
            } catch let e as TopologyError {
                throw ExitFailure(message: "topology: \(e.description)", code: 65)
            } catch {
                throw ExitFailure(message: "topology: cannot read \(file): \(error.localizedDescription)", code: 66)
            }
            let faults = t.faults()
            guard faults.isEmpty else {
                // Every fault in one run, by line, each naming its node: `FILE:LINE: message [code]`.
                for f in faults { FileHandle.standardError.write(Data("\(file):\(f.line.map(String.init) ?? "-"): \(f.error.description)\n".utf8)) }
                throw ExitFailure(message: "topology: \(faults.count) fault(s) in \(file)", code: 65)
            }
            let byTier = Dictionary(grouping: t.nodes, by: \.tier).sorted { $0.key < $1.key }.map { "\($0.value.count) \($0.key.name)" }
            print("\(file): \(t.nodes.count) nodes (\(byTier.joined(separator: ", "))); one top, every parent present and above its children")
        }
    }
}

struct TopologyGenerate: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "generate",
        abstract: "Write a province-scale topology of a given shape (default: Hubei's — 13 cities, 103 counties, 1,260 townships, 26,000 villages).")

    @Option(help: "The province's code.") var province = "420000000000"
    @Option(help: "The province's name.") var provinceName = "湖北省"
    @Option(help: "Prefecture-level units.") var cities = 13
    @Option(help: "County-level units in all, including those under the province directly.") var counties = 103
    @Option(help: "County-level units under the province directly (prefecture 90).") var provinceAdministered = 4
    @Option(help: "Townships.") var townships = 1260
    @Option(help: "Villages.") var villages = 26_000
    @Option(help: "The topology's name.") var name = "hubei"
    @Option(help: "Seconds between a node's pushes.") var pushInterval = Topology.generatedPushIntervalSeconds
    @Option(help: "Seconds between a node's pulls.") var pullInterval = Topology.generatedPullIntervalSeconds
    @Option(help: "Output file (default: standard output).") var out: String?

    func run() throws {
        try guarded {
            let shape = Topology.Shape(
                province: try DivisionCode(province), name: provinceName, cities: cities, counties: counties,
                provinceAdministered: provinceAdministered,
                townships: townships, villages: villages)
            let topology: Topology
            do throws(TopologyError) {
                guard pushInterval >= 1, pullInterval >= 1 else {
                    throw TopologyError(.invalid, "--push-interval and --pull-interval are seconds, at least 1")
                }
                topology = try Topology.generate(shape, name: name, pushIntervalSeconds: pushInterval, pullIntervalSeconds: pullInterval)
            } catch { throw ExitFailure(message: "topology: \(error.description)", code: 64) }
            let text = topology.yaml()
            if let out {
                try Data(text.utf8).write(to: URL(fileURLWithPath: out), options: .atomic)
                FileHandle.standardError.write(Data("wrote \(topology.nodes.count) nodes to \(out)\n".utf8))
            } else {
                print(text, terminator: "")
            }
        }
    }
}

struct TopologyCerts: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "certs",
        abstract:
            "Create the network CA in CERTS/ca if missing, issue every node without one a certificate in CERTS/CODE, and sign the topology's names as the network's division directory into CERTS/control (what `compose` gives the top node)."
    )

    @Argument(help: "The topology file.") var file: String
    @Option(help: "The certificate directory.") var certs = "Certs"

    func run() throws {
        try guarded {
            let topology = try loadTopology(file)
            let network = NetworkCertificates(directory: URL(fileURLWithPath: certs))
            let issued = try network.ensure(topology)
            print("Certificates in \(certs): \(issued) issued now; the CA key stays in \(certs)/ca (keep it off the nodes)")
            let signed = try network.signDivisions(topology, into: network.control)
            print(
                "Division directory (行政区划名录) of \(topology.nodes.count) names in \(certs)/control: \(signed ? "signed now" : "unchanged"); other control documents the top node is to send down are signed there too (pki sign --out \(certs)/control)"
            )
        }
    }
}

/// The certificates of a topology's nodes under one directory: `ca/` and one directory per code.
struct NetworkCertificates {
    let directory: URL

    func identity(_ code: DivisionCode) -> URL { directory.appendingPathComponent(code.digits) }

    /// The control documents the top node is to send down, signed by the CA (`topology certs`
    /// writes the division directory there; `compose` copies them into the top's data volume).
    var control: URL { directory.appendingPathComponent("control") }

    /// Creates the CA if missing and issues a certificate to every node that has none; returns how many were issued.
    func ensure(_ topology: Topology) throws -> Int {
        let caDir = directory.appendingPathComponent("ca")
        let fm = FileManager.default
        if !fm.fileExists(atPath: caDir.appendingPathComponent("ca.pem").path) {
            try fm.createDirectory(at: caDir, withIntermediateDirectories: true)
            try NetworkCA.create(name: "CreditNet \(topology.name) network CA").write(to: caDir)
        }
        let ca = try NetworkCA.load(from: caDir)
        var issued = 0
        for n in topology.nodes where !fm.fileExists(atPath: identity(n.code).appendingPathComponent("node.pem").path) {
            try fm.createDirectory(at: identity(n.code), withIntermediateDirectories: true)
            try ca.issueRecorded(code: n.code, caDirectory: caDir).write(to: identity(n.code), ca: ca.certificate)
            issued += 1
        }
        return issued
    }

    /// Writes the topology's names (and its nodes' sites) as the network's division directory (行政区划名录), signed by
    /// its CA, into `control` (the top node's control directory, from where it flows down to every
    /// node), unless the same directory is there already; returns whether it wrote one. A real
    /// network signs the official list instead (`pki sign --name divisions.json`).
    /// Each node's `site` from the topology, else its address in `sites` (`up`: its portal's).
    func signDivisions(_ topology: Topology, into control: URL, sites: [DivisionCode: String] = [:]) throws -> Bool {
        let names = Dictionary(topology.nodes.map { ($0.code, $0.name) }, uniquingKeysWith: { first, _ in first })
        let given = Dictionary(topology.nodes.compactMap { n in n.site.map { (n.code, $0) } }, uniquingKeysWith: { first, _ in first })
        let content = DivisionDirectory(source: "topology \(topology.name)", names: names, sites: given.merging(sites) { own, _ in own }).encoded()
        let target = control.appendingPathComponent(NodeContext.divisionsFile)
        if FileManager.default.contents(atPath: target.path).map(Array.init) == content { return false }
        try NetworkCA.load(from: directory.appendingPathComponent("ca")).signControl(name: NodeContext.divisionsFile, content: content).write(
            into: control)
        return true
    }
}

extension Topology {
    /// Each node's configuration: data under `root/CODE`, its listener and its parent's address
    /// from the topology (or `parentURL`), its identity from `identity`.
    /// `portalOffset`: each node's portal listens on its address's port plus this (`up`);
    /// `recordsOffset`: its records listener, with the operators' pages, likewise.
    func configurations(
        root: URL, identity: (DivisionCode) -> String, parentURL: ((Node) -> String)? = nil, portalOffset: Int? = nil, recordsOffset: Int? = nil
    ) -> [NodeConfiguration] {
        let children = self.children
        return nodes.map { n in
            var c = NodeConfiguration(code: n.code, dataDirectory: root.appendingPathComponent(n.code.digits).path)
            c.name = n.name
            c.identity = identity(n.code)
            c.children = children[n.code] ?? []
            c.listen = n.address
            if let a = n.address.flatMap({ try? HostPort.parse($0).get() }) {
                if let offset = portalOffset { c.portal = a.at(port: a.port + offset).description }
                if let offset = recordsOffset { c.recordsListen = a.at(port: a.port + offset).description }
            }
            if let p = n.parent, let parent = node(p) {
                c.parent = .init(url: parentURL?(parent) ?? "https://\(parent.address ?? "127.0.0.1:0")", code: p)
            }
            c.windowHours = window(of: n)
            c.windowSeconds = n.windowSeconds
            c.pushIntervalSeconds = pushIntervalSeconds
            c.pullIntervalSeconds = pullIntervalSeconds
            c.heartbeatSeconds = heartbeatSeconds
            return c
        }
    }
}
