import SampleData
import Testing

@testable import CreditDomain

@Suite("The regular bulletin (定期通报): a month's lines per authority")
struct BulletinTests {
    func day(_ text: String) -> CivilDate { CivilDate.parse(text)! }

    func decision(_ authority: String, _ number: Int, _ date: String, late: Bool = false, corrected: Bool = false, series: String = "仙桃城管罚")
        -> Bulletin.Decision
    {
        Bulletin.Decision(authority: authority, number: "\(series)〔2026〕\(number)号", date: day(date), late: late, corrected: corrected)
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

    @Test func theMonthsDecisionsAreCountedAndTheOthersOnlyBoundGaps() {
        let decisions = [
            decision("A", 1, "2026-10-20"), decision("A", 2, "2026-11-03", late: true), decision("A", 3, "2026-11-05", corrected: true),
            decision("B", 1, "2026-11-30"), decision("B", 2, "2026-12-01"),
        ]
        let lines = Bulletin.lines(kind: "penalty", month: CalendarMonth(year: 2026, month: 11)!, decisions: decisions, concealedBy: [])
        #expect(
            lines == [
                Bulletin.Line(kind: "penalty", authority: "A", decided: 2, late: 1, corrected: 1),
                Bulletin.Line(kind: "penalty", authority: "B", decided: 1),
            ])
        #expect(lines[0].flagged && !lines[1].flagged)
    }

    @Test func missingNumbersBelongToTheMonthOfTheNextReportedOne() {
        // A: 1 (Oct), 4 (Nov), 5 (Nov), 9 (Dec): 2–3 are November's, 6–8 December's.
        let decisions = [
            decision("A", 1, "2026-10-20"), decision("A", 4, "2026-11-02"), decision("A", 5, "2026-11-20"), decision("A", 9, "2026-12-01"),
        ]
        #expect(Bulletin.missing(in: CalendarMonth(year: 2026, month: 11)!, decisions: decisions) == ["A": 2])
        #expect(Bulletin.missing(in: CalendarMonth(year: 2026, month: 12)!, decisions: decisions) == ["A": 3])
        #expect(Bulletin.missing(in: CalendarMonth(year: 2026, month: 10)!, decisions: decisions).isEmpty)
        // An authority with a gap and no decision in the month still gets its line.
        let lines = Bulletin.lines(
            kind: "penalty", month: CalendarMonth(year: 2026, month: 11)!,
            decisions: [decision("C", 1, "2026-10-01"), decision("C", 3, "2026-11-01")],
            concealedBy: ["D"])
        #expect(
            Set(lines) == [
                Bulletin.Line(kind: "penalty", authority: "C", decided: 1, suspectedMissing: 1),
                Bulletin.Line(kind: "penalty", authority: "D", concealed: 1),
            ])
    }

    @Test(arguments: 1...20) func overEveryMonthTheMissingAreExactlyTheGapsFound(seed: UInt64) {
        var random = SeededRandom(seed: seed)
        do {
            var decisions: [Bulletin.Decision] = []
            for authority in ["A", "B", "C"] {
                for series in ["城管罚", "市监罚"] {
                    var date = day("2026-01-05")
                    for n in 1...60 where random.int(0...3) != 0 {
                        date = date.adding(days: random.int(0...8))
                        guard date.year == 2026 else { break }
                        decisions.append(decision(authority, n, date.iso, series: series))
                    }
                }
            }
            let found = DecisionGap.find(decisions.map { ($0.authority, DecisionNumber($0.number)!) })
            var byMonth: [String: Int] = [:]
            for m in 1...12 {
                for (a, n) in Bulletin.missing(in: CalendarMonth(year: 2026, month: m)!, decisions: decisions) { byMonth[a, default: 0] += n }
            }
            #expect(
                byMonth.filter { $0.value > 0 } == Dictionary(grouping: found, by: \.authority).mapValues { $0.reduce(0) { $0 + $1.missing.count } })
        }
    }

    @Test func anImplausibleSpanIsNoSequenceAndOtherShapesSayNothing() {
        let month = CalendarMonth(year: 2026, month: 11)!
        let far = [decision("A", 1, "2026-11-01"), decision("A", 200_000, "2026-11-02")]
        #expect(Bulletin.missing(in: month, decisions: far).isEmpty)
        let odd = [
            Bulletin.Decision(authority: "A", number: "第1号", date: day("2026-11-01"), late: false, corrected: false),
            Bulletin.Decision(authority: "A", number: "第5号", date: day("2026-11-02"), late: false, corrected: false),
        ]
        #expect(Bulletin.missing(in: month, decisions: odd).isEmpty)
    }
}
