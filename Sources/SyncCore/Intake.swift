/// Accepting a change set from a child, exactly once — the decision for one set against where
/// this node stands with its origin (the last seq it accepted and that set's hash). Pure: the
/// store asks it inside the transaction that records the outcome (`NodeStore.accept`), for each
/// set of a bundle and for each held set a new one lets through, so a set is accepted once however
/// often and in whatever order it arrives.
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
}
