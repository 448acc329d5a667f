import AsyncHTTPClient
import CreditDomain
import Foundation
import NIOCore
import NIOSSL
import NodePKI
import SampleData
import TestSupport
import ServiceLifecycle
import Testing

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
        let net = try OfflineChain()
        let village = net.village
        let kind = try village.catalogue.kind(named: "penalty")
        var options = SampleGenerator.Options(seed: 4, node: village.configuration.code, asOf: CivilDate(year: 2026, month: 11, day: 20)!)
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
        let department = try net.ca.issue(code: village.configuration.code)
        let csv = Array("行政相对人名称\n甲\n".utf8)
        try await withRecordsServer(village, tls: true) { port in
            var anonymous = TLSConfiguration.makeClientConfiguration()
            anonymous.trustRoots = .certificates([try TLSConfigurations.nio(caCert)])
            anonymous.certificateVerification = .noHostnameVerification
            await #expect(throws: (any Error).self) { _ = try await Self.post("https://127.0.0.1:\(port)/v1/records?kind=penalty", csv, tls: anonymous) }
            var withCertificate = try TLSConfigurations.client(identity: department, ca: caCert)
            withCertificate.certificateVerification = .noHostnameVerification
            let answered = try await Self.post("https://127.0.0.1:\(port)/v1/records?kind=penalty", csv, tls: withCertificate)
            #expect(answered.status == 422)  // reached the validator: the header lacks required columns
        }
    }
}
