import CreditDomain
import SyncCore
import Foundation
import GRDB

/// A status change entered at this node, and the state it left the record in.
public struct EnteredStatusChange: Sendable, Hashable {
    public var change: Change
    public var state: RecordState
}

/// A record's status history, oldest first, as stored.
public struct StatusEntry: Sendable, Hashable {
    public var origin: String
    public var seq: Int64
    public var hlc: Int64
    public var status: StatusChange
}

extension NodeStore {
    /// Enters a status change (objection, repair, withdrawal, end of publicity) about a record
    /// held here, as a change of this node's own log, in one transaction: it travels up like any
    /// change and down to every node holding the record. Refused when the record is unknown,
    /// outside this node's area, or in a state that does not allow the action.
    /// With `actor`, the change is written to the audit trail in the same transaction.
    public func enterStatusChange(key: String, _ status: StatusChange, now: Date = Date(), actor: AuditActor? = nil) throws -> EnteredStatusChange {
        try write { db in
            let nowMs = ChinaTime.milliseconds(now)
            let entered = try Self.enter(key: key, status, node: node, routes: routes, nowMs: nowMs, db: db)
            if let actor {
                try Self.audit(
                    actor, action: "status-change", kind: entered.change.kind, ingestID: nil, recordKey: key,
                    detail: "\(status.action.rawValue) → \(entered.state.rawValue) (seq \(entered.change.seq))", atMs: nowMs, db: db)
            }
            return entered
        }
    }

    static func enter(key: String, _ status: StatusChange, node: DivisionCode, routes: Routes, nowMs: Int64, db: Database) throws
        -> EnteredStatusChange
    {
        guard
            let row = try Row.fetchOne(
                db.cachedStatement(sql: "SELECT kind, jurisdiction, state, decision_date FROM records WHERE record_key = ?"), arguments: [key])
        else {
            throw StatusChangeError(
                .unknownRecord, "no record '\(key)' is held at node \(node); `credit-node query CODE` lists a subject's record keys")
        }
        let kind: String = row[0]
        let jurisdiction: String = row[1]
        let state = RecordState(rawValue: row[2]) ?? .active
        guard let j = try? DivisionCode(jurisdiction), node.contains(j) else {
            throw StatusChangeError(
                .outsideArea,
                "record '\(key)' concerns \(jurisdiction), outside node \(node)'s area; enter it at a node whose area holds \(jurisdiction)")
        }
        if let decided = (row[3] as String?).flatMap({ CivilDate.parse($0) }), status.date < decided {
            throw StatusChangeError(
                .badDate,
                "the date \(status.date) is before the record's decision date \(decided): a status change (\(status.action.rawValue)) cannot predate its record; give the day it was decided (--date)"
            )
        }
        var objectionOpen: Bool?
        if state == .expired || status.action == .objectionAssisted {
            let facts = try Row.fetchAll(
                db.cachedStatement(sql: "SELECT hlc, origin, body FROM changes WHERE record_key = ? AND op = 'status'"), arguments: [key]
            ).compactMap {
                row -> (hlc: Int64, origin: String, action: StatusAction)? in StatusChange.parse(body: row[2]).map { (row[0], row[1], $0.action) }
            }
            objectionOpen = RecordState.objectionOpen(facts)
            if status.action == .objectionAssisted, objectionOpen == true, RecordState.objectionAssisted(facts) {
                throw StatusChangeError(
                    .alreadyAssisted,
                    "record '\(key)''s objection is already marked for assisted verification (协查); its time limit is already the assisted one")
            }
        }
        guard state.allows(status.action, objectionOpen: objectionOpen) else {
            throw StatusChangeError(
                .notApplicable, "record '\(key)' is \(state.rawValue) (\(state.label)); a \(status.action.rawValue) does not apply to it")
        }
        let origin = node.digits
        let seq = try Self.nextOwnSeq(origin, db)
        var clock = HybridLogicalClock(last: HLCStamp(rawValue: try Int64.fetchOne(db.cachedStatement(sql: "SELECT MAX(hlc) FROM changes")) ?? 0))
        let change = Change(
            origin: origin, seq: seq, hlc: clock.tick(nowMilliseconds: nowMs), enteredAtMilliseconds: nowMs, op: "status", kind: kind, key: key,
            jurisdiction: jurisdiction, body: status.canonicalBody)
        let id = (try Int64.fetchOne(db.cachedStatement(sql: "SELECT MAX(id) FROM changes")) ?? 0) + 1
        try db.cachedStatement(
            sql:
                "INSERT INTO changes (id, origin, seq, hlc, entered_at, op, kind, record_key, jurisdiction, body) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
        ).execute(arguments: [id, origin, seq, change.hlc.rawValue, nowMs, "status", kind, key, jurisdiction, change.body])
        try refreshState(key: key, db: db)
        try Router(routes: routes, db: db).route(change, changeID: id, db: db)
        let after =
            RecordState(
                rawValue: try String.fetchOne(db.cachedStatement(sql: "SELECT state FROM records WHERE record_key = ?"), arguments: [key]) ?? "")
            ?? state
        return EnteredStatusChange(change: change, state: after)
    }

    /// Ends publicity of this node's own records whose publicity period is over (`publicity_until`
    /// before `today`), one `publicity-ended` change each, in one transaction. Other nodes hide
    /// such records by date already; the change makes the state the same everywhere.
    public func endDuePublicity(today: CivilDate, now: Date = Date()) throws -> [EnteredStatusChange] {
        try write { db in
            let due = try String.fetchAll(
                db.cachedStatement(
                    sql: """
                        SELECT r.record_key FROM records r JOIN changes c ON c.id = r.content_change
                        WHERE r.publicity_until IS NOT NULL AND r.publicity_until < ? AND r.state IN ('active', 'objected') AND c.origin = ?
                        ORDER BY r.record_key
                        """), arguments: [today.iso, node.digits])
            let nowMs = ChinaTime.milliseconds(now)
            return try due.map { key in
                let until =
                    try String.fetchOne(db.cachedStatement(sql: "SELECT publicity_until FROM records WHERE record_key = ?"), arguments: [key]) ?? ""
                let status = StatusChange(action: .publicityEnded, date: today, reason: "公示期满：公示截止 \(until)", unit: "CreditNet \(node.digits)")
                return try Self.enter(key: key, status, node: node, routes: routes, nowMs: nowMs, db: db)
            }
        }
    }

    /// A record's status changes, oldest first by (HLC, origin).
    public func statusHistory(key: String) throws -> [StatusEntry] {
        try read { db in
            try Row.fetchAll(
                db.cachedStatement(sql: "SELECT origin, seq, hlc, body FROM changes WHERE record_key = ? AND op = 'status' ORDER BY hlc, origin"),
                arguments: [key]
            ).compactMap {
                row in StatusChange.parse(body: row[3]).map { StatusEntry(origin: row[0], seq: row[1], hlc: row[2], status: $0) }
            }
        }
    }
}
