import ChangeSets
import CreditDomain
import CreditStore
import Foundation
import SyncCore
import Testing

@testable import NodeRuntime

/// A node whose store is lost takes its history back from its parent (`credit-node recover`):
/// everything it had acknowledged is held above, verbatim and signed by its origins.
@Suite("Rebuilding a lost store from the parent", .serialized)
struct RecoveryTests {
    /// The same node on a new, empty store: the data directory's store files moved aside.
    static func emptyStore(_ node: NodeContext) throws -> NodeContext {
        let path = node.configuration.databasePath
        for suffix in ["", "-wal", "-shm"] where FileManager.default.fileExists(atPath: path + suffix) {
            try FileManager.default.moveItem(atPath: path + suffix, toPath: path + suffix + ".lost-\(UUID().uuidString)")
        }
        return try NodeContext(configuration: node.configuration, clock: node.clock)
    }

    /// The same node on the store `backup` holds, put in place of its own (moved aside).
    static func restored(_ node: NodeContext, from backup: String) throws -> NodeContext {
        let path = node.configuration.databasePath
        _ = try emptyStore(node)
        for suffix in ["", "-wal", "-shm"] where FileManager.default.fileExists(atPath: path + suffix) {
            try FileManager.default.removeItem(atPath: path + suffix)
        }
        try FileManager.default.copyItem(atPath: backup, toPath: path)
        return try NodeContext(configuration: node.configuration, clock: node.clock)
    }

    /// The township as the top of its network: no parent.
    static func townshipAsTop(_ net: OfflineChain) throws -> NodeContext {
        var config = net.township.configuration
        config.parent = nil
        return try NodeContext(configuration: config, clock: net.township.clock)
    }

    @Test func aVillageThatLostItsStoreTakesItsChainBackAndGoesOn() async throws {
        let net = try OfflineChain()
        // Two sets: 30 changes sealed, then 20 sealed by the push.
        try net.ingest(net.village, rows: 30, seed: 1)
        try Export(node: net.village).seal(identity: try Export.identity(of: net.village.configuration))
        try net.ingest(net.village, rows: 20, seed: 2)
        let origin = net.village.configuration.code.digits
        try await withSyncServer(net.township) { port in
            let before = try net.pointing(net.village, toPort: port)
            #expect(try await SyncClient(node: before).push().acknowledged == 2)
            try await applied(net.township)
            let history = try before.store.changes(origin: origin, limit: 100)
            let records = try before.store.counts().records

            // The refused case first: a new store starts its chain at seq 1 again; the township
            // holds those seqs already, and the push says the store lost its history.
            let lost = try Self.emptyStore(before)
            try net.ingest(lost, rows: 3, seed: 9)
            do {
                _ = try await SyncClient(node: lost).push()
                Issue.record("a store that lost its history pushed without a word")
            } catch let error as SyncError {
                #expect(error.message.contains("holds \(origin) up to seq 50, this store only to 3"))
                #expect(error.message.contains("credit-node recover"))
            }
            #expect(try net.township.store.position(of: origin)?.lastSeq == 50)

            // Recovered on another empty store: its chain is back, byte for byte, as acknowledged.
            let village = try Self.emptyStore(lost)
            let report = try await Recovery(node: village).run()
            #expect(report.origins == [.init(origin: origin, from: 0, to: 50, sets: 2, changes: 50)])
            #expect(report.pull != nil)
            #expect(try village.store.changes(origin: origin, limit: 100) == history)
            #expect(try village.store.counts().records == records)
            #expect(try village.store.pendingOutbox().isEmpty)
            let status = try #require(try village.store.originStatus(windowSeconds: 3600).first { $0.origin == origin })
            #expect(status.highestSeqHeld == 50 && status.highestSeqAcknowledged == 50 && status.unacknowledged == 0)

            // It goes on: its next changes continue the chain the township holds.
            try net.ingest(village, rows: 5, seed: 3)
            #expect(try await SyncClient(node: village).push().acknowledged == 1)
            #expect(try net.township.store.position(of: origin)?.lastSeq == 55)

            // Again: nothing to take back.
            #expect(try await Recovery(node: village).run().origins.isEmpty)
        }
    }

