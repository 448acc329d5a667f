#if canImport(Glibc)
    import Glibc
#endif
import Foundation
#if canImport(FoundationNetworking)
    import FoundationNetworking
#endif
import Synchronization
import TestSupport
import Testing
import Yams

let demoTopology = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    .appendingPathComponent("Topologies/demo.yaml").path

/// Ports this test process has handed out: two listeners of one node, or of two tests running at
/// once, must never be told the same one.
let portsHandedOut = Mutex<Set<Int>>([])

/// A loopback port nothing listens on right now, for a `serve` process to take a moment later.
func freePort() -> Int { handOutPort() }

/// Chosen below the kernel's ephemeral range (`ip_local_port_range`, 32768 on): listeners the tests
/// open in-process on port 0, and every outgoing connection, take their ports from that range, and
/// one of them could otherwise take this port before the server binds it (the server then exits
/// with its other listener already answering). Bound once to check it is free, never handed out twice.
func handOutPort() -> Int {
    let ephemeralStart =
        (try? String(contentsOfFile: "/proc/sys/net/ipv4/ip_local_port_range", encoding: .utf8))
        .flatMap { $0.split(whereSeparator: \.isWhitespace).first.flatMap { Int($0) } } ?? 32768
    let range = 10_000..<max(ephemeralStart, 10_001)
    while true {
        let port = Int.random(in: range)
        guard portsHandedOut.withLock({ !$0.contains(port) }) else { continue }
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(fd) }
        var sa = sockaddr_in()
        sa.sin_family = sa_family_t(AF_INET)
        sa.sin_addr.s_addr = UInt32(0x7F00_0001).bigEndian
        sa.sin_port = UInt16(port).bigEndian
        let bound = withUnsafePointer(to: &sa) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        if bound == 0, portsHandedOut.withLock({ $0.insert(port).inserted }) { return port }
    }
}

/// `GET path` from `[::1]:port` over plain HTTP: the status line and the body (the server closes
/// the connection after it, as asked); nil when nothing answers there.
func httpGetOverIPv6Loopback(port: Int, path: String) -> (status: String, body: String)? {
    let fd = socket(AF_INET6, Int32(SOCK_STREAM.rawValue), 0)
    guard fd >= 0 else { return nil }
    defer { close(fd) }
    guard onIPv6Loopback(port: port, { connect(fd, $0, $1) }) == 0 else { return nil }
    let request = Array("GET \(path) HTTP/1.1\r\nHost: [::1]:\(port)\r\nConnection: close\r\n\r\n".utf8)
    guard request.withUnsafeBytes({ send(fd, $0.baseAddress, $0.count, 0) }) == request.count else { return nil }
    var answer: [UInt8] = []
    var buffer = [UInt8](repeating: 0, count: 65_536)
    while true {
        let n = buffer.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
        if n <= 0 { break }
        answer += buffer[0..<n]
    }
    let text = String(decoding: answer, as: UTF8.self)
    guard let end = text.range(of: "\r\n\r\n") else { return nil }
    let head = text[..<end.lowerBound]
    var body = String(text[end.upperBound...])
    // A chunked body: the chunks joined.
    if head.lowercased().contains("transfer-encoding: chunked") {
        var joined = ""
        var rest = Substring(body)
        while let line = rest.range(of: "\r\n"), let size = Int(rest[..<line.lowerBound], radix: 16), size > 0 {
            let start = rest.utf8.index(line.upperBound, offsetBy: 0)
            let chunk = rest.utf8[start...].prefix(size)
            joined += String(decoding: chunk, as: UTF8.self)
            rest = Substring(rest.utf8[rest.utf8.index(start, offsetBy: size)...].dropFirst(2))
        }
        body = joined
    }
    return (String(head.prefix { $0 != "\r" }), body)
}

