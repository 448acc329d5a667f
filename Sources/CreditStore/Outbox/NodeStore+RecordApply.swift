import CreditDomain
import Foundation
import GRDB
import SyncCore

extension NodeStore {
    static func applyChanges(_ changes: [Change], dates: [RecordDates], _ range: Range<Int>, db: Database, routes: Routes) throws {
        var nextID = (try Int64.fetchOne(db.cachedStatement(sql: "SELECT MAX(id) FROM changes")) ?? 0) + 1
        var batch: ReceivedBatch?
        var router = try Router(routes: routes, db: db)
        var start = range.lowerBound
        while start < range.upperBound {
            let chunk = start..<min(start + ReceivedBatch.size, range.upperBound)
            if ReceivedBatch.fits(changes[chunk]) {
                if batch == nil { batch = try ReceivedBatch(db) }
                try batch!.apply(changes, dates: dates, chunk, firstID: nextID, router: &router)
                nextID += Int64(chunk.count)
            } else {
                // Status changes, or one record twice in a chunk: one change at a time, in order.
                let insertChange = try db.cachedStatement(
                    sql:
                        "INSERT INTO changes (id, origin, seq, hlc, entered_at, op, kind, record_key, jurisdiction, body) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
                )
                for i in chunk {
                    let c = changes[i]
                    try insertChange.execute(arguments: [
                        nextID, c.origin, c.seq, c.hlc.rawValue, c.enteredAtMilliseconds, c.op, c.kind, c.key, c.jurisdiction, c.body,
                    ])
                    let early = try applyToRecords(c, changeID: nextID, dates: dates[i], router: &router, db: db)
                    try router.route(c, changeID: nextID, db: db)
                    if early { try router.giveEarlyStatus(key: c.key, kind: c.kind, jurisdiction: c.jurisdiction, db: db) }
                    nextID += 1
                }
            }
            start = chunk.upperBound
        }
    }

    /// Brings the records table up to date with one change, as `RecordApply` says: a put is the
    /// new version if it is the last writer by (HLC, origin); a status change re-derives the
    /// record's state. Order of arrival does not matter: a status change that arrives before its
    /// record is applied when the record arrives. A version naming another area than the record
    /// held here is noted with the router (`Router.noteVersion`), winning or not. True when a put
    /// created the record and status changes of it came first: the caller gives them to the
    /// children the record goes to once the put is routed (`Router.giveEarlyStatus`).
    @discardableResult
    static func applyToRecords(_ c: Change, changeID: Int64, dates d: RecordDates, router: inout Router, db: Database) throws -> Bool {
        var early = false
        var current: Row?
        if c.op == "put" {
            current = try Row.fetchOne(
                try db.cachedStatement(
                    sql:
                        "SELECT r.id, r.updated_hlc, c.origin, r.jurisdiction FROM records r JOIN changes c ON c.id = r.content_change WHERE r.record_key = ?"
                ),
                arguments: [c.key])
        }
        switch RecordApply.action(op: c.op, hlc: c.hlc.rawValue, origin: c.origin, current: current.map { ($0[1], $0[2]) }) {
        case .insert:
            try RecordRows.insert(c, changeID: changeID, dates: d, db: db)
            if let since = d.provisionalSince { try noteProvisionalDeadline(key: c.key, enteredOn: since, db: db) }
            early = try refreshState(key: c.key, db: db)
        case .replace: try RecordRows.update(id: current![0], c, changeID: changeID, dates: d, db: db)
        case .deriveState: try refreshState(key: c.key, db: db)
        case .keep, .none: break
        }
        if let current {
            try router.noteVersion(key: c.key, kind: c.kind, jurisdiction: c.jurisdiction, current: current[3], changeID: changeID, db: db)
        }
        return early
    }

    /// Keeps, for a record just inserted with a provisional deadline, the day its lateness was
    /// judged against (`settleProvisionalDeadlines`).
    static func noteProvisionalDeadline(key: String, enteredOn: CivilDate, db: Database) throws {
        try db.cachedStatement(sql: "INSERT INTO provisional_deadlines (record_id, entered_on) SELECT id, ? FROM records WHERE record_key = ?")
            .execute(arguments: [enteredOn.iso, key])
    }

