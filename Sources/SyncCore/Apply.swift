/// How a node applies what it accepted: in the order accepted, a slice of a set per transaction.
/// A node with a parent forwards first and applies its own copy with what is left: at the lowest
/// priority, in short transactions so that accepting — forwarding — never waits long behind it;
/// running, it checks what it accepts without building the changes, which its applier reads
/// again. The top's applier is the last step of the network's upward path: normal priority,
/// whole sets per transaction, the verified changes kept for it and the next set read while it
/// writes.
public struct ApplyPolicy: Sendable, Hashable {
    /// Changes applied per transaction at a node with a parent: the write lock is held briefly,
    /// so accepting the next bundle from a child never waits long behind this node's own copy.
    public static let sliceWithParent = 2_000

    /// Changes applied per transaction at the top, which forwards nothing: a whole change set of
    /// up to 10,000 changes. Each commit writes every page it changed, and the records' key and
    /// subject indexes take their entries in random order, so a slice of 2,000 rewrote the same
    /// index pages five times as often (a 200,000-change import into a store of a million
    /// records: 928 → 683 MB written, 7.3–8.4 s → 6.8–7.1 s).
    public static let sliceAtTop = 10_000

    public let slice: Int
    /// The applier thread's scheduling priority (`setpriority`).
    public let nice: Int32
    /// Whether the next set is read on another thread while this one is written.
    public let readAhead: Bool
    /// Whether a running node builds the changes when it verifies a set, for its applier.
    public let keepsVerifiedChanges: Bool

    public init(hasParent: Bool) {
        slice = hasParent ? Self.sliceWithParent : Self.sliceAtTop
        nice = hasParent ? 19 : 0
        readAhead = !hasParent
        keepsVerifiedChanges = !hasParent
    }

    /// The changes of `entry` the next transaction applies: from the first not applied, at most
    /// `slice`. When the range reaches `count`, that transaction takes the set off the queue.
    public static func nextSlice(of entry: QueueEntry, slice: Int) -> Range<Int> {
        entry.applied..<min(entry.applied + max(slice, 1), entry.count)
    }
}

/// What one change does to the records a node holds — the same on every path a change takes
/// (ingested, accepted from a child, pulled from the parent), so that every node holding the
/// same changes holds the same records whatever order they arrived in.
public enum RecordApply {
    public enum Action: Sendable, Hashable {
        /// The first version of the record: insert it (and derive its state from any status
        /// change that arrived before it).
        case insert
        /// A newer version by the last-writer rule: replace the fields.
        case replace
        /// An older version: kept in the change log only.
        case keep
        /// A status change: derive the record's state again from all its status changes.
        case deriveState
        /// Anything else changes no record.
        case none
    }

    /// The action for a change `op` written at (`hlc`, `origin`), given the record's current
    /// writer (nil: no such record here).
    public static func action(op: String, hlc: Int64, origin: String, current: (hlc: Int64, origin: String)?) -> Action {
        switch op {
        case "put":
            guard let current else { return .insert }
            return LastWriter.supersedes(hlc: hlc, origin: origin, over: current.hlc, current.origin) ? .replace : .keep
        case "status": return .deriveState
        default: return .none
        }
    }
}

/// The child's side of the downward stream: pages of the parent's changes that concern it, in
/// the parent's order, each change applied exactly once by (origin, seq).
public enum DownStream {
    /// Whether a page that starts after position `pageAfter` may be applied at a node standing at
    /// `standing`: pages follow one another, and one that starts further on would skip the changes
    /// in between (a file carried on removable media out of order). A page that starts earlier
    /// repeats changes, which are duplicates.
    public static func follows(pageAfter: Int64, standing: Int64) -> Bool { pageAfter <= standing }

    /// Where the node stands after a page that ends at `next`: never back.
    public static func standing(after current: Int64, page next: Int64) -> Int64 { max(current, next) }

    /// Where the down stream of a node that rebuilt its store starts again (`recover`): past any
    /// position the lost stream can have reached, so that a child's cursor from it lies before the
    /// whole new stream and the child is given everything again (duplicates skipped). Positions
    /// are change ids or one more than the last (below 2^47 at any real scale) and a stream
    /// restarted before took fewer than 65,536 positions a millisecond since: the restart time in
    /// milliseconds times 65,536 lies past both, and stays within 63 bits for four thousand years.
    public static func restartBase(nowMilliseconds: Int64) -> Int64 { nowMilliseconds << 16 }

    /// Whether a node gives its children its own changes only once its parent acknowledged
    /// them: every node with a parent. What a child holds is then held above too, so a node that
    /// loses its disk takes back (`recover`) every own change any child holds, and its next ones
    /// take seqs no child has seen. The top has no parent and gives them at once (its backups
    /// are all that keeps them; OPERATIONS.md "At the top").
    public static func holdsUnacknowledgedOwn(hasParent: Bool) -> Bool { hasParent }
}

/// How a node numbers its own changes: 1, 2, 3 … without a gap, except at the top after
/// `recover`. The top gives its own changes to its children at once (it has no parent to hold
/// them first), so a top restored from a backup may have given seqs past its backup that
/// children hold; its next own changes must not take those again. It cannot know how far it
/// went, so it goes on past any seq it can have given: the restart time in seconds times
/// `stride` (2^21 = 2,097,152) — its seqs, numbered from 1 or from such a restart, grew by fewer
/// than that a second — or the next multiple of `stride` past its log's last seq should the
/// clock be behind. Until the year 2106 that stays below 2^53, exact in every JSON reader.
public enum OwnSeqs {
    public static let stride: Int64 = 1 << 21

    /// The seq after which the restarted top's own changes go on: a multiple of `stride`.
    public static func restartFloor(nowMilliseconds: Int64, logged: Int64) -> Int64 {
        max(nowMilliseconds / 1000, logged / stride + 1) * stride
    }

    /// Whether a change set starting at `firstSeq` may follow no other set (`previousHash`
    /// empty): an origin's first (seq 1), or the first a restarted top signed with no set
    /// before it (one past a multiple of `stride`).
    public static func mayStartAChain(firstSeq: Int64) -> Bool { firstSeq >= 1 && (firstSeq - 1) % stride == 0 }
}
