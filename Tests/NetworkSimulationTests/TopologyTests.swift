import CreditDomain
import Foundation
import Testing

@testable import NetworkSimulation

@Suite("Topologies")
struct TopologyTests {
    static let demoPath = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Topologies/demo.yaml").path

    @Test func theDemoNetworkHasItsShape() throws {
        let t = try Topology.load(path: Self.demoPath)
        let byTier = Dictionary(grouping: t.nodes, by: \.tier).mapValues(\.count)
        #expect(byTier == [.province: 1, .city: 2, .county: 5, .township: 8, .village: 16])
        // 仙桃 is a county-level city under the province directly.
        let xiantao = try #require(t.node(try DivisionCode("429004000000")))
        #expect(xiantao.parent == (try DivisionCode("420000000000")) && t.window(of: xiantao) == 48)
        #expect(t.window(of: try #require(t.node(try DivisionCode("420102002201")))) == 72)
        #expect(Set(t.nodes.compactMap(\.address)).count == t.nodes.count)
    }

    static func refusal(_ yaml: String) -> TopologyError.Code? {
        do {
            try Topology.parse(yaml, source: "t.yaml").check()
            return nil
        } catch { return error.code }
    }

    @Test func refusedTopologiesNameTheOffendingNode() throws {
        let top = "nodes:\n  - {code: \"420000000000\", name: 省}\n"
        #expect(Self.refusal(top + "  - {code: \"420100000000\", parent: \"420000000000\"}\n") == nil)
        #expect(Self.refusal(top + "  - {code: \"420000000000\"}\n") == .duplicateCode)
        #expect(Self.refusal(top + "  - {code: \"420102000000\", parent: \"420100000000\"}\n") == .missingParent)
        #expect(Self.refusal(top + "  - {code: \"420100000000\", parent: \"420000000000\"}\n  - {code: \"420102000000\", parent: \"420100000000\"}\n  - {code: \"420103000000\", parent: \"420102000000\"}\n") == .parentTier)
        #expect(Self.refusal(top + "  - {code: \"420100000000\", parent: \"420000000000\"}\n  - {code: \"420602000000\", parent: \"420100000000\"}\n") == .outsideParent)
        #expect(Self.refusal(top + "  - {code: \"420100000000\", parent: \"420000000000\"}\n  - {code: \"420602000000\", parent: \"420100000000\", outsideParent: true}\n") == nil)
        #expect(Self.refusal(top + "  - {code: \"430000000000\"}\n") == .noRoot)
        #expect(Self.refusal("nodes:\n  - {code: \"4201\", name: x}\n") == .invalid)
        #expect(Self.refusal(top + "  - {code: \"420100000000\", parent: \"420000000000\", tier: county}\n") == .invalid)
        #expect(Self.refusal(top + "windows: 3\n") == .invalid)
        do {
            try Topology.parse(top + "  - {code: \"420602000000\", name: 襄城区, parent: \"420100000000\"}\n", source: "t.yaml").check()
        } catch { #expect(error.message.contains("420602000000") && error.message.contains("襄城区")) }
    }

    /// Every fault in one run, sorted by line, each naming its node and line.
    @Test func everyFaultIsReportedAtOnce() throws {
        let yaml = """
            nodes:
              - {code: "420000000000", name: 省}
              - {code: "420100000000", name: 武汉市, parent: "420000000000"}
              - {code: "420102000000", name: 江岸区, parent: "420100000000"}
              - {code: "420102000000", name: 江岸区又一次, parent: "420100000000"}
              - {code: "420103000000", name: 江汉区, parent: "420199000000"}
              - {code: "420104000000", name: 硚口区, parent: "420102000000"}
              - {code: "420602000000", name: 襄城区, parent: "420100000000"}
              - {code: "430000000000", name: 湖南省}
              - {code: "420102002000", name: 街道, parent: "420102000000"}
            """
        let t = try Topology.parse(yaml + "\n", source: "t.yaml")
        let faults = t.faults()
        #expect(faults.map(\.error.code) == [.duplicateCode, .missingParent, .parentTier, .outsideParent, .noRoot])
        #expect(faults.map(\.line) == [5, 6, 7, 8, 9])
        #expect(faults[0].error.message.contains("江岸区又一次") && faults[0].error.message.contains("line 4"))
        #expect(faults[1].error.message.contains("420103000000") && faults[2].error.message.contains("硚口区"))
        // `check` refuses with the first and says how many more there are.
        do {
            try t.check()
            Issue.record("accepted a faulty topology")
        } catch { #expect(error.code == .duplicateCode && error.message.contains("4 more")) }
        // A sound file has none.
        #expect(try Topology.load(path: Self.demoPath).faults().isEmpty)
    }

    @Test func aGeneratedProvinceHasTheShapeAskedFor() throws {
        let t = try Topology.generate(.hubei, name: "hubei")
        let byTier = Dictionary(grouping: t.nodes, by: \.tier).mapValues(\.count)
        #expect(byTier == [.province: 1, .city: 13, .county: 103, .township: 1260, .village: 26_000])
        try t.check()
        #expect(t.nodes.filter { $0.code.isProvinceAdministered }.allSatisfy { $0.tier != .county || $0.parent == t.nodes[0].code })
        // Written and read back, it is the same network.
        let shape = Topology.Shape(province: try DivisionCode("420000000000"), name: "湖北省", cities: 2, counties: 5, provinceAdministered: 1, townships: 9, villages: 40)
        let small = try Topology.generate(shape, name: "small")
        #expect(try Topology.parse(small.yaml(), source: "small.yaml") == small)
        // A generated province pushes hourly and pulls every three hours unless told otherwise.
        #expect(small.pushIntervalSeconds == 3600 && small.pullIntervalSeconds == 10_800)
        let chatty = try Topology.generate(shape, name: "small", pushIntervalSeconds: 60, pullIntervalSeconds: 30)
        #expect(chatty.pushIntervalSeconds == 60 && chatty.pullIntervalSeconds == 30)
        #expect(throws: TopologyError.self) { _ = try Topology.generate(.init(province: try DivisionCode("420000000000"), name: "x", cities: 2, counties: 1, provinceAdministered: 0, townships: 1, villages: 0), name: "bad") }
    }
}
