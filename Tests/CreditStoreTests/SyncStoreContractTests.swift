import CreditDomain
import Foundation
import GRDB
import SampleData
import SyncCore
import TestSupport
import Testing

@testable import CreditStore

/// The operations of `SyncStore` through the protocol only, against every way a node's store is
/// opened: a file (WAL, a pool of connections: `serve`, `import`) and the simulator's in-memory
/// database (one connection, reads in line). A store behind the protocol must pass them all; a
/// seeded property test drives each store and a model of the core's decisions with the same random
/// operations and compares every observable result.
@Suite("SyncStore: one contract for every store")
struct SyncStoreContractTests {
    enum Backing: String, CaseIterable, Sendable, CustomTestStringConvertible {
        case file, memory
        var testDescription: String { rawValue }
    }

    /// A township's store, its two villages below.
    struct Opened {
        let store: NodeStore
        let dir: TemporaryDirectory
        var sync: any SyncStore { store }
    }

    static let township = "420102002000"
    static let villages = ["420102002201", "420102002202"]

    static func open(_ backing: Backing) throws -> Opened {
        let dir = try TemporaryDirectory()
        let routes = Routes(children: try villages.map { try DivisionCode($0) }, networkWideKinds: ["blacklist"])
        let options = backing == .memory ? StoreOptions(durable: false, memory: try MemoryDatabase()) : StoreOptions(durable: false)
        return Opened(store: try NodeStore(path: dir.path("t.sqlite"), node: try DivisionCode(township), routes: routes, options: options), dir: dir)
    }

    /// An origin's chain of sets of the given sizes; each set's bytes name it (`header` reads them
    /// back), each change a put of its own record in `jurisdiction` (the origin's own area unless given).
    static func chain(_ origin: String, sizes: [Int], jurisdiction: String? = nil) -> [TestSet] {
        var out: [TestSet] = []
        var first: Int64 = 1
        for size in sizes {
            let last = first + Int64(size) - 1
            let changes = (first...last).map { seq in
                Change(
                    origin: origin, seq: seq, hlc: HLCStamp(rawValue: 100 + seq), enteredAtMilliseconds: 1_760_000_000_000, op: "put",
                    kind: "penalty",
                    key: "penalty|\(origin)|\(seq)", jurisdiction: jurisdiction ?? origin, body: "{\"CF_NR\":\"\(origin) \(seq)\"}")
            }
            out.append(
                TestSet(
                    received: ReceivedSet(
                        origin: origin, firstSeq: first, lastSeq: last, hash: BatchApplyTests.hash(origin, last),
                        previousHash: BatchApplyTests.hash(origin, first - 1), encoded: Array("\(origin) \(first) \(last)".utf8)),
                    changes: changes, dates: changes.map { _ in RecordDates(subject: "S") }))
            first = last + 1
        }
        return out
    }

    static func header(_ encoded: [UInt8]) throws -> ReceivedSet {
        let parts = String(decoding: encoded, as: UTF8.self).split(separator: " ")
        let origin = String(parts[0])
        let first = Int64(parts[1])!, last = Int64(parts[2])!
        return ReceivedSet(
            origin: origin, firstSeq: first, lastSeq: last, hash: BatchApplyTests.hash(origin, last),
            previousHash: BatchApplyTests.hash(origin, first - 1),
            encoded: encoded)
    }

    static func accept(_ sets: [TestSet], into sync: any SyncStore) throws -> [Acceptance] {
        try sync.accept(sets.map(\.received), forward: true, now: Date(), header: header)
    }

    /// Applies every queued set, `slice` changes per transaction.
    static func applyAll(_ sync: any SyncStore, sets: [TestSet], slice: Int) throws -> Int {
        try sync.applyAllQueued(slice: slice) { entry, _ in
            let set = try #require(sets.first { $0.received.key == entry.key })
            return (set.changes, set.dates)
        }
    }

