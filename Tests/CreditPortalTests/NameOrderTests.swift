import CreditDomain
import Foundation
import GRDB
import Testing

@testable import CreditPortal
@testable import CreditStore
@testable import NodeRuntime

/// The site's search by name lists first the names that begin with what was typed — the name that
/// is exactly it first of all — then the names that hold it further on, across its pages.
@Suite("Search by name: names beginning with the query first", .serialized)
struct NameOrderTests {
    /// Penalties of individual businesses of these names, one each, in this order, each its own
    /// credit code (`MA4N` and four digits from `first`).
    static func load(_ f: PortalFixture, names: [String], first: Int, seed: UInt64) throws -> [String: String] {
        let kind = try f.node.catalogue.kind(named: "penalty")
        var rows = try f.generated(kind, count: names.count, seed: seed)
        let index = { (code: String) in kind.index[code]! }
        var codes: [String: String] = [:]
        for (i, name) in names.enumerated() {
            let code = PortalFixture.creditCode("92420102", String(format: "MA4N%04d", first + i))
            codes[name] = code
            rows[i].values[index("WSH")] = "江岸名序罚〔2026〕\(first + i)号"
            rows[i].values[index("XDR_MC")] = name
            rows[i].values[index("XDR_LB")] = "个体工商户"
            rows[i].values[index("XDR_SHXYM")] = code
            for field in ["XDR_GSZC", "XDR_ZZJG", "XDR_ZJLX", "XDR_ZJHM", "FR_ZJLX", "FR_ZJHM"] { rows[i].values[index(field)] = "" }
        }
        let report = try f.ingest(rows, kind: kind, name: "names-\(first).csv")
        #expect(report.accepted == names.count, "\(report)")
        return codes
    }

    struct Missing: Error { var code: String }

    /// The `subjects` row of the subject of this code.
    static func row(_ f: PortalFixture, _ code: String) throws -> Int64 {
        guard let hit = try f.node.store.subjectHit(code: code) else { throw Missing(code: code) }
        return hit.id
    }

    /// The names a search lists, page after page, and the links it followed.
    static func pages(_ f: PortalFixture, _ q: String) async throws -> (names: [[String]], nexts: [String]) {
        var names: [[String]] = []
        var nexts: [String] = []
        var path: String? = "/search?q=" + PortalPages.escapePath(q)
        while let at = path, names.count < 5 {
            let page = try await f.json(at)
            names.append(((page["hits"] as? [[String: Any]]) ?? []).compactMap { $0["name"] as? String })
            path = page["next"] as? String
            if let path { nexts.append(path) }
        }
        return (names, nexts)
    }

    @Test func theExactNameAndThoseBeginningWithTheQueryComeBeforeThoseHoldingIt() async throws {
        let f = try PortalFixture()
        // Arrival order puts names holding the query further on first.
        let names = ["湖北汉江源商贸有限公司", "汉江源物流有限公司", "老河口汉江源餐饮店", "汉江源", "汉江源科技有限公司"]
        let codes = try Self.load(f, names: names, first: 1, seed: 81)
        let id = { (name: String) throws -> Int64 in try Self.row(f, codes[name]!) }
        #expect(try id("湖北汉江源商贸有限公司") < id("汉江源") && id("老河口汉江源餐饮店") < id("汉江源"))
        let today = ChinaTime.date(PortalFixture.now)
        let page = try f.portal.pages.search("汉江源", today: today)
        // The name itself, then the two beginning with it in the names' order (物 U+7269 before 科 U+79D1), then by arrival.
        #expect(page.hits.map(\.name) == ["汉江源", "汉江源物流有限公司", "汉江源科技有限公司", "湖北汉江源商贸有限公司", "老河口汉江源餐饮店"])
        #expect(page.next == nil)
        // A two-character query (the short index) orders alike; the query's end matches too.
        #expect(try f.portal.pages.search("汉江", today: today).hits.map(\.name).prefix(3) == ["汉江源", "汉江源物流有限公司", "汉江源科技有限公司"])
        #expect(try f.portal.pages.search("江源科技", today: today).hits.map(\.name) == ["汉江源科技有限公司"])
        // The page shows them in that order, the query marked.
        let (_, _, html) = try await f.get("/search?q=" + PortalPages.escapePath("汉江源"))
        let at = ["<mark>汉江源</mark></strong>", "<mark>汉江源</mark>物流", "<mark>汉江源</mark>科技", "湖北<mark>汉江源</mark>", "老河口<mark>汉江源</mark>"]
            .map { html.range(of: $0)?.lowerBound }
        #expect(at.allSatisfy { $0 != nil } && at.compactMap { $0 } == at.compactMap { $0 }.sorted())
    }

