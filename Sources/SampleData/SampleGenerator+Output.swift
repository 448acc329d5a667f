import CreditDomain

extension SampleGenerator {
    /// Column headers a generated CSV file carries.
    public enum HeaderStyle: String, Sendable, CaseIterable {
        /// National field codes (`CF_XDR_MC`).
        case codes
        /// Chinese field names (`行政相对人名称`), as in departments' spreadsheet templates.
        case names
    }

    /// The rows as CSV with a header line; CRLF line ends, as spreadsheets write them.
    public static func csv(kind: ResolvedKind, rows: [SampleRow], header: HeaderStyle) -> String {
        csvHeader(kind: kind, style: header) + csvRows(rows)
    }

    /// The header line alone.
    public static func csvHeader(kind: ResolvedKind, style: HeaderStyle) -> String {
        CSVReader.line(kind.fields.map { style == .codes ? kind.kind.fullCode($0.code) : $0.name }) + "\r\n"
    }

    /// The data lines alone (to append to a file in chunks).
    public static func csvRows(_ rows: [SampleRow]) -> String {
        var out = ""
        for r in rows { out += CSVReader.line(r.values) + "\r\n" }
        return out
    }

    /// The rows as JSON Lines keyed by full national codes; empty fields are left out.
    public static func jsonLines(kind: ResolvedKind, rows: [SampleRow]) -> String {
        var out = ""
        for r in rows {
            var line = "{"
            var first = true
            for (i, f) in kind.fields.enumerated() where !r.values[i].isEmpty {
                if !first { line += "," }
                first = false
                line += CanonicalJSON.string(kind.kind.fullCode(f.code)) + ":" + CanonicalJSON.string(r.values[i])
            }
            out += line + "}\n"
        }
        return out
    }
}
