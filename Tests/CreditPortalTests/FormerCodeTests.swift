import CreditDomain
import Foundation
import Testing

@testable import CreditPortal
@testable import CreditStore
@testable import NodeRuntime
@testable import SampleData

/// 新旧代码映射 (seed 003 item 7): records filed under a former code alone belong to the credit code
/// the records map it to — on its page, in its report — and the office sees what is still to convert.
@Suite("新旧代码映射: records filed under former codes and the credit codes they map to", .serialized)
struct FormerCodeTests {
    /// A valid credit code of an individual business (92) registered in 420102, from 8 characters.
    static func uscc(_ eight: String) -> String { PortalFixture.creditCode("92420102", eight) }

    static let u = uscc("MA4K0Q7C")
    static let v = uscc("MA4K0Q8D")
    /// An organisation code that is neither U's nor V's.
    static let otherOrganisation = "123456789"

    /// The scenario's penalties, by decision number: who gives which codes.
    static let rows: [(number: String, name: String, uscc: String, gszc: String, zzjg: String)] = [
        ("江岸市监罚〔2026〕9001号", "江岸区张记小吃店", u, "420102600012345", ""),  // declares G → U
        ("江岸市监罚〔2026〕9002号", "江岸区张记小吃店", "", "420102600012345", ""),  // filed under G: U's
        ("江岸市监罚〔2026〕9003号", "江岸区李记五金店", "", "420102600054321", ""),  // G2: nobody's
        ("江岸市监罚〔2026〕9004号", "江岸区张记小吃店", u, "420102600099999", ""),  // G3 → U …
        ("江岸市监罚〔2026〕9005号", "江岸区王记餐馆", v, "420102600099999", ""),  // … and G3 → V: a conflict
        ("江岸市监罚〔2026〕9006号", "江岸区某小吃店", "", "420102600099999", ""),  // under G3: ambiguous, nobody's
        ("江岸市监罚〔2026〕9007号", "江岸区王记餐馆", v, "", otherOrganisation),  // an organisation code unlike V's
        ("江岸市监罚〔2026〕9008号", "江岸区张记小吃店", "", "420102600077777", "MA4K0Q7C" + String(u.dropFirst(16).prefix(1))),  // U's organisation code
        ("江岸市监罚〔2026〕9009号", "江岸区王记餐馆", "", "420102600088888", otherOrganisation),  // the mismatched code leads nowhere
    ]

    static func load(_ f: PortalFixture) throws {
        let kind = try f.node.catalogue.kind(named: "penalty")
        var rows = try f.generated(kind, count: Self.rows.count, seed: 71)
        let index = { (code: String) in kind.index[code]! }
        for (i, spec) in Self.rows.enumerated() {
            rows[i].values[index("WSH")] = spec.number
            rows[i].values[index("XDR_MC")] = spec.name
            rows[i].values[index("XDR_LB")] = "个体工商户"
            rows[i].values[index("XDR_SHXYM")] = spec.uscc
            rows[i].values[index("XDR_GSZC")] = spec.gszc
            rows[i].values[index("XDR_ZZJG")] = spec.zzjg
            for code in ["XDR_ZJLX", "XDR_ZJHM", "FR_ZJLX", "FR_ZJHM"] { rows[i].values[index(code)] = "" }
        }
        let report = try f.ingest(rows, kind: kind, name: "former.csv")
        #expect(report.accepted == Self.rows.count, "\(report)")
    }

    static func numbers(_ records: [StoredRecord]) -> Set<String> { Set(records.compactMap { $0.fields["CF_WSH"] }) }

