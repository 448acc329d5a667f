import CreditDomain
import Foundation
import Testing

@testable import CreditStore

/// What the simulator relies on: a store in memory that behaves as the file does and outlives a
/// restart, and commits it can fail on purpose, rolled back whole.
@Suite("Stores under simulation")
struct SimulatedStoreTests {
    @Test func aFailedCommitRollsBackWholeAndOnlyThePlannedOneFails() throws {
        let f = try StoreFixture()
        let faults = StoreFaults()
        let store = try NodeStore(path: f.dir.path("faulty.sqlite"), node: f.node, options: StoreOptions(durable: false, faults: faults))
        let records = f.records(30)
        let ingest = { (slice: ArraySlice<ValidatedRecord>) in
            _ = try store.ingest(source: f.source) { writer in for r in slice { try writer.put(r) } }
        }
        // One commit let through, the next failed: the first ten stored, the next ten not at all.
        faults.failCommit(after: 1)
        #expect(faults.armed)
        _ = try ingest(records[0..<10])
        #expect(throws: StoreError.self) { try ingest(records[10..<20]) }
        #expect(!faults.armed)
        #expect(try store.counts().records == 10)
        #expect(try store.highestSeq()[f.node.digits] == 10)
        // Later commits go through; the failed rows can be entered again.
        _ = try ingest(records[10..<30])
        #expect(try store.counts().records == 30 && store.changeLogTally() == ChangeLogTally(changes: 30, distinct: 30, statusWithoutRecord: 0))
        // A failure planned and cleared never happens.
        faults.failCommit(after: 0)
        faults.clear()
        _ = try store.ingest(source: f.source) { _ in }
    }

    @Test func aStoreInMemoryIsTheSameSchemaKeptAcrossARestartAndNotShared() throws {
        let f = try StoreFixture()
        let memory = try MemoryDatabase()
        let options = StoreOptions(durable: false, memory: memory)
        let first = try NodeStore(path: "memory", node: f.node, options: options)
        _ = try first.ingest(source: f.source) { writer in for r in f.records(12) { try writer.put(r) } }
        // The tables and indexes of a store on file, and the page size of a simulated one.
        let schema = { (s: NodeStore) in try s.pool.read { try String.fetchAll($0, sql: "SELECT name FROM sqlite_master ORDER BY name") } }
        #expect(try schema(first) == schema(f.store))
        #expect(try first.pragma("page_size") == "1024")
        // A restart: a new store on the same database finds what was committed.
        let reopened = try NodeStore(path: "memory", node: f.node, options: options)
        #expect(try reopened.counts().records == 12)
        // Another node's database starts empty; a database keeps the node it was opened for.
        let other = try NodeStore(
            path: "memory", node: try DivisionCode("420102002202"), options: StoreOptions(durable: false, memory: try MemoryDatabase()))
        #expect(try other.counts().records == 0)
        #expect(throws: StoreError.self) { try NodeStore(path: "memory", node: try DivisionCode("420102002202"), options: options) }
    }
}
