import CreditDomain

/// The child regions of a node's area as its pages and ledgers group records by them: which
/// child a record's jurisdiction lies in (none: the node's own level, 本级), and each child's
/// name as the division directory or its health records give it — the tier and code until one
/// does. Names are read once per page or ledger (`NodeContext.childRegions()`), since children
/// report theirs.
public struct ChildRegions: Sendable {
    /// This node's own code.
    public let own: DivisionCode
    /// The children in the configuration's order.
    public let children: [DivisionCode]
    private let names: [String: String]

    init(own: DivisionCode, children: [DivisionCode], names: [String: String]) {
        self.own = own
        self.children = children
        self.names = names
    }

    /// A child's name: as the directory or its health records give it, else its tier and code
    /// (县级 420102000000).
    public func name(of child: DivisionCode) -> String {
        names[child.digits] ?? "\(child.tier.chineseName)级 \(child.digits)"
    }

    /// A child said with its code: the name and code (江岸区（420102000000）), or the tier and code
    /// while it has given no name.
    public func label(of child: DivisionCode) -> String {
        names[child.digits].map { "\($0)（\(child.digits)）" } ?? name(of: child)
    }

    /// The position in `children` of the child whose area holds `jurisdiction`; nil when it lies
    /// in none of them (this node's own level) or is not a division code.
    public func index(of jurisdiction: String) -> Int? {
        guard let j = try? DivisionCode(jurisdiction) else { return nil }
        return children.firstIndex { $0.contains(j) }
    }

    /// The region `jurisdiction` is counted in: a child's code and name, or this node's own code
    /// and 本级.
    public func region(of jurisdiction: String) -> (code: String, name: String) {
        guard let i = index(of: jurisdiction) else { return (own.digits, "本级") }
        return (children[i].digits, name(of: children[i]))
    }

    /// A region a page's filter may name — a child's code or this node's own — or nil.
    public func filter(_ text: String) -> DivisionCode? {
        guard let code = try? DivisionCode(text), code == own || children.contains(code) else { return nil }
        return code
    }
}

extension NodeContext {
    /// The children's regions with the names the directory and their health records give now.
    public func childRegions() throws -> ChildRegions {
        let c = configuration
        return ChildRegions(own: c.code, children: c.children, names: try childNames())
    }

    /// The children's own names (江岸区), by code: the division directory's, else what their
    /// health records say; a child named by neither is left out.
    public func childNames() throws -> [String: String] {
        let children = configuration.children
        var names = try store.nodeNames(children.map(\.digits))
        if let directory = divisions {
            for child in children { if let name = directory.name(of: child) { names[child.digits] = name } }
        }
        return names
    }
}
