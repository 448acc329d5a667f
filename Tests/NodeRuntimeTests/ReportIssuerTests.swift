import ChangeSets
import CreditDomain
import CreditStore
import Foundation
import NodePKI
import SampleData
import Synchronization
import Testing

@testable import NodeRuntime

/// A credit report vouches for records whatever way they reached the issuer: entered there
/// (sealed first), received whole from a child, or come down from the parent with a proof.
@Suite("Credit reports: every record back to its origin", .serialized)
struct ReportIssuerTests {
    /// Black-list entries of companies naming no legal representative's ID number (public
    /// whole: their reports carry the lines), entered at `node`.
    static func enterListEntries(_ tiers: FiveTiers, at node: NodeContext, count: Int) throws {
        let kind = try node.catalogue.kind(named: "blacklist")
        var options = SampleGenerator.Options(seed: 31, node: node.configuration.code, asOf: CivilDate(year: 2026, month: 11, day: 20)!)
        options.faultShare = 0
        options.lateShare = 0
        var generator = SampleGenerator(options)
        var rows = generator.rows(kind: kind, count: count)
        for i in rows.indices {
            for code in ["FR_ZJHM", "FR_ZJLX"] { rows[i].values[try #require(kind.index[code])] = "" }
        }
        let path = try tiers.dir.write(
            "black-\(node.configuration.code).csv", Array(SampleGenerator.csv(kind: kind, rows: rows, header: .codes).utf8))
        #expect(
            try FileIngestion(node: node).ingest(file: path, kind: "blacklist", now: morning(CivilDate(year: 2026, month: 11, day: 20)!)).accepted
                == count)
    }

    /// The report `node` issues on `subject`, checked as a third party checks it.
    static func issuedAndVerified(_ node: NodeContext, subject code: String, ca: NetworkCA) throws -> CreditReport {
        let today = ChinaTime.date(Date())
        let kinds = Dictionary(uniqueKeysWithValues: try node.catalogue.resolvedKinds().map { ($0.slug, $0) })
        let records = try node.store.records(subject: code).compactMap { r in PublicRecord.make(r, kind: kinds[r.kind], today: today).map { (r, $0) }
        }
        #expect(!records.isEmpty, "\(node.configuration.code) shows nothing of \(code)")
        let signed = try ReportIssuer(node: node).issue(subject: .init(name: "甲", code: code, isPerson: false), records: records)
        let report = try signed.verify(trust: try TrustStore(ca: ca.certificate))
        #expect(report.issuer == node.configuration.code.digits && report.entries.count == records.count)
        return report
    }

    @Test func recordsEnteredHereReceivedWholeAndComeDownAreAllProven() async throws {
        let tiers = try FiveTiers()
        let c = FiveTiers.codes
        try await tiers.running { live in
            try Self.enterListEntries(tiers, at: live.village1, count: 6)
            let companies = try live.village1.store.allSubjects(kind: "blacklist").filter { (try? ResidentID($0)) == nil }
            let code = try #require(companies.first)
            // At the village, before anything was sealed: the issuer seals its own first.
            let own = try Self.issuedAndVerified(live.village1, subject: code, ca: tiers.ca)
            #expect(own.entries.allSatisfy { $0.origin == c.village1 && !$0.redacted && $0.leaf != nil })
            try await live.upward()
            try await live.downward()
            // At the province: the village's change set held whole.
            let whole = try Self.issuedAndVerified(live.province, subject: code, ca: tiers.ca)
            #expect(whole.entries.allSatisfy { $0.origin == c.village1 && !$0.redacted })
            // At the sibling village: the list came down, each entry with the proof it came with.
            let down = try Self.issuedAndVerified(live.village2, subject: code, ca: tiers.ca)
            #expect(down.entries.allSatisfy { $0.origin == c.village1 && !$0.redacted && !$0.proof.isEmpty })
        }
    }
}

@Suite("Credit reports: a change set's tree built once")
struct SetTreeCacheTests {
    static let entry = SetTreeCache.Entry(
        signedHeader: [1, 2, 3],
        tree: BucketedMerkleTree(changes: [
            Change(
                origin: "420102000000", seq: 1, hlc: HLCStamp(rawValue: 1), enteredAtMilliseconds: 1, op: "put", kind: "penalty", key: "k",
                jurisdiction: "420102000000", body: "{}")
        ]))

    @Test func readersAskingAtOnceOnAColdCacheWaitForTheOneBuilding() throws {
        let cache = SetTreeCache()
        let builds = Atomic<Int>(0)
        let started = Atomic<Int>(0)
        let readers = 8
        let done = DispatchGroup()
        for i in 0..<readers {
            done.enter()
            // Threads of their own: the first build waits for the other readers to set off.
            Thread {
                if i > 0 { started.add(1, ordering: .sequentiallyConsistent) }
                _ = try? cache.entry("420102000000/1") {
                    builds.add(1, ordering: .sequentiallyConsistent)
                    // A build by the first reader lasts until every other reader has set off
                    // to ask for the same tree (without the lock, they would build it too).
                    while i == 0, started.load(ordering: .sequentiallyConsistent) < readers - 1 { sched_yield() }
                    return Self.entry
                }
                done.leave()
            }.start()
        }
        done.wait()
        #expect(builds.load(ordering: .sequentiallyConsistent) == 1)
        // Another set is built on its own; a failed build is not kept.
        struct Broken: Error {}
        #expect(throws: Broken.self) { try cache.entry("420102000000/2") { throw Broken() } }
        #expect(try cache.entry("420102000000/2") { Self.entry }.signedHeader == [1, 2, 3])
    }
}