    /// Re-derives a record's state from all its status changes (`RecordState.derive`), and
    /// whether an objection on it waits for its unit's decision (`objection_open`, v31): one
    /// under objection, or one whose publicity ended while its objection was open — still
    /// decided, closed and counted against its time limit. A repaired or withdrawn record's
    /// objection has nothing left to decide.
    /// True when the record has status changes here.
    @discardableResult
    static func refreshState(key: String, db: Database) throws -> Bool {
        let facts = try Row.fetchAll(
            try db.cachedStatement(sql: "SELECT hlc, origin, body FROM changes WHERE record_key = ? AND op = 'status'"), arguments: [key]
        ).compactMap {
            row -> (hlc: Int64, origin: String, action: StatusAction)? in
            StatusChange.parse(body: row[2]).map { (row[0], row[1], $0.action) }
        }
        let state = RecordState.derive(facts)
        let open = state == .objected || (state == .expired && RecordState.objectionOpen(facts))
        try db.cachedStatement(
            sql: "UPDATE records SET state = ?1, objection_open = ?3 WHERE record_key = ?2 AND (state <> ?1 OR objection_open <> ?3)"
        ).execute(arguments: [state.rawValue, key, open ? 1 : 0])
        return !facts.isEmpty
    }

}

/// The received changes of one chunk applied with multi-row statements, as ingestion writes its
/// own (`IngestWriter`): one insert for the change rows, one lookup for the records they touch,
/// one insert for the new records, one lookup for status changes that arrived before their
/// record; then, per change, only what is rare — a newer version of a known record, a route to a
/// child. Only chunks of puts of distinct records take this path; the result is the same as
/// applying the changes one by one (tested).
struct ReceivedBatch {
    static let size = 100
    let db: Database
    let insertChanges: RawStatement
    let findRecords: RawStatement
    let insertRecords: RawStatement
    let findStatus: RawStatement

    static func fits(_ changes: ArraySlice<Change>) -> Bool {
        guard changes.count == size else { return false }
        var keys = Set<ExactText>(minimumCapacity: changes.count)
        for c in changes where c.op != "put" || !keys.insert(ExactText(c.key)).inserted { return false }
        return true
    }

    static func placeholders(_ n: Int) -> String { Array(repeating: "?", count: n).joined(separator: ",") }

    /// The same multi-row statements as ingestion (`IngestWriter`), for a full chunk.
    init(_ db: Database) throws {
        self.db = db
        insertChanges = try RawStatement(db, IngestWriter.insertSQL("changes", IngestWriter.changeColumns, width: 10, rows: Self.size))
        findRecords = try RawStatement(
            db,
            "SELECT r.record_key, r.id, r.updated_hlc, c.origin, r.jurisdiction FROM records r JOIN changes c ON c.id = r.content_change WHERE r.record_key IN (\(Self.placeholders(Self.size)))"
        )
        insertRecords = try RawStatement(db, IngestWriter.insertSQL("records", RecordRows.columns, width: RecordRows.width, rows: Self.size))
        findStatus = try RawStatement(
            db, "SELECT DISTINCT record_key FROM changes WHERE op = 'status' AND record_key IN (\(Self.placeholders(Self.size)))")
    }

