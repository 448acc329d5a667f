import AsyncHTTPClient
import CreditDomain
import CreditStore
import Foundation
import NIOCore
import NIOSSL
import NodePKI
import SampleData
import TestSupport
import ServiceLifecycle
import Testing
import X509

@testable import NodeRuntime

func withRecordsServer(_ node: NodeContext, tls: Bool, _ body: @Sendable (Int) async throws -> Void) async throws {
    let (ports, continuation) = AsyncStream<Int>.makeStream()
    let app = try RecordsServer(node: node).application(host: "127.0.0.1", port: 0, requireClientCertificate: tls) { continuation.yield($0) }
    try await withListener(app, node: node, ports: ports, body)
}

@Suite("Records listener for department systems", .serialized)
struct RecordsServerTests {
    static func post(_ url: String, _ bytes: [UInt8], tls: TLSConfiguration? = nil) async throws -> (status: Int, body: String) {
        var request = HTTPClientRequest(url: url)
        request.method = .POST
        request.body = .bytes(ByteBuffer(bytes: bytes))
        return try await withHTTPClient(.init(tlsConfiguration: tls)) { client in
            let response = try await client.execute(request, timeout: .seconds(30))
            let body = try await response.body.collect(upTo: 1 << 20)
            return (Int(response.status.code), String(buffer: body))
        }
    }

    @Test func uploadsGetTheSameValidationAsFiles() async throws {
        // The rows are dated from 2026-11-20 and so is the listener's today: a row the generator
        // dates in the future stays in the future whatever day the test runs.
        let day = CivilDate(year: 2026, month: 11, day: 20)!
        let net = try OfflineChain(clock: { morning(day) })
        let village = net.village
        let kind = try village.catalogue.kind(named: "penalty")
        var options = SampleGenerator.Options(seed: 4, node: village.configuration.code, asOf: day)
        options.faultShare = 0.2
        var generator = SampleGenerator(options)
        let rows = generator.rows(kind: kind, count: 100)
        let csv = Array(SampleGenerator.csv(kind: kind, rows: rows, header: .names).utf8)
        try await withRecordsServer(village, tls: false) { port in
            let ok = try await Self.post("http://127.0.0.1:\(port)/v1/records?kind=行政处罚", csv)
            #expect(ok.status == 200)
            let report = try #require(try JSONSerialization.jsonObject(with: Data(ok.body.utf8)) as? [String: Any])
            let faulty = rows.filter { $0.fault != nil }.count
            #expect(report["accepted"] as? Int == 100 - faulty && report["rejected"] as? Int == faulty)
            let empty = try await Self.post("http://127.0.0.1:\(port)/v1/records?kind=penalty", [])
            #expect(empty.status == 422 && empty.body.contains("empty"))
            let noKind = try await Self.post("http://127.0.0.1:\(port)/v1/records", csv)
            #expect(noKind.status == 400)
            let unknown = try await Self.post("http://127.0.0.1:\(port)/v1/records?kind=fines", csv)
            #expect(unknown.status == 400 && unknown.body.contains("penalty"))
        }
        #expect(try village.store.counts().records == rows.filter { $0.fault == nil }.count)
    }