    @Test func aFormerCodeGivenBesideACreditCodeBringsTheRecordsFiledUnderItToThatSubject() throws {
        let f = try PortalFixture()
        try Self.load(f)
        let store = f.node.store
        let organisationU = try #require(FormerCode.organisationCode(of: Self.u))
        #expect(organisationU == "MA4K0Q7C" + String(Self.u.dropFirst(16).prefix(1)))
        #expect(
            try store.formerCodes(of: Self.u)
                == [
                    FormerCode(field: "XDR_GSZC", code: "420102600012345"), FormerCode(field: "XDR_GSZC", code: "420102600099999"),
                    FormerCode(field: "XDR_ZZJG", code: organisationU),
                ])
        // Accepted: G → U declared; U's own organisation code, written with its '-', leads to U.
        #expect(try store.creditCodes(for: FormerCode(field: "XDR_GSZC", code: "420102600012345")) == [Self.u])
        #expect(try store.creditCodes(forTyped: "MA4K0Q7C-" + String(organisationU.last!)) == [Self.u])
        #expect(try store.creditCodes(forTyped: " 4201 0260 0012 345 ") == [Self.u])
        // Refused: G3 is given with two credit codes; an organisation code unlike V's leads to no one.
        #expect(try store.creditCodes(for: FormerCode(field: "XDR_GSZC", code: "420102600099999")) == [Self.u, Self.v].sorted())
        #expect(try store.creditCodes(forTyped: "420102600099999").isEmpty)
        #expect(try store.creditCodes(forTyped: Self.otherOrganisation).isEmpty)
        #expect(try store.creditCodes(forTyped: "420102600054321").isEmpty)

        // U's records: its own two, the one filed under G, the one under U's organisation code — not G3's.
        let ofU = try store.records(subject: Self.u)
        #expect(Self.numbers(ofU) == ["江岸市监罚〔2026〕9001号", "江岸市监罚〔2026〕9002号", "江岸市监罚〔2026〕9004号", "江岸市监罚〔2026〕9008号"])
        #expect(ofU.map { $0.decisionDate ?? "" } == ofU.map { $0.decisionDate ?? "" }.sorted(by: >))
        #expect(!Self.numbers(try store.records(subject: Self.v)).contains("江岸市监罚〔2026〕9009号"))
        #expect(try store.currentCreditCode(ofFormerSubject: "420102600012345") == Self.u)
        #expect(try store.currentCreditCode(ofFormerSubject: "420102600077777") == Self.u)
        #expect(try store.currentCreditCode(ofFormerSubject: "420102600054321") == nil)
        #expect(try store.currentCreditCode(ofFormerSubject: "420102600099999") == nil)

        // The office's figures.
        let today = ChinaTime.date(PortalFixture.now)
        let conversion = try CodeConversion.compute(f.node, today: today)
        #expect(conversion.total.filed == 5 && conversion.total.mapped == 2 && conversion.total.unmapped == 3)
        #expect(conversion.total.mappedShare == "40.0%")
        #expect(Set(conversion.mapped.map(\.creditCode)) == [Self.u])
        #expect(conversion.unmapped.allSatisfy { $0.creditCode == nil } && conversion.unmapped.count == 3)
        #expect(conversion.declared == 4)
        #expect(conversion.conflicts.count == 2)
        #expect(conversion.conflicts.contains { $0.code == "420102600099999" && !$0.mismatched && $0.creditCodes == [Self.u, Self.v].sorted() })
        #expect(conversion.conflicts.contains { $0.code == "123456789" && $0.mismatched && $0.creditCodes == [Self.v] })
        #expect(conversion.authorities.map(\.filed).reduce(0, +) == 5)

        // The declaring record withdrawn: G maps to nothing, its record leaves U.
        let declaring = try #require(ofU.first { $0.fields["CF_WSH"] == "江岸市监罚〔2026〕9001号" })
        _ = try StatusDesk(node: f.node).enter(
            key: declaring.key, StatusChange(action: .withdrawn, date: today, reason: "复议撤销", unit: "江岸区市场监督管理局"), now: PortalFixture.now)
        #expect(!Self.numbers(try store.records(subject: Self.u)).contains("江岸市监罚〔2026〕9002号"))
        #expect(try store.currentCreditCode(ofFormerSubject: "420102600012345") == nil)
        let after = try CodeConversion.compute(f.node, today: today)
        #expect(after.total.filed == 5 && after.total.mapped == 1 && after.declared == 3)

