import CreditDomain
import Foundation
import TestSupport
import SyncCore
import Testing

@testable import CreditStore

@Suite("Received change sets applied in batches")
struct BatchApplyTests {
    static func put(_ origin: String, _ seq: Int64, key: String, hlc: Int64, body: String) -> Change {
        Change(
            origin: origin, seq: seq, hlc: HLCStamp(rawValue: hlc), enteredAtMilliseconds: 1_760_000_000_000, op: "put", kind: "penalty", key: key,
            jurisdiction: origin, body: body)
    }

    /// A stand-in for a set's hash that chains: the origin and the last seq, padded to 32 bytes.
    static func hash(_ origin: String, _ seq: Int64) -> [UInt8] {
        seq == 0 ? [] : Array("\(origin)-\(seq)".utf8) + [UInt8](repeating: 0, count: 32 - "\(origin)-\(seq)".utf8.count)
    }

    static func set(_ changes: [Change]) -> TestSet {
        let origin = changes[0].origin
        return TestSet(
            received: ReceivedSet(
                origin: origin, firstSeq: changes[0].seq, lastSeq: changes.last!.seq, hash: hash(origin, changes.last!.seq),
                previousHash: hash(origin, changes[0].seq - 1), encoded: [1]),
            changes: changes, dates: changes.map { RecordDates(subject: "S", inForce: $0.seq % 7 != 0) })
    }

    /// Three arrivals: 150 records from one village; a status change about a record not yet
    /// seen; 250 from another village, 50 of them newer versions of the first village's records
    /// and one the record the status change is about.
    static func arrivals() -> [[Change]] {
        let v1 = "420102002201"
        let v2 = "420102002202"
        let first = (0..<150).map { put(v1, Int64($0 + 1), key: "penalty|k\($0)", hlc: 10, body: "{\"CF_NR\":\"v1 \($0)\"}") }
        let status = Change(
            origin: "420102002203", seq: 1, hlc: HLCStamp(rawValue: 15), enteredAtMilliseconds: 1_760_000_000_000, op: "status", kind: "penalty",
            key: "penalty|k300",
            jurisdiction: "420102002203",
            body: StatusChange(action: .objectionOpened, date: CivilDate(year: 2026, month: 11, day: 1)!, reason: "r", unit: "u").canonicalBody)
        let second = (100..<350).map { put(v2, Int64($0 - 99), key: "penalty|k\($0)", hlc: $0 < 125 ? 20 : 5, body: "{\"CF_NR\":\"v2 \($0)\"}") }
        return [first, [status], second]
    }

    func apply(_ sets: [TestSet], to store: NodeStore) throws {
        try store.acceptAndApply(sets, forward: false)
    }

    @Test func batchesGiveTheSameRecordsAsOneChangeAtATime() throws {
        let dir = try TemporaryDirectory()
        let township = try DivisionCode("420102002000")
        let batched = try NodeStore(path: dir.path("batched.sqlite"), node: township)
        let single = try NodeStore(path: dir.path("single.sqlite"), node: township)
        for arrival in Self.arrivals() {
            try apply([Self.set(arrival)], to: batched)
            // One change per set never fills a chunk: the change-at-a-time path.
            try apply(arrival.map { Self.set([$0]) }, to: single)
        }
        let a = try batched.records(subject: "S").map { "\($0.key) \($0.state) \($0.origin)/\($0.seq) \($0.fieldsJSON)" }.sorted()
        let b = try single.records(subject: "S").map { "\($0.key) \($0.state) \($0.origin)/\($0.seq) \($0.fieldsJSON)" }.sorted()
        #expect(a.count == 350 && a == b)
        // Newer versions won (k100…k124 at HLC 20), older ones did not (k125…k149 at HLC 5), and
        // the record the early status change was about arrived objected.
        #expect(a.contains("penalty|k110 active 420102002202/11 {\"CF_NR\":\"v2 110\"}"))
        #expect(a.contains("penalty|k130 active 420102002201/131 {\"CF_NR\":\"v1 130\"}"))
        #expect(a.contains("penalty|k300 objected 420102002202/201 {\"CF_NR\":\"v2 300\"}"))
        #expect(try batched.counts().changes == 401 && single.counts().changes == 401)
        // Each record is in force as the version that won says (every seventh out of force).
        let inForce = try batched.records(subject: "S").filter { $0.seq % 7 != 0 }.count
        let scope = PublicScope(kinds: ["penalty"], today: "2026-11-01")
        let counted = (try batched.publicCounts(scope: scope)["penalty"], try single.publicCounts(scope: scope)["penalty"])
        #expect(inForce < 350 && counted.0 == inForce && counted.1 == inForce)
    }

    @Test func onlyFullChunksOfDistinctPutsTakeTheBatchedPath() {
        let puts = (0..<100).map { Self.put("420102002201", Int64($0 + 1), key: "penalty|k\($0)", hlc: 1, body: "{}") }
        #expect(ReceivedBatch.fits(puts[...]))
        #expect(!ReceivedBatch.fits(puts[0..<99]))
        var twice = puts
        twice[99].key = twice[0].key
        #expect(!ReceivedBatch.fits(twice[...]))
        var status = puts
        status[50].op = "status"
        #expect(!ReceivedBatch.fits(status[...]))
    }
}
