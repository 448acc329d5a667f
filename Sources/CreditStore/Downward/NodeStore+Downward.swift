import CreditDomain
import Crypto
import Foundation
import GRDB
import Logging
import SyncCore

extension NodeStore {
    static let changeSelect = "SELECT origin, seq, hlc, entered_at, op, kind, record_key, jurisdiction, body"

    static func change(_ row: Row) -> Change {
        Change(
            origin: row[0], seq: row[1], hlc: HLCStamp(rawValue: row[2]), enteredAtMilliseconds: row[3], op: row[4], kind: row[5], key: row[6],
            jurisdiction: row[7], body: row[8])
    }

    /// Every row of a statement selecting `changeSelect`'s columns, read through the C API:
    /// GRDB's `Row` copies the column names with every row, a tenth of sealing change sets.
    static func changes(_ statement: RawStatement) throws -> [Change] {
        var out: [Change] = []
        while try statement.step() {
            out.append(
                Change(
                    origin: statement.text(0) ?? "", seq: statement.int64(1), hlc: HLCStamp(rawValue: statement.int64(2)),
                    enteredAtMilliseconds: statement.int64(3),
                    op: statement.text(4) ?? "", kind: statement.text(5) ?? "", key: statement.text(6) ?? "", jurisdiction: statement.text(7) ?? "",
                    body: statement.text(8) ?? ""))
        }
        statement.reset()
        return out
    }

    /// The changes concerning `child` after `cursor` (a position of this node's down stream,
    /// `Router`), at most `limit`, read through the `relevance` index: the cost follows what the
    /// child needs.
    /// Changes of the child's own subtree are skipped (they came from there). A change of this
    /// node not yet sealed into a signed change set ends the page (it follows once sealed).
    public func downwardPage(child: DivisionCode, after cursor: Int64, limit: Int = 5000, holdingUnacknowledgedOwn: Bool) throws
        -> DownwardPage
    {
        try read { db in
            var page = DownwardPage(next: cursor)
            let rows = try Row.fetchAll(
                db.cachedStatement(
                    sql: "SELECT position, change_id FROM relevance WHERE area IN (?, '*') AND position > ? ORDER BY position LIMIT ?"),
                arguments: [child.digits, cursor, limit + 1])
            page.more = rows.count > limit
            let byID = try db.cachedStatement(sql: "\(Self.changeSelect), downward FROM changes WHERE id = ?")
            var reader = try EvidenceReader(db: db, node: node.digits, logger: logger, holdingUnacknowledgedOwn: holdingUnacknowledgedOwn)
            for r in rows.prefix(limit) {
                let position: Int64 = r[0]
                let id: Int64 = r[1]
                guard let row = try Row.fetchOne(byID, arguments: [id]) else { continue }
                let c = Self.change(row)
                if let o = try? DivisionCode(c.origin), child.contains(o) {
                    page.next = position
                    continue
                }
                switch try reader.evidence(changeID: id, change: c, downward: (row[9] as Int) == 1, into: &page) {
                case .found(let evidence):
                    page.items.append(.init(changeID: id, change: c, evidence: evidence))
                case .unsealedOwn, .unacknowledgedOwn:
                    // This node's own change not sealed yet, or not yet held by its parent: the
                    // page ends; it follows once sealed and acknowledged.
                    page.more = false
                    return page
                case .none:
                    break
                }
                page.next = position
            }
            return page
        }
    }

    /// What proves each of the given changes came from its origin, as a down page gives it (no
    /// cursor): for a credit report. A change of this node must be sealed first; one without
    /// evidence (not yet sealed, or from a store before v4) is left out. Without
    /// `loadingWholeSets`, a set held whole is given by its range only (`setRanges`).
    public func evidence(of changes: [(origin: String, seq: Int64)], loadingWholeSets: Bool = true) throws -> DownwardPage {
        try read { db in
            var page = DownwardPage(next: 0)
            let bySeq = try db.cachedStatement(sql: "\(Self.changeSelect), downward, id FROM changes WHERE origin = ? AND seq = ?")
            var reader = try EvidenceReader(db: db, node: node.digits, logger: logger, loadWhole: loadingWholeSets)
            for (origin, seq) in changes {
                guard let row = try Row.fetchOne(bySeq, arguments: [origin, seq]) else { continue }
                let c = Self.change(row)
                if case .found(let evidence) = try reader.evidence(changeID: row[10], change: c, downward: (row[9] as Int) == 1, into: &page) {
                    page.items.append(.init(changeID: row[10], change: c, evidence: evidence))
                }
            }
            return page
        }
    }

    /// Gives every change of the down stream again at positions from `base` on (or past the last
    /// position taken, if further), keeping their order, in one transaction; the next position
    /// taken follows them.
    public func restartDownStream(base: Int64) throws {
        try write { db in
            let last = try Int64.fetchOne(db.cachedStatement(sql: "SELECT last FROM down_positions")) ?? 0
            let offset = max(base, last + 1)
            // Every new position lies past every old one: no key is taken twice along the way.
            try db.cachedStatement(sql: "UPDATE relevance SET position = position + ?").execute(arguments: [offset])
            try db.cachedStatement(sql: "UPDATE down_positions SET last = max(?, coalesce((SELECT max(position) FROM relevance), 0))").execute(
                arguments: [offset])
        }
    }

