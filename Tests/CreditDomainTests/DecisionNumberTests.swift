import Testing

@testable import CreditDomain

@Suite("Decision numbers and the gaps in them (漏报)")
struct DecisionNumberTests {
    @Test func theUsualShapesAreRead() {
        let n = DecisionNumber("仙桃城管罚〔2026〕12号")
        #expect(n == DecisionNumber(series: "仙桃城管罚", year: 2026, number: 12))
        #expect(DecisionNumber("鄂市监罚[2025]7号")?.number == 7)
        #expect(DecisionNumber("武汉市应急罚［2026］003号")?.number == 3)
        #expect(DecisionNumber("江岸区税罚【2026】1号")?.series == "江岸区税罚")
    }

    @Test func whiteSpaceAroundTheNumberAndTheSeriesIsDropped() {
        #expect(DecisionNumber(" 仙桃城管罚 〔2026〕12号\t") == DecisionNumber(series: "仙桃城管罚", year: 2026, number: 12))
        // The ideographic space a Chinese keyboard types.
        #expect(DecisionNumber("\u{3000}仙桃城管罚〔2026〕12号\u{3000}")?.series == "仙桃城管罚")
        // Inside, it stays: a different series.
        #expect(DecisionNumber("仙桃 城管罚〔2026〕12号")?.series == "仙桃 城管罚")
        #expect(DecisionNumber("   ") == nil)
    }

    @Test func otherShapesSayNothing() {
        for text in ["", "仙桃城管罚〔2026〕号", "仙桃城管罚〔26〕12号", "仙桃城管罚〔2026〕12", "仙桃城管罚2026年12号", "罚〔2026〕一二号", "罚〔2026〕0号"] {
            #expect(DecisionNumber(text) == nil, "\(text)")
        }
    }

    @Test func aNumberMissingBetweenTwoReportedIsSuspected() {
        let numbers = ["仙桃城管罚〔2026〕1号", "仙桃城管罚〔2026〕2号", "仙桃城管罚〔2026〕4号", "仙桃城管罚〔2026〕7号"].map { ("A", DecisionNumber($0)!) }
        #expect(
            DecisionGap.find(numbers) == [
                DecisionGap(authority: "A", series: "仙桃城管罚", year: 2026, first: 1, last: 7, reported: 4, missing: [3, 5, 6])
            ])
    }

    @Test func seriesYearsAndAuthoritiesAreSequencesOfTheirOwn() {
        let numbers: [(authority: String, number: DecisionNumber)] = [
            ("A", DecisionNumber("城管罚〔2026〕1号")!), ("A", DecisionNumber("城管罚〔2026〕2号")!),
            ("A", DecisionNumber("城管罚〔2025〕9号")!), ("B", DecisionNumber("城管罚〔2026〕3号")!),
            ("A", DecisionNumber("城管许〔2026〕5号")!), ("A", DecisionNumber("城管罚〔2026〕2号")!),
        ]
        // Each group complete, or of one number: nothing suspected.
        #expect(DecisionGap.find(numbers).isEmpty)
        // A span no office numbers in a year is not one sequence.
        #expect(DecisionGap.find([("A", DecisionNumber("罚〔2026〕1号")!), ("A", DecisionNumber("罚〔2026〕900000号")!)]).isEmpty)
    }
}
