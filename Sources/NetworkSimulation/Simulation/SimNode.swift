import ChangeSets
import CreditDomain
import NodePKI
import SyncCore

/// One node inside the simulator: its identity, its sync schedule, and an in-memory store of
/// exactly what a node's SQLite store holds for sync — its change sets waiting upward, the
/// chains it received, held sets, records with their states, and the log its children pull.
/// The rules it follows are the runtime's: `UpwardSchedule`, `ChainState.fit`, `Routes`,
/// `UpwardAcceptance`, `LastWriter`, `RecordState.derive`.
final class SimNode {
    /// A change set waiting upward: the node's own or one received from a child, verbatim.
    struct OutboxEntry {
        /// Kept decoded: the bundle that carries it upward needs it as it is.
        var changeSet: ChangeSet
        var hash: [UInt8]
        /// True time it became pending here (for the hop's latency).
        var since: Int64
        var acknowledged = false

        init(_ changeSet: ChangeSet, hash: [UInt8], since: Int64) {
            self.changeSet = changeSet
            self.hash = hash
            self.since = since
        }

        var origin: String { changeSet.header.origin }
        var lastSeq: Int64 { changeSet.header.lastSeq }
        var count: Int { changeSet.header.count }
    }

    /// What a child may pull: a change with its inclusion proof under its origin's signed header.
    struct DownItem {
        /// The child's index, or -1 for every child (a network-wide kind).
        var area: Int32
        var originNode: Int32
        var line: [UInt8]
        var leafIndex: Int
        var proof: [[UInt8]]
        var signedHeader: Int
        /// True time it arrived here.
        var since: Int64
    }

    struct Record {
        var contentHLC: Int64
        var contentOrigin: String
        var facts: [(hlc: Int64, origin: String, action: StatusAction)] = []
        var state: RecordState = .active
    }

    struct HeldSet {
        var verified: ChangeSet.Verified
        var since: Int64
    }

    let index: Int
    let code: DivisionCode
    let name: String
    let parent: Int?
    var children: [Int] = []
    let identity: NodeIdentity
    /// The window of the hop from this node to its parent, in milliseconds.
    let window: Int64
    /// The region (DOMAIN.md §5) this node reports under: its city, or a county-level unit under the province.
    var region: Int = 0
    /// Its clock's offset from true time (clock-skew fault), in milliseconds.
    var skew: Int64 = 0
    let routes: Routes
    /// Its own trust store (each node verifies a certificate once, then only its validity period).
    let trust: TrustStore

    var down = false
    var hlc = HybridLogicalClock()
    var schedule: UpwardSchedule
    var nextSeq: Int64 = 1
    var lastOwnHash: [UInt8] = []
    var outbox: [OutboxEntry] = []
    /// The push and the pull waiting for their answer, if any (one of each at a time, as in `serve`).
    var pushAttempt: Int?
    var pullAttempt: Int?
    /// When the next push timer fires, if one is set.
    var pushTimerAt: Int64?
    var chains: [String: ChainState] = [:]
    var held: [String: [Int64: HeldSet]] = [:]
    var records: [String: Record] = [:]
    /// Status changes about records not received yet (another path may bring the record later).
    var pendingFacts: [String: [(hlc: Int64, origin: String, action: StatusAction)]] = [:]
    var applied: Set<Int64> = []
    var downLog: [DownItem] = []
    /// The child's cursor in its parent's log (what the real child sends as `after`).
    var pullCursor = 0
    /// This node's pull ticks are `pullPhase + k · interval`; the next one it is woken at.
    var pullPhase: Int64 = 0
    var pullAt: Int64?
    var backlogPeak = 0
    var backlogPeakAt: Int64 = 0
    /// Rows waiting while the node was down (entered when it is back).
    var deferredRows = 0

    init(index: Int, code: DivisionCode, name: String, parent: Int?, identity: NodeIdentity, window: Int64, schedule: UpwardSchedule, routes: Routes, trust: TrustStore) {
        self.index = index
        self.code = code
        self.name = name
        self.parent = parent
        self.identity = identity
        self.window = window
        self.schedule = schedule
        self.routes = routes
        self.trust = trust
    }

    var pendingChanges: Int { outbox.reduce(0) { $0 + ($1.acknowledged ? 0 : $1.count) } }
    var oldestPending: Int64? { outbox.first { !$0.acknowledged }?.since }

    /// Drops acknowledged entries at the front (the store keeps them; the simulator need not).
    func compactOutbox() {
        if let first = outbox.firstIndex(where: { !$0.acknowledged }) {
            if first > 0 { outbox.removeFirst(first) }
        } else {
            outbox.removeAll(keepingCapacity: true)
        }
    }

    /// Applies one change to the records, as the store does: a put is the new version if it is
    /// the last writer by (HLC, origin); a status change re-derives the state from all of them.
    func applyToRecords(_ c: Change) {
        switch c.op {
        case "put":
            if var r = records[c.key] {
                if LastWriter.supersedes(hlc: c.hlc.rawValue, origin: c.origin, over: r.contentHLC, r.contentOrigin) {
                    r.contentHLC = c.hlc.rawValue
                    r.contentOrigin = c.origin
                    records[c.key] = r
                }
            } else {
                var r = Record(contentHLC: c.hlc.rawValue, contentOrigin: c.origin)
                if let early = pendingFacts.removeValue(forKey: c.key) {
                    r.facts = early
                    r.state = RecordState.derive(early)
                }
                records[c.key] = r
            }
        case "status":
            guard let s = StatusChange.parse(body: c.body) else { return }
            let fact = (hlc: c.hlc.rawValue, origin: c.origin, action: s.action)
            if var r = records[c.key] {
                r.facts.append(fact)
                r.state = RecordState.derive(r.facts)
                records[c.key] = r
            } else {
                // A status change may arrive before its record (different paths): kept until it does.
                pendingFacts[c.key, default: []].append(fact)
            }
        default: break
        }
    }

}
