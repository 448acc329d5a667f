import CreditDomain
import Foundation
import GRDB
import SyncCore

/// Where one origin's changes stand at this node, against the hop's window upward.
public struct OriginStatus: Sendable, Hashable, Codable {
    public var origin: String
    /// The highest seq of this origin held: in the change log (own), or accepted from below.
    public var highestSeqHeld: Int64
    /// The highest seq the parent has acknowledged with a signed receipt (0: none).
    public var highestSeqAcknowledged: Int64
    /// Changes held but not yet acknowledged upward.
    public var unacknowledged: Int64
    /// Age in seconds of the oldest unacknowledged change, counted from when it reached this node.
    public var oldestUnacknowledgedSeconds: Int64?
    /// Unacknowledged changes older than two thirds of the window, but within it.
    public var atRisk: Int64
    /// Unacknowledged changes older than the window.
    public var pastWindow: Int64
}

extension NodeStore {
    /// The backlog upward in two reads — the unacknowledged sets (`outbox_pending`), and this
    /// node's own changes after its last sealed set — equal to the sum of `originStatus`'s
    /// `unacknowledged` and its oldest (tested), without a query per origin.
    public func upwardBacklog() throws -> UpwardBacklog {
        let own = node.digits
        return try read { db in
            var backlog = UpwardBacklog(pending: 0, oldestAt: nil)
            let sets = try Row.fetchOne(
                db.cachedStatement(
                    sql: "SELECT COALESCE(SUM(last_seq - first_seq + 1), 0), MIN(created_at) FROM outbox WHERE acknowledged_at IS NULL"))
            let unsealed = try Row.fetchOne(
                db.cachedStatement(
                    sql: """
                        SELECT count(*), MIN(entered_at) FROM changes
                        WHERE origin = ?1 AND downward = 0 AND seq > COALESCE((SELECT MAX(last_seq) FROM outbox WHERE origin = ?1), 0)
                        """), arguments: [own])
            for row in [sets, unsealed].compactMap({ $0 }) {
                backlog.pending += row[0] as Int
                if let at: Int64 = row[1] { backlog.oldestAt = min(backlog.oldestAt ?? at, at) }
            }
            return backlog
        }
    }

    /// Per origin (this node's own and every origin received from below): held, acknowledged,
    /// pending, oldest pending age, and how many pending changes are at risk of or past `window`.
    /// A change reached this node when it was ingested here (own) or when its change set was
    /// accepted here (received).
    /// At the top of the network (`hasParent` false) everything held is where it must be.
    public func originStatus(now: Date = Date(), windowSeconds: Int64, hasParent: Bool = true) throws -> [OriginStatus] {
        let nowMs = ChinaTime.milliseconds(now)
        let riskMs = nowMs - Window.atRiskAfter(windowSeconds * 1000)
        let pastMs = nowMs - windowSeconds * 1000
        return try read { db in
            let own = node.digits
            var out: [OriginStatus] = []
            // Held: this node's own change log, and every origin from below as far as accepted
            // (its chain; the changes of the latest sets may still be in the apply queue). The
            // own seq is a scalar MAX, which SQLite reads from the end of the (origin, seq) index:
            // `GROUP BY` (or `HAVING`) made it visit every own change's row for `downward`, 35 ms
            // per call at a village holding 62,500 — and the push loop asks every second or two.
            let held = try Row.fetchAll(
                db.cachedStatement(
                    sql: """
                        SELECT origin, last_seq FROM chains
                        UNION ALL
                        SELECT * FROM (SELECT ?1, (SELECT MAX(seq) FROM changes WHERE origin = ?1 AND downward = 0) AS held) WHERE held IS NOT NULL
                        ORDER BY 1
                        """), arguments: [own])
            for row in held {
                let origin: String = row[0]
                let held: Int64 = row[1]
                guard hasParent else {
                    out.append(
                        OriginStatus(
                            origin: origin, highestSeqHeld: held, highestSeqAcknowledged: held, unacknowledged: 0, oldestUnacknowledgedSeconds: nil,
                            atRisk: 0, pastWindow: 0))
                    continue
                }
                let acked =
                    try Int64.fetchOne(
                        db.cachedStatement(sql: "SELECT MAX(last_seq) FROM outbox WHERE origin = ? AND acknowledged_at IS NOT NULL"),
                        arguments: [origin]) ?? 0
                // Arrival times of pending changes: the outbox entry's creation for received and
                // sealed sets; the entry time for own changes not sealed yet, counted in SQL (after
                // a large ingest they are many rows until the push loop seals them).
                let counts = try Row.fetchAll(
                    db.cachedStatement(
                        sql: """
                            SELECT MIN(o.created_at),
                                SUM(CASE WHEN o.created_at < ?3 THEN o.last_seq - MAX(o.first_seq, ?1 + 1) + 1 ELSE 0 END),
                                SUM(CASE WHEN o.created_at >= ?3 AND o.created_at < ?4 THEN o.last_seq - MAX(o.first_seq, ?1 + 1) + 1 ELSE 0 END)
                            FROM outbox o WHERE o.origin = ?2 AND o.acknowledged_at IS NULL AND o.last_seq > ?1
                            UNION ALL
                            SELECT MIN(c.entered_at), SUM(c.entered_at < ?3), SUM(c.entered_at >= ?3 AND c.entered_at < ?4) FROM changes c
                            WHERE c.origin = ?2 AND c.origin = ?5 AND c.seq > COALESCE((SELECT MAX(last_seq) FROM outbox WHERE origin = ?2), 0)
                            """), arguments: [acked, origin, pastMs, riskMs, own])
                var oldest: Int64?
                var risk: Int64 = 0
                var past: Int64 = 0
                for c in counts {
                    if let at: Int64 = c[0] { oldest = min(oldest ?? at, at) }
                    past += c[1] ?? 0
                    risk += c[2] ?? 0
                }
                out.append(
                    OriginStatus(
                        origin: origin, highestSeqHeld: held, highestSeqAcknowledged: acked, unacknowledged: held - acked,
                        oldestUnacknowledgedSeconds: oldest.map { (nowMs - $0) / 1000 }, atRisk: risk, pastWindow: past))
            }
            return out
        }
    }
}
