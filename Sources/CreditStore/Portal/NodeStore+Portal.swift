import CreditDomain
import Foundation
import GRDB

/// A subject found by the portal's search.
public struct SubjectHit: Sendable, Hashable, Codable {
    /// The row of `subjects` (the search's keyset; the link to a natural person's page, whose
    /// code never appears in a page).
    public var id: Int64
    public var code: String
    public var name: String
}

/// What the public sees of a node's records: in force (active or under objection; a licence
/// valid, a listing not removed: `records.in_force`) and within their publicity period, of the
/// kinds the catalogue discloses publicly.
public struct PublicScope: Sendable, Hashable {
    public var kinds: [String]
    /// Today, `YYYY-MM-DD` (China time): records whose publicity ended before it are not shown.
    public var today: String
    /// The node's own area, by its significant digits, when the public listings and their counts
    /// keep to it: a record a correction moved to another area (`record_areas`) is then neither
    /// listed nor counted here — the node of its new area publishes it — though search, its
    /// subject's page and its own page still show it. Kinds every node holds (`networkWide`: the
    /// red and black lists) are listed wherever they lie.
    public var area: String?
    public var networkWideKinds: Set<String> = []

    public init(kinds: [String], today: String) {
        self.kinds = kinds
        self.today = today
    }

    /// The kinds of `kinds` kept to the area, and the area: none when there is no area.
    func keptToArea(_ kinds: [String]) -> (kinds: [String], area: String)? {
        guard let area else { return nil }
        let kept = kinds.filter { !networkWideKinds.contains($0) }
        return kept.isEmpty ? nil : (kept, area)
    }

    /// The jurisdictions of an area are a range of codes: its digits, then anything.
    static let inArea = "r.jurisdiction >= ? AND r.jurisdiction < ?"
    static func areaBounds(_ prefix: String) -> StatementArguments { [prefix, prefix + ":"] }

    /// The condition on `records r` of a kind already chosen — shown to the public today — taking
    /// today as its one argument.
    static let shownToday = "r.state IN ('active', 'objected') AND r.in_force = 1 AND (r.publicity_until IS NULL OR r.publicity_until >= ?)"

    /// The condition on `records r`, with its arguments.
    var condition: (sql: String, arguments: StatementArguments) {
        let marks = Array(repeating: "?", count: max(kinds.count, 1)).joined(separator: ", ")
        let list: StatementArguments = kinds.isEmpty ? [""] : StatementArguments(kinds)
        return (
            "r.kind IN (\(marks)) AND \(Self.shownToday)",
            list + [today]
        )
    }
}

/// A filtered listing page: the filters of the 双公示 listings.
public struct ListingQuery: Sendable, Hashable {
    public var kinds: [String]
    /// Jurisdictions inside this area (a child of the node), by its significant digits.
    public var regionPrefix: String?
    /// Exactly this jurisdiction (a node's own level, not its children's areas), 12 digits.
    public var jurisdiction: String?
    /// The deciding authority's field (full code) and the value it must have.
    public var authority: (field: String, value: String)? {
        get { authorityField.flatMap { f in authorityValue.map { (f, $0) } } }
        set {
            authorityField = newValue?.field
            authorityValue = newValue?.value
        }
    }
    var authorityField: String?
    var authorityValue: String?
    /// Decision dates, inclusive, `YYYY-MM-DD`.
    public var from: String?
    public var to: String?
    /// The keyset: records before this (decision date, row id), newest first.
    public var after: (date: String, id: Int64)? {
        get { afterDate.flatMap { d in afterID.map { (d, $0) } } }
        set {
            afterDate = newValue?.date
            afterID = newValue?.id
        }
    }
    var afterDate: String?
    var afterID: Int64?
    /// Articles (the kind `news`, the only one whose text is indexed) holding every one of
    /// these terms in their title or text; empty: no such filter. See `ArticleWords`.
    public var articleWords: [String] = []
    /// The full codes of the article's title and text fields (`DT_BT`, `DT_ZW`), in which a
    /// term the index does not find exactly is confirmed.
    public var articleFields: [String] = []
    public var limit: Int

