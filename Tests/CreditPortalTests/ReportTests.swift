import ChangeSets
import CreditDomain
import CreditStore
import Foundation
import NodePKI
import Mustache
import NIOCore
import Testing

@testable import CreditPortal
@testable import NodeRuntime

/// 信用报告: signed by the issuing node, every record traced to the node that reported it, and
/// checked offline; each way of tampering refused with its own reason.
@Suite("The public credit portal: credit reports", .serialized)
struct ReportTests {
    /// A company with a record the public sees whole (no masked field filled: no legal
    /// representative's ID number), so that its report carries that record's line.
    static func company(_ f: PortalFixture) throws -> String {
        let kinds = Dictionary(uniqueKeysWithValues: try f.node.catalogue.resolvedKinds().map { ($0.slug, $0) })
        let today = ChinaTime.date(PortalFixture.now)
        let codes = try f.node.store.allSubjects(kind: "penalty").filter { (try? ResidentID($0)) == nil }
        return try #require(
            codes.first { code in
                let records = (try? f.node.store.records(subject: code)) ?? []
                return records.contains { r in
                    guard let kind = kinds[r.kind], PublicRecord.isShown(r, kind: kind, today: today) else { return false }
                    return r.fields.allSatisfy { $0.value.isEmpty || !kind.isMasked(fullCode: $0.key) }
                }
            }, "no company with a record shown whole")
    }

    static func download(_ f: PortalFixture, _ path: String) async throws -> SignedReport {
        let (status, headers, body) = try await f.get(path + "?format=json")
        #expect(status == .ok, "\(body)")
        #expect(headers[.contentDisposition]?.hasPrefix("attachment; filename=\"CNR-\(PortalFixture.township)-") == true)
        return try JSONDecoder().decode(SignedReport.self, from: Data(body.utf8))
    }

    static func trust(_ f: PortalFixture, revocations: RevocationList? = nil) throws -> TrustStore {
        try TrustStore(ca: f.ca.certificate, revocations: revocations)
    }

    /// `signed` with its report changed by `edit` and signed again by the same node: only the
    /// checks below the issuer's signature can catch it.
    static func resigned(_ f: PortalFixture, _ signed: SignedReport, _ edit: (inout CreditReport) -> Void) throws -> SignedReport {
        var report = try JSONDecoder().decode(CreditReport.self, from: Data(signed.payload.utf8))
        edit(&report)
        return try SignedReport.sign(report, identity: try Export.identity(of: f.node.configuration))
    }

    static func refusal(_ signed: SignedReport, _ trust: TrustStore) -> ReportRefusal.Code? {
        do throws(ReportRefusal) {
            _ = try signed.verify(trust: trust, now: PortalFixture.now)
            return nil
        } catch { return error.code }
    }

    @Test func aReportIsSignedAndEveryRecordTracesToItsOrigin() async throws {
        let f = try PortalFixture()
        let code = try Self.company(f)
        let signed = try await Self.download(f, "/reports/\(code)")
        let report = try signed.verify(trust: try Self.trust(f), now: PortalFixture.now)
        #expect(
            report.issuer == PortalFixture.township && report.subject.code == code
                && report.number.hasPrefix("CNR-\(PortalFixture.township)-20261125"))
        // The records the subject page shows, no more, no fewer.
        let page = try await f.json("/subjects/\(code)")
        let shown =
            ((page["records"] as? [[String: Any]]) ?? []) + ((page["listings"] as? [[String: Any]]) ?? []).compactMap { $0["row"] as? [String: Any] }
        let keys = Set(shown.compactMap { ($0["record"] as? [String: Any])?["key"] as? String })
        #expect(Set(report.entries.map(\.key)) == keys && !keys.isEmpty)
        #expect(report.entries.contains { !$0.redacted && $0.line != nil && $0.leaf != nil })
        // The printable page: the same report's number, issuer and time, and the link to the signed one.
        let (status, _, html) = try await f.get("/reports/\(code)")
        #expect(status == .ok)
        #expect(
            html.contains("公共信用信息报告") && html.contains("报告编号") && html.contains("CNR-\(PortalFixture.township)-")
                && html.contains("/reports/\(code)?format=json"))
        let (_, _, subject) = try await f.get("/subjects/\(code)")
        #expect(subject.contains("href=\"/reports/\(code)\""))
    }

    /// A person reads 证件类型 as 居民身份证 on the record page and the printable report; the
    /// record, its JSON twin's value and the signed report keep the code the line carries.
    @Test func codesAreShownAsTheirLabelsAndSignedAsTheyAre() async throws {
        let f = try PortalFixture()
        let path = "/records/" + PortalPages.escapePath(f.person.key)
        let (_, _, page) = try await f.get(path)
        #expect(page.contains("<th scope=\"row\">证件类型</th><td>居民身份证</td>"), "\(page)")
        #expect(!page.contains("<td>01</td>"))
        let json = try await f.json(path)
        let fields = try #require((json["record"] as? [String: Any])?["fields"] as? [[String: Any]])
        let type = try #require(fields.first { $0["code"] as? String == "CF_XDR_ZJLX" })
        #expect(type["value"] as? String == "01" && type["text"] as? String == "居民身份证")

        let id = try #require(try f.node.store.subjectHit(code: f.person.code)?.id)
        let (_, _, html) = try await f.get("/reports/~\(id)")
        #expect(html.contains("<th scope=\"row\">证件类型</th><td>居民身份证</td>") && !html.contains("<td>01</td>"))
        let report = try await Self.download(f, "/reports/~\(id)").verify(trust: try Self.trust(f), now: PortalFixture.now)
        let penalty = try #require(report.entries.first { $0.key == f.person.key })
        #expect(penalty.fields.first { $0.code == "CF_XDR_ZJLX" }?.value == "01")
    }

    @Test func everyReportIsIssuedAnewAndFollowsTheStore() async throws {
        let f = try PortalFixture()
        let code = try Self.company(f)
        let trust = try Self.trust(f)
        let first = try await Self.download(f, "/reports/\(code)")
        let second = try await Self.download(f, "/reports/\(code)")
        let a = try first.verify(trust: trust, now: PortalFixture.now)
        let b = try second.verify(trust: trust, now: PortalFixture.now)
        // Two reports (numbers differ), saying the same (entries kept between them).
        #expect(a.number != b.number && a.entries == b.entries && !a.entries.isEmpty)
        // The payload is byte for byte the report as the encoder writes it (entries put in place).
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        #expect(Array(second.payload.utf8) == Array(try encoder.encode(b)))
        let (_, _, before) = try await f.get("/reports/\(code)")
        let record = try #require(a.entries.first { $0.kind == "penalty" && $0.state != "objected" })
        #expect(!before.contains("tag-objected"))
        // An objection opened on one of its records: the next report, JSON and page, says so.
        _ = try StatusDesk(node: f.node).enter(
            key: record.key, StatusChange(action: .objectionOpened, date: PortalFixture.asOf, reason: "当事人提出异议", unit: "江岸区市场监督管理局"),
            now: PortalFixture.now)
        let third = try await Self.download(f, "/reports/\(code)").verify(trust: trust, now: PortalFixture.now)
        #expect(third.entries.first { $0.key == record.key }?.state == "objected")
        let (_, _, after) = try await f.get("/reports/\(code)")
        #expect(after.contains("tag-objected") && after.contains("异议处理中"))
        // Withdrawn: in neither.
        _ = try StatusDesk(node: f.node).enter(
            key: record.key, StatusChange(action: .withdrawn, date: PortalFixture.asOf, reason: "处罚决定已撤销", unit: "江岸区市场监督管理局"),
            now: PortalFixture.now)
        let fourth = try await Self.download(f, "/reports/\(code)").verify(trust: trust, now: PortalFixture.now)
        #expect(!fourth.entries.contains { $0.key == record.key } && fourth.entries.count == a.entries.count - 1)
        let (_, _, withdrawn) = try await f.get("/reports/\(code)")
        #expect(!withdrawn.contains("tag-objected"))
    }

    @Test func aPersonsReportNamesThemByRowAndHoldsNoIDNumber() async throws {
        let f = try PortalFixture()
        let id = try #require(try f.node.store.subjectHit(code: f.person.code)?.id)
        let signed = try await Self.download(f, "/reports/~\(id)")
        let (_, _, html) = try await f.get("/reports/~\(id)")
        for text in [signed.payload, html] {
            #expect(!text.contains(f.person.code) && !text.contains(PortalFixture.hiddenID))
        }
        let report = try signed.verify(trust: try Self.trust(f), now: PortalFixture.now)
        #expect(report.subject.code == Masking.mask(f.person.code) && report.subject.isPerson)
        // Their lines hold their ID number: proven by the origin's signed set, without line or digest.
        #expect(!report.entries.isEmpty && report.entries.allSatisfy { $0.redacted && $0.line == nil && $0.leaf == nil && $0.proof.isEmpty })
        // The record under objection says so.
        #expect(report.entries.contains { $0.key == f.person.key && $0.state == "objected" })
        #expect(try await f.get("/reports/~999999").status == .notFound)
        #expect(try await f.get("/reports/91420102MA4KXXXX0X?format=json").status == .notFound)
    }

    /// `/verify` checks an uploaded report as `verify-report` does, with the node's own trust: a
    /// report as issued is verified with its particulars; one changed after signing, or not a
    /// report, is refused with why (200 either way); no file is 400. Nothing is kept.
    @Test func aReportIsVerifiedOnlineAndTamperingIsRefusedWithWhy() async throws {
        let f = try PortalFixture()
        let code = try Self.company(f)
        let signed = try await Self.download(f, "/reports/\(code)")
        let bytes = Array(try JSONEncoder().encode(signed))
        let (status, _, form) = try await f.get("/verify")
        #expect(status == .ok && form.contains("enctype=\"multipart/form-data\"") && form.contains("name=\"report\""))
        let ok = try await f.upload("/verify?format=json", name: "report", bytes: bytes)
        #expect(ok.status == .ok)
        let result = try #require((try JSONSerialization.jsonObject(with: Data(ok.body.utf8)) as? [String: Any])?["result"] as? [String: Any])
        let report = try JSONDecoder().decode(CreditReport.self, from: Data(signed.payload.utf8))
        #expect(result["verified"] as? Bool == true && result["number"] as? String == report.number)
        #expect(result["records"] as? Int == report.entries.count && (result["subject"] as? [String: Any])?["code"] as? String == code)
        let page = try await f.upload("/verify", name: "report", bytes: bytes)
        #expect(page.status == .ok && page.body.contains("核验通过") && page.body.contains(report.number))
        // Changed after signing: refused, and the page says what that means.
        var edited = signed
        edited.payload = signed.payload.replacingOccurrences(of: "\"issuerName\":\"大智街道\"", with: "\"issuerName\":\"大智街道办\"")
        let tampered = try await f.upload("/verify", name: "report", bytes: Array(try JSONEncoder().encode(edited)))
        #expect(tampered.status == .ok && tampered.body.contains("未通过核验") && tampered.body.contains("bad-signature"))
        #expect(tampered.body.contains("报告在出具后被改动过") && !tampered.body.contains("核验通过"))
        // Not a report; no file; not a form.
        let junk = try await f.upload("/verify?format=json", name: "report", bytes: Array("你好".utf8))
        #expect(junk.status == .ok && junk.body.contains("\"malformed-report\"") && junk.body.contains("\"verified\":false"))
        #expect(try await f.upload("/verify", name: "report", bytes: nil).status == .badRequest)
        let huge = try await f.upload("/verify", name: "report", bytes: Array(repeating: 0x20, count: Portal.verifyBytesMax + 1))
        #expect(huge.status == .contentTooLarge && huge.body.contains("文件过大"))
        #expect(try await f.upload("/verify", name: "other", bytes: bytes).status == .badRequest)
        // One address checks at most `verificationsPerHour` an hour (each is a signature per record).
        // Four were checked above (an upload without a file is refused before it counts).
        for _ in 0..<(Portal.verificationsPerHour - 5) { _ = try await f.upload("/verify", name: "report", bytes: Array("{}".utf8)) }
        #expect(try await f.upload("/verify", name: "report", bytes: bytes).status == .ok)
        let limited = try await f.upload("/verify", name: "report", bytes: bytes)
        #expect(limited.status == .tooManyRequests && limited.body.contains("每小时最多核验"))
        // Every refusal's code has words of its own.
        let codes: [ReportRefusal.Code] = [.malformed, .unknownCA, .revokedIssuer, .badSignature, .alteredRecord, .wrongProof, .originRefused]
        #expect(Set(codes.map(Portal.verifyMessage)).count == codes.count)
    }

    @Test func eachWayOfTamperingIsRefusedWithItsReason() async throws {
        let f = try PortalFixture()
        let signed = try await Self.download(f, "/reports/\(try Self.company(f))")
        let trust = try Self.trust(f)
        #expect(Self.refusal(signed, trust) == nil)
        let entry = try #require(try JSONDecoder().decode(CreditReport.self, from: Data(signed.payload.utf8)).entries.firstIndex { !$0.redacted })

        // A byte of the payload changed after signing.
        var edited = signed
        edited.payload = signed.payload.replacingOccurrences(of: "\"issuerName\":\"大智街道\"", with: "\"issuerName\":\"大智街道办\"")
        #expect(edited.payload != signed.payload)
        #expect(Self.refusal(edited, trust) == .badSignature)
        // A field shown differently from what its origin reported, signed again by the issuer.
        let altered = try Self.resigned(f, signed) { $0.entries[entry].fields[0].value += "（已改）" }
        #expect(Self.refusal(altered, trust) == .alteredRecord)
        // A line that is not the one its origin signed.
        let line = try Self.resigned(f, signed) { r in
            r.entries[entry].line = r.entries[entry].line!.replacingOccurrences(of: "\"op\"", with: "\"op\" ")
            r.entries[entry].leaf = Merkle.leaf(Array(r.entries[entry].line!.utf8)).hex
        }
        #expect([.wrongProof, .alteredRecord].contains(Self.refusal(line, trust)))
        // A proof that leads elsewhere.
        let proof = try Self.resigned(f, signed) { r in
            if r.entries[entry].proof.isEmpty {
                r.entries[entry].proof = [String(repeating: "00", count: 32)]
            } else {
                r.entries[entry].proof[0] = String(repeating: "ab", count: 32)
            }
        }
        #expect(Self.refusal(proof, trust) == .wrongProof)
        let index = try Self.resigned(f, signed) { $0.entries[entry].seq += 1 }
        #expect(Self.refusal(index, trust) == .wrongProof)
        // The origin's header not as it signed it.
        let header = try Self.resigned(f, signed) { r in
            var bytes = Array(Data(base64Encoded: r.entries[entry].signedHeader)!)
            bytes[20] ^= 0x01
            r.entries[entry].signedHeader = Data(bytes).base64EncodedString()
        }
        #expect([.originRefused, .malformed].contains(Self.refusal(header, trust)))
        // Another network's CA.
        #expect(Self.refusal(signed, try TrustStore(ca: try NetworkCA.create().certificate)) == .unknownCA)
        // The issuer revoked.
        let revokedDir = f.dir.url.appendingPathComponent("ca-revoked")
        try FileManager.default.createDirectory(at: revokedDir, withIntermediateDirectories: true)
        let list = try f.ca.revoke(
            try Export.identity(of: f.node.configuration).certificate, reason: "test", in: revokedDir, now: PortalFixture.now.addingTimeInterval(-60))
        #expect(Self.refusal(signed, try Self.trust(f, revocations: list)) == .revokedIssuer)
        // Not a report at all.
        var empty = signed
        empty.payload = "{}"
        #expect(Self.refusal(empty, trust) == .malformed)
    }
}

