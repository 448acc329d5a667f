import CreditDomain
import Foundation
import GRDB
import NodePKI
import SampleData
import TestSupport
import Testing

@testable import CreditPortal
@testable import CreditStore
@testable import NodeRuntime

/// 信用承诺履约: the commitments an office follows up, kept by the store as they are written.
@Suite("Commitments followed up on the operators' page", .serialized)
struct CommitmentTests {
    static let township = "420102002000"
    static let villages = ["420102002201", "420102002202"]
    static let today = CivilDate(year: 2026, month: 11, day: 25)!
    static let now = Date(timeIntervalSince1970: Double(today.dayNumber) * 86_400 + 2 * 3600)
    /// Two accepting units with credit codes that check.
    static let unitA = (code: "11420102310527043H", name: "武汉市江岸区卫生健康局")
    static let unitB = (code: "114201021B2807876X", name: "武汉市江岸区生态环境分局")

    /// One commitment as a department sends it: who took it, when, what became of it.
    struct Plan {
        var serial: Int
        var unit: (code: String, name: String)
        var daysAgo: Int
        var outcome: String
        var village: String = CommitmentTests.villages[0]
    }

    /// A township with two villages and a clock at `now`; `plans` ingested as one file.
    struct Fixture {
        let dir: TemporaryDirectory
        let node: NodeContext
        let kind: ResolvedKind

        init(_ plans: [Plan]) throws {
            dir = try TemporaryDirectory()
            // The node's own certificate: the operators' listener knows whom it serves by it.
            let issued = CommitmentTests.now.addingTimeInterval(-30 * 86_400)
            let ca = try NetworkCA.create(now: issued)
            let certs = dir.url.appendingPathComponent("certs")
            try FileManager.default.createDirectory(at: certs, withIntermediateDirectories: true)
            try ca.issue(code: try DivisionCode(CommitmentTests.township), now: issued).write(to: certs, ca: ca.certificate)
            var config = NodeConfiguration(code: try DivisionCode(CommitmentTests.township), dataDirectory: dir.path("node"))
            config.name = "大智街道"
            config.identity = certs.path
            config.children = try CommitmentTests.villages.map { try DivisionCode($0) }
            node = try NodeContext(configuration: config, clock: { CommitmentTests.now })
            kind = try node.catalogue.kind(named: "commitment")
            try ingest(plans)
        }

