import CreditDomain
import Foundation
import GRDB
import TestSupport
import SyncCore
import Testing

@testable import CreditStore

@Suite("Record state converges whatever the order of arrival")
struct ConvergenceTests {
    /// Versions and status changes about three records, from two origins above the node.
    static func changes() -> [Change] {
        var out: [Change] = []
        var seq = ["420000000000": Int64(0), "420100000000": Int64(0)]
        func add(_ origin: String, hlc: Int64, op: String, key: String, body: String) {
            seq[origin]! += 1
            out.append(
                Change(
                    origin: origin, seq: seq[origin]!, hlc: HLCStamp(rawValue: hlc), enteredAtMilliseconds: 1_760_000_000_000, op: op,
                    kind: "penalty", key: key,
                    jurisdiction: "420102002201", body: body))
        }
        func status(_ action: StatusAction, _ outcome: String? = nil) -> String {
            StatusChange(action: action, date: CivilDate(year: 2026, month: 11, day: 1)!, reason: "r", unit: "u", outcome: outcome).canonicalBody
        }
        for k in ["a", "b", "c"] {
            add("420000000000", hlc: 10, op: "put", key: "penalty|\(k)", body: "{\"CF_NR\":\"v1\"}")
            add("420100000000", hlc: 20, op: "put", key: "penalty|\(k)", body: "{\"CF_NR\":\"v2 city\"}")
            // Same clock, two origins: the greater origin code wins the tie (the city's here).
            add("420000000000", hlc: 20, op: "put", key: "penalty|\(k)", body: "{\"CF_NR\":\"v2 province\"}")
        }
        add("420100000000", hlc: 30, op: "status", key: "penalty|a", body: status(.objectionOpened))
        add("420000000000", hlc: 31, op: "status", key: "penalty|a", body: status(.objectionClosed, "kept"))
        add("420100000000", hlc: 32, op: "status", key: "penalty|b", body: status(.objectionOpened))
        add("420000000000", hlc: 33, op: "status", key: "penalty|c", body: status(.repaired))
        add("420100000000", hlc: 34, op: "status", key: "penalty|c", body: status(.objectionOpened))
        return out
    }

    static func snapshot(_ store: NodeStore) throws -> [String] {
        try store.records(subject: "S").map { "\($0.key) \($0.state) \($0.origin)/\($0.seq) \($0.fieldsJSON)" }.sorted()
    }