    /// A change from the parent whose (origin, seq) this node holds with other content: kept
    /// aside once (`set_aside`, direction `down`, code `conflicting-change`) with its signed
    /// header; true the first time.
    static func setAsideConflict(_ d: DownwardChange, parent: DivisionCode, nowMs: Int64, db: Database) throws -> Bool {
        let c = d.change
        let message =
            "the parent gave \(c.origin)'s change seq \(c.seq) (\(c.kind) \(c.key)) with other content than the change this node holds under that seq: the origin gave one seq twice (a store restored from a backup?) or the held change is damaged (run credit-node verify-store); the change held is kept"
        try db.cachedStatement(
            sql: """
                INSERT OR IGNORE INTO set_aside (at, direction, peer, origin, first_seq, last_seq, hash, code, message, encoded)
                VALUES (?, 'down', ?, ?, ?, ?, ?, 'conflicting-change', ?, ?)
                """
        ).execute(arguments: [
            nowMs, parent.digits, c.origin, c.seq, c.seq, Data(SHA256.hash(data: d.signedHeader)), message, Data(d.signedHeader),
        ])
        return db.changesCount > 0
    }

    /// Where this node stands in its parent's downward stream.
    public func downCursor(parent: DivisionCode) throws -> Int64 {
        try read { db in
            try Int64.fetchOne(db.cachedStatement(sql: "SELECT after FROM cursors WHERE parent = ?"), arguments: [parent.digits]) ?? 0
        }
    }

    /// The bytes of a change set this node holds whole (an outbox id of `DownwardPage`).
    public func heldSetBytes(id: Int64) throws -> [UInt8] {
        try read { db in
            guard let data = try Data.fetchOne(db.cachedStatement(sql: "SELECT encoded FROM outbox_bytes WHERE id = ?"), arguments: [id]) else {
                throw StoreError(code: .corrupt, message: "change set \(id) of the outbox has no bytes")
            }
            return Array(data)
        }
    }

    /// Applies verified changes from the parent in one transaction with the new cursor: each
    /// exactly once by (origin, seq), records updated as on any other path, each change kept
    /// with its evidence and noted for this node's own children. Nothing that came down goes
    /// into the outbox: it is never sent back up.
    public func applyDownward(parent: DivisionCode, _ changes: [DownwardChange], next: Int64, now: Date = Date()) throws -> (
        applied: Int, duplicates: Int
    ) {
        try write { db in
            var applied = 0
            var nextID = (try Int64.fetchOne(db.cachedStatement(sql: "SELECT MAX(id) FROM changes")) ?? 0) + 1
            let held = try db.cachedStatement(
                sql: "SELECT d.digest FROM changes c JOIN change_digests d ON d.change_id = c.id WHERE c.origin = ? AND c.seq = ?")
            let insertChange = try db.cachedStatement(
                sql:
                    "INSERT INTO changes (id, origin, seq, hlc, entered_at, op, kind, record_key, jurisdiction, body, downward) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 1)"
            )
            let insertProof = try db.cachedStatement(sql: "INSERT INTO down_proofs (change_id, set_id, leaf_index, proof) VALUES (?, ?, ?, ?)")
            // A page carries many changes of one signed header: look each header up once.
            var setIDs: [String: Int64] = [:]
            var router = try Router(routes: routes, db: db)
            for d in changes {
                let c = d.change
                if let digest = try Int64.fetchOne(held, arguments: [c.origin, c.seq]) {
                    // Held already: a duplicate — unless its content differs, which no retry or
                    // second path explains (an origin that gave one seq twice, as a top restored
                    // from a backup does, or the held change damaged): kept as held, and set
                    // aside so that an operator sees it instead of it being skipped unseen.
                    if digest != ChangeDigest.of(c), try Self.setAsideConflict(d, parent: parent, nowMs: ChinaTime.milliseconds(now), db: db) {
                        logger.error(
                            "a change from the parent conflicts with the one held under its seq: set aside",
                            metadata: ["origin": "\(c.origin)", "seq": "\(c.seq)", "parent": "\(parent)"])
                    }
                    continue
                }
                let setKey = "\(d.setOrigin)/\(d.setFirstSeq)"
                let setID: Int64
                if let known = setIDs[setKey] {
                    setID = known
                } else {
                    try db.cachedStatement(sql: "INSERT OR IGNORE INTO down_sets (origin, first_seq, signed_header) VALUES (?, ?, ?)").execute(
                        arguments: [d.setOrigin, d.setFirstSeq, Data(d.signedHeader)])
                    setID =
                        try Int64.fetchOne(
                            db.cachedStatement(sql: "SELECT id FROM down_sets WHERE origin = ? AND first_seq = ?"),
                            arguments: [d.setOrigin, d.setFirstSeq]) ?? 0
                    setIDs[setKey] = setID
                }
                try insertChange.execute(arguments: [
                    nextID, c.origin, c.seq, c.hlc.rawValue, c.enteredAtMilliseconds, c.op, c.kind, c.key, c.jurisdiction, c.body,
                ])
                try insertProof.execute(arguments: [nextID, setID, d.leafIndex, Data(d.proof)])
                let early = try Self.applyToRecords(c, changeID: nextID, dates: d.dates, router: &router, db: db)
                try router.route(c, changeID: nextID, db: db)
                if early { try router.giveEarlyStatus(key: c.key, kind: c.kind, jurisdiction: c.jurisdiction, db: db) }
                nextID += 1
                applied += 1
            }
            let standing = try Int64.fetchOne(db.cachedStatement(sql: "SELECT after FROM cursors WHERE parent = ?"), arguments: [parent.digits]) ?? 0
            try db.cachedStatement(
                sql:
                    "INSERT INTO cursors (parent, after, pulled_at) VALUES (?, ?, ?) ON CONFLICT (parent) DO UPDATE SET after = excluded.after, pulled_at = excluded.pulled_at"
            ).execute(arguments: [parent.digits, DownStream.standing(after: standing, page: next), ChinaTime.milliseconds(now)])
            return (applied, changes.count - applied)
        }
    }
}

