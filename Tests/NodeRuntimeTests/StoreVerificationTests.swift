import CreditDomain
import CreditStore
import Foundation
import GRDB
import TestSupport
import Testing

@testable import NodeRuntime

/// A damaged store is found and said: verify-store re-checks what the node can vouch for.
@Suite("Store verification", .serialized)
struct StoreVerificationTests {
    /// A village with 40 records sealed into its outbox (so they have a signed set to be checked against).
    static func village() throws -> OfflineChain {
        let net = try OfflineChain()
        try net.ingest(net.village, rows: 40, seed: 3)
        try Export(node: net.village).seal(identity: try Export.identity(of: net.village.configuration))
        return net
    }

    @Test func aSoundStoreIsSound() throws {
        let net = try Self.village()
        let report = try StoreVerification(node: net.village).run()
        #expect(!report.damaged && report.complete && report.checkedSets == 1 && report.checkedChanges == 40)
        #expect(StoreVerification.recordedDamage(net.village.configuration) == nil)
    }

    /// A change rewritten in the log (past its triggers, as a disk or a hand could) no longer
    /// matches the line its origin signed: found, recorded, and sync refuses to serve.
    @Test func aChangedLogEntryIsFoundAndStopsSync() throws {
        let net = try Self.village()
        let queue = try DatabaseQueue(path: net.village.store.path)
        try queue.write { db in
            try db.execute(sql: "DROP TRIGGER changes_no_update")
            try db.execute(sql: "UPDATE changes SET body = replace(body, '罚', '奖') WHERE seq = 7")
            try db.execute(sql: "CREATE TRIGGER changes_no_update BEFORE UPDATE ON changes BEGIN SELECT RAISE(ABORT, 'change log is append-only: changes are never updated'); END")
        }
        let report = try StoreVerification(node: net.village).run()
        #expect(report.damaged && report.changes.contains { $0.contains("seq 7") }, "\(report.changes)")
        #expect(StoreVerification.recordedDamage(net.village.configuration)?.damaged == true)
        #expect(try Metrics.text(net.village).contains("creditnet_store_damaged{node=\"420102002201\"} 1"))
        // Its listeners refuse what it cannot vouch for: uploads, pages, checks, writes (503).
        #expect(throws: (any Error).self) { try net.village.refuseIfDamaged() }
        // Restored (here: the entry put back), a new check clears the mark.
        try queue.write { db in
            try db.execute(sql: "DROP TRIGGER changes_no_update")
            try db.execute(sql: "UPDATE changes SET body = replace(body, '奖', '罚') WHERE seq = 7")
            try db.execute(sql: "CREATE TRIGGER changes_no_update BEFORE UPDATE ON changes BEGIN SELECT RAISE(ABORT, 'change log is append-only: changes are never updated'); END")
        }
        #expect(try !StoreVerification(node: net.village).run().damaged)
        #expect(StoreVerification.recordedDamage(net.village.configuration) == nil)
    }

    /// A record read for people is checked against the digest its change was written with: one
    /// rewritten behind the store's back is refused (`store-corrupt`), never shown; the others are.
    @Test func aRecordWhoseBytesChangedIsRefusedWhenRead() throws {
        let net = try Self.village()
        let queue = try DatabaseQueue(path: net.village.store.path)
        let (key, other) = try queue.read { db in
            (try String.fetchOne(db, sql: "SELECT record_key FROM changes WHERE seq = 7")!, try String.fetchOne(db, sql: "SELECT record_key FROM changes WHERE seq = 8")!)
        }
        let subject = try #require(try net.village.store.subject(of: key))
        let otherSubject = try #require(try net.village.store.subject(of: other))
        try #require(subject != otherSubject)
        // Sound: both read.
        #expect(try net.village.store.record(key: key) != nil)
        _ = try SubjectQuery(context: net.village).profile(subject: subject, publicView: true)
        try queue.write { db in
            try db.execute(sql: "DROP TRIGGER changes_no_update")
            try db.execute(sql: "UPDATE changes SET body = replace(body, '2026-', '2016-') WHERE seq = 7")
            #expect(db.changesCount == 1)
            try db.execute(sql: "CREATE TRIGGER changes_no_update BEFORE UPDATE ON changes BEGIN SELECT RAISE(ABORT, 'change log is append-only: changes are never updated'); END")
        }
        do {
            _ = try net.village.store.record(key: key)
            Issue.record("a record whose bytes changed on disk was read")
        } catch let e as StoreError {
            #expect(e.code == .corrupt && e.message.contains("verify-store"))
        }
        #expect(throws: StoreError.self) { try SubjectQuery(context: net.village).profile(subject: subject, publicView: true) }
        #expect(try !SubjectQuery(context: net.village).profile(subject: otherSubject, publicView: true).records.isEmpty)
    }

    /// One byte flipped on disk inside a record's state (`act�ve`): found by the constraint
    /// re-check in both the full check and the bounded one at start (SQLite 3.40's own
    /// integrity_check sees only the partial index it no longer matches).
    @Test func aFlippedByteOnDiskIsFound() throws {
        let net = try Self.village()
        let path = net.village.store.path
        let queue = try DatabaseQueue(path: path)
        try queue.writeWithoutTransaction { db in _ = try Row.fetchAll(db, sql: "PRAGMA wal_checkpoint(TRUNCATE)") }
        var bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: path)))
        let page = 16_384
        let needle = Array("active".utf8)
        let at = try #require((page..<(bytes.count - needle.count)).first { Array(bytes[$0..<($0 + needle.count)]) == needle })
        bytes[at + 3] = 0xFF
        try Data(bytes).write(to: URL(fileURLWithPath: path))
        let reopened = try NodeContext(configuration: net.village.configuration)
        let quick = try StoreVerification(node: reopened).quick(seconds: 30)
        #expect(quick.damaged && quick.complete, "\(quick.integrity)")
        let full = try StoreVerification(node: reopened).run()
        #expect(full.integrity.contains { $0.contains("breaks its table's constraints") }, "\(full.integrity)")
        #expect(StoreVerification.recordedDamage(reopened.configuration)?.summary.hasPrefix("DAMAGED") == true)
    }
}
