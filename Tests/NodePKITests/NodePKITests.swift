import CreditDomain
import Foundation
import TestSupport
import Testing
import X509

@testable import NodePKI

@Suite("Network PKI")
struct NodePKITests {
    let ca: NetworkCA
    let village: DivisionCode
    init() throws {
        ca = try NetworkCA.create()
        village = try DivisionCode("420102002201")
    }

    @Test func aNodeCertificateCarriesItsCodeAndIsTrusted() throws {
        let node = try ca.issue(code: village)
        #expect(NodeIdentity.code(of: node.certificate) == village)
        let trust = try TrustStore(ca: ca.certificate)
        #expect(try trust.verify(node.certificate) == village)
        let eku = try #require(try node.certificate.extensions.extendedKeyUsage)
        #expect(eku.contains(.serverAuth) && eku.contains(.clientAuth))
    }

    @Test func refusals() throws {
        let node = try ca.issue(code: village)
        func code(_ body: () throws -> DivisionCode) -> PKIError.Code? {
            do {
                _ = try body()
                return nil
            } catch { return (error as? PKIError)?.code }
        }
        // Another CA, even with the same name.
        let other = try NetworkCA.create()
        #expect(code { try TrustStore(ca: other.certificate).verify(node.certificate) } == .unknownCA)
        // Expired and not yet valid.
        let old = try ca.issue(code: village, now: Date().addingTimeInterval(-30 * 86_400), validityDays: 10)
        #expect(code { try TrustStore(ca: ca.certificate).verify(old.certificate) } == .expired)
        #expect(code { try TrustStore(ca: ca.certificate).verify(node.certificate, now: Date().addingTimeInterval(-86_400)) } == .notYetValid)
        // The CA certificate itself names no node.
        #expect(code { try TrustStore(ca: ca.certificate).verify(ca.certificate) } == .noIdentity)
    }

    @Test func revocationIsSignedAndEnforced() throws {
        let dir = try TemporaryDirectory()
        let revoked = try ca.issue(code: village)
        let kept = try ca.issue(code: try DivisionCode("420102002202"))
        let list = try ca.revoke(revoked.certificate, reason: "key compromised", in: dir.url)
        let loaded = try RevocationList.load(dir.url.appendingPathComponent("revoked.json"))
        #expect(loaded == list && loaded.content.entries.map(\.code) == ["420102002201"])
        let trust = try TrustStore(ca: ca.certificate, revocations: loaded)
        do {
            _ = try trust.verify(revoked.certificate)
            Issue.record("a revoked certificate was accepted")
        } catch { #expect(error.code == .revoked) }
        #expect(try trust.verify(kept.certificate).digits == "420102002202")
        // A list not signed by this CA, or altered after signing, is refused.
        let other = try NetworkCA.create()
        #expect(throws: PKIError.self) { try TrustStore(ca: other.certificate, revocations: loaded) }
        var altered = loaded
        altered.content.entries = []
        #expect(throws: PKIError.self) { try TrustStore(ca: ca.certificate, revocations: altered) }
        // One form only: the file as the CA wrote it (newline included); a reformatted copy is refused.
        let file = try Data(contentsOf: dir.url.appendingPathComponent("revoked.json"))
        #expect(file.last == 0x0A)
        #expect(throws: PKIError.self) { try RevocationList.parse(Array(file.dropLast()), source: "no newline") }
        #expect(throws: PKIError.self) { try RevocationList.parse(Array(String(decoding: file, as: UTF8.self).replacingOccurrences(of: ",\"signature\"", with: ", \"signature\"").utf8), source: "a space") }
        // Its signature is low-S: the re-encoded twin is refused.
        var twin = loaded
        twin.signature = try #require(CanonicalSignature.flipped(loaded.signature))
        #expect(throws: PKIError.self) { try TrustStore(ca: ca.certificate, revocations: twin) }
        // Revoking again keeps one entry and raises the version.
        let again = try ca.revoke(revoked.certificate, reason: "again", in: dir.url)
        #expect(again.content.entries.count == 1 && again.content.version == 2)
    }

    @Test func filesRoundTripAndKeysAreOwnerOnly() throws {
        let dir = try TemporaryDirectory()
        try ca.write(to: dir.url)
        let loaded = try NetworkCA.load(from: dir.url)
        #expect(loaded.certificate == ca.certificate)
        let node = try ca.issue(code: village)
        let nodeDir = dir.url.appendingPathComponent("node")
        try FileManager.default.createDirectory(at: nodeDir, withIntermediateDirectories: true)
        try node.write(to: nodeDir, ca: ca.certificate)
        #expect(try NodeIdentity.load(from: nodeDir).code == village)
        for path in [dir.path("ca.key"), nodeDir.appendingPathComponent("node.key").path] {
            let mode = try #require(try FileManager.default.attributesOfItem(atPath: path)[.posixPermissions] as? NSNumber)
            #expect(mode.intValue == 0o600, "\(path)")
        }
        // A key that does not match its certificate is refused.
        try FileManager.default.copyItem(atPath: dir.path("ca.key"), toPath: nodeDir.appendingPathComponent("other.key").path)
        try FileManager.default.removeItem(at: nodeDir.appendingPathComponent("node.key"))
        try FileManager.default.moveItem(at: nodeDir.appendingPathComponent("other.key"), to: nodeDir.appendingPathComponent("node.key"))
        #expect(throws: PKIError.self) { try NodeIdentity.load(from: nodeDir) }
    }

    @Test func opensslShowsTheIdentity() throws {
        let dir = try TemporaryDirectory()
        let node = try ca.issue(code: village)
        try node.write(to: dir.url, ca: ca.certificate)
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/openssl")
        p.arguments = ["x509", "-in", dir.path("node.pem"), "-noout", "-text"]
        let out = Pipe()
        p.standardOutput = out
        try p.run()
        let text = String(decoding: out.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        p.waitUntilExit()
        #expect(text.contains("URI:creditnet://node/420102002201"))
        #expect(text.contains("TLS Web Client Authentication") && text.contains("TLS Web Server Authentication"))
        let verify = Process()
        verify.executableURL = URL(fileURLWithPath: "/usr/bin/openssl")
        verify.arguments = ["verify", "-CAfile", dir.path("ca.pem"), dir.path("node.pem")]
        verify.standardOutput = FileHandle.nullDevice
        try verify.run()
        verify.waitUntilExit()
        #expect(verify.terminationStatus == 0)
    }
}
