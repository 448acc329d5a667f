import CreditDomain
import Foundation
import GRDB
import GRDBSQLite
import SampleData
import TestSupport
import Synchronization
import SyncCore
import Testing

@testable import CreditStore

struct StoreFixture {
    let dir: TemporaryDirectory
    let store: NodeStore
    let node: DivisionCode
    let kind: ResolvedKind
    let calendar: WorkingCalendar

    init() throws {
        dir = try TemporaryDirectory()
        node = try DivisionCode("420102002201")
        store = try NodeStore(path: dir.path("node.sqlite"), node: node)
        kind = try Catalogue.bundled().kind(named: "penalty")
        calendar = try WorkingCalendar.load()
    }

    /// Valid records from the sample generator.
    func records(_ count: Int, seed: UInt64 = 1) -> [ValidatedRecord] {
        var options = SampleGenerator.Options(seed: seed, node: node, asOf: CivilDate(year: 2026, month: 11, day: 20)!)
        options.faultShare = 0
        var generator = SampleGenerator(options)
        var validator = RecordValidator(kind: kind, context: ValidationContext(node: node, today: options.asOf, calendar: calendar))
        return generator.rows(kind: kind, count: count).map { row in
            guard case .valid(let r) = validator.validate(row.values) else { fatalError("generator produced an invalid good row") }
            return r
        }
    }

    var source: IngestSource { IngestSource(name: "test.csv", kind: "penalty", format: .csv, encoding: .utf8) }

    @discardableResult
    func ingest(_ records: [ValidatedRecord]) throws -> IngestSummary {
        try store.ingest(source: source) { writer in for r in records { try writer.put(r) } }
    }
}

@Suite("Node store")
struct NodeStoreTests {
    @Test func durableSettings() throws {
        let f = try StoreFixture()
        #expect(try f.store.pragma("journal_mode") == "wal")
        #expect(try f.store.pragma("synchronous") == "2")  // FULL
        #expect(try f.store.pragma("foreign_keys") == "1")
        #expect(try f.store.pragma("page_size") == "16384")
        // 256 MiB of pages for the writer, 16 MiB for each reader.
        #expect(try f.store.pool.write { try String.fetchOne($0, sql: "PRAGMA cache_size") } == "-262144")
        #expect(try f.store.pragma("cache_size") == "-16384")
    }

    @Test func manyOpeningANewStoreAtOnceAllGetTheSameSchema() throws {
        // Switching a new file to WAL needs it to itself, and each migration is a transaction of
        // its own: openers that start together race for every step. Twenty rounds of six at
        // once; without the retries, most rounds had a failure ("database is locked" at
        // `PRAGMA journal_mode = WAL`, "duplicate column name: downward", "table node already
        // exists").
        let dir = try TemporaryDirectory()
        let node = try DivisionCode("420102002201")
        for round in 0..<20 {
            let path = dir.path("node-\(round).sqlite")
            let failures = Mutex<[String]>([])
            DispatchQueue.concurrentPerform(iterations: 6) { _ in
                do { _ = try NodeStore(path: path, node: node) } catch { failures.withLock { $0.append("\(error)") } }
            }
            #expect(failures.withLock { $0 } == [], "round \(round)")
            let store = try NodeStore(path: path, node: node)
            #expect(try store.pragma("journal_mode") == "wal")
            #expect(try store.counts() == StoreCounts(records: 0, changes: 0, quarantined: 0, late: 0))
        }
    }

