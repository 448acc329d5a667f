import CreditStore
import Foundation
import SyncCore

/// The node's subtree as the health records that reached it tell it (`node_health`), with the
/// node itself as it stands now: what `/ops/network` shows and `/metrics` counts.
public struct NetworkPicture: Sendable {
    /// Every node known, by code.
    public let nodes: [String: KnownNode]
    /// Each node's children, by its code, sorted.
    public let children: [String: [String]]
    /// This node's code.
    public let top: String

    /// Nodes, those heard from within their window, and those at risk and breached.
    public struct Tally: Sendable, Hashable {
        public var nodes = 0
        public var heard = 0
        public var atRisk = 0
        public var breached = 0

        public init(nodes: Int = 0, heard: Int = 0, atRisk: Int = 0, breached: Int = 0) {
            self.nodes = nodes
            self.heard = heard
            self.atRisk = atRisk
            self.breached = breached
        }
    }

    public init(known: [KnownNode], own: NodeHealth) {
        var nodes = Dictionary(known.map { ($0.code, $0) }, uniquingKeysWith: { a, _ in a })
        nodes[own.code] = KnownNode(code: own.code, parent: own.parent, name: own.name, health: own, receivedAt: own.issuedAt)
        for child in own.children where nodes[child] == nil {
            nodes[child] = KnownNode(code: child, parent: own.code, name: "", health: nil, receivedAt: nil)
        }
        var children: [String: [String]] = [:]
        for n in nodes.values where n.code != own.code { children[n.parent, default: []].append(n.code) }
        for k in children.keys { children[k]!.sort() }
        self.nodes = nodes
        self.children = children
        self.top = own.code
    }

    /// Read from the node's store at `now`.
    public init(node: NodeContext, now: Date) throws {
        self.init(known: try node.store.knownNodes(), own: try Export.ownHealthContent(node, now: now))
    }

    /// `code` and everything below it, depth first.
    public func subtree(_ code: String) -> [String] {
        var out: [String] = []
        var stack = [code]
        while let c = stack.popLast() {
            out.append(c)
            stack.append(contentsOf: (children[c] ?? []).reversed())
        }
        return out
    }

    /// `code`'s subtree (itself included) counted at `now` (milliseconds since 1970).
    public func tally(_ code: String, now: Int64) -> Tally {
        var t = Tally()
        for c in subtree(code) {
            let health = nodes[c]?.health
            t.nodes += 1
            if HealthRules.heard(health, now: now) { t.heard += 1 }
            switch HealthRules.standing(of: health, now: now) {
            case .atRisk: t.atRisk += 1
            case .breached: t.breached += 1
            case .met: break
            }
        }
        return t
    }

    /// The codes from this node down to `code` by the known parents; nil when `code` is not below it.
    public func path(to code: String) -> [String]? {
        var out = [code]
        var current = code
        while current != top {
            guard let p = nodes[current]?.parent, !p.isEmpty, out.count <= 8 else { return nil }
            out.append(p)
            current = p
        }
        return out.reversed()
    }

    /// The node's name, or its code when it has none.
    public func name(of code: String) -> String {
        let name = nodes[code]?.name ?? ""
        return name.isEmpty ? code : name
    }
}
