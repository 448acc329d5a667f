import CreditDomain
import CreditStore
import Foundation
import NodeRuntime
import SyncCore

/// `/ops/network`: the node's subtree as its health records tell it (migration v15).
extension OperationsPages {
    struct NetworkPage: Sendable, Encodable {
        /// One node, as seen at this node now.
        struct NodeRow: Sendable, Encodable {
            var code: String
            var name: String
            var tier: String
            /// Never heard from: only named as a child by its parent.
            var silent: Bool
            var lastHeard: String
            var heardAgo: String
            var backlog: Int64
            var oldestPending: String
            var window: String
            var standing: String
            var standingLabel: String
            var software: String
            var catalogue: String
            var records: Int64
            /// The node's subtree, itself included.
            var nodes: Int
            var heard: Int
            var interconnection: String
            var atRisk: Int
            var breached: Int
            var link: String
            var hasChildren: Bool
        }
        struct Crumb: Sendable, Encodable {
            var code: String
            var name: String
            var link: String
        }
        var head: Head
        /// The node viewed and its subtree's figures.
        var under: NodeRow
        var path: [Crumb]
        var children: [NodeRow]
        var query: String
        var results: [NodeRow]
        var searched: Bool
        var moreResults: Bool
    }

    /// Every node known here, indexed by parent, with this node's own state live.
    struct NetworkPicture {
        var nodes: [String: KnownNode]
        var children: [String: [String]]

        init(known: [KnownNode], own: NodeHealth) {
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
        }

        /// `code` and everything below it, depth first.
        func subtree(_ code: String) -> [String] {
            var out: [String] = []
            var stack = [code]
            while let c = stack.popLast() {
                out.append(c)
                stack.append(contentsOf: (children[c] ?? []).reversed())
            }
            return out
        }
    }

    func network(reader: String, now: Date, under requested: String?, query: String) throws -> NetworkPage {
        let ms = ChinaTime.milliseconds(now)
        let own = try Export.ownHealthContent(node, now: now)
        let picture = NetworkPicture(known: try node.store.knownNodes(), own: own)
        // Only this node's subtree is shown; anything else asked for shows the node itself.
        let top = own.code
        let under = requested.flatMap { code in picture.nodes[code] != nil && Self.path(from: top, to: code, in: picture) != nil ? code : nil } ?? top
        let crumbs = (Self.path(from: top, to: under, in: picture) ?? [top]).map { code in
            NetworkPage.Crumb(code: code, name: Self.name(of: code, in: picture), link: "/ops/network?under=\(code)")
        }
        let q = query.trimmingCharacters(in: .whitespaces)
        var results: [NetworkPage.NodeRow] = []
        var more = false
        if !q.isEmpty {
            for code in picture.subtree(top) {
                let name = picture.nodes[code]?.name ?? ""
                guard code.hasPrefix(q) || (!name.isEmpty && name.contains(q)) else { continue }
                guard results.count < 100 else {
                    more = true
                    break
                }
                results.append(row(code, picture: picture, now: ms, withSubtree: false))
            }
        }
        return NetworkPage(
            head: head(title: "网络运行", reader: reader, now: now), under: row(under, picture: picture, now: ms, withSubtree: true), path: crumbs,
            children: (picture.children[under] ?? []).map { row($0, picture: picture, now: ms, withSubtree: true) }, query: q, results: results,
            searched: !q.isEmpty, moreResults: more)
    }

    /// The node's row; with its subtree's figures (nodes heard within their window ÷ nodes known).
    func row(_ code: String, picture: NetworkPicture, now: Int64, withSubtree: Bool) -> NetworkPage.NodeRow {
        let known = picture.nodes[code]
        let h = known?.health
        let standing = HealthRules.standing(of: h, now: now)
        var nodes = 1, heard = HealthRules.heard(h, now: now) ? 1 : 0, atRisk = 0, breached = 0
        if withSubtree {
            nodes = 0
            heard = 0
            for c in picture.subtree(code) {
                let health = picture.nodes[c]?.health
                nodes += 1
                if HealthRules.heard(health, now: now) { heard += 1 }
                switch HealthRules.standing(of: health, now: now) {
                case .atRisk: atRisk += 1
                case .breached: breached += 1
                case .met: break
                }
            }
        }
        let tier = (try? DivisionCode(code)).map { "\($0.tier.chineseName)级" } ?? ""
        return NetworkPage.NodeRow(
            code: code, name: Self.name(of: code, in: picture), tier: tier, silent: h == nil,
            lastHeard: h.map { ChinaTime.timestamp(Date(timeIntervalSince1970: Double($0.issuedAt) / 1000)) } ?? "从未联系",
            heardAgo: h.map { Self.age(now - $0.issuedAt) } ?? "—", backlog: h?.backlog ?? 0,
            oldestPending: h.map { $0.oldestPendingAt > 0 ? Self.age(now - $0.oldestPendingAt) : "无" } ?? "—",
            window: h.map { Self.age($0.windowSeconds * 1000) } ?? "—", standing: standing.rawValue,
            standingLabel: h == nil ? "未联系" : Self.standingLabel(standing), software: h?.software ?? "—", catalogue: h?.catalogue ?? "—",
            records: h?.records ?? 0, nodes: nodes, heard: heard, interconnection: Self.rate(heard, of: nodes), atRisk: atRisk, breached: breached,
            link: "/ops/network?under=\(code)", hasChildren: !(picture.children[code] ?? []).isEmpty)
    }

    static func standingLabel(_ s: Window.Standing) -> String {
        switch s {
        case .met: "正常"
        case .atRisk: "临近超时"
        case .breached: "已超时"
        }
    }

    static func name(of code: String, in picture: NetworkPicture) -> String {
        let name = picture.nodes[code]?.name ?? ""
        return name.isEmpty ? code : name
    }

    /// The codes from `top` down to `code` by the known parents, or nil when `code` is not below `top`.
    static func path(from top: String, to code: String, in picture: NetworkPicture) -> [String]? {
        var out = [code]
        var current = code
        while current != top {
            guard let p = picture.nodes[current]?.parent, !p.isEmpty, out.count <= 8 else { return nil }
            out.append(p)
            current = p
        }
        return out.reversed()
    }

    /// A duration in milliseconds as a person reads it: 45 秒, 12 分钟, 5 小时, 3 天.
    static func age(_ ms: Int64) -> String {
        let s = max(0, ms / 1000)
        if s < 120 { return "\(s) 秒" }
        if s < 7200 { return "\(s / 60) 分钟" }
        if s < 172_800 { return "\(s / 3600) 小时" }
        return "\(s / 86_400) 天"
    }
}
