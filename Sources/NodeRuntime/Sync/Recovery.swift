import ChangeSets
import CreditDomain
import CreditStore
import Foundation
import SyncCore

/// What `recover` took back, per origin of the node's subtree its parent holds.
public struct RecoveryReport: Sendable, Codable {
    public struct Origin: Sendable, Codable, Hashable {
        public var origin: String
        /// The last seq this store held of the origin before, and holds now.
        public var from: Int64
        public var to: Int64
        public var sets: Int
        public var changes: Int
    }

    /// Nil at the top, which has no parent: its down stream started again, and its own seqs.
    public var parent: String?
    public var origins: [Origin]
    /// The pull that followed: what concerns the node from above.
    public var pull: PullReport?
    /// At the top: the seq its next own change takes (`OwnSeqs`), past any its lost store gave.
    public var ownSeqsFrom: Int64?
}

/// Rebuilding a node's store from its parent (a store lost or restored from an older backup):
/// the parent keeps every change set it accepted from below verbatim, so it returns the node's
/// own chain and its subtree's (`GET /v1/sync/return`); each set is verified against its
/// origin's signature and taken back as acknowledged, own sets continuing the node's outbox.
/// A pull then brings what concerns the node from above. Afterwards the node's next change
/// continues its own chain where the parent stands.
public struct Recovery: Sendable {
    public let node: NodeContext

    public init(node: NodeContext) { self.node = node }

    /// Why a recovery stopped. Each page taken back is one transaction: what was taken before
    /// the refusal stays, and running `recover` again goes on from there.
    public struct Refusal: Error, Hashable, Sendable, CustomStringConvertible {
        public enum Code: String, Sendable {
            case unsealed = "unsealed-changes", diverged = "chain-diverged", notReturned = "not-returned"
        }
        public var code: Code
        public var message: String
        public var description: String { "\(message) [\(code.rawValue)]" }
    }

    /// What is to be taken back of one origin: where this store stands and where the parent does.
    public struct Wanted: Sendable, Hashable {
        public var origin: String
        public var from: Int64
        public var to: Int64
        /// Its account before a page is taken.
        public var untaken: RecoveryReport.Origin { RecoveryReport.Origin(origin: origin, from: from, to: from, sets: 0, changes: 0) }
    }

    /// Recovers over HTTPS from the configured parent: `begin`, the parent's standing (`GET
    /// /v1/sync/state`, read by `wanted`), each origin's sets page by page (`GET
    /// /v1/sync/return`, taken by `take`), then a pull. The simulator runs the same steps over
    /// its network.
    public func run(now: Date = Date()) async throws -> RecoveryReport {
        try begin(now: now)
        guard let parent = node.configuration.parent else {
            return RecoveryReport(parent: nil, origins: [], ownSeqsFrom: try restartOwnSeqs(now: now))
        }
        var report = RecoveryReport(parent: parent.code.digits, origins: [])
        try await SyncClient.withParent(node, parent) { connection in
            let state = try await connection.exchange(path: "/v1/sync/state", limit: 64 << 20, what: "the question where it stands")
            for wanted in try self.wanted(state: state) {
                var taken = wanted.untaken
                while taken.to < wanted.to {
                    let page = try await connection.exchange(
                        path: "/v1/sync/return?origin=\(wanted.origin)&after=\(taken.to)", limit: 1 << 30,
                        what: "the return of \(wanted.origin)'s change sets")
                    try take(page: page, of: wanted, into: &taken, now: now)
                }
                node.logger.notice(
                    "change sets taken back from the parent",
                    metadata: ["origin": "\(taken.origin)", "from": "\(taken.from)", "to": "\(taken.to)", "sets": "\(taken.sets)"])
                report.origins.append(taken)
            }
        }
        report.pull = try await SyncClient(node: node).pull(now: now)
        return report
    }

    /// The first step: the children's cursors are positions of the lost stream, so the stream
    /// starts again past all of them — first, so that whatever is taken back below, even by a
    /// recovery that stops half-way, lies past them too — and each child is given its area
    /// again (duplicates skipped). At the top, restored from a backup, its own seqs go on past the
    /// lost ones next (`restartOwnSeqs`).
    public func begin(now: Date) throws {
        try node.sync.restartDownStream(base: DownStream.restartBase(nowMilliseconds: ChinaTime.milliseconds(now)))
    }

    /// At the top, after `begin`: its own changes sealed, their seqs go on past any its lost store
    /// can have given to its children (`OwnSeqs`), so that no child holds another change under
    /// the seq of a new one. Returns the seq the next takes.
    public func restartOwnSeqs(now: Date) throws -> Int64 {
        try Export(node: node).seal(identity: try node.credentials.identity(), now: now)
        let logged = try node.sync.ownStanding().logged
        let next = try node.sync.restartOwnSeqs(floor: OwnSeqs.restartFloor(nowMilliseconds: ChinaTime.milliseconds(now), logged: logged))
        node.logger.notice("own seqs restarted past those a lost store may have given", metadata: ["last": "\(logged)", "next": "\(next)"])
        return next
    }

