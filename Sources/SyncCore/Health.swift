import CreditDomain

/// What a node says of itself in its signed health record (`ChangeSets.HealthRecord`): who it is
/// and where it sits, when it said so, its upward window and backlog, its counts and versions.
public struct NodeHealth: Sendable, Hashable, Codable {
    public var code: String
    public var name: String
    /// Its configured parent ("" at the top).
    public var parent: String
    /// Its configured children, sorted: the nodes the top expects to hear from below it.
    public var children: [String]
    /// Milliseconds since 1970 (UTC), at the node's clock.
    public var issuedAt: Int64
    public var windowSeconds: Int64
    /// Changes not yet acknowledged by the parent, and when the oldest reached the node (0: none).
    public var backlog: Int64
    public var oldestPendingAt: Int64
    public var records: Int64
    public var quarantined: Int64
    public var software: String
    public var catalogue: String

    public init(
        code: String, name: String, parent: String, children: [String], issuedAt: Int64, windowSeconds: Int64, backlog: Int64, oldestPendingAt: Int64,
        records: Int64, quarantined: Int64, software: String, catalogue: String
    ) {
        self.code = code
        self.name = name
        self.parent = parent
        self.children = children.sorted()
        self.issuedAt = issuedAt
        self.windowSeconds = windowSeconds
        self.backlog = backlog
        self.oldestPendingAt = oldestPendingAt
        self.records = records
        self.quarantined = quarantined
        self.software = software
        self.catalogue = catalogue
    }
}

extension NodeHealth {
    /// The record's content in its canonical form: keys sorted, no spaces, strings as
    /// `CanonicalJSON` writes them. What a health record signs (`ChangeSets.HealthRecord`) and
    /// what the store keeps to read fields from (`NodeStore.keepHealth`):
    /// `{"backlog":…,"catalogue":…,"children":[…],"code":…,"issuedAt":…,"name":…,"oldestPendingAt":…,"parent":…,"quarantined":…,"records":…,"software":…,"windowSeconds":…}`
    public func canonicalBytes() -> [UInt8] {
        var s = "{\"backlog\":\(backlog),\"catalogue\":"
        CanonicalJSON.appendString(catalogue, to: &s)
        s += ",\"children\":[" + children.map { "\"\($0)\"" }.joined(separator: ",") + "],\"code\":\"\(code)\",\"issuedAt\":\(issuedAt),\"name\":"
        CanonicalJSON.appendString(name, to: &s)
        s +=
            ",\"oldestPendingAt\":\(oldestPendingAt),\"parent\":\"\(parent)\",\"quarantined\":\(quarantined),\"records\":\(records),\"software\":"
        CanonicalJSON.appendString(software, to: &s)
        s += ",\"windowSeconds\":\(windowSeconds)}"
        return Array(s.utf8)
    }
}

/// A verified health record as the store keeps it: the content and the signed bytes, forwarded
/// verbatim.
public struct HealthEntry: Sendable, Hashable {
    public var health: NodeHealth
    public var encoded: [UInt8]

    public init(health: NodeHealth, encoded: [UInt8]) {
        self.health = health
        self.encoded = encoded
    }
}

/// A kept health record on its way up: whose it is, when it was issued, and its signed bytes,
/// forwarded verbatim (what `SyncStore.healthToForward` reads: the content is not decoded again).
public struct OutgoingHealth: Sendable, Hashable {
    public var code: String
    public var issuedAt: Int64
    public var encoded: [UInt8]

    public init(code: String, issuedAt: Int64, encoded: [UInt8]) {
        self.code = code
        self.issuedAt = issuedAt
        self.encoded = encoded
    }
}

/// The rules of health records: which one a node keeps, what goes up, and how a node stands.
public enum HealthRules {
    /// Health records a push carries at most (with the change sets), the sender's own first.
    public static let perBundleMax = 30_000

    /// Latest per node: a record replaces the one kept only when it was issued later. Records
    /// arrive by several paths and retries; an older one never overwrites a newer.
    public static func keeps(incoming: Int64, kept: Int64?) -> Bool { kept.map { incoming > $0 } ?? true }

    /// Where a node stands, seen at `now` from its latest record (nil: never heard from). Silence
    /// counts as waiting: whatever it held when it last spoke, and anything since, has waited
    /// at least since then. So the wait is measured from its oldest pending change, or from the
    /// record itself when nothing was pending, against the node's window (`Window.standing`).
    public static func standing(of health: NodeHealth?, now: Int64) -> Window.Standing {
        guard let h = health else { return .breached }
        let since = h.oldestPendingAt > 0 ? min(h.oldestPendingAt, h.issuedAt) : h.issuedAt
        return Window.standing(waited: max(0, now - since), window: h.windowSeconds * 1000)
    }

    /// Heard from within its window: what the interconnection rate counts (seed 001: ≥ 90 %).
    public static func heard(_ health: NodeHealth?, now: Int64) -> Bool {
        guard let h = health else { return false }
        return now - h.issuedAt <= h.windowSeconds * 1000
    }
}