/// Finds a change's evidence: the proof it came down with, or the change set this node holds
/// whole (its bytes and changes added to the page once). Consecutive changes mostly share a
/// change set: the last one found is kept.
struct EvidenceReader {
    enum Found {
        case found(DownwardPage.Evidence)
        /// This node's own change, not sealed into a change set yet.
        case unsealedOwn
        /// This node's own change its parent has not acknowledged (with `holdingUnacknowledgedOwn`).
        case unacknowledgedOwn
        case none
    }
    let db: Database
    let node: String
    let logger: Logger
    let loadWhole: Bool
    let holdingUnacknowledgedOwn: Bool
    let proofOf: Statement
    let setOf: Statement
    var lastSet: (origin: String, id: Int64, first: Int64, last: Int64, acknowledged: Bool)?

    init(db: Database, node: String, logger: Logger, loadWhole: Bool = true, holdingUnacknowledgedOwn: Bool = false) throws {
        self.db = db
        self.node = node
        self.logger = logger
        self.loadWhole = loadWhole
        self.holdingUnacknowledgedOwn = holdingUnacknowledgedOwn
        proofOf = try db.cachedStatement(sql: "SELECT set_id, leaf_index, proof FROM down_proofs WHERE change_id = ?")
        setOf = try db.cachedStatement(
            sql:
                "SELECT id, first_seq, last_seq, acknowledged_at IS NOT NULL FROM outbox WHERE origin = ? AND last_seq >= ? ORDER BY last_seq LIMIT 1"
        )
    }

    mutating func evidence(changeID id: Int64, change c: Change, downward: Bool, into page: inout DownwardPage) throws -> Found {
        if downward {
            guard let p = try Row.fetchOne(proofOf, arguments: [id]) else {
                throw StoreError(code: .corrupt, message: "change \(c.origin) \(c.seq) came down without its proof")
            }
            let setID: Int64 = p[0]
            if page.signedHeaders[setID] == nil {
                page.signedHeaders[setID] = Array(
                    try Data.fetchOne(db.cachedStatement(sql: "SELECT signed_header FROM down_sets WHERE id = ?"), arguments: [setID]) ?? Data())
            }
            return .found(.proof(setID: setID, leafIndex: p[1], proof: Array(p[2] as Data)))
        }
        if lastSet == nil || lastSet!.origin != c.origin || !(lastSet!.first...lastSet!.last).contains(c.seq) {
            guard let set = try Row.fetchOne(setOf, arguments: [c.origin, c.seq]), (set[1] as Int64) <= c.seq else {
                if c.origin == node { return .unsealedOwn }
                // A change received before this node kept sets (a store from before v4) has no proof to give.
                logger.warning("change without its change set: no proof to give", metadata: ["origin": "\(c.origin)", "seq": "\(c.seq)"])
                return .none
            }
            lastSet = (c.origin, set[0], set[1], set[2], set[3])
        }
        if holdingUnacknowledgedOwn, c.origin == node, !lastSet!.acknowledged { return .unacknowledgedOwn }
        let setID = lastSet!.id
        if !loadWhole {
            page.setRanges[setID] = .init(origin: c.origin, firstSeq: lastSet!.first, lastSeq: lastSet!.last)
        } else if page.wholeSets[setID] == nil {
            let encoded = Array(
                try Data.fetchOne(db.cachedStatement(sql: "SELECT encoded FROM outbox_bytes WHERE id = ?"), arguments: [setID]) ?? Data())
            let changes = try Row.fetchAll(
                db, sql: "\(NodeStore.changeSelect) FROM changes WHERE origin = ? AND seq BETWEEN ? AND ? ORDER BY seq",
                arguments: [c.origin, lastSet!.first, lastSet!.last]
            ).map(NodeStore.change)
            page.wholeSets[setID] = .init(encoded: encoded, changes: changes)
        }
        return .found(.wholeSet(setID))
    }
}
