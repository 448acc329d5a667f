/// Maps column headers (national codes with or without the kind's prefix, Chinese names, listed
/// aliases) to a kind's fields.
public struct HeaderMap: Sendable {
    private var lookup: [String: Int] = [:]
    public let kind: ResolvedKind

    public init(kind: ResolvedKind) {
        self.kind = kind
        for (i, f) in kind.fields.enumerated() {
            for name in [kind.kind.fullCode(f.code), f.code, f.name] + (f.aliases ?? []) {
                let k = Self.normalise(name)
                if lookup[k] == nil { lookup[k] = i }
            }
        }
    }

    /// Upper-cases codes, drops required-field markers (`*`) and spaces that templates carry.
    static func normalise(_ name: String) -> String {
        var s = name.trimmingFieldWhitespace()
        while s.hasPrefix("*") || s.hasPrefix("＊") { s = String(s.dropFirst()).trimmingFieldWhitespace() }
        while s.hasSuffix("*") || s.hasSuffix("＊") { s = String(s.dropLast()).trimmingFieldWhitespace() }
        return s.uppercased()
    }

    /// The field a header names, if any.
    public func field(for header: String) -> Int? { lookup[Self.normalise(header)] }

    /// Columns for a header row: the field index of each column (nil = ignored), and the
    /// ignored headers. Refuses a header naming nothing, naming a field twice, or lacking a
    /// column for a required field.
    public func columns(for headers: [String]) throws(IngestError) -> (fields: [Int?], ignored: [String]) {
        var fields: [Int?] = []
        var seen: [Int: String] = [:]
        var ignored: [String] = []
        for h in headers {
            guard let f = field(for: h) else {
                fields.append(nil)
                if !h.trimmingFieldWhitespace().isEmpty { ignored.append(h.trimmingFieldWhitespace()) }
                continue
            }
            if let first = seen[f] {
                throw IngestError(.duplicateColumn, "columns '\(first)' and '\(h)' both name \(kind.kind.fullCode(kind.fields[f].code)) (\(kind.fields[f].name)); keep one")
            }
            seen[f] = h
            fields.append(f)
        }
        guard !seen.isEmpty else {
            let sample = headers.prefix(5).map { "'\($0)'" }.joined(separator: ", ")
            throw IngestError(.noHeader, "the first line (\(sample)) names no field of \(kind.name) (\(kind.slug)); the first line must hold the national field codes (\(kind.kind.fullCode(kind.fields[0].code)) …) or the Chinese field names (\(kind.fields[0].name) …)")
        }
        let missing = kind.fields.indices.filter { kind.fields[$0].required && seen[$0] == nil }
        guard missing.isEmpty else {
            let list = missing.map { "\(kind.kind.fullCode(kind.fields[$0].code)) (\(kind.fields[$0].name))" }.joined(separator: ", ")
            throw IngestError(.missingColumns, "the header has no column for the required field(s) \(list)")
        }
        return (fields, ignored)
    }
}