@Suite("The public credit portal: the home page's counts")
struct CountsCacheTests {
    @Test func countsAreKeptAMinuteAndRecomputedAfterOrOnANewDay() throws {
        let cache = CountsCache<[String: Int]>(seconds: 60)
        let start = Date(timeIntervalSince1970: 1_800_000_000)
        var computed = 0
        let compute = { () throws -> [String: Int] in
            computed += 1
            return ["penalty": computed]
        }
        #expect(try cache.value(today: "2026-12-03", now: start, compute: compute) == ["penalty": 1])
        #expect(try cache.value(today: "2026-12-03", now: start.addingTimeInterval(59), compute: compute) == ["penalty": 1])
        #expect(try cache.value(today: "2026-12-03", now: start.addingTimeInterval(61), compute: compute) == ["penalty": 2])
        #expect(try cache.value(today: "2026-12-04", now: start.addingTimeInterval(62), compute: compute) == ["penalty": 3])
        // A failure is not kept: the next request computes again.
        struct Broken: Error {}
        #expect(throws: Broken.self) { try cache.value(today: "2026-12-05", now: start.addingTimeInterval(63)) { throw Broken() } }
        #expect(try cache.value(today: "2026-12-05", now: start.addingTimeInterval(64), compute: compute) == ["penalty": 4])
    }
}