    @Test func pagesGoOnFromWhereTheLastStoppedAcrossBothKinds() async throws {
        let f = try PortalFixture()
        // 23 names beginning with 澜沧 (one more whose one record is withdrawn) and 4 holding it.
        let beginning = (1...23).map { "澜沧\($0)号商店" }
        let holding = (1...4).map { "江岸\($0)号澜沧茶庄" }
        let codes = try Self.load(f, names: holding.prefix(2) + beginning + holding.suffix(2) + ["澜沧0号撤销店"], first: 100, seed: 82)
        let withdrawn = try #require(try f.node.store.records(subject: codes["澜沧0号撤销店"]!).first)
        _ = try StatusDesk(node: f.node).enter(
            key: withdrawn.key, StatusChange(action: .withdrawn, date: PortalFixture.asOf, reason: "处罚决定已撤销", unit: "江岸区市场监督管理局"),
            now: PortalFixture.now)
        let byArrival = try holding.sorted { try Self.row(f, codes[$0]!) < Self.row(f, codes[$1]!) }
        let (names, nexts) = try await Self.pages(f, "澜沧")
        // Page 1: twenty beginning with it, by name; page 2: the other three, then those holding it.
        #expect(names.count == 2 && names.first == Array(beginning.sorted().prefix(20)))
        #expect(names.last == Array(beginning.sorted().suffix(3)) + byArrival)
        #expect(nexts.count == 1 && nexts.first?.contains("&after=b") == true)
        #expect(!names.joined().contains("澜沧0号撤销店"))

        // A page that stops among the names holding it goes on among them.
        let more = (1...21).map { "襄阳\($0)号汉水源茶社" }
        let codes2 = try Self.load(f, names: more + ["汉水源茶社"], first: 200, seed: 83)
        #expect(codes2.count == 22)
        let (names2, nexts2) = try await Self.pages(f, "汉水源")
        #expect(names2.count == 2 && names2.first?.first == "汉水源茶社" && names2.first?.count == 20, "\(names2)")
        #expect(names2.last == Array(more.suffix(2)))
        #expect(nexts2.first?.contains("&after=h") == true && Set(names2.joined()).count == 22)

        // Refused: a position out of shape is 400 and says to start again; nothing searched.
        for after in ["x5", "b", "b-3", "h0", "17", "b12a"] {
            let (status, _, body) = try await f.get("/search?q=" + PortalPages.escapePath("澜沧") + "&after=" + after)
            #expect(status == .badRequest && body.contains("翻页位置无效"), "\(after)")
        }
        // A subject's row that does not exist: the names after where it would be.
        let (status, _, _) = try await f.get("/search?q=" + PortalPages.escapePath("澜沧") + "&after=h999999")
        #expect(status == .ok)
    }

    /// The names beginning with the query are read as a range of the index, in its order: SQLite
    /// sorts nothing, whatever the store holds.
    @Test func namesBeginningWithTheQueryAreARangeOfTheIndex() throws {
        let f = try PortalFixture()
        let plan = try f.node.store.read { db in
            try Row.fetchAll(db, sql: "EXPLAIN QUERY PLAN " + NodeStore.namesBeginning(exists: "1"), arguments: ["汉江", "汉江\u{10FFFF}", "汉江", 0, 21])
                .map { String(describing: $0["detail"] ?? "") }.joined(separator: "\n")
        }
        #expect(plan.contains("USING INDEX subjects_name") && !plan.contains("TEMP B-TREE"), "\(plan)")
    }
}

