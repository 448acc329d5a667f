import ChangeSets
import CreditDomain
import CreditStore
import Foundation
import SampleData
import Testing

@testable import NodeRuntime

/// A correction that names another village as a record's 所属行政区划 (a 错报 of the area): the
/// village that held the record comes to hold the correction, the village it names receives it,
/// and later status changes reach both — through the production pages, signed and verified.
@Suite("A record corrected to another area")
struct RecordMoveTests {
    /// The record as `node` holds it, entered again at `at` as a department's corrected file
    /// naming `village` as its area.
    func correct(_ key: String, heldBy node: NodeContext, at: NodeContext, to village: String) throws {
        let record = try #require(try node.store.record(key: key))
        let kind = try at.catalogue.kind(named: record.kind)
        let field = try #require(kind.kind.jurisdiction)
        let fields = record.fields
        let values = kind.fields.map { f in f.code == field ? village : fields[kind.kind.fullCode(f.code)] ?? "" }
        let csv = SampleGenerator.csv(kind: kind, rows: [SampleRow(values: values)], header: .codes)
        let report = try FileIngestion(node: at).ingest(
            bytes: Array(csv.utf8), name: "更正.csv", kind: record.kind, format: .csv, now: morning(Self.day))
        #expect(report.updated + report.accepted == 1)
    }

    /// What `child` has not sent yet, carried to `parent` as a file would be, and applied there.
    func send(_ child: NodeContext, to parent: NodeContext) throws {
        let (_, bytes) = try Export(node: child).pendingBundle()
        _ = try Import(node: parent).applyBundle(bytes, source: "test")
        try parent.applier.drain(parent)
    }

    /// What `child` is given by `parent` after its cursor, applied. A node gives its own changes
    /// once its parent holds them: what `parent` has not sent goes up to its own parent first,
    /// and the receipt comes back, as files would carry them.
    func pull(_ child: NodeContext, from parent: NodeContext, in net: FiveTiers) throws -> (applied: Int, setAside: Int) {
        try net.sentUp(parent)
        let cursor = try child.store.downCursor(parent: parent.configuration.code)
        let page = try Downward(node: parent).page(for: child.configuration.code, after: cursor, controlDigest: nil)
        let result = try Downward(node: child).apply(page.encoded)
        return (result.applied, result.setAside)
    }

    static let day = CivilDate(year: 2026, month: 11, day: 20)!

    /// The five tiers' township and its two villages, each a node with its own store.
    static func township() throws -> (FiveTiers, township: NodeContext, village1: NodeContext, village2: NodeContext) {
        let net = try FiveTiers()
        let c = FiveTiers.codes
        return (net, try net.context(c.township), try net.context(c.village1), try net.context(c.village2))
    }

