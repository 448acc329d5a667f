import AsyncHTTPClient
import CreditDomain
import CreditStore
import Foundation
import NIOCore
import NIOSSL
import NodePKI
import Testing

@testable import CreditPortal
@testable import NodeRuntime

/// 金融机构入驻 (seed 004 item 11): a financial institution answers the businesses' requests for its
/// 信易贷 products from its own system, with its certificate, on the records listener — its own
/// requests only.
@Suite("信易贷: an institution answers its requests from its own system", .serialized)
struct LoanInstitutionTests {
    static let otherLender = FormerCodeTests.uscc("MA4L0002")

    /// GET `url`, or POST it with a JSON body (or another content type), over mutual TLS as `identity`.
    static func send(
        _ url: String, json: String? = nil, contentType: String = "application/json", as identity: NodeIdentity, of f: PortalFixture
    ) async throws -> (status: Int, body: String, object: [String: Any]) {
        var tls = try TLSConfigurations.client(identity: identity, ca: f.ca.certificate)
        tls.certificateVerification = .noHostnameVerification
        let client = HTTPClient(eventLoopGroupProvider: .singleton, configuration: .init(tlsConfiguration: tls))
        do {
            var request = HTTPClientRequest(url: url)
            if let json {
                request.method = .POST
                request.headers.add(name: "Content-Type", value: contentType)
                request.body = .bytes(ByteBuffer(string: json))
            }
            let response = try await client.execute(request, timeout: .seconds(30))
            let body = String(buffer: try await response.body.collect(upTo: 4 << 20))
            try await client.shutdown()
            let object = (try? JSONSerialization.jsonObject(with: Data(body.utf8))) as? [String: Any] ?? [:]
            return (Int(response.status.code), body, object)
        } catch {
            try? await client.shutdown()
            throw error
        }
    }

