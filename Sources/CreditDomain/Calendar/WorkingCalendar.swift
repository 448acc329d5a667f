import Foundation

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
    }
    public var year: Int
    /// Where the schedule comes from (the notice's title and number).
    public var source: String
    public var daysOff: [DaysOff]
    /// Saturdays and Sundays that are working days (调休).
    public var workingWeekends: [CivilDate]
}

/// Working days: Monday to Friday, minus official days off, plus weekend days made working days.
/// Years come from data files, one per year; asking about a year without a file is an error,
/// never a guess.
public struct WorkingCalendar: Sendable {
    private var off: Set<Int> = []
    private var extraWorking: Set<Int> = []
    public private(set) var years: [Int: YearSchedule] = [:]

    public init(schedules: [YearSchedule]) throws(CalendarError) {
        for s in schedules {
            for range in s.daysOff {
                guard range.from.year == s.year, range.to.year == s.year, range.from <= range.to else {
                    throw CalendarError(code: .invalidFile, message: "calendar \(s.year): days off \(range.name) \(range.from)…\(range.to) must lie in \(s.year) in order", year: s.year)
                }
                for n in range.from.dayNumber...range.to.dayNumber { off.insert(n) }
            }
            for d in s.workingWeekends {
                guard d.year == s.year, d.isWeekend else {
                    throw CalendarError(code: .invalidFile, message: "calendar \(s.year): \(d) is listed as a weekend working day but is not a weekend day of \(s.year)", year: s.year)
                }
                extraWorking.insert(d.dayNumber)
            }
            years[s.year] = s
        }
    }

    /// Whether `date` is a working day.
    public func isWorkingDay(_ date: CivilDate) throws(CalendarError) -> Bool {
        guard years[date.year] != nil else {
            throw CalendarError(
                code: .yearMissing,
                message: "no working-day calendar for \(date.year); add calendars/\(date.year).json with that year's official schedule",
                year: date.year)
        }
        let n = date.dayNumber
        if extraWorking.contains(n) { return true }
        if off.contains(n) { return false }
        return !date.isWeekend
    }

    /// The `count`-th working day after `date` (the decision day itself does not count).
    public func addingWorkingDays(_ count: Int, to date: CivilDate) throws(CalendarError) -> CivilDate {
        var d = date
        var left = count
        while left > 0 {
            d = d.adding(days: 1)
            if try isWorkingDay(d) { left -= 1 }
        }
        return d
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
