import Foundation

/// Input file formats.
public enum InputFormat: String, Sendable, Hashable, CaseIterable, Codable {
    case csv
    case jsonLines = "jsonl"

    /// The format a file name suggests: `.jsonl`, `.ndjson` and `.json` are JSON Lines, the rest CSV.
    public static func guess(fileName: String) -> InputFormat {
        let lower = fileName.lowercased()
        return lower.hasSuffix(".jsonl") || lower.hasSuffix(".ndjson") || lower.hasSuffix(".json") ? .jsonLines : .csv
    }
}

/// One input row laid out by the kind's fields, or the reason it could not be laid out.
public struct InputRow: Sendable {
    public var line: Int
    /// One value per field of the kind (empty = absent); empty when `problem` is set.
    public var values: [String]
    /// The row's text as received, for quarantine.
    public var raw: String { rawText ?? rawRange.map { CSVReader.text($0, in: source) } ?? "" }
    public var problem: ValidationIssue?
    var rawText: String?
    var rawRange: Range<Int>?
    var source: [UInt8] = []
}

/// Reads decoded text (CSV with a header line, or JSON Lines) into rows of a kind's fields.
/// Problems with the file as a whole are thrown before any row is handed out.
public struct RecordReader: Sendable {
    public let format: InputFormat
    public let kind: ResolvedKind
    public let text: [UInt8]
    public let encoding: TextEncoding
    /// Header names (CSV) or keys (JSON Lines, first line) that name no field.
    public private(set) var ignoredColumns: [String] = []
    private var columns: [Int?] = []
    private let headers: HeaderMap

    /// Decodes `bytes` and checks the header.
    public init(bytes: [UInt8], format: InputFormat, kind: ResolvedKind, encoding: TextEncoding? = nil) throws(IngestError) {
        let decoded = try TextDecoding.decode(bytes, encoding: encoding)
        guard decoded.text.contains(where: { $0 != 0x20 && $0 != 0x0A && $0 != 0x0D && $0 != 0x09 }) else {
            throw IngestError(.empty, "the file is empty; it needs a header line and at least one row")
        }
        self.format = format
        self.kind = kind
        self.text = decoded.text
        self.encoding = decoded.encoding
        self.headers = HeaderMap(kind: kind)
        switch format {
        case .csv:
            var header: [String]?
            struct Stop: Error {}
            try? CSVReader.forEachRow(text) { row in
                header = row.fields
                throw Stop()
            }
            let (cols, ignored) = try headers.columns(for: header ?? [])
            columns = cols
            ignoredColumns = ignored
        case .jsonLines:
            guard let firstLine = text.split(separator: 0x0A, omittingEmptySubsequences: true).first(where: { !$0.allSatisfy { $0 == 0x20 || $0 == 0x0D || $0 == 0x09 } }),
                let object = try? JSONSerialization.jsonObject(with: Data(firstLine)) as? [String: Any]
            else {
                throw IngestError(.noHeader, "the first line is not a JSON object; JSON Lines input has one object per line, keyed by national field codes or Chinese field names")
            }
            let keys = object.keys.sorted()
            guard keys.contains(where: { headers.field(for: $0) != nil }) else {
                throw IngestError(.noHeader, "the first object's keys (\(keys.prefix(5).joined(separator: ", "))) name no field of \(kind.name) (\(kind.slug))")
            }
            ignoredColumns = keys.filter { headers.field(for: $0) == nil }
        }
    }

    /// Calls `body` for every data row.
    public func forEachRow(_ body: (InputRow) throws -> Void) rethrows {
        switch format {
        case .csv: try forEachCSVRow(body)
        case .jsonLines: try forEachJSONRow(body)
        }
    }

    private func forEachCSVRow(_ body: (InputRow) throws -> Void) rethrows {
        var isHeader = true
        let count = kind.fields.count
        let expected = columns.count
        try CSVReader.forEachRow(text) { row in
            if isHeader {
                isHeader = false
                return
            }
            if let m = row.malformed {
                try body(InputRow(line: row.line, values: [], problem: ValidationIssue(code: "csv-quote", message: m, chinese: "引号不成对：从这一行开始的带引号的值没有结束引号"), rawRange: row.rawRange, source: text))
                return
            }
            guard row.fields.count == expected else {
                try body(InputRow(line: row.line, values: [], problem: ValidationIssue(code: "csv-columns", message: "the row has \(row.fields.count) values but the header has \(expected) columns; check for a stray comma or an unquoted line break", chinese: "这一行有 \(row.fields.count) 个值，表头有 \(expected) 列：请检查是否多了逗号，或值中的换行未加引号"), rawRange: row.rawRange, source: text))
                return
            }
            var values = [String](repeating: "", count: count)
            for (c, f) in columns.enumerated() {
                if let f { values[f] = row.fields[c] }
            }
            try body(InputRow(line: row.line, values: values, problem: nil, rawRange: row.rawRange, source: text))
        }
    }

    private func forEachJSONRow(_ body: (InputRow) throws -> Void) rethrows {
        var line = 0
        for slice in text.split(separator: 0x0A, omittingEmptySubsequences: false) {
            line += 1
            var bytes = slice
            if bytes.last == 0x0D { bytes = bytes.dropLast() }
            if bytes.allSatisfy({ $0 == 0x20 || $0 == 0x09 }) { continue }
            let raw = String(decoding: bytes, as: UTF8.self)
            guard let object = try? JSONSerialization.jsonObject(with: Data(bytes)) as? [String: Any] else {
                try body(InputRow(line: line, values: [], problem: ValidationIssue(code: "json", message: "the line is not a JSON object", chinese: "这一行不是 JSON 对象"), rawText: raw))
                continue
            }
            var values = [String](repeating: "", count: kind.fields.count)
            var problem: ValidationIssue?
            for (key, value) in object {
                guard let f = headers.field(for: key) else { continue }
                switch value {
                case let s as String: values[f] = s
                case let n as NSNumber: values[f] = n.stringValue
                case is NSNull: values[f] = ""
                default:
                    problem = ValidationIssue(code: "json", field: kind.kind.fullCode(kind.fields[f].code), message: "\(kind.kind.fullCode(kind.fields[f].code)) must be a string or a number", chinese: "\(kind.fields[f].name)（\(kind.kind.fullCode(kind.fields[f].code))）应为字符串或数字")
                }
            }
            try body(InputRow(line: line, values: problem == nil ? values : [], problem: problem, rawText: raw))
        }
    }
}
