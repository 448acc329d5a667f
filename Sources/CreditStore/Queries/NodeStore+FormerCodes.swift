import CreditDomain
import GRDB

/// A code an organisation had before its unified social credit code, as a record gives it
/// (migration v25): the field (`XDR_GSZC` 工商注册号, `XDR_ZZJG` 组织机构代码, `XDR_SWDJ` 税务登记号,
/// `XDR_SYDW` 事业单位证书号, `XDR_SHZZ` 社会组织登记证号) and the code, upper case without '-'
/// or spaces.
public struct FormerCode: Sendable, Hashable, Codable, Comparable {
    public var field: String
    public var code: String

    public init(field: String, code: String) {
        self.field = field
        self.code = code
    }

    public static func < (a: FormerCode, b: FormerCode) -> Bool { (a.field, a.code) < (b.field, b.code) }

    /// The fields a former code is given in, in the subject block's order.
    public static let fields = ["XDR_GSZC", "XDR_ZZJG", "XDR_SWDJ", "XDR_SYDW", "XDR_SHZZ"]

    /// How a code typed or written is compared: upper case, without '-' or spaces (a full-width
    /// character is the validator's business before the record is stored).
    public static func normalised(_ raw: String) -> String {
        String(raw.uppercased().filter { $0 != "-" && !$0.isWhitespace })
    }

    /// The organisation code (组织机构代码, GB 11714) inside a credit code: its positions 9–17.
    public static func organisationCode(of uscc: String) -> String? {
        guard uscc.utf8.count == 18 else { return nil }
        let u = Array(uscc)
        return String(u[8..<17])
    }
}

/// One former code given with two or more different credit codes by records still standing, or
/// an organisation code that is not the one inside the credit code given beside it: either is a
/// mistake in someone's data (错报) and no record is attributed through it.
public struct FormerCodeConflict: Sendable, Hashable, Codable {
    public var former: FormerCode
    public var creditCodes: [String]
    /// How many records (not withdrawn) give the former code with a credit code.
    public var records: Int
    /// True: an organisation code unlike the one inside the credit code beside it.
    public var mismatched: Bool
}

/// A record filed under former codes alone (no credit code, no ID number): its id, body, former
/// codes and the one credit code they lead to (nil: none, or an ambiguous one).
public struct FiledUnderFormer: Sendable, Hashable {
    public var recordID: Int64
    public var key: String
    public var kind: String
    public var decisionDate: String?
    public var body: String
    public var formers: [FormerCode]
    public var creditCode: String?
}

extension NodeStore {
    /// The former codes records not withdrawn give beside the credit code `uscc`, and its
    /// organisation code (positions 9–17) — what the organisation was known by.
    public func formerCodes(of uscc: String) throws -> [FormerCode] {
        guard let organisation = FormerCode.organisationCode(of: uscc) else { return [] }
        return try read { db in
            var out = Set(
                try Row.fetchAll(
                    db.cachedStatement(
                        sql: """
                            SELECT DISTINCT f.field, f.code FROM former_codes f INDEXED BY former_codes_uscc JOIN records x ON x.id = f.record_id
                            WHERE f.uscc = ? AND x.state <> 'withdrawn'
                            """), arguments: [uscc]
                ).map { FormerCode(field: $0[0], code: $0[1]) }.filter { $0.field != "XDR_ZZJG" })
            // An organisation code given beside it is its own or a mistake (`formerCodeMappings`).
            out.insert(FormerCode(field: "XDR_ZZJG", code: organisation))
            return out.sorted()
        }
    }

    /// The credit codes a former code leads to: those records not withdrawn give beside it, and
    /// for an organisation code the subjects whose credit code holds it. More than one: the
    /// code is ambiguous (a conflict) and leads nowhere on its own.
    public func creditCodes(for former: FormerCode) throws -> [String] {
        try read { db in try Self.creditCodes(for: former, db: db) }
    }