    public init(kinds: [String], limit: Int) {
        self.kinds = kinds
        self.limit = limit
    }
}

/// Where a search by name stands between two of its pages. The names that begin with what was
/// typed come first, in the order of the names — the name that is exactly what was typed first of
/// all — then the names that hold it further on, in the order their subjects arrived.
public enum NameSearchPosition: Sendable, Hashable {
    case start
    /// After this subject (its `subjects` row) among the names beginning with the fragment.
    case beginning(after: Int64)
    /// After this subject among the names holding the fragment further on.
    case holding(after: Int64)

    /// As a page's link carries it (`after=`): `b` or `h` and the subject's row — `b412`,
    /// `h9031`; nothing is the start; anything else nil.
    public init?(_ text: String?) {
        guard let text, !text.isEmpty else {
            self = .start
            return
        }
        guard let id = Int64(text.dropFirst()), id > 0 else { return nil }
        switch text.first {
        case "b": self = .beginning(after: id)
        case "h": self = .holding(after: id)
        default: return nil
        }
    }

    /// What a link carries; nil at the start.
    public var text: String? {
        switch self {
        case .start: nil
        case .beginning(let id): "b\(id)"
        case .holding(let id): "h\(id)"
        }
    }
}

extension NodeStore {
    /// Subjects whose name holds `fragment` (or whose code is it), with at least one record the
    /// public sees, from `position` on, at most `limit`, each with the position after it. First
    /// the names that begin with one of the fragment's forms (`nameForms`), by name (a range of
    /// `subjects_name` each, migration v37: the exact name sorts before every longer one), then
    /// those that hold it further on, by row: a fragment of three or more characters through the
    /// trigram index (as quoted phrases: FTS5 syntax in it is text; letters in either case), a
    /// shorter one through the one- and two-character pieces. Neither scans records.
    public func searchSubjects(
        _ fragment: String, scope: PublicScope, from position: NameSearchPosition = .start, limit: Int
    ) throws -> [(hit: SubjectHit, position: NameSearchPosition)] {
        let visible = scope.condition
        let exists = "EXISTS (SELECT 1 FROM records r WHERE r.subject_code = s.code AND \(visible.sql))"
        // Each form's names are a range: from it to it and U+10FFFF, above every character after it.
        // The ranges do not overlap (the forms differ before either ends), read in their order.
        let forms = Self.nameForms(fragment)
        let ranges = forms.map { (from: $0, end: $0 + "\u{10FFFF}") }
        return try read { db in
            var out: [(hit: SubjectHit, position: NameSearchPosition)] = []
            var holdingAfter: Int64 = 0
            switch position {
            case .holding(let id):
                holdingAfter = id
            case .start, .beginning:
                // From the form, or from the last name shown when it lies at or past the form's
                // start (the same name again only for later rows).
                var shown: (name: String, id: Int64)?
                if case .beginning(let id) = position {
                    shown = try String.fetchOne(db.cachedStatement(sql: "SELECT name FROM subjects WHERE id = ?"), arguments: [id]).map { ($0, id) }
                }
                for range in ranges where out.count < limit {
                    var from = range.from
                    var afterID: Int64 = 0
                    if let shown, !shown.name.utf8.lexicographicallyPrecedes(range.from.utf8) { (from, afterID) = shown }
                    let rows = try Row.fetchAll(
                        db.cachedStatement(sql: Self.namesBeginning(exists: exists)),
                        arguments: [from, range.end, from, afterID] + visible.arguments + [limit - out.count])
                    out += rows.map { (SubjectHit(id: $0[0], code: $0[1], name: $0[2]), .beginning(after: $0[0])) }
                }
            }
            guard out.count < limit else { return out }
            let rest = limit - out.count
            let further = Array(repeating: "(s.name < ? OR s.name >= ?)", count: ranges.count).joined(separator: " AND ")
            let bounds = StatementArguments(ranges.flatMap { [$0.from, $0.end] })
            let rows: [Row]
            if fragment.count >= 3 {
                let phrases = forms.map { "\"" + $0.replacingOccurrences(of: "\"", with: "\"\"") + "\"" }.joined(separator: " OR ")
                rows = try Row.fetchAll(
                    db.cachedStatement(
                        sql: """
                            SELECT s.id, s.code, s.name FROM subject_fts f JOIN subjects s ON s.id = f.rowid
                            WHERE subject_fts MATCH ? AND s.id > ? AND \(further) AND \(exists) ORDER BY s.id LIMIT ?
                            """),
                    arguments: [phrases, holdingAfter] + bounds + visible.arguments + [rest])
            } else {
                rows = try Row.fetchAll(
                    db.cachedStatement(
                        sql: """
                            SELECT s.id, s.code, s.name FROM subject_grams g JOIN subjects s ON s.id = g.subject_id
                            WHERE g.gram = ? AND g.subject_id > ? AND \(further) AND \(exists) ORDER BY g.subject_id LIMIT ?
                            """),
                    arguments: [fragment, holdingAfter] + bounds + visible.arguments + [rest])
            }
            return out + rows.map { (SubjectHit(id: $0[0], code: $0[1], name: $0[2]), .holding(after: $0[0])) }
        }
    }

