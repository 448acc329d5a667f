#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The encodings departments export from spreadsheets.
public enum TextEncoding: String, Sendable, Hashable, CaseIterable, Codable {
    case utf8 = "utf-8"
    case gb18030 = "gb18030"
}

/// Turns a file's bytes into UTF-8: UTF-8 (a BOM is dropped) or GB18030 through the C library's
/// iconv. `auto` takes UTF-8 when the bytes are valid UTF-8, else GB18030.
public enum TextDecoding {
    /// Returns the UTF-8 bytes and the encoding they were read as.
    public static func decode(_ bytes: [UInt8], encoding: TextEncoding? = nil) throws(IngestError) -> (text: [UInt8], encoding: TextEncoding) {
        var body = bytes
        if body.starts(with: [0xEF, 0xBB, 0xBF]) { body.removeFirst(3) }
        if body.starts(with: [0xFF, 0xFE]) || body.starts(with: [0xFE, 0xFF]) {
            throw IngestError(.undecodable, "the file is UTF-16; save it as UTF-8 or GB18030 (in a spreadsheet: 'CSV UTF-8')")
        }
        let invalidUTF8 = encoding == .gb18030 ? nil : firstInvalidUTF8(body)
        let chosen = encoding ?? (invalidUTF8 == nil ? .utf8 : .gb18030)
        let text: [UInt8]
        switch chosen {
        case .utf8:
            if let invalidUTF8 {
                throw IngestError(.undecodable, "the file is not valid UTF-8 (first bad byte at offset \(invalidUTF8)); if it comes from a spreadsheet, try --encoding gb18030")
            }
            text = body
        case .gb18030:
            text = try gb18030ToUTF8(body)
        }
        if let nul = text.firstIndex(of: 0) {
            throw IngestError(.undecodable, "the file holds binary data (a NUL byte at offset \(nul)); export it as CSV or JSON Lines text")
        }
        return (text, chosen)
    }

    public static func isValidUTF8(_ bytes: [UInt8]) -> Bool { firstInvalidUTF8(bytes) == nil }

    /// The offset of the first byte that is not part of valid UTF-8, or nil.
    public static func firstInvalidUTF8(_ bytes: [UInt8]) -> Int? {
        bytes.withUnsafeBufferPointer { firstInvalidUTF8($0) }
    }

    /// The offset of the first byte that is not part of valid UTF-8, or nil (bytes in place).
    public static func firstInvalidUTF8(_ p: UnsafeBufferPointer<UInt8>) -> Int? {
        do {
            var i = 0
            let n = p.count
            while i < n {
                // Eight ASCII bytes at a time: most of a line or a row is keys, codes and digits.
                while i + 8 <= n, UnsafeRawPointer(p.baseAddress! + i).loadUnaligned(as: UInt64.self) & 0x8080_8080_8080_8080 == 0 { i += 8 }
                guard i < n else { break }
                let b = p[i]
                if b < 0x80 {
                    i += 1
                    continue
                }
                let len: Int
                let minScalar: UInt32
                if b & 0xE0 == 0xC0 {
                    len = 2
                    minScalar = 0x80
                } else if b & 0xF0 == 0xE0 {
                    len = 3
                    minScalar = 0x800
                } else if b & 0xF8 == 0xF0 {
                    len = 4
                    minScalar = 0x10000
                } else {
                    return i
                }
                guard i + len <= n else { return i }
                var scalar = UInt32(b) & (len == 2 ? 0x1F : len == 3 ? 0x0F : 0x07)
                for k in 1..<len {
                    let c = p[i + k]
                    guard c & 0xC0 == 0x80 else { return i }
                    scalar = scalar << 6 | UInt32(c & 0x3F)
                }
                guard scalar >= minScalar, scalar <= 0x10FFFF, !(0xD800...0xDFFF).contains(scalar) else { return i }
                i += len
            }
            return nil
        }
    }

    /// Converts GB18030 to UTF-8 with iconv; invalid or truncated sequences are an error.
    static func gb18030ToUTF8(_ input: [UInt8]) throws(IngestError) -> [UInt8] {
        guard let out = iconvConvert(input, from: "GB18030", to: "UTF-8") else {
            throw IngestError(.undecodable, "the file is neither UTF-8 nor GB18030; export it again as CSV UTF-8")
        }
        return out
    }

    /// UTF-8 text as GB18030 bytes, as Chinese spreadsheet software saves CSV (for samples and tests).
    public static func gb18030(_ text: String) -> [UInt8] {
        iconvConvert(Array(text.utf8), from: "UTF-8", to: "GB18030")!
    }

    /// iconv over a whole buffer; nil when the input has an invalid or truncated sequence.
    static func iconvConvert(_ input: [UInt8], from: String, to: String) -> [UInt8]? {
        if input.isEmpty { return [] }
        let cd = iconv_open(to, from)
        guard cd != iconv_t(bitPattern: -1) else { return nil }
        defer { iconv_close(cd) }
        var output = [UInt8](repeating: 0, count: input.count * 2 + 16)
        var ok = false
        var produced = 0
        var mutableInput = input
        mutableInput.withUnsafeMutableBufferPointer { inBuf in
            output.withUnsafeMutableBufferPointer { outBuf in
                var inPtr: UnsafeMutablePointer<CChar>? = UnsafeMutableRawPointer(inBuf.baseAddress!).assumingMemoryBound(to: CChar.self)
                var inLeft = inBuf.count
                var outPtr: UnsafeMutablePointer<CChar>? = UnsafeMutableRawPointer(outBuf.baseAddress!).assumingMemoryBound(to: CChar.self)
                var outLeft = outBuf.count
                let r = iconv(cd, &inPtr, &inLeft, &outPtr, &outLeft)
                ok = r != -1 && inLeft == 0
                produced = outBuf.count - outLeft
            }
        }
        guard ok else { return nil }
        output.removeSubrange(produced...)
        return output
    }
}