    @Test func aStoreOpensOnlyForItsOwnNode() throws {
        let dir = try TemporaryDirectory()
        _ = try NodeStore(path: dir.path("node.sqlite"), node: try DivisionCode("420102002201"))
        _ = try NodeStore(path: dir.path("node.sqlite"), node: try DivisionCode("420102002201"))
        #expect {
            _ = try NodeStore(path: dir.path("node.sqlite"), node: try DivisionCode("420102002202"))
        } throws: { error in
            (error as? StoreError)?.code == .wrongNode && "\(error)".contains("belongs to node 420102002201, not 420102002202")
        }
    }

    @Test func sqliteKeepsNoAllocationStatistics() throws {
        let f = try StoreFixture()
        _ = try f.ingest([])
        // With statistics on, SQLite would count the store's page cache and statements here.
        var current: Int64 = -1
        var highest: Int64 = -1
        #expect(sqlite3_status64(SQLITE_STATUS_MEMORY_USED, &current, &highest, 0) == SQLITE_OK)
        #expect(current == 0 && highest == 0)
    }

    @Test func recordsGetGapFreeChangesAndIncreasingClocks() throws {
        let f = try StoreFixture()
        let s1 = try f.ingest(f.records(30))
        let s2 = try f.ingest(f.records(20, seed: 2))
        #expect(s1.accepted == 30 && s1.firstSeq == 1 && s1.lastSeq == 30)
        #expect(s2.accepted == 20 && s2.firstSeq == 31 && s2.lastSeq == 50)
        let changes = try f.store.changes(origin: f.node.digits)
        #expect(changes.map(\.seq) == Array(1...50))
        #expect(zip(changes, changes.dropFirst()).allSatisfy { $0.hlc < $1.hlc })
        #expect(try f.store.counts() == StoreCounts(records: 50, changes: 50, quarantined: 0, late: s1.late + s2.late))
    }

    @Test func sameRowsStoreNothingNewAndChangedRowsAreNewVersions() throws {
        let f = try StoreFixture()
        let records = f.records(10)
        try f.ingest(records)
        let again = try f.ingest(records)
        #expect(again.accepted == 0 && again.duplicates == 10 && again.firstSeq == nil)
        var corrected = records[3]
        corrected.fieldsJSON = corrected.fieldsJSON.replacingOccurrences(of: "\"CF_NR\":\"", with: "\"CF_NR\":\"更正：")
        let third = try f.ingest([corrected])
        #expect(third.updated == 1 && third.accepted == 0 && third.firstSeq == 11)
        let stored = try f.store.records(subject: try #require(corrected.subjectCode)).first { $0.key == corrected.key }
        #expect(stored?.fieldsJSON == corrected.fieldsJSON)
        #expect(stored?.seq == 11)
        #expect(try f.store.counts().records == 10)
        #expect(try f.store.counts().changes == 11)
    }

    @Test(arguments: [1, 255, 256, 257, 600])
    func batchesOfEverySizeKeepEveryRecordInOrder(count: Int) throws {
        let f = try StoreFixture()
        let records = f.records(count, seed: UInt64(count))
        let s = try f.ingest(records)
        #expect(s.accepted == count && s.firstSeq == 1 && s.lastSeq == Int64(count))
        let changes = try f.store.changes(origin: f.node.digits, limit: 10_000)
        #expect(changes.map(\.key) == records.map(\.key))
        #expect(changes.map(\.body) == records.map(\.fieldsJSON))
    }

    @Test func aKeyRepeatedInsideOneRunIsStoredInFileOrder() throws {
        let f = try StoreFixture()
        let base = f.records(3)
        var v2 = base[1]
        v2.fieldsJSON = v2.fieldsJSON.replacingOccurrences(of: "\"CF_NR\":\"", with: "\"CF_NR\":\"第二版：")
        var v3 = base[1]
        v3.fieldsJSON = v3.fieldsJSON.replacingOccurrences(of: "\"CF_NR\":\"", with: "\"CF_NR\":\"第三版：")
        // base[1], then two corrections and an exact repeat of the last one, all in one batch.
        let s = try f.ingest([base[0], base[1], v2, base[2], v3, v3])
        #expect(s.accepted == 3 && s.updated == 2 && s.duplicates == 1)
        let changes = try f.store.changes(origin: f.node.digits)
        #expect(changes.map(\.body) == [base[0], base[1], v2, base[2], v3].map(\.fieldsJSON))
        let current = try f.store.records(subject: try #require(v3.subjectCode)).first { $0.key == v3.key }
        #expect(current?.fieldsJSON == v3.fieldsJSON && current?.seq == 5)
    }

    @Test func keysThatDifferOnlyInTheirBytesAreDifferentRecords() throws {
        // "é" precomposed and as "e" + combining acute: equal Swift strings, different bytes.
        #expect("caf\u{E9}" == "cafe\u{301}")
        #expect(ExactText("caf\u{E9}") != ExactText("cafe\u{301}"))
        #expect(ExactText("caf\u{E9}") == ExactText("caf\u{E9}"))
        #expect(Set([ExactText("caf\u{E9}"), ExactText("cafe\u{301}"), ExactText("caf\u{E9}")]).count == 2)

        // The store's keys are UNIQUE by their bytes: a batch holding both spellings, and a
        // correction of the first, stores two records and one new version.
        let f = try StoreFixture()
        let base = f.records(3)
        var composed = base[0]
        composed.key = "penalty|91110000600037341L|caf\u{E9}"
        var decomposed = base[1]
        decomposed.key = "penalty|91110000600037341L|cafe\u{301}"
        var corrected = composed
        corrected.fieldsJSON = corrected.fieldsJSON.replacingOccurrences(of: "\"CF_NR\":\"", with: "\"CF_NR\":\"第二版：")
        let s = try f.ingest([composed, decomposed, corrected])
        #expect(s.accepted == 2 && s.updated == 1 && s.duplicates == 0)
        let keys = try f.store.pool.read { db in
            try Data.fetchAll(db, sql: "SELECT CAST(record_key AS BLOB) FROM records ORDER BY id").map { Array($0) }
        }
        #expect(keys == [Array(composed.key.utf8), Array(decomposed.key.utf8)])
    }

    @Test func aFailedIngestionWritesNothing() throws {
        let f = try StoreFixture()
        struct Boom: Error {}
        #expect(throws: Boom.self) {
            try f.store.ingest(source: f.source) { writer in
                for r in f.records(5) { try writer.put(r) }
                try writer.reject(line: 2, raw: "x", kind: "penalty", issues: [ValidationIssue(code: "required", message: "m")])
                throw Boom()
            }
        }
        #expect(try f.store.counts() == StoreCounts(records: 0, changes: 0, quarantined: 0, late: 0))
        #expect(try f.store.pool.read { try Int.fetchOne($0, sql: "SELECT count(*) FROM ingests") } == 0)
        // The next run starts at seq 1: nothing of the failed run was kept.
        #expect(try f.ingest(f.records(1)).firstSeq == 1)
    }

    @Test func quarantineKeepsReasonsAndRawTextOnce() throws {
        let f = try StoreFixture()
        let issues = [ValidationIssue(code: "uscc.check-character", field: "CF_CFJGDM", message: "character 18 should be 'L'")]
        for _ in 0..<2 {
            let s = try f.store.ingest(source: f.source) { writer in
                try writer.reject(line: 7, raw: "甲,乙,\"丙\"", kind: "penalty", issues: issues)
            }
            #expect(s.rejected == 1)
        }
        let (rows, total) = try f.store.quarantine()
        #expect(total == 1)
        #expect(rows[0].line == 7 && rows[0].raw == "甲,乙,\"丙\"" && rows[0].reasons == issues && rows[0].source == "test.csv")
    }

    /// A row of megabytes is kept cut to `rawBytesMax`, on a character boundary, saying how long it
    /// was; the same row again is still found as already held.
    @Test func quarantineCapsWhatItKeepsOfARow() throws {
        let f = try StoreFixture()
        let issues = [ValidationIssue(code: "too-long", field: "CF_XDR_MC", message: "too long")]
        let huge = "甲," + String(repeating: "长", count: 1_200_000)  // 3.6 MB of UTF-8
        for _ in 0..<2 {
            let s = try f.store.ingest(source: f.source) { writer in try writer.reject(line: 2, raw: huge, kind: "penalty", issues: issues) }
            #expect(s.rejected == 1)
        }
        let (rows, total) = try f.store.quarantine()
        #expect(total == 1)
        let kept = rows[0].raw
        #expect(kept.utf8.count < IngestWriter.rawBytesMax + 200 && kept.hasPrefix("甲,长长"))
        #expect(kept.hasSuffix("the row had \(huge.utf8.count)〕"))
        #expect(!kept.unicodeScalars.contains("\u{FFFD}"))  // cut between characters, not inside one
        // A short row is kept whole.
        _ = try f.store.ingest(source: f.source) { writer in try writer.reject(line: 3, raw: "乙,丙", kind: "penalty", issues: issues) }
        #expect(try f.store.quarantine().rows.contains { $0.raw == "乙,丙" })
    }

    @Test func aStoreBelongsToOneNode() throws {
        let f = try StoreFixture()
        #expect(throws: StoreError.self) { try NodeStore(path: f.dir.path("node.sqlite"), node: try DivisionCode("420102002202")) }
        #expect(throws: Never.self) { try NodeStore(path: f.dir.path("node.sqlite"), node: f.node) }
    }

    @Test func committedDataSurvivesReopening() throws {
        let f = try StoreFixture()
        try f.ingest(f.records(25))
        let reopened = try NodeStore(path: f.dir.path("node.sqlite"), node: f.node)
        #expect(try reopened.counts().records == 25)
        #expect(try reopened.pool.read { try String.fetchOne($0, sql: "PRAGMA integrity_check") } == "ok")
    }
}