    @Test func exposedItRequiresAClientCertificate() async throws {
        let net = try OfflineChain()
        let village = net.village
        let caCert = net.ca.certificate
        let department = try net.ca.issue(role: .department, name: "江岸区市场监督管理局", code: village.configuration.code)
        let csv = Array("行政相对人名称\n甲\n".utf8)
        try await withRecordsServer(village, tls: true) { port in
            var anonymous = TLSConfiguration.makeClientConfiguration()
            anonymous.trustRoots = .certificates([try TLSConfigurations.nio(caCert)])
            anonymous.certificateVerification = .noHostnameVerification
            await #expect(throws: (any Error).self) {
                _ = try await Self.post("https://127.0.0.1:\(port)/v1/records?kind=penalty", csv, tls: anonymous)
            }
            var withCertificate = try TLSConfigurations.client(identity: department, ca: caCert)
            withCertificate.certificateVerification = .noHostnameVerification
            let answered = try await Self.post("https://127.0.0.1:\(port)/v1/records?kind=penalty", csv, tls: withCertificate)
            #expect(answered.status == 422)  // reached the validator: the header lacks required columns
        }
    }

    /// Who may write on the exposed records listener: a department or operator of this node by
    /// its certificate — never a node's certificate, another node's department, or a revoked one —
    /// and every write is in the audit trail with the writer's certificate.
    @Test func onlyThisNodesDepartmentsAndOperatorsWriteAndEveryWriteIsAudited() async throws {
        let net = try OfflineChain()
        let village = net.village
        let caCert = net.ca.certificate
        let code = village.configuration.code
        let department = try net.ca.issue(role: .department, name: "江岸区市场监督管理局", code: code)
        let revokedDepartment = try net.ca.issue(role: .department, name: "江岸区应急管理局", code: code)
        let operatorID = try net.ca.issue(role: .operator, name: "张三", code: code)
        let otherDepartment = try net.ca.issue(role: .department, name: "别处的局", code: net.village2.configuration.code)
        let villageNode = try net.ca.issue(code: code)
        let provinceNode = try net.ca.issue(code: try DivisionCode("420000000000"))
        _ = try net.ca.revoke(revokedDepartment.certificate, reason: "离职", in: try Export.identityDirectory(of: village.configuration))
        #expect(
            CertificateHolder.of(department.certificate)
                == CertificateHolder(
                    role: .department, code: code, name: "江岸区市场监督管理局", serial: RevocationList.hex(department.certificate.serialNumber)))

        let kind = try village.catalogue.kind(named: "penalty")
        var options = SampleGenerator.Options(seed: 21, node: code, asOf: CivilDate(year: 2026, month: 11, day: 20)!)
        options.faultShare = 0
        var generator = SampleGenerator(options)
        let csv = Array(SampleGenerator.csv(kind: kind, rows: generator.rows(kind: kind, count: 3), header: .codes).utf8)
        try await withRecordsServer(village, tls: true) { port in
            func post(_ path: String, _ body: [UInt8], as identity: NodeIdentity) async throws -> (status: Int, body: String) {
                var tls = try TLSConfigurations.client(identity: identity, ca: caCert)
                tls.certificateVerification = .noHostnameVerification
                return try await Self.post("https://127.0.0.1:\(port)\(path)", body, tls: tls)
            }
            // Refused before anything is read or written: node certificates, another node's department, a revoked one.
            let asNode = try await post("/v1/records?kind=penalty", csv, as: villageNode)
            #expect(asNode.status == 403 && asNode.body.contains("not-a-writer"))
            #expect(try await post("/v1/records?kind=penalty", csv, as: provinceNode).status == 403)
            let elsewhere = try await post("/v1/records?kind=penalty", csv, as: otherDepartment)
            #expect(elsewhere.status == 403 && elsewhere.body.contains("wrong-node"))
            let revoked = try await post("/v1/records?kind=penalty", csv, as: revokedDepartment)
            #expect(revoked.status == 403 && revoked.body.contains("revoked"))
            #expect(try village.store.counts().records == 0)
            // Accepted: the department writes records; the operator an objection on one of them.
            let written = try await post("/v1/records?kind=penalty", csv, as: department)
            #expect(written.status == 200, "\(written.body)")
            let key = try #require(try village.store.allRecords().first?.key)
            let objection = #"{"recordKey":"\#(key)","action":"objection-opened","reason":"企业提出异议","unit":"江岸区信用办"}"#
            let opened = try await post("/v1/status-changes", Array(objection.utf8), as: operatorID)
            #expect(opened.status == 200, "\(opened.body)")
            // Checks: any valid certificate of the network, a node's too; not a revoked one.
            #expect(
                try await withHTTPClient(
                    .init(
                        tlsConfiguration: {
                            var t = try TLSConfigurations.client(identity: villageNode, ca: caCert);
                            t.certificateVerification = .noHostnameVerification; return t
                        }())
                ) { client in
                    try await client.execute(HTTPClientRequest(url: "https://127.0.0.1:\(port)/v1/check/91110000600037341L"), timeout: .seconds(10))
                        .status
                } == .ok)
        }
        #expect(try village.store.counts().records == 3)
        let audit = try village.store.audit()
        #expect(audit.count == 2)
        #expect(
            audit[0].actor
                == AuditActor(
                    role: "department", code: code.digits, name: "江岸区市场监督管理局", serial: RevocationList.hex(department.certificate.serialNumber)))
        #expect(audit[0].action == "records" && audit[0].kind == "penalty" && audit[0].detail.contains("accepted 3"))
        #expect(
            audit[1].actor.role == "operator" && audit[1].actor.name == "张三" && audit[1].action == "status-change"
                && audit[1].detail.contains("objected"))
    }
}