    /// A store restored from a backup taken before its last push: only the sets after it are
    /// taken back, continuing the chain the backup holds.
    @Test func aStoreRestoredFromAnOlderBackupTakesBackWhatCameAfter() async throws {
        let net = try OfflineChain()
        let origin = net.village.configuration.code.digits
        let backup = net.dir.path("village-backup.sqlite")
        try await withSyncServer(net.township) { port in
            let village = try net.pointing(net.village, toPort: port)
            try net.ingest(village, rows: 30, seed: 1)
            #expect(try await SyncClient(node: village).push().acknowledged == 1)
            // The backup (`credit-node backup`): the store as of its last commit.
            #expect(try village.store.backup(to: backup).changes == 30)
            try net.ingest(village, rows: 20, seed: 2)
            #expect(try await SyncClient(node: village).push().acknowledged == 1)
            let history = try village.store.changes(origin: origin, limit: 100)

            // The disk is lost; the backup goes back in place.
            let reopened = try Self.restored(village, from: backup)
            #expect(try reopened.store.ownStanding().sealed?.lastSeq == 30)
            let report = try await Recovery(node: reopened).run()
            #expect(report.origins == [.init(origin: origin, from: 30, to: 50, sets: 1, changes: 20)])
            #expect(try reopened.store.changes(origin: origin, limit: 100) == history)
            try net.ingest(reopened, rows: 5, seed: 3)
            #expect(try await SyncClient(node: reopened).push().acknowledged == 1)
            #expect(try net.township.store.position(of: origin)?.lastSeq == 55)
        }
    }

    @Test func aStoreWhoseChainIsNotTheNetworksIsRefusedAndKeptAsItWas() async throws {
        let net = try OfflineChain()
        try net.ingest(net.village, rows: 30, seed: 1)
        let origin = net.village.configuration.code.digits
        try await withSyncServer(net.township) { port in
            let village = try net.pointing(net.village, toPort: port)
            #expect(try await SyncClient(node: village).push().acknowledged == 1)

            // Changes of its own never sealed, where the parent holds sets: refused, nothing taken.
            let other = try Self.emptyStore(village)
            try net.ingest(other, rows: 10, seed: 7)
            do {
                _ = try await Recovery(node: other).run()
                Issue.record("a store with unsealed changes of its own took sets back")
            } catch let refusal as Recovery.Refusal {
                #expect(refusal.code == .unsealed)
                #expect(refusal.message.contains("changes 1…10 of its own that were never sealed"))
            }
            // Sealed: another chain than the network's. Refused, the store unchanged.
            try Export(node: other).seal(identity: try Export.identity(of: other.configuration))
            let held = try other.store.changes(origin: origin, limit: 100)
            do {
                _ = try await Recovery(node: other).run()
                Issue.record("a store on another chain took sets back")
            } catch let refusal as Recovery.Refusal {
                #expect(refusal.code == .diverged)
            }
            #expect(try other.store.changes(origin: origin, limit: 100) == held)
            #expect(try other.store.ownStanding().sealed?.lastSeq == 10)
        }
    }

    /// The township returns only what lies in the caller's subtree, and only to its children.
    @Test func theParentReturnsOnlyTheCallersSubtree() async throws {
        let net = try OfflineChain()
        try net.ingest(net.village, rows: 4, seed: 1)
        try net.ingest(net.village2, rows: 4, seed: 2)
        try await withSyncServer(net.township) { port in
            for v in [net.village, net.village2] {
                #expect(try await SyncClient(node: try net.pointing(v, toPort: port)).push().acknowledged == 1)
            }
            let village = try net.pointing(net.village, toPort: port)
            let own = try await SyncServerTests.bytes(village, port: port, path: "/v1/sync/return?origin=420102002201&after=0")
            let bundle = try ChangeBundle.decode(own)
            #expect(bundle.sender == "420102002000" && bundle.changeSets.map(\.header.origin) == ["420102002201"])
            // Past what it holds of the origin: a signed bundle of no set.
            let none = try await SyncServerTests.bytes(village, port: port, path: "/v1/sync/return?origin=420102002201&after=4")
            #expect(try ChangeBundle.decode(none).changeSets.isEmpty)
            let sibling = try await SyncServerTests.get(village, port: port, path: "/v1/sync/return?origin=420102002202&after=0", expecting: 403)
            #expect(sibling.contains("[outside-subtree]"))
            _ = try await SyncServerTests.get(village, port: port, path: "/v1/sync/return?origin=nonsense", expecting: 400)
        }
        // A node that is not a configured child is returned nothing, its own sets included.
        var onlyOne = net.township.configuration
        onlyOne.children = [net.village.configuration.code]
        try await withSyncServer(try NodeContext(configuration: onlyOne, clock: net.township.clock)) { port in
            let stranger = try net.pointing(net.village2, toPort: port)
            let refused = try await SyncServerTests.get(stranger, port: port, path: "/v1/sync/return?origin=420102002202&after=0", expecting: 403)
            #expect(refused.contains("[not-a-child]"))
        }
    }