        /// The plans' rows, generated then set as planned (a person's commitment among them).
        func rows(_ plans: [Plan]) throws -> [SampleRow] {
            var options = SampleGenerator.Options(seed: 5, node: node.configuration.code, asOf: CommitmentTests.today)
            options.faultShare = 0
            options.jurisdictions = try CommitmentTests.villages.map { try DivisionCode($0) }
            var generator = SampleGenerator(options)
            var rows = generator.rows(kind: kind, count: plans.count)
            for (i, plan) in plans.enumerated() {
                let date = CommitmentTests.today.adding(days: -plan.daysAgo)
                let set = { (code: String, value: String) throws in rows[i].values[try #require(kind.index[code])] = value }
                try set("CNBM", "420102" + date.iso.replacingOccurrences(of: "-", with: "") + String(format: "%06d", plan.serial))
                try set("CNRQ", date.iso)
                try set("LYQK", plan.outcome)
                try set("SLDWDM", plan.unit.code)
                try set("SLDW", plan.unit.name)
                try set("XZQH", plan.village)
            }
            return rows
        }

        func ingest(_ plans: [Plan]) throws {
            let path = try dir.write(
                "commitments-\(UUID().uuidString).csv", Array(SampleGenerator.csv(kind: kind, rows: try rows(plans), header: .codes).utf8))
            let report = try FileIngestion(node: node).ingest(file: path, kind: "commitment", now: CommitmentTests.now)
            #expect(report.rejected == 0, "\(report)")
        }
    }

    /// Unit A: kept, not kept at all, unchecked for 120 days (overdue); unit B: unchecked for 10
    /// days (in time), partly kept (in the second village).
    static let plans = [
        Plan(serial: 1, unit: unitA, daysAgo: 200, outcome: "全部履行"),
        Plan(serial: 2, unit: unitA, daysAgo: 150, outcome: "全部未履行"),
        Plan(serial: 3, unit: unitA, daysAgo: 120, outcome: ""),
        Plan(serial: 4, unit: unitB, daysAgo: 10, outcome: ""),
        Plan(serial: 5, unit: unitB, daysAgo: 100, outcome: "部分履行", village: villages[1]),
    ]

    @Test func theLedgerCountsEachUnitsCommitmentsAndWhatBecameOfThem() throws {
        let f = try Fixture(Self.plans)
        let ledger = try #require(try CommitmentLedger.compute(f.node, today: Self.today))
        #expect(ledger.outcomes == ["全部履行", "部分履行", "全部未履行"] && ledger.checkDays == 90)
        #expect(ledger.overdueBefore == "2026-08-27")
        #expect(ledger.total.commitments == 5 && ledger.total.broken == 2 && ledger.total.unchecked == 2 && ledger.total.overdue == 1)
        #expect(ledger.total.outcomes == [1, 1, 1] && ledger.total.keptRate == "33.33 %")
        // Unit A has three to follow up's worth (one broken, one overdue), and comes first.
        #expect(ledger.acceptors.map(\.code) == [Self.unitA.code, Self.unitB.code])
        #expect(ledger.acceptors[0].name == Self.unitA.name && ledger.acceptors[0].overdue == 1 && ledger.acceptors[0].broken == 1)
        #expect(ledger.acceptors[1].unchecked == 1 && ledger.acceptors[1].overdue == 0 && ledger.acceptors[1].keptRate == "0.00 %")
        #expect(ledger.regions.map(\.code) == Self.villages && ledger.regions.map(\.commitments) == [4, 1])
        // Oldest first: A's broken one, A's overdue one, B's partly kept one; B's recent one not yet.
        let list = try CommitmentToFollowUp.list(f.node, today: Self.today, limit: 10)
        #expect(list.map(\.number) == ["42010220260628000002", "42010220260728000003", "42010220260817000005"])
        #expect(list.map(\.checked) == [true, false, true])
        #expect(list[1].remark == "已满 120 天未报送履约情况，请受理单位核查")
        #expect(try CommitmentToFollowUp.list(f.node, today: Self.today, acceptor: Self.unitB.code, limit: 10).map(\.outcome) == ["部分履行"])
        #expect(try CommitmentToFollowUp.list(f.node, today: Self.today, areaPrefix: "420102002202", limit: 10).count == 1)
        // A page of one, then the next from its last row.
        let first = try CommitmentToFollowUp.list(f.node, today: Self.today, limit: 1)
        let rest = try CommitmentToFollowUp.list(f.node, today: Self.today, after: (first[0].committedOn, first[0].id), limit: 10)
        #expect((first + rest).map(\.id) == list.map(\.id))
    }

    /// A commitment checked later, or withdrawn, moves in the tallies; the tallies always equal
    /// what the records say, and a tally altered behind the store's back is found.
    @Test func theTalliesFollowEveryVersionAndAreCheckedAgainstTheRecords() throws {
        let f = try Fixture(Self.plans)
        #expect(try f.node.store.tallyDiscrepancies().isEmpty)
        // B's recent commitment checked: kept in full.
        var checked = Self.plans[3]
        checked.outcome = "全部履行"
        try f.ingest([checked])
        var ledger = try #require(try CommitmentLedger.compute(f.node, today: Self.today))
        #expect(ledger.total.commitments == 5 && ledger.total.unchecked == 1 && ledger.total.outcomes == [2, 1, 1])
        // A's broken one found kept after all; then withdrawn.
        var kept = Self.plans[1]
        kept.outcome = "全部履行"
        try f.ingest([kept])
        let key = "commitment|42010220260628000002"
        _ = try StatusDesk(node: f.node).enter(
            key: key, StatusChange(action: .withdrawn, date: Self.today, reason: "承诺主体注销，撤销", unit: Self.unitA.name), now: Self.now)
        ledger = try #require(try CommitmentLedger.compute(f.node, today: Self.today))
        #expect(ledger.total.commitments == 4 && ledger.total.broken == 1 && ledger.total.outcomes == [2, 1, 0])
        #expect(try CommitmentToFollowUp.list(f.node, today: Self.today, limit: 10).count == 2)
        #expect(try f.node.store.tallyDiscrepancies().isEmpty)
        // Altered behind the store's back: found, named.
        try f.node.store.write { db in try db.execute(sql: "UPDATE tally_commitment SET records = records + 1 WHERE fulfilment = '部分履行'") }
        try f.node.store.write { db in try db.execute(sql: "DELETE FROM commitment_follow_up WHERE fulfilment = ''") }
        let found = try f.node.store.tallyDiscrepancies()
        #expect(
            found.count == 2 && found.contains { $0.hasPrefix("commitment 420102002202/") }
                && found.contains { $0.hasPrefix("commitment follow-up ") })
    }