    static func creditCodes(for former: FormerCode, db: Database) throws -> [String] {
        var out = Set(
            try String.fetchAll(
                db.cachedStatement(
                    sql: """
                        SELECT DISTINCT f.uscc FROM former_codes f INDEXED BY former_codes_code JOIN records x ON x.id = f.record_id
                        WHERE f.code = ? AND f.field = ? AND f.uscc IS NOT NULL AND x.state <> 'withdrawn'
                        """), arguments: [former.code, former.field]
            ).filter { former.field != "XDR_ZZJG" || FormerCode.organisationCode(of: $0) == former.code })
        if former.field == "XDR_ZZJG", former.code.utf8.count == 9 {
            out.formUnion(
                try String.fetchAll(
                    db.cachedStatement(sql: "SELECT code FROM subjects WHERE length(code) = 18 AND substr(code, 9, 9) = ?"),
                    arguments: [former.code]
                ).filter { (try? SocialCreditCode($0)) != nil })
        }
        return out.sorted()
    }

    /// The credit codes a code typed into a search may be a former code of, in any field: each
    /// field's answer when it is unambiguous.
    public func creditCodes(forTyped raw: String) throws -> [String] {
        let code = FormerCode.normalised(raw)
        guard !code.isEmpty else { return [] }
        return try read { db in
            var out = Set<String>()
            for field in FormerCode.fields {
                let found = try Self.creditCodes(for: FormerCode(field: field, code: code), db: db)
                if found.count == 1 { out.insert(found[0]) }
            }
            return out.sorted()
        }
    }

    /// The records filed under former codes alone that belong to the credit code `uscc`: they give
    /// one of its former codes (`formerCodes(of:)`) and that code leads to no other credit code.
    /// Their own subject code (a registration number, or none) is not `uscc`.
    public func recordsFiledUnderFormerCodes(of uscc: String) throws -> [StoredRecord] {
        let formers = try formerCodes(of: uscc)
        guard !formers.isEmpty else { return [] }
        return try read { db in
            var ids = Set<Int64>()
            for former in formers where try Self.creditCodes(for: former, db: db) == [uscc] {
                ids.formUnion(
                    try Int64.fetchAll(
                        db.cachedStatement(
                            sql: "SELECT record_id FROM former_codes INDEXED BY former_codes_code WHERE code = ? AND field = ? AND uscc IS NULL"),
                        arguments: [former.code, former.field]))
            }
            guard !ids.isEmpty else { return [] }
            return try Row.fetchAll(
                db,
                sql: "\(Self.storedRecordColumns) \(Self.storedRecordFrom) WHERE r.id IN (\(ids.sorted().map(String.init).joined(separator: ", ")))"
            ).map(Self.storedRecord)
        }
    }

    /// The one credit code the former codes of subject `code`'s records lead to (a subject filed
    /// under a registration number), or nil.
    public func currentCreditCode(ofFormerSubject code: String) throws -> String? {
        guard code.utf8.count != 18 else { return nil }
        return try read { db in
            let formers = try Row.fetchAll(
                db.cachedStatement(
                    sql: """
                        SELECT DISTINCT f.field, f.code FROM records r INDEXED BY records_subject JOIN former_codes f ON f.record_id = r.id
                        WHERE r.subject_code = ? AND f.uscc IS NULL AND r.state <> 'withdrawn'
                        """), arguments: [code]
            ).map { FormerCode(field: $0[0], code: $0[1]) }
            var memo: [FormerCode: [String]] = [:]
            return try Self.creditCode(of: formers, db: db, memo: &memo)
        }
    }

    /// The one credit code `formers` lead to: each code that leads to exactly one, when they all
    /// name the same; nil when none does or they disagree. `memo` keeps each code's answer.
    static func creditCode(of formers: [FormerCode], db: Database, memo: inout [FormerCode: [String]]) throws -> String? {
        var found = Set<String>()
        for former in formers {
            if memo[former] == nil { memo[former] = try creditCodes(for: former, db: db) }
            if let codes = memo[former], codes.count == 1 { found.insert(codes[0]) }
        }
        return found.count == 1 ? found.first : nil
    }

