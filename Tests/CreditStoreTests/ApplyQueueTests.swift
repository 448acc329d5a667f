import CreditDomain
import Foundation
import GRDB
import SyncCore
import TestSupport
import Testing

@testable import CreditStore

/// A parent accepts a child's change set (chained, forwarded, acknowledged) before it applies it:
/// the apply queue in between must lose nothing and apply everything once, in order.
@Suite("Accepted change sets queued, then applied")
struct ApplyQueueTests {
    static let village = "420102002201"

    /// A set of `count` puts from `first`, whose bytes name it (read back by `header`).
    static func set(first: Int64, count: Int) -> TestSet {
        let changes = (0..<count).map { i in
            BatchApplyTests.put(village, first + Int64(i), key: "penalty|k\(first + Int64(i))", hlc: 10, body: "{\"CF_NR\":\"\(first + Int64(i))\"}")
        }
        var s = BatchApplyTests.set(changes)
        s.received.encoded = Array("\(village) \(first) \(s.received.lastSeq)".utf8)
        return s
    }

    static func header(_ encoded: [UInt8]) -> ReceivedSet {
        let parts = String(decoding: encoded, as: UTF8.self).split(separator: " ")
        let first = Int64(parts[1])!, last = Int64(parts[2])!
        return ReceivedSet(
            origin: String(parts[0]), firstSeq: first, lastSeq: last, hash: BatchApplyTests.hash(village, last),
            previousHash: BatchApplyTests.hash(village, first - 1),
            encoded: encoded)
    }

    func accept(_ sets: [TestSet], _ store: NodeStore) throws -> [Acceptance] {
        try store.accept(sets.map(\.received), forward: true, header: Self.header)
    }

    func applyAll(_ store: NodeStore, from sets: [TestSet]) throws -> Int {
        try store.applyAllQueued(slice: ApplyPolicy.sliceWithParent) { entry, _ in
            let s = try #require(sets.first { $0.received.key == entry.key })
            return (s.changes, s.dates)
        }
    }

    @Test func acceptedSetsAreForwardedBeforeTheyAreAppliedAndAppliedOnceAfterAReopen() throws {
        let dir = try TemporaryDirectory()
        let sets = [Self.set(first: 1, count: 100), Self.set(first: 101, count: 50)]
        do {
            let store = try NodeStore(path: dir.path("t.sqlite"), node: try DivisionCode("420102002000"))
            #expect(try accept(sets, store) == [.accepted, .accepted])
            // Nothing applied yet, everything held: chained, queued upward and to apply.
            #expect(try store.counts().changes == 0 && store.counts().records == 0)
            #expect(try store.queued() == ApplyQueueCounts(sets: 2, changes: 150))
            #expect(try store.position(of: Self.village)?.lastSeq == 150)
            #expect(try store.pendingOutbox().map(\.lastSeq) == [100, 150])
            // A push takes them in bundles of a bounded number of changes, and at least one set.
            #expect(try store.pendingOutbox(changesMax: 150).map(\.lastSeq) == [100, 150])
            #expect(try store.pendingOutbox(changesMax: 149).map(\.lastSeq) == [100])
            #expect(try store.pendingOutbox(changesMax: 10).map(\.lastSeq) == [100])
            let status = try #require(try store.originStatus(windowSeconds: 72 * 3600).first)
            #expect(status.origin == Self.village && status.highestSeqHeld == 150 && status.unacknowledged == 150)
            // The same bundle again is a duplicate, queued nowhere.
            #expect(try accept(sets, store) == [.duplicate, .duplicate])
            #expect(try store.queued().sets == 2)
        }
        // As after a crash: a new handle finds the queue and applies it once.
        let reopened = try NodeStore(path: dir.path("t.sqlite"), node: try DivisionCode("420102002000"))
        #expect(try applyAll(reopened, from: sets) == 2)
        #expect(try reopened.counts().changes == 150 && reopened.counts().records == 150)
        #expect(try reopened.queued() == ApplyQueueCounts(sets: 0, changes: 0))
        #expect(try applyAll(reopened, from: sets) == 0)
        #expect(try reopened.counts().changes == 150)
    }

