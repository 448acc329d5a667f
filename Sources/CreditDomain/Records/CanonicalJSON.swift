/// The canonical JSON form used for records and changes: no insignificant whitespace, object keys
/// sorted by UTF-8 bytes, non-ASCII text as raw UTF-8, and only `"`, `\` and control characters
/// escaped (`\n`, `\r`, `\t`, others as `\u00XX`). Equal content gives equal bytes on every node.
public enum CanonicalJSON {
    public static func appendString(_ s: String, to out: inout String) {
        out += "\""
        var needsEscape = false
        for b in s.utf8 where b < 0x20 || b == 0x22 || b == 0x5C {
            needsEscape = true
            break
        }
        if !needsEscape {
            out += s
        } else {
            for u in s.unicodeScalars {
                switch u {
                case "\"": out += "\\\""
                case "\\": out += "\\\\"
                case "\n": out += "\\n"
                case "\r": out += "\\r"
                case "\t": out += "\\t"
                case _ where u.value < 0x20:
                    let hex = String(u.value, radix: 16)
                    out += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
                default: out.unicodeScalars.append(u)
                }
            }
        }
        out += "\""
    }

    /// A JSON string literal for `s`.
    public static func string(_ s: String) -> String {
        var out = ""
        appendString(s, to: &out)
        return out
    }
}