    /// A township rebuilt numbers its down stream anew: its villages' cursors are positions of the
    /// lost stream, past the few changes the new one holds. It starts past all of them, so a
    /// village is given what it had not pulled (and again what it had: duplicates).
    @Test func aRebuiltParentsVillagesAreGivenWhatTheyHadNotPulled() async throws {
        let net = try OfflineChain()
        // The township lists 10 subjects (network-wide), which its village pulls once the county
        // holds them: positions 1…10. (The county is the top here: its own listing goes down at once.)
        try net.ingest(net.township, rows: 10, seed: 2, kind: "blacklist")
        var top = net.county.configuration
        top.parent = nil
        let county = try NodeContext(configuration: top, clock: net.county.clock)
        try net.ingest(county, rows: 3, seed: 3, kind: "blacklist")
        let listed = try #require(try county.store.changes(origin: county.configuration.code.digits, limit: 10).first?.key)
        try await withSyncServer(county) { countyPort in
            let township = try net.pointing(net.township, toPort: countyPort)
            #expect(try await SyncClient(node: township).push().acknowledged == 1)
            try await withSyncServer(township) { port in
                let village = try net.pointing(net.village, toPort: port)
                #expect(try await SyncClient(node: village).pull().applied == 10)
                #expect(try village.store.downCursor(parent: township.configuration.code) == 10)
            }
            // The county's listing reaches the township; then the township's disk is lost before
            // its village pulled it. Rebuilt, it takes its own listing back and holds the county's
            // at positions of a new stream — behind the village's cursor, but for the restart.
            #expect(try await SyncClient(node: township).pull().applied == 3)
            let rebuilt = try Self.emptyStore(township)
            let report = try await Recovery(node: rebuilt).run()
            #expect(report.origins.map(\.changes) == [10] && report.pull?.applied == 3)
            try await withSyncServer(rebuilt) { port in
                let village = try net.pointing(net.village, toPort: port)
                let pulled = try await SyncClient(node: village).pull()
                #expect(pulled.applied == 3)
                #expect(try village.store.heldKeys(among: [listed]) == [listed])
                #expect(try village.store.downCursor(parent: rebuilt.configuration.code) > DownStream.restartBase(nowMilliseconds: 0))
            }
        }
    }

    /// The top has no parent: restored from a backup, `recover` starts its down stream again, so
    /// that what it holds next is not numbered behind its children's cursors. (Here the township
    /// is the top of its network.)
    @Test func theTopRestoredFromABackupStartsItsDownStreamAgain() async throws {
        let net = try OfflineChain()
        let top = try Self.townshipAsTop(net)
        let config = top.configuration
        let backup = net.dir.path("top-backup.sqlite")
        #expect(try top.store.backup(to: backup).changes == 0)
        // After the backup: a village lists 8 subjects (network-wide), which its sibling pulls.
        try net.ingest(net.village2, rows: 8, seed: 1, kind: "blacklist")
        try await withSyncServer(top) { port in
            #expect(try await SyncClient(node: try net.pointing(net.village2, toPort: port)).push().acknowledged == 1)
            try await applied(top)
            let village = try net.pointing(net.village, toPort: port)
            #expect(try await SyncClient(node: village).pull().applied == 8)
        }
        // The disk is lost; the backup goes back; the top lists a subject of its own.
        let restored = try Self.restored(top, from: backup)
        let report = try await Recovery(node: restored).run()
        #expect(report.parent == nil && report.origins.isEmpty && report.pull == nil)
        try net.ingest(restored, rows: 1, seed: 3, kind: "blacklist")
        let listed = try #require(try restored.store.changes(origin: config.code.digits, limit: 10).last?.key)
        try await withSyncServer(restored) { port in
            let village = try net.pointing(net.village, toPort: port)
            #expect(try await SyncClient(node: village).pull().applied == 1)
            #expect(try village.store.heldKeys(among: [listed]) == [listed])
        }
    }

