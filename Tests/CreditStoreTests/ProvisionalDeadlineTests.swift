import CreditDomain
import Foundation
import GRDB
import Testing

@testable import CreditStore

@Suite("Provisional deadlines")
struct ProvisionalDeadlineTests {
    func day(_ s: String) -> CivilDate { CivilDate.parse(s)! }

    /// 2027 as a test's official schedule: 1–5 January off.
    static let official2027 = YearSchedule(
        year: 2027, source: "test",
        daysOff: [.init(from: CivilDate(year: 2027, month: 1, day: 1)!, to: CivilDate(year: 2027, month: 1, day: 5)!, name: "元旦")],
        workingWeekends: [])

    /// Three records ingested on 2027-01-08: two decided at the end of 2026 whose seventh working
    /// day falls in 2027 (provisional: 7 and 8 January; the first late), and one of November 2026.
    func fixture() throws -> (f: StoreFixture, keys: [String]) {
        let f = try StoreFixture()
        var records = f.records(3)
        for (i, decided) in ["2026-12-28", "2026-12-29"].enumerated() {
            let deadline = try f.calendar.deadline(workingDays: 7, after: day(decided))
            #expect(deadline.provisional)
            records[i].decisionDate = day(decided)
            records[i].publicationDeadline = deadline.date
            records[i].deadlineProvisional = true
            records[i].late = day("2027-01-08") > deadline.date
        }
        #expect(records.map(\.late).prefix(2) == [true, false])
        let entered = Date(timeIntervalSince1970: Double(day("2027-01-08").dayNumber) * 86_400 + 2 * 3600)
        _ = try f.store.ingest(source: f.source, now: entered) { writer in for r in records { try writer.put(r) } }
        return (f, records.map(\.key))
    }

    func settle(_ store: NodeStore, with calendar: WorkingCalendar) throws -> SettledDeadlines {
        try store.settleProvisionalDeadlines { _, decision in try? calendar.deadline(workingDays: 7, after: decision) }
    }

    func late(_ store: NodeStore, _ key: String) throws -> (deadline: String?, late: Bool) {
        try store.pool.read { db in
            let row = try #require(try Row.fetchOne(db, sql: "SELECT publication_deadline, late FROM records WHERE record_key = ?", arguments: [key]))
            return (row[0], row[1])
        }
    }

    @Test func settledOnceWhenTheOfficialScheduleArrives() throws {
        let (f, keys) = try fixture()
        #expect(try f.store.counts().provisionalDeadlines == 2)
        #expect(try f.store.provisionalDeadlineKeys(among: keys) == Set(keys.prefix(2)))
        let lateBefore = try f.store.counts().late

        // Without 2027's official schedule nothing is settled.
        let waiting = try settle(f.store, with: f.calendar)
        #expect(waiting.settled == 0 && waiting.stillProvisional == 2)
        #expect(try late(f.store, keys[0]) == ("2027-01-07", true))

        // With it, 4 and 5 January are off too: deadlines move to 11 and 12 January, nobody late.
        let official = try WorkingCalendar(schedules: Array(f.calendar.years.values) + [Self.official2027])
        let report = try settle(f.store, with: official)
        #expect(report.settled == 2 && report.lateBefore == 1 && report.lateAfter == 0 && report.years == [2027] && report.stillProvisional == 0)
        #expect(try late(f.store, keys[0]) == ("2027-01-11", false))
        #expect(try late(f.store, keys[1]) == ("2027-01-12", false))
        #expect(try f.store.counts().late == lateBefore - 1)
        #expect(try f.store.counts().provisionalDeadlines == 0)

        // Once: a second arrival settles nothing, and the settled flags are fixed again.
        #expect(try settle(f.store, with: official).settled == 0)
        StoreInvariantTests().expectRefused(
            f.store, "UPDATE records SET late = 1 WHERE record_key = ?", [keys[0]], containing: "provisional deadline is settled")
    }

    @Test func onlyAProvisionalDeadlineMayChange() throws {
        let (f, keys) = try fixture()
        // The refused cases: a record whose deadline was official on arrival.
        StoreInvariantTests().expectRefused(
            f.store, "UPDATE records SET late = 1 - late WHERE record_key = ?", [keys[2]], containing: "decided on arrival")
        StoreInvariantTests().expectRefused(
            f.store, "UPDATE records SET publication_deadline = '2026-12-31' WHERE record_key = ?", [keys[2]], containing: "decided on arrival")
        // The accepted case: a provisional one, while it still has its mark.
        try f.store.pool.write { db in
            try db.execute(sql: "UPDATE records SET late = 0, publication_deadline = '2027-01-09' WHERE record_key = ?", arguments: [keys[0]])
        }
    }
}
