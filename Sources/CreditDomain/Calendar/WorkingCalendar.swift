import Foundation
import Synchronization

/// Error raised when the working-day schedule cannot answer.
public struct CalendarError: Error, Hashable, Sendable, CustomStringConvertible {
    public enum Code: String, Sendable { case yearMissing = "calendar-year-missing", invalidFile = "calendar-invalid" }
    public var code: Code
    public var message: String
    public var year: Int?
    public var description: String { message }
}

/// One year's official schedule (published each November/December by the State Council).
public struct YearSchedule: Codable, Sendable, Hashable {
    public struct DaysOff: Codable, Sendable, Hashable {
        public var from: CivilDate
        public var to: CivilDate
        public var name: String

        public init(from: CivilDate, to: CivilDate, name: String) {
            self.from = from
            self.to = to
            self.name = name
        }
    }
    public var year: Int
    /// Where the schedule comes from (the notice's title and number).
    public var source: String
    public var daysOff: [DaysOff]
    /// Saturdays and Sundays that are working days (调休).
    public var workingWeekends: [CivilDate]

    public init(year: Int, source: String, daysOff: [DaysOff], workingWeekends: [CivilDate]) {
        self.year = year
        self.source = source
        self.daysOff = daysOff
        self.workingWeekends = workingWeekends
    }
}

/// A publication deadline, and whether a year it depends on has only a provisional schedule.
public struct Deadline: Sendable, Hashable {
    public var date: CivilDate
    /// True when a day counted lies in a year without an official schedule: the date is then
    /// computed from the statutory holidays (`ProvisionalSchedule`) and settled when the year's
    /// official schedule arrives.
    public var provisional: Bool

    public init(date: CivilDate, provisional: Bool) {
        self.date = date
        self.provisional = provisional
    }
}

/// Working days: Monday to Friday, minus official days off, plus weekend days made working days.
/// Official years come from data files, one per year (the State Council's notices). A year
/// without a file is counted from its statutory holidays (`ProvisionalSchedule`) and every
/// answer that depends on it says so; only a year the statute does not cover is an error.
public struct WorkingCalendar: Sendable {
    private var off: Set<Int> = []
    private var extraWorking: Set<Int> = []
    /// The official schedules, by year.
    public private(set) var years: [Int: YearSchedule] = [:]

    public init(schedules: [YearSchedule]) throws(CalendarError) {
        for s in schedules {
            for range in s.daysOff {
                guard range.from.year == s.year, range.to.year == s.year, range.from <= range.to else {
                    throw CalendarError(
                        code: .invalidFile,
                        message: "calendar \(s.year): days off \(range.name) \(range.from)…\(range.to) must lie in \(s.year) in order", year: s.year)
                }
                for n in range.from.dayNumber...range.to.dayNumber { off.insert(n) }
            }
            for d in s.workingWeekends {
                guard d.year == s.year, d.isWeekend else {
                    throw CalendarError(
                        code: .invalidFile,
                        message: "calendar \(s.year): \(d) is listed as a weekend working day but is not a weekend day of \(s.year)", year: s.year)
                }
                extraWorking.insert(d.dayNumber)
            }
            years[s.year] = s
        }
    }

    /// Whether `year` has its official schedule (else its days off are provisional).
    public func isOfficial(year: Int) -> Bool { years[year] != nil }

    /// Whether `date` is a working day: by the official schedule of its year, or else by the
    /// statutory holidays (`ProvisionalSchedule`).
    public func isWorkingDay(_ date: CivilDate) throws(CalendarError) -> Bool {
        let n = date.dayNumber
        if years[date.year] != nil {
            if extraWorking.contains(n) { return true }
            if off.contains(n) { return false }
            return !date.isWeekend
        }
        guard let provisional = ProvisionalSchedule.schedule(date.year) else {
            throw CalendarError(
                code: .yearMissing,
                message:
                    "no working-day calendar for \(date.year): the statutory holidays cover \(ProvisionalSchedule.years.lowerBound)–\(ProvisionalSchedule.years.upperBound); add calendars/\(date.year).json with that year's schedule",
                year: date.year)
        }
        if date.isWeekend { return false }
        return !provisional.daysOff.contains { $0.from <= date && date <= $0.to }
    }

    /// The `count`-th working day after `date` (the decision day itself does not count).
    public func addingWorkingDays(_ count: Int, to date: CivilDate) throws(CalendarError) -> CivilDate {
        try deadline(workingDays: count, after: date).date
    }

    /// The `count`-th working day after `date`, marked provisional when any day counted lies in
    /// a year without an official schedule.
    public func deadline(workingDays count: Int, after date: CivilDate) throws(CalendarError) -> Deadline {
        var d = date
        var left = count
        var provisional = false
        while left > 0 {
            d = d.adding(days: 1)
            if years[d.year] == nil { provisional = true }
            if try isWorkingDay(d) { left -= 1 }
        }
        return Deadline(date: d, provisional: provisional)
    }

    /// Loads every `YYYY.json` in `directory`.
    public static func schedules(in directory: URL) throws(CalendarError) -> [YearSchedule] {
        let names: [String]
        do { names = try FileManager.default.contentsOfDirectory(atPath: directory.path) } catch {
            throw CalendarError(code: .invalidFile, message: "cannot read calendar directory \(directory.path): \(error.localizedDescription)")
        }
        var result: [YearSchedule] = []
        for name in names.sorted() where name.hasSuffix(".json") {
            let url = directory.appendingPathComponent(name)
            do {
                let s = try JSONDecoder().decode(YearSchedule.self, from: Data(contentsOf: url))
                guard name == "\(s.year).json" else {
                    throw CalendarError(code: .invalidFile, message: "\(url.path) holds the year \(s.year); name it \(s.year).json")
                }
                result.append(s)
            } catch let e as CalendarError {
                throw e
            } catch {
                throw CalendarError(code: .invalidFile, message: "\(url.path) is not a valid calendar file: \(error)")
            }
        }
        return result
    }

    /// The schedules shipped with the package, plus any in `overrides` (a year there replaces
    /// the shipped one).
    public static func load(overrides: URL? = nil) throws(CalendarError) -> WorkingCalendar {
        guard let overrides else { return try shipped() }
        return try read(overrides: overrides)
    }

    /// The shipped schedules alone, read once per process (they never change while the binary
    /// runs; a simulated province opens thousands of nodes with them).
    static func shipped() throws(CalendarError) -> WorkingCalendar {
        if let kept = shippedCalendar.withLock({ $0 }) { return kept }
        let calendar = try read(overrides: nil)
        shippedCalendar.withLock { $0 = calendar }
        return calendar
    }

    private static let shippedCalendar = Mutex<WorkingCalendar?>(nil)

    private static func read(overrides: URL?) throws(CalendarError) -> WorkingCalendar {
        let dir: URL
        switch ShippedResources.url("calendars") {
        case .success(let url): dir = url
        case .failure(let missing): throw CalendarError(code: .invalidFile, message: missing.description)
        }
        var byYear: [Int: YearSchedule] = [:]
        for s in try schedules(in: dir) { byYear[s.year] = s }
        if let overrides { for s in try schedules(in: overrides) { byYear[s.year] = s } }
        return try WorkingCalendar(schedules: byYear.values.sorted { $0.year < $1.year })
    }
}