    /// The forms in which a name's fragment is looked for, in the names' order: as typed; with its
    /// ASCII letters in capitals (names write Latin letters so: `tcl` finds `TCL科技` among the
    /// names beginning with it); and, when it is three characters or more and holds round
    /// brackets, with them all full-width （） and all ASCII () — a name registered as
    /// 某某（集团）有限公司 is found typed 某某(集团), and the other way round.
    static func nameForms(_ fragment: String) -> [String] {
        let capitals = String(
            String.UnicodeScalarView(fragment.unicodeScalars.map { ("a"..."z").contains($0) ? Unicode.Scalar($0.value - 32)! : $0 }))
        var forms = [fragment, capitals]
        if fragment.count >= 3, fragment.contains(where: { "()（）".contains($0) }) {
            for text in [fragment, capitals] {
                let map = { (pairs: [(Character, Character)]) in String(text.map { c in pairs.first { $0.0 == c }?.1 ?? c }) }
                forms += [map([("(", "（"), (")", "）")]), map([("（", "("), ("）", ")")])]
            }
        }
        return Set(forms).sorted { $0.utf8.lexicographicallyPrecedes($1.utf8) }
    }

    /// The subjects whose names lie from a name (the query, or the last shown) to the query's
    /// end, after a row of that first name, that `exists`, in the names' order: a range of the
    /// index `subjects_name`, nothing sorted.
    static func namesBeginning(exists: String) -> String {
        """
        SELECT s.id, s.code, s.name FROM subjects s INDEXED BY subjects_name
        WHERE s.name >= ? AND s.name < ? AND (s.name > ? OR s.id > ?) AND \(exists)
        ORDER BY s.name, s.id LIMIT ?
        """
    }

    /// For each of `subjects`, how many of its records the public sees, by kind — the whole
    /// rule in SQL (`scope`), without reading the records (a page of search hits), in one read.
    public func publicCounts(subjects: [String], scope: PublicScope) throws -> [String: [String: Int]] {
        let visible = scope.condition
        return try read { db in
            let statement = try db.cachedStatement(
                sql: "SELECT r.kind, count(*) FROM records r WHERE r.subject_code = ? AND \(visible.sql) GROUP BY r.kind")
            var out: [String: [String: Int]] = [:]
            for subject in subjects {
                var counts: [String: Int] = [:]
                for row in try Row.fetchAll(statement, arguments: [subject] + visible.arguments) { counts[row[0]] = row[1] }
                out[subject] = counts
            }
            return out
        }
    }

