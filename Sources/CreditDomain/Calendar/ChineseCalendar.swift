/// The Chinese lunisolar calendar (农历) as far as the statutory holidays need it: the new year
/// (正月初一), the 5th and 8th months, and the solar term 清明. The rules of GB/T 33661-2017
/// 《农历的编算和颁行》: a month begins on the Beijing date of a new moon; the month holding the
/// winter solstice is the 11th; when 13 months lie between two such months, the first of them
/// without a principal solar term (中气, the Sun at a multiple of 30°) is a leap month and takes
/// the number of the month before it.
public enum ChineseCalendar {
    /// A month of the lunar year that has its new year in a Gregorian year.
    public struct Month: Sendable, Hashable {
        public var number: Int
        public var leap: Bool
        public var start: CivilDate
    }

    /// The months from the 11th month of the previous lunar year (the one holding the winter
    /// solstice of `year - 1`) up to, not including, the one holding the winter solstice of `year`.
    public static func months(endingIn year: Int) -> [Month] {
        let previousSolstice = solstice(year - 1)
        let nextSolstice = solstice(year)
        let first = lunation(onOrBefore: previousSolstice)
        let last = lunation(onOrBefore: nextSolstice)
        let starts = (first...last).map { Astronomy.beijingDate(jde: Astronomy.newMoon($0)) }
        var leapIndex: Int?
        if last - first == 13 {
            leapIndex = (1..<(last - first)).first { !holdsPrincipalTerm(from: starts[$0], to: starts[$0 + 1]) }
        }
        var out: [Month] = []
        var number = 11
        for i in 0..<(last - first) {
            if i > 0 && i != leapIndex { number = number % 12 + 1 }
            out.append(Month(number: number, leap: i == leapIndex, start: starts[i]))
        }
        return out
    }

    /// The Gregorian date of day `day` of the (not leap) month `month` of the lunar year whose new
    /// year falls in `year`.
    public static func date(year: Int, month: Int, day: Int) -> CivilDate {
        let m = months(endingIn: year).first { $0.number == month && !$0.leap && ($0.number < 11 || $0.start.year == year) }!
        return m.start.adding(days: day - 1)
    }

    /// 正月初一 of the lunar year that starts in `year`.
    public static func newYear(_ year: Int) -> CivilDate { date(year: year, month: 1, day: 1) }

    /// The Beijing date of the December solstice (冬至, the Sun at 270°) of `year`.
    public static func solstice(_ year: Int) -> CivilDate {
        Astronomy.dateOfSolarLongitude(270, from: CivilDate(year: year, month: 12, day: 18)!, within: 10)!
    }

    /// The Beijing date of the solar term 清明 (the Sun at 15°) of `year`.
    public static func qingming(_ year: Int) -> CivilDate {
        Astronomy.dateOfSolarLongitude(15, from: CivilDate(year: year, month: 4, day: 1)!, within: 10)!
    }

    /// The number of the new moon whose Beijing date is the last on or before `date`.
    static func lunation(onOrBefore date: CivilDate) -> Int {
        var k = Astronomy.lunation(near: Astronomy.unixEpochJD + Double(date.dayNumber))
        while Astronomy.beijingDate(jde: Astronomy.newMoon(k)) > date { k -= 1 }
        while Astronomy.beijingDate(jde: Astronomy.newMoon(k + 1)) <= date { k += 1 }
        return k
    }

    /// Whether the Sun reaches a multiple of 30° on a Beijing date in `start..<end`.
    static func holdsPrincipalTerm(from start: CivilDate, to end: CivilDate) -> Bool {
        let a = Astronomy.sunLongitude(Astronomy.beijingMidnight(start))
        var b = Astronomy.sunLongitude(Astronomy.beijingMidnight(end))
        if b < a { b += 360 }
        return (a / 30).rounded(.down) != (b / 30).rounded(.down)
    }
}