@Suite("The public credit portal: page models as the templates read them")
struct TemplateValueTests {
    struct Inner: Encodable {
        var name: String
        var note: String?
    }
    struct Page: Encodable {
        var title: String
        var count: Int
        var seq: Int64
        var empty: Bool
        var missing: String?
        var rows: [Inner]
        var tags: [String]
    }

    @Test func structsBecomeObjectsAndAbsentOptionalsAreLeftOut() throws {
        let page = Page(
            title: "信用<江岸>", count: 0, seq: 7, empty: false, missing: nil, rows: [Inner(name: "甲", note: nil), Inner(name: "乙", note: "备注")],
            tags: ["a"])
        let value = try #require((TemplateValue.make(page) as? TemplateValue.Object)?.fields)
        #expect(value["title"] as? String == "信用<江岸>" && value["count"] as? Int == 0 && value["seq"] as? Int64 == 7)
        // A Bool stays a Bool (a section on it renders or not), zero stays a number.
        #expect(value["empty"] is Bool && value["empty"] as? Bool == false && !(value["count"] is Bool))
        #expect(value["missing"] == nil && value.keys.count == 6)
        let rows = try #require((value["rows"] as? TemplateValue.List)?.items)
        let first = try #require((rows.first as? TemplateValue.Object)?.fields)
        let second = try #require((rows.last as? TemplateValue.Object)?.fields)
        #expect(first["name"] as? String == "甲" && first["note"] == nil && second["note"] as? String == "备注")
        #expect((value["tags"] as? TemplateValue.List)?.items.count == 1)
        // As the engine renders them: sections over lists and booleans, inverted on an empty list.
        var library = MustacheLibrary()
        try library.register(
            "{{title}}|{{#rows}}{{name}}{{#note}}({{.}}){{/note}};{{/rows}}|{{^empty}}shown{{/empty}}|{{#tags}}[{{.}}]{{/tags}}{{^none}}-{{/none}}",
            named: "t")
        #expect(library.render(TemplateValue.make(page), withTemplate: "t") == "信用&lt;江岸&gt;|甲;乙(备注);|shown|[a]-")
        struct Empty: Encodable { var none: [String] = [] }
        try library.register("{{^none}}no rows{{/none}}{{#none}}x{{/none}}", named: "e")
        #expect(library.render(TemplateValue.make(Empty()), withTemplate: "e") == "no rows")
    }
}

