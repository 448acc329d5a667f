import ChangeSets
import CreditDomain
import CreditStore
import Foundation
import NodePKI
import SampleData
import TestSupport
import SyncCore
import Testing

@testable import NodeRuntime

@Suite("Export of the upward bundle")
struct ExportTests {
    struct Fixture {
        let dir: TemporaryDirectory
        let ca: NetworkCA
        let context: NodeContext

        init(identityCode: String = "420102002201") throws {
            dir = try TemporaryDirectory()
            ca = try NetworkCA.create()
            let certDir = dir.url.appendingPathComponent("cert")
            try FileManager.default.createDirectory(at: certDir, withIntermediateDirectories: true)
            try ca.issue(code: try DivisionCode(identityCode)).write(to: certDir, ca: ca.certificate)
            var config = NodeConfiguration(code: try DivisionCode("420102002201"), dataDirectory: dir.path("node"))
            config.identity = certDir.path
            context = try NodeContext(configuration: config)
        }

        func ingest(rows: Int, seed: UInt64) throws {
            let kind = try context.catalogue.kind(named: "penalty")
            var options = SampleGenerator.Options(seed: seed, node: context.configuration.code, asOf: CivilDate(year: 2026, month: 11, day: 20)!)
            options.faultShare = 0
            var generator = SampleGenerator(options)
            let path = try dir.write(
                "p\(seed).csv", Array(SampleGenerator.csv(kind: kind, rows: generator.rows(kind: kind, count: rows), header: .codes).utf8))
            _ = try FileIngestion(node: context).ingest(file: path, kind: "penalty", now: morning(CivilDate(year: 2026, month: 11, day: 20)!))
        }

        func read(_ path: String) throws -> ChangeBundle { try ChangeBundle.decode([UInt8](try Data(contentsOf: URL(fileURLWithPath: path)))) }
    }

    @Test func exportsVerifiableChainedChangeSetsAndRepeatsThemVerbatim() throws {
        let f = try Fixture()
        try f.ingest(rows: 150, seed: 1)
        let first = try Export(node: f.context).export(to: f.dir.path("up1.cnbd"))
        #expect(first.sealed == 1 && first.changeSets.map(\.lastSeq) == [150])
        let b1 = try f.read(f.dir.path("up1.cnbd"))
        let verified = try b1.verify(trust: try TrustStore(ca: f.ca.certificate))
        #expect(verified.flatMap(\.changes) == (try f.context.store.changes(origin: "420102002201")))

        // Nothing new: the same signed change set again, byte for byte.
        let again = try Export(node: f.context).export(to: f.dir.path("up2.cnbd"))
        #expect(again.sealed == 0)
        #expect(try f.read(f.dir.path("up2.cnbd")).changeSets.map(\.encoded) == b1.changeSets.map(\.encoded))

        // New records: a second change set chained to the first.
        try f.ingest(rows: 20, seed: 2)
        _ = try Export(node: f.context).export(to: f.dir.path("up3.cnbd"))
        let sets = try f.read(f.dir.path("up3.cnbd")).changeSets
        #expect(sets.count == 2 && sets[1].header.firstSeq == 151 && sets[1].header.previousHash == sets[0].hash)
        var stand: ChainPosition?
        for s in sets {
            #expect(Intake.decide(s.received, after: stand) == .accept)
            stand = ChainPosition(origin: s.header.origin, lastSeq: s.header.lastSeq, hash: s.hash)
        }
    }

    @Test func theOutboxRefusesChangeSetsThatDoNotChain() throws {
        let f = try Fixture()
        try f.ingest(rows: 5, seed: 1)
        func seal(previous: [UInt8]) throws {
            try f.context.store.sealOutbox(origin: "420102002201") { _, changes in
                [(changes[0].seq, changes[changes.count - 1].seq, Array(repeating: 3, count: 32), previous, [1, 2, 3])]
            }
        }
        #expect(throws: (any Error).self) { try seal(previous: Array(repeating: 9, count: 32)) }  // a first set names no predecessor
        #expect(throws: Never.self) { try seal(previous: []) }
    }

    @Test func anIdentityIsRequiredAndMustBeTheNodes() throws {
        var config = try Fixture().context.configuration
        config.identity = nil
        #expect(throws: ConfigurationError.self) { try Export.identity(of: config) }
        let wrong = try Fixture(identityCode: "420102002202")
        #expect(throws: ConfigurationError.self) { try Export.identity(of: wrong.context.configuration) }
    }
}