    /// From the parent's answer to `/v1/sync/state`: the origins this store stands below the
    /// parent with, in origin order. Refuses a store whose chain is not the network's
    /// (`chain-diverged`) or that holds unsealed changes of its own where the parent holds sets
    /// (`unsealed-changes`).
    public func wanted(state bytes: [UInt8]) throws -> [Wanted] {
        let configuration = node.configuration
        let parent = configuration.parent?.code.digits ?? "none"
        let state = try Return.Standing.read(bytes, parent: parent)
        var out: [Wanted] = []
        for standing in state.origins.sorted(by: { $0.origin < $1.origin }) {
            guard let origin = try? DivisionCode(standing.origin), configuration.code.contains(origin) else {
                throw SyncError(code: .refused, message: "parent \(parent) named \(standing.origin), which is not in this node's subtree")
            }
            let from = try stands(below: standing)
            if from < standing.lastSeq { out.append(Wanted(origin: standing.origin, from: from, to: standing.lastSeq)) }
        }
        return out
    }

    /// Where this store stands with the origin the parent stands at: the last seq it holds.
    private func stands(below parentStands: Return.Standing.Origin) throws -> Int64 {
        let origin = parentStands.origin
        var stands: ChainPosition?
        if origin == node.configuration.code.digits {
            let standing = try node.sync.ownStanding()
            stands = standing.sealed
            // Changes logged here and not sealed may be the same seqs as sets the parent holds,
            // cut differently: they cannot be told apart from a divergence.
            if standing.logged > (stands?.lastSeq ?? 0), parentStands.lastSeq > (stands?.lastSeq ?? 0) {
                throw Refusal(
                    code: .unsealed,
                    message:
                        "this store holds changes \((stands?.lastSeq ?? 0) + 1)…\(standing.logged) of its own that were never sealed, and the parent holds sets past seq \(stands?.lastSeq ?? 0); recover into an empty store instead (OPERATIONS.md, \"Restoring\")"
                )
            }
        } else {
            stands = try node.sync.position(of: origin)
        }
        let from = stands?.lastSeq ?? 0
        if from == parentStands.lastSeq, let stands, SyncServer.hex(stands.hash) != parentStands.lastHash {
            throw Refusal(
                code: .diverged,
                message:
                    "this store and the parent both hold \(origin) up to seq \(from) but not the same change set there; the store is not this node's history as the network holds it"
            )
        }
        return from
    }

    /// Takes back one page the parent returned (`/v1/sync/return` after `taken.to`): each set
    /// verified against its origin's signature, taken as acknowledged in one transaction, then
    /// applied; `taken` moves past it. A page that fails verification, names other origins or
    /// does not move past `taken.to` is refused (`not-returned`) with nothing of it written.
    public func take(page bytes: [UInt8], of wanted: Wanted, into taken: inout RecoveryReport.Origin, now: Date) throws {
        let origin = wanted.origin
        let parent = node.configuration.parent?.code.digits ?? "none"
        let bundle = try ChangeBundle.decode(bytes)
        guard bundle.sender == parent else {
            throw SyncError(code: .refused, message: "the answer to the return of \(origin)'s sets is signed by \(bundle.sender), not by the parent")
        }
        let (verified, refused) = try bundle.verifySettingAside(
            trust: try node.credentials.trust(), now: now, readingChanges: bundle.changeSets.map { _ in true })
        if let (set, error) = refused.first {
            throw Refusal(
                code: .notReturned,
                message:
                    "the parent returned \(origin)'s change set \(set.header.firstSeq)…\(set.header.lastSeq), which fails verification (\(error.message)); nothing of \(origin) was taken back past seq \(taken.to)"
            )
        }
        guard !verified.isEmpty, verified.allSatisfy({ $0.changeSet.header.origin == origin }),
            let last = verified.last?.changeSet.header.lastSeq, last > taken.to
        else {
            throw Refusal(
                code: .notReturned,
                message:
                    "the parent stands at seq \(wanted.to) of \(origin) but returned \(verified.isEmpty ? "no change set" : "no set of it past seq \(taken.to)") after seq \(taken.to); it may hold only the changes of those seqs (a store from before sets were kept)"
            )
        }
        let received = verified.map(\.received)
        let outcomes: [Acceptance]
        do {
            outcomes = try node.sync.takeBack(received, now: now) { try ChangeSet.decode($0).received }
        } catch let broken as Intake.BrokenChain {
            throw Refusal(
                code: .diverged,
                message:
                    "\(broken.description) in this store: the store is not this node's history as the network holds it (a backup from another chain?); recover into an empty store instead"
            )
        } catch let gap as StoreError where gap.code == .badRule {
            throw Refusal(code: .notReturned, message: "\(gap.message); nothing of this page was taken back")
        }
        node.applier.offer(verified, limit: .max)
        try node.applier.drain(node)
        for (set, outcome) in zip(received, outcomes) where outcome == .accepted {
            taken.sets += 1
            taken.changes += set.count
        }
        taken.to = last
    }
}