    /// Whether records give `code` as a 工商注册号 (a subject filed under it is a business, not a
    /// person with a passport or permit).
    public func isRegistrationNumber(_ code: String) throws -> Bool {
        try read { db in
            try Bool.fetchOne(
                db.cachedStatement(sql: "SELECT 1 FROM former_codes INDEXED BY former_codes_code WHERE code = ? AND field = 'XDR_GSZC' LIMIT 1"),
                arguments: [FormerCode.normalised(code)]) ?? false
        }
    }

    /// Every record not withdrawn filed under former codes alone, with the credit code they lead
    /// to: what the office's 代码转换 page counts (few records: they are read whole).
    public func recordsFiledUnderFormerCodes() throws -> [FiledUnderFormer] {
        try read { db in
            var byRecord: [Int64: FiledUnderFormer] = [:]
            for row in try Row.fetchAll(
                db,
                sql: """
                    SELECT r.id, r.record_key, r.kind, r.decision_date, c.body, f.field, f.code
                    FROM former_codes f JOIN records r ON r.id = f.record_id JOIN changes c ON c.id = r.content_change
                    WHERE f.uscc IS NULL AND r.state <> 'withdrawn'
                    """)
            {
                let id: Int64 = row[0]
                let former = FormerCode(field: row[5], code: row[6])
                if byRecord[id] == nil {
                    byRecord[id] = FiledUnderFormer(
                        recordID: id, key: row[1], kind: row[2], decisionDate: row[3], body: row[4], formers: [], creditCode: nil)
                }
                byRecord[id]!.formers.append(former)
            }
            var leads: [FormerCode: [String]] = [:]
            for id in byRecord.keys {
                byRecord[id]!.formers.sort()
                byRecord[id]!.creditCode = try Self.creditCode(of: byRecord[id]!.formers, db: db, memo: &leads)
            }
            return byRecord.values.sorted { ($0.decisionDate ?? "", $0.recordID) > ($1.decisionDate ?? "", $1.recordID) }
        }
    }

    /// The mappings records declare (former code → credit code, records not withdrawn) and the
    /// conflicts among them.
    public func formerCodeMappings() throws -> (pairs: Int, conflicts: [FormerCodeConflict]) {
        try read { db in
            var codes: [FormerCode: [String: Int]] = [:]
            var mismatched: [FormerCode: [String: Int]] = [:]
            // The pairs (former code, credit code) records not withdrawn declare.
            for row in try Row.fetchAll(
                db,
                sql: """
                    SELECT f.field, f.code, f.uscc FROM former_codes f JOIN records x ON x.id = f.record_id
                    WHERE f.uscc IS NOT NULL AND x.state <> 'withdrawn'
                    """)
            {
                let former = FormerCode(field: row[0], code: row[1])
                let uscc: String = row[2]
                codes[former, default: [:]][uscc, default: 0] += 1
                if former.field == "XDR_ZZJG", FormerCode.organisationCode(of: uscc) != former.code {
                    mismatched[former, default: [:]][uscc, default: 0] += 1
                }
            }
            var conflicts: [FormerCodeConflict] = []
            for (former, by) in codes where by.count > 1 {
                conflicts.append(
                    FormerCodeConflict(former: former, creditCodes: by.keys.sorted(), records: by.values.reduce(0, +), mismatched: false))
            }
            for (former, by) in mismatched where codes[former]?.count ?? 0 <= 1 {
                conflicts.append(
                    FormerCodeConflict(former: former, creditCodes: by.keys.sorted(), records: by.values.reduce(0, +), mismatched: true))
            }
            return (codes.values.reduce(0) { $0 + $1.count }, conflicts.sorted { $0.former < $1.former })
        }
    }
}
