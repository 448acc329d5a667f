import Testing

@testable import SyncCore

/// `Intake.take` against a ledger of dictionaries: what any store must end up holding, whatever
/// order a child's sets arrive in.
@Suite("Taking a child's change sets into a store")
struct IntakeLedgerTests {
    struct Ledger: IntakeLedger {
        var chains: [String: ChainPosition] = [:]
        var heldSets: [SetKey: ReceivedSet] = [:]
        var accepted: [SetKey] = []

        func position(of origin: String) -> ChainPosition? { chains[origin] }
        func held(origin: String, firstSeq: Int64) -> ReceivedSet? { heldSets[SetKey(origin: origin, firstSeq: firstSeq)] }
        mutating func accept(_ set: ReceivedSet) {
            chains[set.origin] = ChainPosition(origin: set.origin, lastSeq: set.lastSeq, hash: set.hash)
            accepted.append(set.key)
        }
        mutating func hold(_ set: ReceivedSet) { heldSets[set.key] = heldSets[set.key] ?? set }
        mutating func release(_ key: SetKey) { heldSets[key] = nil }
    }

    static func hash(_ seq: Int64) -> [UInt8] { seq == 0 ? [] : [UInt8(seq)] + Array(repeating: 0, count: 31) }

    /// Sets of `size` seqs from 1 up to `last`, chained.
    static func chain(_ origin: String = "420102002201", size: Int64, last: Int64) -> [ReceivedSet] {
        stride(from: 1, through: last, by: Int(size)).map { first in
            ReceivedSet(
                origin: origin, firstSeq: first, lastSeq: first + size - 1, hash: hash(first + size - 1), previousHash: hash(first - 1), encoded: [])
        }
    }

    @Test func setsInOrderAreEachAcceptedOnce() throws {
        var ledger = Ledger()
        let sets = Self.chain(size: 10, last: 30)
        #expect(try Intake.take(sets, into: &ledger) == [.accepted, .accepted, .accepted])
        #expect(try Intake.take(sets, into: &ledger) == [.duplicate, .duplicate, .duplicate])
        #expect(ledger.accepted == sets.map(\.key) && ledger.chains["420102002201"]?.lastSeq == 30)
    }

    @Test func setsAheadOfAGapAreHeldThenAcceptedInChainOrderWhenItCloses() throws {
        var ledger = Ledger()
        let sets = Self.chain(size: 10, last: 40)
        #expect(try Intake.take([sets[3], sets[1], sets[1]], into: &ledger) == [.held, .held, .held])
        #expect(ledger.accepted.isEmpty && ledger.heldSets.count == 2)
        // The first set closes the gap up to 20; 30 is still missing, so the fourth stays held.
        #expect(try Intake.take([sets[0]], into: &ledger) == [.accepted])
        #expect(ledger.accepted == [sets[0].key, sets[1].key] && ledger.heldSets.keys.map(\.firstSeq) == [31])
        #expect(try Intake.take([sets[2]], into: &ledger) == [.accepted])
        #expect(ledger.accepted == sets.map(\.key) && ledger.heldSets.isEmpty)
    }

    @Test func aHeldSetThatNoLongerChainsOnStaysHeldAndABrokenChainRefusesTheIntake() throws {
        var ledger = Ledger()
        let sets = Self.chain(size: 10, last: 20)
        var stray = sets[1]
        stray.previousHash = Self.hash(99)
        #expect(try Intake.take([stray], into: &ledger) == [.held])
        #expect(try Intake.take([sets[0]], into: &ledger) == [.accepted])
        #expect(ledger.accepted == [sets[0].key] && ledger.heldSets.count == 1)
        // Sent again now that it is next: a fork, refused whole.
        #expect(throws: Intake.BrokenChain(origin: stray.origin, firstSeq: 11, lastSeq: 20)) { try Intake.take([stray], into: &ledger) }
        #expect(try Intake.take([sets[1]], into: &ledger) == [.accepted])
    }

