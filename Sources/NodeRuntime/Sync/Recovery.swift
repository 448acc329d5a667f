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

    /// Nil at the top, which has no parent: only its down stream started again.
    public var parent: String?
    public var origins: [Origin]
    /// The pull that followed: what concerns the node from above.
    public var pull: PullReport?
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

    struct State: Decodable {
        struct Origin: Decodable {
            var origin: String
            var lastSeq: Int64
            var lastHash: String
        }
        var node: String
        var origins: [Origin]
    }

    public func run(now: Date = Date()) async throws -> RecoveryReport {
        let configuration = node.configuration
        // The children's cursors are positions of the lost stream: the stream starts again past
        // all of them — first, so that whatever is taken back below, even by a recovery that
        // stops half-way, lies past them too — and each child is given its area again
        // (duplicates skipped). At the top, restored from a backup, that is all there is to do.
        try node.sync.restartDownStream(base: DownStream.restartBase(nowMilliseconds: ChinaTime.milliseconds(now)))
        guard let parent = configuration.parent else { return RecoveryReport(parent: nil, origins: []) }
        let own = configuration.code.digits
        var report = RecoveryReport(parent: parent.code.digits, origins: [])
        try await SyncClient.withParent(node, parent) { connection in
            let stateBytes = try await connection.exchange(path: "/v1/sync/state", limit: 64 << 20, what: "the question where it stands")
            let state: State
            do { state = try JSONDecoder().decode(State.self, from: Data(stateBytes)) } catch {
                throw SyncError(code: .refused, message: "parent \(parent.code) answered /v1/sync/state with what is not its JSON: \(error)")
            }
            for standing in state.origins.sorted(by: { $0.origin < $1.origin }) {
                guard let origin = try? DivisionCode(standing.origin), configuration.code.contains(origin) else {
                    throw SyncError(code: .refused, message: "parent \(parent.code) named \(standing.origin), which is not in this node's subtree")
                }
                if let taken = try await takeBack(standing, own: own, connection: connection, now: now) { report.origins.append(taken) }
            }
        }
        report.pull = try await SyncClient(node: node).pull(now: now)
        return report
    }

    /// Takes back one origin's sets after where this store stands, page by page, until it stands
    /// where the parent does; nil when it already did.
    private func takeBack(_ parentStands: State.Origin, own: String, connection: SyncClient.ParentConnection, now: Date) async throws
        -> RecoveryReport.Origin?
    {
        let origin = parentStands.origin
        var stands: ChainPosition?
        if origin == own {
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
        if from >= parentStands.lastSeq {
            if from == parentStands.lastSeq, let stands, SyncServer.hex(stands.hash) != parentStands.lastHash {
                throw Refusal(
                    code: .diverged,
                    message:
                        "this store and the parent both hold \(origin) up to seq \(from) but not the same change set there; the store is not this node's history as the network holds it"
                )
            }
            return nil
        }
        var taken = RecoveryReport.Origin(origin: origin, from: from, to: from, sets: 0, changes: 0)
        let trust = try node.credentials.trust()
        while taken.to < parentStands.lastSeq {
            let bytes = try await connection.exchange(
                path: "/v1/sync/return?origin=\(origin)&after=\(taken.to)", limit: 1 << 30, what: "the return of \(origin)'s change sets")
            let bundle = try ChangeBundle.decode(bytes)
            guard bundle.sender == connection.parent.code.digits else {
                throw SyncError(
                    code: .refused, message: "the answer to the return of \(origin)'s sets is signed by \(bundle.sender), not by the parent")
            }
            let (verified, refused) = try bundle.verifySettingAside(trust: trust, now: now, readingChanges: bundle.changeSets.map { _ in true })
            if let (set, error) = refused.first {
                throw Refusal(
                    code: .notReturned,
                    message:
                        "the parent returned \(origin)'s change set \(set.header.firstSeq)…\(set.header.lastSeq), which fails verification (\(error.message)); nothing of \(origin) was taken back past seq \(taken.to)"
                )
            }
            guard !verified.isEmpty, verified.allSatisfy({ $0.changeSet.header.origin == origin }) else {
                throw Refusal(
                    code: .notReturned,
                    message:
                        "the parent stands at seq \(parentStands.lastSeq) of \(origin) but returned \(verified.isEmpty ? "no change set" : "sets of other origins") after seq \(taken.to); it may hold only the changes of those seqs (a store from before sets were kept)"
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
            guard let last = received.last, last.lastSeq > taken.to else { break }
            taken.to = last.lastSeq
        }
        node.logger.notice(
            "change sets taken back from the parent",
            metadata: ["origin": "\(origin)", "from": "\(from)", "to": "\(taken.to)", "sets": "\(taken.sets)"])
        return taken
    }
}