    @Test(arguments: Backing.allCases) func eachSetIsAcceptedOnceWhateverOrderItArrivesIn(_ backing: Backing) throws {
        let s = try Self.open(backing).sync
        let sets = Self.chain(Self.villages[0], sizes: [3, 4, 5])
        #expect(try Self.accept([sets[2]], into: s) == [.held])
        #expect(try s.position(of: Self.villages[0]) == nil && s.queued() == ApplyQueueCounts(sets: 0, changes: 0))
        #expect(try Self.accept([sets[0], sets[0]], into: s) == [.accepted, .duplicate])
        // The second set closes the gap: the held third follows it in the same transaction.
        #expect(try Self.accept([sets[1]], into: s) == [.accepted])
        #expect(
            try s.position(of: Self.villages[0])
                == ChainPosition(origin: Self.villages[0], lastSeq: 12, hash: BatchApplyTests.hash(Self.villages[0], 12)))
        #expect(try s.queued() == ApplyQueueCounts(sets: 3, changes: 12))
        #expect(try s.pendingOutbox(changesMax: .max, bytesMax: .max).map(\.lastSeq) == [3, 7, 12])
        #expect(try Self.accept(sets, into: s) == [.duplicate, .duplicate, .duplicate])
        #expect(try s.chains(inside: try DivisionCode(Self.township)).map(\.origin) == [Self.villages[0]])
    }

    @Test(arguments: Backing.allCases) func aBrokenChainWritesNothing(_ backing: Backing) throws {
        let s = try Self.open(backing).sync
        let sets = Self.chain(Self.villages[0], sizes: [3, 4, 2])
        _ = try Self.accept([sets[0]], into: s)
        var fork = sets[2]
        fork.received.previousHash = BatchApplyTests.hash("420102002299", 7)
        #expect(throws: Intake.BrokenChain.self) { try Self.accept([sets[1], fork], into: s) }
        // The set before the fork in the same call is rolled back with it.
        #expect(try s.position(of: Self.villages[0])?.lastSeq == 3 && s.queued().sets == 1)
    }

    @Test(arguments: Backing.allCases) func queuedSetsAreAppliedOnceInChainOrderSliceBySlice(_ backing: Backing) throws {
        let opened = try Self.open(backing)
        let s = opened.sync
        let sets = Self.chain(Self.villages[0], sizes: [5, 9, 2]) + Self.chain(Self.villages[1], sizes: [4])
        _ = try Self.accept(sets, into: s)
        let (first, bytes) = try #require(try s.nextQueued(after: 0))
        #expect(first.key == sets[0].received.key && first.count == 5 && bytes == sets[0].received.encoded)
        #expect(try s.applyQueued(first, changes: sets[0].changes, dates: sets[0].dates, slice: 2) == 2)
        // A view of the queue that is no longer true applies nothing.
        #expect(try s.applyQueued(first, changes: sets[0].changes, dates: sets[0].dates, slice: 2) == nil)
        #expect(try Self.applyAll(s, sets: sets, slice: 3) == 4)
        #expect(try s.queued() == ApplyQueueCounts(sets: 0, changes: 0))
        #expect(try opened.store.changes(origin: Self.villages[0], limit: 100).map(\.seq) == Array(1...16))
        #expect(try opened.store.counts().records == 20)
    }

    /// The operators' tallies (migration v16) follow every received change, on every store; a
    /// tally changed behind the triggers is named; the migration's backfill gives the same figures.
    @Test(arguments: Backing.allCases) func theTalliesFollowTheRecordsAndTheirBackfillAgrees(_ backing: Backing) throws {
        let opened = try Self.open(backing)
        let sets = Self.chain(Self.villages[0], sizes: [5, 9]) + Self.chain(Self.villages[1], sizes: [4])
        _ = try Self.accept(sets, into: opened.sync)
        _ = try Self.applyAll(opened.sync, sets: sets, slice: 4)
        #expect(try opened.store.tallyDiscrepancies().isEmpty)
        #expect(try opened.store.recordsByKindAndJurisdiction().reduce(0) { $0 + $1.records } == 18)
        try opened.store.pool.write { db in
            try db.execute(sql: "DELETE FROM tally_area; DELETE FROM tally_authority; DELETE FROM tally_day; DELETE FROM tally_public")
            try db.execute(sql: Migrations.tallyBackfillSQL + Migrations.publicTallyBackfillSQL)
        }
        #expect(try opened.store.tallyDiscrepancies().isEmpty)
        try opened.store.pool.write { db in
            try db.execute(sql: "UPDATE tally_area SET records = records + 1 WHERE jurisdiction = ?", arguments: [Self.villages[1]])
        }
        let found = try opened.store.tallyDiscrepancies()
        #expect(found == ["area penalty \(Self.villages[1]): kept 5/0, counted 4/0"], "\(found)")
    }

    @Test(arguments: Backing.allCases) func aReceiptAcknowledgesOnlyTheSetsItNames(_ backing: Backing) throws {
        let opened = try Self.open(backing)
        let s = opened.sync
        let origin = Self.villages[0]
        _ = try Self.accept(Self.chain(origin, sizes: [3, 4]), into: s)
        #expect(try s.upwardBacklog().pending == 7)
        // Another set's hash at seq 7: not ours, nothing acknowledged.
        #expect(
            try s.acknowledge(
                parent: "420102000000", issuedAt: 1, receipt: [1], bundle: [1],
                covered: [ChainPosition(origin: origin, lastSeq: 7, hash: BatchApplyTests.hash("x", 7))], now: Date()) == 0)
        #expect(
            try s.acknowledge(
                parent: "420102000000", issuedAt: 2, receipt: [2], bundle: [2],
                covered: [ChainPosition(origin: origin, lastSeq: 3, hash: BatchApplyTests.hash(origin, 3))], now: Date()) == 1)
        #expect(try s.upwardBacklog().pending == 4 && s.pendingOutbox(changesMax: .max, bytesMax: .max).map(\.firstSeq) == [4])
        // Both receipts named change sets: both kept as proofs of delivery.
        #expect(try opened.store.pool.read { db in try Int.fetchOne(db, sql: "SELECT count(*) FROM receipts") } == 2)
    }

    /// Sets a parent returns to a node rebuilding its store are taken back as acknowledged, in
    /// order; one that would leave a gap refuses the whole call, nothing written.
    @Test(arguments: Backing.allCases) func setsTakenBackFollowWhatTheStoreHolds(_ backing: Backing) throws {
        let opened = try Self.open(backing)
        let s = opened.sync
        let sets = Self.chain(Self.villages[0], sizes: [2, 3, 4])
        #expect(throws: StoreError.self) { _ = try s.takeBack([sets[1].received], now: Date(), header: Self.header) }
        #expect(try s.queued().sets == 0 && s.position(of: Self.villages[0]) == nil)
        #expect(try s.takeBack(sets.prefix(2).map(\.received), now: Date(), header: Self.header) == [.accepted, .accepted])
        #expect(try s.position(of: Self.villages[0])?.lastSeq == 5)
        // Kept as acknowledged: nothing of it waits to go up.
        #expect(try s.pendingOutbox(changesMax: .max, bytesMax: .max).isEmpty && s.queued().sets == 2)
    }

    /// A parent that rebuilt its store stands below what it acknowledged: the sets past where it
    /// stands are pending again — judged only from a receipt newer than every one kept.
    @Test(arguments: Backing.allCases) func aParentStandingBelowWhatItAcknowledgedIsSentTheSetsAgain(_ backing: Backing) throws {
        let opened = try Self.open(backing)
        let s = opened.sync
        let origin = Self.villages[0]
        let parent = "420102000000"
        _ = try Self.accept(Self.chain(origin, sizes: [3, 4]), into: s)
        func at(_ seq: Int64) -> ChainPosition { ChainPosition(origin: origin, lastSeq: seq, hash: BatchApplyTests.hash(origin, seq)) }
        func pending() throws -> [Int64] { try s.pendingOutbox(changesMax: .max, bytesMax: .max).map(\.firstSeq) }
        #expect(try s.acknowledge(parent: parent, issuedAt: 10, receipt: [1], bundle: [1], covered: [at(7)], now: Date()) == 2)
        #expect(try pending().isEmpty)
        // An older receipt standing at 3 (a file imported late) says nothing of where the parent stands now.
        _ = try s.acknowledge(parent: parent, issuedAt: 5, receipt: [2], bundle: [2], covered: [at(3)], held: [], now: Date())
        #expect(try pending().isEmpty)
        // A newer one: the parent lost 4…7.
        _ = try s.acknowledge(parent: parent, issuedAt: 20, receipt: [3], bundle: [3], covered: [at(3)], held: [], now: Date())
        #expect(try pending() == [4])
        // A set held behind a gap of an origin the parent names no position of: it stands at 0.
        _ = try s.acknowledge(
            parent: parent, issuedAt: 30, receipt: [4], bundle: [4], covered: [], held: [SetKey(origin: origin, firstSeq: 8)], now: Date())
        #expect(try pending() == [1, 4])
    }

    /// After a heartbeat the parent gives its whole account of the node's subtree: what it
    /// acknowledged past where it stands is pending again, and an origin it names nothing of
    /// stands at 0; an origin where it stands at or past the node's sets changes nothing.
    @Test(arguments: Backing.allCases) func theParentsWholeAccountReopensWhatItNoLongerHolds(_ backing: Backing) throws {
        let opened = try Self.open(backing)
        let s = opened.sync
        let (first, second) = (Self.villages[0], Self.villages[1])
        let parent = "420102000000"
        _ = try Self.accept(Self.chain(first, sizes: [3, 4]) + Self.chain(second, sizes: [2]), into: s)
        func at(_ origin: String, _ seq: Int64) -> ChainPosition {
            ChainPosition(origin: origin, lastSeq: seq, hash: BatchApplyTests.hash(origin, seq))
        }
        func pending() throws -> [String] { try s.pendingOutbox(changesMax: .max, bytesMax: .max).map { "\($0.origin) \($0.firstSeq)" } }
        _ = try s.acknowledge(parent: parent, issuedAt: 10, receipt: [1], bundle: [1], covered: [at(first, 7), at(second, 2)], now: Date())
        #expect(try pending().isEmpty)
        #expect(try s.reopen(parentStands: [at(first, 7), at(second, 2)], parent: parent) == 0)
        #expect(try pending().isEmpty)
        #expect(try s.reopen(parentStands: [at(first, 3)], parent: parent) == 2)
        #expect(try pending() == ["\(first) 4", "\(second) 1"])
    }

    @Test(arguments: Backing.allCases) func healthIsKeptLatestPerNodeAndGoesUpUntilAReceiptCoversIt(_ backing: Backing) throws {
        let opened = try Self.open(backing)
        let s = opened.sync
        func health(_ code: String, at: Int64, children: [String] = []) -> HealthEntry {
            HealthEntry(
                health: NodeHealth(
                    code: code, name: "", parent: "420102002000", children: children, issuedAt: at, windowSeconds: 3600, backlog: 0,
                    oldestPendingAt: 0, records: at, quarantined: 0, software: "t", catalogue: "t"),
                encoded: Array("record \(code) \(at)".utf8))
        }
        let own = "420102002000"
        let (v1, v2) = (Self.villages[0], Self.villages[1])
        #expect(try s.keepHealth([health(own, at: 10, children: [v1, v2]), health(v1, at: 20)], now: Date()) == 2)
        // An older record never replaces a newer one; a later one does.
        #expect(try s.keepHealth([health(v1, at: 15)], now: Date()) == 0)
        #expect(try s.keepHealth([health(v1, at: 25)], now: Date()) == 1)
        // Own first; a child only named (v2) is known but has nothing to forward.
        #expect(try s.healthToForward(first: own, limit: 10).map(\.code) == [own, v1])
        #expect(try s.healthToForward(first: own, limit: 10).last?.encoded == Array("record \(v1) 25".utf8))
        try s.healthSent(in: [7], [(own, 10), (v1, 25)])
        // A receipt for another bundle acknowledges nothing of it.
        _ = try s.acknowledge(parent: "420102000000", issuedAt: 1, receipt: [1], bundle: [8], covered: [], now: Date())
        #expect(try s.healthToForward(first: own, limit: 10).count == 2)
        // v1 spoke again while the bundle travelled: its new record still goes up after the receipt.
        #expect(try s.keepHealth([health(v1, at: 30)], now: Date()) == 1)
        _ = try s.acknowledge(parent: "420102000000", issuedAt: 2, receipt: [2], bundle: [7], covered: [], now: Date())
        #expect(try s.healthToForward(first: own, limit: 10).map(\.issuedAt) == [30])
        // Receipts of heartbeats (no change sets covered) are not kept as proofs of delivery.
        #expect(try opened.store.pool.read { db in try Int.fetchOne(db, sql: "SELECT count(*) FROM receipts") } == 0)
        // What the operators' pages read back is every field the record said, text escaped as JSON.
        let said = NodeHealth(
            code: v2, name: "江岸区\"某\"村", parent: own, children: [], issuedAt: 40, windowSeconds: 259_200, backlog: 3, oldestPendingAt: 35,
            records: 12, quarantined: 1, software: "0.19.0 \\ test", catalogue: "2026-03/省级")
        #expect(try s.keepHealth([HealthEntry(health: said, encoded: [9])], now: Date()) == 1)
        #expect(try opened.store.knownNodes().nodes.first { $0.code == v2 }?.health == said)
    }

    @Test(arguments: Backing.allCases) func downwardChangesAreAppliedOnceAndTheCursorNeverGoesBack(_ backing: Backing) throws {
        let opened = try Self.open(backing)
        let s = opened.sync
        let parent = try DivisionCode("420102000000")
        let changes = Self.chain("420102001201", sizes: [6])[0].changes
        func page(_ range: Range<Int>) -> [DownwardChange] {
            changes[range].map {
                DownwardChange(
                    change: $0, dates: RecordDates(subject: "S"), setOrigin: $0.origin, setFirstSeq: 1, signedHeader: [1], leafIndex: Int($0.seq - 1),
                    proof: [])
            }
        }
        #expect(try s.applyDownward(parent: parent, page(0..<4), next: 40, now: Date()) == (4, 0))
        #expect(try s.applyDownward(parent: parent, page(2..<6), next: 60, now: Date()) == (2, 2))
        // A page served again from an older cursor repeats what is held: nothing new, the cursor stays.
        #expect(try s.applyDownward(parent: parent, page(0..<2), next: 20, now: Date()) == (0, 2))
        #expect(try s.downCursor(parent: parent) == 60)
        #expect(try opened.store.counts().changes == 6)
    }

    @Test(arguments: Backing.allCases) func aChildsPageHoldsWhatConcernsItAndNothingFromItsOwnSubtree(_ backing: Backing) throws {
        let opened = try Self.open(backing)
        let s = opened.sync
        // Records about the first village's area, entered by the second village.
        let about = Self.chain(Self.villages[1], sizes: [3], jurisdiction: Self.villages[0])
        _ = try Self.accept(about, into: s)
        _ = try Self.applyAll(s, sets: about, slice: 100)
        let forFirst = try s.downwardPage(child: try DivisionCode(Self.villages[0]), after: 0, limit: 10)
        #expect(forFirst.items.map(\.change.seq) == [1, 2, 3] && !forFirst.more)
        #expect(try s.downwardPage(child: try DivisionCode(Self.villages[0]), after: forFirst.next, limit: 10).items.isEmpty)
        #expect(try s.downwardPage(child: try DivisionCode(Self.villages[1]), after: 0, limit: 10).items.isEmpty)
    }

    /// A position of the down stream is taken once, in order (migration v27): a row at or before
    /// the last position is refused by the schema, whatever code writes it.
    @Test(arguments: Backing.allCases) func positionsOfTheDownStreamOnlyIncrease(_ backing: Backing) throws {
        let opened = try Self.open(backing)
        let about = Self.chain(Self.villages[1], sizes: [2], jurisdiction: Self.villages[0])
        _ = try Self.accept(about, into: opened.sync)
        _ = try Self.applyAll(opened.sync, sets: about, slice: 100)
        let last = try opened.store.lastRelevantChange(child: try DivisionCode(Self.villages[0]))
        #expect(last == 2)
        try opened.store.pool.write { db in
            #expect(throws: DatabaseError.self) {
                try db.execute(sql: "INSERT INTO relevance (area, position, change_id) VALUES (?, ?, 1)", arguments: [Self.villages[0], last])
            }
            try db.execute(sql: "INSERT INTO relevance (area, position, change_id) VALUES (?, ?, 1)", arguments: [Self.villages[0], last + 1])
        }
        // Given again, the first change lies after the child's cursor.
        let page = try opened.sync.downwardPage(child: try DivisionCode(Self.villages[0]), after: last, limit: 10)
        #expect(page.items.map(\.change.seq) == [1] && page.next == last + 1)
    }

    /// The core's decisions over dictionaries: what any store must answer.
    struct Model: IntakeLedger {
        var chains: [String: ChainPosition] = [:]
        var heldSets: [SetKey: ReceivedSet] = [:]
        var queue: [(key: SetKey, count: Int, applied: Int)] = []

        func position(of origin: String) -> ChainPosition? { chains[origin] }
        func held(origin: String, firstSeq: Int64) -> ReceivedSet? { heldSets[SetKey(origin: origin, firstSeq: firstSeq)] }
        mutating func accept(_ set: ReceivedSet) {
            chains[set.origin] = ChainPosition(origin: set.origin, lastSeq: set.lastSeq, hash: set.hash)
            queue.append((set.key, set.count, 0))
        }
        mutating func hold(_ set: ReceivedSet) { heldSets[set.key] = heldSets[set.key] ?? set }
        mutating func release(_ key: SetKey) { heldSets[key] = nil }

        var queued: ApplyQueueCounts { ApplyQueueCounts(sets: queue.count, changes: queue.reduce(0) { $0 + $1.count - $1.applied }) }

        /// One slice of the first queued set, as `ApplyPolicy.nextSlice` says.
        mutating func applySlice(_ slice: Int) {
            guard let first = queue.first else { return }
            let range = ApplyPolicy.nextSlice(of: QueueEntry(id: 0, key: first.key, count: first.count, applied: first.applied), slice: slice)
            if range.upperBound == first.count { queue.removeFirst() } else { queue[0].applied = range.upperBound }
        }
    }

    @Test(arguments: [1, 2, 3, 4, 5, 6, 7, 8] as [UInt64])
    func randomDeliveriesGiveTheModelsAnswersOnEveryStore(seed: UInt64) throws {
        var rng = SeededRandom(seed: seed)
        let chains = Self.villages.map { origin in Self.chain(origin, sizes: (0..<6).map { _ in rng.int(1...5) }) }
        let all = chains.flatMap { $0 }
        let stores = try Backing.allCases.map { try Self.open($0) }
        var model = Model()
        for step in 0..<60 {
            let context = "seed \(seed), step \(step)"
            switch rng.int(0...9) {
            case 0...5:
                // A bundle of one to three sets, any of them, in any order, repeats included.
                let bundle = (0..<rng.int(1...3)).map { _ in rng.pick(all) }
                var expected: Result<[Acceptance], Intake.BrokenChain>
                var next = model
                do { expected = .success(try Intake.take(bundle.map(\.received), into: &next)) } catch let e as Intake.BrokenChain {
                    expected = .failure(e)
                }
                if case .success = expected { model = next }
                for opened in stores {
                    let got = Result { try Self.accept(bundle, into: opened.sync) }
                    switch (expected, got) {
                    case (.success(let a), .success(let b)): #expect(a == b, "\(context)")
                    case (.failure, .failure(let e)): #expect(e is Intake.BrokenChain, "\(context)")
                    default: Issue.record("\(context): model \(expected), store \(got)")
                    }
                }
            case 6...8:
                let slice = rng.int(1...4)
                model.applySlice(slice)
                for opened in stores {
                    if let (entry, _) = try opened.sync.nextQueued(after: 0) {
                        let set = try #require(all.first { $0.received.key == entry.key })
                        _ = try opened.sync.applyQueued(entry, changes: set.changes, dates: set.dates, slice: slice)
                    }
                }
            default:
                // The parent acknowledges where it stands with one origin.
                let origin = rng.pick(Self.villages)
                for opened in stores {
                    if let p = try opened.sync.position(of: origin) {
                        _ = try opened.sync.acknowledge(
                            parent: "420102000000", issuedAt: Int64(step), receipt: [1], bundle: [1], covered: [p], now: Date())
                    }
                }
            }
            for opened in stores {
                #expect(try opened.sync.queued() == model.queued, "\(context)")
                for origin in Self.villages { #expect(try opened.sync.position(of: origin) == model.position(of: origin), "\(context)") }
            }
        }
        // Everything delivered in order at last: every store holds every change once, in chain order.
        for opened in stores {
            _ = try Self.accept(all, into: opened.sync)
            _ = try Self.applyAll(opened.sync, sets: all, slice: 3)
            for (origin, chain) in zip(Self.villages, chains) {
                #expect(try opened.store.changes(origin: origin, limit: 100).map(\.seq) == Array(1...chain.last!.received.lastSeq))
            }
            #expect(
                try opened.sync.upwardBacklog().pending
                    == opened.store.originStatus(windowSeconds: 72 * 3600).reduce(0) { $0 + Int($1.unacknowledged) })
        }
    }
}
