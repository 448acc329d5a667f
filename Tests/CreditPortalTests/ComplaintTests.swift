import AsyncHTTPClient
import GRDB
import CreditDomain
import CreditStore
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import NIOCore
import Testing

@testable import CreditPortal
@testable import NodeRuntime

/// 失信举报: a report of dishonest conduct made on the portal, followed with its code, and
/// answered by the office on `/ops/complaints`.
@Suite("失信举报: reports of dishonest conduct from the public", .serialized)
struct ComplaintTests {
    /// A well-formed unified social credit code (its check character computed).
    static func creditCode(_ first17: String) -> String {
        let digits = Array(first17.utf8)
        return first17 + String(UnicodeScalar(SocialCreditCode.checkCharacter(digits)))
    }

    /// The form's cookie and token, and the page.
    static func form(_ app: some ApplicationProtocol) async throws -> (cookie: String, token: String, html: String) {
        try await app.test(.router) { client in
            try await client.execute(uri: "/complaints", method: .get) { response in
                #expect(response.status == .ok)
                let cookie = try #require(response.headers[.setCookie])
                #expect(cookie.contains("HttpOnly") && cookie.contains("SameSite=Strict"))
                let token = String(try #require(cookie.split(separator: ";").first?.split(separator: "=").last))
                return ("cn_csrf=\(token)", token, String(buffer: response.body))
            }
        }
    }

    /// The fixture's code with another check character.
    static var miswritten: String {
        let code = creditCode("91420102MA4K12345")
        return String(code.dropLast()) + (code.last == "1" ? "2" : "1")
    }

    static func fields(_ token: String, changing changes: [String: String] = [:]) -> [(String, String)] {
        var f: [(String, String)] = [
            ("csrf", token), ("subject", "江岸区某某超市"), ("subjectCode", creditCode("91420102MA4K12345")), ("category", "食品药品安全"),
            ("region", PortalFixture.villages[0]), ("occurred", "2026-11-20"),
            ("content", "该超市长期销售过期食品，11 月 20 日购买的牛奶已过保质期三天，店员拒绝退换。"), ("reporter", "李四"), ("contact", "13912345678"),
            ("truthful", "yes"),
        ]
        for (name, value) in changes {
            if let i = f.firstIndex(where: { $0.0 == name }) { f[i].1 = value } else { f.append((name, value)) }
        }
        return f
    }

    static func status(_ app: some ApplicationProtocol, _ typed: String) async throws -> (HTTPResponse.Status, HTTPFields, String) {
        try await app.test(.router) { client in
            try await client.execute(uri: "/complaints/status?code=" + PortalPages.escapePath(typed), method: .get) {
                ($0.status, $0.headers, String(buffer: $0.body))
            }
        }
    }

    @Test func aReportIsKeptAndItsReporterFollowsItToTheReply() async throws {
        let f = try PortalFixture()
        let app = Application(router: f.portal.router())
        let (cookie, token, html) = try await Self.form(app)
        // The form: every category, this area and its children, the time limit, the token.
        for category in ComplaintDesk.categories { #expect(html.contains("<option value=\"\(category)\">\(category)</option>")) }
        #expect(html.contains("<option value=\"\(PortalFixture.township)\">") && html.contains("<option value=\"\(PortalFixture.villages[1])\">"))
        #expect(html.contains("15 个工作日内") && html.contains("name=\"csrf\" value=\"\(token)\""))
        let (status, body) = try await PortalObjectionTests.post(app, cookie: cookie, fields: Self.fields(token), to: "/complaints")
        #expect(status == .ok && body.contains("已收到您的举报"), "\(body)")
        let kept = try #require(try f.node.store.openComplaints().first)
        #expect(kept.state == .pending && kept.subjectName == "江岸区某某超市" && kept.category == "食品药品安全")
        #expect(kept.region == PortalFixture.villages[0] && kept.occurred == "2026-11-20" && kept.reporter == "李四" && kept.contact == "13912345678")
        #expect(kept.subjectCode == Self.creditCode("91420102MA4K12345") && !kept.anonymous)
        // The received page: the code once, grouped, its status page, the last day to answer.
        let due = try f.node.calendar.deadline(workingDays: 15, after: ChinaTime.date(PortalFixture.now)).date
        #expect(due == CivilDate(year: 2026, month: 12, day: 16))
        #expect(body.contains(ObjectionRequestCode.grouped(kept.code)) && body.contains("href=\"/complaints/status?code=\(kept.code)\""))
        #expect(body.contains("\(due.iso)</strong> 前答复"))
        // Followed with the code, typed as people type it: pending, with its limit; nothing the
        // reporter wrote about themselves or the case.
        var (code, headers, page) = try await Self.status(app, ObjectionRequestCode.grouped(kept.code).lowercased())
        #expect(code == .ok && page.contains("待受理") && page.contains("\(due.iso) 前") && page.contains("江岸区某某超市"), "\(page)")
        #expect(headers[.cacheControl] == "no-store")
        for secret in ["李四", "13912345678", "过期食品"] { #expect(!page.contains(secret), "\(secret)") }
        // Accepted and handed to a unit; then closed with the finding, the reply and the penalty decided.
        let desk = ComplaintDesk(node: f.node)
        try desk.accept(id: kept.id, unit: "江岸区市场监督管理局", now: PortalFixture.now, actor: .commandLine)
        (code, _, page) = try await Self.status(app, kept.code)
        #expect(code == .ok && page.contains("已受理，办理中") && page.contains("江岸区市场监督管理局"))
        let penalty = try #require(try f.node.store.allRecords().first { $0.kind == "penalty" && $0.state == "active" }).key
        try desk.close(
            id: kept.id, finding: .substantiated, reply: "经核查，该超市销售过期食品属实，已依法立案处罚。", record: penalty, now: PortalFixture.now, actor: .commandLine)
        (code, _, page) = try await Self.status(app, kept.code)
        #expect(code == .ok && page.contains("已办结") && page.contains("属实") && page.contains("已依法立案处罚"))
        #expect(page.contains(PortalPages.recordLink(penalty)) && !page.contains("id=\"due\""))
        // Answered once: neither accepted, refused nor closed again.
        #expect(throws: ComplaintError.self) { try desk.accept(id: kept.id, unit: "x", now: PortalFixture.now, actor: .commandLine) }
        #expect(throws: ComplaintError.self) { try desk.refuse(id: kept.id, reason: "x", now: PortalFixture.now, actor: .commandLine) }
        #expect(throws: ComplaintError.self) {
            try desk.close(id: kept.id, finding: .unfounded, reply: "x", now: PortalFixture.now, actor: .commandLine)
        }
        // The JSON twin says the same, without the reporter.
        let json = try await f.json("/complaints/status?code=\(kept.code)")
        let shown = try #require(json["complaint"] as? [String: Any])
        #expect(shown["finding"] as? String == "属实" && shown["number"] as? Int == Int(kept.id) && shown["reporter"] == nil)
        // A code of no report, and what cannot be a code.
        (code, _, page) = try await Self.status(app, "ABCD-EFGH-JKMN")
        #expect(code == .notFound && page.contains("没有与这个查询码对应的举报"))
        (code, _, page) = try await Self.status(app, "12345")
        #expect(code == .badRequest && page.contains("12 位字母和数字"))
    }

    /// An anonymous report with the least a person must give is kept; a refused one is kept not
    /// at all and comes back with every problem and what was typed — never an ID number.
    @Test func aReportIsRefusedWithEveryProblemAndNothingKept() async throws {
        let f = try PortalFixture()
        let app = Application(router: f.portal.router())
        let (cookie, token, _) = try await Self.form(app)
        let idNumber = PortalFixture.hiddenID
        let cases: [([String: String], [String])] = [
            (["subject": "  ", "content": "太短了"], ["请填写被举报对象名称。", "举报内容至少 10 个字"]),
            (["subjectCode": Self.miswritten], ["校验位正确"]),
            (["subjectCode": idNumber], ["不填写个人的身份证号码"]),
            (["content": "店主身份证号\(idNumber)，长期拖欠工人工资不发。"], ["举报内容含有身份证号码"]),
            (["occurred": "2026-11-26"], ["发生日期 2026-11-26 还没有到。"]),
            (["occurred": "上个月"], ["发生日期应写成"]),
            (["region": "420102003201"], ["请从列表中选择发生地。"]),
            (["category": "看不惯"], ["请选择失信行为类别。"]),
            (["truthful": "no"], ["请勾选如实举报的承诺。"]),
            (["content": String(repeating: "拖欠工资", count: 501)], ["举报内容最多 2000 个字，现有 2004 个。"]),
        ]
        for (changes, messages) in cases {
            let (status, body) = try await PortalObjectionTests.post(
                app, cookie: cookie, fields: Self.fields(token, changing: changes), to: "/complaints")
            #expect(status == .badRequest, "\(changes)")
            for message in messages { #expect(body.contains(message), "\(changes): \(message)") }
            // Refilled as typed (the reporter need not type it all again), an ID number never.
            #expect(body.contains("13912345678") && !body.contains(idNumber), "\(changes)")
        }
        #expect(try f.node.store.openComplaints().isEmpty && f.node.store.answeredComplaints(limit: 10).isEmpty)
        // The least: a name, a category, what happened, the undertaking — anonymous.
        let least = [("csrf", token), ("subject", "某工地"), ("category", "拖欠工资"), ("content", "春节前拖欠三十多名工人的工资至今未付。"), ("truthful", "yes")]
        let (status, body) = try await PortalObjectionTests.post(app, cookie: cookie, fields: least, to: "/complaints")
        #expect(status == .ok && body.contains("已收到您的举报"), "\(body)")
        let kept = try #require(try f.node.store.openComplaints().first)
        #expect(kept.anonymous && kept.subjectCode == nil && kept.region == nil && kept.occurred == nil)
        // From elsewhere (no cookie, another token): refused, kept not.
        var (refused, page) = try await PortalObjectionTests.post(app, cookie: nil, fields: Self.fields(token), to: "/complaints")
        #expect(refused == .forbidden && page.contains("表单已过期"))
        (refused, _) = try await PortalObjectionTests.post(
            app, cookie: "cn_csrf=" + String(repeating: "0", count: 32), fields: Self.fields(token), to: "/complaints")
        #expect(refused == .forbidden)
        // Five an hour from one address: four more are taken, the next refused.
        for _ in 0..<4 { #expect(try await PortalObjectionTests.post(app, cookie: cookie, fields: Self.fields(token), to: "/complaints").0 == .ok) }
        (refused, page) = try await PortalObjectionTests.post(app, cookie: cookie, fields: Self.fields(token), to: "/complaints")
        #expect(refused == .tooManyRequests && page.contains("每小时最多提交 5 次举报"))
        #expect(try f.node.store.openComplaints().count == 5)
    }

    /// The office reads the reports with their reporters, hands one to a unit, refuses another
    /// and closes the first; forms without the page's token and answers out of turn are refused.
    @Test func theOfficeAnswersReportsOnItsPage() async throws {
        let f = try PortalFixture()
        let desk = ComplaintDesk(node: f.node)
        let first = try desk.submit(
            ComplaintDesk.Form(
                subjectName: "某某装修公司", category: "合同履约", content: "收取装修预付款后停工三个月，多次联系不予答复。", reporter: "周七", contact: "13511112222",
                truthful: true), now: PortalFixture.now
        ).id
        let second = try desk.submit(
            ComplaintDesk.Form(subjectName: "某网店", category: "电子商务", content: "网店虚假宣传产品功效，与实物严重不符。", truthful: true),
            now: PortalFixture.now.addingTimeInterval(60)
        ).id
        // A report of weeks ago: past its limit.
        let old = try desk.submit(
            ComplaintDesk.Form(subjectName: "某加油站", category: "价格与市场秩序", content: "加油机计量不准，加满一箱少了近两升。", truthful: true),
            now: PortalFixture.now.addingTimeInterval(-40 * 86_400)
        ).id
        // One received on 2026-11-04: its fifteenth working day is today.
        _ = try desk.submit(
            ComplaintDesk.Form(subjectName: "某物业公司", category: "合同履约", content: "物业费上涨未经业主大会表决，服务却越来越差。", truthful: true),
            now: PortalFixture.now.addingTimeInterval(-21 * 86_400))
        // /metrics counts them by standing.
        let metrics = try Metrics.text(f.node, now: PortalFixture.now)
        let code = f.node.configuration.code.digits
        for (standing, count) in [("overdue", 1), ("last-day", 1), ("within", 2)] {
            #expect(metrics.contains("creditnet_complaints_open{node=\"\(code)\",standing=\"\(standing)\"} \(count)"), "\(standing)")
        }
        try await withOperatorsListener(f.node, tls: false) { port in
            let base = "http://127.0.0.1:\(port)"
            let client = HTTPClient(eventLoopGroupProvider: .singleton, configuration: .init(redirectConfiguration: .disallow))
            defer { _ = client.shutdown() }
            let (cookie, token, html) = try await formPage(client, base + "/ops/complaints")
            #expect(html.contains("第 \(first) 号 · 合同履约 · 某某装修公司") && html.contains("举报人：周七，13511112222"))
            #expect(html.contains("举报人：匿名") && html.contains("action=\"/ops/complaints/\(second)/refuse\""))
            // No unit is named before one is given the report.
            #expect(!html.contains("承办单位："))
            // The oldest first, past its limit and counted so.
            let oldAt = try #require(html.range(of: "第 \(old) 号")).lowerBound
            #expect(oldAt < (try #require(html.range(of: "第 \(first) 号")).lowerBound))
            #expect(html.contains("已超期") && html.contains("<span class=\"count count-warn\">1</span>超过答复期限"))
            let dashboard = try await getPage(client, base + "/ops/")
            #expect(dashboard.body.contains("<span class=\"count\">4</span><span class=\"count-name\">待办理的失信举报</span>"))
            #expect(dashboard.body.contains("<span class=\"count\">1</span><span class=\"count-name\">超过答复期限的失信举报</span>"))
            let work = try await getPage(client, base + "/ops/work")
            #expect(work.body.contains("待办理 <strong>4</strong> 件，超过答复期限 <strong>1</strong> 件"))
            #expect(html.contains("今日到期，2026-11-25 前答复"))
            // Without the page's token: refused, nothing answered.
            let unit = ("unit", "江岸区住房和城市更新局")
            #expect(try await postForm(client, base + "/ops/complaints/\(first)/accept", [unit], cookie: nil).status == 400)
            // A unit named with an ID number: refused, the number not shown back, nothing answered.
            let numbered = try await postForm(
                client, base + "/ops/complaints/\(first)/accept", [("unit", "承办人\(PortalFixture.hiddenID)"), ("csrf", token)], cookie: cookie)
            #expect(numbered.status == 400 && numbered.body.contains("承办单位的名称") && !numbered.body.contains(PortalFixture.hiddenID))
            #expect(try f.node.store.complaint(id: first)?.state == .pending)
            #expect(try f.node.store.complaint(id: first)?.state == .pending)
            // Accepted and handed over; refused without a reason, then with one.
            let accepted = try await postForm(client, base + "/ops/complaints/\(first)/accept", [unit, ("csrf", token)], cookie: cookie)
            #expect(accepted.status == 303 && accepted.location == "/ops/complaints#complaint-\(first)")
            #expect(try f.node.store.complaint(id: first)?.unit == "江岸区住房和城市更新局")
            let noReason = try await postForm(client, base + "/ops/complaints/\(second)/refuse", [("reason", " "), ("csrf", token)], cookie: cookie)
            #expect(noReason.status == 400 && noReason.body.contains("请填写不予受理的理由"))
            let refused = try await postForm(
                client, base + "/ops/complaints/\(second)/refuse", [("reason", "请向电商平台所在地市场监管部门举报。"), ("csrf", token)], cookie: cookie)
            let refusedState = try f.node.store.complaint(id: second)?.state
            #expect(refused.status == 303 && refusedState == .refused)
            // Closing: a finding is required, a record must be held here, an ID number is never written.
            var close = try await postForm(client, base + "/ops/complaints/\(first)/close", [("reply", "已约谈"), ("csrf", token)], cookie: cookie)
            #expect(close.status == 400 && close.body.contains("请选择核查结果"))
            close = try await postForm(
                client, base + "/ops/complaints/\(first)/close",
                [("finding", "partly"), ("reply", "已约谈"), ("record", "penalty|没有"), ("csrf", token)],
                cookie: cookie)
            #expect(close.status == 400 && close.body.contains("本节点没有记录 penalty|没有"))
            close = try await postForm(
                client, base + "/ops/complaints/\(first)/close",
                [("finding", "partly"), ("reply", "负责人身份证号\(PortalFixture.hiddenID)已约谈"), ("csrf", token)], cookie: cookie)
            #expect(close.status == 400 && close.body.contains("含有身份证号码") && !close.body.contains(PortalFixture.hiddenID))
            // A refused report cannot be closed.
            close = try await postForm(
                client, base + "/ops/complaints/\(second)/close", [("finding", "partly"), ("reply", "已约谈"), ("csrf", token)], cookie: cookie)
            #expect(close.status == 400 && close.body.contains("第 \(second) 号举报不是已受理状态"))
            close = try await postForm(
                client, base + "/ops/complaints/\(first)/close", [("finding", "partly"), ("reply", "经约谈，公司已于 12 月复工。"), ("csrf", token)],
                cookie: cookie)
            #expect(close.status == 303)
            let closed = try #require(try f.node.store.complaint(id: first))
            #expect(closed.state == .closed && closed.finding == .partly && closed.decision == "经约谈，公司已于 12 月复工。" && closed.recordKey == nil)
            let after = try await getPage(client, base + "/ops/complaints")
            #expect(after.body.contains("已办结：部分属实") && after.body.contains("不予受理") && after.body.contains("请向电商平台所在地市场监管部门举报。"))
            #expect(!after.body.contains("action=\"/ops/complaints/\(first)/close\""))
            // The year's counts: four received, one closed, one refused, two still pending.
            let json = try await getPage(client, base + "/ops/complaints?format=json")
            #expect(json.body.contains("\"received\":4") && json.body.contains("\"pendingCount\":2"))
        }
    }

    /// An organisation's page leads to the form with its name and code filled in; a person's
    /// page does not, and a code in the address that is an ID number is not shown.
    @Test func anOrganisationsPageLeadsToAReportAboutIt() async throws {
        let f = try PortalFixture()
        let organisation = try #require(
            try f.node.store.allSubjects(kind: "penalty").first { (try? SocialCreditCode($0)) != nil && (try? ResidentID($0)) == nil })
        let name = try #require(try f.node.store.subjectHit(code: organisation)?.name)
        let page = try await f.get("/subjects/" + organisation).body
        let link = "/complaints?subject=\(PortalPages.escapePath(name))&subjectCode=\(organisation)"
        #expect(page.contains("href=\"\(link.replacingOccurrences(of: "&", with: "&amp;"))\">举报该主体的失信行为"), "\(link)")
        let form = try await f.get(link).body
        #expect(form.contains("name=\"subjectCode\" maxlength=\"18\" value=\"\(organisation)\"") && !form.contains("id=\"problems\""))
        let person = try await f.get(
            try #require(PortalPages.subjectLink(code: f.person.code, id: try f.node.store.subjectHit(code: f.person.code)?.id)))
        #expect(person.status == .ok && !person.body.contains("举报该主体的失信行为"))
        // A public institution's code may be 18 digits: shown whole, unlike an ID number.
        let digits = try #require(
            (1..<1000).lazy.map { n -> String in
                let organisation = String(format: "%08d", n)
                return Self.creditCode(
                    "12420102" + organisation + String(UnicodeScalar(SocialCreditCode.organisationCheckCharacter(Array(organisation.utf8)))))
            }.first { $0.allSatisfy(\.isNumber) })
        #expect((try? SocialCreditCode(digits)) != nil && Masking.maskResidentIDs(in: digits) != digits)
        let institution = try await f.get("/complaints?subject=x&subjectCode=" + digits).body
        #expect(institution.contains("value=\"\(digits)\""), "\(digits)")
        let numbered = try await f.get("/complaints?subject=x&subjectCode=" + PortalFixture.hiddenID).body
        #expect(!numbered.contains(PortalFixture.hiddenID) && numbered.contains("name=\"subjectCode\" maxlength=\"18\" value=\"\""))
    }

    /// The table keeps each state's columns in agreement, whatever writes it: a pending report
    /// names no unit, an accepted one has no answer, a closed one has its finding.
    @Test func theStoreKeepsEachStatesColumnsInAgreement() throws {
        let f = try PortalFixture()
        let id = try ComplaintDesk(node: f.node).submit(
            ComplaintDesk.Form(subjectName: "某驾校", category: "教育培训", content: "收取培训费后长期不安排练车，拒不退费。", truthful: true), now: PortalFixture.now
        ).id
        let queue = try DatabaseQueue(path: f.node.store.path)
        defer { try? queue.close() }
        for broken in [
            "UPDATE complaints SET unit = '某局' WHERE id = \(id)",
            "UPDATE complaints SET state = 'accepted' WHERE id = \(id)",
            "UPDATE complaints SET state = 'closed', unit = '某局', accepted_at = 1, decided_at = 2 WHERE id = \(id)",
            "UPDATE complaints SET finding = 'maybe' WHERE id = \(id)",
            "UPDATE complaints SET subject_code = '123' WHERE id = \(id)",
        ] {
            #expect(throws: DatabaseError.self, "\(broken)") { try queue.write { db in try db.execute(sql: broken) } }
        }
        // Accepted as the desk accepts: a unit and the time, no answer.
        try queue.write { db in try db.execute(sql: "UPDATE complaints SET state = 'accepted', unit = '某局', accepted_at = 1 WHERE id = \(id)") }
        #expect(try f.node.store.complaint(id: id)?.state == .accepted)
    }

    /// A catalogue without a time limit promises none; one with less than a day is refused when read.
    @Test func theTimeLimitIsTheCataloguesToSet() async throws {
        let f = try PortalFixture()
        // No report: the dashboard has no card for them.
        #expect(try OperationsPages(node: f.node).collection(reader: "测试", now: PortalFixture.now).complaintsOpen == nil)
        let none = try f.node(named: "no-limit") { $0.complaintWorkingDays = nil }
        let page = try PortalPages(node: none).complaintForm(csrf: "x", today: ChinaTime.date(PortalFixture.now))
        #expect(page.workingDays == nil && ComplaintDesk(node: none).dueBy(receivedOn: ChinaTime.date(PortalFixture.now)) == nil)
        #expect(throws: CatalogueError.self) { _ = try f.node(named: "zero") { $0.complaintWorkingDays = 0 } }
    }
}