@Suite("Store invariants in SQL")
struct StoreInvariantTests {
    func expectRefused(_ store: NodeStore, _ sql: String, _ arguments: StatementArguments = [], containing text: String? = nil) {
        do {
            try store.pool.write { try $0.execute(sql: sql, arguments: arguments) }
            Issue.record("accepted: \(sql)")
        } catch let error as DatabaseError {
            if let text { #expect(error.message?.contains(text) == true, "\(error)") }
        } catch { Issue.record("unexpected \(error)") }
    }

    static let insertChange =
        "INSERT INTO changes (origin, seq, hlc, entered_at, op, kind, record_key, jurisdiction, body) VALUES (?, ?, 1, 1, 'put', 'penalty', 'k', '420102002201', '{}')"

    @Test func theChangeLogHasNoGaps() throws {
        let f = try StoreFixture()
        try f.ingest(f.records(3))
        expectRefused(f.store, Self.insertChange, ["420102002201", 5], containing: "without a gap")
        expectRefused(f.store, Self.insertChange, ["420102002201", 3])
        expectRefused(f.store, Self.insertChange, ["420102002202", 2], containing: "without a gap")
        // The accepted cases: the next seq of a known origin, and seq 1 of a new one.
        try f.store.pool.write { db in
            try db.execute(sql: Self.insertChange, arguments: ["420102002201", 4])
            try db.execute(sql: Self.insertChange, arguments: ["420102002202", 1])
        }
    }

    /// A restarted top's own seqs (`OwnSeqs`): once sealed, they go on past the floor — the
    /// one gap its log and its chain of sets allow, for its own origin only.
    @Test func ownSeqsGoOnPastTheFloorOnce() throws {
        let f = try StoreFixture()
        let own = f.node.digits
        let floor = 5 * OwnSeqs.stride
        func seal() throws {
            try f.store.sealOutbox(origin: own) { previous, changes in
                [
                    (
                        changes[0].seq, changes[changes.count - 1].seq, Array(repeating: UInt8(truncatingIfNeeded: changes[0].seq) | 0x80, count: 32),
                        previous, [1]
                    )
                ]
            }
        }
        // On an empty store the first set past the floor follows nothing.
        #expect(try f.store.restartOwnSeqs(floor: floor) == floor + 1)
        try f.ingest(f.records(2))
        #expect(try f.store.changes(origin: own, limit: 5).map(\.seq) == [floor + 1, floor + 2])
        try seal()
        // Unsealed changes refuse a restart; a floor not past the log too.
        try f.ingest(f.records(1, seed: 2))
        #expect(throws: StoreError.self) { try f.store.restartOwnSeqs(floor: 2 * floor) }
        try seal()
        #expect(throws: StoreError.self) { try f.store.restartOwnSeqs(floor: floor + 2) }
        #expect(try f.store.restartOwnSeqs(floor: 2 * floor) == 2 * floor + 1)
        // Only the step to the floor: not past it, and not for another origin.
        expectRefused(f.store, Self.insertChange, [own, floor + 4], containing: "without a gap")
        expectRefused(f.store, Self.insertChange, [own, 2 * floor + 2], containing: "without a gap")
        expectRefused(f.store, Self.insertChange, ["420102002202", 2 * floor + 1], containing: "without a gap")
        try f.store.pool.write { try $0.execute(sql: Self.insertChange, arguments: [own, 2 * floor + 1]) }
        // The set past the floor names the last one sealed before it, and only that one.
        let insertSet =
            "INSERT INTO outbox (origin, first_seq, last_seq, hash, previous_hash, created_at) VALUES (?, ?, ?, zeroblob(32), ?, 1)"
        let last = try #require(try f.store.ownStanding().sealed)
        expectRefused(f.store, insertSet, [own, 2 * floor + 1, 2 * floor + 1, Data()], containing: "continue its origin's chain")
        expectRefused(f.store, insertSet, [own, 2 * floor + 2, 2 * floor + 2, Data(last.hash)], containing: "continue its origin's chain")
        try seal()
        #expect(try f.store.ownStanding().sealed?.lastSeq == 2 * floor + 1)
    }

    @Test func theChangeLogIsAppendOnly() throws {
        let f = try StoreFixture()
        try f.ingest(f.records(2))
        expectRefused(f.store, "UPDATE changes SET body = '{}' WHERE seq = 1", containing: "append-only")
        expectRefused(f.store, "DELETE FROM changes WHERE seq = 2", containing: "append-only")
    }

    /// Every total `counts` and `highestSeq` give, counted row by row.
    static func countedRowByRow(_ store: NodeStore) throws -> (counts: StoreCounts, highestSeq: [String: Int64]) {
        try store.pool.read { db in
            let counts = StoreCounts(
                records: try Int.fetchOne(db, sql: "SELECT count(*) FROM records") ?? 0,
                changes: try Int.fetchOne(db, sql: "SELECT count(*) FROM changes") ?? 0,
                quarantined: try Int.fetchOne(db, sql: "SELECT count(*) FROM quarantine") ?? 0,
                late: try Int.fetchOne(db, sql: "SELECT count(*) FROM records NOT INDEXED WHERE late = 1") ?? 0)
            var seqs: [String: Int64] = [:]
            for row in try Row.fetchAll(db, sql: "SELECT origin, MAX(seq) FROM changes GROUP BY origin") { seqs[row[0]] = row[1] }
            return (counts, seqs)
        }
    }

    @Test func totalsReadWithoutCountingRowsAgreeWithCountingThem() throws {
        let f = try StoreFixture()
        func expectAgreement(_ step: String) throws {
            let counted = try Self.countedRowByRow(f.store)
            #expect(try f.store.counts() == counted.counts, "\(step)")
            #expect(try f.store.highestSeq() == counted.highestSeq, "\(step)")
        }
        try expectAgreement("empty")
        let records = f.records(40)
        try f.ingest(records)
        try expectAgreement("ingested")
        // Duplicates, a correction (a new change, no new record) and a refused row.
        var corrected = records[3]
        corrected.fieldsJSON = corrected.fieldsJSON.replacingOccurrences(of: "\"CF_NR\":\"", with: "\"CF_NR\":\"更正：")
        _ = try f.store.ingest(source: f.source) { writer in
            for r in records.prefix(10) + [corrected] { try writer.put(r) }
            try writer.reject(line: 12, raw: "甲,乙", kind: "penalty", issues: [ValidationIssue(code: "required", message: "m")])
        }
        try expectAgreement("corrected")
        // A run that fails writes nothing, and the next one leaves no hole in either table's ids.
        struct Boom: Error {}
        #expect(throws: Boom.self) {
            try f.store.ingest(source: f.source) { writer in
                for r in f.records(5, seed: 2) { try writer.put(r) }
                throw Boom()
            }
        }
        try f.ingest(f.records(7, seed: 3))
        try expectAgreement("after a failed run")
        // Other origins' changes, a refused one among them, and a late record.
        expectRefused(f.store, Self.insertChange, ["420102002202", 2], containing: "without a gap")
        try f.store.pool.write { db in
            for seq in 1...3 { try db.execute(sql: Self.insertChange, arguments: ["420102002202", seq]) }
            try db.execute(sql: Self.insertChange, arguments: ["420102002101", 1])
            try db.execute(
                sql: """
                    INSERT INTO records (record_key, kind, jurisdiction, publication_deadline, late, content_change, updated_hlc)
                    VALUES ('penalty|late', 'penalty', '420102002202', '2026-11-02', 1, (SELECT MAX(id) FROM changes), 1)
                    """)
        }
        try expectAgreement("other origins and a late record")
        let totals = try f.store.counts()
        #expect(totals.records == 48 && totals.changes == 52 && totals.quarantined == 1 && totals.late >= 1, "\(totals)")
        #expect(try f.store.highestSeq() == ["420102002201": 48, "420102002202": 3, "420102002101": 1])
    }