@Suite("Whole networks from the command line", .serialized)
struct NetworkCommandTests {
    @Test func simulateChecksTheNetworkAndPrintsTheReplayCommand() throws {
        let ws = try Workspace()
        let faults = "loss=0.05,corrupt=0.05,down=420102002201@1d+12h"
        let ok = try ws("simulate", demoTopology, "--days", "3", "--seed", "9", "--faults", faults)
        #expect(ok.status == 0, "\(ok.stderr)")
        #expect(ok.stdout.contains("replay: credit-node simulate \(demoTopology) --days 3 --seed 9 --faults '\(faults)'"))
        #expect(ok.stdout.contains("result: every check passed") && ok.stdout.contains("village → township"))
        #expect(ok.stderr.contains("simulated 3 days of 32 nodes") && !ok.stderr.contains("day 1/3"))
        let progress = try ws("simulate", demoTopology, "--days", "3", "--seed", "9", "--faults", faults, "--progress")
        #expect(progress.stderr.contains("day 1/3: 0 records accepted") && progress.stderr.contains("day 3/3") && progress.stdout == ok.stdout)
        // Where a long run stands: the nodes opened, and the peak memory so far at each day and at the end.
        #expect(progress.stderr.contains("opened 32 nodes in ") && progress.stderr.contains("GiB)") && ok.stderr.contains(", peak memory "))
        #expect(!ok.stderr.contains("opened 32 nodes"))
        // The replay gives the same report; --json gives the same run as data.
        #expect(try ws("simulate", demoTopology, "--days", "3", "--seed", "9", "--faults", faults).stdout == ok.stdout)
        let json = try ws("simulate", demoTopology, "--days", "3", "--seed", "9", "--faults", faults, "--json").json()
        #expect((json["checks"] as? [[String: Any]])?.allSatisfy { $0["passed"] as? Bool == true } == true && json["seed"] as? Int == 9)

        let bad = try ws("simulate", demoTopology, "--faults", "loss=0.1,jam=1")
        #expect(bad.status == 64 && bad.stderr.contains("unknown fault 'jam'") && bad.stdout.isEmpty)
        let gen = try ws(
            "topology", "generate", "--villages", "30", "--townships", "8", "--counties", "4", "--cities", "2", "--province-administered", "1",
            "--pull-interval", "0")
        #expect(gen.status == 64 && gen.stderr.contains("--pull-interval"))
        let unknown = try ws("simulate", demoTopology, "--faults", "down=430000000000@1d+1d")
        #expect(unknown.status == 64 && unknown.stderr.contains("no such node"))
    }

    @Test func topologyCheckAndGenerate() throws {
        let ws = try Workspace()
        let ok = try ws("topology", "check", demoTopology)
        #expect(ok.status == 0 && ok.stdout.contains("32 nodes"))
        try Data("nodes:\n  - {code: \"420000000000\"}\n  - {code: \"420102000000\", name: 江岸区, parent: \"420100000000\"}\n".utf8).write(
            to: ws.url.appendingPathComponent("bad.yaml"))
        let bad = try ws("topology", "check", "bad.yaml")
        #expect(bad.status == 65 && bad.stderr.contains("420102000000") && bad.stderr.contains("missing-parent"))
        // Several faults: all of them in one run, by line.
        try Data(
            "nodes:\n  - {code: \"420000000000\"}\n  - {code: \"420102000000\", parent: \"420100000000\"}\n  - {code: \"420000000000\"}\n  - {code: \"430000000000\"}\n"
                .utf8
        )
        .write(to: ws.url.appendingPathComponent("worse.yaml"))
        let worse = try ws("topology", "check", "worse.yaml")
        let lines = worse.stderr.split(separator: "\n").filter { $0.hasPrefix("worse.yaml:") }
        #expect(worse.status == 65 && lines.count == 3 && worse.stderr.contains("3 fault(s)"), "\(worse.stderr)")
        #expect(lines.map { $0.split(separator: ":")[1] } == ["3", "4", "4"])  // missing parent; duplicate; a second top
        let gen = try ws(
            "topology", "generate", "--cities", "2", "--counties", "4", "--province-administered", "1", "--townships", "8", "--villages", "30",
            "--out", "small.yaml")
        #expect(gen.status == 0, "\(gen.stderr)")
        #expect(try ws("topology", "check", "small.yaml").stdout.contains("45 nodes"))
    }

