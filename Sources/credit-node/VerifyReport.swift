import ArgumentParser
import ChangeSets
import CreditDomain
import Foundation
import NodePKI

struct VerifyReport: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "verify-report",
        abstract: "Check a credit report (信用报告, the portal's /reports/{code}?format=json) offline, with no store.",
        discussion: """
            Checks the issuing node's certificate (issued by the CA, not revoked) and its signature over the report, then every \
            record back to the node that reported it: that node's certificate and signature over its change-set header, the \
            Merkle inclusion proof of the record's change, and the change line against the fields shown. Exit 0: verified; \
            65: refused, with the reason's code (altered-record, wrong-proof, unknown-ca, revoked-issuer, bad-signature, \
            origin-refused, malformed-report).
            """)

    @Argument(help: "The report file (JSON, as downloaded).")
    var file: String

    @Option(help: "The network CA certificate (ca.pem).")
    var ca: String

    @Option(help: "The CA's revocation list (revoked.json), to refuse a revoked issuer or origin.")
    var revoked: String?

    @Flag(help: "Print the result as JSON.")
    var json = false

    struct Output: Encodable {
        var file: String
        var verified: Bool
        var reason: String?
        var message: String
        var number: String?
        var issuer: String?
        var issuedAt: String?
        var subject: String?
        var records: Int?
        /// Records whose line holds a personal ID number: their digest is proven, not their fields.
        var redacted: Int?
    }

    func run() throws {
        try guarded {
            let data: Data
            do { data = try Data(contentsOf: URL(fileURLWithPath: file)) } catch {
                throw ExitFailure(message: "cannot read \(file): \(error.localizedDescription)", code: 66)
            }
            let trust = try TrustStore(
                ca: try NodeFiles.certificate(ca), revocations: try revoked.map { try RevocationList.load(URL(fileURLWithPath: $0)) })
            let output: Output
            do throws(ReportRefusal) {
                let signed: SignedReport
                do { signed = try JSONDecoder().decode(SignedReport.self, from: data) } catch {
                    throw ReportRefusal(.malformed, "\(file) is not a signed credit report (payload, certificate, signature): \(error)")
                }
                let report = try signed.verify(trust: trust)
                let redacted = report.entries.filter(\.redacted).count
                output = Output(
                    file: file, verified: true, reason: nil,
                    message:
                        "verified: issued by \(report.issuer) (\(report.issuerName)) at \(report.issuedAt); \(report.entries.count) record(s), each signed by the node that reported it"
                        + (redacted > 0
                            ? "; \(redacted) of them vouched for by their origin's signed change set only (their line holds what the public does not see, such as an ID number)"
                            : ""),
                    number: report.number, issuer: report.issuer, issuedAt: report.issuedAt, subject: report.subject.name,
                    records: report.entries.count,
                    redacted: redacted)
            } catch {
                output = Output(file: file, verified: false, reason: error.code.rawValue, message: "REFUSED: \(error.message)")
            }
            if json {
                try printJSON(output)
            } else {
                if let number = output.number { print("\(file): report \(number) on \(output.subject ?? "")") }
                print(output.verified ? output.message : "\(file): \(output.message) [\(output.reason ?? "")]")
            }
            if !output.verified { throw ExitCode(65) }
        }
    }
}