    /// A top restored from a backup gave its children own changes its backup lacks: `recover`
    /// seals what the backup holds and goes on past any seq the lost store can have given
    /// (`OwnSeqs`), so the child takes the top's next change. Without that step (the down
    /// stream restarted only, as before), the next change takes a seq the child holds another
    /// change under: the child keeps the one it holds and sets the conflict aside.
    @Test(arguments: [true, false]) func theTopRestoredGoesOnPastTheSeqsItsLostStoreGave(restartingOwnSeqs: Bool) async throws {
        let net = try OfflineChain()
        let top = try Self.townshipAsTop(net)
        let config = top.configuration
        let backup = net.dir.path("top-backup.sqlite")
        try net.ingest(top, rows: 3, seed: 1, kind: "blacklist")
        #expect(try top.store.backup(to: backup).changes == 3)
        try net.ingest(top, rows: 2, seed: 2, kind: "blacklist")
        let village = net.village
        try await withSyncServer(top) { port in
            let child = try net.pointing(village, toPort: port)
            #expect(try await SyncClient(node: child).pull().applied == 5)
        }
        let restored = try Self.restored(top, from: backup)
        let now = Date()
        if restartingOwnSeqs {
            let report = try await Recovery(node: restored).run(now: now)
            #expect(report.ownSeqsFrom == OwnSeqs.restartFloor(nowMilliseconds: ChinaTime.milliseconds(now), logged: 3) + 1)
        } else {
            try Recovery(node: restored).begin(now: now)
        }
        try net.ingest(restored, rows: 1, seed: 3, kind: "blacklist")
        let held = try village.store.changes(origin: config.code.digits, limit: 10)
        try await withSyncServer(restored) { port in
            let pulled = try await SyncClient(node: try net.pointing(village, toPort: port)).pull()
            #expect(pulled.applied == (restartingOwnSeqs ? 1 : 0))
        }
        let aside = try village.store.setAsideEntries()
        if restartingOwnSeqs {
            let now = try village.store.changes(origin: config.code.digits, limit: 10)
            #expect(now.count == 6 && Array(now.prefix(5)) == held && now[5].seq > OwnSeqs.stride, "\(now.map(\.seq))")
            #expect(aside.isEmpty, "\(aside)")
        } else {
            #expect(try village.store.changes(origin: config.code.digits, limit: 10) == held)
            #expect(aside.map(\.code) == ["conflicting-change"] && aside.first?.firstSeq == 4 && aside.first?.direction == "down", "\(aside)")
        }
    }

    /// A township rebuilt without what it had acknowledged and not yet sent on: its village's
    /// next receipt says so (the township holds the new set behind a gap), and the village sends
    /// those sets again.
    @Test func aParentThatLostAcknowledgedSetsIsSentThemAgain() async throws {
        let net = try OfflineChain()
        try net.ingest(net.village, rows: 20, seed: 1)
        let origin = net.village.configuration.code.digits
        try await withSyncServer(net.township) { port in
            let village = try net.pointing(net.village, toPort: port)
            #expect(try await SyncClient(node: village).push().acknowledged == 1)
        }
        let township = try Self.emptyStore(net.township)
        try net.ingest(net.village, rows: 5, seed: 2)
        try await withSyncServer(township) { port in
            let village = try net.pointing(net.village, toPort: port)
            // Held behind the gap: nothing acknowledged; the first set is pending again.
            #expect(try await SyncClient(node: village).push().acknowledged == 0)
            #expect(try village.store.pendingOutbox().map(\.firstSeq) == [1, 21])
            // The next push closes the gap: the township holds all 25.
            #expect(try await SyncClient(node: village).push().acknowledged == 2)
            #expect(try township.store.position(of: origin)?.lastSeq == 25)
            #expect(try village.store.pendingOutbox().isEmpty)
        }
    }

