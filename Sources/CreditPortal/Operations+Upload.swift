import CreditDomain
import CreditStore
import Foundation
import HTTPTypes
import Hummingbird
import NIOCore
import NodeRuntime

extension Operations {
    /// The largest file the upload form takes (a department's month of decisions is a few MB;
    /// larger back-fills go through `credit-node ingest` or `POST /v1/records`).
    static let uploadBytesMax = 32 << 20

    /// `GET /ops/upload` (the form), `GET /ops/upload/template?kind=` (a kind's header line as CSV)
    /// and `POST /ops/upload` (数据报送: a department's file stored as `credit-node ingest` stores it).
    func registerUpload(on router: RouterGroup<SyncRequestContext>) {
        let ops = self
        let node = portal.node
        router.get("upload") { request, context -> Response in
            let reader = try await context.operatorCaller(node)
            let kind = FormValues(request.uri.query)["kind"]
            return await ops.formPage(request, template: "ops-upload") { now, token in
                try ops.pages.upload(reader: Self.name(reader), now: now, csrf: token, kind: kind)
            }
        }
        router.get("upload/template") { request, context -> Response in
            _ = try await context.operatorCaller(node)
            do {
                let t = try ops.pages.uploadTemplate(kind: FormValues(request.uri.query)["kind"] ?? "")
                return Portal.csvDownload(t.bytes, name: "报送模板-\(t.name).csv", fallback: "template-\(t.slug).csv")
            } catch let e as CatalogueError {
                return ops.failure(PortalPages.BadParameter(message: "没有这种记录类别（\(e.message)）。"), json: false)
            }
        }
        router.post("upload") { request, context -> Response in
            let actor = try await context.operatorCaller(node)
            return await ops.upload(request, actor: actor)
        }
    }

    /// `POST /ops/upload` (`multipart/form-data`: the page's token `csrf`, the kind `kind`, the
    /// file `records`): validated and stored in one transaction by the operator in the audit trail,
    /// good rows as records, bad rows in quarantine; answered with what was done and the first
    /// refused rows. A file that cannot be read as a whole (empty, not UTF-8 or GB18030, no
    /// header, a required column missing) is refused on the form with what to fix (400) and
    /// nothing is written; so is a form not sent from the page (its token).
    func upload(_ request: Request, actor: AuditActor) async -> Response {
        var request = request
        let (now, reader, token, json) = formPost(request, actor: actor)
        let pages = self.pages
        let node = portal.node
        let answer = { (status: HTTPResponse.Status, kind: String?, error: String?, report: IngestReport?) -> Response in
            self.formAnswer(status: status, template: "ops-upload", json: json, token: token) {
                try pages.upload(reader: reader, now: now, csrf: token, kind: kind, error: error, report: report)
            }
        }
        do { try node.refuseIfDamaged() } catch {
            return answer(.serviceUnavailable, nil, "本节点的数据库已损坏，恢复前不接收报送（见节点日志）。", nil)
        }
        let body: ByteBuffer
        do { body = try await request.collectBody(upTo: Self.uploadBytesMax) } catch {
            return answer(.contentTooLarge, nil, "文件过大：网页报送每次最多 \(Self.uploadBytesMax >> 20) MB，请分成几个文件报送。", nil)
        }
        guard let boundary = request.headers[.contentType].flatMap(MultipartForm.boundary(contentType:)),
            let form = MultipartForm(Array(body.readableBytesView), boundary: boundary)
        else { return answer(.badRequest, nil, "请用本页的表单选择文件报送（multipart/form-data）。", nil) }
        let kind = form.text("kind") ?? ""
        guard let cookie = CSRF.token(in: request), let sent = form.text("csrf"), CSRF.matches(cookie, sent) else {
            return answer(.badRequest, kind, "表单已过期或不是从本页提交的：请在本页重新选择文件报送。", nil)
        }
        guard let file = form.parts.first(where: { $0.name == "records" }), !file.bytes.isEmpty else {
            return answer(.badRequest, kind, "请选择要报送的文件（CSV 或 JSON Lines，UTF-8 或 GB18030）。", nil)
        }
        let name = Self.uploadedName(file.filename)
        // Thousands of rows are seconds of work: on the long-work pool.
        let result = await BlockingWork.run {
            try FileIngestion(node: node).ingest(
                bytes: file.bytes, name: name, kind: kind, format: InputFormat.guess(fileName: name), now: now, actor: actor)
        }
        switch result {
        case .success(let report):
            node.logger.info(
                "records written from the operators' upload form",
                metadata: [
                    "by": "\(actor.description)", "kind": "\(report.kind)", "ingest": "\(report.ingestID)", "accepted": "\(report.accepted)",
                    "rejected": "\(report.rejected)",
                ])
            return answer(.ok, kind, nil, report)
        case .failure(let e as IngestError): return answer(.badRequest, kind, Self.explained(e), nil)
        case .failure(let e as CatalogueError): return answer(.badRequest, kind, "请选择记录类别（\(e.message)）。", nil)
        case .failure(let error):
            node.logger.error("an upload could not be stored", metadata: ["by": "\(actor.description)", "reason": "\(error)"])
            return answer(.internalServerError, kind, "文件未能保存，没有写入任何数据；请联系运维人员查看节点日志。", nil)
        }
    }

    /// The uploaded file's name as the audit and the quarantine keep it: its last path part,
    /// at most 100 characters, `网页报送.csv` when the browser sent none.
    static func uploadedName(_ filename: String?) -> String {
        let last = (filename ?? "").split(whereSeparator: { $0 == "/" || $0 == "\\" }).last.map(String.init) ?? ""
        let clean = String(last.filter { !$0.isNewline && $0 != "\"" }.prefix(100)).trimmingCharacters(in: .whitespaces)
        return clean.isEmpty ? "网页报送.csv" : clean
    }

    /// A file refused as a whole, as the office reads it: what to do in Chinese, then the reader's
    /// own words (which may quote the first line: resident ID numbers masked).
    static func explained(_ e: IngestError) -> String {
        "\(e.advice)没有写入任何数据。（\(Masking.maskResidentIDs(in: e.message))）"
    }
}
