/// A department's case register (its own list of decisions) against what the network holds for
/// that department: decisions never reported (漏报), reported late (迟报), reported with another
/// date or subject (错报), and held by the network but absent from the register. The register is
/// read, compared and forgotten: nothing of it is stored.
public enum Reconciliation {
    /// One decision of the register.
    public struct Entry: Sendable, Hashable, Codable {
        public var line: Int
        /// The record kind's slug.
        public var kind: String
        public var number: String
        public var date: CivilDate?
        public var subject: String

        public init(line: Int, kind: String, number: String, date: CivilDate?, subject: String) {
            self.line = line
            self.kind = kind
            self.number = number
            self.date = date
            self.subject = subject
        }
    }

    /// One decision as the network holds it.
    public struct Held: Sendable, Hashable, Codable {
        public var key: String
        public var kind: String
        public var number: String
        public var date: CivilDate?
        public var subject: String?
        public var late: Bool

        public init(key: String, kind: String, number: String, date: CivilDate?, subject: String?, late: Bool) {
            self.key = key
            self.kind = kind
            self.number = number
            self.date = date
            self.subject = subject
            self.late = late
        }
    }

    /// A register line that could not be read, with why.
    public struct Refused: Sendable, Hashable, Codable {
        public var line: Int
        public var reason: String
    }

    /// A decision reported with a field that differs from the register's.
    public struct Difference: Sendable, Hashable, Codable {
        public var entry: Entry
        public var key: String
        /// `决定日期: 2026-03-01 ≠ 2026-03-02`, one per field.
        public var fields: [String]
    }

    public struct Report: Sendable, Hashable, Codable {
        public var authority: String
        public var registered: Int
        public var held: Int
        public var matched: Int
        /// In the register, not in the network (漏报).
        public var missing: [Entry]
        /// Reported after the publication deadline (迟报).
        public var late: [Held]
        /// Reported with another date or subject (错报).
        public var different: [Difference]
        /// In the network, not in the register.
        public var unregistered: [Held]
        public var refused: [Refused]
    }

    /// The register's columns, by any of the names departments give them (or the national codes).
    static let columns: [(field: String, names: [String])] = [
        ("number", ["决定书文号", "决定文书号", "文书号", "文号", "WSH", "案号"]),
        ("date", ["决定日期", "处罚决定日期", "许可决定日期", "作出决定日期", "JDRQ", "日期"]),
        ("subject", ["统一社会信用代码", "证件号码", "主体代码", "行政相对人代码", "XDR_SHXYM", "XDR_ZJHM"]),
        ("kind", ["类别", "类型", "信息类别", "kind"]),
    ]

    /// Reads a register from CSV text (UTF-8; decode GB18030 first with `TextDecoding`): a header
    /// naming at least the decision number column, then one decision per line. `kind` resolves a
    /// 类别 value (Chinese name, alias or slug) to a slug; `defaultKind` is used when the register
    /// has no such column. Lines that cannot be read are returned with their reason.
    public static func read(_ text: [UInt8], defaultKind: String?, kind resolve: (String) -> String?) throws(IngestError) -> (
        entries: [Entry], refused: [Refused]
    ) {
        var header: [String: Int]?
        var entries: [Entry] = []
        var refused: [Refused] = []
        var problem: IngestError?
        CSVReader.forEachRow(text) { row in
            guard problem == nil else { return }
            guard let columns = header else {
                var found: [String: Int] = [:]
                for (i, name) in row.fields.enumerated() {
                    let n = name.trimmingCharacters(in: .whitespaces)
                    if let c = Self.columns.first(where: { $0.names.contains(n) }), found[c.field] == nil { found[c.field] = i }
                }
                guard found["number"] != nil else {
                    problem = IngestError(
                        .noHeader,
                        "台账首行须写明决定书文号列（“决定书文号”或“文号”）；现有的列：\(row.fields.joined(separator: "、"))")
                    return
                }
                guard found["kind"] != nil || defaultKind != nil else {
                    problem = IngestError(.noHeader, "台账没有“类别”列：请选定全部决定的记录类别（命令行用 --kind，如 --kind 行政处罚）")
                    return
                }
                header = found
                return
            }
            func value(_ field: String) -> String {
                guard let i = columns[field], i < row.fields.count else { return "" }
                return row.fields[i].trimmingCharacters(in: .whitespaces)
            }
            if let m = row.malformed { return refused.append(Refused(line: row.line, reason: m)) }
            let number = value("number")
            guard !number.isEmpty else { return refused.append(Refused(line: row.line, reason: "没有决定书文号")) }
            let kindText = value("kind")
            guard let slug = kindText.isEmpty ? defaultKind : resolve(kindText) else {
                return refused.append(Refused(line: row.line, reason: "类别“\(kindText)”不是目录中的记录类别"))
            }
            let dateText = value("date")
            let date = CivilDate.parse(dateText)
            if !dateText.isEmpty && date == nil { return refused.append(Refused(line: row.line, reason: "决定日期“\(dateText)”不是日期（应为 YYYY-MM-DD）")) }
            entries.append(Entry(line: row.line, kind: slug, number: number, date: date, subject: value("subject")))
        }
        if let problem { throw problem }
        guard header != nil else { throw IngestError(.empty, "台账是空的：应有写明列名的首行，其后每项决定一行") }
        return (entries, refused)
    }

