import CreditDomain
import Foundation

/// The storage a node's sync speaks to: a few coarse operations, each one transaction, that read
/// and write what the core decides (`Intake`, `Coverage`, `ApplyPolicy`, `RecordApply`,
/// `DownStream`, `Routes`). `CreditStore.NodeStore` implements it on SQLite, and both drivers of
/// a node — the runtime (`serve`, `import`, `export`) and the simulator — reach the store's sync
/// state only through it. DESIGN.md's scale path puts a server database behind the same
/// operations at the province.
public protocol SyncStore: Sendable {
    // MARK: Upward, at the parent

    /// Takes verified change sets from a child in one transaction, as `Intake.take` decides:
    /// each exactly once, a gap held, a broken chain refusing the whole call (`Intake.BrokenChain`).
    /// When it returns, what was accepted is durable and may be acknowledged; its changes reach
    /// the change log and records through `applyQueued`. `forward`: this node has a parent, so the
    /// sets are kept to be forwarded verbatim. `header` reads a held set back from its bytes.
    func accept(_ sets: [ReceivedSet], forward: Bool, now: Date, header: ([UInt8]) throws -> ReceivedSet) throws -> [Acceptance]

    /// Where this node stands with an origin received from below (nil: nothing accepted).
    func position(of origin: String) throws -> ChainPosition?

    /// Where this node stands with every origin inside `area` (for a child resuming after it lost track).
    func chains(inside area: DivisionCode) throws -> [ChainPosition]

    /// The oldest accepted set not yet wholly applied (queued after entry `after`), with its bytes.
    func nextQueued(after: Int64) throws -> (entry: QueueEntry, encoded: [UInt8])?

    /// Applies the next slice of a queued set (`ApplyPolicy.nextSlice`) — each change into the
    /// change log, the records as `RecordApply` says, routes noted for the children
    /// (`Routes.areas`) — and moves the queue on, in one transaction. Returns the new `applied`,
    /// or nil, changing nothing, when the queue no longer stands where `entry` says.
    func applyQueued(_ entry: QueueEntry, changes: [Change], dates: [RecordDates], slice: Int) throws -> Int?

    /// Sets and changes accepted and not yet applied.
    func queued() throws -> ApplyQueueCounts

    /// The sets of `origin` this node keeps whole after seq `after`, verbatim and in order, within
    /// the limits (at least the first): what a child rebuilding its store takes back.
    func keptSets(of origin: String, after: Int64, changesMax: Int, bytesMax: Int) throws -> [[UInt8]]

    // MARK: Rebuilding a lost store, at the child

    /// Takes back sets of this node and its subtree that the parent returned, as `accept` takes
    /// a child's, in one transaction: kept as acknowledged, this node's own continuing its
    /// outbox's chain; a gap or a broken chain refuses the whole call.
    func takeBack(_ sets: [ReceivedSet], now: Date, header: ([UInt8]) throws -> ReceivedSet) throws -> [Acceptance]

    /// Where this node's own chain of sealed sets ends (nil: nothing sealed), and the last seq
    /// of its own change log, sealed or not.
    func ownStanding() throws -> (sealed: ChainPosition?, logged: Int64)

    // MARK: Upward, at the child

    /// Sends again what the parent no longer holds: every acknowledged set past where the parent
    /// says it stands with its origin (`Coverage.standing(reported:acknowledgedOrigins:)`; an
    /// origin it does not name stands at 0), pending again, in one transaction. Returns how
    /// many sets.
    func reopen(parentStands: [ChainPosition], parent: String) throws -> Int

    /// What waits for the parent's receipt: the push schedule's input.
    func upwardBacklog() throws -> UpwardBacklog

    /// Seals this node's own changes not yet in a set (`sealer` signs them), in one transaction;
    /// returns how many sets were added.
    func sealOutbox(origin: String, changesPerSet: Int, now: Date, sealer: ChangeSetSealer) throws -> Int

    /// The sets not yet acknowledged, in order, within the limits (at least the first).
    func pendingOutbox(changesMax: Int, bytesMax: Int) throws -> [OutboxEntry]