extension TemplateValueTests {
    @Test func aListingRowGivesItsTemplateTheRecordWithoutFieldsAndItsJSONTheWholeRecord() throws {
        let record = PublicRecord(
            key: "k", kind: "penalty", kindName: "行政处罚", subject: "91420102000000000X", subjectName: "某公司", isPerson: false, state: "active",
            stateLabel: "有效", objected: false, decisionDate: "2026-12-01", jurisdiction: "420102001201", authority: "江岸区城管局",
            documentNumber: "江岸城管罚〔2026〕1号", origin: "420102000000", seq: 1, enteredAt: "2026-12-01T10:00:00+08:00",
            publicationDeadline: nil, deadlineProvisional: false, late: false, publicityUntil: nil,
            fields: [PublicField(code: "CF_NR", label: "处罚内容", value: "罚款", text: "罚款")])
        let row = ListingRow(title: "某公司", record: record, recordLink: "/records/k", subjectLink: nil, summary: "罚款")
        let value = try #require((TemplateValue.make(row) as? TemplateValue.Object)?.fields)
        let shown = try #require((value["record"] as? TemplateValue.Object)?.fields)
        #expect(shown["kindName"] as? String == "行政处罚" && shown["documentNumber"] as? String == "江岸城管罚〔2026〕1号")
        #expect((shown["fields"] as? TemplateValue.List)?.items.isEmpty == true)
        #expect(value["subjectLink"] == nil && value["summary"] as? String == "罚款")
        let json = try JSONSerialization.jsonObject(with: JSONEncoder().encode(row)) as? [String: Any]
        let fields = (json?["record"] as? [String: Any])?["fields"] as? [[String: Any]]
        #expect(fields?.first?["value"] as? String == "罚款")
    }
}

