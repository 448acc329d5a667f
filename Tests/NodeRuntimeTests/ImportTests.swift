import ChangeSets
import CreditDomain
import CreditStore
import Foundation
import NodePKI
import SyncCore
import SampleData
import TestSupport
import Testing

@testable import NodeRuntime

/// A chain village → township → county, each a real node with its own store and certificate,
/// connected by bundle and receipt files.
struct OfflineChain {
    let dir: TemporaryDirectory
    let ca: NetworkCA
    let village: NodeContext
    let village2: NodeContext
    let township: NodeContext
    let county: NodeContext

    /// `clock` is every node's clock; a test whose rows are dated by a fixed day gives that day's
    /// clock, so that what is "today" for the validator does not move with the calendar.
    init(clock: @escaping @Sendable () -> Date = { Date() }) throws {
        let dir = try TemporaryDirectory()
        let ca = try NetworkCA.create()
        self.dir = dir
        self.ca = ca
        func node(_ code: String, parent: String?, children: [String]) throws -> NodeContext {
            let c = try DivisionCode(code)
            let certDir = dir.url.appendingPathComponent("certs/\(code)")
            try FileManager.default.createDirectory(at: certDir, withIntermediateDirectories: true)
            try ca.issue(code: c).write(to: certDir, ca: ca.certificate)
            var config = NodeConfiguration(code: c, dataDirectory: dir.path("nodes/\(code)"))
            config.identity = certDir.path
            config.children = try children.map { try DivisionCode($0) }
            if let parent { config.parent = .init(url: "https://127.0.0.1:1", code: try DivisionCode(parent)) }
            return try NodeContext(configuration: config, clock: clock)
        }
        village = try node("420102002201", parent: "420102002000", children: [])
        village2 = try node("420102002202", parent: "420102002000", children: [])
        township = try node("420102002000", parent: "420102000000", children: ["420102002201", "420102002202"])
        county = try node("420102000000", parent: "420100000000", children: ["420102002000"])
    }

    func ingest(_ node: NodeContext, rows: Int, seed: UInt64, kind slug: String = "penalty", now: Date? = nil) throws {
        let kind = try node.catalogue.kind(named: slug)
        var options = SampleGenerator.Options(seed: seed, node: node.configuration.code, asOf: CivilDate(year: 2026, month: 11, day: 20)!)
        options.faultShare = 0
        var generator = SampleGenerator(options)
        let path = try dir.write(
            "in-\(node.configuration.code)-\(slug)-\(seed).csv",
            Array(SampleGenerator.csv(kind: kind, rows: generator.rows(kind: kind, count: rows), header: .codes).utf8))
        _ = try FileIngestion(node: node).ingest(file: path, kind: slug, now: now ?? morning(CivilDate(year: 2026, month: 11, day: 20)!))
    }

    /// Exports from `child`, imports at `parent`, returns the bundle path and the import report.
    func send(_ child: NodeContext, to parent: NodeContext, name: String) throws -> (bundle: String, report: ImportReport) {
        let bundle = dir.path("\(name).cnbd")
        _ = try Export(node: child).export(to: bundle)
        return (bundle, try Import(node: parent).run(file: bundle))
    }
}

