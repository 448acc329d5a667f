import AsyncHTTPClient
import CreditDomain
import CreditStore
import Foundation
import GRDB
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import NIOCore
import Testing

@testable import CreditPortal
@testable import NodeRuntime
@testable import SampleData

/// 信易贷 (seed 004 item 11): the institutions' loan products on the portal, a business's request
/// for one with its authorisation, followed with its code, and answered on `/ops/loans`.
@Suite("信易贷: loan products, businesses' requests and the answers", .serialized)
struct LoanTests {
    static let lenderCode = FormerCodeTests.uscc("MA4L0001")
    /// A public hospital's credit code (事业单位, 12…): valid, but not a business.
    static var publicBody: String { PortalFixture.creditCode("12420102", "MB1A0001") }

    /// Two products of the fixture's first village — 鄂信贷 (at most 100 万元 for 36 months) and
    /// one whose 有效期 ended before today — and their keys.
    static func products(_ f: PortalFixture) throws -> (inForce: String, ended: String) {
        let kind = try f.node.catalogue.kind(named: LoanDesk.kind)
        var rows = try f.generated(kind, count: 2, seed: 91)
        let at = { kind.index[$0]! }
        for i in rows.indices {
            rows[i].values[at("JRJG")] = "江岸农商银行"
            rows[i].values[at("JRJGDM")] = lenderCode
            rows[i].values[at("EDSX")] = "100"
            rows[i].values[at("QXSX")] = "36"
            rows[i].values[at("DKLB")] = "信用贷款"
            rows[i].values[at("FBRQ")] = "2026-10-01"
            rows[i].values[at("XZQH")] = PortalFixture.villages[0]
        }
        rows[0].values[at("CPMC")] = "鄂信贷"
        rows[0].values[at("CPBH")] = "XYD-001"
        rows[0].values[at("YXQZ")] = "2027-12-31"
        rows[1].values[at("CPMC")] = "春耕贷"
        rows[1].values[at("CPBH")] = "XYD-002"
        rows[1].values[at("YXQZ")] = "2026-11-01"
        let report = try f.ingest(rows, kind: kind, name: "loans.csv")
        #expect(report.accepted == 2, "\(report)")
        let records = try f.node.store.allRecords().filter { $0.kind == LoanDesk.kind }.compactMap { try f.node.store.record(key: $0.key) }
        let key = { (name: String) in try #require(records.first { $0.fields[kind.kind.fullCode("CPMC")] == name }).key }
        return (try key("鄂信贷"), try key("春耕贷"))
    }

    /// A company of the fixture with a penalty the public sees: the applicant.
    static func applicant(_ f: PortalFixture) throws -> (code: String, name: String) {
        let kinds = f.node.resolvedKinds
        let today = ChinaTime.date(PortalFixture.now)
        let penalty = try #require(
            try f.node.store.allRecords().filter { $0.kind == "penalty" }.compactMap { try f.node.store.record(key: $0.key) }.first {
                $0.subjectCode.map { (try? SocialCreditCode($0)) != nil } == true
                    && PublicRecord.make($0, kind: kinds["penalty"], today: today) != nil
            })
        return (try #require(penalty.subjectCode), try #require(try f.node.store.subjectHit(code: penalty.subjectCode!)).name)
    }

    static func form(_ app: some ApplicationProtocol, _ uri: String) async throws -> (cookie: String, token: String, html: String) {
        try await app.test(.router) { client in
            try await client.execute(uri: uri, method: .get) { response in
                #expect(response.status == .ok)
                let cookie = try #require(response.headers[.setCookie])
                let token = String(try #require(cookie.split(separator: ";").first?.split(separator: "=").last))
                return ("cn_csrf=\(token)", token, String(buffer: response.body))
            }
        }
    }

    static func fields(_ token: String, product: String, company: (code: String, name: String), changing changes: [String: String] = [:])
        -> [(String, String)]
    {
        var f: [(String, String)] = [
            ("csrf", token), ("product", product), ("company", company.name), ("companyCode", company.code), ("contactName", "王经理"),
            ("phone", "027-85551234"), ("amount", "50"), ("months", "12"), ("purpose", "购买原材料，扩大生产"), ("authorised", "yes"),
        ]
        for (name, value) in changes {
            if let i = f.firstIndex(where: { $0.0 == name }) { f[i].1 = value } else { f.append((name, value)) }
        }
        return f
    }

    static func status(_ app: some ApplicationProtocol, _ typed: String) async throws -> (HTTPResponse.Status, String) {
        try await app.test(.router) { client in
            try await client.execute(uri: "/loans/status?code=" + PortalPages.escapePath(typed), method: .get) {
                ($0.status, String(buffer: $0.body))
            }
        }
    }

    @Test func aBusinessAsksForAProductAndFollowsItToTheLoan() async throws {
        let f = try PortalFixture()
        let (product, ended) = try Self.products(f)
        let company = try Self.applicant(f)
        let app = Application(router: f.portal.router())
        // The listing shows the product in force, not the one past its 有效期; its page links the form.
        let listing = try await f.get("/loans")
        #expect(listing.status == .ok && listing.body.contains("鄂信贷") && !listing.body.contains("春耕贷"), "\(listing.body)")
        #expect(listing.body.contains("江岸农商银行 · 最高 100 万元、36 个月") && listing.body.contains("信用贷款"))
        let page = try await f.get(PortalPages.recordLink(product))
        #expect(page.body.contains("href=\"/loans/apply?product=\(PortalPages.escapePath(product))\""))
        #expect(try await f.get(PortalPages.recordLink(ended)).status == .notFound)
        // The form with the product chosen, the token, and only products in force.
        let (cookie, token, html) = try await Self.form(app, "/loans/apply?product=" + PortalPages.escapePath(product))
        #expect(html.contains("selected>鄂信贷（江岸农商银行，最高 100 万元）") && !html.contains("春耕贷"), "\(html)")
        #expect(html.contains("name=\"csrf\" value=\"\(token)\"") && html.contains("最长 36 个月"))
        let (code, body) = try await PortalObjectionTests.post(
            app, cookie: cookie, fields: Self.fields(token, product: product, company: company), to: "/loans/apply")
        #expect(code == .ok && body.contains("已收到您的融资需求") && body.contains("江岸农商银行"), "\(body)")
        let kept = try #require(try f.node.store.openLoanRequests().first)
        #expect(kept.state == .pending && kept.productKey == product && kept.lenderCode == Self.lenderCode && kept.companyCode == company.code)
        #expect(kept.amount == 500_000 && kept.termMonths == 12 && kept.contactName == "王经理" && kept.phone == "027-85551234")
        #expect(body.contains(ObjectionRequestCode.grouped(kept.code)) && body.contains("href=\"/loans/status?code=\(kept.code)\""))
        // Followed with the code: pending; never the person to call.
        var (status, shown) = try await Self.status(app, ObjectionRequestCode.grouped(kept.code).lowercased())
        #expect(status == .ok && shown.contains("待对接") && shown.contains("50 万元，12 个月") && shown.contains(company.name), "\(shown)")
        for secret in ["王经理", "85551234"] { #expect(!shown.contains(secret), "\(secret)") }
        // /metrics counts it as waiting to be taken up.
        let metrics = try Metrics.text(f.node, now: PortalFixture.now)
        let node = f.node.configuration.code.digits
        #expect(metrics.contains("creditnet_loan_requests_open{node=\"\(node)\",state=\"pending\"} 1"), "\(metrics)")
        #expect(metrics.contains("creditnet_loan_requests_open{node=\"\(node)\",state=\"contacted\"} 0"))
        // The office's page: the person to call and what the business authorised the bank to see.
        try await withOperatorsListener(f.node, tls: false) { port in
            let base = "http://127.0.0.1:\(port)"
            let client = HTTPClient(eventLoopGroupProvider: .singleton, configuration: .init(redirectConfiguration: .disallow))
            defer { _ = client.shutdown() }
            let (cookie, token, html) = try await formPage(client, base + "/ops/loans")
            #expect(html.contains("第 \(kept.id) 号 · \(company.name)") && html.contains("联系人：王经理，027-85551234"), "\(html)")
            #expect(html.contains("id=\"credit-\(kept.id)\"") && html.contains("公示中的行政处罚") && !html.contains("公示中的行政处罚 0 条"))
            #expect(html.contains("action=\"/ops/loans/\(kept.id)/contact\"") && !html.contains("action=\"/ops/loans/\(kept.id)/grant\""))
            // The applicant's whole file, looked up with the request as its reason (政务共享).
            #expect(html.contains("name=\"subject\" value=\"\(company.code)\"") && html.contains("信易贷融资需求第 \(kept.id) 号，经企业授权查询"))
            let file = try await postForm(
                client, base + "/ops/subjects", [("subject", company.code), ("purpose", "信易贷融资需求第 \(kept.id) 号，经企业授权查询"), ("csrf", token)],
                cookie: cookie)
            #expect(file.status == 200 && file.body.contains(company.name), "\(file.body)")
            let dashboard = try await getPage(client, base + "/ops/")
            #expect(dashboard.body.contains("<span class=\"count\">1</span><span class=\"count-name\">待对接的信易贷融资需求</span>"))
            let work = try await getPage(client, base + "/ops/work")
            #expect(work.body.contains("待对接 <strong>1</strong> 件"))
            // Refused: no token; no handler; granted before taken up; a reason with an ID number.
            #expect(try await postForm(client, base + "/ops/loans/\(kept.id)/contact", [("handler", "张三")], cookie: nil).status == 400)
            var answer = try await postForm(client, base + "/ops/loans/\(kept.id)/contact", [("handler", " "), ("csrf", token)], cookie: cookie)
            #expect(answer.status == 400 && answer.body.contains("请填写对接人"))
            answer = try await postForm(client, base + "/ops/loans/\(kept.id)/grant", [("amount", "30"), ("csrf", token)], cookie: cookie)
            #expect(answer.status == 400 && answer.body.contains("不是已对接状态"))
            answer = try await postForm(
                client, base + "/ops/loans/\(kept.id)/decline", [("reason", "法定代表人\(PortalFixture.hiddenID)有逾期"), ("csrf", token)], cookie: cookie)
            #expect(answer.status == 400 && answer.body.contains("含有身份证号码") && !answer.body.contains(PortalFixture.hiddenID))
            #expect(try f.node.store.loanRequest(id: kept.id)?.state == .pending)
            // Taken up, then granted: each a redirect to the request.
            answer = try await postForm(
                client, base + "/ops/loans/\(kept.id)/contact", [("handler", "江岸农商银行后湖支行 张经理"), ("csrf", token)], cookie: cookie)
            #expect(answer.status == 303 && answer.location == "/ops/loans#loan-\(kept.id)")
            answer = try await postForm(client, base + "/ops/loans/\(kept.id)/grant", [("amount", "一百"), ("csrf", token)], cookie: cookie)
            #expect(answer.status == 400 && answer.body.contains("放款金额应为大于 0 的数"))
            // More than the product lends at most (鄂信贷: 100 万元).
            answer = try await postForm(client, base + "/ops/loans/\(kept.id)/grant", [("amount", "120"), ("csrf", token)], cookie: cookie)
            #expect(answer.status == 400 && answer.body.contains("放款金额超过该产品的最高额度 100 万元"))
            answer = try await postForm(
                client, base + "/ops/loans/\(kept.id)/grant", [("amount", "30.5"), ("note", "年利率 3.85%"), ("csrf", token)], cookie: cookie)
            #expect(answer.status == 303)
            // Taken up: the dashboard no longer counts it as waiting for a bank.
            #expect(!(try await getPage(client, base + "/ops/")).body.contains("待对接的信易贷融资需求"))
            let after = try await getPage(client, base + "/ops/loans")
            #expect(after.body.contains("<td class=\"text strong\">已放款</td><td>30.5</td>") && after.body.contains("没有待办理的融资需求"), "\(after.body)")
            // Answered by the office, not by the bank's own system: none 自行办理, and it is not 入驻.
            #expect(after.body.contains("<td class=\"text\">江岸农商银行</td><td>1</td><td>1</td><td>0</td><td>1</td><td>30.5</td>"))
            #expect(after.body.contains("近 12 个月 <strong>0</strong> 家通过自有系统对接") && !after.body.contains("机构自行办理"))
            // The share of the businesses held here that asked, against the target of 10 %.
            let known = try f.node.store.marketSubjectCount()
            let all = try f.node.store.allRecords().compactMap { try f.node.store.record(key: $0.key)?.subjectCode }
            #expect(known > 0 && known == Set(all.filter { $0.hasPrefix("9") }).count)
            #expect(after.body.contains("占 <strong>\(String(format: "%.1f%%", 100 / Double(known)))</strong>"), "\(known)")
        }
        (status, shown) = try await Self.status(app, kept.code)
        #expect(status == .ok && shown.contains("已放款") && shown.contains("30.5 万元") && shown.contains("后湖支行 张经理") && shown.contains("3.85%"))
        // Answered once: neither declined nor granted again.
        let desk = LoanDesk(node: f.node)
        #expect(throws: LoanRequestError.self) { try desk.decline(id: kept.id, reason: "x", now: PortalFixture.now, actor: .commandLine) }
        #expect(throws: LoanRequestError.self) { try desk.grant(id: kept.id, amount: "1", now: PortalFixture.now, actor: .commandLine) }
        // The JSON twin, without the person to call; codes of no request and out of shape.
        let json = try await f.json("/loans/status?code=\(kept.code)")
        let request = try #require(json["request"] as? [String: Any])
        #expect(request["granted"] as? String == "30.5" && request["phone"] == nil && request["contactName"] == nil)
        (status, shown) = try await Self.status(app, "ABCD-EFGH-JKMN")
        #expect(status == .notFound && shown.contains("没有与这个查询码对应的融资需求"))
        (status, _) = try await Self.status(app, "12345")
        #expect(status == .badRequest)
    }

    /// A request refused says every problem, comes back as typed (never an ID number), and
    /// nothing is kept; from another site 403; five kept an hour from one address, then 429.
    @Test func aRequestIsRefusedWithEveryProblemAndNothingKept() async throws {
        let f = try PortalFixture()
        let (product, ended) = try Self.products(f)
        let company = try Self.applicant(f)
        let app = Application(router: f.portal.router())
        let (cookie, token, _) = try await Self.form(app, "/loans/apply")
        let id = PortalFixture.hiddenID
        for (changes, says) in [
            (["amount": "150"], "超过该产品的最高额度 100 万元"),
            (["amount": "0"], "大于 0 的数"),
            (["amount": "5O"], "大于 0 的数"),
            (["months": "48"], "超过该产品的最长期限 36 个月"),
            (["months": ""], "请填写借款期限"),
            (["companyCode": id], "不填写个人的身份证号码"),
            (["companyCode": String(Self.lenderCode.dropLast()) + (Self.lenderCode.last == "1" ? "2" : "1")], "校验位正确"),
            (["companyCode": Self.publicBody], "机关、事业单位和社会组织不在此申请"),
            (["purpose": "给法人\(id)周转"], "资金用途含有身份证号码"),
            (["phone": "请打电话"], "联系电话只写数字"),
            (["phone": id], "联系电话含有身份证号码"),
            (["authorised": "no"], "请勾选授权"),
            (["product": ended], "请从列表中选择一个在有效期内的信易贷产品"),
            (["product": "nonsense"], "请从列表中选择一个在有效期内的信易贷产品"),
            (["contactName": "", "purpose": "买"], "请填写联系人。资金用途至少 5 个字。"),
        ] {
            let (status, body) = try await PortalObjectionTests.post(
                app, cookie: cookie, fields: Self.fields(token, product: product, company: company, changing: changes), to: "/loans/apply")
            #expect(status == .badRequest && body.contains(says), "\(changes): \(body)")
            #expect(!body.contains(id), "\(changes)")
            if changes["purpose"] == nil { #expect(body.contains("购买原材料，扩大生产"), "\(changes): refilled") }
        }
        #expect(try f.node.store.openLoanRequests().isEmpty)
        // From another site: the form's token missing or another's.
        var (status, _) = try await PortalObjectionTests.post(
            app, cookie: nil, fields: Self.fields(token, product: product, company: company), to: "/loans/apply")
        #expect(status == .forbidden)
        // Five kept from one address in an hour — the refusals above did not count — then refused.
        for _ in 0..<Portal.loanRequestsPerHour {
            (status, _) = try await PortalObjectionTests.post(
                app, cookie: cookie, fields: Self.fields(token, product: product, company: company), to: "/loans/apply")
            #expect(status == .ok)
        }
        (status, _) = try await PortalObjectionTests.post(
            app, cookie: cookie, fields: Self.fields(token, product: product, company: company), to: "/loans/apply")
        #expect(status == .tooManyRequests)
        #expect(try f.node.store.openLoanRequests().count == Portal.loanRequestsPerHour)
    }

    /// The store keeps each state's columns in agreement; a request is declined from either open
    /// state, and the amounts in 万元 read and print exactly.
    @Test func theStoreKeepsStatesConsistentAndAmountsExact() throws {
        let f = try PortalFixture()
        let (product, _) = try Self.products(f)
        let company = try Self.applicant(f)
        let desk = LoanDesk(node: f.node)
        let form = LoanDesk.Form(
            product: product, company: company.name, companyCode: company.code, contactName: "王经理", phone: "13800000000", amount: "12.5",
            months: "6", purpose: "支付货款和工资", authorised: true)
        let first = try desk.submit(form, now: PortalFixture.now)
        let second = try desk.submit(form, now: PortalFixture.now)
        #expect(try f.node.store.loanRequest(id: first.id)?.amount == 125_000)
        try desk.decline(id: first.id, reason: "经营年限不足一年", now: PortalFixture.now, actor: .commandLine)
        try desk.contact(id: second.id, handler: "李经理", now: PortalFixture.now, actor: .commandLine)
        try desk.decline(id: second.id, reason: "近一年有行政处罚", now: PortalFixture.now, actor: .commandLine)
        #expect(try f.node.store.answeredLoanRequests(limit: 5).map(\.state) == [.declined, .declined])
        let open = try f.node.store.openLoanRequestCounts()
        #expect(open.pending == 0 && open.contacted == 0)
        // A row that says granted with no amount, pending with a handler, or declined without a
        // reason is refused by the schema; one as the desk writes it is taken.
        let queue = try DatabaseQueue(path: f.node.store.path)
        defer { try? queue.close() }
        for broken in [
            "UPDATE loan_requests SET state = 'granted' WHERE id = \(first.id)",
            "UPDATE loan_requests SET state = 'pending', decided_at = NULL, decision = NULL WHERE id = \(second.id)",
            "UPDATE loan_requests SET decision = NULL WHERE id = \(first.id)",
            "UPDATE loan_requests SET amount = 0 WHERE id = \(first.id)",
            "UPDATE loan_requests SET company_code = '123' WHERE id = \(first.id)",
        ] {
            #expect(throws: DatabaseError.self, "\(broken)") { try queue.write { db in try db.execute(sql: broken) } }
        }
        try queue.write { db in
            try db.execute(sql: "UPDATE loan_requests SET state = 'granted', granted = 10000, decided_at = 3 WHERE id = \(second.id)")
        }
        #expect(try f.node.store.loanRequest(id: second.id)?.granted == 10_000)
        // A catalogue without the kind: no product to ask for, a request refused, the office's page still built.
        let without = try f.nodeWithout(kind: LoanDesk.kind)
        #expect(try LoanDesk(node: without).products(today: ChinaTime.date(PortalFixture.now)).isEmpty)
        #expect(throws: LoanRequestError.self) { try LoanDesk(node: without).submit(form, now: PortalFixture.now) }
        let page = try OperationsPages(node: without).loans(reader: "测试", now: PortalFixture.now, csrf: "t")
        #expect(page.products == 0 && page.open.isEmpty && page.lenders.isEmpty)
        for (typed, yuan) in [("50", Int64(500_000)), ("12.5", 125_000), ("0.0001", 1), ("3.25", 32_500)] {
            #expect(LoanDesk.yuan(tenThousands: typed) == yuan && LoanDesk.tenThousands(yuan) == typed, "\(typed)")
        }
        for typed in ["", ".5", "1.", "1.23456", "-1", "1e3", "五十", "1,000"] { #expect(LoanDesk.yuan(tenThousands: typed) == nil, "\(typed)") }
    }
}