    @Test func composeWritesOneServicePerNodeWithItsVolumeAndCertificates() throws {
        let ws = try Workspace()
        let r = try ws("compose", demoTopology)
        #expect(r.status == 0, "\(r.stderr)")
        let doc = try #require(try Yams.load(yaml: r.stdout) as? [String: Any])
        let services = try #require(doc["services"] as? [String: [String: Any]])
        let configs = try #require(doc["configs"] as? [String: [String: Any]])
        let volumes = try #require(doc["volumes"] as? [String: Any])
        #expect(services.count == 33 && configs.count == 32 && volumes.count == 32)
        // The top node's signed control documents (the division directory among them) are copied
        // into its volume by a one-shot service it waits for.
        let control = try #require(services["n420000000000-control"])
        #expect(control["volumes"] as? [String] == ["n420000000000-data:/var/lib/creditnet", "../Certs/control:/etc/creditnet/control:ro"])
        #expect((control["entrypoint"] as? [String])?.last?.contains("cp -R /etc/creditnet/control/. /var/lib/creditnet/control/") == true)
        let waits = try #require(services["n420000000000"]?["depends_on"] as? [String: [String: String]])
        #expect(waits == ["n420000000000-control": ["condition": "service_completed_successfully"]])
        #expect(services["n420100000000"]?["depends_on"] == nil && services["n420100000000-control"] == nil)
        // What it copies: `topology certs` signs the topology's names there, once.
        let certs = try ws("topology", "certs", demoTopology, "--certs", "Certs")
        #expect(certs.status == 0 && certs.stdout.contains("Division directory (行政区划名录) of 32 names in Certs/control: signed now"), "\(certs.stdout)")
        let signed = try Data(contentsOf: ws.url.appendingPathComponent("Certs/control/divisions.json"))
        let names = try #require((try JSONSerialization.jsonObject(with: signed) as? [String: Any])?["divisions"] as? [String: String])
        #expect(names.count == 32 && names["420000000000"] == "湖北省")
        #expect(FileManager.default.fileExists(atPath: ws.url.appendingPathComponent("Certs/control/divisions.json.sig").path))
        #expect(try ws("topology", "certs", demoTopology, "--certs", "Certs").stdout.contains("in Certs/control: unchanged"))
        let village = try #require(services["n420102002201"])
        let mounts = try #require(village["volumes"] as? [String])
        #expect(mounts.contains("n420102002201-data:/var/lib/creditnet") && mounts.contains("../Certs/420102002201:/etc/creditnet/identity:ro"))
        let content = try #require(configs["n420102002201-config"]?["content"] as? String)
        #expect(content.contains("code: \"420102002201\"") && content.contains("url: \"https://n420102002000.node.creditnet:7400\""))
        let xiantao = try #require(configs["n429004000000-config"]?["content"] as? String)
        #expect(xiantao.contains("code: \"420000000000\"") && xiantao.contains("windowHours: 48"))
        #expect(services.values.filter { $0["build"] != nil }.count == 1)
        #expect(try ws("compose", "missing.yaml").status == 66)
    }