    @Test func shuffledAndDuplicatedDeliveriesGiveTheSameRecords() throws {
        let dir = try TemporaryDirectory()
        let all = Self.changes()
        var seed: UInt64 = 5
        func next(_ n: Int) -> Int {
            seed = seed &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return Int(seed >> 33) % n
        }
        var snapshots: Set<[String]> = []
        for run in 0..<12 {
            let store = try NodeStore(path: dir.path("n\(run).sqlite"), node: try DivisionCode("420102002201"))
            var delivery = all + all.filter { _ in next(3) == 0 }
            for i in delivery.indices.reversed() { delivery.swapAt(i, next(i + 1)) }
            // Delivered in several pages, each its own transaction.
            var start = 0
            while start < delivery.count {
                let end = min(delivery.count, start + 1 + next(5))
                let page = delivery[start..<end].map {
                    DownwardChange(
                        change: $0, dates: RecordDates(subject: "S"), setOrigin: $0.origin, setFirstSeq: $0.seq, signedHeader: [1], leafIndex: 0,
                        proof: [])
                }
                _ = try store.applyDownward(parent: try DivisionCode("420102002000"), page, next: Int64(end))
                start = end
            }
            snapshots.insert(try Self.snapshot(store))
            #expect(try store.counts().changes == all.count)
        }
        #expect(snapshots.count == 1)
        let result = try #require(snapshots.first)
        #expect(
            result
                == [
                    "penalty|a active 420100000000/1 {\"CF_NR\":\"v2 city\"}",
                    "penalty|b objected 420100000000/2 {\"CF_NR\":\"v2 city\"}",
                    "penalty|c repaired 420100000000/3 {\"CF_NR\":\"v2 city\"}",
                ].sorted())
    }

    @Test func pullSelectionReadsOnlyTheChildsIndexRange() throws {
        let dir = try TemporaryDirectory()
        let store = try NodeStore(path: dir.path("n.sqlite"), node: try DivisionCode("420102002000"))
        let plan = try store.pool.read { db in
            try Row.fetchAll(
                db,
                sql: "EXPLAIN QUERY PLAN SELECT position, change_id FROM relevance WHERE area IN (?, '*') AND position > ? ORDER BY position LIMIT ?",
                arguments: ["420102002201", 0, 10]
            )
            .map { $0["detail"] as String }
        }
        #expect(plan.contains { $0.contains("SEARCH relevance USING PRIMARY KEY (area=? AND position>?)") })
    }

    /// `/ops/network` reads only the health rows written since it last looked, and a push only the
    /// records not yet acknowledged: each from its index, never the whole table (27,000 rows at
    /// the province).
    @Test func healthReadsUseTheirIndexes() throws {
        let dir = try TemporaryDirectory()
        let store = try NodeStore(path: dir.path("n.sqlite"), node: try DivisionCode("420000000000"))
        func plan(_ sql: String, _ arguments: StatementArguments) throws -> [String] {
            try store.pool.read { db in try Row.fetchAll(db, sql: "EXPLAIN QUERY PLAN " + sql, arguments: arguments).map { $0["detail"] as String } }
        }
        #expect(try plan(NodeStore.knownNodesSQL, [0]).contains { $0.contains("SEARCH node_health USING INDEX node_health_written (written>?)") })
        #expect(try plan(NodeStore.healthToForwardSQL, ["420000000000", 10]).contains { $0.contains("USING INDEX node_health_unsent") })
        #expect(try !plan(NodeStore.knownNodesSQL, [0]).contains { $0.hasPrefix("SCAN node_health") })
        // The operators' counts: the tallies, and the corrected records found from the objections.
        #expect(try plan(NodeStore.dayTallySQL, [20_000]).contains { $0.contains("SEARCH tally_day USING INTEGER PRIMARY KEY (rowid>?)") })
        let corrected = try plan(NodeStore.correctedByAreaSQL, [])
        #expect(
            corrected.contains { $0.contains("changes_status") } && !corrected.contains { $0.hasPrefix("SCAN r") || $0.hasPrefix("SCAN records") },
            "\(corrected)")
        #expect(try plan(NodeStore.areaTallySQL, []).allSatisfy { !$0.contains("records") })
        // The office's open objections: the records under objection only (partial index, v29),
        // each one's status changes by theirs.
        let objections = try plan(NodeStore.openObjectionsSQL, [10])
        #expect(
            objections.contains { $0.contains("USING INDEX records_objected") } && objections.contains { $0.contains("USING INDEX changes_status") }
                && !objections.contains { $0 == "SCAN r" }, "\(objections)")
        // The public counts less the records that moved away: those records only, by their key.
        let moved = try plan(NodeStore.movedAwaySQL(kinds: 2), ["penalty", "license", "2026-11-20", "42", "42:"])
        #expect(
            moved.contains { $0.contains("SEARCH r USING INDEX sqlite_autoindex_records_1 (record_key=?)") }
                && !moved.contains { $0 == "SCAN r" || $0.hasPrefix("SCAN r USING") }, "\(moved)")
    }
}

@Suite("The top node keeps received change sets for proofs downward")
struct TopNodeSetsTests {
    static func set(_ first: Int64, count: Int, previous: [UInt8]) -> TestSet {
        let changes = (0..<count).map { i in
            Change(
                origin: "420102002201", seq: first + Int64(i), hlc: HLCStamp(rawValue: 1000 + first + Int64(i)),
                enteredAtMilliseconds: 1_760_000_000_000, op: "put",
                kind: "penalty", key: "penalty|k\(first + Int64(i))", jurisdiction: "420102002201", body: "{}")
        }
        return TestSet(
            received: ReceivedSet(
                origin: "420102002201", firstSeq: first, lastSeq: first + Int64(count) - 1, hash: Array(repeating: UInt8(first), count: 32),
                previousHash: previous, encoded: [1]),
            changes: changes, dates: Array(repeating: RecordDates(), count: count))
    }

    @Test func setsThatContinueAreKeptAndAStoreWithoutThemStillApplies() throws {
        let dir = try TemporaryDirectory()
        let store = try NodeStore(path: dir.path("p.sqlite"), node: try DivisionCode("420000000000"))
        let first = Self.set(1, count: 5, previous: [])
        try store.acceptAndApply([first], forward: false)
        let kept = try store.pool.read { db in
            try Row.fetchAll(db, sql: "SELECT first_seq, acknowledged_at IS NOT NULL FROM outbox").map { [$0[0] as Int64, $0[1] as Int64] }
        }
        #expect(kept == [[1, 1]])
        #expect(try store.pendingOutbox().isEmpty)
        // A store from before v4 kept no sets: the next set is applied all the same, and not kept.
        try store.pool.write { db in try db.execute(sql: "DELETE FROM outbox_bytes; DELETE FROM outbox") }
        let second = Self.set(6, count: 5, previous: first.received.hash)
        try store.acceptAndApply([second], forward: false)
        #expect(try store.counts().changes == 10)
        #expect(try store.pool.read { db in try Int.fetchOne(db, sql: "SELECT count(*) FROM outbox") } == 0)
    }
}
