import Crypto
import SwiftASN1
import X509

/// ECDSA P-256 signatures in exactly one encoding: DER `SEQUENCE { INTEGER r, INTEGER s }` with
/// minimal integers and the low `s` (s ≤ n/2). For any valid signature (r, s), (r, n − s) is
/// valid too, and DER admits other encodings of the same integers: bytes nobody signed that a
/// receipt or hash would otherwise name. Signers normalise (`encode`); receivers refuse anything
/// else (`parse`).
public enum CanonicalSignature {
    /// The order n of P-256's base point, big-endian.
    static let order: [UInt8] = [
        0xFF, 0xFF, 0xFF, 0xFF, 0x00, 0x00, 0x00, 0x00, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF,
        0xBC, 0xE6, 0xFA, 0xAD, 0xA7, 0x17, 0x9E, 0x84, 0xF3, 0xB9, 0xCA, 0xC2, 0xFC, 0x63, 0x25, 0x51,
    ]
    /// ⌊n / 2⌋.
    static let halfOrder: [UInt8] = [
        0x7F, 0xFF, 0xFF, 0xFF, 0x80, 0x00, 0x00, 0x00, 0x7F, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF,
        0xDE, 0x73, 0x7D, 0x56, 0xD3, 0x8B, 0xCF, 0x42, 0x79, 0xDC, 0xE5, 0x61, 0x7E, 0x31, 0x92, 0xA8,
    ]

    /// The canonical DER of a signature, with `s` replaced by n − s when it is high.
    public static func encode(_ signature: P256.Signing.ECDSASignature) -> [UInt8] {
        let raw = Array(signature.rawRepresentation)
        let r = Array(raw[0..<32])
        var s = Array(raw[32..<64])
        if isGreater(s, than: halfOrder) { s = subtract(order, s) }
        return der(r: r, s: s)
    }

    /// Why `parse` refused.
    public enum Refusal: Error, Sendable, Hashable, CustomStringConvertible {
        case notDER, highS, outOfRange
        public var description: String {
            switch self {
            case .notDER: "the signature is not the minimal DER encoding of two integers"
            case .highS: "the signature's s is in the upper half of the group order (high-S): only the low-S form is accepted"
            case .outOfRange: "the signature's r or s is zero or not below the group order"
            }
        }
    }

    /// The signature in `der` if it is canonical: minimal DER, 0 < r, s < n, s ≤ n/2.
    public static func parse(_ der: [UInt8]) -> Result<P256.Signing.ECDSASignature, Refusal> {
        // SEQUENCE, short-form length (at most 2 × 35 bytes), two INTEGERs, nothing after.
        guard der.count >= 8, der[0] == 0x30, Int(der[1]) == der.count - 2, der[1] < 0x80 else { return .failure(.notDER) }
        var at = 2
        func integer() -> [UInt8]? {
            guard at + 2 <= der.count, der[at] == 0x02 else { return nil }
            let n = Int(der[at + 1])
            guard n >= 1, n <= 33, at + 2 + n <= der.count else { return nil }
            let bytes = Array(der[(at + 2)..<(at + 2 + n)])
            at += 2 + n
            // Minimal and positive: no leading 00 unless the next byte's top bit is set; no sign bit.
            if bytes[0] & 0x80 != 0 { return nil }
            if bytes.count > 1 && bytes[0] == 0 && bytes[1] & 0x80 == 0 { return nil }
            let magnitude = Array(bytes.drop { $0 == 0 })
            guard magnitude.count <= 32 else { return nil }
            return Array(repeating: 0, count: 32 - magnitude.count) + magnitude
        }
        guard let r = integer(), let s = integer(), at == der.count else { return .failure(.notDER) }
        let zero = [UInt8](repeating: 0, count: 32)
        guard r != zero, s != zero, isGreater(order, than: r), isGreater(order, than: s) else { return .failure(.outOfRange) }
        guard !isGreater(s, than: halfOrder) else { return .failure(.highS) }
        guard let signature = try? P256.Signing.ECDSASignature(rawRepresentation: r + s) else { return .failure(.notDER) }
        return .success(signature)
    }

    /// The other valid encoding of the same signature: (r, n − s). For tests of refusal.
    public static func flipped(_ der: [UInt8]) -> [UInt8]? {
        guard case .success(let sig) = parse(der) else { return nil }
        let raw = Array(sig.rawRepresentation)
        return Self.der(r: Array(raw[0..<32]), s: subtract(order, Array(raw[32..<64])))
    }

    static func der(r: [UInt8], s: [UInt8]) -> [UInt8] {
        func integer(_ v: [UInt8]) -> [UInt8] {
            var m = Array(v.drop { $0 == 0 })
            if m.isEmpty { m = [0] }
            if m[0] & 0x80 != 0 { m.insert(0, at: 0) }
            return [0x02, UInt8(m.count)] + m
        }
        let body = integer(r) + integer(s)
        return [0x30, UInt8(body.count)] + body
    }

    /// Big-endian comparison of two 32-byte numbers.
    static func isGreater(_ a: [UInt8], than b: [UInt8]) -> Bool {
        for i in 0..<32 where a[i] != b[i] { return a[i] > b[i] }
        return false
    }

    /// a − b for 32-byte big-endian numbers, a ≥ b.
    static func subtract(_ a: [UInt8], _ b: [UInt8]) -> [UInt8] {
        var out = [UInt8](repeating: 0, count: 32)
        var borrow = 0
        for i in stride(from: 31, through: 0, by: -1) {
            var d = Int(a[i]) - Int(b[i]) - borrow
            borrow = d < 0 ? 1 : 0
            if d < 0 { d += 256 }
            out[i] = UInt8(d)
        }
        return out
    }
}

extension CanonicalSignature {
    /// Whether a certificate's own signature (the issuer's) is canonical.
    public static func isCanonical(certificate: Certificate) -> Bool {
        var serializer = DER.Serializer()
        guard (try? serializer.serialize(certificate)) != nil, let root = try? DER.parse(serializer.serializedBytes),
            case .constructed(let parts) = root.content
        else { return false }
        let fields = Array(parts)
        guard fields.count == 3, let bits = try? ASN1BitString(derEncoded: fields[2]), bits.paddingBits == 0 else { return false }
        if case .success = parse(Array(bits.bytes)) { return true }
        return false
    }

    /// A certificate made by `make` (which signs with a fresh random nonce each time) until its
    /// signature is canonical: about one try in two has a high S.
    static func canonicallySigned(_ make: () throws -> Certificate) throws -> Certificate {
        for _ in 0..<64 {
            let certificate = try make()
            if isCanonical(certificate: certificate) { return certificate }
        }
        throw PKIError(.invalid, "could not issue a certificate with a low-S signature in 64 tries")
    }
}
