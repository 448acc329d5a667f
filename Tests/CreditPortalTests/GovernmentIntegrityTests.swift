import CreditDomain
import Foundation
import GRDB
import SampleData
import Testing

@testable import CreditPortal
@testable import CreditStore
@testable import NodeRuntime

/// 政务诚信: government bodies with dishonesty standing against them, each case until it closes.
@Suite("Government bodies' dishonesty followed up on the operators' page", .serialized)
struct GovernmentIntegrityTests {
    static let hospital = (code: "121200004013590816", name: "江岸区第一人民医院")
    static let bureau = (code: CommitmentTests.unitA.code, name: CommitmentTests.unitA.name)
    /// A Hebei resident's ID number: it begins 13, as a 群团组织's credit code does.
    static let hebeiPerson = "130102199003071233"

    /// The commitment fixture's node (its five commitments by companies and people), then eight
    /// penalties — the first organisation's the hospital's, the second's the bureau's, the first
    /// person's the Hebei resident's — and a commitment of the bureau's, not kept at all.
    static func fixture() throws -> (CommitmentTests.Fixture, penaltyKeys: [String: String]) {
        let f = try CommitmentTests.Fixture(CommitmentTests.plans)
        let penalty = try f.node.catalogue.kind(named: "penalty")
        var options = SampleGenerator.Options(seed: 23, node: f.node.configuration.code, asOf: CommitmentTests.today)
        options.faultShare = 0
        options.lateShare = 0
        options.jurisdictions = try CommitmentTests.villages.map { try DivisionCode($0) }
        var generator = SampleGenerator(options)
        var rows = generator.rows(kind: penalty, count: 8)
        let column = { (code: String) throws -> Int in try #require(penalty.index[code]) }
        let organisations = try rows.indices.filter { rows[$0].values[try column("XDR_LB")] == "法人及非法人组织" }
        let person = try #require(try rows.indices.first { rows[$0].values[try column("XDR_LB")] == "自然人" })
        try #require(organisations.count >= 3)
        for (i, body) in [(organisations[0], Self.hospital), (organisations[1], Self.bureau)] {
            rows[i].values[try column("XDR_SHXYM")] = body.code
            rows[i].values[try column("XDR_MC")] = body.name
        }
        rows[person].values[try column("XDR_ZJHM")] = Self.hebeiPerson
        let path = try f.dir.write("penalties.csv", Array(SampleGenerator.csv(kind: penalty, rows: rows, header: .codes).utf8))
        let report = try FileIngestion(node: f.node).ingest(file: path, kind: "penalty", now: CommitmentTests.now)
        #expect(report.rejected == 0, "\(report)")
        var broken = try f.rows([CommitmentTests.Plan(serial: 9, unit: CommitmentTests.unitB, daysAgo: 130, outcome: "全部未履行")])
        broken[0].values[try #require(f.kind.index["XDR_LB"])] = "法人及非法人组织"
        broken[0].values[try #require(f.kind.index["XDR_SHXYM"])] = Self.bureau.code
        broken[0].values[try #require(f.kind.index["XDR_MC"])] = Self.bureau.name
        let commitments = try f.dir.write("gov-commitment.csv", Array(SampleGenerator.csv(kind: f.kind, rows: broken, header: .codes).utf8))
        #expect(try FileIngestion(node: f.node).ingest(file: commitments, kind: "commitment", now: CommitmentTests.now).rejected == 0)
        let keys = try Dictionary(
            uniqueKeysWithValues: [Self.hospital.code, Self.bureau.code].map { code in
                (code, try #require(try f.node.store.records(subject: code).first { $0.kind == "penalty" }?.key))
            })
        return (f, keys)
    }

    @Test func governmentBodiesWithDishonestyAreListedAndPeopleAreNot() throws {
        let (f, _) = try Self.fixture()
        // The Hebei resident's penalty is a person's: not among the government bodies' records.
        let held = try f.node.store.read { db in try String.fetchAll(db, sql: "SELECT DISTINCT subject FROM government_records ORDER BY 1") }
        #expect(held == [Self.bureau.code, Self.hospital.code])
        let ledger = try GovernmentIntegrity.compute(f.node, today: CommitmentTests.today)
        #expect(!ledger.clean && ledger.cases.count == 3)
        #expect(ledger.bodies.map(\.code) == [Self.bureau.code, Self.hospital.code] && ledger.bodies.map(\.cases) == [2, 1])
        #expect(ledger.bodies.map(\.category) == ["机关", "事业单位"])
        #expect(ledger.kinds.map(\.kind) == ["行政处罚", "信用承诺"] && ledger.kinds.map(\.cases) == [2, 1])
        // Oldest first: the commitment of 130 days ago, then the penalties of these days.
        #expect(ledger.cases.first?.kind == "信用承诺" && ledger.cases.first?.days == 130 && ledger.cases.first?.what.hasSuffix("：全部未履行") == true)
        #expect(ledger.cases.allSatisfy { !$0.closes.isEmpty && $0.body != Self.hebeiPerson })
        // A version naming another subject takes the record off the government bodies' list, and back.
        let held2 = { () throws -> [String] in
            try f.node.store.read { db in try String.fetchAll(db, sql: "SELECT subject FROM government_records ORDER BY 1") }
        }
        try f.node.store.write { db in
            try db.execute(sql: "UPDATE records SET subject_code = '91420102MA4K2C5X1L' WHERE subject_code = ?", arguments: [Self.hospital.code])
        }
        #expect(try held2() == [Self.bureau.code, Self.bureau.code])
        try f.node.store.write { db in
            try db.execute(sql: "UPDATE records SET subject_code = ? WHERE subject_code = '91420102MA4K2C5X1L'", arguments: [Self.hospital.code])
        }
        #expect(try held2() == [Self.bureau.code, Self.bureau.code, Self.hospital.code])
    }

    @Test func aCaseClosesWhenItsRecordStopsStanding() throws {
        let (f, keys) = try Self.fixture()
        _ = try StatusDesk(node: f.node).enter(
            key: try #require(keys[Self.hospital.code]),
            StatusChange(action: .withdrawn, date: CommitmentTests.today, reason: "处罚决定经复议撤销", unit: "江岸区司法局"), now: CommitmentTests.now)
        var kept = CommitmentTests.Plan(serial: 9, unit: CommitmentTests.unitB, daysAgo: 130, outcome: "全部履行")
        kept.village = CommitmentTests.villages[0]
        var rows = try f.rows([kept])
        rows[0].values[try #require(f.kind.index["XDR_LB"])] = "法人及非法人组织"
        rows[0].values[try #require(f.kind.index["XDR_SHXYM"])] = Self.bureau.code
        rows[0].values[try #require(f.kind.index["XDR_MC"])] = Self.bureau.name
        let path = try f.dir.write("kept.csv", Array(SampleGenerator.csv(kind: f.kind, rows: rows, header: .codes).utf8))
        #expect(try FileIngestion(node: f.node).ingest(file: path, kind: "commitment", now: CommitmentTests.now).updated == 1)
        var ledger = try GovernmentIntegrity.compute(f.node, today: CommitmentTests.today)
        #expect(ledger.cases.map(\.code) == [Self.bureau.code] && ledger.cases[0].kind == "行政处罚")
        _ = try StatusDesk(node: f.node).enter(
            key: try #require(keys[Self.bureau.code]),
            StatusChange(action: .withdrawn, date: CommitmentTests.today, reason: "决定有误，撤销", unit: "江岸区卫生健康局"), now: CommitmentTests.now)
        ledger = try GovernmentIntegrity.compute(f.node, today: CommitmentTests.today)
        #expect(ledger.clean && ledger.bodies.isEmpty)
    }

    @Test func thePageListsTheCasesAndSaysWhenThereAreNone() async throws {
        let (f, _) = try Self.fixture()
        try await withOperatorsListener(f.node, tls: false) { port in
            let base = "http://127.0.0.1:\(port)/ops/integrity"
            let page = try await fetch(base)
            #expect(page.status == 200 && page.body.contains("<h1>政务诚信"))
            #expect(page.body.contains("<span class=\"count\">2</span><span class=\"count-name\">有失信记录的政府机构</span>"))
            #expect(page.body.contains(Self.hospital.name) && page.body.contains("事业单位") && !page.body.contains("零失信</strong>"))
            #expect(!page.body.contains(Self.hebeiPerson) && page.body.contains("共 3 件") && !page.body.contains("未列出"))
            let csv = try await fetch(base + "?format=csv")
            let lines = csv.body.split(separator: "\r\n")
            #expect(csv.status == 200 && lines.count == 4 && lines[0].contains("机构名称,统一社会信用代码,机构类别"))
            let json = try await fetch(base + "?format=json")
            #expect(json.status == 200 && json.body.contains("\"clean\":false"))
            // The dashboard counts the cases and leads to the ledger.
            let dashboard = try await fetch("http://127.0.0.1:\(port)/ops/")
            #expect(
                dashboard.body.contains(
                    "<a href=\"/ops/integrity\"><span class=\"count\">3</span><span class=\"count-name\">政府机构失信未销号</span>"), "\(dashboard.body)")
        }
        // A page that lists fewer than there are says how many the CSV has besides.
        let short = try OperationsPages(node: f.node).integrity(reader: "x", now: CommitmentTests.now, shown: 2)
        #expect(short.ledger.cases.count == 2 && short.caseCount == 3 && short.more == 1)
        // A node whose government bodies have nothing standing: 零失信.
        let clean = try CommitmentTests.Fixture(CommitmentTests.plans)
        try await withOperatorsListener(clean.node, tls: false) { port in
            let page = try await fetch("http://127.0.0.1:\(port)/ops/integrity")
            #expect(page.status == 200 && page.body.contains("本地区政府机构<strong>零失信</strong>"))
            let dashboard = try await fetch("http://127.0.0.1:\(port)/ops/")
            #expect(dashboard.body.contains("<span class=\"count\">0</span><span class=\"count-name\">政府机构失信未销号</span>"))
        }
    }
}
