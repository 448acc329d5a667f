import AsyncHTTPClient
import CreditDomain
import CreditStore
import Foundation
import NIOCore
import SampleData
import Testing

@testable import CreditPortal
@testable import NodeRuntime

/// 数据报送: a department's file sent from the operators' page.
@Suite("Uploading a department's file on the operators' page", .serialized)
struct UploadTests {
    /// Five new penalties of the fixture's villages with Chinese headers, then a row without the
    /// subject's name (line 7, refused).
    static func departmentsFile(_ node: NodeContext) throws -> [UInt8] {
        var options = SampleGenerator.Options(seed: 31, node: node.configuration.code, asOf: PortalFixture.asOf)
        options.faultShare = 0
        options.jurisdictions = try PortalFixture.villages.map { try DivisionCode($0) }
        var generator = SampleGenerator(options)
        let kind = try node.catalogue.kind(named: "penalty")
        var rows = generator.rows(kind: kind, count: 6)
        rows[5].values[try #require(kind.index["XDR_MC"])] = ""
        return Array(SampleGenerator.csv(kind: kind, rows: rows, header: .names).utf8)
    }

    /// The form page's cookie and token, then `fields` posted as a browser posts a form with a file.
    struct Session {
        let client: HTTPClient
        let base: String
        var cookie: String?
        var token: String?

        func post(_ fields: [(name: String, filename: String?, bytes: [UInt8])], json: Bool = false) async throws -> (status: Int, body: String) {
            var request = HTTPClientRequest(url: base + "/ops/upload" + (json ? "?format=json" : ""))
            request.method = .POST
            request.headers.add(name: "Content-Type", value: "multipart/form-data; boundary=----up")
            if let cookie { request.headers.add(name: "Cookie", value: cookie) }
            request.body = .bytes(ByteBuffer(bytes: ReconcileFormTests.multipart(fields, boundary: "----up")))
            let response = try await client.execute(request, timeout: .seconds(60))
            return (Int(response.status.code), String(buffer: try await response.body.collect(upTo: 4 << 20)))
        }

        static func open(_ client: HTTPClient, port: Int) async throws -> Session {
            let base = "http://127.0.0.1:\(port)"
            let page = try await client.execute(HTTPClientRequest(url: base + "/ops/upload"), timeout: .seconds(30))
            let html = String(buffer: try await page.body.collect(upTo: 1 << 20))
            #expect(page.status == .ok && html.contains("数据报送") && html.contains("enctype=\"multipart/form-data\""))
            let cookie = try #require(page.headers["Set-Cookie"].first?.split(separator: ";").first.map(String.init))
            let token = String(cookie.split(separator: "=")[1])
            #expect(html.contains("name=\"csrf\" value=\"\(token)\""))
            return Session(client: client, base: base, cookie: cookie, token: token)
        }
    }

    @Test func aFileSentFromThePageIsStoredItsBadRowsKeptAndTheOperatorNamed() async throws {
        let f = try PortalFixture()
        let before = try f.node.store.counts()
        let file = try Self.departmentsFile(f.node)
        try await withOperatorsListener(f.node, tls: false) { port in
            let client = HTTPClient(eventLoopGroupProvider: .singleton)
            defer { _ = client.shutdown() }
            let s = try await Session.open(client, port: port)
            let token = try #require(s.token)
            let done = try await s.post([
                ("csrf", nil, Array(token.utf8)), ("kind", nil, Array("penalty".utf8)), ("records", "C:\\报送\\11月处罚.csv", file),
            ])
            #expect(done.status == 200, "\(done.body)")
            #expect(done.body.contains("报送结果 <small>11月处罚.csv · 行政处罚 · UTF-8"))
            #expect(done.body.contains("<span class=\"count\">5</span><span class=\"count-name\">新增入库"))
            #expect(done.body.contains("<td>7</td>") && done.body.contains("行政相对人名称为必填项，不能为空"))
            #expect(!done.body.contains("此前已报送过"))
            // The fixture's node has no parent: nothing is said to go up.
            #expect(f.node.configuration.parent == nil && !done.body.contains("送往上级节点"))
            // Sent again: nothing new, the refused row not kept twice.
            let again = try await s.post([("csrf", nil, Array(token.utf8)), ("kind", nil, Array("penalty".utf8)), ("records", "11月处罚.csv", file)])
            #expect(again.status == 200 && again.body.contains("<span class=\"count\">5</span><span class=\"count-name\">与已有记录相同"))
            #expect(again.body.contains("其中 1 行此前已报送过"))
            // The latest runs, newest first, whoever sent them: a file at the command line too.
            _ = try FileIngestion(node: f.node).ingest(
                bytes: file, name: "/srv/in/命令行.csv", kind: "penalty", format: .csv, now: f.node.clock(), actor: AuditActor(role: "cli"))
            let page = try await fetch(s.base + "/ops/upload?format=json")
            let recent =
                try #require(
                    try JSONSerialization.jsonObject(with: Data(page.body.utf8)) as? [String: Any])["recent"] as? [[String: Any]]
            #expect(recent?.map { $0["file"] as? String } == ["命令行.csv", "11月处罚.csv", "11月处罚.csv"])
            #expect(recent?.map { $0["by"] as? String } == ["命令行", "本机操作员", "本机操作员"])
            #expect(recent?.map { $0["accepted"] as? Int } == [0, 0, 5] && recent?.map { $0["duplicates"] as? Int } == [5, 5, 0])
            // Each run's refused rows one click away, and only that run's: the first run kept line 7.
            let first = try #require(recent?.last?["id"] as? Int)
            let html = try await fetch(s.base + "/ops/upload").body
            #expect(html.contains("<a href=\"/ops/quarantine?ingest=\(first)\">1</a>"))
            // A run that refused nothing links nowhere.
            let clean = Array(String(decoding: file, as: UTF8.self).split(separator: "\r\n").prefix(6).joined(separator: "\r\n").utf8)
            let quiet = try FileIngestion(node: f.node).ingest(
                bytes: clean, name: "无误.csv", kind: "penalty", format: .csv, now: f.node.clock(), actor: AuditActor(role: "cli"))
            #expect(quiet.rejected == 0 && quiet.duplicates == 5)
            let after = try await fetch(s.base + "/ops/upload").body
            #expect(after.contains("无误.csv") && !after.contains("quarantine?ingest=\(quiet.ingestID)\""))
            let kept = try await fetch(s.base + "/ops/quarantine?ingest=\(first)")
            #expect(kept.body.contains("第 \(first) 次入库存放 1 行，") && kept.body.contains("第 7 行") && kept.body.contains("行政相对人名称为必填项"))
            #expect(kept.body.contains("href=\"/ops/quarantine?ingest=\(first)&amp;format=csv\""))
            let csv = try await fetch(s.base + "/ops/quarantine?ingest=\(first)&format=csv").body
            let lines = csv.split(separator: "\r\n")
            #expect(lines.count == 2 && lines[1].contains("11月处罚.csv,7,行政处罚,行政相对人名称为必填项，不能为空"), "\(lines)")
            let all = try await fetch(s.base + "/ops/quarantine")
            #expect(all.body.contains("共 \(try f.node.store.counts().quarantined) 行") && !all.body.contains("次入库存放"))
        }
        let after = try f.node.store.counts()
        #expect(after.records == before.records + 5 && after.quarantined == before.quarantined + 1)
        let runs = try f.node.store.audit().filter { $0.action == "records" }.suffix(4)
        #expect(runs.map(\.actor.role) == ["local", "local", "cli", "cli"] && runs.allSatisfy { $0.kind == "penalty" })
        let refused = try f.node.store.quarantine(limit: 10).rows.filter { $0.source == "11月处罚.csv" }
        #expect(refused.map(\.line) == [7])
    }

