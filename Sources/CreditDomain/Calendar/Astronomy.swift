import Foundation

/// The two astronomical events the Chinese calendar is built from — new moons and the Sun's
/// apparent longitude (solar terms) — after Jean Meeus, *Astronomical Algorithms* (2nd ed.):
/// chapter 49 for the new moon (with its planetary arguments: about a minute), chapter 32 and
/// appendix III for the Earth's heliocentric longitude (VSOP87, truncated: about a second of arc),
/// chapters 22 and 25 for nutation, aberration and the FK5 frame. Times are Julian Ephemeris Days
/// (TT); `ΔT` converts them to UT, and the dates that matter are Beijing dates (UTC+8).
///
/// Pure functions of their arguments: every node computes the same provisional calendar.
enum Astronomy {
    /// The Julian Ephemeris Day of new moon number `k` (k = 0 is the new moon of 2000-01-06).
    static func newMoon(_ k: Int) -> Double {
        let k = Double(k)
        let t = k / 1236.85
        let t2 = t * t
        let t3 = t2 * t
        let t4 = t3 * t
        var jde = 2_451_550.097_66 + 29.530_588_861 * k + 0.000_154_37 * t2 - 0.000_000_150 * t3 + 0.000_000_000_73 * t4
        let e = 1 - 0.002_516 * t - 0.000_007_4 * t2
        let m = radians(2.5534 + 29.105_356_70 * k - 0.000_001_4 * t2 - 0.000_000_11 * t3)
        let mp = radians(201.5643 + 385.816_935_28 * k + 0.010_758_2 * t2 + 0.000_012_38 * t3 - 0.000_000_058 * t4)
        let f = radians(160.7108 + 390.670_502_84 * k - 0.001_611_8 * t2 - 0.000_002_27 * t3 + 0.000_000_011 * t4)
        let omega = radians(124.7746 - 1.563_755_88 * k + 0.002_067_2 * t2 + 0.000_002_15 * t3)
        var c = -0.407_20 * sin(mp)
        c += 0.172_41 * e * sin(m)
        c += 0.016_08 * sin(2 * mp)
        c += 0.010_39 * sin(2 * f)
        c += 0.007_39 * e * sin(mp - m)
        c -= 0.005_14 * e * sin(mp + m)
        c += 0.002_08 * e * e * sin(2 * m)
        c -= 0.001_11 * sin(mp - 2 * f)
        c -= 0.000_57 * sin(mp + 2 * f)
        c += 0.000_56 * e * sin(2 * mp + m)
        c -= 0.000_42 * sin(3 * mp)
        c += 0.000_42 * e * sin(m + 2 * f)
        c += 0.000_38 * e * sin(m - 2 * f)
        c -= 0.000_24 * e * sin(2 * mp - m)
        c -= 0.000_17 * sin(omega)
        c -= 0.000_07 * sin(mp + 2 * m)
        c += 0.000_04 * sin(2 * mp - 2 * f)
        c += 0.000_04 * sin(3 * m)
        c += 0.000_03 * sin(mp + m - 2 * f)
        c += 0.000_03 * sin(2 * mp + 2 * f)
        c -= 0.000_03 * sin(mp + m + 2 * f)
        c += 0.000_03 * sin(mp - m + 2 * f)
        c -= 0.000_02 * sin(mp - m - 2 * f)
        c -= 0.000_02 * sin(3 * mp + m)
        c += 0.000_02 * sin(4 * mp)
        jde += c
        // The planetary arguments.
        let planetary: [(amplitude: Double, base: Double, rate: Double)] = [
            (0.000_325, 299.77, 0.107_408), (0.000_165, 251.88, 0.016_321), (0.000_164, 251.83, 26.651_886),
            (0.000_126, 349.42, 36.412_478), (0.000_110, 84.66, 18.206_239), (0.000_062, 141.74, 53.303_771),
            (0.000_060, 207.14, 2.453_732), (0.000_056, 154.84, 7.306_860), (0.000_047, 34.52, 27.261_239),
            (0.000_042, 207.19, 0.121_824), (0.000_040, 291.34, 1.844_379), (0.000_037, 161.72, 24.198_154),
            (0.000_035, 239.56, 25.513_099), (0.000_023, 331.55, 3.592_518),
        ]
        for (i, p) in planetary.enumerated() {
            var a = p.base + p.rate * k
            if i == 0 { a -= 0.009_173 * t2 }
            jde += p.amplitude * sin(radians(a))
        }
        return jde
    }

    /// The new moon number nearest before or at a Julian Day (an estimate: callers step from it).
    static func lunation(near jd: Double) -> Int {
        Int(((jd - 2_451_550.097_66) / 29.530_588_861).rounded(.down))
    }