    @Test func theReceiptNamesWhereTheNodeStandsPerOriginAndWhatItHolds() throws {
        var ledger = Ledger()
        let a = Self.chain(size: 10, last: 20)
        let b = Self.chain("420102002202", size: 5, last: 10)
        let sets = [a[0], a[0], b[1]]
        let outcomes = try Intake.take(sets, into: &ledger)
        let receipt = Intake.receipt(for: sets, outcomes: outcomes) { ledger.position(of: $0) }
        #expect(receipt.acknowledged == [ChainPosition(origin: "420102002201", lastSeq: 10, hash: Self.hash(10))])
        #expect(receipt.held == [SetKey(origin: "420102002202", firstSeq: 6)])
        #expect(receipt.acceptedSets == 1 && receipt.acceptedChanges == 10 && receipt.duplicates == 1)
    }

    @Test func theTopKeepsASetWholeOnlyWhenItContinuesWhatItHolds() {
        #expect(Intake.topKeepsWhole(firstSeq: 1, holdsAnyOfOrigin: false, holdsSetEndingBefore: false))
        #expect(Intake.topKeepsWhole(firstSeq: 11, holdsAnyOfOrigin: true, holdsSetEndingBefore: true))
        #expect(!Intake.topKeepsWhole(firstSeq: 11, holdsAnyOfOrigin: false, holdsSetEndingBefore: false))
        #expect(!Intake.topKeepsWhole(firstSeq: 1, holdsAnyOfOrigin: true, holdsSetEndingBefore: false))
    }

    @Test func aReceiptAcknowledgesOnlyTheChildsOwnSet() {
        let p = ChainPosition(origin: "420102002201", lastSeq: 10, hash: Self.hash(10))
        #expect(Coverage.acknowledges(p, ownHashEndingThere: Self.hash(10)))
        #expect(!Coverage.acknowledges(p, ownHashEndingThere: Self.hash(9)))
        #expect(!Coverage.acknowledges(p, ownHashEndingThere: nil))
    }
}

@Suite("Applying and the downward stream")
struct ApplyRulesTests {
    @Test func slicesRunFromTheFirstUnappliedChangeToTheSetsEnd() {
        let e = QueueEntry(id: 1, key: SetKey(origin: "o", firstSeq: 1), count: 4_500, applied: 0)
        #expect(ApplyPolicy.nextSlice(of: e, slice: 2_000) == 0..<2_000)
        var later = e
        later.applied = 4_000
        #expect(ApplyPolicy.nextSlice(of: later, slice: 2_000) == 4_000..<4_500)
        #expect(ApplyPolicy(hasParent: true).slice == 2_000 && ApplyPolicy(hasParent: false).slice == 10_000)
        #expect(ApplyPolicy(hasParent: false).readAhead && !ApplyPolicy(hasParent: true).readAhead)
    }

    @Test func aPutInsertsOrReplacesByTheLastWriterAndAStatusChangeDerivesTheState() {
        #expect(RecordApply.action(op: "put", hlc: 5, origin: "a", current: nil) == .insert)
        #expect(RecordApply.action(op: "put", hlc: 6, origin: "a", current: (5, "b")) == .replace)
        #expect(RecordApply.action(op: "put", hlc: 5, origin: "b", current: (5, "a")) == .replace)
        #expect(RecordApply.action(op: "put", hlc: 5, origin: "a", current: (5, "b")) == .keep)
        #expect(RecordApply.action(op: "put", hlc: 4, origin: "z", current: (5, "a")) == .keep)
        #expect(RecordApply.action(op: "status", hlc: 1, origin: "a", current: nil) == .deriveState)
        #expect(RecordApply.action(op: "other", hlc: 1, origin: "a", current: nil) == .none)
    }

    @Test func aPageMayRepeatButNotSkipAndTheCursorNeverMovesBack() {
        #expect(DownStream.follows(pageAfter: 10, standing: 10))
        #expect(DownStream.follows(pageAfter: 5, standing: 10))
        #expect(!DownStream.follows(pageAfter: 11, standing: 10))
        #expect(DownStream.standing(after: 10, page: 20) == 20)
        #expect(DownStream.standing(after: 30, page: 20) == 30)
    }
}