extension TemplateValueTests {
    @Test func theBytewiseEscapingWritesWhatTheEnginesOwnWrites() throws {
        let template = "<p title=\"{{a}}\">{{a}}</p>{{#list}}<i>{{.}}</i>{{/list}}{{{a}}}"
        var engines = MustacheLibrary()
        try engines.register(template, named: "t")
        var ours = MustacheLibrary()
        try HTMLEscaping.register(template, named: "t", into: &ours)
        for value in [
            "<script>alert(1)</script>", "\"><img src=x onerror=alert(1)>", "O'Brien & 子公司", "信用湖北", "", "&amp;", "😀<👍>", "a\u{0301}<b",
        ] {
            struct Page: Encodable {
                var a: String
                var list: [String]
            }
            let page = Page(a: value, list: [value, "x"])
            let expected = try #require(engines.render(TemplateValue.make(page), withTemplate: "t"))
            #expect(ours.render(TemplateValue.make(page), withTemplate: "t") == expected, "\(value)")
        }
        #expect(HTMLEscaping().escapeText("<a href='x'>&\"") == "&lt;a href=&#39;x&#39;&gt;&amp;&quot;")
        // The unescaped form stays unescaped: the engine, not the value, decides.
        #expect(ours.render(TemplateValue.make(["a": "<b>"]), withTemplate: "t")?.hasSuffix("<b>") == true)
    }
}

