import AsyncHTTPClient
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

/// 举报材料 and 证明材料: the photos and documents the public attaches to a report of dishonest
/// conduct or to an objection or repair application, kept with it at the node and handed to the
/// office as they came.
@Suite("The files the public attaches (举报材料, 证明材料)", .serialized)
struct AttachmentTests {
    /// A PNG's signature and a few bytes after it; a PDF's header and body.
    static let png: [UInt8] = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A] + Array(repeating: 0x42, count: 2_000) + [0x00, 0xFF, 0x0D, 0x0A]
    static let pdf: [UInt8] = Array("%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\r\n--notaboundary\r\n%%EOF\n".utf8)
    /// A Windows program named as a photo.
    static let program: [UInt8] = Array("MZ\u{90}\u{00}this program cannot be run in DOS mode".utf8)

    /// A form's fields and files as a browser sends them (`multipart/form-data`).
    static func multipart(_ fields: [(String, String)], files: [(name: String, filename: String, bytes: [UInt8])]) -> (type: String, body: [UInt8]) {
        let boundary = "----CreditNetFormBoundary7MA4YWxk"
        var body: [UInt8] = []
        for (name, value) in fields {
            body += Array("--\(boundary)\r\nContent-Disposition: form-data; name=\"\(name)\"\r\n\r\n\(value)\r\n".utf8)
        }
        for file in files {
            body += Array(
                "--\(boundary)\r\nContent-Disposition: form-data; name=\"\(file.name)\"; filename=\"\(file.filename)\"\r\nContent-Type: application/octet-stream\r\n\r\n"
                    .utf8)
            body += file.bytes + Array("\r\n".utf8)
        }
        body += Array("--\(boundary)--\r\n".utf8)
        return ("multipart/form-data; boundary=\(boundary)", body)
    }

    static func post(
        _ app: some ApplicationProtocol, cookie: String, fields: [(String, String)], files: [(name: String, filename: String, bytes: [UInt8])],
        to path: String = "/complaints"
    ) async throws -> (HTTPResponse.Status, String) {
        let (type, body) = multipart(fields, files: files)
        let headers: HTTPFields = [.contentType: type, .cookie: cookie]
        return try await app.test(.router) { client in
            try await client.execute(uri: path, method: .post, headers: headers, body: ByteBuffer(bytes: body)) {
                ($0.status, String(buffer: $0.body))
            }
        }
    }

    @Test func aReportCarriesItsFilesToTheOfficeAsTheyCame() async throws {
        let f = try PortalFixture()
        let app = Application(router: f.portal.router())
        let (cookie, token, html) = try await ComplaintTests.form(app)
        #expect(html.contains("enctype=\"multipart/form-data\"") && html.contains("name=\"evidence\" type=\"file\"") && html.contains("最多 3 份"))
        let (status, body) = try await Self.post(
            app, cookie: cookie, fields: ComplaintTests.fields(token),
            files: [("evidence", "C:\\fakepath\\小票\(PortalFixture.hiddenID).png", Self.png), ("evidence", "检查记录.pdf", Self.pdf)])
        #expect(status == .ok && body.contains("已收到您的举报"), "\(body)")
        let kept = try #require(try f.node.store.openComplaints().first)
        #expect(kept.subjectName == "江岸区某某超市" && kept.reporter == "李四" && kept.content.contains("过期食品"))
        let files = try f.node.store.attachments(of: .complaint, kept.id)
        #expect(files.map(\.position) == [1, 2] && files.map(\.type) == ["image/png", "application/pdf"])
        #expect(files.map(\.size) == [Self.png.count, Self.pdf.count] && files[1].name == "检查记录.pdf")
        // The name as the reporter's device gave it, without the path and with the ID number masked.
        #expect(files[0].name.hasPrefix("小票") && files[0].name.hasSuffix(".png") && !files[0].name.contains(PortalFixture.hiddenID))
        #expect(!files[0].name.contains("fakepath"))
        #expect(try f.node.store.attachment(of: .complaint, kept.id, position: 1)?.bytes == Self.png)
        #expect(try f.node.store.attachment(of: .complaint, kept.id, position: 2)?.bytes == Self.pdf)
        // The reporter reads how many came, never the files.
        let (_, _, page) = try await ComplaintTests.status(app, kept.code)
        #expect(page.contains("<dt>举报材料</dt><dd>2 份") && !page.contains("检查记录"))
        // The public portal serves no file of a report, under any address.
        for path in ["/ops/complaints/\(kept.id)/evidence/1", "/complaints/\(kept.id)/evidence/1"] {
            let answer = try await app.test(.router) { client in try await client.execute(uri: path, method: .get) { $0.status } }
            #expect(answer == .notFound, "\(path)")
        }

        try await withOperatorsListener(f.node, tls: false) { port in
            let base = "http://127.0.0.1:\(port)"
            let office = try await fetch(base + "/ops/complaints")
            #expect(office.body.contains("举报材料") && office.body.contains("检查记录.pdf（PDF 文件，1 KB）"))
            #expect(office.body.contains("href=\"/ops/complaints/\(kept.id)/evidence/1\""))
            let client = HTTPClient(eventLoopGroupProvider: .singleton)
            defer { _ = client.shutdown() }
            let download = try await client.execute(HTTPClientRequest(url: base + "/ops/complaints/\(kept.id)/evidence/1"), timeout: .seconds(30))
            #expect(download.status == .ok && download.headers["Content-Type"].first == "image/png")
            #expect(download.headers["X-Content-Type-Options"].first == "nosniff" && download.headers["Cache-Control"].first == "no-store")
            let disposition = try #require(download.headers["Content-Disposition"].first)
            #expect(disposition.hasPrefix("attachment;") && disposition.contains("complaint-\(kept.id)-1.png"))
            #expect(Array(buffer: try await download.body.collect(upTo: 1 << 20)) == Self.png)
            // No third file, no such report.
            #expect(try await fetch(base + "/ops/complaints/\(kept.id)/evidence/3").status == 404)
            #expect(try await fetch(base + "/ops/complaints/99999/evidence/1").status == 404)
        }
    }

    /// A file input left empty sends a part with no name and no bytes: the report is kept without files.
    @Test func aFileInputLeftEmptyIsPassedOver() async throws {
        let f = try PortalFixture()
        let app = Application(router: f.portal.router())
        let (cookie, token, _) = try await ComplaintTests.form(app)
        let (status, body) = try await Self.post(app, cookie: cookie, fields: ComplaintTests.fields(token), files: [("evidence", "", [])])
        #expect(status == .ok && body.contains("已收到您的举报"), "\(body)")
        let kept = try #require(try f.node.store.openComplaints().first)
        #expect(try f.node.store.attachments(of: .complaint, kept.id).isEmpty)
        let (_, _, page) = try await ComplaintTests.status(app, kept.code)
        #expect(!page.contains("举报材料"))
    }

    /// A program named as a photo, a file past 5 MB, an empty file or a fourth file: the report
    /// is refused with what to do, nothing kept, what was typed given back and the reporter told
    /// to choose the files again.
    @Test func aFileThatIsNotAPhotoOrAPDFOrTooLargeOrOneTooManyIsRefusedAndNothingKept() async throws {
        let f = try PortalFixture()
        let app = Application(router: f.portal.router())
        let (cookie, token, _) = try await ComplaintTests.form(app)
        let cases: [(files: [(name: String, filename: String, bytes: [UInt8])], says: String)] = [
            ([("evidence", "现场照片.jpg", Self.program)], "举报材料“现场照片.jpg”不是 JPG、PNG 图片或 PDF 文件"),
            ([("evidence", "大图.png", Self.png + Array(repeating: 0, count: Attachments.bytesMax))], "举报材料“大图.png”超过 5 MB"),
            ([("evidence", "空.png", [])], "举报材料“空.png”是空文件"),
            (Array(repeating: ("evidence", "a.png", Self.png), count: 4), "举报材料最多 3 份（选了 4 份）"),
        ]
        for c in cases {
            let (status, body) = try await Self.post(app, cookie: cookie, fields: ComplaintTests.fields(token), files: c.files)
            #expect(status == .badRequest && body.contains(c.says), "\(c.says): \(body.prefix(300))")
            #expect(body.contains("刚才选择的举报材料没有保存") && body.contains("江岸区某某超市"))
            #expect(try f.node.store.openComplaints().isEmpty)
        }
        // Beyond every file's limit together: refused before it is read.
        let huge = Array(repeating: UInt8(0x41), count: Portal.complaintBodyMax + 1)
        let (status, body) = try await Self.post(app, cookie: cookie, fields: ComplaintTests.fields(token), files: [("evidence", "x.png", huge)])
        #expect(status == .contentTooLarge && body.contains("每份不超过 5 MB"))
        // Without the page's token the files change nothing either.
        let (refused, _) = try await Self.post(
            app, cookie: "cn_csrf=other", fields: ComplaintTests.fields(token), files: [("evidence", "a.png", Self.png)])
        #expect(refused == .forbidden)
        #expect(try f.node.store.openComplaints().isEmpty)
    }

    @Test func aFileIsToldByItsFirstBytesAndNamedSafely() {
        #expect(Attachments.FileType.of([0xFF, 0xD8, 0xFF, 0xE0, 0x00]) == .jpeg)
        #expect(Attachments.FileType.of(Self.png) == .png && Attachments.FileType.of(Self.pdf) == .pdf)
        #expect(Attachments.FileType.of(Self.program) == nil && Attachments.FileType.of(Array("<html>".utf8)) == nil)
        #expect(Attachments.FileType.of([0xFF, 0xD8]) == nil)
        #expect(Attachments.name("/home/me/照片.jpg", position: 1, type: .jpeg) == "照片.jpg")
        #expect(Attachments.name("a\u{7}b\"c.png", position: 1, type: .png) == "abc.png")
        #expect(Attachments.name("  ", position: 2, type: .pdf) == "材料2.pdf")
        #expect(Attachments.name("", position: 1, type: nil) == "材料1")
        #expect(Attachments.name(String(repeating: "长", count: 200) + ".pdf", position: 1, type: .pdf).count == 80)
        #expect(OperationsPages.fileSize(100) == "1 KB" && OperationsPages.fileSize(2_048) == "2 KB" && OperationsPages.fileSize(3 << 20) == "3.0 MB")
    }

    /// An objection and a repair application made on a record's page carry their 证明材料 to the
    /// office's work queue; the requester's page says how many; a file that is not a photo or a
    /// PDF refuses the request and nothing is kept.
    @Test func anObjectionAndARepairApplicationCarryTheirProofToTheWorkQueue() async throws {
        let f = try PortalFixture()
        let app = Application(router: f.portal.router())
        let key = f.xssKey
        let (cookie, token) = try await PortalObjectionTests.form(app, key: key)
        let fields = [("key", key), ("csrf", token), ("name", "某某商贸有限公司"), ("contact", "027-88886666"), ("reason", "处罚决定已被复议撤销，附复议决定书。")]
        // Refused first: a spreadsheet is no photo or PDF, whatever its name.
        let (refused, page) = try await Self.post(
            app, cookie: cookie, fields: fields, files: [("evidence", "复议决定书.pdf", Array("PK\u{3}\u{4}xlsx".utf8))], to: "/objections")
        #expect(refused == .badRequest && page.contains("证明材料“复议决定书.pdf”不是 JPG、PNG 图片或 PDF 文件"), "\(page.prefix(400))")
        #expect(try f.node.store.objectionRequests().isEmpty)
        // Beyond three files' worth: refused before it is read.
        let huge = Array(repeating: UInt8(0x25), count: Portal.objectionBodyMax + 1)
        let (tooLarge, said) = try await Self.post(app, cookie: cookie, fields: fields, files: [("evidence", "x.pdf", huge)], to: "/objections")
        #expect(tooLarge == .contentTooLarge && said.contains("每份不超过 5 MB"))
        #expect(try f.node.store.objectionRequests().isEmpty)
        let (status, body) = try await Self.post(
            app, cookie: cookie, fields: fields, files: [("evidence", "复议决定书.pdf", Self.pdf), ("evidence", "", [])], to: "/objections")
        #expect(status == .ok && body.contains("已收到您的异议申诉"), "\(body.prefix(400))")
        let request = try #require(try f.node.store.objectionRequests().first)
        let files = try f.node.store.attachments(of: .request, request.id)
        #expect(files.map(\.name) == ["复议决定书.pdf"] && files.map(\.type) == ["application/pdf"])
        #expect(try f.node.store.attachment(of: .request, request.id, position: 1)?.bytes == Self.pdf)
        // The same number of a report holds none of the request's files.
        #expect(try f.node.store.attachments(of: .complaint, request.id).isEmpty)
        let status2 = try await f.json("/objections/status?code=\(try #require(request.code))")
        #expect((status2["request"] as? [String: Any])?["evidence"] as? Int == 1)
        // The record page's forms send files.
        let record = try await f.get(PortalPages.recordLink(key)).body
        #expect(record.contains("action=\"/objections\" enctype=\"multipart/form-data\"") && record.contains("name=\"evidence\" type=\"file\""))

        try await withOperatorsListener(f.node, tls: false) { port in
            let base = "http://127.0.0.1:\(port)"
            let work = try await fetch(base + "/ops/work")
            #expect(work.body.contains("证明材料") && work.body.contains("href=\"/ops/work/requests/\(request.id)/evidence/1\""))
            let download = try await fetch(base + "/ops/work/requests/\(request.id)/evidence/1")
            #expect(download.status == 200 && download.body == String(decoding: Self.pdf, as: UTF8.self))
            #expect(try await fetch(base + "/ops/work/requests/\(request.id)/evidence/2").status == 404)
        }
    }
}
