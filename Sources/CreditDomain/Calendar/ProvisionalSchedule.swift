import Synchronization

/// A year's days off as the law fixes them, for a year whose official schedule has not been
/// published (or shipped) yet: weekends plus the statutory holidays of 《全国年节及纪念日放假办法》
/// as amended on 2024-11-10 (国务院令第795号, in force 2025-01-01) — 元旦 1 day, 春节 4 days from
/// 除夕, 清明节 1, 劳动节 2, 端午节 1, 中秋节 1, 国庆节 3 — on their computed dates, with no
/// weekend working days (调休) and no make-up days: the State Council's notice settles those.
/// Deadlines computed from such a year are marked provisional and recomputed, once, when the
/// official schedule arrives.
public enum ProvisionalSchedule {
    /// The years the statute covers: it dates from 1949; the lunar tables are computed to 2100.
    public static let years = 1949...2100

    /// The provisional schedule of `year`, or nil outside `years`.
    public static func schedule(_ year: Int) -> YearSchedule? {
        guard years.contains(year) else { return nil }
        if let known = cache.withLock({ $0[year] }) { return known }
        let s = compute(year)
        cache.withLock { $0[year] = s }
        return s
    }

    private static let cache = Mutex<[Int: YearSchedule]>([:])

    static func compute(_ year: Int) -> YearSchedule {
        func day(_ m: Int, _ d: Int) -> CivilDate { CivilDate(year: year, month: m, day: d)! }
        func one(_ date: CivilDate, _ name: String) -> YearSchedule.DaysOff { .init(from: date, to: date, name: name) }
        let newYear = ChineseCalendar.newYear(year)
        let daysOff: [YearSchedule.DaysOff] = [
            one(day(1, 1), "元旦"),
            .init(from: newYear.adding(days: -1), to: newYear.adding(days: 2), name: "春节"),
            one(ChineseCalendar.qingming(year), "清明节"),
            .init(from: day(5, 1), to: day(5, 2), name: "劳动节"),
            one(ChineseCalendar.date(year: year, month: 5, day: 5), "端午节"),
            one(ChineseCalendar.date(year: year, month: 8, day: 15), "中秋节"),
            .init(from: day(10, 1), to: day(10, 3), name: "国庆节"),
        ]
        return YearSchedule(
            year: year,
            source: "暂定（provisional）：按《全国年节及纪念日放假办法》（2024年修订）计算的法定节假日，不含调休；以国务院办公厅当年通知为准",
            daysOff: daysOff, workingWeekends: [])
    }
}
