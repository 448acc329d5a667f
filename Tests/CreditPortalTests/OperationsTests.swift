import AsyncHTTPClient
import CreditDomain
import CreditStore
import Foundation
import NIOCore
import NIOSSL
import NodePKI
import SampleData
import ServiceLifecycle
import TestSupport
import SyncCore
import Testing

@testable import CreditPortal
@testable import NodeRuntime

/// The records listener with the operators' pages, on a free loopback port, for `body`.
func withOperatorsListener(_ node: NodeContext, tls: Bool, _ body: @Sendable (Int) async throws -> Void) async throws {
    let (ports, continuation) = AsyncStream<Int>.makeStream()
    let operations = try Operations(node: node)
    let app = try RecordsServer(node: node).application(
        host: "127.0.0.1", port: 0, requireClientCertificate: tls, onRunning: { continuation.yield($0) }, routes: operations.register(on:))
    let services = NodeServices.group(listeners: [app], loops: [], signals: [], logger: node.logger)
    try await withThrowingTaskGroup(of: Void.self) { group in
        group.addTask { try await services.run() }
        var iterator = ports.makeAsyncIterator()
        guard let port = await iterator.next() else { throw SyncError(code: .unreachable, message: "the listener did not start") }
        let outcome: Result<Void, any Error>
        do { outcome = .success(try await body(port)) } catch { outcome = .failure(error) }
        await services.triggerGracefulShutdown()
        try await group.waitForAll()
        try outcome.get()
    }
}

/// GET `url`, with `tls` if given; the client is shut down on every path.
func fetch(_ url: String, tls: TLSConfiguration? = nil) async throws -> (status: Int, body: String, policy: String?) {
    let client = HTTPClient(eventLoopGroupProvider: .singleton, configuration: .init(tlsConfiguration: tls))
    do {
        let response = try await client.execute(HTTPClientRequest(url: url), timeout: .seconds(30))
        let body = try await response.body.collect(upTo: 4 << 20)
        try await client.shutdown()
        return (Int(response.status.code), String(buffer: body), response.headers["Content-Security-Policy"].first)
    } catch {
        try? await client.shutdown()
        throw error
    }
}

/// A page holding forms, as a browser first opens it: its token cookie (`cn_csrf=…`), the token
/// the forms repeat, and the page.
func formPage(_ client: HTTPClient, _ url: String) async throws -> (cookie: String, token: String, html: String) {
    let page = try await client.execute(HTTPClientRequest(url: url), timeout: .seconds(30))
    let cookie = try #require(page.headers["Set-Cookie"].first?.split(separator: ";").first.map(String.init))
    return (cookie, String(cookie.split(separator: "=")[1]), String(buffer: try await page.body.collect(upTo: 1 << 20)))
}

/// A page read as a browser reads it (no redirect followed): the status, the body and the cookie
/// it sets (`name=value`), if any.
func getPage(_ client: HTTPClient, _ url: String) async throws -> (status: Int, body: String, cookie: String?) {
    let r = try await client.execute(HTTPClientRequest(url: url), timeout: .seconds(30))
    return (
        Int(r.status.code), String(buffer: try await r.body.collect(upTo: 4 << 20)),
        r.headers["Set-Cookie"].first?.split(separator: ";").first.map(String.init)
    )
}

/// A form posted to `url` as a browser posts it (URL-encoded `fields`, the page's `cookie`): the
/// status, the redirect, the body and its caching.
func postForm(_ client: HTTPClient, _ url: String, _ fields: [(String, String)], cookie: String?) async throws -> (
    status: Int, location: String?, body: String, cache: String?
) {
    var request = HTTPClientRequest(url: url)
    request.method = .POST
    request.headers.add(name: "Content-Type", value: "application/x-www-form-urlencoded")
    if let cookie { request.headers.add(name: "Cookie", value: cookie) }
    request.body = .bytes(ByteBuffer(string: fields.map { "\($0.0)=\(PortalPages.escapePath($0.1))" }.joined(separator: "&")))
    let response = try await client.execute(request, timeout: .seconds(30))
    return (
        Int(response.status.code), response.headers["Location"].first, String(buffer: try await response.body.collect(upTo: 1 << 20)),
        response.headers["Cache-Control"].first
    )
}

