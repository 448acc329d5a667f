import ChangeSets
import CreditDomain
import Foundation
import HTTPTypes
import Hummingbird
import NIOCore
import NodePKI
import NodeRuntime

/// `/verify` (报告核验): anyone holding a credit report's JSON — a bank, a tender office — checks it
/// here as `credit-node verify-report` does offline: the issuing node's certificate and signature,
/// then every record back to the node that reported it, against this node's trust (the network's
/// CA and its latest revocation list). Nothing uploaded is kept.
public struct VerifyPage: Sendable, Encodable {
    public struct Result: Sendable, Encodable {
        public var verified: Bool
        /// The refusal's code (`bad-signature` …), nil when verified.
        public var reason: String?
        /// What it means, in Chinese, and the verifier's own words.
        public var message: String
        public var detail: String?
        public var number: String?
        public var issuer: String?
        public var issuerName: String?
        /// As a person reads it.
        public var issuedAt: String?
        public var subject: CreditReport.Subject?
        public var records: Int?
        /// Records vouched for by their origin's signed change set only (their line holds what the
        /// public does not see).
        public var redacted: Int?
    }
    public var site: Site
    public var title: String
    public var result: Result?
    /// Why the upload could not be checked at all (no file, not a form).
    public var error: String?
    public var bytesMax: Int
}

extension Portal {
    /// The largest report file checked.
    static let verifyBytesMax = 4 << 20
    /// Reports one address may have checked in an hour.
    static let verificationsPerHour = 60

    /// The refusal's code in words a reader of the report understands.
    static func verifyMessage(_ code: ReportRefusal.Code) -> String {
        switch code {
        case .malformed: "这不是本信用网络出具的信用报告文件：请上传从信用网站“信用报告”页面下载的电子报告（JSON）。"
        case .unknownCA: "出具报告的节点证书不是本信用网络签发的，或已经过期：不能确认报告的出具者。"
        case .revokedIssuer: "出具报告的节点证书已被吊销：这份报告不可信。"
        case .badSignature: "报告内容与出具节点的签名不符：报告在出具后被改动过。"
        case .alteredRecord: "报告中的记录与报送节点签名的内容不符：记录被改动过。"
        case .wrongProof: "记录的证明不成立：它不在报送节点签名的那一批数据之中。"
        case .originRefused: "记录的报送节点证书不可信或已被吊销：不能确认记录的来源。"
        }
    }

    /// What the upload says, checked against `trust`: verified with the report's particulars, or
    /// refused with why.
    static func verifyResult(_ bytes: [UInt8], trust: TrustStore, now: Date) -> VerifyPage.Result {
        do throws(ReportRefusal) {
            let signed: SignedReport
            do { signed = try JSONDecoder().decode(SignedReport.self, from: Data(bytes)) } catch {
                throw ReportRefusal(.malformed, "not a signed credit report (payload, certificate, signature)")
            }
            let report = try signed.verify(trust: trust, now: now)
            let redacted = report.entries.filter(\.redacted).count
            return VerifyPage.Result(
                verified: true, reason: nil,
                message: "报告由出具节点签名，内容未被改动；其中每条记录都经报送它的节点签名。", detail: nil, number: report.number,
                issuer: report.issuer, issuerName: report.issuerName, issuedAt: PortalPages.readable(report.issuedAt), subject: report.subject,
                records: report.entries.count, redacted: redacted)
        } catch {
            return VerifyPage.Result(
                verified: false, reason: error.code.rawValue, message: verifyMessage(error.code), detail: Masking.maskResidentIDs(in: error.message))
        }
    }

    func verifyPage(result: VerifyPage.Result? = nil, error: String? = nil) -> VerifyPage {
        VerifyPage(site: pages.site(), title: "报告核验", result: result, error: error, bytesMax: Self.verifyBytesMax >> 20)
    }

    /// `POST /verify`: a report file sent with the form (`multipart/form-data`, the file `report`),
    /// answered with the result on the same page (200 whether verified or refused); 400 when no
    /// file came, 413 past `verifyBytesMax`, 429 past `verificationsPerHour` from one address. A
    /// report is a signature check per record: it runs on the long-work pool, not on one of the
    /// page threads the portal's readers share.
    func verify(_ request: Request, from address: String?) async -> Response {
        var request = request
        let json = FormValues(request.uri.query)["format"] == "json"
        let refuse = { (status: HTTPResponse.Status, message: String) -> Response in
            let page = verifyPage(error: message)
            return json ? Self.json(page, status: status) : html(page, template: "verify", status: status)
        }
        let body: ByteBuffer
        do { body = try await request.collectBody(upTo: Self.verifyBytesMax) } catch {
            return refuse(.contentTooLarge, "文件过大：信用报告文件最多 \(Self.verifyBytesMax >> 20) MB。")
        }
        guard let boundary = request.headers[.contentType].flatMap(MultipartForm.boundary(contentType:)),
            let form = MultipartForm(Array(body.readableBytesView), boundary: boundary)
        else { return refuse(.badRequest, "请用本页的表单上传报告文件。") }
        guard let file = form["report"], !file.isEmpty else { return refuse(.badRequest, "请选择要核验的信用报告文件（JSON）。") }
        let now = clock()
        guard verifications.take(address ?? "unknown", now: now) else {
            return refuse(.tooManyRequests, "同一网络地址每小时最多核验 \(Self.verificationsPerHour) 份报告，请稍后再试。")
        }
        let node = self.node
        let result = await BlockingWork.run { () throws -> VerifyPage.Result in
            Self.verifyResult(file, trust: try node.credentials.trust(), now: now)
        }
        switch result {
        case .success(let outcome):
            let page = verifyPage(result: outcome)
            return json ? Self.json(page) : html(page, template: "verify", status: .ok)
        case .failure(let error): return failure(error, json: json)
        }
    }
}
