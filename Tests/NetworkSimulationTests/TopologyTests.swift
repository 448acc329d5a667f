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