@Suite("The operators' pages", .serialized)
struct OperationsTests {
    @Test func collectionCountsEveryRecordOnceByRegionKindAndAuthority() throws {
        let f = try PortalFixture()
        let page = try OperationsPages(node: f.node).collection(reader: "测试", now: PortalFixture.now)
        let counts = try f.node.store.counts()
        #expect(page.totals.records == counts.records && page.totals.late == counts.late && page.totals.late > 0)
        #expect(page.regions.map(\.code) == PortalFixture.villages)
        #expect(page.regions.reduce(0) { $0 + $1.total } == counts.records)
        #expect(page.kinds.map(\.slug) == ["license", "penalty", "blacklist", "redlist"])
        for (i, kind) in page.kinds.enumerated() {
            #expect(
                page.regions.reduce(0) { $0 + $1.cells[i].count } == (try f.node.store.allRecords().filter { $0.kind == kind.slug }.count),
                "\(kind.slug)")
        }
        // Every record entered "now", in the fixture: all on the chart's last day.
        #expect(page.arrivals.total == counts.records && page.arrivals.bars.count == 30 && page.arrivals.bars.last?.count == counts.records)
        #expect(page.arrivals.bars.dropLast().allSatisfy { $0.height == 0 })
        #expect(!page.authorities.isEmpty && page.authorities.allSatisfy { $0.authority.hasPrefix("武汉市") || !$0.authority.isEmpty })
        // The corrected count: none yet — an objection was opened, no newer version came.
        #expect(page.totals.corrected == 0)
    }

    /// The tallies the pages read are kept by the store's triggers as records and versions are
    /// written — ingest, status changes, new versions — and agree with a count of the records.
    @Test func theTalliesAgreeWithTheRecordsTheyCount() throws {
        let f = try PortalFixture()
        #expect(try f.node.store.tallyDiscrepancies().isEmpty)
        // A new version of a record, a withdrawal, and new records: still in agreement.
        let kind = try f.node.catalogue.kind(named: "penalty")
        var options = SampleGenerator.Options(seed: 77, node: f.node.configuration.code, asOf: PortalFixture.asOf)
        options.faultShare = 0
        options.jurisdictions = [try DivisionCode(PortalFixture.villages[1])]
        var generator = SampleGenerator(options)
        let rows = generator.rows(kind: kind, count: 30)
        let path = try f.dir.write("more.csv", Array(SampleGenerator.csv(kind: kind, rows: rows, header: .codes).utf8))
        _ = try FileIngestion(node: f.node).ingest(file: path, kind: "penalty", now: PortalFixture.now)
        var changed = rows
        changed[0].values[try #require(kind.index["NR"])] = "内容已更正"
        let again = try f.dir.write("again.csv", Array(SampleGenerator.csv(kind: kind, rows: [changed[0]], header: .codes).utf8))
        #expect(try FileIngestion(node: f.node).ingest(file: again, kind: "penalty", now: PortalFixture.now).updated == 1)
        #expect(try f.node.store.tallyDiscrepancies().isEmpty)
        let page = try OperationsPages(node: f.node).collection(reader: "测试", now: PortalFixture.now)
        #expect(page.totals.records == (try f.node.store.counts().records))
    }

    @Test func aGapInAnAuthoritysDecisionNumbersIsASuspectedOmissionAndAWholeSeriesIsNot() throws {
        let f = try PortalFixture()
        // The sample offices number their decisions one by one: nothing suspected.
        let before = try OperationsPages(node: f.node).quality(reader: "测试", now: PortalFixture.now)
        #expect(before.gaps.isEmpty && before.suspectedMissing == 0)
        // An office reports 1号, 2号 and 4号 of a series.
        let kind = try f.node.catalogue.kind(named: "penalty")
        var options = SampleGenerator.Options(seed: 99, node: f.node.configuration.code, asOf: PortalFixture.asOf)
        options.faultShare = 0
        options.jurisdictions = try PortalFixture.villages.map { try DivisionCode($0) }
        var generator = SampleGenerator(options)
        var rows = generator.rows(kind: kind, count: 3)
        let number = try #require(kind.index["WSH"]), authority = try #require(kind.index["CFJGDM"])
        let authorityName = try #require(kind.index["CFJG"])
        for (i, n) in [1, 2, 4].enumerated() {
            rows[i].values[number] = "仙桃城管罚〔2026〕\(n)号"
            rows[i].values[authority] = rows[0].values[authority]
            rows[i].values[authorityName] = "仙桃市城市管理执法局"
        }
        let path = try f.dir.write("gap.csv", Array(SampleGenerator.csv(kind: kind, rows: rows, header: .codes).utf8))
        #expect(try FileIngestion(node: f.node).ingest(file: path, kind: "penalty", now: PortalFixture.now).accepted == 3)
        // The gaps kept serve while they are younger than the shortest period they are kept for.
        let soon = try OperationsPages(node: f.node).quality(
            reader: "测试", now: PortalFixture.now.addingTimeInterval(KeptFigures.refreshSecondsMin / 2))
        #expect(
            soon.gaps.isEmpty
                && soon.kinds.first { $0.slug == "penalty" }?.records == before.kinds.first { $0.slug == "penalty" }.map { $0.records + 3 })
        // Older (a minute; cheap to compute at a store this small): the page computes them again.
        // (`inlineBelow` says "cheap" even on a very slow machine; the page asks the same way.)
        let refreshed = PortalFixture.now.addingTimeInterval(60)
        #expect(try QualityFigures.gaps(f.node, now: refreshed, inlineBelow: 30).at == refreshed)
        let after = try OperationsPages(node: f.node).quality(reader: "测试", now: refreshed)
        let gap = try #require(after.gaps.first)
        #expect(after.gaps.count == 1 && gap.series == "仙桃城管罚" && gap.year == 2026 && gap.missing == ["仙桃城管罚〔2026〕3号"])
        #expect(gap.authority == rows[0].values[authority] && gap.reported == 3 && after.suspectedMissing == 1)
        // The office is named as its records name it.
        #expect(gap.authorityName == "仙桃市城市管理执法局")
        #expect(after.kinds.first { $0.kind == "行政处罚" }?.suspectedMissing == 1)
    }

    @Test func theLoopbackListenerServesEachPageAndItsJSON() async throws {
        let f = try PortalFixture()
        try await withOperatorsListener(f.node, tls: false) { port in
            let base = "http://127.0.0.1:\(port)"
            let collection = try await fetch(base + "/ops/")
            #expect(collection.status == 200 && collection.body.contains("数据归集") && collection.body.contains("<svg"))
            // The portal's headers: no script may run, no framing.
            #expect(collection.policy?.contains("default-src 'none'") == true && collection.policy?.contains("frame-ancestors 'none'") == true)
            // Values are escaped by the template engine: the script-named subject's records are counted, not run.
            #expect(!collection.body.contains("<script>"))
            let json = try await fetch(base + "/ops/?format=json")
            let object = try #require(try JSONSerialization.jsonObject(with: Data(json.body.utf8)) as? [String: Any])
            #expect((object["totals"] as? [String: Any])?["records"] as? Int == (try f.node.store.counts().records))
            let quality = try await fetch(base + "/ops/quality")
            #expect(quality.status == 200 && quality.body.contains("四率") && quality.body.contains("未发现缺号"))
            #expect(try await fetch(base + "/ops/static/ops.css").status == 200)
            #expect(try await fetch(base + "/ops/static/nothing.css").status == 404)
            // An address under /ops with no page is a page saying where to start; one of the
            // records API beside it keeps the API's JSON error.
            let none = try await fetch(base + "/ops/nothing-here")
            #expect(none.status == 404 && none.body.contains(Operations.noSuchPage) && none.policy?.contains("default-src 'none'") == true)
            // Under the operators' own header and stylesheet, which this listener serves.
            #expect(none.body.contains("href=\"/ops/static/ops.css\"") && !none.body.contains("href=\"/static/"))
            // A refusal of a page's own (a bad parameter) is the same page with its status.
            let refused = try await fetch(base + "/ops/lists?show=nonsense")
            #expect(refused.status == 400 && refused.body.contains("<h1>请求有误</h1>") && refused.body.contains("href=\"/ops/static/ops.css\""))
            let api = try await fetch(base + "/v1/nothing-here")
            #expect(api.status == 404 && api.body.contains("[no-such-endpoint]") && api.body.hasPrefix("{\"error\""))
            #expect(!api.body.contains(Operations.noSuchPage))
        }
    }

    /// 瞒报: a withdrawal for a reason the catalogue allows is not suspected; one for any other
    /// reason is, on the page, in its JSON and in /metrics.
    @Test func aWithdrawalWithoutAnAllowedReasonIsSuspectedConcealment() throws {
        let f = try PortalFixture()
        let keys = try f.node.store.allRecords().filter { $0.kind == "penalty" && $0.key != f.person.key }.map(\.key)
        let unit = "江岸区市场监督管理局"
        _ = try StatusDesk(node: f.node).enter(
            key: keys[0], StatusChange(action: .withdrawn, date: PortalFixture.asOf, reason: "处罚决定经复议被撤销", unit: unit), now: PortalFixture.now)
        _ = try StatusDesk(node: f.node).enter(
            key: keys[1], StatusChange(action: .withdrawn, date: PortalFixture.asOf, reason: "企业申请撤下", unit: unit), now: PortalFixture.now)
        let page = try OperationsPages(node: f.node).quality(reader: "测试", now: PortalFixture.now)
        #expect(page.concealed.map(\.recordKey) == [keys[1]] && page.concealed.first?.reason == "企业申请撤下")
        let penalty = try #require(page.kinds.first { $0.slug == "penalty" })
        #expect(penalty.concealed == 1 && page.kinds.filter { $0.slug != "penalty" }.allSatisfy { $0.concealed == 0 })
        #expect(page.allowedReasons.contains("撤销"))
        let scrape = try Metrics.text(f.node, now: PortalFixture.now)
        #expect(scrape.contains("creditnet_kind_concealed_records{node=\"\(f.node.configuration.code.digits)\",kind=\"penalty\"} 1"))
        // The rule itself: a phrase of the list, anywhere in the reason; blank is never a reason.
        #expect(!f.node.catalogue.withdrawalIsUnexplained("因重复报送撤销"))
        #expect(f.node.catalogue.withdrawalIsUnexplained("  "))
        #expect(f.node.catalogue.withdrawalIsUnexplained("领导要求"))
    }

    /// The township hears from one village; the other is only named in its configuration. The
    /// village's record (window one hour) is judged at instants the test chooses.
    @Test func theNetworkPageJudgesEachNodeFromItsLatestRecordAtTheInstantAsked() async throws {
        let f = try PortalFixture()
        let heardAt = ChinaTime.milliseconds(PortalFixture.now)
        let village = NodeHealth(
            code: PortalFixture.villages[0], name: "某村", parent: f.node.configuration.code.digits, children: [], issuedAt: heardAt,
            windowSeconds: 3600, backlog: 2, oldestPendingAt: heardAt - 60_000, records: 9, quarantined: 0, software: "0.16.0", catalogue: "c")
        _ = try f.node.store.keepHealth([HealthEntry(health: village, encoded: [1])], now: PortalFixture.now)
        let pages = OperationsPages(node: f.node)
        func standing(after seconds: Double) throws -> (OperationsPages.NetworkPage.NodeRow, OperationsPages.NetworkPage) {
            let page = try pages.network(reader: "测试", now: PortalFixture.now.addingTimeInterval(seconds), under: nil, query: "")
            // (Not `#require`: in this local function its expansion draws a compiler warning.)
            struct NotOnThePage: Error {}
            guard let row = page.children.first(where: { $0.code == PortalFixture.villages[0] }) else { throw NotOnThePage() }
            return (row, page)
        }
        let (met, page) = try standing(after: 60)
        #expect(met.standing == "met" && met.name == "某村" && met.backlog == 2 && met.oldestPending == "2 分钟")
        // When it was heard: the timestamp in JSON, as a person reads it on the page.
        #expect(met.lastHeardText == PortalPages.readable(met.lastHeard) && met.lastHeardText.contains("年") && met.lastHeard.contains("T"))
        // The silent village: known, never heard from, breached; two of three nodes heard.
        let silent = try #require(page.children.first { $0.code == PortalFixture.villages[1] })
        #expect(silent.silent && silent.standing == "breached" && silent.standingLabel == "未联系")
        #expect(page.under.nodes == 3 && page.under.heard == 2 && page.under.interconnection == "66.67 %")
        // Its oldest change has waited 40 minutes (two thirds of the hour) 39 minutes after the record.
        #expect(try standing(after: 39 * 60).0.standing == "at-risk")
        #expect(try standing(after: 60 * 60).0.standing == "breached")
        #expect(try standing(after: 60 * 60 + 1).1.under.heard == 1)
        // 信息更新监测: the township's own departments entered records today; the villages entered
        // nothing the township holds (never reported: marked). A month and a day later, the
        // township is marked too.
        #expect(page.under.reportedAgo == "24 小时内" && !page.under.quiet)
        #expect(page.children.allSatisfy { $0.reportedAgo == "从未报送" && $0.quiet })
        let later = try pages.network(reader: "测试", now: PortalFixture.now.addingTimeInterval(31 * 86_400), under: nil, query: "")
        #expect(later.under.reportedAgo == "31 天前" && later.under.quiet, "\(later.under.reportedAgo)")
        let month = try pages.network(reader: "测试", now: PortalFixture.now.addingTimeInterval(29 * 86_400), under: nil, query: "")
        #expect(month.under.reportedAgo == "29 天前" && !month.under.quiet)
        let entered = try f.node.store.newestOwnEntry(origins: [f.node.configuration.code.digits, PortalFixture.villages[0]])
        #expect(entered.keys.sorted() == [f.node.configuration.code.digits])
        // 网站信息更新监测: no article anywhere yet; then the township's office publishes one today
        // and the first village's departments send theirs (dated 5 to 8 days before): each row
        // says when its own level last published, and 31 days on the township is marked.
        #expect(page.hasNews && page.under.newsAgo == "90 天内未发布" && page.under.newsQuiet)
        _ = try #require(CreditNews(node: f.node)).publish(NewsTests.draft(), now: PortalFixture.now, actor: NewsTests.actor)
        #expect(try NewsTests.generated(f, count: 3, seed: 9).accepted == 3)
        let news = try pages.network(reader: "测试", now: PortalFixture.now, under: nil, query: "")
        #expect(news.under.newsAgo == "今天" && !news.under.newsQuiet)
        let sent = try #require(news.children.first { $0.code == PortalFixture.villages[0] })
        let none = try #require(news.children.first { $0.code == PortalFixture.villages[1] })
        #expect(sent.newsAgo.hasSuffix(" 天前") && !sent.newsQuiet && none.newsAgo == "90 天内未发布" && none.newsQuiet, "\(sent.newsAgo)")
        let quiet = try pages.network(reader: "测试", now: PortalFixture.now.addingTimeInterval(31 * 86_400), under: nil, query: "")
        #expect(quiet.under.newsAgo == "31 天前" && quiet.under.newsQuiet)
        // Found by a fragment of its name; a code outside the subtree shows the node itself.
        let found = try pages.network(reader: "测试", now: PortalFixture.now, under: nil, query: "某")
        #expect(found.results.map(\.code) == [PortalFixture.villages[0]])
        let outside = try pages.network(reader: "测试", now: PortalFixture.now, under: "429004000000", query: "")
        #expect(outside.under.code == f.node.configuration.code.digits)
        // /metrics says the same per child.
        let scrape = try Metrics.text(f.node, now: PortalFixture.now.addingTimeInterval(60))
        #expect(
            scrape.contains("creditnet_child_window_state{node=\"\(f.node.configuration.code.digits)\",child=\"\(PortalFixture.villages[0])\"} 0"))
        #expect(
            scrape.contains("creditnet_child_window_state{node=\"\(f.node.configuration.code.digits)\",child=\"\(PortalFixture.villages[1])\"} 2"))
        #expect(scrape.contains("creditnet_subtree_nodes_heard{node=\"\(f.node.configuration.code.digits)\"} 2"))
        // The silent village speaks: its record reaches the page kept in memory (only the rows
        // written since the last read are read).
        var second = village
        second.code = PortalFixture.villages[1]
        second.name = "另一村"
        second.issuedAt = heardAt + 60_000
        second.oldestPendingAt = 0
        _ = try f.node.store.keepHealth([HealthEntry(health: second, encoded: [2])], now: PortalFixture.now)
        let (_, again) = try standing(after: 120)
        let spoke = try #require(again.children.first { $0.code == PortalFixture.villages[1] })
        #expect(spoke.standing == "met" && spoke.name == "另一村" && !spoke.silent && again.under.heard == 3 && again.under.nodes == 3)
        try await withOperatorsListener(f.node, tls: false) { port in
            let html = try await fetch("http://127.0.0.1:\(port)/ops/network")
            #expect(html.status == 200 && html.body.contains("网络运行") && html.body.contains("某村"))
            #expect(html.body.contains("信用动态 今天") && html.body.contains("<small class=\"quiet\">信用动态 90 天内未发布</small>"))
        }
    }

    @Test func exposedOnlyAnOperatorOfThisNodeReadsThem() async throws {
        let f = try PortalFixture()
        let code = f.node.configuration.code
        let ca = f.ca.certificate
        let operatorID = try f.ca.issue(role: .operator, name: "张三", code: code)
        let department = try f.ca.issue(role: .department, name: "江岸区市场监督管理局", code: code)
        let node = try f.ca.issue(code: code)
        let elsewhere = try f.ca.issue(role: .operator, name: "李四", code: try DivisionCode(PortalFixture.villages[0]))
        try await withOperatorsListener(f.node, tls: true) { port in
            func get(as identity: NodeIdentity) async throws -> (status: Int, body: String, policy: String?) {
                var tls = try TLSConfigurations.client(identity: identity, ca: ca)
                tls.certificateVerification = .noHostnameVerification
                return try await fetch("https://127.0.0.1:\(port)/ops/", tls: tls)
            }
            let read = try await get(as: operatorID)
            #expect(read.status == 200 && read.body.contains("张三"))
            let asNode = try await get(as: node)
            #expect(asNode.status == 403 && asNode.body.contains("not-an-operator"))
            let asDepartment = try await get(as: department)
            #expect(asDepartment.status == 403 && asDepartment.body.contains("not-an-operator"))
            let otherNode = try await get(as: elsewhere)
            #expect(otherNode.status == 403 && otherNode.body.contains("wrong-node"))
            // Refused, the operator reads a page saying why, under the pages' security headers.
            #expect(asNode.body.contains("<h1>无权访问</h1>") && asNode.body.contains("credit-node pki issue --operator NAME"))
            #expect(asNode.body.contains("未获授权的来访者") && !read.body.contains("未获授权的来访者"))
            #expect(asNode.policy?.contains("default-src 'none'") == true)
            // No certificate: the TLS handshake itself is refused.
            var anonymous = TLSConfiguration.makeClientConfiguration()
            anonymous.trustRoots = .certificates([try TLSConfigurations.nio(ca)])
            anonymous.certificateVerification = .noHostnameVerification
            await #expect(throws: (any Error).self) { _ = try await fetch("https://127.0.0.1:\(port)/ops/", tls: anonymous) }
            // The same with curl, as an operator at a terminal would try it: the node's name
            // resolved to loopback so that curl checks the server's certificate too.
            let dir = try TemporaryDirectory()
            try operatorID.write(to: dir.url, ca: ca, name: "operator")
            let host = NodeIdentity.hostName(for: code)
            let base = [
                "--silent", "--show-error", "--output", "/dev/null", "--write-out", "%{http_code}", "--cacert", dir.path("ca.pem"),
                "--resolve", "\(host):\(port):127.0.0.1", "https://\(host):\(port)/ops/",
            ]
            let refused = try await curl(base)
            #expect(refused.status != 0 && refused.output != "200", "curl without a certificate: exit \(refused.status), \(refused.output)")
            let admitted = try await curl(["--cert", dir.path("operator.pem"), "--key", dir.path("operator.key")] + base)
            #expect(admitted.status == 0 && admitted.output == "200", "curl as the operator: exit \(admitted.status), \(admitted.output)")
        }
    }

    /// Runs `/usr/bin/curl` (installed by scripts/setup.sh): its exit status and what it printed.
    /// It runs on a thread of its own: waiting for it on one of the few threads that run the
    /// tests' and the listener's tasks could starve the very page it asks for.
    func curl(_ arguments: [String]) async throws -> (status: Int32, output: String) {
        try await withCheckedThrowingContinuation { continuation in
            Thread.detachNewThread {
                do {
                    let p = Process()
                    p.executableURL = URL(fileURLWithPath: "/usr/bin/curl")
                    p.arguments = ["--max-time", "30"] + arguments
                    let out = Pipe()
                    p.standardOutput = out
                    p.standardError = FileHandle.nullDevice
                    try p.run()
                    let text = String(decoding: out.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
                    p.waitUntilExit()
                    continuation.resume(returning: (p.terminationStatus, text))
                } catch { continuation.resume(throwing: error) }
            }
        }
    }
}

