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
        #expect(calendar.years.keys.sorted() == Array(2015...2026))
        for year in calendar.years.values.sorted(by: { $0.year < $1.year }) {
            #expect(year.source.contains("国务院办公厅关于\(year.year)年部分节假日安排的通知"), "\(year.year) cites its notice")
        }
    }

    /// Days the notices of 2015–2024 moved: amended, extended, special, or across the year end.
    @Test(arguments: [
        ("2015-09-03", false), ("2015-09-06", true), ("2016-10-09", true), ("2017-01-02", false), ("2017-05-02", true),
        ("2018-12-29", true), ("2018-12-31", false), ("2019-05-03", false), ("2019-05-05", true), ("2020-01-31", false),
        ("2020-02-01", false), ("2020-02-03", true), ("2021-09-18", true), ("2022-04-02", true), ("2023-01-02", false),
        ("2023-10-07", true), ("2024-02-09", true), ("2024-02-18", true), ("2024-09-14", true), ("2024-10-12", true),
    ])
    func historicSchedules(date: String, working: Bool) throws {
        #expect(try calendar.isWorkingDay(day(date)) == working)
        #expect(calendar.isOfficial(year: day(date).year))
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

    @Test func aYearWithoutAFileCountsItsStatutoryHolidaysProvisionally() throws {
        #expect(!calendar.isOfficial(year: 2027))
        // Near year end, the deadline runs into 2027: 1 January (元旦) off, no 调休.
        let d = try calendar.deadline(workingDays: 7, after: day("2026-12-28"))
        #expect(d == Deadline(date: day("2027-01-07"), provisional: true))
        #expect(try calendar.deadline(workingDays: 7, after: day("2026-11-20")) == Deadline(date: day("2026-12-01"), provisional: false))
        // 2027: 除夕 5 Feb to 初三 8 Feb; 清明 5 Apr; 1–2 May; 端午 9 Jun; 中秋 15 Sep; 1–3 Oct.
        for off in ["2027-01-01", "2027-02-05", "2027-02-08", "2027-04-05", "2027-05-03", "2027-06-09", "2027-09-15", "2027-10-01", "2027-10-04"] {
            let date = day(off)
            #expect(try calendar.isWorkingDay(date) == (off == "2027-05-03" || off == "2027-10-04"), "\(off)")
        }
        #expect(try calendar.isWorkingDay(day("2027-02-09")))
        #expect(try !calendar.isWorkingDay(day("2027-02-06")))  // a Saturday: no 调休 provisionally
    }

    @Test func aYearTheStatuteDoesNotCoverIsAnError() {
        do {
            _ = try calendar.isWorkingDay(day("1948-12-31"))
            Issue.record("guessed a 1948 calendar")
        } catch {
            #expect(error.code == .yearMissing)
            #expect(error.year == 1948)
            #expect(error.message.contains("1948.json"))
        }
        #expect(throws: CalendarError.self) { try calendar.deadline(workingDays: 7, after: day("2100-12-28")) }
    }

    /// Every statutory holiday the provisional schedule computes is a day off in the official
    /// schedule of the same year (元旦, 春节 初一–初三, 清明, 端午, 中秋, 国庆 1–3 October), 2015–2026;
    /// 除夕 and 2 May became statutory in 2025.
    @Test func provisionalHolidaysAreOfficialDaysOff() throws {
        for year in 2015...2026 {
            let provisional = try #require(ProvisionalSchedule.schedule(year))
            for range in provisional.daysOff {
                for n in range.from.dayNumber...range.to.dayNumber {
                    let date = CivilDate(dayNumber: n)
                    if year < 2025 && ((range.name == "春节" && n == range.from.dayNumber) || (range.name == "劳动节" && date.day == 2)) { continue }
                    #expect(try !calendar.isWorkingDay(date), "\(year) \(range.name) \(date) is off")
                }
            }
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

@Suite("Chinese calendar")
struct ChineseCalendarTests {
    func day(_ s: String) -> CivilDate { CivilDate.parse(s)! }

    /// Meeus, Astronomical Algorithms, examples 49.a and 25.b.
    @Test func astronomyAgreesWithMeeusExamples() {
        #expect(abs(Astronomy.newMoon(-283) - 2_443_192.651_18) < 0.000_01)
        #expect(abs(Astronomy.sunLongitude(2_448_908.5) - (199 + 54.0 / 60 + 21.818 / 3600)) < 1.0 / 3600)
    }

    /// 正月初一, 端午, 中秋 and 清明, 2015–2035, as published (2034 follows the leap 11th month of 2033).
    @Test(arguments: [
        (2015, "02-19", "06-20", "09-27", "04-05"), (2016, "02-08", "06-09", "09-15", "04-04"), (2017, "01-28", "05-30", "10-04", "04-04"),
        (2018, "02-16", "06-18", "09-24", "04-05"), (2019, "02-05", "06-07", "09-13", "04-05"), (2020, "01-25", "06-25", "10-01", "04-04"),
        (2021, "02-12", "06-14", "09-21", "04-04"), (2022, "02-01", "06-03", "09-10", "04-05"), (2023, "01-22", "06-22", "09-29", "04-05"),
        (2024, "02-10", "06-10", "09-17", "04-04"), (2025, "01-29", "05-31", "10-06", "04-04"), (2026, "02-17", "06-19", "09-25", "04-05"),
        (2027, "02-06", "06-09", "09-15", "04-05"), (2028, "01-26", "05-28", "10-03", "04-04"), (2029, "02-13", "06-16", "09-22", "04-04"),
        (2030, "02-03", "06-05", "09-12", "04-05"), (2031, "01-23", "06-24", "10-01", "04-05"), (2032, "02-11", "06-12", "09-19", "04-04"),
        (2033, "01-31", "06-01", "09-08", "04-04"), (2034, "02-19", "06-20", "09-27", "04-05"), (2035, "02-08", "06-10", "09-16", "04-05"),
    ])
    func festivals(year: Int, newYear: String, duanwu: String, midAutumn: String, qingming: String) {
        #expect(ChineseCalendar.newYear(year) == day("\(year)-\(newYear)"))
        #expect(ChineseCalendar.date(year: year, month: 5, day: 5) == day("\(year)-\(duanwu)"))
        #expect(ChineseCalendar.date(year: year, month: 8, day: 15) == day("\(year)-\(midAutumn)"))
        #expect(ChineseCalendar.qingming(year) == day("\(year)-\(qingming)"))
    }

    @Test func leapMonths() {
        func leap(_ year: Int) -> [Int] { ChineseCalendar.months(endingIn: year).filter(\.leap).map(\.number) }
        #expect(leap(2020) == [4])
        #expect(leap(2023) == [2])
        #expect(leap(2025) == [6])
        #expect(leap(2034) == [11])  // 闰十一月 of lunar 2033
        #expect(leap(2024) == [])
    }

    @Test func theProvisionalScheduleIsTheStatute() throws {
        let s = try #require(ProvisionalSchedule.schedule(2027))
        #expect(s.workingWeekends.isEmpty)
        #expect(s.daysOff.map(\.name) == ["元旦", "春节", "清明节", "劳动节", "端午节", "中秋节", "国庆节"])
        #expect(s.daysOff.reduce(0) { $0 + $1.to.dayNumber - $1.from.dayNumber + 1 } == 13)
        #expect(ProvisionalSchedule.schedule(1948) == nil && ProvisionalSchedule.schedule(2101) == nil)
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
