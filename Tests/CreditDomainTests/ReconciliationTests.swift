import Testing

@testable import CreditDomain

@Suite("A department's register against the network (reconciliation)")
struct ReconciliationTests {
    static func resolve(_ text: String) -> String? { ["行政处罚": "penalty", "penalty": "penalty", "行政许可": "license"][text] }

    @Test func aRegisterIsReadByItsChineseHeadersAndBadLinesAreNamed() throws {
        let csv = """
            决定书文号,决定日期,统一社会信用代码,类别
            仙桃城管罚〔2026〕1号,2026-03-01,91429004MA4F0XXX0X,行政处罚
            仙桃城管罚〔2026〕2号,2026/3/2,,行政许可
            ,2026-03-03,,行政处罚
            仙桃城管罚〔2026〕4号,三月,,行政处罚
            仙桃城管罚〔2026〕5号,,,奖励
            """
        let (entries, refused) = try Reconciliation.read(Array(csv.utf8), defaultKind: nil, kind: Self.resolve)
        #expect(entries.map(\.number) == ["仙桃城管罚〔2026〕1号", "仙桃城管罚〔2026〕2号"])
        #expect(entries[1].kind == "license" && entries[1].date == CivilDate(year: 2026, month: 3, day: 2))
        #expect(refused.map(\.line) == [4, 5, 6])
        #expect(refused[0].reason.contains("没有决定书文号") && refused[1].reason.contains("三月") && refused[2].reason.contains("奖励"))
    }

    @Test func aRegisterWithoutANumberColumnOrAKindIsRefusedWhole() {
        #expect(throws: IngestError.self) { try Reconciliation.read(Array("日期,代码\n2026-01-01,x\n".utf8), defaultKind: "penalty", kind: Self.resolve) }
        #expect(throws: IngestError.self) { try Reconciliation.read(Array("文号\n罚〔2026〕1号\n".utf8), defaultKind: nil, kind: Self.resolve) }
        #expect(throws: IngestError.self) { try Reconciliation.read([], defaultKind: "penalty", kind: Self.resolve) }
    }

    @Test func missingLateDifferentAndUnregisteredAreEachNamed() {
        let day = CivilDate(year: 2026, month: 3, day: 1)!
        let person = "420102199001011234"
        let register = [
            Reconciliation.Entry(line: 2, kind: "penalty", number: "罚〔2026〕1号", date: day, subject: "A"),
            Reconciliation.Entry(line: 3, kind: "penalty", number: "罚［2026］2号", date: day, subject: person),
            Reconciliation.Entry(line: 4, kind: "penalty", number: "罚〔2026〕3号", date: day, subject: "C"),
            Reconciliation.Entry(line: 5, kind: "penalty", number: "罚〔2026〕4号", date: day, subject: "D"),
        ]
        let held = [
            Reconciliation.Held(key: "k1", kind: "penalty", number: "罚〔2026〕1号", date: day, subject: "A", late: false),
            // The same number written with other brackets; another subject: 错报.
            Reconciliation.Held(key: "k2", kind: "penalty", number: "罚〔2026〕2号", date: day, subject: "420102199001015678", late: false),
            Reconciliation.Held(key: "k4", kind: "penalty", number: "罚〔2026〕4号", date: day.adding(days: 1), subject: "D", late: true),
            Reconciliation.Held(key: "k9", kind: "penalty", number: "罚〔2026〕9号", date: day, subject: "Z", late: false),
        ]
        let r = Reconciliation.compare(authority: "X", register: register, held: held)
        #expect(r.registered == 4 && r.held == 4 && r.matched == 3)
        #expect(r.missing.map(\.number) == ["罚〔2026〕3号"])
        #expect(r.late.map(\.key) == ["k4"])
        #expect(r.different.map(\.key) == ["k2", "k4"])
        #expect(r.different[1].fields == ["决定日期: 2026-03-01 ≠ 2026-03-02"])
        // Resident ID numbers are masked in what the report says.
        #expect(r.different[0].fields == ["主体代码: 420102********1234 ≠ 420102********5678"] && r.different[0].entry.subject == "420102********1234")
        #expect(r.unregistered.map(\.key) == ["k9"])
    }

    @Test func aRegisterThatMatchesSaysSo() {
        let day = CivilDate(year: 2026, month: 3, day: 1)!
        let r = Reconciliation.compare(
            authority: "X", register: [Reconciliation.Entry(line: 2, kind: "penalty", number: "罚〔2026〕１号", date: day, subject: "")],
            held: [Reconciliation.Held(key: "k", kind: "penalty", number: "罚〔2026〕1号", date: day, subject: "A", late: false)])
        #expect(r.matched == 1 && r.missing.isEmpty && r.late.isEmpty && r.different.isEmpty && r.unregistered.isEmpty)
    }
}
