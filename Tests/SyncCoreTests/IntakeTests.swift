import Testing

@testable import SyncCore

@Suite("Accepting a child's change set exactly once")
struct IntakeTests {
    let h1: [UInt8] = Array(repeating: 1, count: 32)
    let h2: [UInt8] = Array(repeating: 2, count: 32)

    @Test func theFirstSetOfAnOriginAndEachThatFollowsAreAccepted() {
        #expect(Intake.decide(acceptedSeq: 0, acceptedHash: [], firstSeq: 1, lastSeq: 10, previousHash: []) == .accept)
        #expect(Intake.decide(acceptedSeq: 10, acceptedHash: h1, firstSeq: 11, lastSeq: 12, previousHash: h1) == .accept)
    }

    @Test func aSetAcceptedBeforeIsADuplicateWhereverItEnds() {
        #expect(Intake.decide(acceptedSeq: 10, acceptedHash: h1, firstSeq: 1, lastSeq: 10, previousHash: []) == .duplicate)
        #expect(Intake.decide(acceptedSeq: 10, acceptedHash: h1, firstSeq: 5, lastSeq: 7, previousHash: h2) == .duplicate)
    }

    @Test func aSetAfterAGapIsHeldNamingWhatIsMissing() {
        #expect(Intake.decide(acceptedSeq: 10, acceptedHash: h1, firstSeq: 14, lastSeq: 20, previousHash: h2) == .hold(missing: 11...13))
        #expect(Intake.decide(acceptedSeq: 0, acceptedHash: [], firstSeq: 2, lastSeq: 2, previousHash: h1) == .hold(missing: 1...1))
    }

    @Test func aSetThatDoesNotChainOnIsRefused() {
        // The right seqs, another set's hash: a fork.
        #expect(Intake.decide(acceptedSeq: 10, acceptedHash: h1, firstSeq: 11, lastSeq: 12, previousHash: h2) == .brokenChain)
        // Overlapping what was accepted and going past it: not a continuation either.
        #expect(Intake.decide(acceptedSeq: 10, acceptedHash: h1, firstSeq: 9, lastSeq: 12, previousHash: h1) == .brokenChain)
    }
}
