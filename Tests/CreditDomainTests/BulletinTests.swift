import SampleData
import Testing

@testable import CreditDomain

@Suite("The regular bulletin (定期通报): a month's lines per authority")
struct BulletinTests {
    func day(_ text: String) -> CivilDate { CivilDate.parse(text)! }

    /// A decision as the store holds it: its authority, number, date and flags.
    struct Decision {
        var authority: String
        var number: String
        var date: CivilDate
        var late = false
        var corrected = false
    }

    func decision(_ authority: String, _ number: Int, _ date: String, late: Bool = false, corrected: Bool = false, series: String = "仙桃城管罚")
        -> Decision
    {
        Decision(authority: authority, number: "\(series)〔2026〕\(number)号", date: day(date), late: late, corrected: corrected)
    }

    @Test func monthsAreReadAsOfficesWriteThemAndOthersRefused() {
        #expect(CalendarMonth("2026-11") == CalendarMonth(year: 2026, month: 11))
        #expect(CalendarMonth("2026-1") == CalendarMonth(year: 2026, month: 1))
        #expect(CalendarMonth(" 2026年3月 ") == CalendarMonth(year: 2026, month: 3))
        for text in ["", "2026", "2026-13", "2026-00", "26-11", "2026/11", "2026-11-01", "二〇二六年十一月", "2026年11", "-2026-1"] {
            #expect(CalendarMonth(text) == nil, "\(text)")
        }
    }

    @Test func aMonthKnowsItsDaysAndItsNeighbours() {
        let december = CalendarMonth(year: 2026, month: 12)!
        #expect(december.first == day("2026-12-01"))
        #expect(december.last == day("2026-12-31"))
        #expect(december.next == CalendarMonth(year: 2027, month: 1))
        #expect(CalendarMonth(year: 2026, month: 1)!.previous == CalendarMonth(year: 2025, month: 12))
        #expect(CalendarMonth(year: 2028, month: 2)!.last == day("2028-02-29"))
        #expect(december.contains(day("2026-12-31")) && !december.contains(day("2027-12-01")))
        #expect(december.iso == "2026-12" && CalendarMonth(year: 2026, month: 3)!.iso == "2026-03" && december.chinese == "2026年12月")
    }

    /// The month's lines as the page builds them: tallies of the month's decisions, the gaps over
    /// every decision, the month's numbers.
    func lines(_ month: CalendarMonth, _ decisions: [Decision], concealedBy: [String] = []) -> [Bulletin.Line] {
        let inMonth = decisions.filter { month.contains($0.date) }
        let tallies = Dictionary(grouping: inMonth, by: \.authority).map { authority, ds in
            Bulletin.Tally(
                authority: authority, jurisdiction: "420102002201", decided: ds.count, late: ds.filter(\.late).count,
                corrected: ds.filter(\.corrected).count)
        }
        return Bulletin.lines(kind: "penalty", tallies: tallies, missing: missing(month, decisions), concealedBy: concealedBy)
    }

    func missing(_ month: CalendarMonth, _ decisions: [Decision]) -> [String: Int] {
        let numbered = decisions.compactMap { d in DecisionNumber(d.number).map { (authority: d.authority, number: $0) } }
        let inMonth = decisions.filter { month.contains($0.date) }.compactMap { d in
            DecisionNumber(d.number).map { (authority: d.authority, number: $0) }
        }
        return Bulletin.missing(in: DecisionGap.find(numbered), monthNumbers: inMonth)
    }

    @Test func theMonthsDecisionsAreCountedAndTheOthersOnlyBoundGaps() {
        let decisions = [
            decision("A", 1, "2026-10-20"), decision("A", 2, "2026-11-03", late: true), decision("A", 3, "2026-11-05", corrected: true),
            decision("B", 1, "2026-11-30"), decision("B", 2, "2026-12-01"),
        ]
        let lines = lines(CalendarMonth(year: 2026, month: 11)!, decisions)
        #expect(
            lines == [
                Bulletin.Line(kind: "penalty", authority: "A", decided: 2, late: 1, corrected: 1),
                Bulletin.Line(kind: "penalty", authority: "B", decided: 1),
            ])
        #expect(lines[0].flagged && !lines[1].flagged)
    }

    @Test func missingNumbersBelongToTheMonthOfTheReportedOneThatEndsThem() {
        // A: 1 (Oct), 4 (Nov), 5 (Nov), 9 (Dec): 2–3 are November's, 6–8 December's.
        let decisions = [
            decision("A", 1, "2026-10-20"), decision("A", 4, "2026-11-02"), decision("A", 5, "2026-11-20"), decision("A", 9, "2026-12-01"),
        ]
        #expect(missing(CalendarMonth(year: 2026, month: 11)!, decisions) == ["A": 2])
        #expect(missing(CalendarMonth(year: 2026, month: 12)!, decisions) == ["A": 3])
        #expect(missing(CalendarMonth(year: 2026, month: 10)!, decisions).isEmpty)
        // A number of another series, year or authority ends no run of A's.
        let others = [decision("B", 4, "2026-11-02"), decision("A", 4, "2026-11-02", series: "市监罚")]
        #expect(missing(CalendarMonth(year: 2026, month: 11)!, [decision("A", 1, "2026-10-20"), decision("A", 9, "2026-12-01")] + others).isEmpty)
        // An authority with a gap and no decision in the month still gets its line.
        let lines = lines(
            CalendarMonth(year: 2026, month: 11)!, [decision("C", 1, "2026-10-01"), decision("C", 3, "2026-11-01"), decision("C", 4, "2026-12-01")],
            concealedBy: ["D"])
        #expect(
            Set(lines) == [
                Bulletin.Line(kind: "penalty", authority: "C", decided: 1, suspectedMissing: 1),
                Bulletin.Line(kind: "penalty", authority: "D", concealed: 1),
            ])
    }

    @Test(arguments: 1...20) func overEveryMonthTheMissingAreExactlyTheGapsFound(seed: UInt64) {
        var random = SeededRandom(seed: seed)
        var decisions: [Decision] = []
        for authority in ["A", "B", "C"] {
            for series in ["城管罚", "市监罚"] {
                var date = day("2026-01-05")
                // Numbers mostly in date order, a few out of it, as offices give them.
                for n in 1...60 where random.int(0...3) != 0 {
                    date = date.adding(days: random.int(0...8))
                    guard date.year == 2026 else { break }
                    let given = random.int(0...9) == 0 ? date.adding(days: -random.int(0...40)) : date
                    decisions.append(decision(authority, n, given.year == 2026 ? given.iso : date.iso, series: series))
                }
            }
        }
        let found = DecisionGap.find(decisions.map { ($0.authority, DecisionNumber($0.number)!) })
        var byMonth: [String: Int] = [:]
        for m in 1...12 {
            for (a, n) in missing(CalendarMonth(year: 2026, month: m)!, decisions) { byMonth[a, default: 0] += n }
        }
        #expect(byMonth.filter { $0.value > 0 } == Dictionary(grouping: found, by: \.authority).mapValues { $0.reduce(0) { $0 + $1.missing.count } })
    }

    @Test func anImplausibleSpanIsNoSequenceAndOtherShapesSayNothing() {
        let month = CalendarMonth(year: 2026, month: 11)!
        #expect(missing(month, [decision("A", 1, "2026-11-01"), decision("A", 200_000, "2026-11-02")]).isEmpty)
        let odd = [
            Decision(authority: "A", number: "第1号", date: day("2026-11-01")), Decision(authority: "A", number: "第5号", date: day("2026-11-02")),
        ]
        #expect(missing(month, odd).isEmpty)
    }
}