    @Test func upLoadDownRunsARealNetwork() throws {
        let ws = try Workspace()
        let codes = [
            ("420000000000", nil), ("420100000000", "420000000000"), ("420102000000", "420100000000"), ("420102002000", "420102000000"),
            ("420102002201", "420102002000"),
        ]
        var yaml = "name: t\npushIntervalSeconds: 1\npullIntervalSeconds: 1\nnodes:\n"
        for (code, parent) in codes {
            yaml += "  - {code: \"\(code)\"\(parent.map { ", parent: \"\($0)\"" } ?? ""), address: \"127.0.0.1:\(freePort())\"}\n"
        }
        try Data(yaml.utf8).write(to: ws.url.appendingPathComponent("t.yaml"))
        let up = try ws("up", "t.yaml", "--dir", "net", "--certs", "certs")
        #expect(up.status == 0, "\(up.stderr)")
        defer { _ = try? ws("down", "t.yaml", "--dir", "net") }
        #expect(up.stdout.contains("5 nodes (5 started now, 0 running already), 5 certificate(s) issued"))
        // The division directory names each node's portal as its 信用 site: the sites link each other.
        let directory = try Data(contentsOf: ws.url.appendingPathComponent("net/420000000000/control/divisions.json"))
        let sites = try #require((try JSONSerialization.jsonObject(with: directory) as? [String: Any])?["sites"] as? [String: String])
        let topYAML = try String(contentsOf: ws.url.appendingPathComponent("t.yaml"), encoding: .utf8)
        for (code, _) in codes {
            let port = try #require(
                topYAML.firstMatch(of: try Regex("\(code)\", .*127\\.0\\.0\\.1:([0-9]+)")).flatMap { Int($0.output[1].substring ?? "") })
            #expect(sites[code] == "http://127.0.0.1:\(port + 100)/", "\(code): \(sites[code] ?? "none")")
        }
        // Villages' records reach the province, the province's decisions reach the village, over mutual TLS.
        let load = try ws("load", "t.yaml", "--dir", "net", "--records", "80", "--follow", "90")
        #expect(load.status == 0, "\(load.stdout)\(load.stderr)")
        #expect(
            load.stdout.contains("up    420102002201 → 420000000000 province") && load.stdout.contains("down  420000000000 → 420102002201 village"))
        // Every row in exactly one outcome, as the ingests counted them.
        let summary = try #require(load.stdout.split(separator: "\n").first { $0.hasPrefix("Loaded 80 generated rows") })
        let counts = summary.split(separator: " ").compactMap { Int($0) }
        #expect(counts.count >= 5 && counts[2] + counts[3] + counts[4] + counts[5] == 80, "\(summary)")
        let down = try ws("down", "t.yaml", "--dir", "net")
        #expect(down.status == 0 && down.stdout.contains("stopped 5 node(s)"))
        let pid = try String(contentsOf: ws.url.appendingPathComponent("net/420000000000/serve.log"), encoding: .utf8)
        #expect(pid.contains("sync listener"))
        #expect(!FileManager.default.fileExists(atPath: ws.url.appendingPathComponent("net/420000000000/serve.pid").path))
    }

    /// IPv6 (政府网站支持 IPv6): a network whose addresses are IPv6 (`"[::1]:PORT"`) comes up as an
    /// IPv4 one does — `up` finds each node listening, records go up and decisions down over mutual
    /// TLS — and its portals answer at `http://[::1]:PORT/`.
    @Test(.enabled(if: ipv6LoopbackAvailable, "this machine has no IPv6 loopback"))
    func anIPv6NetworkRunsAsAnIPv4OneDoes() async throws {
        let ws = try Workspace()
        let codes = [
            ("420000000000", nil), ("420100000000", "420000000000"), ("420102000000", "420100000000"), ("420102002000", "420102000000"),
            ("420102002201", "420102002000"),
        ]
        var ports: [String: Int] = [:]
        var yaml = "name: t6\npushIntervalSeconds: 1\npullIntervalSeconds: 1\nnodes:\n"
        for (code, parent) in codes {
            ports[code] = freePort()
            yaml += "  - {code: \"\(code)\"\(parent.map { ", parent: \"\($0)\"" } ?? ""), address: \"[::1]:\(ports[code]!)\"}\n"
        }
        try Data(yaml.utf8).write(to: ws.url.appendingPathComponent("t.yaml"))
        let up = try ws("up", "t.yaml", "--dir", "net", "--certs", "certs")
        #expect(up.status == 0, "\(up.stderr)")
        defer { _ = try? ws("down", "t.yaml", "--dir", "net") }
        let province = try #require(ports["420000000000"])
        #expect(up.stdout.contains("http://[::1]:\(province + 100)/") && up.stdout.contains("http://[::1]:\(province + 200)/ops/"), "\(up.stdout)")
        let log = try String(contentsOf: ws.url.appendingPathComponent("net/420000000000/serve.log"), encoding: .utf8)
        #expect(log.contains("sync listener on https://[::1]:\(province) (mutual TLS)"), "\(log)")
        let load = try ws("load", "t.yaml", "--dir", "net", "--records", "40", "--follow", "90")
        #expect(load.status == 0, "\(load.stdout)\(load.stderr)")
        #expect(
            load.stdout.contains("up    420102002201 → 420000000000 province") && load.stdout.contains("down  420000000000 → 420102002201 village"))
        // (Foundation's URL loading on Linux refuses an IPv6 literal: the request is written by hand.)
        let (status, body) = try #require(httpGetOverIPv6Loopback(port: province + 100, path: "/?format=json"))
        let home = try #require(try JSONSerialization.jsonObject(with: Data(body.utf8)) as? [String: Any])
        #expect(status.hasPrefix("HTTP/1.1 200") && (home["total"] as? Int ?? 0) > 0, "\(status)")
        #expect(try ws("down", "t.yaml", "--dir", "net").stdout.contains("stopped 5 node(s)"))
    }

    /// 信用网站互联互通: a topology's `site` for a node goes into the division directory `topology
    /// certs` signs; an address that cannot be linked, or an IPv6 address left unquoted, is refused
    /// naming the node.
    @Test func aTopologysSitesGoIntoTheDivisionDirectory() throws {
        let ws = try Workspace()
        let yaml = """
            name: s
            nodes:
              - {code: "420000000000", name: 湖北省, address: "127.0.0.1:7400", site: "https://credit.hubei.gov.cn/"}
              - {code: "420100000000", name: 武汉市, parent: "420000000000", address: "[::1]:7401"}
            """
        try Data(yaml.utf8).write(to: ws.url.appendingPathComponent("s.yaml"))
        let certs = try ws("topology", "certs", "s.yaml", "--certs", "Certs")
        #expect(certs.status == 0, "\(certs.stderr)")
        let signed = try Data(contentsOf: ws.url.appendingPathComponent("Certs/control/divisions.json"))
        let sites = (try JSONSerialization.jsonObject(with: signed) as? [String: Any])?["sites"] as? [String: String]
        #expect(sites == ["420000000000": "https://credit.hubei.gov.cn/"])
        for (bad, says) in [
            ("site: \"credit.hubei.gov.cn\"", "key 'nodes[1].site': node 420000000000: 'credit.hubei.gov.cn' is not an http:// or https:// address"),
            ("address: [::1]:7400", "quoted in YAML"),
            ("address: \"::1:7400\"", "key 'nodes[1].address': node 420000000000: '::1:7400' looks like an IPv6 address without brackets"),
        ] {
            let text = "name: s\nnodes:\n  - code: \"420000000000\"\n    \(bad)\n"
            try Data(text.utf8).write(to: ws.url.appendingPathComponent("bad.yaml"))
            let refused = try ws("topology", "check", "bad.yaml")
            #expect(refused.status != 0 && refused.stderr.contains(says), "\(bad): \(refused.stderr)")
        }
    }

    /// A port held by another network answers `up`'s readiness probe; the nodes that could not
    /// bind are found exited and named, instead of a network reported up that is not.
    @Test func upSaysSoWhenAnotherNetworkHoldsItsPorts() throws {
        let ws = try Workspace()
        let yaml = "name: t\nnodes:\n  - {code: \"420000000000\", address: \"127.0.0.1:\(freePort())\"}\n"
        try Data(yaml.utf8).write(to: ws.url.appendingPathComponent("t.yaml"))
        let first = try ws("up", "t.yaml", "--dir", "a", "--certs", "certs")
        #expect(first.status == 0, "\(first.stderr)")
        defer { _ = try? ws("down", "t.yaml", "--dir", "a") }
        let second = try ws("up", "t.yaml", "--dir", "b", "--certs", "certs")
        defer { _ = try? ws("down", "t.yaml", "--dir", "b") }
        #expect(
            second.status == 69 && second.stderr.contains("1 node(s) exited after starting (420000000000")
                && second.stderr.contains("another process"))
    }
}

