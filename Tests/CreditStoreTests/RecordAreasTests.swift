import CreditDomain
import Foundation
import GRDB
import SyncCore
import TestSupport
import Testing

@testable import CreditStore

/// How a township's store routes the changes of a record whose versions named different areas
/// (`Router`), on the contract tests' township and its two villages.
@Suite("Routing a record that moved")
struct RecordAreasTests {
    typealias Fixture = SyncStoreContractTests
    static let county = "420102000000"
    /// A village of another township: the area the record lay in before the correction.
    static let elsewhere = "420102003201"

    static func change(
        _ origin: String, _ seq: Int64, op: String = "put", kind: String = "penalty", key: String = "penalty|K|1", jurisdiction: String, body: String,
        dates: RecordDates = RecordDates(subject: "S")
    )
        -> DownwardChange
    {
        let c = Change(
            origin: origin, seq: seq, hlc: HLCStamp(rawValue: 1_000 + seq), enteredAtMilliseconds: 1_760_000_000_000, op: op, kind: kind,
            key: key,
            jurisdiction: jurisdiction, body: body)
        return DownwardChange(change: c, dates: dates, setOrigin: origin, setFirstSeq: seq, signedHeader: [UInt8(seq)], leafIndex: 0, proof: [])
    }

    /// The township gives the second village the correction, then the objection; the first
    /// village nothing; the record is under objection here.
    static func expectTheSecondVillageGivenTheCorrectionThenTheObjection(_ opened: Fixture.Opened) throws {
        let page = try opened.sync.downwardPage(child: try DivisionCode(Fixture.villages[1]), after: 0, limit: 10)
        #expect(
            page.items.map { "\($0.change.origin) \($0.change.op) \($0.change.key)" } == [
                "\(Self.county) put penalty|K|1", "\(Self.elsewhere) status penalty|K|1",
            ])
        #expect(try opened.store.record(key: "penalty|K|1")?.state == "objected")
        #expect(try opened.sync.downwardPage(child: try DivisionCode(Fixture.villages[0]), after: 0, limit: 10).items.isEmpty)
    }

    static let objection = StatusChange(action: .objectionOpened, date: CivilDate(year: 2026, month: 3, day: 2)!, reason: "信用主体提出异议", unit: "某局")
        .canonicalBody

    /// The correction came down naming the second village; the objection its first origin entered
    /// before the correction reached it names the area the record left. The township holds the
    /// record in the second village: the objection goes there. An objection of a record not held
    /// here, naming another area, goes nowhere.
    @Test(arguments: Fixture.Backing.allCases) func aStatusChangeNamingTheAreaARecordLeftGoesWhereTheRecordLiesHere(_ backing: Fixture.Backing) throws
    {
        let opened = try Fixture.open(backing)
        let s = opened.sync
        let parent = try DivisionCode(Self.county)
        _ = try s.applyDownward(
            parent: parent, [Self.change(Self.county, 1, jurisdiction: Fixture.villages[1], body: "{\"CF_NR\":\"更正\"}")], next: 1, now: Date())
        _ = try s.applyDownward(
            parent: parent,
            [
                Self.change(Self.elsewhere, 1, op: "status", jurisdiction: Self.elsewhere, body: Self.objection),
                Self.change(Self.elsewhere, 2, op: "status", key: "penalty|K|2", jurisdiction: Self.elsewhere, body: Self.objection),
            ], next: 3, now: Date())
        try Self.expectTheSecondVillageGivenTheCorrectionThenTheObjection(opened)
    }

    /// The objection arrives before the record does: it names the area the record left (entered
    /// before the correction reached its origin) and goes nowhere; the correction that follows
    /// creates the record here in the second village, which is then given the record and,
    /// after it, the objection — the other village neither. (A seed of the simulation found a
    /// village without the objection its record was under everywhere else.)
    @Test(arguments: Fixture.Backing.allCases) func aStatusChangeThatCameBeforeItsRecordFollowsTheRecordDown(_ backing: Fixture.Backing) throws {
        let opened = try Fixture.open(backing)
        let s = opened.sync
        let parent = try DivisionCode(Self.county)
        let village = try DivisionCode(Fixture.villages[1])
        _ = try s.applyDownward(
            parent: parent, [Self.change(Self.elsewhere, 1, op: "status", jurisdiction: Self.elsewhere, body: Self.objection)], next: 1, now: Date())
        #expect(try s.downwardPage(child: village, after: 0, limit: 10).items.isEmpty)
        _ = try s.applyDownward(
            parent: parent, [Self.change(Self.county, 1, jurisdiction: Fixture.villages[1], body: "{\"CF_NR\":\"更正\"}")], next: 2, now: Date())
        try Self.expectTheSecondVillageGivenTheCorrectionThenTheObjection(opened)
    }

    /// A village's older version arrives after the correction that moved the record: the first
    /// village is given the correction and the objection again, after its cursor, though both
    /// are earlier in the township's log; the village the correction names receives the older
    /// version for its log only (it loses there too).
    @Test(arguments: Fixture.Backing.allCases) func aChildNewlyConcernedIsGivenTheWinnerAndTheStatusChangesAfterItsCursor(_ backing: Fixture.Backing)
        throws
    {
        let opened = try Fixture.open(backing)
        let s = opened.sync
        let parent = try DivisionCode(Self.county)
        let first = try DivisionCode(Fixture.villages[0])
        _ = try s.applyDownward(
            parent: parent,
            [
                Self.change(Self.county, 1, jurisdiction: Fixture.villages[1], body: "{\"CF_NR\":\"更正\"}"),
                Self.change(Self.county, 2, op: "status", jurisdiction: Fixture.villages[1], body: Self.objection),
            ], next: 2, now: Date())
        let before = try s.downwardPage(child: first, after: 0, limit: 10)
        #expect(before.items.isEmpty)
        // The first village's own version, older, sent up late.
        var older = Fixture.chain(Fixture.villages[0], sizes: [1])
        older[0].changes[0].key = "penalty|K|1"
        older[0].changes[0].hlc = HLCStamp(rawValue: 500)
        _ = try Fixture.accept(older, into: s)
        _ = try Fixture.applyAll(s, sets: older, slice: 100)
        #expect(try opened.store.record(key: "penalty|K|1")?.origin == Self.county)
        let after = try s.downwardPage(child: first, after: before.next, limit: 10)
        #expect(after.items.map { "\($0.change.origin) \($0.change.seq)" } == ["\(Self.county) 1", "\(Self.county) 2"])
        #expect(after.next > before.next)
        let second = try s.downwardPage(child: try DivisionCode(Fixture.villages[1]), after: 0, limit: 10)
        #expect(second.items.map { "\($0.change.origin) \($0.change.seq)" } == ["\(Self.county) 1", "\(Self.county) 2", "\(Fixture.villages[0]) 1"])
    }
    /// A village keeps the areas of a record a correction moved away, as its parents do; its
    /// public listings and their counts then leave the record out (the node of its new area
    /// publishes it), while the red and black lists, held everywhere, stay listed wherever they
    /// lie, and a scope without an area (an office's own lists) still has everything held.
    @Test(arguments: Fixture.Backing.allCases) func aVillageListsAndCountsNoRecordThatMovedAway(_ backing: Fixture.Backing) throws {
        let dir = try TemporaryDirectory()
        let options = backing == .memory ? StoreOptions(durable: false, memory: try MemoryDatabase()) : StoreOptions(durable: false)
        let village = try DivisionCode(Fixture.villages[0])
        let store = try NodeStore(path: dir.path("v.sqlite"), node: village, routes: Routes(networkWideKinds: ["blacklist"]), options: options)
        let parent = try DivisionCode(Fixture.township)
        let decided = RecordDates(decision: CivilDate(year: 2026, month: 3, day: 1), subject: "S")
        let put = { (seq: Int64, kind: String, key: String, area: String) in
            Self.change(Fixture.township, seq, kind: kind, key: key, jurisdiction: area, body: "{}", dates: decided)
        }
        _ = try store.applyDownward(
            parent: parent,
            [
                put(1, "penalty", "penalty|K|1", village.digits), put(2, "penalty", "penalty|K|2", village.digits),
                put(3, "blacklist", "blacklist|B|1", Self.elsewhere),
            ], next: 3)
        var scope = PublicScope(kinds: ["penalty", "blacklist"], today: "2026-03-02")
        scope.area = village.areaPrefix
        scope.networkWideKinds = ["blacklist"]
        let listed = { (s: PublicScope) in try store.listing(ListingQuery(kinds: ["penalty", "blacklist"], limit: 10), scope: s).map(\.key).sorted() }
        let all = ["blacklist|B|1", "penalty|K|1", "penalty|K|2"]
        #expect(try listed(scope) == all)
        #expect(try store.publicCounts(scope: scope) == ["penalty": 2, "blacklist": 1])

        // The correction names a village of another township.
        _ = try store.applyDownward(parent: parent, [put(4, "penalty", "penalty|K|1", Self.elsewhere)], next: 4)
        let areas = try store.read { db in try String.fetchAll(db, sql: "SELECT jurisdiction FROM record_areas WHERE record_key = 'penalty|K|1'") }
        #expect(Set(areas) == [village.digits, Self.elsewhere])
        #expect(try listed(scope) == ["blacklist|B|1", "penalty|K|2"])
        #expect(try store.publicCounts(scope: scope) == ["penalty": 1, "blacklist": 1])
        // A listing filtered by a region of the area is unchanged; the record itself is still held.
        var region = ListingQuery(kinds: ["penalty"], limit: 10)
        region.regionPrefix = village.areaPrefix
        #expect(try store.listing(region, scope: scope).map(\.key) == ["penalty|K|2"])
        #expect(try store.record(key: "penalty|K|1")?.jurisdiction == Self.elsewhere)
        scope.area = nil
        #expect(try listed(scope) == all)
        #expect(try store.publicCounts(scope: scope) == ["penalty": 2, "blacklist": 1])

        // A store whose village met the correction before it kept areas counted the record
        // still; migration v28 finds the record's areas from its versions.
        try store.write { db in try db.execute(sql: "DELETE FROM record_areas") }
        scope.area = village.areaPrefix
        #expect(try store.publicCounts(scope: scope) == ["penalty": 2, "blacklist": 1])
        try store.write { db in try Migrations.v28RecordsThatMovedEverywhere(db) }
        #expect(try store.publicCounts(scope: scope) == ["penalty": 1, "blacklist": 1])
        #expect(try listed(scope) == ["blacklist|B|1", "penalty|K|2"])
        let found = try store.read { db in try String.fetchAll(db, sql: "SELECT record_key || ' ' || jurisdiction FROM record_areas ORDER BY 1") }
        #expect(found == ["penalty|K|1 \(Self.elsewhere)", "penalty|K|1 \(village.digits)"].sorted())
    }
}
