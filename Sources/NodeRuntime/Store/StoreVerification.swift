import ChangeSets
import CreditDomain
import CreditStore
import Foundation
import Hummingbird

/// What `credit-node verify-store` found.
public struct StoreReport: Sendable, Codable {
    /// SQLite's findings (`integrity_check`): damaged pages, indexes, constraint failures.
    public var integrity: [String] = []
    /// Stored change sets whose bytes no longer pass their own hashes and signed Merkle root,
    /// and changes in the log that differ from the line their origin signed.
    public var changes: [String] = []
    public var checkedSets = 0
    public var checkedChanges = 0
    public var checkedProofs = 0
    /// False when the check was stopped before the end (a bounded check at start).
    public var complete = true
    public var checkedAt: String = ""

    public var damaged: Bool { !integrity.isEmpty || !changes.isEmpty }

    /// One line for status displays.
    public var summary: String {
        guard damaged else { return complete ? "sound" : "not fully checked" }
        return "DAMAGED: \((integrity + changes).prefix(3).joined(separator: "; "))\(integrity.count + changes.count > 3 ? " … (\(integrity.count + changes.count) findings)" : "")"
    }
}

/// Checks a node's store as far as it can vouch for it: SQLite's integrity check, then every
/// change set it keeps re-hashed against its signed header (body SHA-256, lines, Merkle root),
/// every logged change compared with the line its origin signed, and every change that came down
/// with its inclusion proof. A damaged store is marked (`DATA/store-damage.json`): `status`,
/// `/v1/status` and `/metrics` say so, and `serve` stops accepting and serving sync until the
/// store is restored (OPERATIONS.md, "A damaged store").
public struct StoreVerification: Sendable {
    public let node: NodeContext

    public init(node: NodeContext) { self.node = node }

    /// The marker's path.
    public static func markerPath(_ configuration: NodeConfiguration) -> String {
        URL(fileURLWithPath: configuration.dataDirectory).appendingPathComponent("store-damage.json").path
    }

    /// The damage recorded by the last check, if any.
    public static func recordedDamage(_ configuration: NodeConfiguration) -> StoreReport? {
        guard let data = FileManager.default.contents(atPath: markerPath(configuration)) else { return nil }
        return (try? JSONDecoder().decode(StoreReport.self, from: data)) ?? {
            var r = StoreReport()
            r.integrity = ["the damage marker \(markerPath(configuration)) cannot be read; run credit-node verify-store"]
            return r
        }()
    }

    /// The full check (`verify-store`). Records the outcome: a marker when damaged, none when sound.
    public func run(now: Date = Date()) throws -> StoreReport {
        var report = StoreReport()
        report.checkedAt = ChinaTime.timestamp(now)
        report.integrity = try node.store.integrityProblems(quick: false).problems
        try checkSets(&report)
        try checkProofs(&report)
        try record(report)
        return report
    }

    /// The bounded check at start: SQLite's quick check for at most `seconds`. A damage found is
    /// recorded; an unfinished check is only reported.
    public func quick(seconds: Double) throws -> StoreReport {
        var report = StoreReport()
        report.checkedAt = ChinaTime.timestamp(Date())
        let (problems, interrupted) = try node.store.integrityProblems(quick: true, seconds: seconds)
        report.integrity = problems
        report.complete = !interrupted
        if report.damaged { try record(report) }
        return report
    }

    func record(_ report: StoreReport) throws {
        let path = Self.markerPath(node.configuration)
        if report.damaged {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
            try Export.writeDurably(Array(try encoder.encode(report)), to: path)
            node.logger.critical("the store is damaged; sync is stopped until it is restored", metadata: ["findings": "\(report.integrity.count + report.changes.count)", "first": "\((report.integrity + report.changes).first ?? "")"])
        } else if report.complete && FileManager.default.fileExists(atPath: path) {
            try FileManager.default.removeItem(atPath: path)
        }
    }

    /// Every stored set against its own signed header, and the log against its lines.
    func checkSets(_ report: inout StoreReport) throws {
        var after: Int64 = 0
        while true {
            let (sets, last) = try node.store.storedSets(afterID: after, limit: 50)
            guard !sets.isEmpty else { return }
            after = last
            for stored in sets {
                report.checkedSets += 1
                let signed: [Change]
                do { signed = try ChangeSet.decode(stored.encoded).selfCheck() } catch {
                    report.changes.append("change set \(stored.origin) \(stored.firstSeq)…\(stored.lastSeq): \(error.description)")
                    continue
                }
                let logged = try node.store.changes(origin: stored.origin, seqs: stored.firstSeq...stored.lastSeq)
                let bySeq = Dictionary(uniqueKeysWithValues: signed.map { ($0.seq, $0) })
                // Every field of a change is in its canonical line: equal changes, equal lines.
                for c in logged {
                    report.checkedChanges += 1
                    if let s = bySeq[c.seq], s != c { report.changes.append("\(c.origin) seq \(c.seq) in the log differs from the line its origin signed") }
                }
            }
        }
    }

    /// Every change that came down against its origin's signed Merkle root.
    func checkProofs(_ report: inout StoreReport) throws {
        var after: Int64 = 0
        var line: [UInt8] = []
        while true {
            let (proofs, last) = try node.store.storedProofs(afterID: after, limit: 1000)
            guard !proofs.isEmpty else { return }
            after = last
            for p in proofs {
                report.checkedProofs += 1
                line.removeAll(keepingCapacity: true)
                p.change.appendCanonicalLine(to: &line)
                let path = stride(from: 0, to: p.proof.count, by: 32).map { Array(p.proof[$0..<min($0 + 32, p.proof.count)]) }
                guard let header = try? SignedHeader.decode(p.signedHeader).header,
                    Merkle.root(leaf: Merkle.leaf(line), index: p.leafIndex, count: header.count, proof: path) == header.merkleRoot
                else {
                    report.changes.append("\(p.change.origin) seq \(p.change.seq) (from above) no longer matches its origin's signed Merkle root")
                    continue
                }
            }
        }
    }
}

extension NodeContext {
    /// Refuses what a damaged store cannot vouch for (uploads it would acknowledge, pages and
    /// checks it would serve, records it would write) with 503 until the store is restored.
    public func refuseIfDamaged() throws {
        guard FileManager.default.fileExists(atPath: StoreVerification.markerPath(configuration)) else { return }
        throw HTTPError(
            .serviceUnavailable,
            message: "this node's store is damaged (\(StoreVerification.recordedDamage(configuration)?.summary ?? "see its log")); it serves no sync and takes no records until it is restored [store-damaged]")
    }
}
