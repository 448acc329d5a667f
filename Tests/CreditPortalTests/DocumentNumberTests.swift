import CreditDomain
import Foundation
import GRDB
import NIOSSL
import NodePKI
import Testing

@testable import CreditPortal
@testable import CreditStore
@testable import NodeRuntime
@testable import SampleData

/// A decision found by its document number (决定文书号) in the site's search, however the public
/// types the number: the number a person holds on the paper they were given.
@Suite("决定文书号: the site's search finds a decision by its document number", .serialized)
struct DocumentNumberTests {
    /// A valid credit code of a government body (11…) registered in 420102, from 8 characters.
    static func authority(_ eight: String) -> String { PortalFixture.creditCode("11420102", eight) }

    static let shown = "江岸市监罚〔2026〕7001号"
    static let ascii = "ja-2026-0013"
    static let withdrawn = "江岸市监罚〔2026〕7003号"
    static let shared = "江岸〔2026〕88号"
    static let rated = "江岸评〔2026〕5号"

    /// Penalties numbered `shown`, `ascii`, `withdrawn` (withdrawn afterwards) and `shared`; a
    /// licence of another authority also numbered `shared`; a rating (shared with government
    /// alone) numbered `rated`. Their record keys by number (`shared`: the penalty's).
    static func load(_ f: PortalFixture) throws -> [String: String] {
        let penalty = try f.node.catalogue.kind(named: "penalty")
        var rows = try f.generated(penalty, count: 4, seed: 81)
        let wsh = try #require(penalty.index["WSH"])
        for (i, number) in [shown, ascii, withdrawn, shared].enumerated() { rows[i].values[wsh] = number }
        #expect(try f.ingest(rows, kind: penalty, name: "numbered.csv").accepted == 4)
        let license = try f.node.catalogue.kind(named: "license")
        var licence = try f.generated(license, count: 1, seed: 82)
        licence[0].values[try #require(license.index["WSH"])] = shared
        licence[0].values[try #require(license.index["XKJGDM"])] = authority("MB4K0001")
        #expect(try f.ingest(licence, kind: license, name: "licence.csv").accepted == 1)
        let rating = try f.node.catalogue.kind(named: "rating")
        var rated = try f.generated(rating, count: 1, seed: 83)
        rated[0].values[try #require(rating.index["WSH"])] = Self.rated
        #expect(try f.ingest(rated, kind: rating, name: "rating.csv").accepted == 1)

        var keys: [String: String] = [:]
        for r in try f.node.store.allRecords() where r.kind == "penalty" || r.kind == "rating" {
            let number = try f.node.store.record(key: r.key)?.fields[r.kind == "penalty" ? "CF_WSH" : "PJ_WSH"]
            if let number, [shown, ascii, withdrawn, shared, Self.rated].contains(number) { keys[number] = r.key }
        }
        let today = ChinaTime.date(PortalFixture.now)
        _ = try StatusDesk(node: f.node).enter(
            key: try #require(keys[withdrawn]), StatusChange(action: .withdrawn, date: today, reason: "复议撤销", unit: "江岸区市场监督管理局"),
            now: PortalFixture.now)
        return keys
    }

    @Test func aDecisionIsFoundByItsNumberHoweverItsBracketsDigitsAndSpacesAreTyped() async throws {
        let f = try PortalFixture()
        let keys = try Self.load(f)
        let today = ChinaTime.date(PortalFixture.now)
        let search = { (q: String) in try f.portal.pages.search(q, today: today) }

        // Accepted: the number as printed, and as people type it.
        for typed in [
            Self.shown, "江岸市监罚(2026)7001号", "江岸市监罚（2026）7001号", "江岸市监罚[2026]7001号", "江岸市监罚【２０２６】７００１号",
            " 江岸市监罚 〔2026〕 7001号 ", "江岸市监罚﹝2026﹞7001号", "江岸市监罚〔2026〕7001号\u{3000}",
        ] {
            let page = try search(typed)
            #expect(page.by == "number", "\(typed)")
            #expect(page.document?.rows.map(\.record.key) == [keys[Self.shown]!], "\(typed)")
            #expect(!page.empty && page.hits.isEmpty)
        }
        // Letters in either case.
        #expect(try search("JA-2026-0013").document?.rows.map(\.record.key) == [keys[Self.ascii]!])
        // Two decisions of two authorities bearing one number: both, newest decision first.
        let both = try #require(try search(Self.shared).document)
        #expect(both.count == 2 && !both.more)
        #expect(Set(both.rows.map(\.record.kind)) == ["penalty", "license"])
        #expect(both.rows.map { $0.record.decisionDate ?? "" } == both.rows.map { $0.record.decisionDate ?? "" }.sorted(by: >))

        // Refused: a number nobody bears, part of a number, a withdrawn decision's, a rating's
        // (shared with government alone): a search by name, which finds nothing, and says so.
        for typed in [
            "江岸市监罚〔2026〕7009号", "江岸市监罚〔2026〕700", "2026〕7001号", Self.withdrawn, Self.rated, "江岸市监罚(2026)7001",
        ] {
            let page = try search(typed)
            #expect(page.by == "name" && page.document == nil && page.empty, "\(typed)")
            #expect(page.numberTried, "\(typed)")
        }
        // Not a number at all: no digit, or digits alone.
        #expect(try !search("张记小吃").numberTried)
        #expect(try !search("7001").numberTried)
        // A credit code is still a code.
        let shownKey = try #require(keys[Self.shown])
        let code = try #require(try f.node.store.record(key: shownKey)?.subjectCode)
        #expect(try search(code).by == "code")

        // The page: the decision's row, linking its page and its subject; the number shown.
        let (status, _, body) = try await f.get("/search?q=" + PortalPages.escapePath("江岸市监罚(2026)7001号"))
        #expect(status == .ok)
        #expect(body.contains("id=\"search-documents\"") && body.contains("“江岸市监罚(2026)7001号”的公示信息 1&nbsp;条"))
        #expect(body.contains("href=\"\(PortalPages.recordLink(shownKey))\"") && body.contains(Self.shown))
        #expect(!body.contains("没有找到"))
        let missing = try await f.get("/search?q=" + PortalPages.escapePath(Self.withdrawn))
        #expect(missing.body.contains("没有找到决定文书号为“\(Self.withdrawn)”的公示信息"))
        #expect(!missing.body.contains("id=\"search-documents\""))
        // As JSON.
        let json = try await f.json("/search?q=" + PortalPages.escapePath(Self.shared))
        #expect(json["by"] as? String == "number")
        let document = try #require(json["document"] as? [String: Any])
        #expect(document["count"] as? Int == 2 && (document["rows"] as? [Any])?.count == 2)
    }

    @Test func aNumberLongerThanANameFragmentIsStillSearched() throws {
        let f = try PortalFixture()
        let penalty = try f.node.catalogue.kind(named: "penalty")
        var rows = try f.generated(penalty, count: 1, seed: 85)
        // 60 characters: more than a name's fragment (50), within a number's 64.
        let long = "江岸区市场监督管理局食品安全专项整治行动行政处罚决定书" + String(repeating: "甲", count: 20) + "〔2026〕第00012号"
        #expect(long.count == 60)
        rows[0].values[try #require(penalty.index["WSH"])] = long
        #expect(try f.ingest(rows, kind: penalty, name: "long.csv").accepted == 1)
        let today = ChinaTime.date(PortalFixture.now)
        // Accepted: the number typed with round brackets.
        let found = try f.portal.pages.search(
            long.replacingOccurrences(of: "〔", with: "(").replacingOccurrences(of: "〕", with: ")"), today: today)
        #expect(found.by == "number" && found.document?.count == 1 && found.notice == nil)
        // Refused: 60 characters nobody bears as a number, and 60 that cannot be one — too long.
        let unknown = try f.portal.pages.search(long.replacingOccurrences(of: "00012", with: "00013"), today: today)
        #expect(unknown.document == nil && unknown.notice?.contains("过长") == true && unknown.hits.isEmpty)
        #expect(try f.portal.pages.search(String(repeating: "公", count: 60), today: today).notice?.contains("过长") == true)
        #expect(
            try f.portal.pages.search(String(repeating: "公", count: 60) + "1号" + String(repeating: "公", count: 5), today: today).notice
                != nil)
    }

    @Test func theOfficeFindsADecisionByItsNumberWhateverItsState() throws {
        let f = try PortalFixture()
        let keys = try Self.load(f)
        let pages = OperationsPages(node: f.node)
        let find = { (number: String?, kind: String?) in
            try pages.records(reader: "测试", now: PortalFixture.now, kind: kind, region: nil, late: false, corrected: false, number: number, after: 0)
        }
        // Accepted: a withdrawn decision, a rating (the office sees what the public does not),
        // typed as people type them; two authorities' decisions of one number, kept to a kind.
        #expect(try find("江岸市监罚(2026)7003号", nil).rows.map(\.key) == [keys[Self.withdrawn]!])
        #expect(try find("江岸市监罚(2026)7003号", nil).rows.map(\.state) == [RecordState.withdrawn.label])
        #expect(try find(" 江岸评[2026]5号", nil).rows.map(\.key) == [keys[Self.rated]!])
        #expect(try find(Self.shared, nil).rows.count == 2)
        let kept = try find(Self.shared, "license")
        #expect(kept.rows.count == 1 && kept.filter.contains("行政许可") && kept.filter.contains("文书号 \(Self.shared)"))
        #expect(kept.number == Self.shared && kept.kept.map(\.name) == ["kind"])
        // Refused: a number nobody bears; one longer than a number may be; an empty box is no filter.
        #expect(try find("江岸市监罚〔2026〕7009号", nil).rows.isEmpty)
        #expect(throws: PortalPages.BadParameter.self) { try find(String(repeating: "罚1", count: 33), nil) }
        #expect(try find("  ", "penalty").rows.count == OperationsPages.recordsPerPage)
        // An ID number typed as a number is never shown back whole.
        let id = PortalFixture.hiddenID
        #expect(try !find(id, nil).filter.contains(id) && !(try find(id, nil).number.contains(id)))
    }

    /// A department's system reads back how its decisions stand by their number, with its
    /// certificate: no field of theirs, only their standing; a node's certificate is refused.
    @Test func aDepartmentSystemReadsItsDecisionsStandingByTheirNumber() async throws {
        let f = try PortalFixture()
        let keys = try Self.load(f)
        let code = f.node.configuration.code
        let ca = f.ca.certificate
        let department = try f.ca.issue(role: .department, name: "江岸区市场监督管理局", code: code)
        let node = try f.ca.issue(code: code)
        try await withOperatorsListener(f.node, tls: true) { port in
            func get(_ number: String?, as identity: NodeIdentity) async throws -> (status: Int, body: String) {
                var tls = try TLSConfigurations.client(identity: identity, ca: ca)
                tls.certificateVerification = .noHostnameVerification
                let path = "/v1/decisions" + (number.map { "?number=" + PortalPages.escapePath($0) } ?? "")
                let r = try await fetch("https://127.0.0.1:\(port)" + path, tls: tls)
                return (r.status, r.body)
            }
            // Accepted: the withdrawn penalty, typed with round brackets — its standing, no field.
            let withdrawn = try await get("江岸市监罚(2026)7003号", as: department)
            #expect(withdrawn.status == 200, "\(withdrawn.body)")
            let answer = try #require(try JSONSerialization.jsonObject(with: Data(withdrawn.body.utf8)) as? [String: Any])
            let decisions = try #require(answer["decisions"] as? [[String: Any]])
            #expect(decisions.count == 1 && decisions[0]["key"] as? String == keys[Self.withdrawn])
            #expect(decisions[0]["state"] as? String == "withdrawn" && decisions[0]["shown"] as? Bool == false)
            let withdrawnKey = try #require(keys[Self.withdrawn])
            let record = try #require(try f.node.store.record(key: withdrawnKey))
            let name = try #require(record.fields["CF_XDR_MC"])
            #expect(!withdrawn.body.contains(name) && !withdrawn.body.contains("CF_"))
            // The one shown, the rating (never shown), both decisions of the shared number.
            let shown = try await get(Self.shown, as: department)
            #expect(shown.status == 200 && shown.body.contains("\"shown\":true"))
            #expect(try await get(Self.rated, as: department).body.contains("\"shown\":false"))
            let both = try await get(Self.shared, as: department)
            let count = (try JSONSerialization.jsonObject(with: Data(both.body.utf8)) as? [String: Any])?["decisions"] as? [Any]
            #expect(count?.count == 2)
            // Refused: a node's certificate; no number; digits alone; a number nobody bears.
            let asNode = try await get(Self.shown, as: node)
            #expect(asNode.status == 403 && asNode.body.contains("not-government"))
            #expect(try await get(nil, as: department).status == 400)
            #expect(try await get("7001", as: department).status == 400)
            let unknown = try await get("江岸市监罚〔2026〕7009号", as: department)
            #expect(unknown.status == 404 && unknown.body.contains("not received here"))
        }
    }

    @Test func atMostFiftyAreListedAndTheNumberSaysSo() throws {
        let f = try PortalFixture()
        let penalty = try f.node.catalogue.kind(named: "penalty")
        var rows = try f.generated(penalty, count: PortalPages.documentRowsMax + 1, seed: 84)
        let wsh = try #require(penalty.index["WSH"])
        let authority = try #require(penalty.index["CFJGDM"])
        for i in rows.indices {
            rows[i].values[wsh] = "江岸罚字第1号"
            rows[i].values[authority] = Self.authority(String(format: "MC4K%04d", i))
        }
        #expect(try f.ingest(rows, kind: penalty, name: "many.csv").accepted == rows.count)
        let today = ChinaTime.date(PortalFixture.now)
        let many = try #require(try f.portal.pages.search("江岸罚字第1号", today: today).document)
        #expect(many.count == PortalPages.documentRowsMax && many.more)
        // One fewer: all, and no more.
        _ = try StatusDesk(node: f.node).enter(
            key: many.rows[0].record.key, StatusChange(action: .withdrawn, date: today, reason: "复议撤销", unit: "江岸区市场监督管理局"),
            now: PortalFixture.now)
        let all = try #require(try f.portal.pages.search("江岸罚字第1号", today: today).document)
        #expect(all.count == PortalPages.documentRowsMax && !all.more)
    }

    @Test func theStoreReadsTheIndexItsMigrationMade() throws {
        let f = try PortalFixture()
        // The kinds indexed are the catalogue's kinds keyed by their authority's code and number.
        let numbered = f.node.catalogue.kinds.map(\.slug).filter { f.node.resolvedKinds[$0]?.decisionNumbering != nil }
        #expect(numbered == DocumentNumber.kinds)
        // The index's expression is the one the query writes; SQLite reads it.
        let query = NodeStore.documentNumberQuery(forms: ["X", "Y"], scope: f.portal.pages.scope(ChinaTime.date(PortalFixture.now)), limit: 51)
        let (sql, plan) = try f.node.store.read { db in
            (
                try String.fetchOne(db, sql: "SELECT sql FROM sqlite_master WHERE name = 'records_document_number'") ?? "",
                try Row.fetchAll(db, sql: "EXPLAIN QUERY PLAN " + query.sql, arguments: query.arguments).map { $0[3] as String }.joined(
                    separator: "\n")
            )
        }
        let squeezed = { (s: String) in s.filter { !$0.isWhitespace || $0 == "\u{3000}" } }
        #expect(squeezed(sql).contains(squeezed(DocumentNumber.sql(of: DocumentNumber.keyTail()))))
        #expect(squeezed(sql).contains(squeezed("WHERE kind IN (\(DocumentNumber.kinds.map { "'\($0)'" }.joined(separator: ", ")))")))
        #expect(plan.contains("records_document_number"), "\(plan)")
        // What the SQL makes of a number is what Swift makes of it.
        for typed in [
            "江岸市监罚【２０２６】７００１号", " ja-2026-0013 ", "ABC（1）", "〖2026〗第ｘ号", "［2026］\u{3000}1号", "x]y", "x[y", "罚〔2026〕1号", "abc",
        ] {
            let inSQL = try f.node.store.read { db in try String.fetchOne(db, sql: "SELECT \(DocumentNumber.sql(of: "?1"))", arguments: [typed]) }
            #expect(inSQL == DocumentNumber.normalised(typed), "\(typed)")
        }
        // Full-width digits are searched as typed and as ASCII.
        #expect(DocumentNumber.searched("罚【２０２６】１号") == ["罚〔2026〕1号", "罚〔２０２６〕１号"])
        #expect(DocumentNumber.searched("罚(2026)1号") == ["罚〔2026〕1号"])
        // Longer than a number may be: nothing read.
        let scope = PublicScope(kinds: ["penalty"], today: "2026-11-25")
        #expect(try f.node.store.records(documentNumber: String(repeating: "罚1", count: 33), scope: scope, limit: 5).isEmpty)
    }
}
