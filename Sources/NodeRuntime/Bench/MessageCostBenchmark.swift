import ChangeSets
import CreditDomain
import Crypto
import Foundation
import NodePKI
import SampleData
import SyncCore

/// What the messages of a simulated network cost with no store behind them: the production
/// codec's work for a down page (the parent builds and signs it, the child decodes it and checks
/// the parent's signature, the origin's header and every change's inclusion proof) and for a push
/// (the child seals a change set, signs its health record and the bundle; the parent verifies all
/// three and signs a receipt; the child verifies the receipt), beside a bare P-256 signature and
/// verification. Each receiver keeps one trust store across the iterations, as a node that has
/// run for a while does (certificates and repeated headers remembered). Multiplied by a run's
/// message counts, it is the floor no store can go under (docs/PERFORMANCE.md).
public struct MessageCostBenchmark: Sendable {
    public struct Result: Sendable, Codable {
        public var iterations: Int
        public var changesPerPage: Int
        public var changesPerPush: Int
        /// Microseconds, medians of the rounds.
        public var p256SignMicroseconds: Double
        public var p256VerifyMicroseconds: Double
        public var downPageMicroseconds: Double
        public var downPageBuildMicroseconds: Double
        public var downPageBytes: Int
        public var pushMicroseconds: Double
        public var pushBytes: Int
        /// A push with no change set: the health record alone (the daily heartbeat).
        public var heartbeatMicroseconds: Double
    }

    public var iterations = 2000
    public var rounds = 3
    /// Changes in each down page (Hubei's shape, one simulated day: 442,023 township → village
    /// deliveries in 115,015 pages, about 4 a page).
    public var changesPerPage = 4
    /// Changes in each push's one change set (a village's push carries a few).
    public var changesPerPush = 2

    public init() {}

    public func run(progress: (String) -> Void = { _ in }) throws -> Result {
        let county = try DivisionCode("420102000000")
        let township = try DivisionCode("420102002000")
        let village = try DivisionCode("420102002201")
        let ca = try NetworkCA.create()
        let countyID = try ca.issue(code: county)
        let townshipID = try ca.issue(code: township)
        let villageID = try ca.issue(code: village)
        // One trust store per receiver, kept across iterations (what a running node has).
        let atVillage = try TrustStore(ca: ca.certificate)
        let atTownship = try TrustStore(ca: ca.certificate)

        progress("generating records")
        let countyChanges = try Self.changes(origin: county, count: max(64, changesPerPage * 16))
        let villageChanges = try Self.changes(origin: village, count: iterations * changesPerPush)

        // The county's change set as it reaches the township: the signed header and, per change,
        // its line and inclusion proof (what the township keeps and passes down).
        let countySet = try ChangeSet.build(changes: countyChanges, previousHash: [], identity: countyID)
        let tree = BucketedMerkleTree(changes: countyChanges)
        let entries: [DownBundle.Entry] = countyChanges.indices.map { i in
            let bucket = Array(countyChanges[tree.bucketRange(of: i)])
            var line: [UInt8] = []
            countyChanges[i].appendCanonicalLine(to: &line)
            return DownBundle.Entry(leafIndex: i, line: line, proof: tree.proof(index: i, bucket: bucket)!)
        }
        let signedHeader = countySet.signedHeaderBytes

        var sign: [Double] = []
        var verify: [Double] = []
        var page: [Double] = []
        var pageBuild: [Double] = []
        var push: [Double] = []
        var heartbeat: [Double] = []
        var pageBytes = 0
        var pushBytes = 0
        let start = Date()
        for round in 1...max(1, rounds) {
            progress("round \(round): \(iterations) signatures, down pages and pushes")
            let message = Array(repeating: UInt8(round), count: 256)
            var signatures: [P256.Signing.ECDSASignature] = []
            sign.append(
                try Self.perIteration(iterations) { _ in
                    signatures.append(try villageID.key.signature(for: message))
                })
            let publicKey = villageID.key.publicKey
            verify.append(
                try Self.perIteration(iterations) { i in
                    guard publicKey.isValidSignature(signatures[i], for: message) else { throw BenchError("a signature did not verify") }
                })

            var built: [DownBundle] = []
            pageBuild.append(
                try Self.perIteration(iterations) { i in
                    let first = (i * changesPerPage) % (entries.count - changesPerPage)
                    let section = DownBundle.Section(signedHeader: signedHeader, entries: Array(entries[first..<first + changesPerPage]))
                    built.append(
                        try DownBundle.build(
                            identity: townshipID, child: village.digits, after: Int64(i), next: Int64(i + 1), more: false, sections: [section],
                            controls: [],
                            now: start.addingTimeInterval(Double(i))))
                })
            pageBytes = built[0].encoded.count
            page.append(
                try Self.perIteration(iterations) { i in
                    let verified = try DownBundle.decode(built[i].encoded).verify(
                        trust: atVillage, parent: township.digits, child: village.digits, now: start.addingTimeInterval(Double(i))
                    ) { _ in true }
                    guard verified.count == changesPerPage else { throw BenchError("a down page gave \(verified.count) changes") }
                })

            var previous: [UInt8] = []
            push.append(
                try Self.perIteration(iterations) { i in
                    let now = start.addingTimeInterval(Double(i))
                    let first = i * changesPerPush
                    let set = try ChangeSet.build(
                        changes: Array(villageChanges[first..<first + changesPerPush]), previousHash: previous, identity: villageID, now: now)
                    previous = set.hash
                    pushBytes = try Self.push(
                        set, records: Int64(first), i: i, now: now, ids: (villageID, townshipID), trust: (atVillage, atTownship))
                })
            heartbeat.append(
                try Self.perIteration(iterations) { i in
                    let now = start.addingTimeInterval(Double(iterations + i))
                    _ = try Self.push(nil, records: 0, i: iterations + i, now: now, ids: (villageID, townshipID), trust: (atVillage, atTownship))
                })
        }
        let m = { (v: [Double]) in v.sorted()[v.count / 2] }
        return Result(
            iterations: iterations, changesPerPage: changesPerPage, changesPerPush: changesPerPush, p256SignMicroseconds: m(sign),
            p256VerifyMicroseconds: m(verify), downPageMicroseconds: m(pageBuild) + m(page), downPageBuildMicroseconds: m(pageBuild),
            downPageBytes: pageBytes, pushMicroseconds: m(push), pushBytes: pushBytes, heartbeatMicroseconds: m(heartbeat))
    }

