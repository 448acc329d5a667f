import AsyncHTTPClient
import CreditDomain
import CreditStore
import Foundation
import NIOCore
import NIOSSL
import NodePKI
import SampleData
import TestSupport
import Testing

@testable import CreditPortal
@testable import NodeRuntime

/// The points fixture with two 信用评价 grades (shared with government only) for its person: one
/// valid until next year, one that ran out in 2025.
struct GradesFixture {
    let p: PointsFixture
    var f: PortalFixture { p.f }

    init() throws {
        p = try PointsFixture()
        let f = p.f
        let kind = try #require(f.node.resolvedKinds["rating"])
        var rows = try f.generated(kind, count: 2, seed: 43)
        for (i, (grade, decided, until)) in [("A", "2026-03-01", "2027-02-28"), ("C", "2024-03-01", "2025-02-28")].enumerated() {
            for (code, value) in [
                ("XDR_LB", "自然人"), ("XDR_MC", f.person.name), ("XDR_ZJLX", "01"), ("XDR_ZJHM", f.person.code), ("XDR_SHXYM", ""), ("XDR_GSZC", ""),
                ("FRDB", ""), ("FR_ZJLX", ""), ("FR_ZJHM", ""), ("PJDJ", grade), ("JDRQ", decided), ("YXQZ", until),
                ("WSH", "江岸评〔\(i + 2024)〕\(i + 1)号"),
            ] {
                rows[i].values[try #require(kind.index[code])] = value
            }
        }
        let report = try f.ingest(rows, kind: kind, name: "rating.csv")
        #expect(report.accepted == 2, "\(report)")
    }
}

@Suite("政务共享: a subject's whole file for government bodies", .serialized)
struct GovernmentSharingTests {
    @Test func governmentSeesGradesAndStoppedRecordsButNotTheSubjectsPoints() throws {
        let g = try GradesFixture()
        let f = g.f
        let sharing = GovernmentSharing(node: f.node)
        let reader = AuditActor(role: "operator", code: f.node.configuration.code.digits, name: "张三")
        // The person's penalty withdrawn: the public no longer sees it; government does, marked.
        let penalty = try #require(try f.node.store.records(subject: f.person.code).first { $0.kind == "penalty" })
        _ = try StatusDesk(node: f.node).enter(
            key: penalty.key, StatusChange(action: .withdrawn, date: PortalFixture.asOf, reason: "处罚决定经复议被撤销", unit: "江岸区市场监督管理局"),
            now: PortalFixture.now)
        let today = ChinaTime.date(PortalFixture.now)
        #expect(try f.portal.pages.record(key: penalty.key, today: today) == nil)
        let file = try sharing.file(subject: f.person.code, purpose: "行政许可审查", reader: reader, now: PortalFixture.now)
        #expect(file.name == f.person.name && file.code == Masking.mask(f.person.code) && file.isPerson)
        // The grades: the valid one first; the one that ran out after it, marked.
        #expect(file.government.map { $0.record.fields.first { $0.label == "评价等级" }?.text } == ["A", "C"])
        #expect(file.government.map(\.inForce) == [true, false])
        // Every record of the public kinds, the withdrawn one too; the points counted, not shown.
        let withdrawn = try #require(file.records.first { $0.key == penalty.key })
        #expect(withdrawn.state == "withdrawn" && withdrawn.stateLabel == "已撤销")
        #expect(!file.records.contains { $0.kind == "points" } && file.withheld == 2)
        let held = try f.node.store.records(subject: f.person.code)
        #expect(file.records.count + file.government.count + file.withheld == held.count)
        // No whole ID number in what is shared.
        let encoded = String(decoding: try JSONEncoder().encode(file), as: UTF8.self)
        #expect(!encoded.contains(f.person.code) && encoded.contains(Masking.mask(f.person.code)))
        // The public never sees a grade.
        let page = try #require(try f.portal.pages.subject(f.person.code, today: today))
        #expect(!page.records.contains { $0.record.kind == "rating" } && !page.summary.contains { $0.kind == "rating" })
        for r in held where r.kind == "rating" { #expect(PublicRecord.make(r, kind: f.node.resolvedKinds["rating"], today: today) == nil) }
        // The look-up is noted: who, why, how many.
        let noted = try f.node.store.governmentLookups(subject: f.person.code)
        #expect(noted.count == 1 && noted[0].reader == reader.description && noted[0].purpose == "行政许可审查")
        #expect(noted[0].records == file.records.count + file.government.count)
    }

    @Test func aLookUpNeedsItsReasonAndASubjectHeldHere() throws {
        let g = try GradesFixture()
        let sharing = GovernmentSharing(node: g.f.node)
        func refusal(_ subject: String, _ purpose: String) -> LookupError? {
            let result = Result { try sharing.file(subject: subject, purpose: purpose, reader: .commandLine, now: PortalFixture.now) }
            guard case .failure(let error) = result else { return nil }
            return error as? LookupError
        }
        #expect(refusal(g.f.person.code, "双随机抽查") == nil)
        #expect(refusal(g.f.person.code, "  ")?.message == "请填写查询事由。")
        #expect(refusal(g.f.person.code, String(repeating: "查", count: 101))?.code == .invalid)
        #expect(refusal(AuthorisationTests.nobody, "双随机抽查")?.code == .unknownSubject)
        let typo = String(g.f.person.code.dropLast()) + (g.f.person.code.hasSuffix("1") ? "2" : "1")
        let e = try #require(refusal(typo, "双随机抽查"))
        #expect(e.code == .invalid && !e.message.contains(typo))
        // Only the look-up made is noted.
        #expect(try g.f.node.store.governmentLookups().count == 1)
    }

    /// The office's page: the form, the file with its grades and stopped records, the look-ups
    /// listed; without the page's token or a reason, nothing is read or noted.
    @Test func theOfficeLooksASubjectUpOnItsPage() async throws {
        let g = try GradesFixture()
        let f = g.f
        let penalty = try #require(try f.node.store.records(subject: f.person.code).first { $0.kind == "penalty" })
        _ = try StatusDesk(node: f.node).enter(
            key: penalty.key, StatusChange(action: .withdrawn, date: PortalFixture.asOf, reason: "处罚决定经复议被撤销", unit: "江岸区市场监督管理局"),
            now: PortalFixture.now)
        try await withOperatorsListener(f.node, tls: false) { port in
            let base = "http://127.0.0.1:\(port)"
            let client = HTTPClient(eventLoopGroupProvider: .singleton, configuration: .init(redirectConfiguration: .disallow))
            defer { _ = client.shutdown() }
            let page = try await client.execute(HTTPClientRequest(url: base + "/ops/subjects"), timeout: .seconds(30))
            let cookie = try #require(page.headers["Set-Cookie"].first?.split(separator: ";").first.map(String.init))
            let token = String(cookie.split(separator: "=")[1])
            let html = String(buffer: try await page.body.collect(upTo: 1 << 20))
            #expect(page.status == .ok && html.contains("主体查询") && html.contains("还没有主体查询"))
            func post(_ fields: [(String, String)], cookie: String?) async throws -> (status: Int, location: String?, body: String, cache: String?) {
                try await postForm(client, base + "/ops/subjects", fields, cookie: cookie)
            }
            #expect(try await post([("subject", f.person.code), ("purpose", "行政许可审查")], cookie: nil).status == 400)
            let noReason = try await post([("csrf", token), ("subject", f.person.code), ("purpose", "")], cookie: cookie)
            #expect(noReason.status == 400 && noReason.body.contains("请填写查询事由"))
            #expect(try f.node.store.governmentLookups().isEmpty)
            let shown = try await post([("csrf", token), ("subject", f.person.code), ("purpose", "行政许可审查")], cookie: cookie)
            #expect(shown.status == 200 && shown.cache == "no-store", "\(shown.body)")
            // The grades as a table, the valid one first; the points counted, not shown.
            #expect(shown.body.contains("信用评价") && shown.body.contains("<td class=\"strong grade\">A</td>") && shown.body.contains("另有 2 条"))
            let valid = try #require(shown.body.range(of: ">A</td>")?.lowerBound)
            let ranOut = try #require(shown.body.range(of: ">C</td>")?.lowerBound)
            #expect(valid < ranOut && shown.body.contains("已失效") && shown.body.contains("已撤销（已停止公示）"))
            #expect(!shown.body.contains(f.person.code) && shown.body.contains(Masking.mask(f.person.code)))
            // Listed among the look-ups, with who looked.
            #expect(shown.body.contains("<td class=\"text\">行政许可审查</td>") && shown.body.contains("<td class=\"text\">本机操作员</td>"))
            let unknown = try await post([("csrf", token), ("subject", AuthorisationTests.nobody), ("purpose", "行政许可审查")], cookie: cookie)
            #expect(unknown.status == 404 && !unknown.body.contains(AuthorisationTests.nobody))
        }
    }

    /// A department's system asks over mutual TLS with its certificate and the reason; a node's
    /// certificate is refused (nodes sync, they do not look people up); no reason, 400.
    @Test func aDepartmentSystemReadsTheFileWithItsCertificate() async throws {
        let g = try GradesFixture()
        let f = g.f
        let code = f.node.configuration.code
        let ca = f.ca.certificate
        let department = try f.ca.issue(role: .department, name: "江岸区市场监督管理局", code: code)
        let node = try f.ca.issue(code: code)
        try await withOperatorsListener(f.node, tls: true) { port in
            func get(_ path: String, as identity: NodeIdentity) async throws -> (status: Int, body: String, policy: String?) {
                var tls = try TLSConfigurations.client(identity: identity, ca: ca)
                tls.certificateVerification = .noHostnameVerification
                return try await fetch("https://127.0.0.1:\(port)" + path, tls: tls)
            }
            let path = "/v1/subjects/\(f.person.code)?purpose=" + PortalPages.escapePath("行政许可审查")
            let read = try await get(path, as: department)
            #expect(read.status == 200, "\(read.body)")
            let file = try #require(try JSONSerialization.jsonObject(with: Data(read.body.utf8)) as? [String: Any])
            #expect((file["government"] as? [Any])?.count == 2 && file["withheld"] as? Int == 2 && !read.body.contains(f.person.code))
            let asNode = try await get(path, as: node)
            #expect(asNode.status == 403 && asNode.body.contains("not-government"))
            let noReason = try await get("/v1/subjects/\(f.person.code)", as: department)
            #expect(noReason.status == 400 && noReason.body.contains("查询事由"))
        }
        let noted = try f.node.store.governmentLookups()
        #expect(noted.count == 1 && noted[0].reader.contains("江岸区市场监督管理局") && noted[0].purpose == "行政许可审查")
    }
}