    /// A township rebuilt without anything of its village (it had acknowledged the village's
    /// sets and lost them before sending them on): the village has nothing new to send, so no
    /// receipt can say so. After its heartbeat it asks where the township stands
    /// (`/v1/sync/state`), finds its origin missing, and sends the sets again at once.
    @Test func aParentThatLostAllOfAnOriginIsSentItAgainAfterAHeartbeat() async throws {
        let net = try OfflineChain()
        try net.ingest(net.village, rows: 12, seed: 1)
        let origin = net.village.configuration.code.digits
        try await withSyncServer(net.township) { port in
            let village = try net.pointing(net.village, toPort: port)
            #expect(try await SyncClient(node: village).push().acknowledged == 1)
            // Nothing lost: the heartbeat sends nothing again.
            let heartbeat = try await SyncClient(node: village).push()
            #expect(heartbeat.changeSets == 0 && heartbeat.health == 1)
        }
        let township = try Self.emptyStore(net.township)
        try await withSyncServer(township) { port in
            let village = try net.pointing(net.village, toPort: port)
            let push = try await SyncClient(node: village).push()
            #expect(push.changeSets == 1 && push.acknowledged == 1)
            #expect(try township.store.position(of: origin)?.lastSeq == 12)
            #expect(try village.store.pendingOutbox().isEmpty)
        }
    }

    /// A busy child sends no heartbeat, so after pushes that failed (its parent was down, maybe
    /// restored from a backup) it asks where the parent stands once the next push goes through:
    /// a county rebuilt empty gets the village's sets the township forwarded before, though the
    /// township's push carries only changes of its own. Without the failures, that push does
    /// not ask, and the county lacks them until the township's next heartbeat.
    @Test(arguments: [true, false]) func aChildAsksWhereItsParentStandsAfterFailedPushes(afterFailures: Bool) async throws {
        let net = try OfflineChain()
        let village = net.village.configuration.code.digits
        try net.ingest(net.village, rows: 10, seed: 1)
        try await withSyncServer(net.township) { port in
            #expect(try await SyncClient(node: try net.pointing(net.village, toPort: port)).push().acknowledged == 1)
            try await applied(net.township)
        }
        try await withSyncServer(net.county) { port in
            let push = try await SyncClient(node: try net.pointing(net.township, toPort: port)).push()
            #expect(push.acknowledged == 1)
        }
        let county = try Self.emptyStore(net.county)
        try net.ingest(net.township, rows: 3, seed: 2)
        try await withSyncServer(county) { port in
            let push = try await SyncClient(node: try net.pointing(net.township, toPort: port)).push(afterFailures: afterFailures)
            #expect(push.changeSets == (afterFailures ? 2 : 1))
            #expect(try county.store.position(of: village)?.lastSeq == (afterFailures ? 10 : nil))
        }
    }

    /// A node gives its children its own changes only once its parent holds them: a child never
    /// holds a change the network could lose with the node's disk, and the seqs the node gives
    /// after `recover` are ones no child has seen. The top, which has no parent, gives them at once.
    @Test func aNodesOwnChangesGoDownOnceItsParentHoldsThem() async throws {
        let net = try OfflineChain()
        let villageCode = net.village.configuration.code
        try net.ingest(net.township, rows: 4, seed: 2, kind: "blacklist")
        let waiting = try Downward(node: net.township).page(for: villageCode, after: 0, controlDigest: nil)
        #expect(waiting.sections.isEmpty && waiting.next == 0 && !waiting.more)
        let (bundle, _) = try net.send(net.township, to: net.county, name: "t")
        _ = try Import(node: net.township).run(file: bundle + ".receipt")
        let given = try Downward(node: net.township).page(for: villageCode, after: 0, controlDigest: nil)
        #expect(given.sections.flatMap(\.entries).count == 4 && given.next > 0)
        // At the top: at once.
        let top = try Self.townshipAsTop(net)
        try net.ingest(top, rows: 2, seed: 3, kind: "blacklist")
        let atOnce = try Downward(node: top).page(for: villageCode, after: given.next, controlDigest: nil)
        #expect(atOnce.sections.flatMap(\.entries).count == 2)
    }
}