    /// The subject with this code, or with this `subjects` row.
    public func subjectHit(code: String) throws -> SubjectHit? {
        try read { db in
            try Row.fetchOne(db.cachedStatement(sql: "SELECT id, code, name FROM subjects WHERE code = ?"), arguments: [code]).map {
                SubjectHit(id: $0[0], code: $0[1], name: $0[2])
            }
        }
    }

    public func subjectHit(id: Int64) throws -> SubjectHit? {
        try read { db in
            try Row.fetchOne(db.cachedStatement(sql: "SELECT id, code, name FROM subjects WHERE id = ?"), arguments: [id]).map {
                SubjectHit(id: $0[0], code: $0[1], name: $0[2])
            }
        }
    }

    /// The id of the newest change in the log: any write to records makes a newer one.
    public func newestChangeID() throws -> Int64 {
        try read { db in try Int64.fetchOne(db.cachedStatement(sql: "SELECT max(id) FROM changes")) ?? 0 }
    }

    /// Records the public sees, by kind: those in force from the tally kept by the triggers
    /// (`tally_public`, migration v20), less those whose publicity ended but that no one has yet
    /// marked expired (`records_publicity`) and, kept to an area, those a correction moved out of
    /// it (`record_areas`) — a few rows read, whatever the store holds.
    public func publicCounts(scope: PublicScope) throws -> [String: Int] {
        guard !scope.kinds.isEmpty else { return [:] }
        let marks = Array(repeating: "?", count: scope.kinds.count).joined(separator: ", ")
        let kinds = StatementArguments(scope.kinds)
        return try read { db in
            var out: [String: Int] = [:]
            for row in try Row.fetchAll(
                db,
                sql: """
                    SELECT kind, sum(records) FROM tally_public
                    WHERE kind IN (\(marks)) AND state IN ('active', 'objected') AND in_force = 1 GROUP BY kind
                    """, arguments: kinds)
            {
                let n: Int = row[1]
                if n > 0 { out[row[0]] = n }
            }
            for row in try Row.fetchAll(
                db,
                sql: """
                    SELECT kind, count(*) FROM records INDEXED BY records_publicity
                    WHERE publicity_until IS NOT NULL AND state IN ('active', 'objected') AND publicity_until < ?
                        AND in_force = 1 AND kind IN (\(marks))
                    GROUP BY kind
                    """, arguments: [scope.today] + kinds)
            {
                let kind: String = row[0]
                let left = (out[kind] ?? 0) - (row[1] as Int)
                out[kind] = left > 0 ? left : nil
            }
            // Less the records shown today that a correction moved out of the area.
            if let (kept, area) = scope.keptToArea(scope.kinds) {
                for row in try Row.fetchAll(
                    db, sql: Self.movedAwaySQL(kinds: kept.count), arguments: StatementArguments(kept) + [scope.today] + PublicScope.areaBounds(area))
                {
                    let kind: String = row[0]
                    let left = (out[kind] ?? 0) - (row[1] as Int)
                    out[kind] = left > 0 ? left : nil
                }
            }
            return out
        }
    }

    /// Records of `kinds` kinds (its arguments, then today and the area's bounds) shown today
    /// that lie outside the area, by kind: only records whose versions named several areas are
    /// read (`record_areas`, a small table, first — the CROSS JOIN keeps SQLite from reading a
    /// kind's records through `records_kind_date` instead).
    static func movedAwaySQL(kinds: Int) -> String {
        """
        SELECT r.kind, count(*) FROM (SELECT DISTINCT record_key FROM record_areas) moved
        CROSS JOIN records r ON r.record_key = moved.record_key
        WHERE r.kind IN (\(Array(repeating: "?", count: max(kinds, 1)).joined(separator: ", ")))
            AND \(PublicScope.shownToday) AND NOT (\(PublicScope.inArea))
        GROUP BY r.kind
        """
    }

