/// One record of a CSV file.
public struct CSVRow: Sendable {
    /// The line on which the record starts (the header is line 1 in a file without blank lines).
    public var line: Int
    public var fields: [String]
    /// Where the record's text stands in the input (without the line break); read it with
    /// `CSVReader.text(_:in:)` only when needed, as most rows never need it.
    public var rawRange: Range<Int>
    /// Set when the record is malformed (an unterminated quote).
    public var malformed: String?
}

/// An RFC 4180 reader over UTF-8 text: quoted fields with `""` escapes and embedded line breaks,
/// CRLF or LF, comma or (when the first line has tabs and no commas) tab separators.
public enum CSVReader {
    /// Calls `body` for every non-blank record, the header included.
    public static func forEachRow(_ text: [UInt8], _ body: (CSVRow) throws -> Void) rethrows {
        try text.withUnsafeBufferPointer { p in
            let n = p.count
            let separator = detectSeparator(p)
            var i = 0
            var line = 1
            var fields: [String] = []
            fields.reserveCapacity(32)
            var quoted: [UInt8] = []
            while i < n {
                let start = i
                let startLine = line
                fields.removeAll(keepingCapacity: true)
                var malformed: String?
                var end = i
                record: while true {
                    // One field.
                    if i < n && p[i] == UInt8(ascii: "\"") {
                        quoted.removeAll(keepingCapacity: true)
                        i += 1
                        var closed = false
                        while i < n {
                            let b = p[i]
                            if b == UInt8(ascii: "\"") {
                                if i + 1 < n && p[i + 1] == UInt8(ascii: "\"") {
                                    quoted.append(b)
                                    i += 2
                                    continue
                                }
                                i += 1
                                closed = true
                                break
                            }
                            if b == 0x0A { line += 1 }
                            quoted.append(b)
                            i += 1
                        }
                        if !closed { malformed = "a quoted value that starts on line \(startLine) is never closed" }
                        // Text after the closing quote up to the separator is kept literally.
                        while i < n && p[i] != separator && p[i] != 0x0A && p[i] != 0x0D {
                            quoted.append(p[i])
                            i += 1
                        }
                        fields.append(String(decoding: quoted, as: UTF8.self))
                    } else {
                        let s = i
                        while i < n && p[i] != separator && p[i] != 0x0A && p[i] != 0x0D { i += 1 }
                        fields.append(String(decoding: UnsafeBufferPointer(rebasing: p[s..<i]), as: UTF8.self))
                    }
                    end = i
                    if i < n && p[i] == separator {
                        i += 1
                        continue record
                    }
                    // End of record.
                    if i < n && p[i] == 0x0D { i += 1 }
                    if i < n && p[i] == 0x0A { i += 1 }
                    line += 1
                    break record
                }
                let blank = fields.count == 1 && fields[0].isEmpty && malformed == nil
                if blank { continue }
                try body(CSVRow(line: startLine, fields: fields, rawRange: start..<end, malformed: malformed))
            }
        }
    }

    /// The text of `range` in `text`.
    public static func text(_ range: Range<Int>, in text: [UInt8]) -> String {
        String(decoding: text[range], as: UTF8.self)
    }

    static func detectSeparator(_ p: UnsafeBufferPointer<UInt8>) -> UInt8 {
        var commas = 0
        var tabs = 0
        for b in p {
            if b == 0x0A { break }
            if b == UInt8(ascii: ",") { commas += 1 }
            if b == 0x09 { tabs += 1 }
        }
        return tabs > 0 && commas == 0 ? 0x09 : UInt8(ascii: ",")
    }

    /// One CSV line for `fields`, quoting where needed (used by the sample generator and tests).
    public static func line(_ fields: [String]) -> String {
        fields.map { f in
            if f.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" }) || f.hasPrefix(" ") {
                return "\"" + f.replacingOccurrences(of: "\"", with: "\"\"") + "\""
            }
            return f
        }.joined(separator: ",")
    }
}

extension String {
    fileprivate func replacingOccurrences(of target: String, with replacement: String) -> String {
        split(separator: target, omittingEmptySubsequences: false).joined(separator: replacement)
    }
}