    @Test func bothVillagesHoldTheCorrectionAndItsLaterStatusChanges() throws {
        let (net, township, village1, village2) = try Self.township()
        let c = FiveTiers.codes
        try net.ingest(township, kind: "penalty", rows: 3, seed: 51, jurisdiction: c.village1)
        #expect(try pull(village1, from: township, in: net).applied == 3)
        #expect(try pull(village2, from: township, in: net).applied == 0)
        let key = try #require(try village1.store.states(kind: "penalty").keys.sorted().first)

        try correct(key, heldBy: township, at: township, to: c.village2)
        // The village it left receives the correction as the village it names does.
        #expect(try pull(village1, from: township, in: net).applied == 1)
        #expect(try pull(village2, from: township, in: net).applied == 1)
        for node in [township, village1, village2] {
            let record = try #require(try node.store.record(key: key))
            #expect(record.jurisdiction == c.village2, "\(node.configuration.code)")
        }
        // An objection entered where the record now lies reaches both villages.
        _ = try StatusDesk(node: township).enter(key: key, decision("信用主体提出异议")(.objectionOpened, nil))
        #expect(try pull(village1, from: township, in: net).applied == 1)
        #expect(try pull(village2, from: township, in: net).applied == 1)
        for node in [township, village1, village2] { #expect(try node.store.record(key: key)?.state == "objected", "\(node.configuration.code)") }
        // The untouched records stay with the first village only.
        #expect(try village1.store.states(kind: "penalty").count == 3)
        #expect(try village2.store.states(kind: "penalty").count == 1)
    }

    @Test func aVillageThatSentTheOlderVersionLaterIsGivenTheWinningOne() throws {
        let (net, township, village1, village2) = try Self.township()
        let c = FiveTiers.codes
        // The first village's department files a penalty; its upload is late.
        try net.ingest(village1, kind: "penalty", rows: 2, seed: 52)
        let key = try #require(try village1.store.states(kind: "penalty").keys.sorted().first)
        // Meanwhile the second village files the correction naming itself, which reaches the
        // township first, with an objection entered there.
        try correct(key, heldBy: village1, at: village2, to: c.village2)
        try send(village2, to: township)
        _ = try StatusDesk(node: township).enter(key: key, decision("信用主体提出异议")(.objectionOpened, nil))
        #expect(try pull(village1, from: township, in: net).applied == 0)
        // Then the first village's older version arrives: it loses, and the first village is
        // given the winning version and the objection, though both entered the log before.
        try send(village1, to: township)
        #expect(try pull(village1, from: township, in: net).applied == 2)
        // The second village receives the objection, and the older version for its log only.
        #expect(try pull(village2, from: township, in: net).applied == 2)
        let winner = try #require(try township.store.record(key: key))
        for node in [township, village1, village2] {
            let record = try #require(try node.store.record(key: key))
            #expect(record.origin == winner.origin && record.seq == winner.seq && record.jurisdiction == c.village2, "\(node.configuration.code)")
            #expect(record.state == "objected", "\(node.configuration.code)")
        }
    }

    /// A record corrected to the second village and back: the objection the second village
    /// opened while the record lay there reaches the first, and the first village's closing of it,
    /// once the record is back, reaches the second. Every node ends with the same version and
    /// state; each village's public listing has the record only while it lies there.
    @Test func aRecordMovedAwayAndBackKeepsEveryStatusChange() throws {
        let (net, township, village1, village2) = try Self.township()
        let c = FiveTiers.codes
        try net.ingest(township, kind: "penalty", rows: 2, seed: 55, jurisdiction: c.village1)
        #expect(try pull(village1, from: township, in: net).applied == 2)
        let key = try #require(try village1.store.states(kind: "penalty").keys.sorted().first)
        let listed = { (node: NodeContext) in
            var scope = PublicScope(kinds: ["penalty"], today: "2026-11-20")
            scope.area = node.configuration.code.areaPrefix
            return try node.store.listing(ListingQuery(kinds: ["penalty"], limit: 10), scope: scope).contains { $0.key == key }
        }
        #expect(try listed(village1) && !listed(village2))

        try correct(key, heldBy: township, at: township, to: c.village2)
        #expect(try pull(village1, from: township, in: net).applied == 1)
        #expect(try pull(village2, from: township, in: net).applied == 1)
        #expect(try !listed(village1) && listed(village2))
        // Where the record lies now, its office opens an objection: the first village receives it.
        _ = try StatusDesk(node: village2).enter(key: key, decision("信用主体提出异议")(.objectionOpened, nil))
        try send(village2, to: township)
        #expect(try pull(village1, from: township, in: net).applied == 1)
        #expect(try village1.store.record(key: key)?.state == "objected")

        // The department corrects the area back; the first village's office closes the objection.
        try correct(key, heldBy: township, at: township, to: c.village1)
        #expect(try pull(village1, from: township, in: net).applied == 1)
        #expect(try pull(village2, from: township, in: net).applied == 1)
        _ = try StatusDesk(node: village1).enter(key: key, decision("经核实，处罚无误")(.objectionClosed, "kept"))
        try send(village1, to: township)
        #expect(try pull(village2, from: township, in: net).applied == 1)
        #expect(try pull(village1, from: township, in: net).applied == 0)

        let winner = try #require(try township.store.record(key: key))
        for node in [township, village1, village2] {
            let record = try #require(try node.store.record(key: key))
            #expect(record.origin == winner.origin && record.seq == winner.seq && record.jurisdiction == c.village1, "\(node.configuration.code)")
            #expect(record.state == "active", "\(node.configuration.code)")
        }
        #expect(try listed(village1) && !listed(village2))
    }

    @Test func aChangeOfARecordElsewhereNotHeldHereIsSetAside() throws {
        let net = try FiveTiers()
        let c = FiveTiers.codes
        let township = try net.context(c.township)
        let village1 = try net.context(c.village1)
        // Two change sets of the township: records about the second village, then one about the first.
        try net.ingest(township, kind: "penalty", rows: 2, seed: 53, jurisdiction: c.village2)
        try net.sentUp(township)
        let page = try Downward(node: township).page(for: try DivisionCode(c.village2), after: 0, controlDigest: nil)
        try net.ingest(township, kind: "penalty", rows: 1, seed: 54, jurisdiction: c.village1)
        try net.sentUp(township)
        let mine = try Downward(node: township).page(for: try DivisionCode(c.village1), after: 0, controlDigest: nil)
        // The second village's section in a page addressed to the first, signed by the township:
        // its records are neither the first village's nor held there.
        let stray = try DownBundle.build(
            identity: try Export.identity(of: township.configuration), child: c.village1, after: 0, next: mine.next, more: false,
            sections: page.sections + mine.sections, controls: [])
        let result = try Downward(node: village1).apply(stray.encoded)
        #expect(result.applied == 1 && result.setAside == 1)
        #expect(try village1.store.setAsideEntries().first?.code == "not-relevant")
        #expect(try village1.store.states(kind: "penalty").count == 1)
    }
}
