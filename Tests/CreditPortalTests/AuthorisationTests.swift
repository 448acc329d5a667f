import CreditDomain
import CreditStore
import Foundation
import HTTPTypes
import Hummingbird
import AsyncHTTPClient
import GRDB
import HummingbirdTesting
import NIOCore
import SampleData
import TestSupport
import Testing

@testable import CreditPortal
@testable import NodeRuntime

/// The portal fixture with village credit points (个人信用积分, disclosed only with the subject's
/// authorisation): two for the fixture's natural person, one for an organisation.
struct PointsFixture {
    let f: PortalFixture
    /// The person's points records' keys, and the organisation's code.
    let personPoints: [String]
    let organisation: String

    init() throws {
        let f = try PortalFixture()
        self.f = f
        let kind = try #require(f.node.resolvedKinds["points"])
        var rows = try f.generated(kind, count: 8, seed: 41)
        for i in 0..<2 {
            for (code, value) in [
                ("XDR_LB", "自然人"), ("XDR_MC", f.person.name), ("XDR_ZJLX", "01"), ("XDR_ZJHM", f.person.code), ("XDR_SHXYM", ""), ("XDR_GSZC", ""),
                ("FRDB", ""), ("FR_ZJLX", ""), ("FR_ZJHM", ""), ("JFBH", "JF-2026-\(i + 1)"),
            ] {
                rows[i].values[try #require(kind.index[code])] = value
            }
        }
        let report = try f.ingest(rows, kind: kind, name: "points.csv")
        #expect(report.accepted == 8, "\(report)")
        let held = try f.node.store.records(subject: f.person.code).filter { $0.kind == "points" }
        personPoints = held.map(\.key)
        let person = f.person.code
        let others = try f.node.store.allRecords().compactMap { r in r.kind == "points" ? try f.node.store.record(key: r.key)?.subjectCode : nil }
        organisation = try #require(others.first { $0 != person && (try? ResidentID($0)) == nil })
    }

    var desk: AuthorisationDesk { AuthorisationDesk(node: f.node) }
}

@Suite("授权查询: records disclosed only with the subject's authorisation", .serialized)
struct AuthorisationTests {
    /// A well-formed resident ID number of nobody the fixture holds records about.
    static let nobody: String = {
        let digits = Array("11010519491231002".utf8)
        return String(decoding: digits + [ResidentID.checkCharacter(digits)], as: UTF8.self)
    }()