    /// Two requests for the fixture's bank's 鄂信贷 and one for another bank's product.
    static func requests(_ f: PortalFixture) throws -> (ours: [LoanDesk.Form], ids: [Int64], codes: [String], theirs: Int64) {
        let (product, _) = try LoanTests.products(f)
        let kind = try f.node.catalogue.kind(named: LoanDesk.kind)
        var rows = try f.generated(kind, count: 1, seed: 92)
        let at = { kind.index[$0]! }
        for (field, value) in [
            ("JRJG", "江岸城商银行"), ("JRJGDM", otherLender), ("EDSX", "200"), ("QXSX", "24"), ("DKLB", "信用贷款"), ("FBRQ", "2026-10-01"),
            ("XZQH", PortalFixture.villages[0]), ("CPMC", "城商快贷"), ("CPBH", "CS-001"), ("YXQZ", "2027-12-31"),
        ] { rows[0].values[at(field)] = value }
        #expect(try f.ingest(rows, kind: kind, name: "other-loans.csv").accepted == 1)
        let other = try #require(
            try f.node.store.allRecords().filter { $0.kind == LoanDesk.kind }.compactMap { try f.node.store.record(key: $0.key) }.first {
                $0.fields[kind.kind.fullCode("CPMC")] == "城商快贷"
            })
        let company = try LoanTests.applicant(f)
        let desk = LoanDesk(node: f.node)
        let form = { (product: String, amount: String) in
            LoanDesk.Form(
                product: product, company: company.name, companyCode: company.code, contactName: "王经理", phone: "13800000000", amount: amount,
                months: "12", purpose: "购买原材料，扩大生产", authorised: true)
        }
        let ours = [form(product, "50"), form(product, "30")]
        let made = try ours.map { try desk.submit($0, now: PortalFixture.now) }
        let theirs = try desk.submit(form(other.key, "80"), now: PortalFixture.now)
        return (ours, made.map(\.id), made.map(\.code), theirs.id)
    }

    @Test func anInstitutionReadsTakesUpAndAnswersItsOwnRequests() async throws {
        let f = try PortalFixture()
        let (_, ids, codes, theirs) = try Self.requests(f)
        let node = f.node.configuration.code
        let bank = try f.ca.issue(role: .institution, name: "江岸农商银行", code: node, lenderCode: LoanTests.lenderCode)
        #expect(CertificateHolder.of(bank.certificate)?.lenderCode == LoanTests.lenderCode)
        #expect(CertificateHolder.of(bank.certificate)?.role == .institution)
        try await withOperatorsListener(f.node, tls: true) { port in
            let base = "https://127.0.0.1:\(port)/v1/loans/requests"
            // Its open requests, oldest first: what the business gave, never the follow-up code.
            let list = try await Self.send(base, as: bank, of: f)
            #expect(list.status == 200, "\(list.body)")
            let rows = try #require(list.object["requests"] as? [[String: Any]])
            #expect(rows.compactMap { $0["id"] as? Int64 } == ids && rows.allSatisfy { $0["state"] as? String == "pending" })
            #expect(rows.first?["phone"] as? String == "13800000000" && rows.first?["amount"] as? String == "50")
            #expect(rows.first?["amountYuan"] as? Int == 500_000 && rows.first?["receivedAt"] as? String != nil)
            #expect(codes.allSatisfy { !list.body.contains($0) } && !list.body.contains("城商快贷") && list.object["next"] == nil)
            // One at a time: the first, then the second from where the first stopped, and no more.
            let first = try await Self.send("\(base)?limit=1", as: bank, of: f)
            let next = try #require(first.object["next"] as? String)
            let second = try await Self.send("\(base)?limit=1&after=" + next, as: bank, of: f)
            #expect((first.object["requests"] as? [[String: Any]])?.first?["id"] as? Int64 == ids[0])
            #expect((second.object["requests"] as? [[String: Any]])?.first?["id"] as? Int64 == ids[1] && second.object["next"] == nil)
            #expect(try await Self.send("\(base)?after=pending.x.1", as: bank, of: f).status == 400)
            // One, with what the business authorised it to see (the applicant has a penalty).
            let one = try await Self.send("\(base)/\(ids[0])", as: bank, of: f)
            #expect(one.status == 200 && (one.object["credit"] as? [String: Any])?["penalties"] as? Int ?? 0 >= 1, "\(one.body)")
            // Taken up, then granted; the other declined.
            let taken = try await Self.send("\(base)/\(ids[0])/contact", json: #"{"handler":"李经理（江岸支行）"}"#, as: bank, of: f)
            #expect(taken.status == 200 && taken.object["state"] as? String == "contacted" && taken.object["handler"] as? String == "李经理（江岸支行）")
            let granted = try await Self.send("\(base)/\(ids[0])/grant", json: #"{"amount":"45.5","note":"期限一年"}"#, as: bank, of: f)
            #expect(granted.status == 200 && granted.object["state"] as? String == "granted" && granted.object["grantedYuan"] as? Int == 455_000)
            let declined = try await Self.send("\(base)/\(ids[1])/decline", json: #"{"reason":"近一年有行政处罚"}"#, as: bank, of: f)
            #expect(declined.status == 200 && declined.object["state"] as? String == "declined")
            // The business reads the answers with its code, as if the office had entered them.
            #expect(
                try f.node.store.loanRequest(code: codes[0])?.state == .granted && f.node.store.loanRequest(code: codes[1])?.decision == "近一年有行政处罚")
            let open = try await Self.send(base, as: bank, of: f)
            #expect((open.object["requests"] as? [Any])?.isEmpty == true)
            let answered = try await Self.send("\(base)?state=granted&limit=5", as: bank, of: f)
            #expect((answered.object["requests"] as? [[String: Any]])?.compactMap { $0["id"] as? Int64 } == [ids[0]])
            // The other bank's request was never its to see.
            #expect(try f.node.store.loanRequest(id: theirs)?.state == .pending)
            // Its products the public sees today (鄂信贷; 春耕贷 ended, the other bank's not its),
            // each with its requests: two, none still open.
            let products = try await Self.send("https://127.0.0.1:\(port)/v1/loans/products", as: bank, of: f)
            let listed = try #require(products.object["products"] as? [[String: Any]])
            #expect(listed.compactMap { $0["name"] as? String } == ["鄂信贷"], "\(products.body)")
            #expect(listed.first?["requests"] as? Int == 2 && listed.first?["open"] as? Int == 0 && listed.first?["maxAmount"] as? String == "100")
        }
        // The office sees which institution answers from its own system: one of the two with
        // products in force (50 %, the target), both its requests; the other's answered by the office.
        try LoanDesk(node: f.node).decline(id: theirs, reason: "额度已用完", now: PortalFixture.now, actor: .commandLine)
        let page = try Operations(node: f.node).pages.loans(reader: "test", now: PortalFixture.now, csrf: "x")
        #expect(page.institutions == 2 && page.joined == 1 && page.joinedShare == "50.0%" && page.joinedReached)
        #expect(page.lenders.map { "\($0.name):\($0.ownSystem)" }.sorted() == ["江岸农商银行:2", "江岸城商银行:0"])
        #expect(page.decided.filter(\.byInstitution).map(\.id).sorted() == ids && page.decided.count == 3)
        #expect(try f.node.store.loanRequest(id: theirs)?.byInstitution == false)
    }

    @Test func anotherInstitutionsRequestAndEveryOtherCallerAreRefused() async throws {
        let f = try PortalFixture()
        let (_, ids, _, theirs) = try Self.requests(f)
        let node = f.node.configuration.code
        let bank = try f.ca.issue(role: .institution, name: "江岸农商银行", code: node, lenderCode: LoanTests.lenderCode)
        let other = try f.ca.issue(role: .institution, name: "江岸城商银行", code: node, lenderCode: Self.otherLender)
        let elsewhere = try f.ca.issue(role: .institution, name: "江岸农商银行", code: try DivisionCode("420103000000"), lenderCode: LoanTests.lenderCode)
        let department = try f.ca.issue(role: .department, name: "江岸区市场监督管理局", code: node)
        let office = try f.ca.issue(role: .operator, name: "张三", code: node)
        let nodeCertificate = try f.ca.issue(code: node)
        try await withOperatorsListener(f.node, tls: true) { port in
            let base = "https://127.0.0.1:\(port)/v1/loans/requests"
            // Another bank: its own product and request listed, ours none to it — not read, not answered.
            let theirProducts = try await Self.send("https://127.0.0.1:\(port)/v1/loans/products", as: other, of: f)
            let theirListed = (theirProducts.object["products"] as? [[String: Any]]) ?? []
            #expect(theirListed.compactMap { $0["name"] as? String } == ["城商快贷"] && theirListed.first?["open"] as? Int == 1)
            #expect(try await Self.send("https://127.0.0.1:\(port)/v1/loans/products", as: department, of: f).status == 403)
            let list = try await Self.send(base, as: other, of: f)
            #expect((list.object["requests"] as? [[String: Any]])?.compactMap { $0["id"] as? Int64 } == [theirs])
            let read = try await Self.send("\(base)/\(ids[0])", as: other, of: f)
            #expect(read.status == 404 && read.body.contains("no-request") && !read.body.contains("13800000000"))
            let answer = try await Self.send("\(base)/\(ids[0])/decline", json: #"{"reason":"不符合条件"}"#, as: other, of: f)
            #expect(answer.status == 404)
            #expect(try f.node.store.loanRequest(id: ids[0])?.state == .pending)
            // Not an institution, or another node's: 403, with how to get the right certificate.
            for (who, identity) in [("department", department), ("operator", office), ("node", nodeCertificate)] {
                let r = try await Self.send(base, as: identity, of: f)
                #expect(r.status == 403 && r.body.contains("not-an-institution"), "\(who): \(r.body)")
            }
            let wrong = try await Self.send(base, as: elsewhere, of: f)
            #expect(wrong.status == 403 && wrong.body.contains("wrong-node"))
            // An institution's certificate reads no government file.
            let file = try await Self.send("https://127.0.0.1:\(port)/v1/subjects/\(LoanTests.lenderCode)?purpose=x", as: bank, of: f)
            #expect(file.status == 403 && file.body.contains("not-government"))
            // Answers out of order or out of shape: nothing changes.
            let early = try await Self.send("\(base)/\(ids[0])/grant", json: #"{"amount":"50"}"#, as: bank, of: f)
            #expect(early.status == 409 && early.body.contains("not-open"))
            _ = try await Self.send("\(base)/\(ids[0])/contact", json: #"{"handler":"李经理"}"#, as: bank, of: f)
            let beyond = try await Self.send("\(base)/\(ids[0])/grant", json: #"{"amount":"100.5"}"#, as: bank, of: f)
            #expect(beyond.status == 400 && beyond.body.contains("超过该产品的最高额度 100 万元"), "\(beyond.body)")
            for (body, type, status) in [
                (#"{"amount":"五十"}"#, "application/json", 400), (#"{"amount":"0"}"#, "application/json", 400),
                (#"{"amount":"50""#, "application/json", 400), (#"{"amount":"50"}"#, "application/x-www-form-urlencoded", 415),
                (#"{"amount":"50"}"#, "text/plain", 415),
            ] {
                let r = try await Self.send("\(base)/\(ids[0])/grant", json: body, contentType: type, as: bank, of: f)
                #expect(r.status == status, "\(body) \(type): \(r.body)")
            }
            let withID = try await Self.send("\(base)/\(ids[1])/decline", json: #"{"reason":"法定代表人110105199001011234有失信记录"}"#, as: bank, of: f)
            #expect(withID.status == 400 && withID.body.contains("personal-data"))
            #expect(try await Self.send("\(base)/\(ids[1])/approve", json: "{}", as: bank, of: f).status == 404)
            #expect(try await Self.send("\(base)/x", as: bank, of: f).status == 400)
            #expect(try await Self.send("\(base)?state=done", as: bank, of: f).status == 400)
            #expect(try await Self.send("\(base)?limit=0", as: bank, of: f).status == 400)
            #expect(try f.node.store.loanRequest(id: ids[0])?.state == .contacted && f.node.store.loanRequest(id: ids[1])?.state == .pending)
        }
        // The loopback listener's local caller is the office, not an institution.
        try await withOperatorsListener(f.node, tls: false) { port in
            let r = try await fetch("http://127.0.0.1:\(port)/v1/loans/requests")
            #expect(r.status == 403 && r.body.contains("not-an-institution"))
        }
    }
}
