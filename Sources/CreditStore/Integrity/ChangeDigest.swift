import CreditDomain
import Crypto
import Foundation
import GRDB

/// The digest every change is stored with (`change_digests`, migration v11): the first 8 bytes
/// of its Merkle leaf digest, SHA-256(0x00 ‖ canonical line) — the leaf its origin signed. A
/// trigger writes it with the change, through the SQL function `creditnet_change_digest`
/// registered on every connection; records read for people are checked against it, so that a
/// byte flipped on disk is refused instead of shown. It detects damage; the signatures
/// (`verify-store`) remain what proves origin.
enum ChangeDigest {
    static let functionName = "creditnet_change_digest"

    /// The stored form: the leaf digest's first 8 bytes, big-endian, as a signed integer.
    static func of(_ change: Change) -> Int64 {
        var line: [UInt8] = [0x00]
        change.appendCanonicalLine(to: &line)
        let digest = SHA256.hash(data: line)
        return digest.withUnsafeBytes { raw in
            raw.prefix(8).reduce(Int64(0)) { ($0 << 8) | Int64($1) }
        }
    }

    /// `creditnet_change_digest(origin, seq, hlc, entered_at, op, kind, record_key, jurisdiction, body)`.
    static let function = DatabaseFunction(functionName, argumentCount: 9, pure: true) { values in
        func text(_ i: Int) -> String { String.fromDatabaseValue(values[i]) ?? "" }
        func int(_ i: Int) -> Int64 { Int64.fromDatabaseValue(values[i]) ?? 0 }
        return of(
            Change(
                origin: text(0), seq: int(1), hlc: HLCStamp(rawValue: int(2)), enteredAtMilliseconds: int(3), op: text(4), kind: text(5),
                key: text(6),
                jurisdiction: text(7), body: text(8)))
    }
}