    @Test func aQueuedSetIsAppliedSliceBySliceOnceAcrossHandles() throws {
        let dir = try TemporaryDirectory()
        let a = try NodeStore(path: dir.path("t.sqlite"), node: try DivisionCode("420102002000"))
        let b = try NodeStore(path: dir.path("t.sqlite"), node: try DivisionCode("420102002000"))
        let set = Self.set(first: 1, count: 100)
        _ = try accept([set], a)
        let (seenByA, bytes) = try #require(try a.nextQueued())
        let seenByB = try #require(try b.nextQueued()).entry
        #expect(seenByA == seenByB && bytes == set.received.encoded && seenByA.applied == 0)
        #expect(try a.applyQueued(seenByA, changes: set.changes, dates: set.dates, slice: 60) == 60)
        // B's view is stale: it applies nothing.
        #expect(try b.applyQueued(seenByB, changes: set.changes, dates: set.dates, slice: 60) == nil)
        #expect(try a.counts().changes == 60 && a.queued() == ApplyQueueCounts(sets: 1, changes: 40))
        let rest = try #require(try b.nextQueued()).entry
        #expect(rest.applied == 60)
        #expect(try b.applyQueued(rest, changes: set.changes, dates: set.dates, slice: 60) == 100)
        #expect(try a.applyQueued(rest, changes: set.changes, dates: set.dates, slice: 60) == nil)
        #expect(try a.counts().changes == 100 && a.queued().sets == 0)
        #expect(try a.changes(origin: Self.village, limit: 200).map(\.seq) == Array(1...100))
    }

    @Test func aSetAheadOfAGapIsQueuedWhenTheGapClosesInChainOrder() throws {
        let dir = try TemporaryDirectory()
        let store = try NodeStore(path: dir.path("t.sqlite"), node: try DivisionCode("420102002000"))
        let sets = [Self.set(first: 1, count: 100), Self.set(first: 101, count: 100)]
        #expect(try accept([sets[1]], store) == [.held])
        #expect(try store.queued().sets == 0 && store.position(of: Self.village) == nil)
        #expect(try accept([sets[0]], store) == [.accepted])
        #expect(try store.queued() == ApplyQueueCounts(sets: 2, changes: 200))
        #expect(try store.nextQueued()?.entry.key.firstSeq == 1)
        // Applied in chain order: the change log's gap-free rule would refuse any other.
        #expect(try applyAll(store, from: sets) == 2)
        #expect(try store.changes(origin: Self.village, limit: 300).map(\.seq) == Array(1...200))
    }

    @Test func aBrokenChainQueuesNothing() throws {
        let dir = try TemporaryDirectory()
        let store = try NodeStore(path: dir.path("t.sqlite"), node: try DivisionCode("420102002000"))
        _ = try accept([Self.set(first: 1, count: 100)], store)
        var fork = Self.set(first: 101, count: 10)
        fork.received.previousHash = BatchApplyTests.hash("420102002299", 100)
        #expect(throws: Intake.BrokenChain.self) { _ = try accept([fork], store) }
        #expect(try store.queued().sets == 1 && store.position(of: Self.village)?.lastSeq == 100)
        #expect(try store.pendingOutbox().count == 1)
    }

    @Test func aStoreFromBeforeTheQueueKeepsItsOutboxBytes() throws {
        let dir = try TemporaryDirectory()
        let path = dir.path("old.sqlite")
        // A store as v4 left it: the set's bytes inline in its outbox row, not yet acknowledged.
        do {
            NodeStore.processSettings()  // as any store opened in this process
            let old = try DatabaseQueue(path: path)
            try Migrations.migrator.migrate(old, upTo: "v4-downward-status")
            try old.write { db in
                try db.execute(
                    sql:
                        "INSERT INTO outbox (origin, first_seq, last_seq, hash, previous_hash, encoded, created_at) VALUES (?, 1, 100, ?, X'', X'0102', 1)",
                    arguments: [Self.village, Data(BatchApplyTests.hash(Self.village, 100))])
            }
        }
        let store = try NodeStore(path: path, node: try DivisionCode("420102002000"))
        #expect(try store.pendingOutbox().map(\.encoded) == [[1, 2]])
        // The signed bytes stay immutable where they moved.
        #expect(throws: (any Error).self) { try store.pool.write { db in try db.execute(sql: "UPDATE outbox_bytes SET encoded = X'03'") } }
        #expect(try store.queued().sets == 0)
    }
}