@Suite("Offline transport: export, import, receipts", .serialized)
struct ImportTests {
    /// The township holds a village's change sets, then the village is revoked: the township's
    /// later uploads — its own changes, an innocent sibling's, and the revoked village's sets it
    /// accepted before the revocation — still reach the county (once they stalled for ever). The
    /// revoked village's own upload is refused.
    @Test func revokingOneNodeStallsNobodyElse() throws {
        let net = try OfflineChain()
        try net.ingest(net.village, rows: 6, seed: 1)
        try net.ingest(net.village2, rows: 4, seed: 2)
        #expect(try net.send(net.village, to: net.township, name: "v1").report.applied == 1)
        // Revoked after the township accepted its sets; the list reaches the township and the county.
        for n in [net.township, net.county] {
            _ = try net.ca.revoke(
                try Export.identity(of: net.village.configuration).certificate, reason: "device lost",
                in: try Export.identityDirectory(of: n.configuration))
        }
        #expect(try net.send(net.village2, to: net.township, name: "v2").report.applied == 1)
        try net.ingest(net.township, rows: 3, seed: 3)
        let up = try net.send(net.township, to: net.county, name: "t")
        #expect(up.report.applied == 3 && up.report.changes == 13)
        #expect(try net.county.store.position(of: net.village.configuration.code.digits)?.lastSeq == 6)
        // The revoked village itself is refused, with nothing applied.
        try net.ingest(net.village, rows: 2, seed: 4)
        do {
            _ = try net.send(net.village, to: net.township, name: "v1b")
            Issue.record("a revoked village uploaded")
        } catch let e as ChangeSetError { #expect(e.code == .revoked) }
        #expect(try net.township.store.position(of: net.village.configuration.code.digits)?.lastSeq == 6)
    }

    /// A push's bundle is bounded by what the parent's listener reads (`pushBytesMax`, computed
    /// from the per-set limits): sets are packed while they fit one set's bound together, and
    /// one set always goes; a file carries everything pending.
    @Test func aPushBundleFitsTheListenersComputedBound() throws {
        let net = try OfflineChain()
        try net.ingest(net.village, rows: 5, seed: 1)
        try Export(node: net.village).seal(identity: try Export.identity(of: net.village.configuration))
        try net.ingest(net.village, rows: 4, seed: 2)
        try Export(node: net.village).seal(identity: try Export.identity(of: net.village.configuration))
        let all = try net.village.store.pendingOutbox()
        try #require(all.count == 2)
        #expect(try net.village.store.pendingOutbox(bytesMax: all[0].encoded.count + 4).count == 1)
        #expect(try net.village.store.pendingOutbox(bytesMax: 1).count == 1)
        #expect(try net.village.store.pendingOutbox(bytesMax: all[0].encoded.count + all[1].encoded.count + 8).count == 2)
        let limits = ChangeSetLimits()
        #expect(limits.pushBytesMax > limits.bodyBytesMax + limits.headerBytesMax && limits.pushBytesMax < 65 << 20)
        let (report, bundle) = try Export(node: net.village).pendingBundle(setBytes: all[0].encoded.count + 4)
        #expect(report.changeSets.count == 1 && bundle.count < all[0].encoded.count + 64 * 1024)
        // The set fills the bound: the health record waits for a push with room for it.
        #expect(report.health == 0)
        #expect(try Export(node: net.village).pendingBundle(setBytes: all[0].encoded.count + 4096).0.health == 1)
        let whole = try Export(node: net.village).pendingBundle()
        #expect(whole.0.changeSets.count == 2 && whole.0.health == 1)
    }

    /// One origin's bad change set inside a good bundle is set aside with its reason; the
    /// sender's own and the other origins' sets go through, and the same set sent again is not
    /// set aside twice.
    @Test func aBadSetIsSetAsideAndTheRestOfTheBundleGoesThrough() throws {
        let net = try OfflineChain()
        try net.ingest(net.village, rows: 5, seed: 1)
        _ = try net.send(net.village, to: net.township, name: "v1")
        try net.ingest(net.township, rows: 3, seed: 2)
        try Export(node: net.township).seal(identity: try Export.identity(of: net.township.configuration))
        // The township's pending sets: the village's (forwarded) and its own. The village's is
        // damaged in the township's keeping (a byte of its body), then the township signs the bundle.
        var sets = try net.township.store.pendingOutbox().map { try ChangeSet.decode($0.encoded) }
        let v = try #require(sets.firstIndex { $0.header.origin == net.village.configuration.code.digits })
        var bytes = sets[v].encoded
        bytes[bytes.count / 2] ^= 0x20
        sets[v] = try ChangeSet.decode(bytes)
        let bundle = try ChangeBundle.build(sets, identity: try Export.identity(of: net.township.configuration))
        let path = try net.dir.write("t.cnbd", bundle.encoded)
        // All or nothing, as `inspect` judges a file: refused.
        #expect(throws: ChangeSetError.self) { try ChangeBundle.decode(bundle.encoded).verify(trust: try Import.trust(net.county.configuration)) }
        // At the county: the township's set applied, the village's set aside.
        let report = try Import(node: net.county).run(file: path)
        #expect(report.applied == 1 && report.setAside == 1 && report.changes == 3)
        #expect(try net.county.store.position(of: net.township.configuration.code.digits)?.lastSeq == 3)
        #expect(try net.county.store.position(of: net.village.configuration.code.digits) == nil)
        let entries = try net.county.store.setAsideEntries()
        #expect(
            entries.count == 1 && entries[0].origin == net.village.configuration.code.digits
                && entries[0].peer == net.township.configuration.code.digits)
        #expect(entries[0].code == "body-hash-mismatch" || entries[0].code == "bad-signature" || entries[0].code == "bad-body", "\(entries[0].code)")
        #expect(try Metrics.text(net.county).contains("creditnet_set_aside_sets{node=\"420102000000\"} 1"))
        // Sent again: nothing new set aside; resolved by an operator's note.
        _ = try Import(node: net.county).run(file: path)
        #expect(try net.county.store.setAsideEntries().count == 1)
        #expect(try net.county.store.resolveSetAside(id: entries[0].id, resolution: "村节点重新导出"))
        #expect(try net.county.store.unresolvedSetAside() == 0)
        #expect(try !net.county.store.resolveSetAside(id: entries[0].id, resolution: "again"))
    }