    /// Acknowledges the sets a verified receipt covers (`Coverage`) and the health records that
    /// travelled in its `bundle` (the bundle's hash), and keeps the receipt, in one transaction;
    /// returns how many sets it acknowledged. A receipt newer than every one kept whose parent
    /// stands below what it acknowledged before — by `covered`, or holding a set of an origin it
    /// names no position of (`held`) — makes the sets past where it stands pending again.
    func acknowledge(
        parent: String, issuedAt: Int64, receipt: [UInt8], bundle: [UInt8], covered: [ChainPosition], held: [SetKey], now: Date
    ) throws -> Int

    // MARK: Health, upward

    /// Keeps verified health records, the latest per node (`HealthRules.keeps`), and a row for
    /// every child they name; returns how many it kept.
    func keepHealth(_ entries: [HealthEntry], now: Date) throws -> Int

    /// Health records not yet acknowledged by the parent, at most `limit`, `first`'s first.
    func healthToForward(first: String, limit: Int) throws -> [OutgoingHealth]

    /// Notes the records that travel in the bundle with hash `bundle`, for its receipt.
    func healthSent(in bundle: [UInt8], _ sent: [(code: String, issuedAt: Int64)]) throws

    // MARK: Downward

    /// The changes routed to `child` after `cursor`, at most `limit`, each with its evidence.
    /// With `holdingUnacknowledgedOwn` (a node with a parent), the page ends before this node's
    /// own first change its parent has not acknowledged (`DownStream.givesOwn`).
    func downwardPage(child: DivisionCode, after cursor: Int64, limit: Int, holdingUnacknowledgedOwn: Bool) throws -> DownwardPage

    /// Gives every change of this node's down stream again at positions from `base` on (or past
    /// the last taken, if further), in order, and goes on from there (`DownStream.restartBase`).
    func restartDownStream(base: Int64) throws

    /// At the top restored from a backup (`recover`): this node's next own change takes seq
    /// `floor` + 1 (`OwnSeqs.restartFloor`), in one transaction; returns that seq. Refused while
    /// own changes are not sealed (they would share a set with the first after) and for a floor
    /// not past its log's last seq.
    func restartOwnSeqs(floor: Int64) throws -> Int64

    /// Where this node stands in its parent's downward stream.
    func downCursor(parent: DivisionCode) throws -> Int64

    /// Applies verified changes from the parent with the new cursor in one transaction: each
    /// exactly once by (origin, seq), the records as `RecordApply` says, routes noted for this
    /// node's own children, the cursor moved as `DownStream.standing` says.
    func applyDownward(parent: DivisionCode, _ changes: [DownwardChange], next: Int64, now: Date) throws -> (applied: Int, duplicates: Int)

    // MARK: Refused on their own

    /// Keeps a set (or a down page's section) refused on its own, with its reason; false if it
    /// was set aside before.
    func setAside(
        direction: String, peer: String, origin: String, firstSeq: Int64, lastSeq: Int64, hash: [UInt8], code: String, message: String,
        encoded: [UInt8],
        now: Date
    ) throws -> Bool
}

extension SyncStore {
    /// The page as the top gives it: every change, its own included, acknowledged or not.
    public func downwardPage(child: DivisionCode, after cursor: Int64, limit: Int) throws -> DownwardPage {
        try downwardPage(child: child, after: cursor, limit: limit, holdingUnacknowledgedOwn: false)
    }

    /// Acknowledges as a receipt that holds nothing back says.
    public func acknowledge(parent: String, issuedAt: Int64, receipt: [UInt8], bundle: [UInt8], covered: [ChainPosition], now: Date) throws -> Int {
        try acknowledge(parent: parent, issuedAt: issuedAt, receipt: receipt, bundle: bundle, covered: covered, held: [], now: now)
    }

    /// Applies every queued set in the order accepted, reading each once with `read` (the whole
    /// set's changes and their dates), `slice` changes per transaction as long as `continuing`;
    /// returns how many sets were finished. A slice another process applied first ends that set's
    /// loop (`applyQueued` gives nil) and the next queued set is read.
    @discardableResult
    public func applyAllQueued(
        slice: Int, while continuing: () -> Bool = { true }, read: (QueueEntry, [UInt8]) throws -> (changes: [Change], dates: [RecordDates])
    ) throws -> Int {
        var count = 0
        while continuing(), let (first, encoded) = try nextQueued(after: 0) {
            var entry = first
            let set = try read(entry, encoded)
            while continuing(), let applied = try applyQueued(entry, changes: set.changes, dates: set.dates, slice: slice) {
                if applied == entry.count {
                    count += 1
                    break
                }
                entry.applied = applied
            }
        }
        return count
    }
}