@Suite("docker/ files, checked without a Docker engine")
struct DockerFilesTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    @Test func theCommittedComposeFileIsTheDemoTopologys() throws {
        let committed = try String(contentsOf: Self.root.appendingPathComponent("docker/compose.yaml"), encoding: .utf8)
        let r = try run(["compose", demoTopology], in: Self.root)
        #expect(r.status == 0 && r.stdout == committed, "regenerate: credit-node compose Topologies/demo.yaml > docker/compose.yaml")
    }

    @Test func theDockerfileBuildsWithTheREADMEsStepsAndRunsSlim() throws {
        let text = try String(contentsOf: Self.root.appendingPathComponent("docker/Dockerfile"), encoding: .utf8)
        let lines = text.split(separator: "\n").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.hasPrefix("#") }
        let froms = lines.filter { $0.hasPrefix("FROM ") }
        #expect(
            froms.count == 2 && froms[0].hasPrefix("FROM swift:") && froms[0].contains("-bookworm AS build")
                && froms[1].hasPrefix("FROM debian:bookworm-slim"))
        // The same set-up script and build command the README's test command uses.
        #expect(text.contains("RUN ./scripts/setup.sh") && text.contains("swift build -c release --product credit-node"))
        let testScript = try String(contentsOf: Self.root.appendingPathComponent("scripts/test.sh"), encoding: .utf8)
        #expect(testScript.contains("scripts/setup.sh"))
        for library in ["libsqlite3-0", "liblz4-1", "libssl3"] { #expect(text.contains(library), "\(library)") }
        #expect(text.contains("ENV CREDITNET_RESOURCES=/opt/creditnet/CreditNet_CreditDomain.resources"))
        // Every path copied from the build context exists.
        for line in lines where line.hasPrefix("COPY ") && !line.contains("--from") {
            let source = String(line.split(separator: " ")[1])
            #expect(FileManager.default.fileExists(atPath: Self.root.appendingPathComponent(source).path), "\(source)")
        }
    }
}
