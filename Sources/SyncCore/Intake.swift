/// Accepting change sets from a child, exactly once, and what the receipt for them says. The
/// decisions are here; a store (`SyncStore`) only reads and writes what they name, through an
/// `IntakeLedger`, inside the one transaction that records the outcome. So a set is accepted
/// once however often and in whatever order it arrives, in the field and under simulation alike.
public enum Intake {
    public enum Decision: Sendable, Hashable {
        /// It continues the chain: accept it (the chain moves on; it is forwarded and applied).
        case accept
        /// Nothing in it is past where this node stands: accepted before; acknowledge, write nothing.
        case duplicate
        /// It starts after a gap: keep it until the missing seqs arrive.
        case hold(missing: ClosedRange<Int64>)
        /// It claims to follow the last accepted set but names another set's hash: refuse it.
        case brokenChain
    }

    /// The decision for a set of seqs `firstSeq…lastSeq` naming `previousHash`, at a node that
    /// accepted the origin up to `acceptedSeq` (0: nothing yet) with that set's hash `acceptedHash`.
    public static func decide(acceptedSeq: Int64, acceptedHash: [UInt8], firstSeq: Int64, lastSeq: Int64, previousHash: [UInt8]) -> Decision {
        if lastSeq <= acceptedSeq { return .duplicate }
        if firstSeq != acceptedSeq + 1 { return firstSeq > acceptedSeq + 1 ? .hold(missing: (acceptedSeq + 1)...(firstSeq - 1)) : .brokenChain }
        return previousHash == acceptedHash ? .accept : .brokenChain
    }

    /// A set that does not continue its origin's chain: the whole intake is refused, nothing of
    /// it written (the store's transaction rolls back).
    public struct BrokenChain: Error, Hashable, Sendable, CustomStringConvertible {
        public var origin: String
        public var firstSeq: Int64
        public var lastSeq: Int64
        public var description: String {
            "origin \(origin): change set \(firstSeq)…\(lastSeq) does not follow the one accepted before it"
        }
    }

    /// Takes sets into `ledger`, in order, each exactly once: a duplicate writes nothing; a set
    /// that continues its chain is accepted, and then every held set that now follows it, in seq
    /// order; a set after a gap is held. Returns each given set's outcome.
    public static func take<Ledger: IntakeLedger>(_ sets: [ReceivedSet], into ledger: inout Ledger) throws -> [Acceptance] {
        var outcomes: [Acceptance] = []
        outcomes.reserveCapacity(sets.count)
        for set in sets {
            let stand = try ledger.position(of: set.origin)
            switch decide(set, after: stand) {
            case .duplicate:
                outcomes.append(.duplicate)
            case .hold:
                try ledger.hold(set)
                outcomes.append(.held)
            case .brokenChain:
                throw BrokenChain(origin: set.origin, firstSeq: set.firstSeq, lastSeq: set.lastSeq)
            case .accept:
                try ledger.accept(set)
                var last = set
                // Held sets may follow now; one that does not chain on stays held.
                while let held = try ledger.held(origin: last.origin, firstSeq: last.lastSeq + 1),
                    decide(held, after: ChainPosition(origin: last.origin, lastSeq: last.lastSeq, hash: last.hash)) == .accept
                {
                    try ledger.accept(held)
                    try ledger.release(held.key)
                    last = held
                }
                outcomes.append(.accepted)
            }
        }
        return outcomes
    }

    /// The decision for `set` at a node standing at `stand` with its origin.
    public static func decide(_ set: ReceivedSet, after stand: ChainPosition?) -> Decision {
        decide(
            acceptedSeq: stand?.lastSeq ?? 0, acceptedHash: stand?.hash ?? [], firstSeq: set.firstSeq, lastSeq: set.lastSeq,
            previousHash: set.previousHash)
    }

    /// What a receipt for a bundle says, and what the intake report counts.
    public struct Receipt: Sendable, Hashable {
        /// Per origin of the bundle, where the node now stands (an origin it never accepted from is left out).
        public var acknowledged: [ChainPosition]
        /// The sets kept ahead of a gap.
        public var held: [SetKey]
        public var acceptedSets: Int
        public var acceptedChanges: Int
        public var duplicates: Int
    }