    /// The Sun's apparent geocentric longitude at `jde`, in degrees in [0, 360).
    static func sunLongitude(_ jde: Double) -> Double {
        let tau = (jde - 2_451_545.0) / 365_250
        var l = 0.0
        var power = 1.0
        for series in earthLongitude {
            var sum = 0.0
            for term in series { sum += term.0 * cos(term.1 + term.2 * tau) }
            l += sum * power
            power *= tau
        }
        l /= 1e8
        let t = tau * 10
        // Geocentric: the Earth's heliocentric longitude turned round; then to the FK5 frame.
        var sun = degrees(l) + 180 - 0.090_33 / 3600
        // Nutation in longitude (Meeus 22, to 0.5").
        let omega = radians(125.044_52 - 1934.136_261 * t)
        let lSun = radians(280.4665 + 36_000.7698 * t)
        let lMoon = radians(218.3165 + 481_267.8813 * t)
        sun += (-17.20 * sin(omega) - 1.32 * sin(2 * lSun) - 0.23 * sin(2 * lMoon) + 0.21 * sin(2 * omega)) / 3600
        // Aberration, with the Sun's distance from its mean anomaly (Meeus 25).
        let m = radians(357.529_11 + 35_999.050_29 * t)
        let r = 1.000_140 - 0.016_708 * cos(m) - 0.000_139 * cos(2 * m)
        sun -= 20.4898 / 3600 / r
        sun = sun.truncatingRemainder(dividingBy: 360)
        return sun < 0 ? sun + 360 : sun
    }

    /// ΔT = TT − UT in seconds (Espenak and Meeus's polynomials, 1941–2150).
    static func deltaT(year: Double) -> Double {
        switch year {
        case ..<1961:
            let t = year - 1950
            return 29.07 + 0.407 * t - t * t / 233 + t * t * t / 2547
        case ..<1986:
            let t = year - 1975
            return 45.45 + 1.067 * t - t * t / 260 - t * t * t / 718
        case ..<2005:
            let t = year - 2000
            return 63.86 + 0.3345 * t - 0.060_374 * t * t + 0.001_727_5 * pow(t, 3) + 0.000_651_814 * pow(t, 4) + 0.000_023_735_99 * pow(t, 5)
        case ..<2050:
            let t = year - 2000
            return 62.92 + 0.322_17 * t + 0.005_589 * t * t
        default:
            let u = (year - 1820) / 100
            return -20 + 32 * u * u - 0.5628 * (2150 - year)
        }
    }

    /// The Julian Day (UT) of 1970-01-01 00:00 UT.
    static let unixEpochJD = 2_440_587.5

    /// The Beijing civil date of an instant given as a Julian Ephemeris Day.
    static func beijingDate(jde: Double) -> CivilDate {
        let jd = jde - deltaT(year: 2000 + (jde - 2_451_545.0) / 365.25) / 86_400
        return CivilDate(dayNumber: Int((jd - unixEpochJD + 8.0 / 24).rounded(.down)))
    }

    /// The Julian Ephemeris Day of 00:00 Beijing time on `date`.
    static func beijingMidnight(_ date: CivilDate) -> Double {
        let jd = unixEpochJD + Double(date.dayNumber) - 8.0 / 24
        return jd + deltaT(year: Double(date.year) + Double(date.month - 1) / 12) / 86_400
    }

    /// The Beijing date on which the Sun's apparent longitude reaches `longitude` degrees, searched
    /// from `from` for at most `within` days; nil if it does not within them.
    static func dateOfSolarLongitude(_ longitude: Double, from: CivilDate, within: Int) -> CivilDate? {
        var day = from
        var before = unwrapped(sunLongitude(beijingMidnight(day)), towards: longitude)
        for _ in 0..<within {
            let next = day.adding(days: 1)
            let after = unwrapped(sunLongitude(beijingMidnight(next)), towards: longitude)
            if before < longitude && after >= longitude { return day }
            before = after
            day = next
        }
        return nil
    }

    /// A longitude moved by whole turns to lie within half a turn of `target`.
    static func unwrapped(_ value: Double, towards target: Double) -> Double {
        var v = value
        while v - target > 180 { v -= 360 }
        while target - v > 180 { v += 360 }
        return v
    }

    static func radians(_ d: Double) -> Double { d * .pi / 180 }
    static func degrees(_ r: Double) -> Double {
        let d = (r * 180 / .pi).truncatingRemainder(dividingBy: 360)
        return d < 0 ? d + 360 : d
    }