        // A newer version of the record filed under G2 gives V's credit code beside it: the record
        // is V's now, and declares G2 → V.
        let kind = try f.node.catalogue.kind(named: "penalty")
        let g2 = try #require(try store.records(subject: "420102600054321").first)
        var row = try f.generated(kind, count: 1, seed: 71)[0]
        for (field, i) in kind.index { row.values[i] = g2.fields[kind.kind.fullCode(field)] ?? "" }
        row.values[try #require(kind.index["XDR_SHXYM"])] = Self.v
        row.values[try #require(kind.index["NR"])] = "更正：补录统一社会信用代码"
        #expect(try f.ingest([row], kind: kind, name: "corrected.csv").updated == 1)
        #expect(try store.creditCodes(for: FormerCode(field: "XDR_GSZC", code: "420102600054321")) == [Self.v])
        #expect(Self.numbers(try store.records(subject: Self.v)).contains("江岸市监罚〔2026〕9003号"))
        let corrected = try CodeConversion.compute(f.node, today: today)
        #expect(corrected.total.filed == 4 && corrected.declared == 4)
    }

    /// The registering authority's 新旧代码对照 (kind `codemap`) maps a registration number as a record
    /// giving both codes does; one without any former code, or without the credit code, is refused.
    @Test func aRegisteringAuthoritysMappingTableMapsTheFormerCodes() throws {
        let f = try PortalFixture()
        try Self.load(f)
        let kind = try f.node.catalogue.kind(named: "新旧代码对照")
        #expect(kind.slug == "codemap" && kind.scope == .government)
        var rows = try f.generated(kind, count: 3, seed: 73)
        let at = { (code: String) in kind.index[code]! }
        for i in rows.indices {
            for code in ["XDR_GSZC", "XDR_ZZJG", "XDR_SWDJ", "XDR_SYDW", "XDR_SHZZ"] { rows[i].values[at(code)] = "" }
        }
        rows[0].values[at("XDR_MC")] = "江岸区王记餐馆"
        rows[0].values[at("XDR_LB")] = "个体工商户"
        rows[0].values[at("XDR_SHXYM")] = Self.v
        rows[0].values[at("XDR_GSZC")] = "420102600054321"
        // Refused: no former code; no credit code.
        rows[2].values[at("XDR_SHXYM")] = ""
        rows[2].values[at("XDR_GSZC")] = "420102600011111"
        let report = try f.ingest(rows, kind: kind, name: "codemap.csv")
        #expect(report.accepted == 1 && report.rejected == 2, "\(report)")
        #expect(try f.node.store.creditCodes(for: FormerCode(field: "XDR_GSZC", code: "420102600054321")) == [Self.v])
        #expect(Self.numbers(try f.node.store.records(subject: Self.v)).contains("江岸市监罚〔2026〕9003号"))
        let conversion = try CodeConversion.compute(f.node, today: ChinaTime.date(PortalFixture.now))
        #expect(conversion.total.filed == 5 && conversion.total.mapped == 3 && conversion.declared == 5)
        // Not on the public site: the mapping is no listing of its own.
        #expect(!f.portal.pages.publicKinds.contains("codemap"))
    }

    @Test func thePortalFindsTheSubjectByItsFormerCodeAndItsPageAndReportHoldTheRecords() async throws {
        let f = try PortalFixture()
        try Self.load(f)
        let today = ChinaTime.date(PortalFixture.now)
        let pages = f.portal.pages
        // Searched by the registration number: U's subject, with the record filed under it counted.
        let found = try pages.search("420102600012345", today: today)
        #expect(found.by == "code" && found.hits.map(\.code) == [Self.u])
        #expect(found.formerNote?.contains(Self.u) == true)
        #expect(found.hits.first?.summary.first { $0.kind == "penalty" }?.count == 4)
        // A registration number mapped to nothing: the subject filed under it, without a note.
        let unmapped = try pages.search("420102600054321", today: today)
        #expect(unmapped.hits.map(\.code) == ["420102600054321"] && unmapped.formerNote == nil)
        // An ambiguous one: no credit code is offered.
        #expect(try pages.search("420102600099999", today: today).hits.map(\.code) == ["420102600099999"])

        let page = try #require(try pages.subject(Self.u, today: today))
        #expect(page.formerCodes.contains("工商注册号 420102600012345") && page.codeLabel == "统一社会信用代码")
        #expect(page.records.contains { $0.record.documentNumber == "江岸市监罚〔2026〕9002号" })
        let old = try #require(try pages.subject("420102600012345", today: today))
        #expect(old.currentCode == Self.u && old.codeLabel == "工商注册号" && old.formerCodes.isEmpty)
        let orphan = try #require(try pages.subject("420102600054321", today: today))
        #expect(orphan.currentCode == nil && orphan.codeLabel == "工商注册号")
        // A person is labelled by the document, whatever its number.
        #expect(try pages.subject(f.person.code, today: today)?.codeLabel == "证件号码")
        let report = try #require(try pages.reportContent(Self.u, today: today, now: PortalFixture.now))
        #expect(report.entries.contains { e in e.fields.contains { $0.value == "江岸市监罚〔2026〕9002号" } })
        #expect(!report.entries.contains { e in e.fields.contains { $0.value == "江岸市监罚〔2026〕9006号" } })

        // The signed report holds it, and verifies: an entry is vouched for by its own proof.
        let signed = try await ReportTests.download(f, "/reports/\(Self.u)")
        let verified = try signed.verify(trust: try ReportTests.trust(f), now: PortalFixture.now)
        #expect(verified.entries.count == 4 && verified.entries.contains { e in e.fields.contains { $0.value == "420102600012345" } })
        let html = try await f.get("/subjects/" + Self.u)
        #expect(html.status == .ok && html.body.contains("原代码") && html.body.contains("420102600012345"))
        let oldHTML = try await f.get("/subjects/420102600012345")
        #expect(oldHTML.status == .ok && oldHTML.body.contains("该主体已换发统一社会信用代码") && oldHTML.body.contains("/subjects/\(Self.u)"))
        let search = try await f.get("/search?q=420102600012345")
        #expect(search.body.contains("是原代码") && search.body.contains("/subjects/\(Self.u)"))
    }

    @Test func theOfficesPageItsCSVAndTheCommandsText() async throws {
        let f = try PortalFixture()
        try Self.load(f)
        try await withOperatorsListener(f.node, tls: false) { port in
            let base = "http://127.0.0.1:\(port)/ops/codes"
            let page = try await fetch(base)
            #expect(page.status == 200 && page.body.contains("新旧代码转换") && page.body.contains("420102600054321"))
            #expect(page.body.contains("<span class=\"count\">40.0%</span>"))
            #expect(page.body.contains("一个原代码对应多个统一社会信用代码") && page.body.contains("组织机构代码与统一社会信用代码第 9–17 位不一致"))
            let csv = try await fetch(base + "?format=csv")
            let lines = csv.body.split(separator: "\r\n")
            #expect(csv.status == 200 && lines.count == 1 + 5 && lines[0].hasSuffix("主体名称,原代码,类别,报送单位（决定机关）,决定日期,对应统一社会信用代码,记录编号"))
            #expect(lines.filter { $0.contains("未映射") }.count == 3 && lines.filter { $0.contains(Self.u) }.count == 2)
            let quality = try await fetch("http://127.0.0.1:\(port)/ops/quality")
            #expect(quality.body.contains("href=\"/ops/codes\""))
        }
        let text = try CodesDocument(node: f.node, now: PortalFixture.now).text
        #expect(text.contains("合计 以原代码报送 5，已映射 2，未映射 3（映射率 40.0%）") && text.contains("冲突 2 个"))
        // The fixture's own records give no former code: nothing to convert.
        let plain = try PortalFixture()
        let none = try CodeConversion.compute(plain.node, today: ChinaTime.date(PortalFixture.now))
        #expect(none.total.filed == 0 && none.total.mappedShare == "—" && none.conflicts.isEmpty)
    }
}