@Suite("Reconciling a department's register at a node")
struct RegisterReconciliationTests {
    @Test func oneMissingOneAlteredAndOneUnregisteredDecisionAreNamed() throws {
        let f = try PortalFixture()
        let kind = try #require(f.node.resolvedKinds["penalty"])
        let numbering = try #require(kind.decisionNumbering)
        let anyRecord = try #require(try f.node.store.decisionNumbers(kind: "penalty").first)
        let held = try f.node.store.decisions(
            kind: "penalty", authorityField: numbering.authority, authority: anyRecord.authority, numberField: numbering.number
        )
        .sorted { $0.number < $1.number }
        #expect(held.count >= 3)
        // The office's register: every decision the network holds but the last, one the network
        // never received, and one written with another date; saved from a spreadsheet in GB18030.
        var lines = ["决定书文号,决定日期,统一社会信用代码"]
        for (i, h) in held.dropLast().enumerated() {
            let date = i == 0 ? h.date!.adding(days: -1) : h.date!
            lines.append("\(h.number),\(date.iso),\(h.subject ?? "")")
        }
        lines.append("仙桃城管罚〔2026〕9999号,2026-11-18,")
        let bytes = TextDecoding.gb18030(lines.joined(separator: "\n") + "\n")
        let report = try RegisterReconciliation(node: f.node).run(bytes, authority: anyRecord.authority, kind: "行政处罚")
        #expect(report.missing.map(\.number) == ["仙桃城管罚〔2026〕9999号"])
        #expect(report.different.map(\.key) == [held[0].key] && report.different[0].fields[0].hasPrefix("决定日期"))
        #expect(report.unregistered.map(\.key) == [held.last!.key])
        #expect(report.matched == held.count - 1 && report.refused.isEmpty)
        // Refused whole: not an authority's code, a kind the catalogue does not know, no number column.
        #expect(throws: ReconciliationError.self) { try RegisterReconciliation(node: f.node).run(bytes, authority: "12345", kind: "penalty") }
        #expect(throws: CatalogueError.self) { try RegisterReconciliation(node: f.node).run(bytes, authority: anyRecord.authority, kind: "fines") }
        #expect(throws: ReconciliationError.self) {
            try RegisterReconciliation(node: f.node).run(Array("日期\n2026-01-01\n".utf8), authority: anyRecord.authority, kind: "penalty")
        }
    }
}

