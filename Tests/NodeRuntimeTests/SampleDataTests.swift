import CreditDomain
import Testing

@testable import SampleData

/// Generated records say what a real one would: a list entry names a list that takes its subject
/// (no person on a list of enterprises) with that list's reasons, basis, measures and keeper; a
/// penalty is one case of its authority; a licence is what its authority grants; rewards fit who
/// receives them.
@Suite("Sample data: records that hang together")
struct SampleDataTests {
    /// `count` rows of `kind` without planted faults, generated at `node` for 2026-11-20.
    static func rows(_ kind: ResolvedKind, count: Int, node: String = "420102002201", seed: UInt64 = 11) throws -> [SampleRow] {
        var options = SampleGenerator.Options(seed: seed, node: try DivisionCode(node), asOf: CivilDate(year: 2026, month: 11, day: 20)!)
        options.faultShare = 0
        var generator = SampleGenerator(options)
        return generator.rows(kind: kind, count: count)
    }

    @Test(arguments: ["blacklist", "redlist"])
    func everyEntryIsOfOneListThatTakesItsSubject(slug: String) throws {
        let kind = try Catalogue.bundled().kind(named: slug)
        let lists = try #require(Names.lists[kind.kind.prefix])
        let column = { (code: String) throws -> Int in try #require(kind.index[code]) }
        var seen: [String: Set<String>] = [:]
        for row in try Self.rows(kind, count: 600) {
            let category = row.values[try column("XDR_LB")]
            let list = try #require(lists.first { $0.name == row.values[try column("MDMC")] }, "\(row.values)")
            #expect(list.categories.contains(category), "\(category) on \(list.name)")
            #expect(list.reasons.contains(row.values[try column("LRYY")]))
            if let basis = kind.index["RDYJ"] { #expect(list.bases.contains(row.values[basis])) }
            let measures = row.values[try column(slug == "blacklist" ? "CJCS" : "JLCS")]
            #expect(list.measures.contains(measures))
            // Decided by the body that keeps the list, whose abbreviation numbers the decision.
            let unit = row.values[try column("RDJG")]
            let number = row.values[try column("WSH")]
            switch list.maker {
            case "人民法院": #expect(unit.hasSuffix("人民法院") && number.contains("法失信"), "\(unit)")
            case "税务局": #expect(unit.hasPrefix("国家税务总局") && unit.hasSuffix("税务局"), "\(unit)")
            case "市场监督管理局": #expect(unit.hasSuffix("市场监督管理局"), "\(unit)")
            default: #expect(!unit.hasSuffix("人民法院") && !unit.hasSuffix("税务局"), "\(unit)")
            }
            seen[category, default: []].insert(list.name)
        }
        // Every category drawn, every list a person may be on used, and none a person may not.
        let people = try #require(seen["自然人"])
        #expect(people == Set(lists.filter { $0.categories.contains("自然人") }.map(\.name)))
        #expect(people.count < lists.count)
        #expect(seen.values.reduce(Set<String>()) { $0.union($1) } == Set(lists.map(\.name)))
    }

    /// Two nodes of one county report the decisions of one set of departments: once the second
    /// generator adopts the first's bodies, a department has one credit code and its numbers go on
    /// from where the first node's left off (no two decisions share a key); without it, each node
    /// would make up its own code for the same-named department.
    @Test func aCountysNodesShareItsDepartments() throws {
        let kind = try Catalogue.bundled().kind(named: "penalty")
        let day = CivilDate(year: 2026, month: 11, day: 20)!
        func generator(_ node: String, seed: UInt64) throws -> SampleGenerator {
            var options = SampleGenerator.Options(seed: seed, node: try DivisionCode(node), asOf: day)
            options.faultShare = 0
            return SampleGenerator(options)
        }
        let column = { (code: String) throws -> Int in try #require(kind.index[code]) }
        var first = try generator("429004001201", seed: 3)
        let firstRows = first.rows(kind: kind, count: 120)
        var alone = try generator("429004001202", seed: 4)
        var shared = alone
        shared.adoptBodies(of: first)
        let aloneRows = alone.rows(kind: kind, count: 120)
        let sharedRows = shared.rows(kind: kind, count: 120)
        func codes(_ rows: [SampleRow]) throws -> [String: Set<String>] {
            var out: [String: Set<String>] = [:]
            for r in rows { out[r.values[try column("CFJG")], default: []].insert(r.values[try column("CFJGDM")]) }
            return out
        }
        func keys(_ rows: [SampleRow]) throws -> [String] {
            try rows.map { "\($0.values[try column("CFJGDM")])|\($0.values[try column("WSH")])" }
        }
        // Shared: one code per department across both nodes, and every key once.
        let both = try codes(firstRows + sharedRows)
        #expect(both.values.allSatisfy { $0.count == 1 }, "\(both)")
        let all = try keys(firstRows + sharedRows)
        #expect(Set(all).count == all.count)
        // Alone: the same names under other codes.
        let apart = try codes(firstRows + aloneRows)
        #expect(apart.values.contains { $0.count > 1 })
        // Commitments, numbered per day in the county, get codes of their own at either node.
        let commitment = try Catalogue.bundled().kind(named: "commitment")
        let code = try #require(commitment.index["CNBM"])
        let earlier = first.rows(kind: commitment, count: 60)
        var next = try generator("429004001203", seed: 5)
        next.adoptBodies(of: first)
        // As many rows before them as the first node had: a count of the node's own rows would repeat its codes.
        _ = next.rows(kind: kind, count: 120)
        let codes = (earlier + next.rows(kind: commitment, count: 60)).map { $0.values[code] }
        #expect(Set(codes).count == codes.count)
        // Only the bodies changed: the rows' subjects are the ones the node would draw alone.
        let subject = try column("XDR_MC")
        #expect(aloneRows.map { $0.values[subject] } == sharedRows.map { $0.values[subject] })
    }

    /// A commitment is of its matter's type, in the words of whom it binds (本人 / 本单位), and
    /// whether it was kept is left open while it is recent; older ones were mostly kept.
    @Test func commitmentsHangTogether() throws {
        let kind = try Catalogue.bundled().kind(named: "commitment")
        let column = { (code: String) throws -> Int in try #require(kind.index[code]) }
        var people = 0
        var outcomes: [String: Int] = [:]
        for row in try Self.rows(kind, count: 300) {
            let v = { (code: String) throws -> String in row.values[try column(code)] }
            let said = try v("CNSX")
            let matter = try #require(Names.commitments.first { $0.matter == said }, "\(said)")
            #expect(try v("CNLX") == matter.type)
            let person = try v("XDR_LB") == "自然人"
            people += person ? 1 : 0
            #expect(try v("CNNR").hasPrefix(person ? "本人承诺" : "本单位承诺"))
            let age = CivilDate(year: 2026, month: 11, day: 20)!.dayNumber - (try #require(CivilDate.parse(try v("CNRQ")))).dayNumber
            let kept = try v("LYQK")
            if age < 90 { #expect(kept.isEmpty, "\(age) days: \(kept)") } else { outcomes[kept, default: 0] += 1 }
        }
        #expect(people > 10)
        // A quarter on, most were kept in full; some partly, some not at all, some never checked.
        #expect(Set(outcomes.keys).isSubset(of: ["全部履行", "部分履行", "全部未履行", ""]) && outcomes.count >= 2, "\(outcomes)")
        #expect(outcomes["全部履行", default: 0] * 2 > outcomes.values.reduce(0, +))
    }

    @Test func rewardsFitWhoReceivesThem() throws {
        let kind = try Catalogue.bundled().kind(named: "reward")
        for row in try Self.rows(kind, count: 300) {
            let category = row.values[try #require(kind.index["XDR_LB"])]
            #expect(Names.rewards[category]?.contains(row.values[try #require(kind.index["JLMC"])]) == true)
        }
    }

    /// A penalty's violation, facts and basis are one case of the authority that decided it; what
    /// was decided follows its 处罚类别; an amount only where there is one; no organisation
    /// detained.
    @Test func penaltiesAreOneCaseOfTheirAuthority() throws {
        let kind = try Catalogue.bundled().kind(named: "penalty")
        var authoritiesSeen = Set<String>()
        var people = 0
        for row in try Self.rows(kind, count: 800) {
            let v = Dictionary(uniqueKeysWithValues: kind.fields.enumerated().map { ($0.element.code, row.values[$0.offset]) })
            let unit = v["CFJG"] ?? ""
            let key = try #require(Names.penaltyCases.keys.first { unit.hasSuffix($0) }, "\(unit)")
            authoritiesSeen.insert(key)
            let violation = v["WFXW"] ?? ""
            let c = try #require(Names.penaltyCases[key]?.first { $0.violation == violation }, "\(violation) by \(key)")
            #expect(v["SY"] == c.facts && v["YJ"] == c.basis)
            let types = (v["CFLB"] ?? "").split(separator: ";").map(String.init)
            #expect(v["NR"] == types.compactMap { Names.penaltyContent[$0] }.first.map { types.count > 1 ? $0 + "，并处罚款" : $0 })
            #expect(v["NR_FK"]?.isEmpty == !types.contains("罚款"))
            if v["NR_WFFF"]?.isEmpty == false { #expect(types.contains { $0.hasPrefix("没收") }) }
            if v["XDR_LB"] != "自然人" { #expect(!types.contains("行政拘留") && !types.contains("限制从业"), "\(types)") }
            // No person has a qualification grade lowered or premises closed.
            if v["XDR_LB"] == "自然人" { #expect(!types.contains("降低资质等级") && !types.contains("责令关闭"), "\(types)") }
            people += v["XDR_LB"] == "自然人" ? 1 : 0
        }
        #expect(authoritiesSeen == Set(Names.penaltyCases.keys) && people > 50)
    }

    @Test func licencesAreWhatTheirAuthorityGrants() throws {
        let kind = try Catalogue.bundled().kind(named: "license")
        for row in try Self.rows(kind, count: 300) {
            let v = Dictionary(uniqueKeysWithValues: kind.fields.enumerated().map { ($0.element.code, row.values[$0.offset]) })
            let unit = v["XKJG"] ?? ""
            let granted = try #require(Names.licences.first { unit.hasSuffix($0.key) }?.value, "\(unit)")
            #expect(granted.contains { $0.certificate == v["XKZS"] && $0.content == v["NR"] }, "\(v)")
        }
    }

    /// Bodies are named for the level deciding: a province's 厅 and 委员会, a city's 中级人民法院,
    /// a county's 分局.
    @Test func authoritiesAreNamedForTheirLevel() throws {
        func units(_ node: String, _ slug: String, _ field: String) throws -> Set<String> {
            let kind = try Catalogue.bundled().kind(named: slug)
            let column = try #require(kind.index[field])
            return Set(try Self.rows(kind, count: 300, node: node, seed: 3).map { $0.values[column] })
        }
        let province = try units("420000000000", "penalty", "CFJG")
        #expect(province.allSatisfy { $0.hasPrefix("湖北省") } && province.contains("湖北省生态环境厅") && province.contains("湖北省卫生健康委员会"))
        #expect(!province.contains { $0.hasSuffix("分局") })
        let city = try units("420100000000", "blacklist", "RDJG")
        #expect(city.contains("武汉市中级人民法院") && city.contains("国家税务总局武汉市税务局"), "\(city)")
        let county = try units("420102000000", "penalty", "CFJG")
        #expect(county.contains("武汉市江岸区生态环境分局"), "\(county)")
    }
}
