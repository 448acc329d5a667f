import CreditDomain
import Foundation
import Testing

@testable import CreditPortal
@testable import CreditStore
@testable import NodeRuntime
@testable import SampleData

/// 信用分级分类监管: the subjects rated A to D and how often each grade was inspected after its rating.
@Suite("信用分级分类监管: grades and the inspections after them", .serialized)
struct SupervisionTests {
    /// The portal fixture with six companies of its first village rated and inspected:
    /// 2026 — S1 A 税务, S2 A 税务, S3 D 税务, S4 B 税务 (03-01) and D 市场监管 (04-01), S5 C 市场监管;
    /// 2025 — S6 B 税务. Inspections: S3 05-01 双随机一公开 发现问题, 06-01 日常检查 未发现问题; S4 03-15
    /// (before its D) and 05-01 双随机一公开; S1 2025-12-01 (before its rating); S6 2026-02-01.
    struct Fixture {
        let f: PortalFixture
        let companies: [SampleRow]
    }

    static func fixture() throws -> Fixture {
        let f = try PortalFixture()
        let rating = try f.node.catalogue.kind(named: CreditSupervision.ratingKind)
        let category = try #require(rating.index["XDR_LB"])
        let code = try #require(rating.index["XDR_SHXYM"])
        var seen: Set<String> = []
        let companies = try f.generated(rating, count: 80, seed: 41).filter {
            $0.values[category] == "法人及非法人组织" && seen.insert($0.values[code]).inserted
        }
        try #require(companies.count >= 6)
        var number = 0
        func rated(_ s: Int, _ grade: String, field: String, year: Int, on day: String) throws -> SampleRow {
            var r = companies[s - 1]
            number += 1
            for (code, value) in [("WSH", "PJ-\(number)"), ("PJDJ", grade), ("PJLY", field), ("PJND", String(year)), ("JDRQ", day), ("YXQZ", "")] {
                r.values[try #require(rating.index[code])] = value
            }
            return r
        }
        let ratings = [
            try rated(1, "A", field: "税务", year: 2026, on: "2026-03-01"), try rated(2, "A", field: "税务", year: 2026, on: "2026-03-01"),
            try rated(3, "D", field: "税务", year: 2026, on: "2026-03-01"), try rated(4, "B", field: "税务", year: 2026, on: "2026-03-01"),
            try rated(4, "D", field: "市场监管", year: 2026, on: "2026-04-01"), try rated(5, "C", field: "市场监管", year: 2026, on: "2026-03-01"),
            try rated(6, "B", field: "税务", year: 2025, on: "2025-06-01"),
        ]
        var report = try f.ingest(ratings, kind: rating, name: "评价.csv")
        try #require(report.accepted == 7, "\(report.rejections)")
        report = try f.ingest(
            try inspections(
                f, companies,
                [
                    (3, "2026-05-01", "双随机一公开", "发现问题已责令整改"), (3, "2026-06-01", "日常检查", "未发现问题"), (4, "2026-03-15", "日常检查", "未发现问题"),
                    (4, "2026-05-01", "双随机一公开", "未发现问题"), (1, "2025-12-01", "日常检查", "未发现问题"), (6, "2026-02-01", "双随机一公开", "未发现问题"),
                ]),
            kind: try f.node.catalogue.kind(named: CreditSupervision.inspectionKind), name: "检查.csv")
        try #require(report.accepted == 6, "\(report.rejections)")
        return Fixture(f: f, companies: companies)
    }

    /// Inspection rows of the companies given (1-based), each with its date, type and result.
    static func inspections(_ f: PortalFixture, _ companies: [SampleRow], _ list: [(Int, String, String, String)], from first: Int = 1) throws
        -> [SampleRow]
    {
        let rating = try f.node.catalogue.kind(named: CreditSupervision.ratingKind)
        let kind = try f.node.catalogue.kind(named: CreditSupervision.inspectionKind)
        var rows = try f.generated(kind, count: list.count, seed: 42)
        for (i, (s, day, type, result)) in list.enumerated() {
            for spec in kind.fields where spec.code.hasPrefix("XDR_") || spec.code.hasPrefix("FR_") {
                rows[i].values[try #require(kind.index[spec.code])] = companies[s - 1].values[try #require(rating.index[spec.code])]
            }
            for (code, value) in [("WSH", "JC-\(first + i)"), ("JDRQ", day), ("JCLX", type), ("JCJG", result)] {
                rows[i].values[try #require(kind.index[code])] = value
            }
        }
        return rows
    }

    @Test func eachGradeIsCountedWithTheInspectionsAfterItsRating() throws {
        let x = try Self.fixture()
        let today = ChinaTime.date(PortalFixture.now)
        let year = try #require(try CreditSupervision.compute(x.f.node, year: nil, today: today))
        #expect(year.year == 2026 && year.years == [2026, 2025] && year.rated == 5)
        let g = Dictionary(uniqueKeysWithValues: year.grades.map { ($0.grade, $0) })
        // S4 counts once, as D from its D rating: its inspection before that is not counted.
        #expect(g["A"]?.subjects == 2 && g["B"]?.subjects == 0 && g["C"]?.subjects == 1 && g["D"]?.subjects == 2)
        #expect(g["A"]?.inspected == 0 && g["A"]?.inspectedShare == "0.0 %" && g["A"]?.perHundred == "0.0" && g["A"]?.problemShare == nil)
        #expect(g["B"]?.inspectedShare == nil && g["B"]?.perHundred == nil)
        #expect(g["D"]?.inspected == 2 && g["D"]?.inspections == 3 && g["D"]?.random == 2 && g["D"]?.problems == 1)
        #expect(g["D"]?.inspectedShare == "100.0 %" && g["D"]?.perHundred == "150.0" && g["D"]?.problemShare == "33.3 %")
        #expect(year.differentiated == true && year.unratedInspected == 1)
        // Per 评价领域, each subject by its newest rating there.
        #expect(year.fields.map(\.name) == ["税务", "市场监管"])
        #expect(year.fields[0].counts == [2, 1, 0, 1] && year.fields[0].aShare == "50.0 %" && year.fields[1].counts == [0, 0, 1, 1])
        // 2025: one B, inspected in its year; no A or D to compare.
        let before = try #require(try CreditSupervision.compute(x.f.node, year: 2025, today: today))
        #expect(before.rated == 1 && before.grades[1].inspected == 1 && before.differentiated == nil)
        let none = try #require(try CreditSupervision.compute(x.f.node, year: 2024, today: today))
        #expect(none.rated == 0 && none.fields.isEmpty && none.grades.allSatisfy { $0.inspectedShare == nil })
        // A inspected as often as D: not differentiated.
        let more = try Self.inspections(
            x.f, x.companies, [(1, "2026-07-01", "双随机一公开", "未发现问题"), (2, "2026-07-01", "双随机一公开", "未发现问题")], from: 100)
        _ = try x.f.ingest(more, kind: try x.f.node.catalogue.kind(named: CreditSupervision.inspectionKind), name: "检查2.csv")
        #expect(try CreditSupervision.compute(x.f.node, year: 2026, today: today)?.differentiated == false)
    }

    @Test func thePageItsCSVTheCommandsTextAndItsRefusals() async throws {
        let x = try Self.fixture()
        try await withOperatorsListener(x.f.node, tls: false) { port in
            let base = "http://127.0.0.1:\(port)/ops/supervision"
            let page = try await fetch(base)
            #expect(page.status == 200 && page.body.contains("分级分类监管") && page.body.contains("体现了差异化监管") && page.body.contains("税务"))
            #expect(page.body.contains("<option value=\"2025\">2025 年</option>") && page.body.contains("150.0"))
            let csv = try await fetch(base + "?year=2026&format=csv")
            let lines = csv.body.split(separator: "\r\n")
            #expect(csv.status == 200 && lines.count == 5 && lines[0].hasSuffix("评价年度,信用等级,主体数,被检查主体,检查比例,检查次数,每百户检查次数,双随机一公开,发现问题,发现问题比例"))
            #expect(lines[4] == "2026,D,2,2,100.0 %,3,150.0,2,1,33.3 %")
            let wrong = try await fetch(base + "?year=abc")
            #expect(wrong.status == 400 && wrong.body.contains("评价年度“abc”无法识别"))
            #expect(try await fetch(base + "?year=2031").status == 400)
        }
        let text = try #require(try SupervisionDocument(node: x.f.node, year: nil, now: PortalFixture.now)).text
        #expect(text.contains("D 级 2 户，被检查 2 户（100.0 %），检查 3 次（每百户 150.0）") && text.contains("体现了差异化监管"))
        #expect(text.contains("税务 评价 4 户：A 2，B 1，C 0，D 1（A 级占 50.0 %）"))
        // A catalogue without the inspections: nothing computed, the page says so.
        let without = try x.f.nodeWithout(kind: CreditSupervision.inspectionKind)
        #expect(try CreditSupervision.compute(without, year: nil, today: ChinaTime.date(PortalFixture.now)) == nil)
        #expect(try OperationsPages(node: without).supervision(reader: "测试", now: PortalFixture.now, year: nil).ledger == nil)
    }
}
