import CreditDomain
import Foundation
import NodePKI
import Testing

@testable import ChangeSets

@Suite("Down bundles: filtered changes with inclusion proofs")
struct DownBundleTests {
    @Test(arguments: [1, 2, 3, 5, 7, 8, 13, 16, 33])
    func aWholeTreeGivesTheSameRootAndProofsAsTheRecursiveOne(count: Int) {
        let lines = (0..<count).map { Array("line \($0)".utf8) }
        let leaves = lines.map { Merkle.leaf($0) }
        let tree = MerkleTree(digests: lines.map { line in line.withUnsafeBytes { Merkle.leafDigest($0) } })
        #expect(tree.root == Merkle.root(leaves[...]))
        for i in 0..<count {
            #expect(tree.proof(index: i) == Merkle.proof(leaves[...], index: i))
            #expect(Merkle.root(leaf: leaves[i], index: i, count: count, proof: tree.proof(index: i)) == tree.root)
        }
    }

    /// The township passes three of the village's ten changes down to the other village.
    struct Fixture {
        let net: Network
        let village2: NodeIdentity
        let set: ChangeSet
        let changes: [Change]
        init() throws {
            net = try Network()
            village2 = try net.ca.issue(code: try DivisionCode("420102002202"))
            var rng = Rng(state: 7)
            changes = net.changes(count: 10, rng: &rng)
            set = try ChangeSet.build(changes: changes, previousHash: [], identity: net.village)
        }

        func entries(_ picks: [Int]) -> [DownBundle.Entry] {
            let tree = MerkleTree(digests: changes.map { Array($0.canonicalLine.utf8).withUnsafeBytes { Merkle.leafDigest($0) } })
            return picks.map { DownBundle.Entry(leafIndex: $0, line: Array(changes[$0].canonicalLine.utf8), proof: tree.proof(index: $0)) }
        }

        func bundle(_ entries: [DownBundle.Entry], signer: NodeIdentity? = nil, child: String = "420102002202", controls: [ControlDocument] = []) throws -> [UInt8] {
            try DownBundle.build(
                identity: signer ?? net.township, child: child, after: 0, next: 42, more: false,
                sections: [.init(signedHeader: set.signedHeaderBytes, entries: entries)], controls: controls
            ).encoded
        }

        func verify(_ bytes: [UInt8], relevant: @escaping (Change) -> Bool = { _ in true }) throws -> [DownBundle.VerifiedChange] {
            try DownBundle.decode(bytes).verify(trust: net.trust, parent: "420102002000", child: "420102002202", isRelevant: relevant)
        }
    }

    @Test func provenanceSurvivesFiltering() throws {
        let f = try Fixture()
        let verified = try f.verify(try f.bundle(f.entries([1, 4, 9])))
        #expect(verified.map(\.change) == [f.changes[1], f.changes[4], f.changes[9]])
        #expect(verified.allSatisfy { $0.header.origin == "420102002201" && $0.header.merkleRoot == f.set.header.merkleRoot })
    }

    @Test func aForgedOrAlteredChangeIsRefused() throws {
        let f = try Fixture()
        // The parent alters a change's content but keeps its proof.
        var altered = f.entries([4])
        var c = f.changes[4]
        c.body = "{\"CF_F0\":\"forged\"}"
        altered[0].line = Array(c.canonicalLine.utf8)
        #expect(refusal { _ = try f.verify(try f.bundle(altered)) } == .badProof)
        // A change presented at another leaf than its own.
        var moved = f.entries([4])
        moved[0].leafIndex = 5
        #expect(refusal { _ = try f.verify(try f.bundle(moved)) } == .badProof)
        // A change the origin never signed, with a made-up proof.
        var rng = Rng(state: 99)
        let invented = f.net.changes(from: 11, count: 1, rng: &rng)[0]
        let forged = [DownBundle.Entry(leafIndex: 3, line: Array(invented.canonicalLine.utf8), proof: f.entries([3])[0].proof)]
        #expect(refusal { _ = try f.verify(try f.bundle(forged)) } != nil)
    }

    @Test func onlyTheParentMaySendAndOnlyToItsAddressee() throws {
        let f = try Fixture()
        #expect(refusal { _ = try f.verify(try f.bundle(f.entries([1]), signer: f.village2)) } == .wrongAddressee)
        #expect(refusal { _ = try f.verify(try f.bundle(f.entries([1]), child: "420102002201")) } == .wrongAddressee)
        #expect(refusal { _ = try f.verify(try f.bundle(f.entries([1])), relevant: { _ in false }) } == .notRelevant)
    }

    @Test func controlDataMustBeSignedByTheCA() throws {
        let f = try Fixture()
        let catalogue = try f.net.ca.signControl(name: "catalogue.json", content: Array("{}".utf8))
        #expect(throws: Never.self) { _ = try f.verify(try f.bundle(f.entries([1]), controls: [catalogue])) }
        var forged = catalogue
        forged.content = Array("{\"x\":1}".utf8)
        #expect(refusal { _ = try f.verify(try f.bundle(f.entries([1]), controls: [forged])) } == .badControl)
        var renamed = catalogue
        renamed.name = "calendars/2027.json"
        #expect(refusal { _ = try f.verify(try f.bundle(f.entries([1]), controls: [renamed])) } == .badControl)
        #expect(throws: (any Error).self) { _ = try f.net.ca.signControl(name: "../etc/passwd", content: []) }
    }

    @Test func everyTruncationAndByteFlipIsRefusedWithoutACrash() throws {
        let f = try Fixture()
        let bytes = try f.bundle(f.entries([0, 2, 7]))
        for n in 0..<bytes.count { #expect(refusal { _ = try f.verify(Array(bytes.prefix(n))) } != nil) }
        var rng = Rng(state: 3)
        for _ in 0..<600 {
            var b = bytes
            b[rng.int(0...(b.count - 1))] ^= UInt8(rng.int(1...255))
            #expect(refusal { _ = try f.verify(b) } != nil)
        }
    }
}
