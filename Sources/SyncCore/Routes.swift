import CreditDomain

/// Which of a node's children a change concerns (DESIGN.md "Relevance downward"). The parent
/// writes these areas when a change enters by any path; a child pulls what is routed to it.
public struct Routes: Sendable, Hashable {
    public var children: [DivisionCode]
    /// Kinds every node receives (catalogue `networkWide`).
    public var networkWideKinds: Set<String>

    public init(children: [DivisionCode] = [], networkWideKinds: Set<String> = []) {
        self.children = children
        self.networkWideKinds = networkWideKinds
    }

    /// The area written for a network-wide change: every child but the one it came from.
    public static let everyChild = "*"

    /// The relevance areas of a change: `*` for a network-wide kind (every child but the one it
    /// came from); else the child whose area holds the record, unless the change came from
    /// inside that child (nothing goes back where it came from).
    public func areas(jurisdiction: String, kind: String, origin: String) -> [String] {
        guard !children.isEmpty else { return [] }
        if networkWideKinds.contains(kind) { return [Self.everyChild] }
        guard let j = try? DivisionCode(jurisdiction), let child = children.first(where: { $0.contains(j) }) else { return [] }
        if let o = try? DivisionCode(origin), child.contains(o) { return [] }
        return [child.digits]
    }

    /// The child whose area holds `jurisdiction`, if any.
    public func child(containing jurisdiction: String) -> DivisionCode? {
        guard let j = try? DivisionCode(jurisdiction) else { return nil }
        return children.first { $0.contains(j) }
    }

    /// A record whose versions named several areas (a correction moved it, or two origins
    /// disagree): every child holding one of `jurisdictions` receives its changes, so that no
    /// node keeps a superseded version or a stale state. Not back to where the change came from.
    public func areas(jurisdictions: [String], kind: String, origin: String) -> [String] {
        var out: [String] = []
        for j in jurisdictions {
            for a in areas(jurisdiction: j, kind: kind, origin: origin) where !out.contains(a) { out.append(a) }
        }
        return out
    }

    /// Children that hold a record whose versions named `before` and now also `after`, and did
    /// not before: they must be given the record's winning version and its status changes.
    public func newlyConcerned(before: [String], after: [String]) -> [DivisionCode] {
        let held = Set(before.compactMap { child(containing: $0) })
        var out: [DivisionCode] = []
        for j in after {
            if let c = child(containing: j), !held.contains(c), !out.contains(c) { out.append(c) }
        }
        return out
    }

    /// The child's side of the same rule: whether a change that came down concerns `node` — its
    /// record lies in the node's area or its kind is network-wide — and did not come from the
    /// node's own subtree. A change about another area concerns the node only if the node holds
    /// its record, or the same page brings a change of that record about the node's area (a
    /// record that moved: `Downward.apply`). A down page holding anything else is refused whole.
    public static func concerns(_ node: DivisionCode, origin: String, kind: String, jurisdiction: String, networkWideKinds: Set<String>) -> Bool {
        if let o = try? DivisionCode(origin), node.contains(o) { return false }
        if networkWideKinds.contains(kind) { return true }
        return (try? DivisionCode(jurisdiction)).map { node.contains($0) } ?? false
    }
}

/// Which version of a record wins: the last writer by (HLC, origin). Every node applies the
/// same rule, so the order changes arrive in does not matter.
public enum LastWriter {
    public static func supersedes(hlc: Int64, origin: String, over currentHLC: Int64, _ currentOrigin: String) -> Bool {
        (hlc, origin) > (currentHLC, currentOrigin)
    }
}

/// Who may send what upward: only a configured child, and only changes of origins in its own
/// subtree. The caller's code comes from its certificate, never from the bundle's words.
public enum UpwardAcceptance {
    public enum Refusal: Sendable, Hashable {
        case notAChild(sender: DivisionCode)
        case outsideSubtree(sender: DivisionCode, origin: DivisionCode)
    }

    public static func check(sender: DivisionCode, children: [DivisionCode], origins: [DivisionCode]) -> Refusal? {
        guard children.contains(sender) else { return .notAChild(sender: sender) }
        if let stray = origins.first(where: { !sender.contains($0) }) { return .outsideSubtree(sender: sender, origin: stray) }
        return nil
    }
}
