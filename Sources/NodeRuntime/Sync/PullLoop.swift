import CreditDomain
import Foundation
import Logging

/// The downward schedule of a running node: pulls from the parent every `pullIntervalSeconds`
/// (default 60), and ends the publicity of this node's own records when due (checked every
/// `maintenanceSeconds`). A failed pull is retried at the next interval; the cursor in the
/// store means nothing is fetched twice or skipped.
public struct PullLoop: Sendable {
    public let node: NodeContext
    public var maintenanceSeconds: Double = 3600

    public init(node: NodeContext) { self.node = node }

    /// One round at `now`: the publicity of this node's own records ended where due, if the last
    /// maintenance (`maintained`) is `maintenanceSeconds` old or was never done; then one pull of
    /// everything waiting at the parent, applied before this returns. The loop below calls it
    /// with the wall clock; tests with the instants they choose.
    public func step(_ maintained: inout Date?, now: Date) async {
        let logger = node.logger
        if maintained.map({ now.timeIntervalSince($0) >= maintenanceSeconds }) ?? true {
            maintained = now
            do {
                let ended = try StatusDesk(node: node).endDuePublicity(now: now)
                if !ended.isEmpty { logger.info("publicity ended", metadata: ["records": "\(ended.count)"]) }
            } catch {
                logger.warning("ending due publicity failed", metadata: ["reason": "\(error)"])
            }
        }
        guard node.configuration.parent != nil else { return }
        do {
            let report = try await SyncClient(node: node).pull(now: now)
            if report.applied > 0 || !report.controls.isEmpty || report.setAside > 0 {
                logger.info(
                    "pulled",
                    metadata: [
                        "parent": "\(report.parent)", "applied": "\(report.applied)", "controls": "\(report.controls.joined(separator: ","))",
                        "cursor": "\(report.cursor)", "setAside": "\(report.setAside)",
                    ])
            }
        } catch {
            logger.warning("pull failed; retrying at the next interval", metadata: ["reason": "\(error)"])
        }
    }

    /// Runs until the task is cancelled: a round every `pullIntervalSeconds`.
    public func run() async {
        let interval = Double(node.configuration.pullIntervalSeconds ?? 60)
        var maintained: Date?
        while !Task.isCancelled {
            await step(&maintained, now: node.clock())
            try? await Task.sleep(for: .seconds(interval))
        }
    }
}