    /// The receipt for `sets` taken with `outcomes`, given where the node stands with each origin
    /// afterwards (`position`).
    public static func receipt(for sets: [ReceivedSet], outcomes: [Acceptance], position: (String) throws -> ChainPosition?) rethrows -> Receipt {
        var acknowledged: [ChainPosition] = []
        for origin in Set(sets.map(\.origin)).sorted() {
            if let p = try position(origin) { acknowledged.append(p) }
        }
        var r = Receipt(acknowledged: acknowledged, held: [], acceptedSets: 0, acceptedChanges: 0, duplicates: 0)
        for (set, outcome) in zip(sets, outcomes) {
            switch outcome {
            case .held: r.held.append(set.key)
            case .accepted:
                r.acceptedSets += 1
                r.acceptedChanges += set.count
            case .duplicate: r.duplicates += 1
            }
        }
        return r
    }

    /// Whether the top — which forwards nothing, while a node with a parent keeps every set to
    /// forward it — keeps an accepted set whole, as acknowledged, for the Merkle proofs its changes
    /// take downward: when it continues what the top holds of its origin (a store from before sets
    /// were kept holds none of the earlier ones, and keeps only the changes).
    public static func topKeepsWhole(firstSeq: Int64, holdsAnyOfOrigin: Bool, holdsSetEndingBefore: Bool) -> Bool {
        (firstSeq == 1 && !holdsAnyOfOrigin) || holdsSetEndingBefore
    }
}

/// What a store does when sets are taken (`Intake.take`), inside one transaction.
public protocol IntakeLedger {
    /// Where the node stands with `origin` (nil: nothing accepted yet).
    func position(of origin: String) throws -> ChainPosition?
    /// The set held for `origin` that starts at `firstSeq`, if any.
    func held(origin: String, firstSeq: Int64) throws -> ReceivedSet?
    /// Accepts the set: the chain moves on, the set is kept (to forward upward; whole at the top
    /// as `Intake.keepsWhole` says) and queued to be applied.
    mutating func accept(_ set: ReceivedSet) throws
    /// Keeps a set ahead of a gap (a second copy of a held set changes nothing).
    mutating func hold(_ set: ReceivedSet) throws
    /// Forgets a held set that was just accepted.
    mutating func release(_ key: SetKey) throws
}

/// The child's side of a receipt: an outbox entry is acknowledged up to the seq the parent
/// names for its origin only if the parent's hash for that seq is the hash of the child's own
/// set ending there — the same set, not another one with the same seqs.
public enum Coverage {
    public static func acknowledges(_ position: ChainPosition, ownHashEndingThere: [UInt8]?) -> Bool {
        ownHashEndingThere == position.hash
    }

    /// Where a receipt says the parent stands with each origin it names: the seq it acknowledges,
    /// or 0 for an origin it holds a set of behind a gap without having accepted any (a parent
    /// that rebuilt its store). The child sends again what it had acknowledged past that.
    public static func standing(covered: [ChainPosition], held: [SetKey]) -> [(origin: String, lastSeq: Int64)] {
        var stands = Dictionary(covered.map { ($0.origin, $0.lastSeq) }, uniquingKeysWith: max)
        for h in held where stands[h.origin] == nil { stands[h.origin] = 0 }
        return stands.sorted { $0.key < $1.key }.map { ($0.key, $0.value) }
    }

    /// Where the parent stands with each origin this node has acknowledged sets of, from the
    /// parent's whole account of the node's subtree (`GET /v1/sync/state`): the seq it names, or
    /// 0 for an origin it names nothing of (a parent that rebuilt its store and lost all of it).
    public static func standing(reported: [ChainPosition], acknowledgedOrigins: [String]) -> [(origin: String, lastSeq: Int64)] {
        let stands = Dictionary(reported.map { ($0.origin, $0.lastSeq) }, uniquingKeysWith: max)
        return acknowledgedOrigins.sorted().map { ($0, stands[$0] ?? 0) }
    }
}
