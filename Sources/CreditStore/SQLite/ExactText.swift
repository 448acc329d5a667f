import CreditDomain

/// Text that is equal to other text only when their UTF-8 bytes are, and hashed by those bytes:
/// how SQLite's BINARY collation (the store's UNIQUE record keys) compares it. Swift's `String`
/// hashes and compares by Unicode canonical equivalence, which normalises non-ASCII text — most
/// of the cost of keeping a batch's record keys in a set or dictionary.
struct ExactText: Hashable {
    let text: String

    init(_ text: String) { self.text = text }

    static func == (a: ExactText, b: ExactText) -> Bool { a.text.bytesEqual(b.text) }

    func hash(into hasher: inout Hasher) {
        var t = text
        t.withUTF8 { hasher.combine(bytes: UnsafeRawBufferPointer($0)) }
    }
}
