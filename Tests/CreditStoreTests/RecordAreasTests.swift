import CreditDomain
import Foundation
import SyncCore
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

    static func change(_ origin: String, _ seq: Int64, op: String = "put", key: String = "penalty|K|1", jurisdiction: String, body: String)
        -> DownwardChange
    {
        let c = Change(
            origin: origin, seq: seq, hlc: HLCStamp(rawValue: 1_000 + seq), enteredAtMilliseconds: 1_760_000_000_000, op: op, kind: "penalty",
            key: key,
            jurisdiction: jurisdiction, body: body)
        return DownwardChange(
            change: c, dates: RecordDates(subject: "S"), setOrigin: origin, setFirstSeq: seq, signedHeader: [UInt8(seq)], leafIndex: 0, proof: [])
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
        let village = try DivisionCode(Fixture.villages[1])
        _ = try s.applyDownward(
            parent: parent, [Self.change(Self.county, 1, jurisdiction: Fixture.villages[1], body: "{\"CF_NR\":\"更正\"}")], next: 1, now: Date())
        _ = try s.applyDownward(
            parent: parent,
            [
                Self.change(Self.elsewhere, 1, op: "status", jurisdiction: Self.elsewhere, body: Self.objection),
                Self.change(Self.elsewhere, 2, op: "status", key: "penalty|K|2", jurisdiction: Self.elsewhere, body: Self.objection),
            ], next: 3, now: Date())
        let page = try s.downwardPage(child: village, after: 0, limit: 10)
        #expect(
            page.items.map { "\($0.change.origin) \($0.change.op) \($0.change.key)" } == [
                "\(Self.county) put penalty|K|1", "\(Self.elsewhere) status penalty|K|1",
            ])
        #expect(try opened.store.record(key: "penalty|K|1")?.state == "objected")
        #expect(try s.downwardPage(child: try DivisionCode(Fixture.villages[0]), after: 0, limit: 10).items.isEmpty)
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
}