@Suite("The reconcile form")
struct ReconcileFormTests {
    static func multipart(_ fields: [(name: String, filename: String?, bytes: [UInt8])], boundary: String) -> [UInt8] {
        var out: [UInt8] = []
        for f in fields {
            out += Array(
                "--\(boundary)\r\nContent-Disposition: form-data; name=\"\(f.name)\"\(f.filename.map { "; filename=\"\($0)\"" } ?? "")\r\n".utf8)
            if f.filename != nil { out += Array("Content-Type: text/csv\r\n".utf8) }
            out += Array("\r\n".utf8) + f.bytes + Array("\r\n".utf8)
        }
        return out + Array("--\(boundary)--\r\n".utf8)
    }

    @Test func aBrowsersFormIsReadPartByPartAndAnythingElseIsNot() throws {
        #expect(MultipartForm.boundary(contentType: "multipart/form-data; boundary=----x1") == "----x1")
        #expect(MultipartForm.boundary(contentType: "multipart/form-data; boundary=\"a b\"") == "a b")
        #expect(MultipartForm.boundary(contentType: "application/x-www-form-urlencoded") == nil)
        let csv = Array("文号\r\n罚〔2026〕1号\r\n".utf8)
        let body = Self.multipart([("authority", nil, Array(" 11AB ".utf8)), ("register", "台账.csv", csv)], boundary: "----x1")
        let form = try #require(MultipartForm(body, boundary: "----x1"))
        #expect(form.text("authority") == "11AB" && form["register"] == csv && form.parts[1].filename == "台账.csv")
        #expect(MultipartForm(Array("no parts here".utf8), boundary: "----x1") == nil)
        #expect(MultipartForm(body, boundary: "other") == nil)
    }

    @Test func aRegisterSentWithTheFormIsReconciledOnThePage() async throws {
        let f = try PortalFixture()
        #expect(f.node.resolvedKinds["penalty"]?.decisionNumbering != nil)
        let authority = try #require(try f.node.store.decisionNumbers(kind: "penalty").first).authority
        let csv = Array("决定书文号,决定日期\n仙桃城管罚〔2026〕9999号,2026-11-18\n".utf8)
        try await withOperatorsListener(f.node, tls: false) { port in
            func post(_ fields: [(name: String, filename: String?, bytes: [UInt8])]) async throws -> (status: Int, body: String) {
                var request = HTTPClientRequest(url: "http://127.0.0.1:\(port)/ops/reconcile")
                request.method = .POST
                request.headers.add(name: "Content-Type", value: "multipart/form-data; boundary=----cn")
                request.body = .bytes(ByteBuffer(bytes: Self.multipart(fields, boundary: "----cn")))
                let client = HTTPClient(eventLoopGroupProvider: .singleton)
                defer { _ = client.shutdown() }
                let response = try await client.execute(request, timeout: .seconds(30))
                return (Int(response.status.code), String(buffer: try await response.body.collect(upTo: 4 << 20)))
            }
            let form = try await fetch("http://127.0.0.1:\(port)/ops/reconcile")
            #expect(form.status == 200 && form.body.contains("enctype=\"multipart/form-data\""))
            let done = try await post([("authority", nil, Array(authority.utf8)), ("kind", nil, Array("penalty".utf8)), ("register", "r.csv", csv)])
            #expect(done.status == 200 && done.body.contains("仙桃城管罚〔2026〕9999号") && done.body.contains("比对结果"))
            let noFile = try await post([("authority", nil, Array(authority.utf8))])
            #expect(noFile.status == 400 && noFile.body.contains("请选择台账文件"))
            let badAuthority = try await post([("authority", nil, Array("12345".utf8)), ("register", "r.csv", csv)])
            #expect(badAuthority.status == 400 && badAuthority.body.contains("不是统一社会信用代码"))
            // The form offers the authorities whose decisions are held, by name; the report names the one compared.
            let name = try #require(try f.node.store.authorityName(kind: "penalty", code: authority, nameField: "CF_CFJG"))
            #expect(form.body.contains("<option value=\"\(authority)\">\(name)（") && form.body.contains("list=\"known-authorities\""))
            #expect(form.body.contains("从本节点所存决定的机关中选择"))
            #expect(done.body.contains("比对结果 <small>\(name) \(authority)："))
        }
    }
}

