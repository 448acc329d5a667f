import CreditDomain
import Testing

@testable import SampleData

/// Generated list entries say what a real one would: a list that takes the subject (no person on
/// a list of enterprises), the reasons, basis and measures of that list, and rewards fitting who
/// receives them.
@Suite("Sample data: lists and rewards")
struct SampleListsTests {
    @Test(arguments: ["blacklist", "redlist"])
    func everyEntryIsOfOneListThatTakesItsSubject(slug: String) throws {
        let kind = try Catalogue.bundled().kind(named: slug)
        var options = SampleGenerator.Options(seed: 11, node: try DivisionCode("420102002201"), asOf: CivilDate(year: 2026, month: 11, day: 20)!)
        options.faultShare = 0
        var generator = SampleGenerator(options)
        let lists = try #require(Names.lists[kind.kind.prefix])
        let column = { (code: String) throws -> Int in try #require(kind.index[code]) }
        var seen: [String: Set<String>] = [:]
        for row in generator.rows(kind: kind, count: 600) {
            let category = row.values[try column("XDR_LB")]
            let list = try #require(lists.first { $0.name == row.values[try column("MDMC")] }, "\(row.values)")
            #expect(list.categories.contains(category), "\(category) on \(list.name)")
            #expect(list.reasons.contains(row.values[try column("LRYY")]))
            if let basis = kind.index["RDYJ"] { #expect(list.bases.contains(row.values[basis])) }
            let measures = row.values[try column(slug == "blacklist" ? "CJCS" : "JLCS")]
            #expect(list.measures.contains(measures))
            seen[category, default: []].insert(list.name)
        }
        // Every category drawn, every list a person may be on used, and none a person may not.
        let people = try #require(seen["自然人"])
        #expect(people == Set(lists.filter { $0.categories.contains("自然人") }.map(\.name)))
        #expect(people.count < lists.count)
        #expect(seen.values.reduce(Set<String>()) { $0.union($1) } == Set(lists.map(\.name)))
    }

    @Test func rewardsFitWhoReceivesThem() throws {
        let kind = try Catalogue.bundled().kind(named: "reward")
        var options = SampleGenerator.Options(seed: 11, node: try DivisionCode("420102002201"), asOf: CivilDate(year: 2026, month: 11, day: 20)!)
        options.faultShare = 0
        var generator = SampleGenerator(options)
        for row in generator.rows(kind: kind, count: 300) {
            let category = row.values[try #require(kind.index["XDR_LB"])]
            #expect(Names.rewards[category]?.contains(row.values[try #require(kind.index["JLMC"])]) == true)
        }
    }
}
