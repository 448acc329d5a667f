import CreditDomain
import Foundation
import NodePKI
import SyncCore
import Testing

@testable import ChangeSets

@Suite("Health records and bundles that carry them")
struct HealthRecordTests {
    /// Now, to the second: the test certificates are issued now, and a forwarded record is
    /// judged as of its signing.
    static let now = ChinaTime.milliseconds(Date()) / 1000 * 1000

    static func health(_ code: String = "420102002201", name: String = "江岸区某村", at: Int64 = now) -> NodeHealth {
        NodeHealth(
            code: code, name: name, parent: "420102002000", children: [], issuedAt: at, windowSeconds: 259_200, backlog: 3,
            oldestPendingAt: at - 60_000, records: 120, quarantined: 2, software: "0.16.0", catalogue: "2026.1")
    }

    @Test func aSignedRecordReadsBackAndVerifies() throws {
        let net = try Network()
        let record = try HealthRecord.build(Self.health(), identity: net.village)
        let read = try HealthRecord.decode(record.encoded)
        #expect(read.health == Self.health())
        try read.verify(trust: net.trust, forwarded: false)
        let length = record.encoded[5..<9].reduce(0) { $0 << 8 | Int($1) }
        let content = String(decoding: record.encoded[9..<(9 + length)], as: UTF8.self)
        #expect(content.hasPrefix("{\"backlog\":3,\"catalogue\":\"2026.1\",\"children\":[],\"code\":\"420102002201\""))
        #expect(content.contains("\"name\":\"江岸区某村\""))
    }

    @Test func alteredOrMisattributedRecordsAreRefusedWithTheirReason() throws {
        let net = try Network()
        let good = try HealthRecord.build(Self.health(), identity: net.village).encoded
        // A byte of the content changed: the backlog 3 becomes 4.
        var altered = good
        let i = altered.firstIndex(of: UInt8(ascii: "3"))!
        altered[i] = UInt8(ascii: "4")
        #expect(refusal { try HealthRecord.decode(altered).verify(trust: net.trust, forwarded: false) } == .badSignature)
        // Signed by the township about the village: not the village's own word.
        let forged = try HealthRecord.build(Self.health(), identity: net.township).encoded
        #expect(refusal { try HealthRecord.decode(forged).verify(trust: net.trust, forwarded: true) } == .identityMismatch)
        // Not canonical (a space), bad magic, truncated.
        let length = good[5..<9].reduce(0) { $0 << 8 | Int($1) }
        let content = Array("{ \"backlog\":3}".utf8)
        let spaced = Array("CNHL".utf8) + [1, 0, 0, 0, UInt8(content.count)] + content + good[(9 + length)...]
        #expect(refusal { _ = try HealthRecord.decode(spaced) } == .badHeader)
        #expect(refusal { _ = try HealthRecord.decode(Array("CNRC".utf8) + good.dropFirst(4)) } == .badMagic)
        #expect(refusal { _ = try HealthRecord.decode(Array(good.prefix(3))) } == .truncated)
    }

    @Test func aBundleCarriesHealthAsVersionTwoAndRefusesRecordsOutsideItsSender() throws {
        let net = try Network()
        let own = try HealthRecord.build(Self.health("420102002000", name: "某街道", at: Self.now + 1000), identity: net.township)
        let village = try HealthRecord.build(Self.health(), identity: net.village)
        let bundle = try ChangeBundle.build([], health: [own, village], identity: net.township)
        #expect(bundle.encoded[4] == 2)
        let read = try ChangeBundle.decode(bundle.encoded)
        #expect(read.health.map(\.health.code) == ["420102002000", "420102002201"])
        _ = try read.verify(trust: net.trust)
        #expect(read.verifiedHealth(trust: net.trust).entries.count == 2)
        // Without health records the bundle stays version 1, as before.
        #expect(try ChangeBundle.build([], identity: net.township).encoded[4] == 1)
        // The village cannot carry its township's record upward, nor one node's twice.
        let upside = try ChangeBundle.build([], health: [own], identity: net.village)
        #expect(refusal { _ = try ChangeBundle.decode(upside.encoded).verify(trust: net.trust) } == .outsideSubtree)
        let twice = try ChangeBundle.build([], health: [village, village], identity: net.township)
        #expect(refusal { _ = try ChangeBundle.decode(twice.encoded).verify(trust: net.trust) } == .badHeader)
        // A record that fails on its own is dropped with its reason; the bundle still verifies.
        let forged = try HealthRecord.build(Self.health(), identity: net.township)
        let mixed = try ChangeBundle.decode(try ChangeBundle.build([], health: [own, forged], identity: net.township).encoded)
        _ = try mixed.verify(trust: net.trust)
        let judged = mixed.verifiedHealth(trust: net.trust)
        #expect(judged.entries.map(\.health.code) == ["420102002000"] && judged.refused.map(\.error.code) == [.identityMismatch])
    }

    /// A push signs its bundle from the records' kept bytes: the same layout as `build`, the hash
    /// its receipt will name, and a bundle the parent reads and verifies like any other.
    @Test func aBundleSignedFromKeptBytesIsTheBundleBuiltFromRecords() throws {
        let net = try Network()
        let own = try HealthRecord.build(Self.health("420102002000", name: "某街道", at: Self.now + 1000), identity: net.township)
        let village = try HealthRecord.build(Self.health(), identity: net.village)
        let at = Date(timeIntervalSince1970: 1_780_000_000)
        let signed = try ChangeBundle.sign([], healthRecords: [own.encoded, village.encoded], identity: net.township, now: at)
        let built = try ChangeBundle.build([], health: [own, village], identity: net.township, now: at)
        let read = try ChangeBundle.decode(signed.encoded)
        #expect(signed.hash == read.hash && signed.hash == built.hash)
        _ = try read.verify(trust: net.trust)
        #expect(read.verifiedHealth(trust: net.trust).entries.map(\.health.code) == ["420102002000", "420102002201"])
        #expect(try ChangeBundle.sign([], healthRecords: [], identity: net.township, now: at).encoded[4] == 1)
        // Bytes that are not a record are refused by the parent, as from `build`.
        let junk = try ChangeBundle.sign([], healthRecords: [Array("not a record".utf8)], identity: net.township, now: at)
        #expect(refusal { _ = try ChangeBundle.decode(junk.encoded) } == .badMagic)
    }
}
