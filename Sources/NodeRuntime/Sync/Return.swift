import ChangeSets
import CreditDomain
import Foundation

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
}
