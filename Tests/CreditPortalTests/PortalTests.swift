import CreditDomain
@testable import CreditStore
import Foundation
import GRDB
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import NodePKI
import SampleData
import TestSupport
import Synchronization
import SyncCore
import Testing

@testable import CreditPortal
@testable import NodeRuntime

/// A township (two villages below it) holding generated penalties, licences and list entries,
/// plus records written to attack the pages: a name that is markup, a resident ID number in free
/// text, a person under objection.
struct PortalFixture: Sendable {
    static let township = "420102002000"
    static let villages = ["420102002201", "420102002202"]
    static let asOf = CivilDate(year: 2026, month: 11, day: 20)!
    static let now = Date(timeIntervalSince1970: Double(CivilDate(year: 2026, month: 11, day: 25)!.dayNumber) * 86_400 + 2 * 3600)
    static let hiddenID = "420102199001011234"
    static let scriptName = "<script>alert(1)</script>"
    static let attributeName = "\"><img src=x onerror=alert(1)>"

    let dir: TemporaryDirectory
    let ca: NetworkCA
    let node: NodeContext
    let portal: Portal
    /// A natural person with a penalty under objection, and that penalty's key.
    let person: (code: String, name: String, key: String)
    let xssKey: String

    init() throws {
        dir = try TemporaryDirectory()
        // Valid from before the fixture's "now" until long after today (reports are checked at both).
        let issued = Self.now.addingTimeInterval(-30 * 86_400)
        let ca = try NetworkCA.create(now: issued)
        self.ca = ca
        let certs = dir.url.appendingPathComponent("certs")
        try FileManager.default.createDirectory(at: certs, withIntermediateDirectories: true)
        try ca.issue(code: try DivisionCode(Self.township), now: issued).write(to: certs, ca: ca.certificate)
        var config = NodeConfiguration(code: try DivisionCode(Self.township), dataDirectory: dir.path("node"))
        config.name = "大智街道"
        config.identity = certs.path
        config.children = try Self.villages.map { try DivisionCode($0) }
        // The node's listeners read the fixture's day too: what they answer about November's
        // records must not change as the calendar moves on.
        node = try NodeContext(configuration: config, clock: { Self.now })
        var options = SampleGenerator.Options(seed: 7, node: node.configuration.code, asOf: Self.asOf)
        options.faultShare = 0
        options.lateShare = 0.2
        options.jurisdictions = try Self.villages.map { try DivisionCode($0) }
        var generator = SampleGenerator(options)
        for (slug, count) in [("penalty", 60), ("license", 40), ("blacklist", 6), ("redlist", 4)] {
            let kind = try node.catalogue.kind(named: slug)
            var rows = generator.rows(kind: kind, count: count)
            if slug == "penalty" {
                let name = try #require(kind.index["XDR_MC"])
                let facts = try #require(kind.index["SY"])
                rows[0].values[name] = Self.scriptName
                rows[1].values[name] = Self.attributeName
                rows[2].values[facts] = "当事人身份证号\(Self.hiddenID)的违法事实"
                // A company penalty that names no legal representative's ID: public whole.
                let category = try #require(kind.index["XDR_LB"])
                let company = try #require(rows.indices.dropFirst(3).first { rows[$0].values[category] == "法人及非法人组织" })
                for code in ["FR_ZJHM", "FR_ZJLX"] { rows[company].values[try #require(kind.index[code])] = "" }
            }
            let path = try dir.write("\(slug).csv", Array(SampleGenerator.csv(kind: kind, rows: rows, header: .codes).utf8))
            let report = try FileIngestion(node: node).ingest(file: path, kind: slug, now: Self.now)
            #expect(report.accepted == count, "\(slug): \(report)")
        }
        portal = try Portal(node: node, clock: { Self.now })
        // A natural person's penalty, put under objection.
        let people = try node.store.allSubjects(kind: "penalty").filter { (try? ResidentID($0)) != nil }
        let code = try #require(people.first)
        let record = try #require(try node.store.records(subject: code).first { $0.kind == "penalty" })
        _ = try StatusDesk(node: node).enter(
            key: record.key, StatusChange(action: .objectionOpened, date: Self.asOf, reason: "当事人提出异议", unit: "江岸区市场监督管理局"), now: Self.now)
        person = (code, try #require(try node.store.subjectHit(code: code)?.name), record.key)
        let store = node.store
        let keys = try store.allRecords().map(\.key)
        xssKey = try #require(keys.first { (try? store.record(key: $0)?.fields["CF_XDR_MC"]) == Self.scriptName })
    }

    /// A valid unified social credit code from its first 8 characters (`head`: the registering
    /// authority's type and area — 92420102 an individual business of 420102, 11… a government
    /// body, 12… a public institution) and 8 of an organisation code, the two check characters
    /// computed.
    static func creditCode(_ head: String, _ eight: String) -> String {
        let organisation = Array(eight.utf8)
        let first17 = Array(head.utf8) + organisation + [SocialCreditCode.organisationCheckCharacter(organisation)]
        return String(decoding: first17 + [SocialCreditCode.checkCharacter(first17)], as: UTF8.self)
    }

    /// Another node of the fixture's code on an empty store, whose catalogue lacks the kind
    /// `slug`: what a page or ledger built on that kind does without it.
    func nodeWithout(kind slug: String) throws -> NodeContext {
        try node(named: "without-\(slug)") { catalogue in
            catalogue.kinds.removeAll { $0.slug == slug }
            // The key areas count one kind: without it, none.
            if catalogue.keyAreas?.kind == slug { catalogue.keyAreas = nil }
        }
    }

    /// Another node of the fixture's code on an empty store (`DATA` named `name`), its catalogue
    /// the fixture's as `edit` leaves it: a province's own.
    func node(named name: String, catalogue edit: (inout Catalogue) -> Void) throws -> NodeContext {
        var catalogue = node.catalogue
        edit(&catalogue)
        let path = dir.url.appendingPathComponent("catalogue-\(name).json")
        try JSONEncoder().encode(catalogue).write(to: path)
        var config = node.configuration
        config.catalogue = path.path
        config.dataDirectory = dir.path(name)
        return try NodeContext(configuration: config, clock: { Self.now })
    }

    /// The portal's answer to `path` (sent with `headers`), its body as text.
    func get(_ path: String, headers: HTTPFields = [:]) async throws -> (status: HTTPResponse.Status, headers: HTTPFields, body: String) {
        let app = Application(router: portal.router())
        return try await app.test(.router) { client in
            try await client.execute(uri: path, method: .get, headers: headers) { response in
                (response.status, response.headers, String(buffer: response.body))
            }
        }
    }

    /// Another portal's page at `path`, its body as text.
    func get(_ path: String, from portal: Portal) async throws -> String {
        try await Application(router: portal.router()).test(.router) { client in
            try await client.execute(uri: path, method: .get) { String(buffer: $0.body) }
        }
    }

    /// `count` rows of `kind` as the fixture's first village would report them: no planted fault,
    /// none late.
    func generated(_ kind: ResolvedKind, count: Int, seed: UInt64) throws -> [SampleRow] {
        var options = SampleGenerator.Options(seed: seed, node: node.configuration.code, asOf: Self.asOf)
        options.faultShare = 0
        options.lateShare = 0
        options.jurisdictions = [try DivisionCode(Self.villages[0])]
        var generator = SampleGenerator(options)
        return generator.rows(kind: kind, count: count)
    }

    /// `rows` of `kind` ingested as a CSV file named `name`.
    func ingest(_ rows: [SampleRow], kind: ResolvedKind, name: String) throws -> IngestReport {
        let path = try dir.write(name, Array(SampleGenerator.csv(kind: kind, rows: rows, header: .codes).utf8))
        return try FileIngestion(node: node).ingest(file: path, kind: kind.slug, now: Self.now)
    }

    /// The portal's answer to a form posted to `path` as `multipart/form-data`: the file `bytes`
    /// as the part `name` (none when nil).
    func upload(_ path: String, name: String, bytes: [UInt8]?) async throws -> (status: HTTPResponse.Status, body: String) {
        let boundary = "----creditnet-test"
        var body: [UInt8] = []
        if let bytes {
            body += Array("--\(boundary)\r\nContent-Disposition: form-data; name=\"\(name)\"; filename=\"r.json\"\r\n".utf8)
            body += Array("Content-Type: application/json\r\n\r\n".utf8) + bytes + Array("\r\n".utf8)
        }
        body += Array("--\(boundary)--\r\n".utf8)
        let app = Application(router: portal.router())
        let headers: HTTPFields = [.contentType: "multipart/form-data; boundary=\(boundary)"]
        let sent = body
        return try await app.test(.router) { client in
            try await client.execute(uri: path, method: .post, headers: headers, body: ByteBuffer(bytes: sent)) {
                ($0.status, String(buffer: $0.body))
            }
        }
    }

    func json(_ path: String) async throws -> [String: Any] {
        let (status, _, body) = try await get(path + (path.contains("?") ? "&" : "?") + "format=json")
        #expect(status == .ok, "\(path): \(body)")
        return try #require(try JSONSerialization.jsonObject(with: Data(body.utf8)) as? [String: Any])
    }
}

@Suite("The public credit portal: routes", .serialized)
struct PortalTests {
    @Test func homeShowsTheAreaItsCountsAndTheLatestDecisions() async throws {
        let f = try PortalFixture()
        let (status, headers, body) = try await f.get("/")
        #expect(status == .ok)
        #expect(body.contains("信用大智街道") && body.contains("行政处罚") && body.contains("action=\"/search\""))
        // The public's services are one step from the home page.
        #expect(body.contains("href=\"/verify\"") && body.contains("href=\"/objections/status\""))
        // A keyboard reaches the content past the header in one step.
        #expect(body.contains("<a class=\"skip\" href=\"#main\">跳到正文</a>") && body.contains("<main id=\"main\""))
        #expect(headers[.contentSecurityPolicy]?.contains("default-src 'none'") == true && headers[.xContentTypeOptions] == "nosniff")
        #expect(headers[HTTPField.Name("Referrer-Policy")!] == "no-referrer")
        let json = try await f.json("/")
        let counts = try #require(json["counts"] as? [[String: Any]])
        #expect(counts.contains { $0["kind"] as? String == "penalty" && $0["count"] as? Int == 60 })
        #expect((json["latest"] as? [Any])?.count == 10)
    }

    @Test func searchFindsNamesByFragmentsOfEveryLengthAndCodesExactly() async throws {
        let f = try PortalFixture()
        // A person's two-character fragment (the short path) and the whole name.
        let two = String(f.person.name.prefix(2))
        let short = try await f.json("/search?q=" + PortalPages.escapePath(two))
        let hits = try #require(short["hits"] as? [[String: Any]])
        #expect(hits.contains { $0["name"] as? String == f.person.name })
        // A company's four-character fragment (the trigram index).
        let companies = try f.node.store.allSubjects(kind: "license").filter { (try? ResidentID($0)) == nil }
        let companyCode = try #require(companies.first)
        let company = try #require(try f.node.store.subjectHit(code: companyCode))
        let fragment = String(company.name.dropFirst(2).prefix(4))
        let long = try await f.json("/search?q=" + PortalPages.escapePath(fragment))
        let companyHit = try #require((long["hits"] as? [[String: Any]])?.first { $0["code"] as? String == company.code })
        // The fragment is marked where it occurs in the name, the name whole around it.
        let parts = try #require(companyHit["nameParts"] as? [[String: Any]])
        #expect(parts.compactMap { $0["text"] as? String }.joined() == company.name)
        #expect(parts.filter { $0["hit"] as? Bool == true }.compactMap { $0["text"] as? String } == [fragment])
        let (_, _, marked) = try await f.get("/search?q=" + PortalPages.escapePath(fragment))
        #expect(marked.contains("<mark>\(fragment)</mark>"))
        #expect(NamePart.split("仙桃仙桃商贸", at: "仙桃") == [NamePart(text: "仙桃", hit: true), NamePart(text: "仙桃商贸", hit: false)])
        #expect(NamePart.split("江岸商贸", at: "武昌") == [NamePart(text: "江岸商贸", hit: false)])
        #expect(NamePart.split("ABC商贸", at: "abc") == [NamePart(text: "ABC", hit: true), NamePart(text: "商贸", hit: false)])
        // Exact codes: an organisation's, a person's (shown masked, linked without the number).
        let exact = try await f.json("/search?q=" + company.code)
        #expect(exact["by"] as? String == "code" && (exact["hits"] as? [Any])?.count == 1)
        let (_, _, page) = try await f.get("/search?q=" + f.person.code)
        #expect(!page.contains(f.person.code) && page.contains(Masking.mask(f.person.code)) && page.contains(f.person.name))
        // Nothing found; too long; FTS5 syntax and LIKE wildcards are text.
        for q in ["\"", "NEAR(", "a\" OR \"b", "%", "_", "'; DROP TABLE records; --", "无此名称之企业"] {
            let r = try await f.json("/search?q=" + PortalPages.escapePath(q))
            #expect((r["hits"] as? [Any])?.isEmpty == true, "\(q)")
        }
        let tooLong = try await f.json("/search?q=" + String(repeating: "公", count: 51))
        #expect((tooLong["notice"] as? String)?.contains("过长") == true)
    }

    @Test func aSubjectRenamedIsFoundByItsNewNameAndNoLongerByItsOld() throws {
        let f = try PortalFixture()
        let today = ChinaTime.date(PortalFixture.now)
        let companies = try f.node.store.allSubjects(kind: "license").filter { (try? ResidentID($0)) == nil }
        let code = try #require(companies.first)
        let old = try #require(try f.node.store.subjectHit(code: code))
        // A later licence gives the company another name: the subject is renamed.
        let kind = try f.node.catalogue.kind(named: "license")
        var rows = try f.generated(kind, count: 1, seed: 72)
        let renamed = "长江新名科技有限公司"
        for (field, value) in [("XDR_MC", renamed), ("XDR_LB", "法人及非法人组织"), ("XDR_SHXYM", code), ("XDR_ZJLX", ""), ("XDR_ZJHM", "")] {
            rows[0].values[try #require(kind.index[field])] = value
        }
        #expect(try f.ingest(rows, kind: kind, name: "renamed.csv").accepted == 1)
        #expect(try f.node.store.subjectHit(code: code)?.name == renamed)
        let hits = { (q: String) in try f.portal.pages.search(q, today: today).hits.map(\.code) }
        #expect(try hits("长江新名").contains(code) && hits("新名").contains(code))
        #expect(try !hits(old.name).contains(code) && !hits(String(old.name.prefix(2))).contains(code))
        // Its grams are the new name's one- and two-character pieces, the old name's all gone.
        let names = Array(renamed)
        let expected = Set(names.map(String.init) + (0..<(names.count - 1)).map { String(names[$0...$0 + 1]) })
        let grams = try f.node.store.read { db in
            try String.fetchAll(db, sql: "SELECT gram FROM subject_grams WHERE subject_id = ?", arguments: [old.id])
        }
        #expect(Set(grams) == expected && grams.count == expected.count)
    }

    @Test func aSubjectPageShowsRecordsInForceWithObjectionsAndMasksTheID() async throws {
        let f = try PortalFixture()
        let id = try #require(try f.node.store.subjectHit(code: f.person.code)?.id)
        let (status, _, body) = try await f.get("/subjects/~\(id)")
        #expect(status == .ok)
        #expect(body.contains(f.person.name) && body.contains("异议处理中") && body.contains(Masking.mask(f.person.code)))
        #expect(!body.contains(f.person.code))
        let json = try await f.json("/subjects/~\(id)")
        #expect(json["code"] as? String == Masking.mask(f.person.code) && json["isPerson"] as? Bool == true)
        // A withdrawn record is not shown.
        _ = try StatusDesk(node: f.node).enter(
            key: f.person.key, StatusChange(action: .withdrawn, date: PortalFixture.asOf, reason: "处罚决定已撤销", unit: "江岸区市场监督管理局"),
            now: PortalFixture.now)
        let after = try await f.json("/subjects/~\(id)")
        #expect(!((after["records"] as? [[String: Any]]) ?? []).contains { ($0["record"] as? [String: Any])?["key"] as? String == f.person.key })
        // Unknown subjects: 404.
        #expect(try await f.get("/subjects/91420102MA4KXXXX0X").status == .notFound)
        #expect(try await f.get("/subjects/~999999").status == .notFound)
    }

    /// A search hit and a subject's page say how many records of each kind the public sees; a
    /// subject the public sees nothing of (its one licence no longer valid) is no hit.
    @Test func searchHitsAndSubjectPagesCountWhatThePublicSees() async throws {
        let f = try PortalFixture()
        let today = PortalFixture.now
        let expected = { (code: String) throws -> [String: Int] in
            var out: [String: Int] = [:]
            for r in try f.node.store.records(subject: code)
            where PublicRecord.isShown(r, kind: f.node.resolvedKinds[r.kind], today: ChinaTime.date(today)) {
                out[r.kind, default: 0] += 1
            }
            return out
        }
        let counts = { (summary: Any?) in
            Dictionary(
                uniqueKeysWithValues: ((summary as? [[String: Any]]) ?? []).compactMap { c in
                    (c["kind"] as? String).flatMap { k in (c["count"] as? Int).map { (k, $0) } }
                })
        }
        // A listed subject with other records too: its hit, its page (JSON and HTML) agree with the store.
        let listed = try #require(try f.node.store.allSubjects(kind: "blacklist").first { try expected($0).count > 1 })
        let want = try expected(listed)
        let hit = try #require(((try await f.json("/search?q=" + listed))["hits"] as? [[String: Any]])?.first)
        #expect(counts(hit["summary"]) == want)
        let hitID = try #require(try f.node.store.subjectHit(code: listed)?.id)
        let pageRef = (try? ResidentID(listed)) != nil ? "~\(hitID)" : listed
        let subject = try await f.json("/subjects/" + pageRef)
        #expect(counts(subject["summary"]) == want)
        let (_, _, searchHTML) = try await f.get("/search?q=" + listed)
        let (_, _, subjectHTML) = try await f.get("/subjects/" + pageRef)
        for (kind, n) in want {
            let name = try #require(f.node.resolvedKinds[kind]?.name)
            #expect(searchHTML.contains("\(name) \(n) 条") && subjectHTML.contains("\(name) \(n) 条"), "\(kind)")
        }
        // Its list entry says why and until when; its other rows are named by kind, without a tag repeating it.
        let entry = try #require((subject["listings"] as? [[String: Any]])?.first)
        let entryKey = try #require(((entry["row"] as? [String: Any])?["record"] as? [String: Any])?["key"] as? String)
        let fields = try #require(try f.node.store.record(key: entryKey)?.fields)
        #expect(entry["reason"] as? String == fields["SX_LRYY"] && entry["until"] as? String == fields["SX_YXQZ"])
        #expect(subjectHTML.contains("列入原因：") && subjectHTML.contains("有效期至 "))
        for row in subject["records"] as? [[String: Any]] ?? [] {
            let kindName = (row["record"] as? [String: Any])?["kindName"] as? String
            #expect(row["tagged"] as? Bool == false && row["title"] as? String == kindName)
        }
        // Refused: a company whose one licence is no longer valid (当前状态 2) is found by neither name nor code.
        let kind = try f.node.catalogue.kind(named: "license")
        var rows = try f.generated(kind, count: 20, seed: 4242)
        let field = { (code: String) in try #require(kind.index[code]) }
        let codeField = try field("XDR_SHXYM")
        let unknown = try rows.indices.filter { i in
            let code = rows[i].values[codeField]
            return try code.hasPrefix("9") && f.node.store.subjectHit(code: code) == nil
        }
        let row = try #require(unknown.first)
        let code = rows[row].values[codeField]
        rows = [rows[row]]
        rows[0].values[try field("XDR_MC")] = "湖北无公示测试商贸有限公司"
        rows[0].values[try field("ZT")] = "2"
        let report = try f.ingest(rows, kind: kind, name: "invalid.csv")
        try #require(report.accepted == 1, "\(report)")
        #expect(try f.node.store.subjectHit(code: code) != nil)
        for q in ["无公示测试", code] {
            let r = try await f.json("/search?q=" + PortalPages.escapePath(q))
            #expect((r["hits"] as? [Any])?.isEmpty == true, "\(q)")
        }
        let none = try await f.json("/subjects/" + code)
        #expect(none["empty"] as? Bool == true && (none["summary"] as? [Any])?.isEmpty == true)
    }

    /// The home page's counts, the listings and the search count a licence no longer valid
    /// (当前状态 2) and a listing removed (名单状态 已移出) out, as the record pages do: the
    /// store keeps whether each version is in force (`records.in_force`) — and a correction
    /// that makes a licence invalid takes it out of them.
    @Test func countsListingsAndSearchLeaveOutWhatIsNoLongerInForce() async throws {
        let f = try PortalFixture()
        let today = ChinaTime.date(PortalFixture.now)
        let license = try f.node.catalogue.kind(named: "license")
        let blacklist = try f.node.catalogue.kind(named: "blacklist")
        let fresh = { (kind: ResolvedKind, seed: UInt64, count: Int) throws -> [SampleRow] in
            let code = try #require(kind.index["XDR_SHXYM"])
            return Array(
                try f.generated(kind, count: 200, seed: seed).filter {
                    try $0.values[code].hasPrefix("9") && f.node.store.subjectHit(code: $0.values[code]) == nil
                }.prefix(count))
        }
        var licences = try fresh(license, 5151, 3)
        try #require(licences.count == 3)
        let (state, name) = (try #require(license.index["ZT"]), try #require(license.index["XDR_MC"]))
        for i in licences.indices { licences[i].values[name] = "湖北在效测试\(i)号商贸有限公司" }
        licences[1].values[state] = "2"
        var listed = try fresh(blacklist, 6161, 2)
        try #require(listed.count == 2)
        // The second's term ended yesterday, and no one has marked it expired yet.
        listed[1].values[try #require(blacklist.index["YXQZ"])] = today.adding(days: -1).iso
        // Removed today: its dates alone would still show it today (移出日期 ends its publicity).
        listed[0].values[try #require(blacklist.index["MDZT"])] = "已移出"
        listed[0].values[try #require(blacklist.index["YCRQ"])] = today.iso
        listed[0].values[try #require(blacklist.index["YCYY"])] = "信用修复完成"
        #expect(try f.ingest(licences, kind: license, name: "licences.csv").accepted == 3)
        #expect(try f.ingest(listed, kind: blacklist, name: "removed.csv").accepted == 2)
        // A correction: the first licence withdrawn (当前状态 2) by a newer version.
        var corrected = licences[0]
        corrected.values[state] = "2"
        #expect(try f.ingest([corrected], kind: license, name: "corrected.csv").updated == 1)

        // What the record pages' rule (`PublicRecord.isShown`) lets the public see, by kind.
        var expected: [String: Int] = [:]
        var shownLicences: Set<String> = []
        let subjects = try Set(["penalty", "license", "blacklist", "redlist"].flatMap { try f.node.store.allSubjects(kind: $0) })
        for subject in subjects {
            for r in try f.node.store.records(subject: subject) where PublicRecord.isShown(r, kind: f.node.resolvedKinds[r.kind], today: today) {
                expected[r.kind, default: 0] += 1
                if r.kind == "license" { shownLicences.insert(r.key) }
            }
        }
        try #require(expected["license"] == 40 + 1 && expected["blacklist"] == 6)
        let home = try Portal(node: f.node, clock: { PortalFixture.now }).pages.home(today: today)
        #expect(Dictionary(uniqueKeysWithValues: home.counts.map { ($0.kind, $0.count) }) == expected)
        // Counted from the tally the triggers keep, which agrees with the records.
        #expect(try f.node.store.tallyDiscrepancies().isEmpty)
        let ended = listed[1].values[try #require(blacklist.index["XDR_SHXYM"])]
        #expect(try f.node.store.records(subject: ended).map(\.state) == ["active"])
        let scope = PublicScope(kinds: Array(expected.keys), today: today.iso)
        let listing = try f.node.store.listing(ListingQuery(kinds: ["license"], limit: 1000), scope: scope)
        #expect(Set(listing.map(\.key)) == shownLicences)
        let hits = try await f.json("/search?q=" + PortalPages.escapePath("在效测试"))
        #expect(((hits["hits"] as? [[String: Any]]) ?? []).compactMap { $0["name"] as? String } == ["湖北在效测试2号商贸有限公司"])
        let removed = listed[0].values[try #require(blacklist.index["XDR_SHXYM"])]
        #expect(try f.node.store.subjectHit(code: removed) != nil)
        #expect(try f.node.store.publicCounts(subjects: [removed], scope: scope)[removed]?["blacklist"] == nil)
    }

    /// Subjects the public sees nothing of are passed over and more candidates read in their
    /// place: 22 companies whose one licence is 无效, then two valid ones with the same fragment,
    /// make one page of the two — not an empty page with a link to the next.
    @Test func aSearchPageIsFilledPastSubjectsThePublicDoesNotSee() async throws {
        let f = try PortalFixture()
        let kind = try f.node.catalogue.kind(named: "license")
        let column = { (code: String) in try #require(kind.index[code]) }
        let (codeField, nameField, state) = (try column("XDR_SHXYM"), try column("XDR_MC"), try column("ZT"))
        var seenCodes = Set<String>()
        let fresh = try f.generated(kind, count: 600, seed: 808).filter { row in
            let code = row.values[codeField]
            return try code.hasPrefix("9") && f.node.store.subjectHit(code: code) == nil && seenCodes.insert(code).inserted
        }
        try #require(fresh.count >= 24)
        var rows = Array(fresh.prefix(24))
        for i in rows.indices {
            rows[i].values[nameField] = i < 22 ? "湖北隐名测试商贸\(i)号有限公司" : "湖北隐名测试实业\(i)号有限公司"
            rows[i].values[state] = i < 22 ? "2" : "1"
        }
        // The hidden ones first, so that their subject rows come first.
        try #require(try f.ingest(Array(rows.prefix(22)), kind: kind, name: "hidden.csv").accepted == 22)
        try #require(try f.ingest(Array(rows.suffix(2)), kind: kind, name: "shown.csv").accepted == 2)
        let page = try await f.json("/search?q=" + PortalPages.escapePath("隐名测试"))
        let names = ((page["hits"] as? [[String: Any]]) ?? []).compactMap { $0["name"] as? String }
        #expect(names == ["湖北隐名测试实业22号有限公司", "湖北隐名测试实业23号有限公司"] && page["next"] == nil, "\(names) \(page["next"] ?? "")")
    }

    @Test func aSubjectWithManyRecordsIsReadAPageAtATime() async throws {
        let f = try PortalFixture()
        // A company of the fixture's given 45 more penalties (the generator's rows, named for it).
        let code = try #require(try f.node.store.allSubjects(kind: "penalty").first { $0.hasPrefix("9") })
        let name = try #require(try f.node.store.subjectHit(code: code)?.name)
        var options = SampleGenerator.Options(seed: 99, node: f.node.configuration.code, asOf: PortalFixture.asOf)
        options.faultShare = 0
        options.lateShare = 0
        options.jurisdictions = [try DivisionCode(PortalFixture.villages[0])]
        var generator = SampleGenerator(options)
        let kind = try f.node.catalogue.kind(named: "penalty")
        var rows = generator.rows(kind: kind, count: 45)
        let set = { (field: String, value: String) in
            let i = try #require(kind.index[field])
            for r in rows.indices { rows[r].values[i] = value }
        }
        try set("XDR_LB", "法人及非法人组织")
        try set("XDR_SHXYM", code)
        try set("XDR_MC", name)
        for field in ["XDR_ZJLX", "XDR_ZJHM"] { try set(field, "") }
        let path = try f.dir.write("many.csv", Array(SampleGenerator.csv(kind: kind, rows: rows, header: .codes).utf8))
        let report = try FileIngestion(node: f.node).ingest(file: path, kind: "penalty", now: PortalFixture.now)
        try #require(report.accepted == 45, "\(report)")
        let total = try f.node.store.records(subject: code).count
        try #require((45...60).contains(total))

        var keys: [String] = []
        for (page, count) in [(1, 20), (2, 20), (3, total - 40)] {
            let json = try await f.json("/subjects/\(code)" + (page == 1 ? "" : "?page=\(page)"))
            let listed = (json["listings"] as? [[String: Any]] ?? []).compactMap { ($0["row"] as? [String: Any])?["record"] as? [String: Any] }
            let records = (json["records"] as? [[String: Any]] ?? []).compactMap { $0["record"] as? [String: Any] }
            #expect(listed.count + records.count == count, "page \(page)")
            keys += (listed + records).compactMap { $0["key"] as? String }
            #expect(json["page"] as? Int == page)
            #expect((json["nextLink"] as? String) == (page < 3 ? "/subjects/\(code)?page=\(page + 1)" : nil))
            #expect((json["previousLink"] as? String) == (page == 1 ? nil : page == 2 ? "/subjects/\(code)" : "/subjects/\(code)?page=2"))
        }
        // Every record once, newest first across the pages.
        #expect(Set(keys).count == total)
        let penalties = try keys.filter { try f.node.store.record(key: $0)?.kind == "penalty" }
        let dates = try penalties.map { try #require(try f.node.store.record(key: $0)?.decisionDate) }
        #expect(dates == dates.sorted(by: >))
        let (_, _, html) = try await f.get("/subjects/\(code)?page=2")
        #expect(html.contains("‹ 上一页") && html.contains("下一页 ›") && html.contains("第 2 页"))
        // Refused: past the last page, not a number, zero.
        for bad in ["4", "x", "0", "-1"] {
            let (status, _, body) = try await f.get("/subjects/\(code)?page=\(bad)")
            #expect(status == .badRequest, "page=\(bad)")
            #expect(body.contains("页"), "page=\(bad): \(body)")
        }
    }

    @Test func pathsArePercentEncodedAsFoundationWouldButFaster() {
        var allowed = CharacterSet.alphanumerics.intersection(CharacterSet(charactersIn: Unicode.Scalar(0)...Unicode.Scalar(127)))
        allowed.insert(charactersIn: "-._~")
        for s in ["91420102MA4K5PAG1X", "420102|penalty|仙桃城管罚〔2026〕1号", "a b/c?d=e&f%g#h", "~12", "é\u{0}\u{7f}😀", ""] {
            #expect(PortalPages.escapePath(s) == s.addingPercentEncoding(withAllowedCharacters: allowed), "\(s)")
        }
    }

    @Test func markupInRecordsIsShownAsText() async throws {
        let f = try PortalFixture()
        for path in ["/publicity/penalty", "/records/" + PortalPages.escapePath(f.xssKey), "/search?q=" + PortalPages.escapePath("script")] {
            let (status, _, body) = try await f.get(path)
            #expect(status == .ok, "\(path)")
            #expect(!body.contains("<script>") && !body.contains("<img src=x"), "\(path)")
        }
        let (_, _, record) = try await f.get("/records/" + PortalPages.escapePath(f.xssKey))
        #expect(record.contains("&lt;script&gt;alert(1)&lt;/script&gt;"))
        let (_, _, listing) = try await f.get("/publicity/penalty?after=")
        #expect(listing.contains("&quot;&gt;&lt;img src=x onerror=alert(1)&gt;") || !listing.contains("onerror"))
    }

    @Test func noWholeResidentIDNumberInAnyPageJSONOrCSV() async throws {
        let f = try PortalFixture()
        let id = try #require(try f.node.store.subjectHit(code: f.person.code)?.id)
        let people = Set(try f.node.store.allSubjects(kind: "penalty").filter { (try? ResidentID($0)) != nil } + [PortalFixture.hiddenID])
        let paths = [
            "/", "/search?q=" + PortalPages.escapePath(String(f.person.name.prefix(1))), "/subjects/~\(id)",
            "/records/" + PortalPages.escapePath(f.person.key),
            "/publicity/penalty", "/publicity/license", "/lists/black", "/lists/red",
        ]
        for path in paths {
            for variant in [path, path + (path.contains("?") ? "&" : "?") + "format=json", path + (path.contains("?") ? "&" : "?") + "format=csv"] {
                let (_, _, body) = try await f.get(variant)
                for person in people { #expect(!body.contains(person), "\(variant) shows a whole ID number") }
            }
        }
        // The ID number written into 违法事实 is masked where the record is shown.
        let (_, _, csv) = try await f.get("/publicity/penalty?format=csv")
        let (_, _, pages) = try await f.get("/publicity/penalty")
        #expect(!csv.contains(PortalFixture.hiddenID) && !pages.contains(PortalFixture.hiddenID))
    }

    /// A credit code field is public as it is, even all digits (it would look like an ID number
    /// to the free-text masking); an ID number in free text is masked.
    @Test func creditCodesStayWholeAndIDsInTextAreMasked() throws {
        let f = try PortalFixture()
        let kind = try f.node.catalogue.kind(named: "penalty")
        #expect(PublicRecord.masked("114290040231918312", code: "CF_CFJGDM", kind: kind) == "114290040231918312")
        #expect(PublicRecord.masked("身份证号420102199001011234的", code: "CF_SY", kind: kind) == "身份证号420102********1234的")
        #expect(PublicRecord.masked("420102199001011234", code: "CF_XDR_ZJHM", kind: kind) == "420102********1234")
    }

    @Test func listingsFilterByRegionAuthorityAndDateAndPageByKeyset() async throws {
        let f = try PortalFixture()
        let all = try await f.json("/publicity/penalty")
        let first = try #require(all["rows"] as? [[String: Any]])
        #expect(first.count == PortalPages.pageSize)
        let next = try #require(all["next"] as? String)
        #expect(next.contains("after="))
        let second = try await f.json(next)
        let keys1 = Set(first.compactMap { ($0["record"] as? [String: Any])?["key"] as? String })
        let keys2 = Set(((second["rows"] as? [[String: Any]]) ?? []).compactMap { ($0["record"] as? [String: Any])?["key"] as? String })
        #expect(!keys2.isEmpty && keys1.isDisjoint(with: keys2))
        // Newest first.
        let dates = first.compactMap { ($0["record"] as? [String: Any])?["decisionDate"] as? String }
        #expect(dates == dates.sorted(by: >))
        // By region: every row inside the village.
        let village = PortalFixture.villages[0]
        let region = try await f.json("/publicity/penalty?region=\(village)")
        let rows = try #require(region["rows"] as? [[String: Any]])
        #expect(
            !rows.isEmpty
                && rows.allSatisfy { (($0["record"] as? [String: Any])?["jurisdiction"] as? String)?.hasPrefix(String(village.prefix(9))) == true })
        // By authority and date range.
        let one = try #require(first.first?["record"] as? [String: Any])
        let authority = try #require(one["authority"] as? String)
        let date = try #require(one["decisionDate"] as? String)
        let filtered = try await f.json("/publicity/penalty?authority=\(PortalPages.escapePath(authority))&from=\(date)&to=\(date)")
        let filteredRows = try #require(filtered["rows"] as? [[String: Any]])
        #expect(
            !filteredRows.isEmpty
                && filteredRows.allSatisfy {
                    ($0["record"] as? [String: Any])?["authority"] as? String == authority
                        && ($0["record"] as? [String: Any])?["decisionDate"] as? String == date
                })
        // The region filter names each child as its health records do, its code until one has spoken.
        let before = try #require(all["regions"] as? [[String: Any]])
        #expect(before.allSatisfy { $0["name"] as? String == $0["code"] as? String })
        let heardAt = ChinaTime.milliseconds(PortalFixture.now)
        let health = NodeHealth(
            code: village, name: "大智一村", parent: f.node.configuration.code.digits, children: [], issuedAt: heardAt, windowSeconds: 3600,
            backlog: 0, oldestPendingAt: 0, records: 1, quarantined: 0, software: "0.16.0", catalogue: "c")
        _ = try f.node.store.keepHealth([HealthEntry(health: health, encoded: [1])], now: PortalFixture.now)
        let (_, _, named) = try await f.get("/publicity/penalty")
        #expect(named.contains("<option value=\"\(village)\">大智一村</option>"))
        // Refused: a region that is not a child, a date out of shape, a forged keyset.
        #expect(try await f.get("/publicity/penalty?region=110000000000").status == .badRequest)
        #expect(try await f.get("/publicity/penalty?from=2026-13-01").status == .badRequest)
        #expect(try await f.get("/publicity/penalty?after=1%20OR%201=1").status == .badRequest)
        // CSV: a BOM, Chinese headers, the filtered rows.
        let (status, headers, csv) = try await f.get("/publicity/penalty?region=\(village)&format=csv")
        #expect(status == .ok && headers[.contentType]?.hasPrefix("text/csv") == true)
        #expect(csv.hasPrefix("\u{FEFF}决定日期,") && csv.components(separatedBy: "\r\n").count >= 3)
    }

    /// Every kind the public sees has a listing, and the home page's count of it links there; a
    /// kind shared only between governments (信用评价) has none.
    @Test func everyPublicKindHasAListingTheHomePageLinksTo() async throws {
        let f = try PortalFixture()
        let kind = try f.node.catalogue.kind(named: "reward")
        try #require(try f.ingest(try f.generated(kind, count: 7, seed: 17), kind: kind, name: "reward.csv").accepted == 7)
        let listing = try await f.json("/publicity/reward")
        #expect(listing["kindName"] as? String == "行政奖励公示" && (listing["rows"] as? [Any])?.count == 7)
        // A reward's line: its name, then what was given.
        for row in listing["rows"] as? [[String: Any]] ?? [] {
            let key = try #require((row["record"] as? [String: Any])?["key"] as? String)
            let fields = try #require(try f.node.store.record(key: key)?.fields)
            #expect(row["summary"] as? String == "\(fields["JL_JLMC"] ?? "") · \(fields["JL_NR"] ?? "")")
        }
        let (_, _, html) = try await f.get("/publicity/reward")
        #expect(html.contains("<h1>行政奖励公示</h1>"))
        // The home page's tiles link to their listings (the home counts are kept a minute: a portal of its own).
        let portal = try Portal(node: f.node, clock: { PortalFixture.now })
        let app = Application(router: portal.router())
        let home = try await app.test(.router) { client in try await client.execute(uri: "/", method: .get) { String(buffer: $0.body) } }
        for path in ["/publicity/reward", "/publicity/penalty", "/publicity/license", "/lists/black", "/lists/red"] {
            #expect(home.contains("<li><a href=\"\(path)\"><span class=\"count\">"), "\(path)")
        }
        // Refused: a kind the public does not see, a kind the catalogue does not have.
        #expect(try await f.get("/publicity/rating").status == .notFound)
        #expect(try await f.get("/publicity/fines").status == .notFound)
    }

    /// An address the portal has no page for — a mistyped link, a kind it does not publish, a form's
    /// address opened as a page — is the portal's own page in Chinese with its status, its header
    /// (the search box) and its security headers, never an empty body the browser replaces with
    /// its own English message.
    @Test func anAddressWithNoPageIsAnsweredWithThePortalsOwnPage() async throws {
        let f = try PortalFixture()
        for path in ["/nothing-here", "/publicity/fines", "/subjects/", "/objections", "/records"] {
            let (status, headers, html) = try await f.get(path)
            #expect(status == .notFound, "\(path)")
            #expect(html.contains("<h1>未找到</h1>") && html.contains(Portal.noSuchPage) && html.contains("name=\"q\""), "\(path)")
            #expect(headers[.contentSecurityPolicy]?.contains("script-src") == false && headers[.contentSecurityPolicy] != nil, "\(path)")
            #expect(headers[.contentType] == "text/html; charset=utf-8" && headers[.cacheControl] == "no-store", "\(path)")
        }
        let (jsonStatus, _, body) = try await f.get("/nothing-here?format=json")
        let json = try #require(try JSONSerialization.jsonObject(with: Data(body.utf8)) as? [String: Any])
        #expect(jsonStatus == .notFound && json["status"] as? Int == 404 && json["message"] as? String == Portal.noSuchPage)
        // A page that exists keeps its own answer, and a record the portal does not have keeps its own message.
        #expect(try await f.get("/").status == .ok)
        let (status, _, record) = try await f.get("/records/" + PortalPages.escapePath("penalty|none|none"))
        #expect(status == .notFound && record.contains("没有找到这条公开记录") && !record.contains(Portal.noSuchPage))
    }

    @Test func recordPagesSayWhereARecordCameFrom() async throws {
        let f = try PortalFixture()
        let json = try await f.json("/records/" + PortalPages.escapePath(f.xssKey))
        let record = try #require(json["record"] as? [String: Any])
        #expect(record["origin"] as? String == PortalFixture.township && record["enteredAt"] as? String != nil)
        #expect(json["hasDeadline"] as? Bool == true && json["onTime"] != nil)
        #expect(try await f.get("/records/" + PortalPages.escapePath("penalty|none|none")).status == .notFound)
        // Lists: the network-wide kinds.
        let black = try await f.json("/lists/black")
        #expect((black["rows"] as? [Any])?.count == 6)
        // Each entry's line says which list and why: 名单名称 · 列入原因.
        for row in black["rows"] as? [[String: Any]] ?? [] {
            let key = try #require((row["record"] as? [String: Any])?["key"] as? String)
            let fields = try #require(try f.node.store.record(key: key)?.fields)
            let summary = try #require(row["summary"] as? String)
            #expect(summary.hasPrefix(try #require(fields["SX_MDMC"]) + " · "), "\(summary)")
            #expect(summary.contains(String(try #require(fields["SX_LRYY"]).prefix(10))), "\(summary)")
        }
        let (_, _, blackPage) = try await f.get("/lists/black")
        #expect(blackPage.contains("名单 · "))
        // A penalty's line: what was done, then what was decided.
        let penalties = try await f.json("/publicity/penalty")
        let first = try #require((penalties["rows"] as? [[String: Any]])?.first)
        let firstKey = try #require((first["record"] as? [String: Any])?["key"] as? String)
        let penalty = try #require(try f.node.store.record(key: firstKey)?.fields)
        let line = try #require(penalty["CF_WFXW"]) + " · " + (try #require(penalty["CF_NR"]))
        #expect(first["summary"] as? String == (line.count > 60 ? String(line.prefix(60)) + "…" : line))
        // The stylesheet is served by the node itself.
        let (status, headers, css) = try await f.get("/static/portal.css")
        #expect(status == .ok && headers[.contentType]?.hasPrefix("text/css") == true && css.contains("@media print"))
        #expect(try await f.get("/static/nothing.js").status == .notFound)
    }

    /// A penalty's page says from when its subject may ask for credit repair and whom (the kind's
    /// minimum publicity period by 处罚类别); a 警告 at once; a licence has no such section.
    @Test func recordPagesSayWhenCreditRepairMayBeAsked() async throws {
        let f = try PortalFixture()
        let kind = try f.node.catalogue.kind(named: "penalty")
        let today = ChinaTime.date(PortalFixture.now)
        let listed = try #require(try f.node.store.allRecords().first { $0.kind == "penalty" && $0.state == "active" && $0.key != f.xssKey })
        let penalty = try #require(try f.node.store.record(key: listed.key))
        let fields = penalty.fields
        let expected = try #require(
            kind.kind.earliestRepair(decision: penalty.decisionDate.flatMap { CivilDate.parse($0) }) { fields[kind.kind.fullCode($0)] })
        let path = "/records/" + PortalPages.escapePath(penalty.key)
        let repair = try #require((try await f.json(path))["repair"] as? [String: Any])
        #expect(repair["months"] as? Int == expected.months && repair["from"] as? String == expected.date.iso)
        #expect(repair["open"] as? Bool == (expected.date <= today) && repair["authority"] as? String == fields["CF_CFJG"])
        let (_, _, html) = try await f.get(path)
        let whom = expected.date <= today ? "会同\(fields["CF_CFJG"] ?? "")审核" : "可向\(fields["CF_CFJG"] ?? "")申请信用修复"
        #expect(html.contains("最短公示期 \(expected.months) 个月") && html.contains(whom), "\(whom)")
        // A 警告: as soon as it is carried out.
        var rows = try f.generated(kind, count: 1, seed: 31)
        for (code, value) in [("CFLB", "警告"), ("NR", "警告"), ("NR_FK", ""), ("NR_WFFF", ""), ("WSH", "江岸城管罚〔2026〕900号")] {
            rows[0].values[try #require(kind.index[code])] = value
        }
        let report = try f.ingest(rows, kind: kind, name: "warning.csv")
        try #require(report.accepted == 1, "\(report)")
        let warning = try #require(try f.node.store.allRecords().first { $0.key.hasSuffix("|江岸城管罚〔2026〕900号") })
        let warned = try #require((try await f.json("/records/" + PortalPages.escapePath(warning.key)))["repair"] as? [String: Any])
        #expect(warned["atOnce"] as? Bool == true && warned["open"] as? Bool == true)
        let (_, _, warningHTML) = try await f.get("/records/" + PortalPages.escapePath(warning.key))
        // What the record's own repair section says (the footer speaks of repair on every page).
        let repairSection = { (html: String) -> String in
            guard let start = html.range(of: "<section class=\"repair\"") else { return "" }
            return html[start.lowerBound...].components(separatedBy: "</section>")[0]
        }
        #expect(repairSection(warningHTML).contains("本条信息属轻微失信") && !repairSection(warningHTML).contains("最短公示期"))
        // A licence: no repair to ask for.
        let licence = try #require(try f.node.store.allRecords().first { $0.kind == "license" && $0.state == "active" })
        let licencePath = "/records/" + PortalPages.escapePath(licence.key)
        #expect((try await f.json(licencePath))["repair"] == nil)
        let (_, _, licenceHTML) = try await f.get(licencePath)
        #expect(repairSection(licenceHTML).isEmpty && !licenceHTML.contains("action=\"/repairs\""))
    }

    /// A record whose bytes changed on disk is not shown: the page says the node cannot vouch
    /// for it (503).
    @Test func aDamagedRecordIsNotShown() async throws {
        let f = try PortalFixture()
        let path = "/records/" + PortalPages.escapePath(f.xssKey)
        #expect(try await f.get(path).status == .ok)
        // Rewritten behind the store's back, as a disk or a hand could.
        let queue = try DatabaseQueue(path: f.node.store.path)
        try await queue.write { db in
            try db.execute(sql: "DROP TRIGGER changes_no_update")
            try db.execute(
                sql:
                    "UPDATE changes SET body = replace(body, 'alert(1)', 'alert(2)') WHERE id = (SELECT content_change FROM records WHERE record_key = ?)",
                arguments: [f.xssKey])
            try db.execute(sql: "CREATE TRIGGER changes_no_update BEFORE UPDATE ON changes BEGIN SELECT RAISE(ABORT, 'append-only'); END")
        }
        let (status, _, body) = try await f.get(path)
        #expect(status == .serviceUnavailable && body.contains("damaged"))
    }
}

/// A clock the test moves.
final class TestClock: Sendable {
    private let value: Mutex<Date>
    init(_ start: Date) { value = Mutex(start) }
    var now: Date { value.withLock { $0 } }
    func advance(_ seconds: TimeInterval) { value.withLock { $0 += seconds } }
}

@Suite("The public credit portal: which records are in force")
struct InForceRuleTests {
    /// A store written before `records.in_force` (every record in force, no rules named) is
    /// brought in line when its node opens; opened again with the same rules, nothing is read but
    /// the rules' name; other rules (a catalogue that changed) compute it again.
    @Test func aNodeOpeningComputesInForceWhenItsRulesAreNotThoseOfTheStore() throws {
        let f = try PortalFixture()
        let kind = try f.node.catalogue.kind(named: "license")
        var rows = try f.generated(kind, count: 1, seed: 7373)
        rows[0].values[try #require(kind.index["ZT"])] = "2"
        try #require(try f.ingest(rows, kind: kind, name: "invalid.csv").accepted == 1)
        let scope = PublicScope(kinds: ["license"], today: ChinaTime.date(PortalFixture.now).iso)
        let shown = try #require(try f.node.store.publicCounts(scope: scope)["license"])
        #expect(shown == 40)
        // As a store from before the column: everything in force, no rules named.
        let queue = try DatabaseQueue(path: f.node.configuration.databasePath)
        try queue.write { db in try db.execute(sql: "UPDATE records SET in_force = 1; UPDATE node SET in_force_rules = NULL") }
        try queue.close()
        #expect(try f.node.store.publicCounts(scope: scope)["license"] == 41)
        let reopened = try NodeContext(configuration: f.node.configuration)
        #expect(try reopened.store.publicCounts(scope: scope)["license"] == shown)
        // The same rules: nothing to do.
        let rules = [InForceRule(kind: "license", field: "XK_ZT", values: ["1"]), InForceRule(kind: "blacklist", field: "SX_MDZT", values: ["有效"])]
        #expect(try reopened.store.applyInForceRules(rules.reversed()) == nil)
        // Other rules: a licence shown whatever its state, listings without a rule.
        #expect(try reopened.store.applyInForceRules([InForceRule(kind: "license", field: "XK_ZT", values: ["2", "1"])]) == 1)
        #expect(try reopened.store.publicCounts(scope: scope)["license"] == 41)
        #expect(try reopened.store.applyInForceRules([InForceRule(kind: "license", field: "XK_ZT", values: ["1", "2"])]) == nil)
    }
}

@Suite("The public credit portal: objections from the public", .serialized)
struct PortalObjectionTests {
    /// The record page's form token and cookie.
    static func form(_ app: some ApplicationProtocol, key: String) async throws -> (cookie: String, token: String) {
        try await app.test(.router) { client in
            try await client.execute(uri: "/records/" + PortalPages.escapePath(key), method: .get) { response in
                let cookie = try #require(response.headers[.setCookie])
                #expect(cookie.contains("HttpOnly") && cookie.contains("SameSite=Strict"))
                let token = String(try #require(cookie.split(separator: ";").first?.split(separator: "=").last))
                #expect(String(buffer: response.body).contains("name=\"csrf\" value=\"\(token)\""))
                return ("cn_csrf=\(token)", token)
            }
        }
    }

    static func post(_ app: some ApplicationProtocol, cookie: String?, fields: [(String, String)], to path: String = "/objections") async throws -> (
        HTTPResponse.Status, String
    ) {
        var fieldsOut: HTTPFields = [.contentType: "application/x-www-form-urlencoded"]
        if let cookie { fieldsOut[.cookie] = cookie }
        let headers = fieldsOut
        let body = fields.map { "\($0.0)=\(PortalPages.escapePath($0.1))" }.joined(separator: "&")
        return try await app.test(.router) { client in
            try await client.execute(uri: path, method: .post, headers: headers, body: ByteBuffer(string: body)) {
                ($0.status, String(buffer: $0.body))
            }
        }
    }

    @Test func aRequestIsKeptAndAnOperatorAcceptsIt() async throws {
        let f = try PortalFixture()
        let app = Application(router: f.portal.router())
        let key = f.xssKey
        let (cookie, token) = try await Self.form(app, key: key)
        let fields = [("key", key), ("csrf", token), ("name", "张三"), ("contact", "13800000000"), ("reason", "处罚决定已被复议撤销，身份证号420102199001011234")]
        let (status, body) = try await Self.post(app, cookie: cookie, fields: fields)
        #expect(status == .ok && body.contains("已收到您的异议申诉"), "\(body)")
        let pending = try f.node.store.objectionRequests()
        #expect(pending.count == 1 && pending[0].recordKey == key && pending[0].contact == "13800000000" && pending[0].state == "pending")
        // A request is no status change: the record is unchanged until an operator accepts.
        #expect(try f.node.store.record(key: key)?.state == "active")
        let report = try ObjectionDesk(node: f.node).accept(id: pending[0].id, unit: "大智街道信用办", now: PortalFixture.now)
        #expect(report?.state == "objected")
        #expect(try f.node.store.record(key: key)?.state == "objected")
        #expect(try f.node.store.objectionRequests().isEmpty && (try f.node.store.objectionRequests(includeDecided: true).first?.state == "accepted"))
        let (_, _, page) = try await f.get("/records/" + PortalPages.escapePath(key))
        #expect(page.contains("异议处理中"))
        // Decided once.
        #expect(throws: ObjectionRequestError.self) { try ObjectionDesk(node: f.node).accept(id: pending[0].id, unit: "x") }
        #expect(throws: ObjectionRequestError.self) { try ObjectionDesk(node: f.node).refuse(id: pending[0].id, reason: "x") }
    }

    /// The requester follows the request with the code the received page gives: pending, then
    /// accepted or refused with the reason — and nobody else learns who asked or what they wrote.
    @Test func aRequesterFollowsTheRequestWithItsCode() async throws {
        let f = try PortalFixture()
        let app = Application(router: f.portal.router())
        let keys = try f.node.store.allRecords().filter { $0.kind == "penalty" && $0.state == "active" }.map(\.key)
        var codes: [String] = []
        for key in keys.prefix(2) {
            let (cookie, token) = try await Self.form(app, key: key)
            let fields = [("key", key), ("csrf", token), ("name", "王五"), ("contact", "wangwu@example.cn"), ("reason", "决定书文号有误")]
            let (status, body) = try await Self.post(app, cookie: cookie, fields: fields)
            #expect(status == .ok)
            // The received page shows the code, grouped, and links to its status page.
            let stored = try #require(try f.node.store.objectionRequests().last?.code)
            #expect(stored.count == 12 && body.contains(ObjectionRequestCode.grouped(stored)), "\(body)")
            #expect(body.contains("href=\"/objections/status?code=\(stored)\""))
            codes.append(stored)
        }
        #expect(codes[0] != codes[1])
        // The store keeps each code once, and only codes of the code's length.
        #expect(throws: (any Error).self) {
            try f.node.store.addObjectionRequest(key: keys[2], name: "赵六", contact: "1", reason: "x", code: codes[0])
        }
        #expect(throws: (any Error).self) { try f.node.store.addObjectionRequest(key: keys[2], name: "赵六", contact: "1", reason: "x", code: "ABC") }
        #expect(ObjectionRequestCode.normalized("abcd efgh jkmn") == "ABCDEFGHJKMN" && ObjectionRequestCode.normalized("ABCD-EFGH-JKM0") == nil)
        func status(_ typed: String) async throws -> (HTTPResponse.Status, HTTPFields, String) {
            try await app.test(.router) { client in
                try await client.execute(uri: "/objections/status?code=" + PortalPages.escapePath(typed), method: .get) {
                    ($0.status, $0.headers, String(buffer: $0.body))
                }
            }
        }
        // Pending; typed in lower case with spaces and dashes, as people do.
        let typed = ObjectionRequestCode.grouped(codes[0]).lowercased().replacingOccurrences(of: "-", with: " - ")
        var (code, headers, page) = try await status(typed)
        #expect(code == .ok && page.contains("待受理") && page.contains(PortalPages.recordLink(keys[0])), "\(page)")
        #expect(headers[.cacheControl] == "no-store")
        for secret in ["王五", "wangwu@example.cn", "决定书文号有误"] { #expect(!page.contains(secret)) }
        // Accepted, then the other refused with its reason.
        let requests = try f.node.store.objectionRequests()
        _ = try ObjectionDesk(node: f.node).accept(id: requests[0].id, unit: "大智街道信用办", now: PortalFixture.now)
        try ObjectionDesk(node: f.node).refuse(id: requests[1].id, reason: "非本机关作出的决定", now: PortalFixture.now)
        (code, _, page) = try await status(codes[0])
        #expect(code == .ok && page.contains("已受理") && page.contains("异议处理中"))
        (code, _, page) = try await status(codes[1])
        #expect(code == .ok && page.contains("不予受理") && page.contains("非本机关作出的决定"))
        #expect(page.contains(PortalPages.recordLink(keys[1])))
        // A record the public no longer sees is named by its kind, without a link.
        _ = try StatusDesk(node: f.node).enter(
            key: keys[1], StatusChange(action: .withdrawn, date: PortalFixture.asOf, reason: "处罚决定已撤销", unit: "江岸区市场监督管理局"),
            now: PortalFixture.now)
        (code, _, page) = try await status(codes[1])
        let number = try #require(keys[1].split(separator: "|").last)
        #expect(code == .ok && page.contains("行政处罚 \(number)（本站已不公示这条记录）") && !page.contains(PortalPages.recordLink(keys[1])))
        // Refused: a code of no request, and what cannot be a code; the empty form.
        (code, _, page) = try await status("ABCD-EFGH-JKMN")
        #expect(code == .notFound && page.contains("没有与这个查询码对应的申请"))
        (code, _, page) = try await status("12345")
        #expect(code == .badRequest && page.contains("12 位字母和数字"))
        (code, _, page) = try await status(String(repeating: "Z", count: 5000))
        #expect(code == .badRequest && !page.contains(String(repeating: "Z", count: 41)))
        (code, _, page) = try await status("")
        #expect(code == .ok && page.contains("查询办理进度") && !page.contains("办理情况"))
        // The JSON twin says the same, without the requester.
        let json = try await f.json("/objections/status?code=\(codes[1])")
        let request = try #require(json["request"] as? [String: Any])
        #expect(
            request["state"] as? String == "不予受理" && request["reason"] as? String == "非本机关作出的决定" && request["number"] as? Int == Int(requests[1].id))
    }

    /// A credit repair application (信用修复申请) is offered on a record's page once its minimum
    /// publicity period has passed, and taken only then, with the requester's undertaking; an
    /// operator grants it as a repair (publicity stops) or refuses it, and the requester follows it
    /// with its code.
    @Test func aRepairApplicationIsTakenOnceThePeriodHasPassedAndGrantedAsARepair() async throws {
        let f = try PortalFixture()
        let app = Application(router: f.portal.router())
        let today = ChinaTime.date(PortalFixture.now)
        let penalty = try #require(f.node.resolvedKinds["penalty"])
        let penalties = try f.node.store.allRecords().filter { $0.kind == "penalty" && $0.state == "active" }.compactMap {
            try f.node.store.record(key: $0.key)
        }
        let open = try #require(penalties.first { penalty.kind.earliestRepair(of: $0).map { $0.date <= today } ?? false })
        let early = try #require(penalties.first { penalty.kind.earliestRepair(of: $0).map { $0.date > today } ?? false })
        let licence = try #require(try f.node.store.allRecords().first { $0.kind == "license" && $0.state == "active" })
        // The form is on the page of a record whose period has passed, not on the others.
        let (_, _, openPage) = try await f.get("/records/" + PortalPages.escapePath(open.key))
        #expect(openPage.contains("action=\"/repairs\"") && openPage.contains("name=\"undertaking\""))
        let (_, _, earlyPage) = try await f.get("/records/" + PortalPages.escapePath(early.key))
        let earliest = try #require(penalty.kind.earliestRepair(of: early))
        #expect(!earlyPage.contains("action=\"/repairs\"") && earlyPage.contains(earliest.date.iso))
        func apply(_ key: String, undertaking: Bool = true) async throws -> (HTTPResponse.Status, String) {
            let (cookie, token) = try await Self.form(app, key: key)
            var fields = [("key", key), ("csrf", token), ("name", "某某商贸有限公司"), ("contact", "027-88886666"), ("reason", "罚款已于十月缴清")]
            if undertaking { fields.append(("undertaking", "yes")) }
            return try await Self.post(app, cookie: cookie, fields: fields, to: "/repairs")
        }
        // Refused: too early (the first day named), a kind without repair, no undertaking.
        var (status, body) = try await apply(early.key)
        #expect(status == .conflict && body.contains("自 \(earliest.date.iso) 起方可申请信用修复"), "\(body)")
        (status, body) = try await apply(licence.key)
        #expect(status == .conflict && body.contains("无需申请信用修复"), "\(body)")
        (status, body) = try await apply(open.key, undertaking: false)
        #expect(status == .badRequest && body.contains("守信承诺"))
        #expect(try f.node.store.objectionRequests(includeDecided: true).isEmpty)
        // Taken, with a code to follow it by.
        (status, body) = try await apply(open.key)
        #expect(status == .ok && body.contains("已收到您的信用修复申请"), "\(body)")
        let request = try #require(try f.node.store.objectionRequests().first)
        #expect(request.purpose == .repair && request.recordKey == open.key && request.reason == "罚款已于十月缴清")
        let code = try #require(request.code)
        var status1 = try await f.json("/objections/status?code=" + code)
        var shown = try #require(status1["request"] as? [String: Any])
        #expect(shown["purpose"] as? String == "信用修复申请" && shown["state"] as? String == "待审核")
        // Not an objection: accepting it as one is refused; granted, publicity stops.
        #expect(throws: ObjectionRequestError.self) { try ObjectionDesk(node: f.node).accept(id: request.id, unit: "x", now: PortalFixture.now) }
        let report = try ObjectionDesk(node: f.node).grantRepair(
            id: request.id, unit: "江岸区市场监督管理局", notice: "江岸信修〔2026〕1号", now: PortalFixture.now)
        let repairedState = try f.node.store.record(key: open.key)?.state
        #expect(report.state == "repaired" && repairedState == "repaired")
        let (gone, _, _) = try await f.get("/records/" + PortalPages.escapePath(open.key))
        #expect(gone == .notFound)
        status1 = try await f.json("/objections/status?code=" + code)
        shown = try #require(status1["request"] as? [String: Any])
        #expect(shown["state"] as? String == "准予修复")
        let (_, _, statusPage) = try await f.get("/objections/status?code=" + code)
        #expect(statusPage.contains("信用修复申请") && statusPage.contains("停止公示") && !statusPage.contains("罚款已于十月缴清"))
        #expect(throws: ObjectionRequestError.self) {
            try ObjectionDesk(node: f.node).grantRepair(id: request.id, unit: "x", notice: "y", now: PortalFixture.now)
        }
    }

    @Test func submissionsFromElsewhereOrOutOfShapeAreRefused() async throws {
        let f = try PortalFixture()
        let app = Application(router: f.portal.router())
        let key = f.xssKey
        let (cookie, token) = try await Self.form(app, key: key)
        let good = [("key", key), ("csrf", token), ("name", "李四"), ("contact", "lisi@example.cn"), ("reason", "信息有误")]
        // No cookie, another token: a page elsewhere submitting the form.
        #expect(try await Self.post(app, cookie: nil, fields: good).0 == .forbidden)
        let other = good.map { $0.0 == "csrf" ? ("csrf", String(repeating: "0", count: 32)) : $0 }
        #expect(try await Self.post(app, cookie: cookie, fields: other).0 == .forbidden)
        // Fields missing or too long, a record the public does not see, a body over the limit.
        let long = good.map { $0.0 == "name" ? ("name", String(repeating: "名", count: 51)) : $0 }
        let (status, body) = try await Self.post(app, cookie: cookie, fields: long)
        #expect(status == .badRequest && body.contains("最多 50 个字"))
        #expect(try await Self.post(app, cookie: cookie, fields: good.filter { $0.0 != "reason" }).0 == .badRequest)
        let unknown = good.map { $0.0 == "key" ? ("key", "penalty|none|none") : $0 }
        #expect(try await Self.post(app, cookie: cookie, fields: unknown).0 == .notFound)
        let huge = good + [("padding", String(repeating: "x", count: 20_000))]
        #expect(try await Self.post(app, cookie: cookie, fields: huge).0 == .contentTooLarge)
        #expect(try f.node.store.objectionRequests(includeDecided: true).isEmpty)
    }

    @Test func oneAddressSubmitsAtMostFiveAnHour() async throws {
        let f = try PortalFixture()
        let clock = TestClock(PortalFixture.now)
        let portal = try Portal(node: f.node, clock: { clock.now })
        let app = Application(router: portal.router())
        let (cookie, token) = try await Self.form(app, key: f.xssKey)
        let good = [("key", f.xssKey), ("csrf", token), ("name", "王五"), ("contact", "13900000000"), ("reason", "信息有误")]
        for _ in 0..<Portal.objectionsPerHour { #expect(try await Self.post(app, cookie: cookie, fields: good).0 == .ok) }
        let (status, body) = try await Self.post(app, cookie: cookie, fields: good)
        #expect(status == .tooManyRequests && body.contains("每小时最多"))
        clock.advance(3601)
        #expect(try await Self.post(app, cookie: cookie, fields: good).0 == .ok)
        #expect(try f.node.store.objectionRequests().count == Portal.objectionsPerHour + 1)
    }
}
