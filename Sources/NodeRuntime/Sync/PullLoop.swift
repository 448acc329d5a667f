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

    public func run() async {
        let logger = node.logger
        let interval = Double(node.configuration.pullIntervalSeconds ?? 60)
        var lastMaintenance = Date.distantPast
        while !Task.isCancelled {
            if Date().timeIntervalSince(lastMaintenance) >= maintenanceSeconds {
                lastMaintenance = Date()
                do {
                    let ended = try StatusDesk(node: node).endDuePublicity()
                    if !ended.isEmpty { logger.info("publicity ended", metadata: ["records": "\(ended.count)"]) }
                } catch {
                    logger.warning("ending due publicity failed", metadata: ["reason": "\(error)"])
                }
            }
            if node.configuration.parent != nil {
                do {
                    let report = try await SyncClient(node: node).pull()
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
            try? await Task.sleep(for: .seconds(interval))
        }
    }
}
