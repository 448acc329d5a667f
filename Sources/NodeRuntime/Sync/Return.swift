import ChangeSets
import CreditDomain
import Foundation
import SyncCore

/// The parent's side of a child's recovery (`credit-node recover`): where this node stands with
/// every origin of the child's subtree (`GET /v1/sync/state`), and the sets of one of them after
/// a seq, as kept here since they were accepted (`GET /v1/sync/return`). The HTTPS listener and
/// the simulator both answer through it.
public struct Return: Sendable {
    public let node: NodeContext

    public init(node: NodeContext) { self.node = node }

    /// Where this node stands with each origin inside `caller`'s subtree, as JSON
    /// (`{"node":…,"origins":[{"lastHash":…,"lastSeq":…,"origin":…}]}`, keys sorted).
    public func standing(of caller: DivisionCode) throws -> [UInt8] {
        let chains = try node.sync.chains(inside: caller)
        var out = "{\"node\":\"\(node.configuration.code.digits)\",\"origins\":["
        out += chains.map { "{\"lastHash\":\"\(SyncServer.hex($0.hash))\",\"lastSeq\":\($0.lastSeq),\"origin\":\"\($0.origin)\"}" }.joined(
            separator: ",")
        out += "]}"
        return Array(out.utf8)
    }

    /// The sets of `origin` after seq `after` kept here, as a bundle this node signs (at most a
    /// push's changes and set bytes; the caller asks again from where it ends). Only for a
    /// configured child (`not-a-child`), only for an origin inside it (`outside-subtree`).
    public func sets(for caller: DivisionCode, origin: DivisionCode, after: Int64, now: Date) throws -> [UInt8] {
        guard node.configuration.children.contains(caller) else {
            throw ImportError(code: .notAChild, message: "\(caller) is not a child of \(node.configuration.code)")
        }
        guard caller.contains(origin) else {
            throw ImportError(code: .outsideSubtree, message: "\(origin) is not in the subtree of \(caller)")
        }
        let kept = try node.sync.keptSets(
            of: origin.digits, after: after, changesMax: SyncClient.bundleChangesMax, bytesMax: ChangeSetLimits().setBytesMax)
        return try ChangeBundle.sign(
            try kept.map { try ChangeSet.decode($0) }, healthRecords: [], identity: try node.credentials.identity(), now: now
        )
        .encoded
    }

    /// The parent's answer to `/v1/sync/state`, read by the child: by a recovery, and after a
    /// heartbeat, to send again what a parent that rebuilt its store no longer holds.
    public struct Standing: Decodable, Sendable {
        public struct Origin: Decodable, Sendable {
            public var origin: String
            public var lastSeq: Int64
            public var lastHash: String
        }
        public var node: String
        public var origins: [Origin]

        public static func read(_ bytes: [UInt8], parent: String) throws -> Standing {
            let standing: Standing
            do { standing = try JSONDecoder().decode(Standing.self, from: Data(bytes)) } catch {
                throw SyncError(code: .refused, message: "parent \(parent) answered /v1/sync/state with what is not its JSON: \(error)")
            }
            guard standing.node == parent else {
                throw SyncError(code: .refused, message: "the answer to /v1/sync/state is \(standing.node)'s, not the parent's (\(parent))")
            }
            return standing
        }

        /// Where the parent stands, as positions (an origin whose hash is not hex is left out).
        public var positions: [ChainPosition] {
            origins.compactMap { o in [UInt8](hex: o.lastHash).map { ChainPosition(origin: o.origin, lastSeq: o.lastSeq, hash: $0) } }
        }
    }

    /// After a heartbeat, at the child: the sets the parent acknowledged and no longer holds (it
    /// rebuilt its store and lost what it had not yet sent on) are made pending again, to go with
    /// the next bundle. Returns how many.
    public static func reopenWhatTheParentLost(_ node: NodeContext, standing bytes: [UInt8]) throws -> Int {
        guard let parent = node.configuration.parent?.code.digits else { return 0 }
        return try node.sync.reopen(parentStands: try Standing.read(bytes, parent: parent).positions, parent: parent)
    }
}