/// Latin letters typed small find the names that begin with them in capitals, as names write them.
@Suite("Search by name: Latin letters in either case", .serialized)
struct NameLetterTests {
    @Test func lettersTypedSmallFindNamesBeginningWithThemInCapitals() throws {
        let f = try PortalFixture()
        _ = try NameOrderTests.load(f, names: ["江岸TCL家电维修部", "TCL家电江岸专卖店", "Tcl江岸小店"], first: 400, seed: 85)
        let today = ChinaTime.date(PortalFixture.now)
        let found = { (q: String) in try f.portal.pages.search(q, today: today).hits.map(\.name) }
        // Small or capital, the name beginning with TCL first, then those holding it in any case, by arrival.
        #expect(try found("tcl") == ["TCL家电江岸专卖店", "江岸TCL家电维修部", "Tcl江岸小店"])
        #expect(try found("TCL") == ["TCL家电江岸专卖店", "江岸TCL家电维修部", "Tcl江岸小店"])
        #expect(try found("Tcl") == ["TCL家电江岸专卖店", "Tcl江岸小店", "江岸TCL家电维修部"])
        #expect(try found("tcl家电") == ["TCL家电江岸专卖店", "江岸TCL家电维修部"])
        // Marked as the name writes it.
        #expect(try f.portal.pages.search("tcl", today: today).hits.first?.nameParts.first == NamePart(text: "TCL", hit: true))
        // Refused: letters are not other letters.
        #expect(try found("tcx").isEmpty)
    }
}

/// A name registered with full-width brackets is found typed with ASCII ones, and the other way round.
@Suite("Search by name: brackets typed either way", .serialized)
struct NameBracketTests {
    @Test func roundBracketsFullWidthOrASCIIFindTheSameNames() async throws {
        let f = try PortalFixture()
        let names = ["襄阳汉江（集团）有限公司", "汉江(集团)物流有限公司", "汉江集团商贸有限公司", "汉江（集团）建设有限公司"]
        _ = try NameOrderTests.load(f, names: names, first: 300, seed: 84)
        let today = ChinaTime.date(PortalFixture.now)
        let found = { (q: String) in try f.portal.pages.search(q, today: today).hits.map(\.name) }
        // Either way typed: the name beginning with it first, then the one holding it further on.
        let all = ["汉江(集团)物流有限公司", "汉江（集团）建设有限公司", "襄阳汉江（集团）有限公司"]
        #expect(try found("汉江(集团)") == all && found("汉江（集团）") == all && found("汉江（集团)") == all)
        #expect(try found("(集团)有限") == ["襄阳汉江（集团）有限公司"])
        #expect(try found("江（集团）物流") == ["汉江(集团)物流有限公司"])
        // Marked whichever way the name writes them.
        let page = try f.portal.pages.search("汉江(集团)", today: today)
        #expect(page.hits.map { $0.nameParts.filter(\.hit).map(\.text) } == [["汉江(集团)"], ["汉江（集团）"], ["汉江（集团）"]])
        // One at a time, each from the position after the last: the same names, none twice.
        let scope = f.portal.pages.scope(today)
        var position = NameSearchPosition.start
        var one: [String] = []
        while one.count < 5, let next = try f.node.store.searchSubjects("汉江(集团)", scope: scope, from: position, limit: 1).first {
            one.append(next.hit.name)
            position = next.position
        }
        #expect(one == all)
        // Refused: brackets are not left out (汉江集团 is another name), nor are other brackets read as round ones.
        #expect(try found("汉江集团") == ["汉江集团商贸有限公司"])
        #expect(try found("汉江[集团]").isEmpty && found("汉江【集团】").isEmpty)
        #expect(NodeStore.nameForms("汉江") == ["汉江"] && NodeStore.nameForms("(集") == ["(集"])
        #expect(NodeStore.nameForms("汉(集)") == ["汉(集)", "汉（集）"])
        #expect(NodeStore.nameForms("tcl(集") == ["TCL(集", "TCL（集", "tcl(集", "tcl（集"] && NodeStore.nameForms("Ab") == ["AB", "Ab"])
    }
}