    @Test func theHolderOfTheCodeSeesTheSubjectsPointsAndThePublicDoesNot() throws {
        let p = try PointsFixture()
        #expect(p.personPoints.count == 2)
        let (issued, code) = try p.desk.issue(
            subject: p.f.person.code.lowercased(), grantee: "中国农业银行武汉江岸支行", purpose: "信易贷贷款审查", days: 30, actor: .commandLine,
            now: PortalFixture.now)
        #expect(issued.kinds == ["points"] && issued.validFrom == "2026-11-25" && issued.validUntil == "2026-12-24")
        #expect(issued.subjectName == p.f.person.name && issued.inForce(today: "2026-12-24") && !issued.inForce(today: "2026-12-25"))
        // Typed as people type it: lower case, spaces.
        let typed = ObjectionRequestCode.grouped(code).lowercased().replacingOccurrences(of: "-", with: " ")
        let view = try p.desk.query(subject: " \(p.f.person.code) ", code: typed, now: PortalFixture.now)
        #expect(Set(view.records.map(\.key)) == Set(p.personPoints) && view.records.allSatisfy { $0.kind == "points" })
        #expect(view.subjectShown == Masking.mask(p.f.person.code) && view.isPerson)
        // Every value as the public would see it masked: no whole ID number anywhere.
        for record in view.records {
            #expect(!record.fields.contains { $0.value.contains(p.f.person.code) || $0.text.contains(p.f.person.code) })
            #expect(record.fields.contains { $0.label == "信用积分" })
        }
        // Each query is noted.
        _ = try p.desk.query(subject: p.f.person.code, code: code, now: PortalFixture.now.addingTimeInterval(60))
        let uses = try p.f.node.store.authorisationUses(id: issued.id)
        #expect(uses.count == 2 && uses.allSatisfy { $0.records == 2 } && uses[0].at > uses[1].at)
        #expect(try p.f.node.store.authorisation(id: issued.id)?.uses == 2)
        // The public never sees them: not as records, not on the subject's page.
        let today = ChinaTime.date(PortalFixture.now)
        for key in p.personPoints {
            let stored = try #require(try p.f.node.store.record(key: key))
            #expect(PublicRecord.make(stored, kind: p.f.node.resolvedKinds["points"], today: today) == nil)
            #expect(PublicRecord.make(stored, kind: p.f.node.resolvedKinds["points"], today: today, scopes: [.authorised]) != nil)
            #expect(try p.f.portal.pages.record(key: key, today: today) == nil)
        }
        let page = try #require(try p.f.portal.pages.subject(p.f.person.code, today: today))
        #expect(!page.records.contains { $0.record.kind == "points" } && !page.summary.contains { $0.kind == "points" })
        // The code is not kept: only its digest.
        let file = URL(fileURLWithPath: p.f.node.configuration.dataDirectory).appendingPathComponent(p.f.node.configuration.database).path
        let kept = try DatabaseQueue(
            path: file,
            configuration: {
                var c = Configuration(); c.readonly = true; return c
            }()
        ).read { db in
            try String.fetchAll(db, sql: "SELECT code_digest || subject || grantee || purpose FROM authorisations")
        }
        #expect(kept.count == 1 && !kept[0].contains(code) && kept[0].contains(AuthorisationDesk.digest(code)))
    }

    @Test func aQueryIsRefusedForAWrongPairAnEndedAuthorisationOrAMalformedCode() throws {
        let p = try PointsFixture()
        let (issued, code) = try p.desk.issue(
            subject: p.f.person.code, grantee: "某某人力资源公司", purpose: "入职背景调查", days: 7, actor: .commandLine, now: PortalFixture.now)
        let (_, other) = try p.desk.issue(
            subject: p.organisation, grantee: "某某银行", purpose: "贷款审查", days: 7, actor: .commandLine, now: PortalFixture.now)
        func refusal(_ subject: String, _ code: String, at now: Date = PortalFixture.now) -> AuthorisationError.Code? {
            let result = Result { try p.desk.query(subject: subject, code: code, now: now) }
            guard case .failure(let error) = result else { return nil }
            return (error as? AuthorisationError)?.code
        }
        // The right code for another subject, and a code never issued: the same answer.
        #expect(refusal(p.organisation, code) == .notFound)
        #expect(refusal(p.f.person.code, other) == .notFound)
        #expect(refusal(p.f.person.code, "ABCD-EFGH-JKMN") == .notFound)
        #expect(refusal(p.f.person.code, "ABCD-EFGH-JKM0") == .invalid)
        #expect(refusal("1234", code) == .invalid)
        // Its last day is in; the day after is not.
        #expect(refusal(p.f.person.code, code, at: PortalFixture.now.addingTimeInterval(6 * 86_400)) == nil)
        #expect(refusal(p.f.person.code, code, at: PortalFixture.now.addingTimeInterval(7 * 86_400)) == .ended)
        // Revoked: refused at once, and revoked once.
        try p.desk.revoke(id: issued.id, reason: "信用主体申请撤销", actor: .commandLine, now: PortalFixture.now)
        #expect(refusal(p.f.person.code, code) == .ended)
        #expect(throws: AuthorisationError(code: .notRevocable, message: "第 \(issued.id) 号授权不存在或已撤销。")) {
            try p.desk.revoke(id: issued.id, reason: "again", actor: .commandLine)
        }
        #expect(throws: AuthorisationError.self) { try p.desk.revoke(id: 99, reason: "x", actor: .commandLine) }
        #expect(throws: AuthorisationError.self) { try p.desk.revoke(id: issued.id, reason: " ", actor: .commandLine) }
        // Only successful queries are noted.
        #expect(try p.f.node.store.authorisation(id: issued.id)?.uses == 1)
        let listed = try p.f.node.store.authorisations(today: "2026-11-25", ended: 5)
        #expect(listed.map(\.id) == [2, 1] && listed[1].stateName(today: "2026-11-25") == "已撤销" && listed[0].stateName(today: "2026-11-25") == "有效")
        #expect(try p.f.node.store.authorisations(today: "2026-11-25").map(\.id) == [2])
    }