    /// Compares the register with the decisions the network holds for the same authority: by
    /// (kind, decision number), spaces and the brackets' forms ignored.
    public static func compare(authority: String, register: [Entry], held: [Held], refused: [Refused] = []) -> Report {
        var byNumber: [String: Held] = [:]
        for h in held { byNumber[normalise(h.kind, h.number)] = h }
        var report = Report(
            authority: authority, registered: register.count, held: held.count, matched: 0, missing: [], late: [], different: [], unregistered: [],
            refused: refused)
        var seen = Set<String>()
        for entry in register {
            let key = normalise(entry.kind, entry.number)
            guard seen.insert(key).inserted else { continue }
            guard let h = byNumber[key] else {
                report.missing.append(shown(entry))
                continue
            }
            report.matched += 1
            if h.late { report.late.append(shown(h)) }
            var fields: [String] = []
            if let d = entry.date, d != h.date { fields.append("决定日期: \(d.iso) ≠ \(h.date?.iso ?? "—")") }
            if !entry.subject.isEmpty, entry.subject.uppercased() != (h.subject ?? "").uppercased() {
                fields.append("主体代码: \(shown(entry.subject)) ≠ \(shown(h.subject ?? "—"))")
            }
            if !fields.isEmpty { report.different.append(Difference(entry: shown(entry), key: h.key, fields: fields)) }
        }
        report.unregistered = held.filter { !seen.contains(normalise($0.kind, $0.number)) }.sorted { order($0.number) < order($1.number) }.map(shown)
        return report
    }

    /// A subject code as a report shows it: a resident ID number masked (as the portal masks it),
    /// a credit code whole (it is public).
    static func shown(_ code: String) -> String { Masking.shown(code) }

    static func shown(_ e: Entry) -> Entry {
        var e = e
        e.subject = shown(e.subject)
        return e
    }

    static func shown(_ h: Held) -> Held {
        var h = h
        h.subject = h.subject.map(shown)
        return h
    }

    /// Numbers in the order an office gives them: by series, year and number when they read as
    /// `…〔YYYY〕N号`, else as text after those.
    static func order(_ number: String) -> (Int, String, Int, Int, String) {
        guard let n = DecisionNumber(number) else { return (1, "", 0, 0, number) }
        return (0, n.series, n.year, n.number, number)
    }

    /// A decision number as compared: no spaces, one form of brackets, full-width digits as ASCII.
    static func normalise(_ kind: String, _ number: String) -> String {
        var out = kind + " "
        for ch in number where !ch.isWhitespace {
            switch ch {
            case "[", "［", "【", "(", "（": out.append("〔")
            case "]", "］", "】", ")", "）": out.append("〕")
            default:
                if let v = ch.unicodeScalars.first?.value, (0xFF10...0xFF19).contains(v), let ascii = Unicode.Scalar(v - 0xFF10 + 0x30) {
                    out.unicodeScalars.append(ascii)
                } else {
                    out.append(ch)
                }
            }
        }
        return out
    }
}