    /// The rule is the catalogue's: the same rule again reads one row; another rule (or none)
    /// counts again from the records.
    @Test func aChangedRuleCountsAgainFromTheRecords() throws {
        let f = try Fixture(Self.plans)
        let rule = try #require(CommitmentRule(try f.node.catalogue.kind(named: "commitment")))
        #expect(try f.node.store.applyCommitmentRule(rule) == nil)
        #expect(try f.node.store.applyCommitmentRule(nil) == 0)
        #expect(try f.node.store.commitmentTallies().isEmpty)
        #expect(try f.node.store.applyCommitmentRule(rule) == 5)
        #expect(try f.node.store.tallyDiscrepancies().isEmpty)
        var strict = rule
        strict.kept = "部分履行"
        #expect(try f.node.store.applyCommitmentRule(strict) == 5)
        #expect(
            try f.node.store.commitmentsToFollowUp(
                kept: strict.kept, uncheckedBefore: nil, brokenToo: true, areaPrefix: nil, acceptor: nil, fields: [], after: nil, limit: 10
            ).map(\.fulfilment).sorted() == ["全部履行", "全部未履行"])
        // A field code that is not one is refused before any SQL is written.
        var bad = rule
        bad.acceptor = "CN_SLDWDM') --"
        #expect(throws: StoreError.self) { try f.node.store.applyCommitmentRule(bad) }
        #expect(try f.node.store.tallyDiscrepancies().isEmpty)
    }

    @Test func thePageShowsTheUnitsToFollowUpAndTheirList() async throws {
        let f = try Fixture(Self.plans)
        try await withOperatorsListener(f.node, tls: false) { port in
            let base = "http://127.0.0.1:\(port)/ops/commitments"
            let page = try await fetch(base)
            #expect(page.status == 200)
            #expect(page.body.contains("<h1>信用承诺履约"))
            #expect(page.body.contains("<span class=\"count\">33.33 %</span>"))
            #expect(page.body.contains("href=\"/ops/commitments?acceptor=\(Self.unitA.code)#follow-up\">\(Self.unitA.name)</a>"))
            #expect(page.body.contains("已满 120 天未报送履约情况，请受理单位核查"))
            #expect(page.body.contains("<span class=\"tag tag-penalty\">全部未履行</span>"))
            #expect(!page.body.contains("20261115000004"))
            // One unit's list; one region's.
            let b = try await fetch(base + "?acceptor=\(Self.unitB.code)")
            #expect(b.status == 200 && b.body.contains("42010220260817000005") && !b.body.contains("42010220260628000002"))
            #expect(b.body.contains("\(Self.unitB.name)（\(Self.unitB.code)）"))
            let village = try await fetch(base + "?region=\(Self.villages[1])")
            #expect(village.status == 200 && village.body.contains("42010220260817000005") && !village.body.contains("42010220260728000003"))
            // The list as CSV, for the units.
            let csv = try await fetch(base + "?format=csv")
            let lines = csv.body.split(separator: "\r\n")
            #expect(csv.status == 200 && lines.count == 4 && lines[0].contains("承诺编码,承诺日期,已过天数"))
            #expect(lines[2].contains("未核查") && lines[2].contains("120"))
            // The dashboard says how many wait, and leads here.
            let dashboard = try await fetch("http://127.0.0.1:\(port)/ops/")
            #expect(
                dashboard.body.contains(
                    "<a href=\"/ops/commitments#follow-up\"><span class=\"count\">3</span><span class=\"count-name\">待跟进的信用承诺</span></a>"))
            // JSON too.
            let json = try await fetch(base + "?format=json")
            #expect(json.status == 200 && json.body.contains("\"overdueBefore\":\"2026-08-27\""))
        }
    }

    @Test func aFilterThatIsNotOneIsRefusedWithWhatToDo() async throws {
        let f = try Fixture(Self.plans)
        try await withOperatorsListener(f.node, tls: false) { port in
            let base = "http://127.0.0.1:\(port)/ops/commitments"
            let unit = try await fetch(base + "?acceptor=110105199003071234")
            #expect(unit.status == 400 && unit.body.contains("不是统一社会信用代码") && !unit.body.contains("110105199003071234"))
            let region = try await fetch(base + "?region=420103000000")
            #expect(region.status == 400 && region.body.contains("不是本地区的下级区划"))
            let after = try await fetch(base + "?after=yesterday")
            #expect(after.status == 400 && after.body.contains("翻页参数有误"))
            let csv = try await fetch(base + "?format=csv&acceptor=nonsense")
            #expect(csv.status == 400 && csv.body.contains("不是统一社会信用代码"))
        }
    }
}