    @Test func anAuthorisationIsIssuedOnlyForASubjectHeldHereWithWhatItNeeds() throws {
        let p = try PointsFixture()
        func refusal(
            _ subject: String, grantee: String = "某某银行", purpose: String = "贷款审查", days: Int = 30, kinds: [String]? = nil
        ) -> AuthorisationError? {
            do {
                _ = try p.desk.issue(subject: subject, grantee: grantee, purpose: purpose, days: days, kinds: kinds, actor: .commandLine)
                return nil
            } catch { return error as? AuthorisationError }
        }
        #expect(refusal(p.organisation) == nil)
        #expect(refusal(p.organisation, kinds: ["points"]) == nil)
        #expect(refusal(Self.nobody)?.code == .unknownSubject)
        #expect(refusal(p.organisation, grantee: " ")?.message == "请填写被授权方。")
        #expect(refusal(p.organisation, purpose: "")?.message == "请填写授权用途。")
        #expect(refusal(p.organisation, grantee: String(repeating: "银", count: 101))?.code == .invalid)
        #expect(refusal(p.organisation, purpose: "贷款\u{7}审查")?.code == .invalid)
        #expect(refusal(p.organisation, days: 0)?.code == .invalid)
        #expect(refusal(p.organisation, days: 367)?.code == .invalid)
        #expect(refusal(p.organisation, days: 366) == nil)
        // Only kinds disclosed with authorisation: a penalty is public, a rating is for government.
        for kind in ["penalty", "rating", "nonsense"] {
            let e = refusal(p.organisation, kinds: [kind])
            #expect(e?.code == .invalid && e?.message.contains("points（个人信用积分）") == true)
        }
        // A subject code typed wrong is said back with an ID number masked.
        let typo = String(p.f.person.code.dropLast()) + (p.f.person.code.hasSuffix("1") ? "2" : "1")
        let e = try #require(refusal(typo))
        #expect(e.code == .invalid && !e.message.contains(typo))
        #expect(try p.f.node.store.authorisations(today: "2026-11-25").count == 3)
    }