    /// A page of a listing, newest decision first, by keyset: records the public sees of the
    /// query's kinds and filters, each vouched for (`storedRecord`).
    public func listing(_ query: ListingQuery, scope: PublicScope) throws -> [StoredRecord] {
        let kinds = query.kinds.filter { scope.kinds.contains($0) }
        guard !kinds.isEmpty else { return [] }
        // Each kind walks its own stretch of `records_kind_date` newest first; several kinds
        // in one query would have SQLite sort all their records. Merged here instead.
        if kinds.count > 1 {
            var merged: [StoredRecord] = []
            for kind in kinds {
                var one = query
                one.kinds = [kind]
                merged += try listing(one, scope: scope)
            }
            merged.sort { ($0.decisionDate ?? "", $0.rowID) > ($1.decisionDate ?? "", $1.rowID) }
            return Array(merged.prefix(query.limit))
        }
        guard let (conditions, arguments) = Self.listingConditions(query, kind: kinds[0], scope: scope) else { return [] }
        // A search by words reads the articles in the index's order, newest entered first,
        // and stops at the page's end; a listing walks the kind's decision dates newest first.
        let searching = !query.articleWords.isEmpty
        return try read { db in
            // Cached by its text: the filters give a handful of shapes.
            try Row.fetchAll(
                db.cachedStatement(
                    sql: """
                        \(Self.storedRecordColumns) \(searching ? ArticleWords.from + " " + Self.storedRecordJoins : Self.storedRecordFrom)
                        WHERE \(conditions.joined(separator: " AND "))
                        ORDER BY \(searching ? "g.rowid DESC" : "r.decision_date DESC, r.id DESC") LIMIT ?
                        """),
                arguments: arguments + [query.limit]
            ).map(Self.storedRecord)
        }
    }

    /// How many records of one kind `query`'s filters find (its keyset and limit aside), counted
    /// up to `atMost` + 1 (a word most articles hold is not counted through): the count a search
    /// states. Only the record and its change are read.
    public func listingCount(_ query: ListingQuery, scope: PublicScope, atMost: Int) throws -> Int {
        guard query.kinds.count == 1, scope.kinds.contains(query.kinds[0]) else { return 0 }
        var query = query
        query.after = nil
        guard let (conditions, arguments) = Self.listingConditions(query, kind: query.kinds[0], scope: scope) else { return 0 }
        let from = query.articleWords.isEmpty ? "FROM records r" : ArticleWords.from
        return try read { db in
            try Int.fetchOne(
                db.cachedStatement(
                    sql: """
                        SELECT count(*) FROM (SELECT 1 \(from) JOIN changes c ON c.id = r.content_change
                        WHERE \(conditions.joined(separator: " AND ")) LIMIT ?)
                        """),
                arguments: arguments + [atMost + 1]) ?? 0
        }
    }

    /// The WHERE conditions of a listing of one kind, with their arguments in order; nil for a
    /// search that can find nothing (punctuation alone). A search by words reads the article
    /// index `g` first (`ArticleWords.from`): its keyset is the row alone, and the kind's
    /// comparison is written so that SQLite cannot walk `records_kind_date` instead.
    static func listingConditions(_ query: ListingQuery, kind: String, scope: PublicScope) -> (
        conditions: [String], arguments: StatementArguments
    )? {
        let searching = !query.articleWords.isEmpty
        var conditions = ["r.decision_date IS NOT NULL", searching ? "+r.kind = ?" : "r.kind = ?"]
        var arguments: StatementArguments = [kind]
        conditions.append(PublicScope.shownToday)
        arguments += [scope.today]
        if let prefix = query.regionPrefix ?? scope.keptToArea([kind])?.area {
            conditions.append(PublicScope.inArea)
            arguments += PublicScope.areaBounds(prefix)
        }
        if let exact = query.jurisdiction {
            conditions.append("r.jurisdiction = ?")
            arguments += [exact]
        }
        if let from = query.from {
            conditions.append("r.decision_date >= ?")
            arguments += [from]
        }
        if let to = query.to {
            conditions.append("r.decision_date <= ?")
            arguments += [to]
        }
        if let (date, id) = query.after {
            if searching {
                conditions.append("g.rowid < ?")
                arguments += [id]
            } else {
                conditions.append("(r.decision_date < ? OR (r.decision_date = ? AND r.id < ?))")
                arguments += [date, date, id]
            }
        }
        if let (field, value) = query.authority {
            conditions.append("json_extract(c.body, ?) = ?")
            arguments += ["$." + field, value]
        }
        if searching {
            guard let words = ArticleWords.condition(query.articleWords, fields: query.articleFields) else { return nil }
            conditions.append(words.sql)
            arguments += words.arguments
        }
        return (conditions, arguments)
    }
}