    @Test func aFormNotFromThePageOrAFileThatCannotBeReadWritesNothing() async throws {
        let f = try PortalFixture()
        let before = try f.node.store.counts()
        let auditBefore = try f.node.store.audit().count
        let file = try Self.departmentsFile(f.node)
        try await withOperatorsListener(f.node, tls: false) { port in
            let client = HTTPClient(eventLoopGroupProvider: .singleton)
            defer { _ = client.shutdown() }
            let s = try await Session.open(client, port: port)
            let token = try #require(s.token)
            let kind = ("kind", nil as String?, Array("penalty".utf8))
            // Another site's form: no token, or the cookie missing.
            let forged = try await s.post([kind, ("records", "a.csv", file)])
            #expect(forged.status == 400 && forged.body.contains("表单已过期或不是从本页提交的"))
            var noCookie = s
            noCookie.cookie = nil
            #expect(try await noCookie.post([("csrf", nil, Array(token.utf8)), kind, ("records", "a.csv", file)]).status == 400)
            let csrf = ("csrf", nil as String?, Array(token.utf8))
            let noFile = try await s.post([csrf, kind, ("records", "a.csv", [])])
            #expect(noFile.status == 400 && noFile.body.contains("请选择要报送的文件"))
            // A required column missing: the whole file refused with what to do.
            let partial = try await s.post([csrf, kind, ("records", "a.csv", Array("行政相对人名称,处罚内容\n某某公司,罚款\n".utf8))])
            #expect(partial.status == 400 && partial.body.contains("缺少必填的列") && partial.body.contains("没有写入任何数据"))
            // No header: the first line, quoted in the refusal, keeps its ID number masked.
            let headless = try await s.post([csrf, kind, ("records", "a.csv", Array("张三,110105194912310021,罚款\n".utf8))])
            #expect(headless.status == 400 && headless.body.contains("第一行不是表头") && headless.body.contains("110105********0021"))
            #expect(!headless.body.contains("110105194912310021"))
            let notText = try await s.post([csrf, kind, ("records", "a.csv", [0xFF, 0xFE, 0x00, 0x81, 0x30, 0x0A, 0xC0, 0x0A])])
            #expect(notText.status == 400 && notText.body.contains("没有写入任何数据"), "\(notText.body)")
            let unknownKind = try await s.post([csrf, ("kind", nil, Array("nonsense".utf8)), ("records", "a.csv", file)], json: true)
            #expect(unknownKind.status == 400 && unknownKind.body.contains("\"error\":\"请选择记录类别"))
        }
        #expect(try f.node.store.counts() == before)
        #expect(try f.node.store.audit().count == auditBefore)
    }

