import ArgumentParser
import ChangeSets
import CreditDomain
import Foundation
import NodePKI

struct Inspect: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Verify and describe a change set or bundle: origins, seq ranges, sizes, compression, chain, signatures.",
        discussion: "With --ca every certificate, signature, hash, Merkle root and line is checked; without it only the structure is read.")

    @Argument(help: "A change set (.cncs) or bundle (.cnbd) file.")
    var file: String

    @Option(help: "The network CA certificate (ca.pem) to verify against.")
    var ca: String?

    @Option(help: "The CA's revocation list (revoked.json).")
    var revoked: String?

    @Flag(help: "Print the result as JSON.")
    var json = false

    struct Output: Encodable {
        var file: String
        var format: String
        var bytes: Int
        var sender: String?
        /// SHA-256 of the bytes the sender signed: what a receipt names (bundles).
        var hash: String?
        var verified: Bool
        var verification: String
        var changeSets: [Set]
        struct Set: Encodable {
            var origin: String
            var firstSeq: Int64
            var lastSeq: Int64
            var count: Int
            var bodyBytes: Int
            var uncompressedBytes: Int
            var compressionRatio: Double
            var merkleRoot: String
            var previousHash: String
            var hash: String
            var createdAt: String
        }
    }

    func run() throws {
        try guarded {
            let data: Data
            do { data = try Data(contentsOf: URL(fileURLWithPath: file)) } catch {
                throw ExitFailure(message: "cannot read \(file): \(error.localizedDescription)", code: 66)
            }
            let bytes = [UInt8](data)
            let isBundle = bytes.starts(with: ChangeBundle.magic)
            let sets: [ChangeSet]
            var sender: String?
            var verifyFailure: ChangeSetError?
            var bundle: ChangeBundle?
            do {
                if isBundle {
                    let b = try ChangeBundle.decode(bytes)
                    bundle = b
                    sender = b.sender
                    sets = b.changeSets
                } else {
                    sets = [try ChangeSet.decode(bytes)]
                }
            } catch {
                throw ExitFailure(message: "\(file) is refused: \(error)", code: 65)
            }
            var verification = "not verified: give --ca with the network's ca.pem"
            // What the bytes alone decide (origins inside the sender, each origin's sets in
            // order and chained) is judged with or without the CA, as a receiver judges it.
            if let bundle {
                do throws(ChangeSetError) { try bundle.checkComposition() } catch { verifyFailure = error }
            }
            if let ca, verifyFailure == nil {
                let caCert = try NodeFiles.certificate(ca)
                let list = try revoked.map { try RevocationList.load(URL(fileURLWithPath: $0)) }
                let trust = try TrustStore(ca: caCert, revocations: list)
                do throws(ChangeSetError) {
                    if let bundle { _ = try bundle.verify(trust: trust) } else { _ = try sets[0].verify(trust: trust) }
                    verification = "verified: certificates, signatures\(isBundle ? " (sender and every origin)" : ""), body hashes, Merkle roots, lines, jurisdictions"
                } catch { verifyFailure = error }
            }
            if let verifyFailure { verification = "REFUSED: \(verifyFailure.description)" }
            let output = Output(
                file: file, format: isBundle ? "bundle" : "change set", bytes: bytes.count, sender: sender, hash: bundle.map { Self.hex($0.hash) },
                verified: ca != nil && verifyFailure == nil,
                verification: verification,
                changeSets: sets.map { s in
                    let h = s.header
                    return .init(
                        origin: h.origin, firstSeq: h.firstSeq, lastSeq: h.lastSeq, count: h.count, bodyBytes: h.bodyBytes, uncompressedBytes: h.uncompressedBytes,
                        compressionRatio: h.bodyBytes == 0 ? 0 : Double(h.uncompressedBytes) / Double(h.bodyBytes), merkleRoot: Self.hex(h.merkleRoot),
                        previousHash: Self.hex(h.previousHash), hash: Self.hex(s.hash),
                        createdAt: ChinaTime.timestamp(Date(timeIntervalSince1970: Double(h.createdAt) / 1000)))
                })
            if json {
                try printJSON(output)
            } else {
                print("\(file): \(output.format), \(bytes.count) bytes\(sender.map { ", sent by \($0)" } ?? "")")
                for s in output.changeSets {
                    print("  origin \(s.origin)  seq \(s.firstSeq)…\(s.lastSeq)  \(s.count) changes  \(s.uncompressedBytes) → \(s.bodyBytes) bytes (×\(String(format: "%.1f", s.compressionRatio)))  created \(s.createdAt)")
                    print("    hash \(s.hash.prefix(16))…  previous \(s.previousHash.isEmpty ? "(first of its origin)" : String(s.previousHash.prefix(16)) + "…")")
                }
                print("  \(verification)")
            }
            if verifyFailure != nil { throw ExitCode(65) }
        }
    }

    static func hex(_ b: [UInt8]) -> String { b.map { String(format: "%02x", $0) }.joined() }
}
