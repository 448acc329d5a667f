import CreditDomain
import Foundation
import GRDB

/// A signed change set held in the outbox.
public struct OutboxEntry: Sendable, Hashable {
    public var origin: String
    public var firstSeq: Int64
    public var lastSeq: Int64
    public var hash: [UInt8]
    public var encoded: [UInt8]
    public var acknowledged: Bool
}

/// Seals new changes into signed change sets. Given the origin's last sealed seq and hash and
/// the changes that follow it, returns the encoded change sets (seq range, hash, previous hash,
/// bytes), in order.
public typealias ChangeSetSealer = (_ lastHash: [UInt8], _ changes: [Change]) throws -> [(first: Int64, last: Int64, hash: [UInt8], previous: [UInt8], encoded: [UInt8])]

extension NodeStore {
    /// Seals every change of `origin` not yet in the outbox, in one transaction, and returns
    /// how many change sets were added.
    @discardableResult
    public func sealOutbox(origin: String, changesPerSet: Int = 10_000, now: Date = Date(), sealer: ChangeSetSealer) throws -> Int {
        try pool.write { db in
            let last = try Row.fetchOne(db, sql: "SELECT last_seq, hash FROM outbox WHERE origin = ? ORDER BY last_seq DESC LIMIT 1", arguments: [origin])
            var lastSeq: Int64 = last?["last_seq"] ?? 0
            var lastHash: [UInt8] = (last?["hash"] as Data?).map { Array($0) } ?? []
            var added = 0
            while true {
                let changes = try Row.fetchAll(
                    db, sql: "SELECT origin, seq, hlc, entered_at, op, kind, record_key, jurisdiction, body FROM changes WHERE origin = ? AND seq > ? AND downward = 0 ORDER BY seq LIMIT ?",
                    arguments: [origin, lastSeq, changesPerSet]
                ).map {
                    Change(origin: $0[0], seq: $0[1], hlc: HLCStamp(rawValue: $0[2]), enteredAtMilliseconds: $0[3], op: $0[4], kind: $0[5], key: $0[6], jurisdiction: $0[7], body: $0[8])
                }
                guard !changes.isEmpty else { break }
                for set in try sealer(lastHash, changes) {
                    try db.execute(
                        sql: "INSERT INTO outbox (origin, first_seq, last_seq, hash, previous_hash, encoded, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
                        arguments: [origin, set.first, set.last, Data(set.hash), Data(set.previous), Data(set.encoded), ChinaTime.milliseconds(now)])
                    lastSeq = set.last
                    lastHash = set.hash
                    added += 1
                }
            }
            return added
        }
    }

    /// Change sets not yet acknowledged by the parent, in order.
    public func pendingOutbox() throws -> [OutboxEntry] {
        try pool.read { db in
            try Row.fetchAll(db, sql: "SELECT origin, first_seq, last_seq, hash, encoded, acknowledged_at FROM outbox WHERE acknowledged_at IS NULL ORDER BY id").map {
                OutboxEntry(
                    origin: $0[0], firstSeq: $0[1], lastSeq: $0[2], hash: Array($0[3] as Data), encoded: Array($0[4] as Data), acknowledged: $0[5] != nil)
            }
        }
    }
}