    @Test func aStoreFromBeforeV6CountsItsLateRecordsAfterTheUpgrade() throws {
        let dir = try TemporaryDirectory()
        let path = dir.path("node.sqlite")
        NodeStore.processSettings()  // as any store opened in this process
        let queue = try DatabaseQueue(path: path)
        try Migrations.migrator.migrate(queue, upTo: "v5-apply-queue")
        try queue.write { db in
            try db.execute(sql: "INSERT INTO node (id, code, created_at) VALUES (1, '420102002201', 1)")
            for seq in 1...3 { try db.execute(sql: Self.insertChange, arguments: ["420102002201", seq]) }
            for (i, late) in [1, 0, 1].enumerated() {
                try db.execute(
                    sql: """
                        INSERT INTO records (record_key, kind, jurisdiction, publication_deadline, late, content_change, updated_hlc)
                        VALUES (?, 'penalty', '420102002201', '2026-11-02', ?, ?, 1)
                        """, arguments: ["penalty|k\(i)", late, i + 1])
            }
        }
        try queue.close()
        let store = try NodeStore(path: path, node: try DivisionCode("420102002201"))
        #expect(try store.counts() == StoreCounts(records: 3, changes: 3, quarantined: 0, late: 2))
        #expect(try Self.countedRowByRow(store).counts == store.counts())
    }