    func apply(_ changes: [Change], dates: [RecordDates], _ chunk: Range<Int>, firstID: Int64, router: inout Router) throws {
        // Which records exist, with their current writer and area.
        var existing: [ExactText: (id: Int64, hlc: Int64, origin: String, jurisdiction: String)] = [:]
        for (n, i) in chunk.enumerated() { findRecords.bind(Int32(n + 1), changes[i].key) }
        while try findRecords.step() {
            if let key = findRecords.text(0), let origin = findRecords.text(3) {
                existing[ExactText(key)] = (findRecords.int64(1), findRecords.int64(2), origin, findRecords.text(4) ?? "")
            }
        }
        findRecords.reset()
        // The change rows.
        for (n, i) in chunk.enumerated() {
            let c = changes[i]
            let at = Int32(n * 10)
            // IngestWriter.changeColumns: (origin, seq, hlc, entered_at, op, kind, record_key, jurisdiction, body, id)
            insertChanges.bind(at + 1, c.origin)
            insertChanges.bind(at + 2, c.seq)
            insertChanges.bind(at + 3, c.hlc.rawValue)
            insertChanges.bind(at + 4, c.enteredAtMilliseconds)
            insertChanges.bind(at + 5, c.op)
            insertChanges.bind(at + 6, c.kind)
            insertChanges.bind(at + 7, c.key)
            insertChanges.bind(at + 8, c.jurisdiction)
            insertChanges.bind(at + 9, c.body)
            insertChanges.bind(at + 10, firstID + Int64(n))
        }
        try insertChanges.step()
        insertChanges.reset()
        // New records in one statement (a short chunk goes one by one); known ones by the last-writer rule.
        var fresh: [Int] = []
        for (n, i) in chunk.enumerated() {
            let c = changes[i]
            let current = existing[ExactText(c.key)]
            switch RecordApply.action(op: c.op, hlc: c.hlc.rawValue, origin: c.origin, current: current.map { ($0.hlc, $0.origin) }) {
            case .insert: fresh.append(n)
            case .replace: try RecordRows.update(id: current!.id, c, changeID: firstID + Int64(n), dates: dates[i], db: db)
            case .keep, .deriveState, .none: break  // only puts take this path (`fits`)
            }
            if let current {
                try router.noteVersion(
                    key: c.key, kind: c.kind, jurisdiction: c.jurisdiction, current: current.jurisdiction, changeID: firstID + Int64(n), db: db)
            }
        }
        if fresh.count == Self.size {
            for (slot, n) in fresh.enumerated() {
                let i = chunk.lowerBound + n
                let c = changes[i]
                let d = dates[i]
                let at = Int32(slot * RecordRows.width)
                insertRecords.bind(at + 1, c.key)
                insertRecords.bind(at + 2, c.kind)
                insertRecords.bind(at + 3, d.subject)
                insertRecords.bind(at + 4, c.jurisdiction)
                insertRecords.bind(at + 5, d.decision?.iso)
                insertRecords.bind(at + 6, d.deadline?.iso)
                insertRecords.bind(at + 7, d.late ? 1 : 0)
                insertRecords.bind(at + 8, firstID + Int64(n))
                insertRecords.bind(at + 9, c.hlc.rawValue)
                insertRecords.bind(at + 10, d.publicityUntil?.iso)
                insertRecords.bind(at + 11, d.inForce ? 1 : 0)
            }
            try insertRecords.step()
            insertRecords.reset()
        } else {
            for n in fresh {
                let i = chunk.lowerBound + n
                try RecordRows.insert(changes[i], changeID: firstID + Int64(n), dates: dates[i], db: db)
            }
        }
        for n in fresh {
            let i = chunk.lowerBound + n
            if let since = dates[i].provisionalSince { try NodeStore.noteProvisionalDeadline(key: changes[i].key, enteredOn: since, db: db) }
        }
        // A status change may have arrived before its record: those records take their state now,
        // and once routed, the children they go to are given those changes.
        var early: Set<String> = []
        if !fresh.isEmpty {
            for (n, i) in chunk.enumerated() { findStatus.bind(Int32(n + 1), changes[i].key) }
            while try findStatus.step() { if let key = findStatus.text(0), existing[ExactText(key)] == nil { early.insert(key) } }
            findStatus.reset()
            for key in early { try NodeStore.refreshState(key: key, db: db) }
        }
        for (n, i) in chunk.enumerated() { try router.route(changes[i], changeID: firstID + Int64(n), db: db) }
        for i in chunk where early.contains(changes[i].key) {
            try router.giveEarlyStatus(key: changes[i].key, kind: changes[i].kind, jurisdiction: changes[i].jurisdiction, db: db)
        }
    }
}