    /// The portal's form and answer: the token, no caching, the refusals' statuses, nothing of an
    /// ID number in any page, and failures from one address bounded.
    @Test func thePortalAnswersTheFormWithTheRecordsOrWhyNot() async throws {
        let p = try PointsFixture()
        let (_, code) = try p.desk.issue(
            subject: p.f.person.code, grantee: "中国农业银行武汉江岸支行", purpose: "信易贷贷款审查", days: 30, actor: .commandLine, now: PortalFixture.now)
        let app = Application(router: p.f.portal.router())
        let (cookie, token) = try await app.test(.router) { client in
            try await client.execute(uri: "/authorised", method: .get) { response in
                #expect(response.status == .ok)
                let body = String(buffer: response.body)
                #expect(body.contains("action=\"/authorised\"") && body.contains("授权码"))
                let token = String(try #require(response.headers[.setCookie]?.split(separator: ";").first?.split(separator: "=").last))
                #expect(body.contains("name=\"csrf\" value=\"\(token)\""))
                return ("cn_csrf=\(token)", token)
            }
        }
        let post = { (fields: [(String, String)], cookie: String?) in
            try await PortalObjectionTests.post(app, cookie: cookie, fields: fields, to: "/authorised")
        }
        // Without the page's token: refused, nothing noted.
        var (status, body) = try await post([("subject", p.f.person.code), ("code", code)], nil)
        #expect(status == .forbidden)
        (status, body) = try await post([("csrf", token), ("subject", p.f.person.code), ("code", code)], cookie)
        #expect(status == .ok && body.contains("授权查询结果") && body.contains("中国农业银行武汉江岸支行") && body.contains("信用积分"), "\(body)")
        #expect(body.contains(Masking.mask(p.f.person.code)) && !body.contains(p.f.person.code))
        #expect(body.contains("JF-2026-1") && body.contains("JF-2026-2") && body.contains("本次查询已记录"))
        // Wrong pair, malformed code, malformed subject: 404, 400, 400 — never the typed ID number back.
        (status, body) = try await post([("csrf", token), ("subject", p.f.person.code), ("code", "ABCD-EFGH-JKMN")], cookie)
        #expect(status == .notFound && body.contains("没有与该主体代码和授权码相符的授权") && !body.contains(p.f.person.code))
        (status, body) = try await post([("csrf", token), ("subject", p.f.person.code), ("code", "12")], cookie)
        #expect(status == .badRequest && body.contains("12 位字母和数字"))
        // As JSON, for a lender's system.
        let json = try await PortalObjectionTests.post(
            app, cookie: cookie, fields: [("csrf", token), ("subject", p.f.person.code), ("code", code)], to: "/authorised?format=json")
        let object = try #require(try JSONSerialization.jsonObject(with: Data(json.1.utf8)) as? [String: Any])
        let shown = try #require(object["shown"] as? [String: Any])
        #expect((shown["records"] as? [Any])?.count == 2 && !json.1.contains(p.f.person.code))
        // Twenty failures from one address an hour; then refused before looking.
        for _ in 0..<(Portal.authorisedFailuresPerHour - 2) {
            _ = try await post([("csrf", token), ("subject", p.f.person.code), ("code", "ABCD-EFGH-JKMN")], cookie)
        }
        (status, body) = try await post([("csrf", token), ("subject", p.f.person.code), ("code", code)], cookie)
        #expect(status == .tooManyRequests && body.contains("每小时最多输错"))
        #expect(try p.f.node.store.authorisationUses(id: 1).count == 2)
    }

    @Test func theCacheControlOfAnAnswerIsNoStore() async throws {
        let p = try PointsFixture()
        let (_, code) = try p.desk.issue(
            subject: p.organisation, grantee: "某某银行", purpose: "贷款审查", days: 30, actor: .commandLine, now: PortalFixture.now)
        let app = Application(router: p.f.portal.router())
        let headers: HTTPFields = [.contentType: "application/x-www-form-urlencoded", .cookie: "cn_csrf=" + String(repeating: "a", count: 32)]
        let body = "csrf=\(String(repeating: "a", count: 32))&subject=\(p.organisation)&code=\(code)"
        let (status, cache, page) = try await app.test(.router) { client in
            try await client.execute(uri: "/authorised", method: .post, headers: headers, body: ByteBuffer(string: body)) { response in
                (response.status, response.headers[.cacheControl], String(buffer: response.body))
            }
        }
        #expect(status == .ok && cache == "no-store", "\(page)")
        #expect(page.contains(p.organisation))
    }

    /// The office's window: the form issues an authorisation and shows its 授权书 with the code
    /// once; the list shows it in force with its uses; the form revokes it; without the page's
    /// token, or with a field missing, nothing is issued.
    @Test func theOperatorsIssueAndRevokeOnTheirPage() async throws {
        let p = try PointsFixture()
        try await withOperatorsListener(p.f.node, tls: false) { port in
            let base = "http://127.0.0.1:\(port)"
            let client = HTTPClient(eventLoopGroupProvider: .singleton, configuration: .init(redirectConfiguration: .disallow))
            defer { _ = client.shutdown() }
            let page = try await client.execute(HTTPClientRequest(url: base + "/ops/authorisations"), timeout: .seconds(30))
            #expect(page.status == .ok)
            let cookie = try #require(page.headers["Set-Cookie"].first?.split(separator: ";").first.map(String.init))
            let token = String(cookie.split(separator: "=")[1])
            let html = String(buffer: try await page.body.collect(upTo: 1 << 20))
            #expect(html.contains("办理授权") && html.contains("没有有效的授权") && html.contains("个人信用积分"))
            func post(_ path: String, _ fields: [(String, String)], cookie: String?) async throws -> (
                status: Int, location: String?, body: String, cache: String?
            ) { try await postForm(client, base + path, fields, cookie: cookie) }
            let fields = [("subject", p.f.person.code), ("grantee", "中国农业银行武汉江岸支行"), ("purpose", "信易贷贷款审查"), ("days", "10")]
            // Another site's form: refused, nothing issued.
            #expect(try await post("/ops/authorisations", fields, cookie: nil).status == 400)
            // A field missing: the form again with what to fix, the ID number not written back.
            let missing = try await post("/ops/authorisations", [("csrf", token)] + fields.filter { $0.0 != "purpose" }, cookie: cookie)
            #expect(missing.status == 400 && missing.body.contains("请填写授权用途") && !missing.body.contains(p.f.person.code))
            #expect(missing.body.contains("value=\"中国农业银行武汉江岸支行\""))
            #expect(try p.f.node.store.authorisations(today: "2026-11-25").isEmpty)
            let issued = try await post("/ops/authorisations", [("csrf", token)] + fields, cookie: cookie)
            #expect(issued.status == 200 && issued.body.contains("信用信息查询授权书") && !issued.body.contains(p.f.person.code), "\(issued.body)")
            let shown = try #require(
                issued.body.range(of: #"[A-Z2-9]{4}-[A-Z2-9]{4}-[A-Z2-9]{4}"#, options: .regularExpression).map { String(issued.body[$0]) })
            let view = try p.desk.query(subject: p.f.person.code, code: shown, now: PortalFixture.now)
            #expect(view.records.count == 2 && view.authorisation.grantee == "中国农业银行武汉江岸支行")
            // Listed in force, used once, the code nowhere in the list.
            let list = String(
                buffer: try await client.execute(HTTPClientRequest(url: base + "/ops/authorisations"), timeout: .seconds(30)).body.collect(
                    upTo: 1 << 20))
            #expect(list.contains("信易贷贷款审查") && list.contains(Masking.mask(p.f.person.code)) && !list.contains(shown))
            #expect(!list.contains(p.f.person.code) && list.contains("action=\"/ops/authorisations/1/revoke\""))
            // Revoked with a reason; a second time refused (409).
            #expect(try await post("/ops/authorisations/1/revoke", [("csrf", token), ("reason", "")], cookie: cookie).status == 400)
            let revoked = try await post("/ops/authorisations/1/revoke", [("csrf", token), ("reason", "信用主体申请撤销")], cookie: cookie)
            #expect(revoked.status == 303 && revoked.location == "/ops/authorisations")
            #expect(try await post("/ops/authorisations/1/revoke", [("csrf", token), ("reason", "再次")], cookie: cookie).status == 409)
            #expect(throws: AuthorisationError.self) { try p.desk.query(subject: p.f.person.code, code: shown, now: PortalFixture.now) }
            // An unknown subject: 404 on the form.
            let nobody = try await post("/ops/authorisations", [("csrf", token), ("subject", Self.nobody)] + fields.dropFirst(), cookie: cookie)
            #expect(nobody.status == 404 && nobody.body.contains("本节点没有这个主体的信用记录") && !nobody.body.contains(Self.nobody))
        }
        // Issued and revoked by the local caller.
        #expect(try p.f.node.store.authorisations(today: "2026-11-25", ended: 5).first?.issuedBy.hasPrefix("local") == true)
    }
}