/// The terms an article search looks for, as SQL on `article_grams` (migration v33) and the
/// record's change `c`: every term in the title or text. The index holds each pair of neighbouring
/// characters as a token (letters folded, punctuation dropped): a term of one character is a token
/// prefix, of two a token — both found exactly —, a longer one (or one with punctuation) every
/// pair of it, then confirmed in the title or text themselves. Every phrase is quoted: FTS5 syntax
/// typed is text. A search of punctuation alone finds nothing.
public enum ArticleWords {
    /// Terms searched at most; a longer list is cut.
    public static let termsMax = 5

    /// `text` split at spaces (ASCII or full-width), repeated terms once, at most `termsMax`.
    public static func terms(_ text: String) -> [String] {
        var seen: Set<String> = []
        return text.split { $0.isWhitespace }.map(String.init).filter { seen.insert($0.lowercased()).inserted }.prefix(termsMax).map { $0 }
    }

    static func isTokenCharacter(_ c: Character) -> Bool { c.isLetter || c.isNumber }

    /// The index's phrases for `term`, and whether they find it exactly.
    static func phrases(_ term: String) -> (phrases: [String], exact: Bool) {
        let chars = Array(term)
        let quoted = { (s: String) in "\"" + s.replacingOccurrences(of: "\"", with: "\"\"") + "\"" }
        let plain = chars.allSatisfy(isTokenCharacter)
        if chars.count == 1 { return plain ? ([quoted(term) + "*"], true) : ([], false) }
        let pairs = (0..<(chars.count - 1)).map { String(chars[$0...$0 + 1]) }.filter { $0.contains(where: isTokenCharacter) }
        var seen: Set<String> = []
        return (pairs.filter { seen.insert($0.lowercased()).inserted }.map(quoted), plain && chars.count == 2)
    }

    /// The FTS5 query of every term's phrases; nil when no term gives one (punctuation alone).
    static func match(_ terms: [String]) -> String? {
        let all = terms.flatMap { phrases($0).phrases }
        return all.isEmpty ? nil : all.joined(separator: " AND ")
    }

    /// The rows a search reads: the index first, in its order (CROSS JOIN keeps SQLite to it),
    /// each article's record by its row.
    static let from = "FROM article_grams g CROSS JOIN records r ON r.id = g.rowid"

    /// The conditions on the index `g` and the record's change `c`; nil for punctuation alone
    /// (nothing the index could narrow: nothing found).
    static func condition(_ terms: [String], fields: [String]) -> (sql: String, arguments: StatementArguments)? {
        var sql: [String] = []
        var arguments: StatementArguments = []
        // Without the fields (a query that gave none) the index's answer stands.
        let confirm = fields.isEmpty ? [] : terms.filter { !phrases($0).exact }
        guard let match = match(terms) else { return nil }
        sql.append("g.article_grams MATCH ?")
        arguments += [match]
        for term in confirm {
            sql.append("(" + fields.map { _ in "instr(lower(json_extract(c.body, ?)), lower(?)) > 0" }.joined(separator: " OR ") + ")")
            for field in fields { arguments += ["$." + field, term] }
        }
        return (sql.joined(separator: " AND "), arguments)
    }
}