    @Test func recordsReachTheCountyExactlyOnceWithReceipts() throws {
        let net = try OfflineChain()
        try net.ingest(net.village, rows: 120, seed: 1)
        try net.ingest(net.township, rows: 30, seed: 2)
        let up1 = try net.send(net.village, to: net.township, name: "v-t")
        #expect(up1.report.applied == 1 && up1.report.changes == 120)
        // The receipt clears the village's outbox.
        let ack = try Import(node: net.village).run(file: try #require(up1.report.receipt))
        #expect(ack.acknowledged == 1)
        #expect(try net.village.store.pendingOutbox().isEmpty)

        // The township forwards the village's change set verbatim, with its own.
        let up2 = try net.send(net.township, to: net.county, name: "t-c")
        #expect(up2.report.applied == 2 && up2.report.changes == 150)
        let villageAtCounty = try net.county.store.changes(origin: "420102002201", limit: 1000)
        #expect(villageAtCounty == (try net.village.store.changes(origin: "420102002201", limit: 1000)))
        #expect(try net.county.store.counts().records == 150)
        _ = try Import(node: net.township).run(file: try #require(up2.report.receipt))
        #expect(try net.township.store.pendingOutbox().isEmpty)

        // Replays change nothing.
        let countsBefore = try net.county.store.counts()
        let replay = try Import(node: net.county).run(file: up2.bundle)
        #expect(replay.applied == 0 && replay.duplicates == 2)
        #expect(try net.county.store.counts() == countsBefore)

        // New records flow the same way and chain on.
        try net.ingest(net.village, rows: 10, seed: 3)
        _ = try net.send(net.village, to: net.township, name: "v-t-2")
        let again = try net.send(net.township, to: net.county, name: "t-c-2")
        #expect(again.report.applied == 1 && again.report.changes == 10)
        #expect(try net.county.store.counts().records == 160)
    }

    @Test func statusShowsHeldAcknowledgedAndTheWindow() throws {
        let net = try OfflineChain()
        try net.ingest(net.village, rows: 30, seed: 1)
        let window: Int64 = 72 * 3600
        // The fixture ingests as of 2026-11-20 10:00 in China.
        let ingestedAt = morning(CivilDate(year: 2026, month: 11, day: 20)!)
        var s = try #require(try net.village.store.originStatus(now: ingestedAt.addingTimeInterval(3600), windowSeconds: window).first)
        #expect(s.highestSeqHeld == 30 && s.highestSeqAcknowledged == 0 && s.unacknowledged == 30 && s.atRisk == 0 && s.pastWindow == 0)
        #expect(s.oldestUnacknowledgedSeconds == 3600)
        // Fifty hours later the pending changes are at risk; eighty hours later past the window.
        s = try #require(try net.village.store.originStatus(now: ingestedAt.addingTimeInterval(50 * 3600), windowSeconds: window).first)
        #expect(s.atRisk == 30 && s.pastWindow == 0 && s.oldestUnacknowledgedSeconds == 50 * 3600)
        s = try #require(try net.village.store.originStatus(now: ingestedAt.addingTimeInterval(80 * 3600), windowSeconds: window).first)
        #expect(s.pastWindow == 30)
        // Sealed and sent: still pending until the receipt comes back.
        let r = try net.send(net.village, to: net.township, name: "v")
        s = try #require(try net.village.store.originStatus(windowSeconds: window).first)
        #expect(s.unacknowledged == 30)
        _ = try Import(node: net.village).run(file: try #require(r.report.receipt))
        s = try #require(try net.village.store.originStatus(now: ingestedAt.addingTimeInterval(80 * 3600), windowSeconds: window).first)
        #expect(s.highestSeqAcknowledged == 30 && s.unacknowledged == 0 && s.pastWindow == 0 && s.oldestUnacknowledgedSeconds == nil)
        // At the township the village's changes are pending until the county acknowledges them.
        let atTownship = try net.township.store.originStatus(windowSeconds: window)
        #expect(atTownship.map(\.origin) == ["420102002201"] && atTownship[0].unacknowledged == 30)
        #expect(try net.township.store.originStatus(windowSeconds: window, hasParent: false)[0].unacknowledged == 0)
    }

    @Test func statusCountsSealedSetsAndUnsealedChangesEachByTheirOwnArrival() throws {
        let net = try OfflineChain()
        let t = morning(CivilDate(year: 2026, month: 11, day: 20)!)
        let hour: TimeInterval = 3600
        let window: Int64 = 72 * 3600
        let identity = try Export.identity(of: net.village.configuration)
        // 30 changes sealed 10 h after they entered; 20 more entered at 20 h and not sealed.
        try net.ingest(net.village, rows: 30, seed: 1, now: t)
        #expect(try Export(node: net.village).seal(identity: identity, now: t.addingTimeInterval(10 * hour)) == 1)
        try net.ingest(net.village, rows: 20, seed: 2, now: t.addingTimeInterval(20 * hour))
        // At 62 h: the set is 52 h old (at risk), the unsealed changes 42 h (neither).
        var s = try #require(try net.village.store.originStatus(now: t.addingTimeInterval(62 * hour), windowSeconds: window).first)
        #expect(s.unacknowledged == 50 && s.atRisk == 30 && s.pastWindow == 0 && s.oldestUnacknowledgedSeconds == 52 * 3600)
        // At 85 h: the set is past the window, the unsealed changes at risk.
        s = try #require(try net.village.store.originStatus(now: t.addingTimeInterval(85 * hour), windowSeconds: window).first)
        #expect(s.unacknowledged == 50 && s.atRisk == 20 && s.pastWindow == 30 && s.oldestUnacknowledgedSeconds == 75 * 3600)
        // Sealed at 30 h, the 20 count from their set's creation: 55 h old at 85 h, still at risk;
        // at 105 h both sets are past the window.
        #expect(try Export(node: net.village).seal(identity: identity, now: t.addingTimeInterval(30 * hour)) == 1)
        s = try #require(try net.village.store.originStatus(now: t.addingTimeInterval(85 * hour), windowSeconds: window).first)
        #expect(s.unacknowledged == 50 && s.atRisk == 20 && s.pastWindow == 30 && s.oldestUnacknowledgedSeconds == 75 * 3600)
        s = try #require(try net.village.store.originStatus(now: t.addingTimeInterval(105 * hour), windowSeconds: window).first)
        #expect(s.atRisk == 0 && s.pastWindow == 50)
        // A node with no own changes and nothing received has no status rows.
        #expect(try net.village2.store.originStatus(windowSeconds: window).isEmpty)
    }

    /// The push schedule's backlog, read in two queries, is what `originStatus` adds up origin by
    /// origin: own sealed and unsealed changes, sets received and forwarded, none once acknowledged.
    @Test func theBacklogUpwardIsTheSumOfEveryOriginsPendingChanges() throws {
        let net = try OfflineChain()
        let t = morning(CivilDate(year: 2026, month: 11, day: 20)!)
        let window: Int64 = 72 * 3600
        func agree(_ node: NodeContext, _ pending: Int, at now: Date) throws {
            let backlog = try node.store.upwardBacklog()
            let origins = try node.store.originStatus(now: now, windowSeconds: window)
            #expect(backlog.pending == pending)
            #expect(backlog.pending == Int(origins.reduce(0) { $0 + $1.unacknowledged }))
            let oldest = origins.compactMap(\.oldestUnacknowledgedSeconds).max()
            #expect(backlog.oldestAt.map { (ChinaTime.milliseconds(now) - $0) / 1000 } == oldest)
        }
        #expect(try net.village.store.upwardBacklog() == UpwardBacklog(pending: 0, oldestAt: nil))
        try net.ingest(net.village, rows: 30, seed: 1, now: t)
        try agree(net.village, 30, at: t.addingTimeInterval(3600))
        let identity = try Export.identity(of: net.village.configuration)
        #expect(try Export(node: net.village).seal(identity: identity, now: t.addingTimeInterval(7200)) == 1)
        try net.ingest(net.village, rows: 20, seed: 2, now: t.addingTimeInterval(3 * 3600))
        try agree(net.village, 50, at: t.addingTimeInterval(5 * 3600))
        let r = try net.send(net.village, to: net.township, name: "v")
        try agree(net.township, 50, at: Date())
        _ = try Import(node: net.village).run(file: try #require(r.report.receipt))
        try agree(net.village, 0, at: Date())
        #expect(try net.village.store.upwardBacklog().oldestAt == nil)
    }

    @Test func aMiddleTierAppliesInShortSlicesTheTopWholeSets() throws {
        let net = try OfflineChain()
        try net.ingest(net.village, rows: 5_000, seed: 3)
        let bundle = net.dir.path("v.cnbd")
        _ = try Export(node: net.village).export(to: bundle)
        _ = try Import(node: net.township).applyBundle(Array(try Data(contentsOf: URL(fileURLWithPath: bundle))), source: bundle, deferApply: true)
        #expect(try net.township.store.queued() == ApplyQueueCounts(sets: 1, changes: 5_000))
        // `continuing` is asked before the set and before each slice: two yeses apply one slice.
        func applyOneSlice(_ node: NodeContext) throws {
            var asked = 0
            try node.applier.drain(node) {
                asked += 1
                return asked <= 2
            }
        }
        // The township has a parent: 2,000 changes per transaction.
        try applyOneSlice(net.township)
        #expect(try net.township.store.queued() == ApplyQueueCounts(sets: 1, changes: 3_000))
        #expect(try net.township.store.counts().changes == 2_000)
        // The same store as the top of its network (no parent): the rest of the set at once.
        var top = net.township.configuration
        top.parent = nil
        let asTop = try NodeContext(configuration: top)
        try applyOneSlice(asTop)
        #expect(try asTop.store.queued() == ApplyQueueCounts(sets: 0, changes: 0))
        #expect(try asTop.store.counts().changes == 5_000 && asTop.store.counts().records == 5_000)
    }

    @Test func theTopReadsTheNextSetAheadAndAppliesEverySetOnceInOrder() throws {
        let net = try OfflineChain()
        var top = net.township.configuration
        top.parent = nil
        let accepting = try NodeContext(configuration: top)
        for seed in 1...3 {
            try net.ingest(net.village, rows: 40, seed: UInt64(seed))
            let bundle = net.dir.path("v\(seed).cnbd")
            _ = try Export(node: net.village).export(to: bundle)
            _ = try Import(node: accepting).applyBundle(Array(try Data(contentsOf: URL(fileURLWithPath: bundle))), source: bundle, deferApply: true)
        }
        #expect(try accepting.store.queued() == ApplyQueueCounts(sets: 3, changes: 120))
        let first = try #require(try accepting.store.nextQueued()).entry
        let second = try #require(try accepting.store.nextQueued(after: first.id)).entry
        let third = try #require(try accepting.store.nextQueued(after: second.id)).entry
        #expect([first.key.firstSeq, second.key.firstSeq, third.key.firstSeq] == [1, 41, 81])
        #expect(try accepting.store.nextQueued(after: third.id) == nil)
        // Another process (a restart): nothing kept in memory, every set read from the store, the
        // next one while the one before is written.
        let restarted = try NodeContext(configuration: top)
        let done = try restarted.applier.drain(restarted)
        #expect(done.sets == 3 && done.changes == 120)
        #expect(try restarted.store.queued() == ApplyQueueCounts(sets: 0, changes: 0))
        #expect(try restarted.store.changes(origin: "420102002201", limit: 200).map(\.seq) == Array(1...120))
        #expect(try restarted.store.counts().records == 120)
        #expect(
            try restarted.store.changes(origin: "420102002201", limit: 200) == (try net.village.store.changes(origin: "420102002201", limit: 200)))
    }

    @Test func changesAreBuiltAtAcceptanceOnlyForSetsTheApplierHasRoomToKeep() throws {
        // Decided in order, as `offer` keeps them: a set that does not fit is skipped, a later
        // smaller one may still fit.
        let applier = Applier()
        #expect(applier.room(forSetsOf: [40, 70, 50, 10], limit: 100) == [true, false, true, true])
        #expect(applier.room(forSetsOf: [101], limit: 100) == [false])
        #expect(applier.room(forSetsOf: [], limit: 100) == [])
        // The top keeps what it accepts while there is room; the room shrinks by what it keeps,
        // and the applier reads the sets it kept without reading them from the store.
        let net = try OfflineChain()
        var top = net.township.configuration
        top.parent = nil
        let accepting = try NodeContext(configuration: top)
        try net.ingest(net.village, rows: 120, seed: 4)
        let bundle = net.dir.path("v.cnbd")
        _ = try Export(node: net.village).export(to: bundle)
        let limit = Applier.keptChangesMax
        #expect(accepting.applier.room(forSetsOf: [limit]) == [true])
        _ = try Import(node: accepting).applyBundle(Array(try Data(contentsOf: URL(fileURLWithPath: bundle))), source: bundle, deferApply: true)
        #expect(accepting.applier.room(forSetsOf: [limit - 120]) == [true])
        #expect(accepting.applier.room(forSetsOf: [limit - 119]) == [false])
        #expect(try accepting.applier.drain(accepting).changes == 120)
        #expect(accepting.applier.room(forSetsOf: [limit]) == [true])
        #expect(
            try accepting.store.changes(origin: "420102002201", limit: 200) == (try net.village.store.changes(origin: "420102002201", limit: 200)))
    }

    @Test func aVillageCannotUploadAnotherVillagesChanges() throws {
        let net = try OfflineChain()
        try net.ingest(net.village, rows: 5, seed: 1)
        let bundle = net.dir.path("v1.cnbd")
        _ = try Export(node: net.village).export(to: bundle)
        // Village 2 re-signs village 1's change sets as its own upload.
        let sets = try ChangeBundle.decode([UInt8](try Data(contentsOf: URL(fileURLWithPath: bundle)))).changeSets
        let identity2 = try Export.identity(of: net.village2.configuration)
        let forged = try ChangeBundle.build(sets, identity: identity2)
        let forgedPath = try net.dir.write("forged.cnbd", forged.encoded)
        // Judged from the bundle's bytes alone (a village's bundle holds only its own sets), as
        // `inspect` judges it.
        do {
            _ = try Import(node: net.township).run(file: forgedPath)
            Issue.record("accepted another village's changes")
        } catch let e as ChangeSetError { #expect(e.code == .outsideSubtree) }
        #expect(try net.township.store.counts().changes == 0 && net.township.store.queued().sets == 0)
        // A node that is not a child (the county uploading to the township) is refused too.
        try net.ingest(net.county, rows: 2, seed: 5)
        let fromCounty = net.dir.path("c.cnbd")
        _ = try Export(node: net.county).export(to: fromCounty)
        do {
            _ = try Import(node: net.township).run(file: fromCounty)
            Issue.record("accepted a bundle from a node that is not a child")
        } catch let e as ImportError { #expect(e.code == .notAChild) }
    }

    @Test func aTamperedBundleIsRefusedAndNothingOfItIsApplied() throws {
        let net = try OfflineChain()
        try net.ingest(net.village, rows: 40, seed: 1)
        let bundle = net.dir.path("v.cnbd")
        _ = try Export(node: net.village).export(to: bundle)
        var bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: bundle)))
        bytes[bytes.count / 2] ^= 0x20
        let tampered = try net.dir.write("tampered.cnbd", bytes)
        #expect(throws: ChangeSetError.self) { try Import(node: net.township).run(file: tampered) }
        #expect(try net.township.store.counts() == StoreCounts(records: 0, changes: 0, quarantined: 0, late: 0))
        #expect(try Import(node: net.township).run(file: bundle).applied == 1)
    }

    @Test func aGapIsHeldAndAppliedWhenItCloses() throws {
        let net = try OfflineChain()
        try net.ingest(net.village, rows: 10, seed: 1)
        let first = net.dir.path("first.cnbd")
        _ = try Export(node: net.village).export(to: first)
        try net.ingest(net.village, rows: 10, seed: 2)
        let both = net.dir.path("both.cnbd")
        _ = try Export(node: net.village).export(to: both)
        // Only the second change set arrives first.
        let sets = try ChangeBundle.decode([UInt8](try Data(contentsOf: URL(fileURLWithPath: both)))).changeSets
        let onlySecond = try ChangeBundle.build([sets[1]], identity: try Export.identity(of: net.village.configuration))
        let secondPath = try net.dir.write("second.cnbd", onlySecond.encoded)
        let r1 = try Import(node: net.township).run(file: secondPath)
        #expect(r1.held == 1 && r1.applied == 0)
        #expect(try net.township.store.counts().changes == 0 && net.township.store.queued().sets == 0)
        let r2 = try Import(node: net.township).run(file: first)
        #expect(r2.applied == 1)
        #expect(try net.township.store.counts().changes == 20)
        #expect(try net.township.store.position(of: "420102002201")?.lastSeq == 20)
    }

    @Test func aReceiptMustComeFromTheParentForThisNode() throws {
        let net = try OfflineChain()
        try net.ingest(net.village, rows: 3, seed: 1)
        let r = try net.send(net.village, to: net.township, name: "v")
        // Village 2 is not the receipt's addressee.
        #expect(throws: ImportError.self) { try Import(node: net.village2).run(file: try #require(r.report.receipt)) }
        // A damaged receipt is refused and acknowledges nothing.
        var bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: try #require(r.report.receipt))))
        bytes[10] ^= 0x01
        let bad = try net.dir.write("bad.receipt", bytes)
        #expect(throws: (any Error).self) { try Import(node: net.village).run(file: bad) }
        #expect(try net.village.store.pendingOutbox().count == 1)
    }
}
