import CreditStore
import Foundation
import Synchronization
import SyncCore

/// The node's subtree as the health records that reached it tell it (`node_health`), with the
/// node itself as it stands now: what `/ops/network` shows and `/metrics` counts.
public struct NetworkPicture: Sendable {
    /// The records read so far, indexed by parent, kept by the node (`NodeContext.networkPicture`)
    /// and brought up to date at each use with only the rows written since (`knownNodes(writtenAfter:)`):
    /// at the province 27,000 rows, of which a few hundred change a minute.
    struct Tree: Sendable {
        var nodes: [String: KnownNode] = [:]
        var children: [String: [String]] = [:]
        /// The newest write merged (`node_health.written`).
        var seen: Int64 = 0

        mutating func merge(_ rows: [KnownNode], written: Int64) {
            seen = max(seen, written)
            for n in rows {
                if let old = nodes[n.code], old.parent != n.parent {
                    children[old.parent]?.removeAll { $0 == n.code }
                }
                if nodes[n.code]?.parent != n.parent {
                    var siblings = children[n.parent] ?? []
                    siblings.insert(n.code, at: siblings.firstIndex { $0 > n.code } ?? siblings.endIndex)
                    children[n.parent] = siblings
                }
                nodes[n.code] = n
            }
        }
    }

    let tree: Tree
    /// This node as it stands now.
    public let own: KnownNode
    /// Its configured children not heard of yet (no row).
    let unheardChildren: [String]
    /// This node's code.
    public var top: String { own.code }

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

        /// One node counted at `now` (milliseconds since 1970) by what its latest record says.
        public init(one health: NodeHealth?, now: Int64) {
            let standing = HealthRules.standing(of: health, now: now)
            self.init(
                nodes: 1, heard: HealthRules.heard(health, now: now) ? 1 : 0, atRisk: standing == .atRisk ? 1 : 0,
                breached: standing == .breached ? 1 : 0)
        }

        public static func + (a: Tally, b: Tally) -> Tally {
            Tally(nodes: a.nodes + b.nodes, heard: a.heard + b.heard, atRisk: a.atRisk + b.atRisk, breached: a.breached + b.breached)
        }
    }

    init(tree: Tree, own: NodeHealth) {
        self.tree = tree
        self.own = KnownNode(code: own.code, parent: own.parent, name: own.name, health: own)
        unheardChildren = own.children.filter { tree.nodes[$0] == nil }
    }

    /// From these rows (tests, tools).
    public init(known: [KnownNode], own: NodeHealth) {
        var tree = Tree()
        tree.merge(known, written: 0)
        self.init(tree: tree, own: own)
    }

    /// Read from the node's store: the rows received since the last read merged into the tree the
    /// node keeps, and this node's own state at `now`.
    public init(node: NodeContext, now: Date) throws {
        let own = try Export.ownHealthContent(node, now: now)
        let tree = try node.networkPicture.value.withLock { kept in
            var tree = kept ?? Tree()
            let read = try node.store.knownNodes(writtenAfter: tree.seen)
            tree.merge(read.nodes, written: read.written)
            kept = tree
            return tree
        }
        self.init(tree: tree, own: own)
    }

    /// The health records read so far, kept between reads.
    final class Kept: Sendable {
        let value = Mutex<Tree?>(nil)
    }

    /// A node known here (this node itself as it stands now).
    public func node(_ code: String) -> KnownNode? {
        if code == own.code { return own }
        if let n = tree.nodes[code] { return n }
        return unheardChildren.contains(code) ? KnownNode(code: code, parent: own.code, name: "", health: nil) : nil
    }

    /// A node's children, sorted.
    public func children(of code: String) -> [String] {
        let known = tree.children[code] ?? []
        return code == own.code && !unheardChildren.isEmpty ? (known + unheardChildren).sorted() : known
    }

    /// `code` and everything below it, depth first.
    public func subtree(_ code: String) -> [String] {
        var out: [String] = []
        var stack = [code]
        while let c = stack.popLast() {
            out.append(c)
            stack.append(contentsOf: children(of: c).reversed())
        }
        return out
    }

    /// `code`'s subtree (itself included) counted at `now` (milliseconds since 1970).
    public func tally(_ code: String, now: Int64) -> Tally {
        subtree(code).reduce(Tally()) { $0 + Tally(one: node($1)?.health, now: now) }
    }

    /// Each child region of `code` counted once, and `code`'s whole subtree as itself plus their sums.
    public func regions(of code: String, now: Int64) -> (children: [(code: String, tally: Tally)], whole: Tally) {
        let children = children(of: code).map { (code: $0, tally: tally($0, now: now)) }
        return (children, children.reduce(Tally(one: node(code)?.health, now: now)) { $0 + $1.tally })
    }

    /// The codes from this node down to `code` by the known parents; nil when `code` is not below it.
    public func path(to code: String) -> [String]? {
        var out = [code]
        var current = code
        while current != top {
            guard let p = node(current)?.parent, !p.isEmpty, out.count <= 8 else { return nil }
            out.append(p)
            current = p
        }
        return out.reversed()
    }

    /// The node's name, or its code when it has none.
    public func name(of code: String) -> String {
        let name = node(code)?.name ?? ""
        return name.isEmpty ? code : name
    }
}
