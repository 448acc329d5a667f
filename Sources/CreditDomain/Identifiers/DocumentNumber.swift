/// A decision's document number (决定文书号, `WSH`) as the public types it to find the decision:
/// `京市监罚〔2024〕12号` is also typed `京市监罚(2024)12号`, `京市监罚[2024]12号`, with spaces,
/// full-width digits or lower-case letters. Two numbers are the same when their `normalised`
/// forms are: spaces gone, every kind of bracket the year is put in made 〔 〕, ASCII letters
/// upper-case. A search also tries its full-width digits as ASCII (`searched`).
///
/// A store finds the records of a number through an index on the normalised number of the kinds
/// whose records are keyed by their authority's credit code and the number (`kinds`): the number
/// is then the record key's tail, after `slug|<18 characters>|`. The index's expression is
/// `sql(of:)` of that tail, written out once in the store's migration; the store's query writes
/// the same expression, which the store's tests compare with the index SQLite holds. (SQLite's
/// parser takes about 24 nested calls; the expression has 19, which is why full-width digits are
/// not mapped in it.)
public enum DocumentNumber {
    /// The kinds whose business key is the deciding authority's credit code then the number
    /// (`ResolvedKind.decisionNumbering`), in the catalogue's order: the kinds the index covers.
    /// A kind added to the catalogue with that key needs a migration that indexes it too.
    public static let kinds = [
        "license", "penalty", "enforcement", "confirmation", "reward", "adjudication", "inspection", "blacklist", "redlist", "rating",
    ]

    /// The number of characters a number may have (the catalogue's `WSH` holds 64).
    public static let maximumLength = 64

    /// What a character becomes: nil, dropped.
    static let mapped: [(from: Character, to: Character?)] =
        [(" ", nil), ("\u{3000}", nil)]
        + ["(", "（", "[", "［", "【", "〖", "﹝"].map { ($0, "〔") }
        + [")", "）", "]", "］", "】", "〗", "﹞"].map { ($0, "〕") }

    static let table: [Character: Character?] = Dictionary(uniqueKeysWithValues: mapped.map { ($0.from, $0.to) })

    /// The number as compared: see the type's description.
    public static func normalised(_ text: String) -> String {
        var out = ""
        out.reserveCapacity(text.utf8.count)
        for c in text {
            if let to = table[c] {
                if let to { out.append(to) }
            } else if let a = c.asciiValue, a >= 0x61, a <= 0x7A {
                out.append(Character(UnicodeScalar(a - 0x20)))
            } else {
                out.append(c)
            }
        }
        return out
    }

    /// The forms a search for `text` looks for: `normalised`, and the same with full-width
    /// digits made ASCII when it has any (a number is stored with ASCII digits, typed with either).
    public static func searched(_ text: String) -> [String] {
        let n = normalised(text)
        let ascii = String(
            n.unicodeScalars.map { s in (0xFF10...0xFF19).contains(s.value) ? Character(UnicodeScalar(s.value - 0xFF10 + 0x30)!) : Character(s) })
        return ascii == n ? [n] : [ascii, n]
    }

    /// Whether a search may be a number: between 4 and `maximumLength` characters once
    /// normalised, holding a digit and something besides digits (a run of digits alone is a code
    /// or nothing), no line break.
    public static func mayBeOne(_ text: String) -> Bool {
        let n = searched(text)[0]
        return (4...maximumLength).contains(n.count) && n.contains(where: \.isASCIIDigit) && !n.allSatisfy(\.isASCIIDigit)
            && !n.contains(where: \.isNewline)
    }

    /// `normalised` in SQL, applied to the expression `value`: `replace` for each character
    /// mapped — only when `value` holds one of them (`GLOB`: most numbers hold none, and the
    /// replacements were two thirds of the time an index of 200,000 records took) — then `upper`
    /// (which SQLite applies to ASCII letters alone).
    public static func sql(of value: String) -> String {
        let replaced = mapped.reduce(value) { inner, m in "replace(\(inner), '\(m.from)', '\(m.to.map(String.init) ?? "")')" }
        // In a GLOB class a ']' is itself only when first.
        let characters = "]" + String(mapped.map(\.from).filter { $0 != "]" })
        return "upper(CASE WHEN \(value) GLOB '*[\(characters)]*' THEN \(replaced) ELSE \(value) END)"
    }

    /// The number of a record of `kinds` in SQL, read from the columns `kind` and `record_key`
    /// of `table` (a name or an alias; "" for none).
    public static func keyTail(of table: String = "") -> String {
        let t = table.isEmpty ? "" : table + "."
        return "substr(\(t)record_key, length(\(t)kind) + 21)"
    }
}

extension Character {
    fileprivate var isASCIIDigit: Bool { asciiValue.map { $0 >= 0x30 && $0 <= 0x39 } ?? false }
}