    /// VSOP87 terms of the Earth's heliocentric longitude L0…L5 (A in 1e-8 rad, B rad, C rad per
    /// millennium), Meeus appendix III.
    static let earthLongitude: [[(Double, Double, Double)]] = [
        [
            (175_347_046, 0, 0), (3_341_656, 4.669_256_8, 6283.075_850_0), (34894, 4.62610, 12566.15170),
            (3497, 2.7441, 5753.3849), (3418, 2.8289, 3.5231), (3136, 3.6277, 77713.7715), (2676, 4.4181, 7860.4194),
            (2343, 6.1352, 3930.2097), (1324, 0.7425, 11506.7698), (1273, 2.0371, 529.6910), (1199, 1.1096, 1577.3435),
            (990, 5.233, 5884.927), (902, 2.045, 26.298), (857, 3.508, 398.149), (780, 1.179, 5223.694),
            (753, 2.533, 5507.553), (505, 4.583, 18849.228), (492, 4.205, 775.523), (357, 2.920, 0.067),
            (317, 5.849, 11790.629), (284, 1.899, 796.298), (271, 0.315, 10977.079), (243, 0.345, 5486.778),
            (206, 4.806, 2544.314), (205, 1.869, 5573.143), (202, 2.458, 6069.777), (156, 0.833, 213.299),
            (132, 3.411, 2942.463), (126, 1.083, 20.775), (115, 0.645, 0.980), (103, 0.636, 4694.003),
            (102, 0.976, 15720.839), (102, 4.267, 7.114), (99, 6.21, 2146.17), (98, 0.68, 155.42),
            (86, 5.98, 161000.69), (85, 1.30, 6275.96), (85, 3.67, 71430.70), (80, 1.81, 17260.15),
            (79, 3.04, 12036.46), (75, 1.76, 5088.63), (74, 3.50, 3154.69), (74, 4.68, 801.82), (70, 0.83, 9437.76),
            (62, 3.98, 8827.39), (61, 1.82, 7084.90), (57, 2.78, 6286.60), (56, 4.39, 14143.50), (56, 3.47, 6279.55),
            (52, 0.19, 12139.55), (52, 1.33, 1748.02), (51, 0.28, 5856.48), (49, 0.49, 1194.45), (41, 5.37, 8429.24),
            (41, 2.40, 19651.05), (39, 6.17, 10447.39), (37, 6.04, 10213.29), (37, 2.57, 1059.38), (36, 1.71, 2352.87),
            (36, 1.78, 6812.77), (33, 0.59, 17789.85), (30, 0.44, 83996.85), (30, 2.74, 1349.87), (25, 3.16, 4690.48),
        ],
        [
            (628_331_966_747, 0, 0), (206_059, 2.678_235, 6283.075_850), (4303, 2.6351, 12566.1517), (425, 1.590, 3.523),
            (119, 5.796, 26.298), (109, 2.966, 1577.344), (93, 2.59, 18849.23), (72, 1.14, 529.69), (68, 1.87, 398.15),
            (67, 4.41, 5507.55), (59, 2.89, 5223.69), (56, 2.17, 155.42), (45, 0.40, 796.30), (36, 0.47, 775.52),
            (29, 2.65, 7.11), (21, 5.34, 0.98), (19, 1.85, 5486.78), (19, 4.97, 213.30), (17, 2.99, 6275.96),
            (16, 0.03, 2544.31), (16, 1.43, 2146.17), (15, 1.21, 10977.08), (12, 2.83, 1748.02), (12, 3.26, 5088.63),
            (12, 5.27, 1194.45), (12, 2.08, 4694.00), (11, 0.77, 553.57), (10, 1.30, 6286.60), (10, 4.24, 1349.87),
            (9, 2.70, 242.73), (9, 5.64, 951.72), (8, 5.30, 2352.87), (6, 2.65, 9437.76), (6, 4.67, 4690.48),
        ],
        [
            (52919, 0, 0), (8720, 1.0721, 6283.0758), (309, 0.867, 12566.152), (27, 0.05, 3.52), (16, 5.19, 26.30),
            (16, 3.68, 155.42), (10, 0.76, 18849.23), (9, 2.06, 77713.77), (7, 0.83, 775.52), (5, 4.66, 1577.34),
            (4, 1.03, 7.11), (4, 3.44, 5573.14), (3, 5.14, 796.30), (3, 6.05, 5507.55), (3, 1.19, 242.73),
            (3, 6.12, 529.69), (3, 0.31, 398.15), (3, 2.28, 553.57), (2, 4.38, 5223.69), (2, 3.75, 0.98),
        ],
        [(289, 5.844, 6283.076), (35, 0, 0), (17, 5.49, 12566.15), (3, 5.20, 155.42), (1, 4.72, 3.52), (1, 5.30, 18849.23), (1, 5.97, 242.73)],
        [(114, 3.142, 0), (8, 4.13, 6283.08), (1, 3.84, 12566.15)],
        [(1, 3.14, 0)],
    ]
}
