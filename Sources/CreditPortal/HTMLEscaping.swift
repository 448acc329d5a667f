import Mustache

/// The template engine's HTML escaping — the same five characters, `<`, `>`, `&`, `"` and `'`,
/// replaced by the same entities — done over the UTF-8 bytes. The engine's own walks every
/// `Character` (a grapheme cluster: Chinese text is three bytes a character) through a
/// dictionary, and was a twelfth of a subject page's CPU. A value with none of the five is
/// returned as it is. Every portal template is read with it (`register(_:named:into:)`); the
/// engine still decides what is escaped: every `{{value}}`, never a `{{{value}}}`.
struct HTMLEscaping: MustacheContentType {
    static let name = "HTML_UTF8"

    /// The pragma that selects it, put before every template's text (partials included: the
    /// engine starts each partial with its own HTML escaping).
    static let pragma = "{{% CONTENT_TYPE: \(name) }}"

    /// Registered once per process, before the first template is parsed.
    static let registered: Void = MustacheContentTypes.register(HTMLEscaping(), named: name)

    static func register(_ text: String, named name: String, into library: inout MustacheLibrary) throws {
        _ = registered
        try library.register(pragma + text, named: name)
    }

    func escapeText(_ text: String) -> String {
        var text = text
        return text.withUTF8 { bytes in
            guard bytes.contains(where: Self.escaped) else { return nil }
            var out: [UInt8] = []
            out.reserveCapacity(bytes.count + 16)
            for b in bytes {
                switch b {
                case UInt8(ascii: "<"): out += "&lt;".utf8
                case UInt8(ascii: ">"): out += "&gt;".utf8
                case UInt8(ascii: "&"): out += "&amp;".utf8
                case UInt8(ascii: "\""): out += "&quot;".utf8
                case UInt8(ascii: "'"): out += "&#39;".utf8
                default: out.append(b)
                }
            }
            return String(decoding: out, as: UTF8.self)
        } ?? text
    }

    static func escaped(_ b: UInt8) -> Bool {
        b == UInt8(ascii: "<") || b == UInt8(ascii: ">") || b == UInt8(ascii: "&") || b == UInt8(ascii: "\"") || b == UInt8(ascii: "'")
    }
}
