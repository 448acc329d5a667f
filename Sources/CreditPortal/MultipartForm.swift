import Foundation

/// A `multipart/form-data` body as a browser sends a form with a file (RFC 7578): each part's
/// name and bytes. Only what the operators' forms need: no nested multiparts, no transfer
/// encodings (browsers send the file's bytes as they are).
struct MultipartForm: Sendable {
    struct Part: Sendable {
        var name: String
        var filename: String?
        var bytes: [UInt8]
    }

    var parts: [Part]

    /// The boundary of a `Content-Type: multipart/form-data; boundary=…` header.
    static func boundary(contentType: String) -> String? {
        guard contentType.lowercased().hasPrefix("multipart/form-data") else { return nil }
        for parameter in contentType.split(separator: ";").dropFirst() {
            let p = parameter.trimmingCharacters(in: .whitespaces)
            guard p.lowercased().hasPrefix("boundary=") else { continue }
            var value = String(p.dropFirst("boundary=".count))
            if value.hasPrefix("\""), value.hasSuffix("\""), value.count >= 2 { value = String(value.dropFirst().dropLast()) }
            return value.isEmpty || value.count > 70 ? nil : value
        }
        return nil
    }

    /// Splits `body` at `--boundary` lines; nil when it is not such a body.
    init?(_ body: [UInt8], boundary: String) {
        let delimiter = Array("--\(boundary)".utf8)
        var starts: [Int] = []
        var i = 0
        while let found = Self.find(delimiter, in: body, from: i) {
            starts.append(found)
            i = found + delimiter.count
        }
        guard starts.count >= 2 else { return nil }
        var parts: [Part] = []
        for (start, end) in zip(starts, starts.dropFirst()) {
            // After the delimiter: CRLF, the part's headers, a blank line, its content, CRLF.
            var from = start + delimiter.count
            guard from + 2 <= end, body[from] == 0x0D, body[from + 1] == 0x0A else { return nil }
            from += 2
            guard let blank = Self.find([0x0D, 0x0A, 0x0D, 0x0A], in: body, from: from), blank < end else { return nil }
            let headers = String(decoding: body[from..<blank], as: UTF8.self)
            var contentEnd = end
            if contentEnd >= 2, body[contentEnd - 2] == 0x0D, body[contentEnd - 1] == 0x0A { contentEnd -= 2 }
            guard let name = Self.parameter("name", in: headers) else { continue }
            parts.append(
                Part(name: name, filename: Self.parameter("filename", in: headers), bytes: Array(body[(blank + 4)..<max(blank + 4, contentEnd)])))
        }
        self.parts = parts
    }

    /// A part's bytes, by its name.
    subscript(_ name: String) -> [UInt8]? { parts.first { $0.name == name }?.bytes }

    /// A text field, trimmed.
    func text(_ name: String) -> String? {
        self[name].map { String(decoding: $0, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines) }
    }

    /// `name="…"` in a part's Content-Disposition header.
    static func parameter(_ key: String, in headers: String) -> String? {
        for line in headers.split(separator: "\r\n") where line.lowercased().hasPrefix("content-disposition:") {
            for piece in line.split(separator: ";").dropFirst() {
                let p = piece.trimmingCharacters(in: .whitespaces)
                guard p.hasPrefix("\(key)=") else { continue }
                var v = String(p.dropFirst(key.count + 1))
                if v.hasPrefix("\""), v.hasSuffix("\""), v.count >= 2 { v = String(v.dropFirst().dropLast()) }
                return v
            }
        }
        return nil
    }

    static func find(_ needle: [UInt8], in haystack: [UInt8], from: Int) -> Int? {
        guard !needle.isEmpty, haystack.count >= needle.count else { return nil }
        var i = from
        let last = haystack.count - needle.count
        while i <= last {
            if haystack[i] == needle[0] && haystack[i..<(i + needle.count)].elementsEqual(needle) { return i }
            i += 1
        }
        return nil
    }
}
