import CreditDomain
import GRDB
import SyncCore

/// Writes, inside one transaction, which children pull each change (`Routes`, DESIGN.md
/// "Relevance downward"), at the next positions of this node's down stream.
///
/// A record normally concerns one child: the one whose area holds its 所属行政区划. When two of
/// its versions name different areas — a correction that moves it to another village, or two
/// origins that disagree — both children hold it: the record's areas are kept (`record_areas`),
/// every later change of it goes to every child holding one of them (so that none keeps a
/// superseded version or a stale state), and a child concerned for the first time is given the
/// winning version and every status change this node holds of the record, whatever their
/// place in the log (a position of the down stream is not a change id for that reason).
struct Router {
    let routes: Routes
    /// Whether any record here has moved: until one has, a change's own area is all there is.
    var anyMoved: Bool

    init(routes: Routes, db: Database) throws {
        self.routes = routes
        anyMoved =
            routes.children.isEmpty ? false : try Bool.fetchOne(db.cachedStatement(sql: "SELECT EXISTS (SELECT 1 FROM record_areas)")) ?? false
    }

    /// Notes the children that pull change `changeID` (of record `key`). A status change goes
    /// where the record lies here too: one entered before a correction reached its origin names
    /// the area the record left.
    func route(key: String, kind: String, jurisdiction: String, origin: String, status: Bool = false, changeID: Int64, db: Database) throws {
        guard !routes.children.isEmpty else { return }
        var areas = routes.areas(jurisdiction: jurisdiction, kind: kind, origin: origin)
        if !routes.networkWideKinds.contains(kind) {
            var named =
                anyMoved
                ? try String.fetchAll(db.cachedStatement(sql: "SELECT jurisdiction FROM record_areas WHERE record_key = ?"), arguments: [key]) : []
            if status,
                let here = try String.fetchOne(db.cachedStatement(sql: "SELECT jurisdiction FROM records WHERE record_key = ?"), arguments: [key]),
                here != jurisdiction
            {
                named.append(here)
            }
            if !named.isEmpty { areas = routes.areas(jurisdictions: [jurisdiction] + named, kind: kind, origin: origin) }
        }
        for area in areas { try Self.note(area: area, changeID: changeID, db: db) }
    }

    func route(_ c: Change, changeID: Int64, db: Database) throws {
        try route(key: c.key, kind: c.kind, jurisdiction: c.jurisdiction, origin: c.origin, status: c.op == "status", changeID: changeID, db: db)
    }

    /// A version of record `key` naming `jurisdiction` met one naming `current` (the record as
    /// this node held it): the record's areas are noted — at every node, a village too, whose
    /// public listings leave out a record now lying elsewhere (`PublicScope.area`) — and a child
    /// holding it for the first time is given the winning version and the status changes already
    /// here — those not from its own subtree, and not change `changeID` itself, which `route` gives.
    mutating func noteVersion(key: String, kind: String, jurisdiction: String, current: String, changeID: Int64, db: Database) throws {
        guard jurisdiction != current, !routes.networkWideKinds.contains(kind) else { return }
        var named = try String.fetchAll(db.cachedStatement(sql: "SELECT jurisdiction FROM record_areas WHERE record_key = ?"), arguments: [key])
        let before = named.isEmpty ? [current] : named
        let insert = try db.cachedStatement(sql: "INSERT OR IGNORE INTO record_areas (record_key, jurisdiction) VALUES (?, ?)")
        for j in [current, jurisdiction] where !named.contains(j) {
            try insert.execute(arguments: [key, j])
            named.append(j)
        }
        guard !routes.children.isEmpty else { return }
        anyMoved = true
        let concerned = routes.newlyConcerned(before: before, after: named)
        guard !concerned.isEmpty else { return }
        var given: [(id: Int64, origin: String)] = []
        if let winner = try Row.fetchOne(
            db.cachedStatement(sql: "SELECT c.id, c.origin FROM records r JOIN changes c ON c.id = r.content_change WHERE r.record_key = ?"),
            arguments: [key])
        {
            given.append((winner[0], winner[1]))
        }
        for row in try Row.fetchAll(
            db.cachedStatement(sql: "SELECT id, origin FROM changes WHERE record_key = ? AND op = 'status' ORDER BY id"), arguments: [key])
        {
            given.append((row[0], row[1]))
        }
        for child in concerned {
            for g in given where g.id != changeID {
                if let o = try? DivisionCode(g.origin), child.contains(o) { continue }
                try Self.note(area: child.digits, changeID: g.id, db: db)
            }
        }
    }

    /// Record `key` was just created here by a put naming `jurisdiction`, and routed. Status
    /// changes of it that arrived first went where *they* named — the area the record left, when
    /// a correction moved it before they reached this node — so the children the record goes to
    /// are given them too (not back into their own subtree), after the put: a child holds a
    /// record before it is given a change of it naming another area (`Downward.apply` sets such a
    /// change aside otherwise).
    func giveEarlyStatus(key: String, kind: String, jurisdiction: String, db: Database) throws {
        guard !routes.children.isEmpty, !routes.networkWideKinds.contains(kind) else { return }
        for row in try Row.fetchAll(
            db.cachedStatement(sql: "SELECT id, origin, jurisdiction FROM changes WHERE record_key = ? AND op = 'status' ORDER BY id"),
            arguments: [key])
        {
            let (id, origin, named): (Int64, String, String) = (row[0], row[1], row[2])
            guard named != jurisdiction else { continue }
            let had = Set(routes.areas(jurisdiction: named, kind: kind, origin: origin))
            for area in routes.areas(jurisdiction: jurisdiction, kind: kind, origin: origin) where !had.contains(area) {
                try Self.note(area: area, changeID: id, db: db)
            }
        }
    }

    /// One row of the down stream: `area` pulls change `changeID` at the next position (the
    /// change id itself unless an earlier change was given again since).
    static func note(area: String, changeID: Int64, db: Database) throws {
        try db.cachedStatement(
            sql: "INSERT INTO relevance (area, position, change_id) VALUES (?1, max(?2, (SELECT last FROM down_positions) + 1), ?2)"
        ).execute(arguments: [area, changeID])
    }
}