@Suite("The public credit portal: rendered pages kept")
struct PageCacheTests {
    static func page(_ text: String) -> Portal.Rendered { Portal.Rendered(body: ByteBuffer(string: text), contentType: "text/html") }

    @Test func aPageIsKeptUntilTheStoreChangesAMinutePassesOrItIsTheLeastUsed() {
        let cache = PageCache<Portal.Rendered>(capacity: 2, seconds: 60)
        let t = Date(timeIntervalSince1970: 1_800_000_000)
        cache.keep(Self.page("a"), key: "/a", version: 5, now: t)
        #expect(cache.page("/a", version: 5, now: t.addingTimeInterval(30)).map { String(buffer: $0.body) } == "a")
        // A newer change in the store: not served, and kept pages of the old version dropped.
        #expect(cache.page("/a", version: 6, now: t) == nil)
        cache.keep(Self.page("b"), key: "/b", version: 6, now: t)
        #expect(cache.page("/a", version: 5, now: t) == nil)
        // A page built for an older version than the cache's is not kept.
        cache.keep(Self.page("old"), key: "/c", version: 5, now: t)
        #expect(cache.page("/c", version: 6, now: t) == nil)
        // A minute later: built again.
        #expect(cache.page("/b", version: 6, now: t.addingTimeInterval(61)) == nil)
        // Beyond capacity, the least recently used goes.
        cache.keep(Self.page("c"), key: "/c", version: 6, now: t)
        _ = cache.page("/b", version: 6, now: t)
        cache.keep(Self.page("d"), key: "/d", version: 6, now: t)
        #expect(
            cache.page("/c", version: 6, now: t) == nil && cache.page("/b", version: 6, now: t) != nil && cache.page("/d", version: 6, now: t) != nil)
        // A larger cache drops its least used eighth at once when full.
        let large = PageCache<Portal.Rendered>(capacity: 16, seconds: 60)
        for i in 0..<16 { large.keep(Self.page("\(i)"), key: "/\(i)", version: 1, now: t) }
        _ = large.page("/0", version: 1, now: t)
        large.keep(Self.page("16"), key: "/16", version: 1, now: t)
        let kept = (0...16).filter { large.page("/\($0)", version: 1, now: t) != nil }
        #expect(kept == [0] + Array(3...16))
    }
}