    @Test func recordsAreNeverDeletedAndTheirLatenessNeverChanges() throws {
        let f = try StoreFixture()
        try f.ingest(f.records(3))
        try f.store.pool.write { db in
            try db.execute(sql: "UPDATE records SET publication_deadline = '2026-11-02' WHERE publication_deadline IS NULL")
        }
        expectRefused(f.store, "DELETE FROM records WHERE id = 1", containing: "never deleted")
        expectRefused(f.store, "UPDATE records SET late = 1 - late", containing: "decided on arrival")
        // The accepted cases: other columns change, and `late` may be written with its own value.
        try f.store.pool.write { db in
            try db.execute(sql: "UPDATE records SET state = 'withdrawn', late = late WHERE id = 1")
        }
        #expect(try f.store.counts().records == 3)
    }

    @Test func recordsKeepTheirShape() throws {
        let f = try StoreFixture()
        try f.ingest(f.records(1))
        expectRefused(f.store, "UPDATE records SET state = 'gone'")
        expectRefused(f.store, "UPDATE records SET late = 1, publication_deadline = NULL")
        expectRefused(f.store, "UPDATE records SET jurisdiction = '42010200220'")
        expectRefused(f.store, "UPDATE records SET decision_date = '2026/11/20'")
        expectRefused(f.store, "UPDATE records SET content_change = 999")
        expectRefused(
            f.store,
            "INSERT INTO records (record_key, kind, jurisdiction, late, content_change, updated_hlc) SELECT record_key, kind, jurisdiction, 0, content_change, 1 FROM records"
        )
        expectRefused(f.store, "INSERT INTO quarantine (ingest_id, line, kind, reasons, raw, raw_digest) VALUES (1, 1, 'penalty', '[]', 'x', 0)")
        expectRefused(f.store, Self.insertChange.replacingOccurrences(of: "'{}'", with: "'not json'"), ["420102002201", 2])
        // The accepted case: a state the model knows.
        try f.store.pool.write { try $0.execute(sql: "UPDATE records SET state = 'objected'") }
    }
}