    /// One push from the village to the township and its receipt back: the village signs its
    /// health record and the bundle (with `set`, if any); the township verifies the bundle, the
    /// set and the record and signs a receipt; the village verifies the receipt. Returns the
    /// bytes that travelled.
    static func push(
        _ set: ChangeSet?, records: Int64, i: Int, now: Date, ids: (child: NodeIdentity, parent: NodeIdentity),
        trust: (atChild: TrustStore, atParent: TrustStore)
    ) throws -> Int {
        let child = ids.child.code.digits
        let parent = ids.parent.code.digits
        let health = NodeHealth(
            code: child, name: "村", parent: parent, children: [], issuedAt: Int64(i), windowSeconds: 259_200, backlog: 0, oldestPendingAt: 0,
            records: records,
            quarantined: 0, software: "bench", catalogue: "bench")
        let record = try HealthRecord.build(health, identity: ids.child)
        let bundle = try ChangeBundle.sign(set.map { [$0] } ?? [], healthRecords: [record.encoded], identity: ids.child, now: now)
        let decoded = try ChangeBundle.decode(bundle.encoded)
        let sets = try decoded.verify(trust: trust.atParent, now: now)
        let kept = decoded.verifiedHealth(trust: trust.atParent, now: now)
        guard sets.count == (set == nil ? 0 : 1), kept.entries.count == 1 else { throw BenchError("a push did not verify whole") }
        let acknowledged = set.map { [ChainPosition(origin: child, lastSeq: $0.header.lastSeq, hash: $0.hash)] } ?? []
        let receipt = try Receipt(parent: parent, child: child, bundleHash: bundle.hash, issuedAt: Int64(i), acknowledged: acknowledged, held: [])
            .encode(identity: ids.parent)
        _ = try Receipt.verify(receipt, trust: trust.atChild, now: now)
        return bundle.encoded.count + receipt.count
    }

    /// Microseconds per call of `body` over `count` calls.
    static func perIteration(_ count: Int, _ body: (Int) throws -> Void) throws -> Double {
        let t0 = DispatchTime.now().uptimeNanoseconds
        for i in 0..<count { try body(i) }
        return Double(DispatchTime.now().uptimeNanoseconds - t0) / 1e3 / Double(count)
    }

    /// Valid penalty changes of `origin`, numbered from 1.
    static func changes(origin: DivisionCode, count: Int) throws -> [Change] {
        let asOf = CivilDate(year: 2026, month: 3, day: 2)!
        let kind = try Catalogue.bundled().kind(named: "penalty")
        var options = SampleGenerator.Options(seed: 7, node: origin, asOf: asOf)
        options.faultShare = 0
        var generator = SampleGenerator(options)
        var validator = RecordValidator(kind: kind, context: ValidationContext(node: origin, today: asOf, calendar: try WorkingCalendar.load()))
        var clock = HybridLogicalClock()
        let entered: Int64 = 1_772_400_000_000
        var out: [Change] = []
        while out.count < count {
            for row in generator.rows(kind: kind, count: count) where out.count < count {
                guard case .valid(let r) = validator.validate(row.values) else { continue }
                out.append(
                    Change(
                        origin: origin.digits, seq: Int64(out.count + 1), hlc: clock.tick(nowMilliseconds: entered), enteredAtMilliseconds: entered,
                        op: "put",
                        kind: r.kind, key: r.key, jurisdiction: r.jurisdiction.digits, body: r.fieldsJSON))
            }
        }
        return out
    }
}
