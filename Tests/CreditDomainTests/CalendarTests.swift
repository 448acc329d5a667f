import Foundation
import Testing

@testable import CreditDomain

@Suite("Civil dates")
struct CivilDateTests {
    @Test(arguments: ["2025-03-07", "2025/3/7", "2025.03.07", "20250307", "2025年3月7日", "2025-03-07 00:00:00", "2025-03-07T08:00:00"])
    func acceptedForms(text: String) {
        #expect(CivilDate.parse(text) == CivilDate(year: 2025, month: 3, day: 7))
    }

    @Test(arguments: ["2025-02-29", "2025-13-01", "2025-00-10", "25-03-07", "2025-03", "2025-03-07-01", "去年五月", "2025/03-07", "2025年3月7", ""])
    func refusedForms(text: String) {
        #expect(CivilDate.parse(text) == nil)
    }

    @Test func isoFormRoundTrips() {
        #expect(CivilDate(year: 2025, month: 3, day: 7)!.iso == "2025-03-07")
        #expect(CivilDate(year: 2026, month: 12, day: 31)!.iso == "2026-12-31")
        #expect(CivilDate(year: 1000, month: 10, day: 10)!.iso == "1000-10-10")
        #expect(CivilDate(year: 999, month: 1, day: 2)!.iso == "999-01-02")
        for n in stride(from: -1000, through: 30000, by: 37) {
            let date = CivilDate(dayNumber: n)
            #expect(CivilDate.parse(date.iso) == date)
        }
    }

    @Test func leapYears() {
        #expect(CivilDate(year: 2024, month: 2, day: 29) != nil)
        #expect(CivilDate(year: 2100, month: 2, day: 29) == nil)
        #expect(CivilDate(year: 2000, month: 2, day: 29) != nil)
    }

    @Test func dayNumbersRoundTripAndWeekdays() {
        for n in stride(from: -1000, through: 30000, by: 37) {
            #expect(CivilDate(dayNumber: n).dayNumber == n)
        }
        #expect(CivilDate(year: 1970, month: 1, day: 1)!.dayNumber == 0)
        #expect(CivilDate(year: 2026, month: 11, day: 21)!.isoWeekday == 6)  // a Saturday
        #expect(CivilDate(year: 2025, month: 10, day: 1)!.isoWeekday == 3)
    }

    @Test func chinaTimeIsUTCPlusEight() {
        // 2026-11-20 16:30 UTC is already 21 November in China.
        let instant = Date(timeIntervalSince1970: Double(CivilDate(year: 2026, month: 11, day: 20)!.dayNumber) * 86_400 + 16.5 * 3600)
        #expect(ChinaTime.date(instant) == CivilDate(year: 2026, month: 11, day: 21))
        #expect(ChinaTime.timestamp(instant) == "2026-11-21T00:30:00+08:00")
    }
}

@Suite("Working days")
struct WorkingCalendarTests {
    let calendar: WorkingCalendar
    init() throws { calendar = try WorkingCalendar.load() }

    func day(_ s: String) -> CivilDate { CivilDate.parse(s)! }

    @Test func shippedYears() {
        #expect(calendar.years.keys.sorted() == [2025, 2026])
    }

    @Test(arguments: [
        ("2025-01-01", false), ("2025-01-26", true), ("2025-01-28", false), ("2025-02-04", false), ("2025-02-05", true),
        ("2025-02-08", true), ("2025-04-27", true), ("2025-05-05", false), ("2025-09-28", true), ("2025-10-08", false),
        ("2025-10-11", true), ("2025-10-12", false), ("2025-11-21", true), ("2026-01-03", false), ("2026-01-04", true),
        ("2026-02-14", true), ("2026-02-23", false), ("2026-02-28", true), ("2026-05-09", true), ("2026-06-19", false),
        ("2026-09-20", true), ("2026-10-07", false), ("2026-10-10", true), ("2026-11-21", false), ("2026-11-23", true),
    ])
    func schedule(date: String, working: Bool) throws {
        #expect(try calendar.isWorkingDay(day(date)) == working)
    }

    @Test func sevenWorkingDaysAcrossTheNationalHoliday() throws {
        // 26 Sep 2025 (Fri): 28 Sep (Sun, working), 29, 30, then 1–8 Oct off, 9, 10, 11 (Sat, working), 13.
        #expect(try calendar.addingWorkingDays(7, to: day("2025-09-26")) == day("2025-10-13"))
        #expect(try calendar.addingWorkingDays(7, to: day("2026-11-20")) == day("2026-12-01"))
    }

    @Test func aYearWithoutAFileIsAnError() {
        #expect(throws: CalendarError.self) { try calendar.isWorkingDay(day("2027-01-04")) }
        #expect(throws: CalendarError.self) { try calendar.isWorkingDay(day("2024-12-31")) }
        // Near year end, the deadline runs into 2027, for which no schedule is shipped.
        do {
            _ = try calendar.addingWorkingDays(7, to: day("2026-12-28"))
            Issue.record("guessed a 2027 deadline")
        } catch {
            #expect(error.code == .yearMissing)
            #expect(error.year == 2027)
            #expect(error.message.contains("2027.json"))
        }
    }

    @Test func invalidSchedulesAreRefused() {
        let weekday = YearSchedule(year: 2025, source: "test", daysOff: [], workingWeekends: [day("2025-03-05")])
        #expect(throws: CalendarError.self) { try WorkingCalendar(schedules: [weekday]) }
        let otherYear = YearSchedule(year: 2025, source: "test", daysOff: [.init(from: day("2026-01-01"), to: day("2026-01-02"), name: "x")], workingWeekends: [])
        #expect(throws: CalendarError.self) { try WorkingCalendar(schedules: [otherYear]) }
    }

    @Test func overridesAddAYear() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("cal-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        try Data(#"{"year":2027,"source":"test","daysOff":[{"from":"2027-01-01","to":"2027-01-01","name":"元旦"}],"workingWeekends":[]}"#.utf8)
            .write(to: dir.appendingPathComponent("2027.json"))
        let extended = try WorkingCalendar.load(overrides: dir)
        #expect(try extended.isWorkingDay(day("2027-01-01")) == false)
        #expect(try extended.isWorkingDay(day("2027-01-04")) == true)
        // A file named for another year is refused.
        try Data(#"{"year":2028,"source":"test","daysOff":[],"workingWeekends":[]}"#.utf8).write(to: dir.appendingPathComponent("2029.json"))
        #expect(throws: CalendarError.self) { try WorkingCalendar.load(overrides: dir) }
    }
}

@Suite("Hybrid logical clock")
struct HybridLogicalClockTests {
    @Test func stampsNeverGoBackwards() {
        var clock = HybridLogicalClock()
        let a = clock.tick(nowMilliseconds: 1000)
        let b = clock.tick(nowMilliseconds: 1000)
        let c = clock.tick(nowMilliseconds: 900)  // the wall clock stepped back
        let d = clock.tick(nowMilliseconds: 2000)
        #expect(a < b && b < c && c < d)
        #expect(b.milliseconds == 1000 && b.counter == 1)
        #expect(d == HLCStamp(milliseconds: 2000, counter: 0))
    }

    @Test func observingARemoteStampMovesPastIt() {
        var clock = HybridLogicalClock()
        let remote = HLCStamp(milliseconds: 5000, counter: 3)
        let s = clock.observe(remote, nowMilliseconds: 1000)
        #expect(s > remote)
        #expect(clock.tick(nowMilliseconds: 1000) > s)
    }
}