@Suite("The records and rows behind each figure")
struct DrillDownTests {
    @Test func eachFigureListsExactlyTheRecordsBehindIt() throws {
        let f = try PortalFixture()
        let pages = OperationsPages(node: f.node)
        let collection = try pages.collection(reader: "测试", now: PortalFixture.now)
        let region = collection.regions[0]
        for (i, kind) in collection.kinds.enumerated() {
            // Every page of the cell's link, followed to its end.
            var listed: [String] = []
            var after: Int64 = 0
            while true {
                let page = try pages.records(
                    reader: "测试", now: PortalFixture.now, kind: kind.slug, region: region.code, late: false, corrected: false, after: after)
                listed += page.rows.map(\.key)
                guard let next = page.next else { break }
                after = Int64(next.split(separator: "after=")[1].split(separator: "&")[0])!
            }
            #expect(listed.count == region.cells[i].count && Set(listed).count == listed.count, "\(kind.slug)")
        }
        let late = try pages.records(reader: "测试", now: PortalFixture.now, kind: nil, region: nil, late: true, corrected: false, after: 0)
        #expect(late.rows.count == min(collection.totals.late, OperationsPages.recordsPerPage) && late.rows.allSatisfy(\.late))
        // A person's record lists the ID number masked.
        let all = try pages.records(reader: "测试", now: PortalFixture.now, kind: "penalty", region: nil, late: false, corrected: false, after: 0)
        #expect(!all.rows.contains { (try? ResidentID($0.subject)) != nil } && all.rows.contains { $0.subject.contains("*") })
        // Each row names its subject (by its current name) and gives the decision's number, as the office files them.
        for row in all.rows where !row.key.contains("*") {
            let record = try #require(try f.node.store.record(key: row.key))
            let current = try #require(try record.subjectCode.flatMap { try f.node.store.subjectHit(code: $0) }?.name)
            #expect(row.subjectName == Masking.maskResidentIDs(in: current) && row.number == record.fields["CF_WSH"], "\(row.key)")
        }
        #expect(all.rows.allSatisfy { !$0.subjectName.isEmpty })
        // The reporting node by its name (this one: its own); the villages, which have sent no
        // health record, by their codes alone — until the division directory names them.
        #expect(all.rows.allSatisfy { $0.originName == "大智街道" && $0.jurisdictionName == nil })
        let control = URL(fileURLWithPath: f.node.configuration.controlDirectory)
        try FileManager.default.createDirectory(at: control, withIntermediateDirectories: true)
        let directory = DivisionDirectory(source: "t", names: [try DivisionCode("420102002201"): "大智一村", try DivisionCode("420102002202"): "大智二村"])
        try Data(directory.encoded()).write(to: control.appendingPathComponent(NodeContext.divisionsFile))
        f.node.reloadDivisions()
        let named = try pages.records(reader: "测试", now: PortalFixture.now, kind: "penalty", region: nil, late: false, corrected: false, after: 0)
        let villages = ["420102002201": "大智一村", "420102002202": "大智二村"]
        #expect(named.rows.allSatisfy { $0.jurisdictionName == villages[$0.jurisdiction] && $0.jurisdictionName != nil })
        // A child's rows are headed with its code until its health records name it.
        let child = try pages.records(reader: "测试", now: PortalFixture.now, kind: nil, region: region.code, late: false, corrected: false, after: 0)
        #expect(child.filter.contains(region.code))
        #expect(throws: PortalPages.BadParameter.self) {
            try pages.records(reader: "测试", now: PortalFixture.now, kind: nil, region: "110000000000", late: false, corrected: false, after: 0)
        }
    }

    @Test func refusedRowsAreListedWithTheirReasonsAndIDNumbersMasked() async throws {
        let f = try PortalFixture()
        let kind = try f.node.catalogue.kind(named: "penalty")
        var options = SampleGenerator.Options(seed: 5, node: f.node.configuration.code, asOf: PortalFixture.asOf)
        options.faultShare = 0
        var generator = SampleGenerator(options)
        var rows = generator.rows(kind: kind, count: 2)
        rows[0].values[try #require(kind.index["JDRQ"])] = "2026-13-45"
        rows[0].values[try #require(kind.index["SY"])] = "身份证号\(PortalFixture.hiddenID)的违法事实"
        let path = try f.dir.write("bad.csv", Array(SampleGenerator.csv(kind: kind, rows: rows, header: .codes).utf8))
        #expect(try FileIngestion(node: f.node).ingest(file: path, kind: "penalty", now: PortalFixture.now).rejected == 1)
        let page = try OperationsPages(node: f.node).quarantine(reader: "测试", now: PortalFixture.now)
        #expect(page.total == 1 && page.rows[0].line == 2 && page.rows[0].reasons.contains { $0.contains("JDRQ") || $0.contains("日期") })
        #expect(!page.rows[0].raw.contains(PortalFixture.hiddenID) && page.rows[0].raw.contains(Masking.mask(PortalFixture.hiddenID)))
        // The download for the department: the same row, its reasons, the ID number masked.
        try await withOperatorsListener(f.node, tls: false) { port in
            let csv = try await fetch("http://127.0.0.1:\(port)/ops/quarantine?format=csv")
            let lines = csv.body.split(separator: "\r\n")
            #expect(csv.status == 200 && csv.body.hasPrefix("\u{FEFF}接收时间,文件,行号,类别,未通过原因") && lines.count == 2)
            #expect(lines.last?.contains("bad.csv,2,行政处罚,") == true && lines.last?.contains("JDRQ") == true || lines.last?.contains("日期") == true)
            #expect(!csv.body.contains(PortalFixture.hiddenID) && csv.body.contains(Masking.mask(PortalFixture.hiddenID)))
        }
    }

    /// Repairs wait in the work queue with their notice and age; objections with theirs.
    @Test func repairsAreListedWithTheirNoticeAndAge() throws {
        let f = try PortalFixture()
        let record = try #require(try f.node.store.allRecords().first { $0.kind == "penalty" && $0.state == "active" && $0.key != f.person.key })
        let before = try OperationsPages(node: f.node).work(reader: "测试", now: PortalFixture.now, csrf: "t")
        #expect(before.repairs.isEmpty && before.objections.count == 1)
        // Three years on, past every kind's minimum publicity period.
        let later = PortalFixture.now.addingTimeInterval(3 * 366 * 86_400)
        _ = try StatusDesk(node: f.node).enter(
            key: record.key,
            StatusChange(action: .repaired, date: ChinaTime.date(later), reason: "已履行行政处罚决定", unit: "江岸区市场监督管理局", notice: "江岸信修〔2029〕7号"),
            now: later)
        let page = try OperationsPages(node: f.node).work(reader: "测试", now: later.addingTimeInterval(3 * 86_400), csrf: "t")
        #expect(page.repairs.map(\.key) == [record.key] && page.repairs[0].notice == "江岸信修〔2029〕7号" && page.repairs[0].days == 3)
        #expect(page.repairs[0].number == record.key.split(separator: "|").last.map(String.init))
        #expect(OperationsPages.number(in: "penalty|114201025F20708638|江岸城管罚〔2026〕1号") == "江岸城管罚〔2026〕1号")
        #expect(OperationsPages.number(in: "commitment|420102199001011234|CN-1") == "CN-1")
        #expect(OperationsPages.number(in: "points|x|420102199001011234") == "420102********1234")
        let subject = try #require(try f.node.store.record(key: record.key)?.fields["CF_XDR_MC"])
        #expect(page.repairs[0].subject == subject && before.objections[0].subject.isEmpty == false)
        #expect(try OperationsPages(node: f.node).subjectName(of: "penalty|none|none").isEmpty)
    }
}

@Suite("The work queue")
struct WorkQueueTests {
    @Test func anOperatorDecidesThePublicsRequestsFromThePageAndNoOtherSiteCan() async throws {
        let f = try PortalFixture()
        let keys = try f.node.store.allRecords().filter { $0.kind == "penalty" && $0.state == "active" }.map(\.key)
        let desk = ObjectionDesk(node: f.node)
        let first = try desk.submit(key: keys[0], name: "张三", contact: "13800000000", reason: "处罚已撤销", now: PortalFixture.now).id
        let second = try desk.submit(key: keys[1], name: "李四", contact: "13900000000", reason: "主体有误", now: PortalFixture.now).id
        // A repair application about a penalty whose minimum publicity period has passed.
        let today = ChinaTime.date(PortalFixture.now)
        let repairable = try #require(
            try keys.dropFirst(2).compactMap { try f.node.store.record(key: $0) }.first {
                f.node.resolvedKinds["penalty"]?.kind.earliestRepair(of: $0).map { $0.date <= today } ?? false
            })
        let third = try desk.submit(
            key: repairable.key, name: "王五", contact: "13700000000", reason: "罚款已缴清", purpose: .repair, undertaking: true, now: PortalFixture.now
        ).id
        // Another, whose record is withdrawn before the office decides.
        let gone = try #require(
            try keys.dropFirst(2).compactMap { try f.node.store.record(key: $0) }.first {
                $0.key != repairable.key && (f.node.resolvedKinds["penalty"]?.kind.earliestRepair(of: $0).map { $0.date <= today } ?? false)
            })
        let fourth = try desk.submit(
            key: gone.key, name: "赵六", contact: "13600000000", reason: "已整改", purpose: .repair, undertaking: true, now: PortalFixture.now
        ).id
        _ = try StatusDesk(node: f.node).enter(
            key: gone.key, StatusChange(action: .withdrawn, date: PortalFixture.asOf, reason: "处罚决定经复议被撤销", unit: "江岸区市场监督管理局"),
            now: PortalFixture.now)
        try await withOperatorsListener(f.node, tls: false) { port in
            let base = "http://127.0.0.1:\(port)"
            let client = HTTPClient(eventLoopGroupProvider: .singleton, configuration: .init(redirectConfiguration: .disallow))
            defer { _ = client.shutdown() }
            let (cookie, token, html) = try await formPage(client, base + "/ops/work")
            #expect(html.contains("第 \(first) 号") && html.contains("13800000000"))
            // Each request names the record's subject, as its record does.
            let subject = try #require(try f.node.store.record(key: keys[0])?.fields["CF_XDR_MC"])
            #expect(html.contains("第 \(first) 号 异议申诉 · \(subject) · "), "\(subject)")
            // … and the record by its kind and number, as the office files it, the key beside.
            let number = try #require(keys[0].split(separator: "|").last.map(String.init))
            #expect(html.contains("第 \(first) 号 异议申诉 · \(subject) · 行政处罚 \(number) "), "\(number)")
            // A repair application is granted with the repair notice's number, not accepted as an objection.
            #expect(html.contains("第 \(third) 号 信用修复申请 · ") && html.contains("action=\"/ops/work/requests/\(third)/repair\""))
            #expect(!html.contains("action=\"/ops/work/requests/\(third)/accept\""))
            func post(_ path: String, _ form: String, cookie: String?) async throws -> (status: Int, location: String?, body: String) {
                var request = HTTPClientRequest(url: base + path)
                request.method = .POST
                request.headers.add(name: "Content-Type", value: "application/x-www-form-urlencoded")
                if let cookie { request.headers.add(name: "Cookie", value: cookie) }
                request.body = .bytes(ByteBuffer(string: form))
                let response = try await client.execute(request, timeout: .seconds(30))
                return (Int(response.status.code), response.headers["Location"].first, String(buffer: try await response.body.collect(upTo: 1 << 20)))
            }
            let unit = "unit=" + PortalPages.escapePath("大智街道信用办")
            // Without the page's token (another site's form): refused, nothing decided.
            #expect(try await post("/ops/work/requests/\(first)/accept", unit, cookie: nil).status == 400)
            #expect(
                try await post("/ops/work/requests/\(first)/accept", unit + "&csrf=\(token)", cookie: "cn_csrf=" + String(repeating: "0", count: 32))
                    .status == 400)
            #expect(try f.node.store.objectionRequests().count == 4)
            // /metrics counts what waits, by purpose, with the oldest's age.
            let code = f.node.configuration.code.digits
            let waiting = try Metrics.text(f.node, now: PortalFixture.now.addingTimeInterval(90))
            #expect(waiting.contains("creditnet_public_requests_pending{node=\"\(code)\",purpose=\"objection\"} 2"))
            #expect(waiting.contains("creditnet_public_requests_pending{node=\"\(code)\",purpose=\"repair\"} 2"))
            #expect(waiting.contains("creditnet_public_requests_oldest_pending_seconds{node=\"\(code)\",purpose=\"repair\"} 90"))
            let accepted = try await post("/ops/work/requests/\(first)/accept", unit + "&csrf=\(token)", cookie: cookie)
            #expect(accepted.status == 303 && accepted.location == "/ops/work")
            #expect(try f.node.store.record(key: keys[0])?.state == "objected")
            // A refusal needs its reason; a request decided before is not pending.
            let noReason = try await post("/ops/work/requests/\(second)/refuse", "reason=&csrf=\(token)", cookie: cookie)
            #expect(noReason.status == 400 && noReason.body.contains("需填写理由"))
            #expect(
                try await post("/ops/work/requests/\(second)/refuse", "reason=" + PortalPages.escapePath("非本机关记录") + "&csrf=\(token)", cookie: cookie)
                    .status == 303)
            #expect(try await post("/ops/work/requests/\(first)/accept", unit + "&csrf=\(token)", cookie: cookie).status == 400)
            // The repair: refused as an objection and without the notice's number; granted with it.
            let asObjection = try await post("/ops/work/requests/\(third)/accept", unit + "&csrf=\(token)", cookie: cookie)
            #expect(asObjection.status == 400 && asObjection.body.contains("是信用修复申请，应准予修复或不予修复"))
            let noNotice = try await post("/ops/work/requests/\(third)/repair", unit + "&notice=&csrf=\(token)", cookie: cookie)
            #expect(noNotice.status == 400 && noNotice.body.contains("信用修复告知书文号"))
            #expect(try f.node.store.record(key: repairable.key)?.state == "active")
            let notice = "&notice=" + PortalPages.escapePath("江岸信修〔2026〕3号")
            let granted = try await post("/ops/work/requests/\(third)/repair", unit + notice + "&csrf=\(token)", cookie: cookie)
            #expect(granted.status == 303 && granted.location == "/ops/work")
            #expect(try f.node.store.record(key: repairable.key)?.state == "repaired")
            #expect(try f.node.store.objectionRequests(includeDecided: true).first { $0.id == third }?.decision == "准予信用修复（江岸信修〔2026〕3号）")
            // The withdrawn record's application: refused in the office's words, then refused by the office.
            let withdrawn = try await post("/ops/work/requests/\(fourth)/repair", unit + notice + "&csrf=\(token)", cookie: cookie)
            #expect(withdrawn.status == 400 && withdrawn.body.contains("当前的状态不允许这样办理"), "\(withdrawn.body)")
            let refusal = "reason=" + PortalPages.escapePath("处罚决定已撤销，无需修复") + "&csrf=\(token)"
            #expect(try await post("/ops/work/requests/\(fourth)/refuse", refusal, cookie: cookie).status == 303)
            #expect(try f.node.store.objectionRequests().isEmpty)
            let none = try Metrics.text(f.node, now: PortalFixture.now)
            #expect(none.contains("creditnet_public_requests_pending{node=\"\(code)\",purpose=\"repair\"} 0"))
            #expect(none.contains("creditnet_public_requests_oldest_pending_seconds{node=\"\(code)\",purpose=\"objection\"} 0"))
            let after = String(
                buffer: try await client.execute(HTTPClientRequest(url: base + "/ops/work"), timeout: .seconds(30)).body.collect(upTo: 1 << 20))
            #expect(after.contains("没有待办理的公众申请") && after.contains(Masking.maskResidentIDs(in: keys[0])))
            // What was decided, newest first, with the answer the requester reads.
            let decided = try OperationsPages(node: f.node).work(reader: "测试", now: PortalFixture.now, csrf: "t").decided
            #expect(Set(decided.map(\.id)) == [first, second, third, fourth] && decided.count == 4)
            #expect(decided.first { $0.id == third }.map { ($0.state, $0.decision) } ?? ("", "") == ("准予修复", "准予信用修复（江岸信修〔2026〕3号）"))
            #expect(decided.first { $0.id == second }.map { ($0.state, $0.purpose) } ?? ("", "") == ("不予受理", "异议申诉"))
            #expect(after.contains("最近办理的公众申请") && after.contains("处罚决定已撤销，无需修复"))
        }
        // The operator's decision is in the audit trail as the local caller's.
        #expect(try f.node.store.audit().last?.actor.role == "local")
    }
}