    @Test func eachKindHasATemplateToFillIn() async throws {
        let f = try PortalFixture()
        try await withOperatorsListener(f.node, tls: false) { port in
            let client = HTTPClient(eventLoopGroupProvider: .singleton)
            defer { _ = client.shutdown() }
            let response = try await client.execute(
                HTTPClientRequest(url: "http://127.0.0.1:\(port)/ops/upload/template?kind=penalty"), timeout: .seconds(30))
            let bytes = Array(try await response.body.collect(upTo: 1 << 20).readableBytesView)
            #expect(response.status == .ok && response.headers["Content-Disposition"].first?.contains("attachment") == true)
            #expect(Array(bytes.prefix(3)) == [0xEF, 0xBB, 0xBF])
            let header = String(decoding: bytes.dropFirst(3), as: UTF8.self)
            let kind = try f.node.catalogue.kind(named: "penalty")
            #expect(header == kind.fields.map(\.name).joined(separator: ",") + "\r\n")
            let unknown = try await fetch("http://127.0.0.1:\(port)/ops/upload/template?kind=nonsense")
            #expect(unknown.status == 400 && unknown.body.contains("没有这种记录类别"))
            // The template reads back: its header alone is a file without rows.
            let page = try await fetch("http://127.0.0.1:\(port)/ops/upload")
            #expect(page.body.contains("/ops/upload/template?kind=penalty") && page.body.contains("行政相对人名称"))
            #expect(page.body.contains("还没有报送。"))
        }
    }

    @Test func theUploadedNameIsItsLastPartWithoutQuotes() {
        #expect(Operations.uploadedName("C:\\报送\\11月处罚.csv") == "11月处罚.csv")
        #expect(Operations.uploadedName("/tmp/a\"b.csv") == "ab.csv")
        #expect(Operations.uploadedName(nil) == "网页报送.csv")
        #expect(Operations.uploadedName("  ") == "网页报送.csv")
        #expect(Operations.uploadedName(String(repeating: "长", count: 300)).count == 100)
    }
}
