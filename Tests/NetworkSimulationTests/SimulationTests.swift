import CreditDomain
import Foundation
import GRDB
import SyncCore
import Testing

@testable import CreditStore
@testable import NetworkSimulation

@Suite("Deterministic simulation")
struct SimulationTests {
    static var demo: Topology { get throws { try Topology.load(path: TopologyTests.demoPath) } }

    /// The seeds CI runs — twenty, each six days of the demo under every kind of fault, through
    /// the production node; a failing one is replayed with the command its report prints.
    static let ciSeeds: [UInt64] = Array(1...20)
    static let ciDays = 6
    static let runs = DispatchSemaphore(value: 2)
    /// 江岸区 (a county) is cut off from its city for a day, then loses its disk: what it had
    /// entered and what it had acknowledged to its townships in that day are not held above; a
    /// village of 襄阳 loses its disk too, and a township there is restored from its night's backup.
    static let ciFaults =
        "loss=0.05,dup=0.05,reorder=0.1,corrupt=0.03,crash=0.02,skew=3,down=420102002201@2d+36h,partition=420600000000@4d+20h,down=420000000000@6d+6h,"
        + "partition=420102000000@1d+1d,lose=420102000000@1d18h+6h,lose=420602001201@3d10h+2h,restore=420602001000@2d14h+6h,"
        + "restore=420000000000@4d15h+3h"

    static func simulate(days: Int, seed: UInt64, faults: String = "", villageRows: Double? = nil) throws -> (Simulation, SimulationReport) {
        var options = SimulationOptions(days: days, seed: seed, faults: try FaultPlan.parse(faults))
        if let villageRows { options.rowsPerDay[.village] = villageRows }
        let sim = try Simulation(topology: try demo, options: options)
        return (sim, try sim.run())
    }

    /// Runs a simulation on a thread of its own, two at a time: a run is seconds of synchronous
    /// work, and twenty of them on the concurrency pool's threads would hold up every other
    /// test's timers.
    static func onAThread<Result: Sendable>(_ body: @escaping @Sendable () throws -> Result) async throws -> Result {
        try await withCheckedThrowingContinuation { continuation in
            let thread = Thread {
                runs.wait()
                defer { runs.signal() }
                continuation.resume(with: Swift.Result { try body() })
            }
            thread.stackSize = 1 << 23
            thread.start()
        }
    }

    @Test(arguments: ciSeeds)
    func everyCheckPassesForTheCISeedsUnderFaults(seed: UInt64) async throws {
        let (report, crossings) = try await Self.onAThread {
            let (sim, report) = try Self.simulate(days: Self.ciDays, seed: seed, faults: Self.ciFaults)
            return (report, try Self.crossings(sim))
        }
        let spec = try FaultPlan.parse(Self.ciFaults).spec
        let replay = "credit-node simulate Topologies/demo.yaml --days \(Self.ciDays) --seed \(seed) --faults '\(spec)'"
        #expect(report.passed, "\(report.text(replay: replay))")
        // The faults were really injected, and corruption was caught by verification.
        #expect(report.lost > 0 && report.duplicated > 0 && report.reordered > 0 && report.corrupted > 0 && report.crashes > 0 && report.outages == 8)
        // The disks were lost (two restored from their backups, the province's among them), what no
        // parent held with them, and the rest came back.
        #expect(report.disksLost == 4 && report.disksRestored == 2 && report.changesLost > 0 && report.setsTakenBack > 0)
        #expect(report.duplicateSets > 0)
        let verification = try #require(report.checks.last)
        #expect(verification.detail.contains("\(report.corrupted) messages corrupted"))
        #expect(report.recordsAccepted > 300 && report.statusChanges > 0)
        // Every hop carried changes (province → county, to the county-level city under the
        // province, carries only what a seed happens to decide about its villages and lists).
        #expect(report.upward.count == 5)
        // Each change counted once per hop, though sets were sent again after disks were lost.
        #expect(crossings == Dictionary(uniqueKeysWithValues: report.upward.map { ($0.hop, $0.latency.count) }))
        #expect(
            Set(report.downward.map(\.hop)).isSuperset(of: ["province → city", "city → county", "county → township", "township → village"]),
            "\(report.downward.map(\.hop))")
    }

    @Test func theSameSeedGivesTheSameReportByteForByte() async throws {
        let a = try await Self.onAThread { try Self.simulate(days: 4, seed: 11, faults: Self.ciFaults).1 }
        let b = try await Self.onAThread { try Self.simulate(days: 4, seed: 11, faults: Self.ciFaults).1 }
        let c = try await Self.onAThread { try Self.simulate(days: 4, seed: 12, faults: Self.ciFaults).1 }
        #expect(a.text(replay: "r") == b.text(replay: "r"))
        #expect(try a.json() == b.json())
        #expect(a.text(replay: "r") != c.text(replay: "r"))
    }

    @Test func aBreachDuringAnOutageLongerThanTheWindowIsReportedAsSuch() throws {
        // The township 大智街道 is down four days: its villages' changes wait longer than 72 hours.
        let (sim, report) = try Self.simulate(days: 8, seed: 4, faults: "down=420102002000@1d+4d", villageRows: 3)
        #expect(report.passed, "\(report.text(replay: "-"))")
        let hop = try #require(report.upward.first { $0.hop == "village → township" })
        #expect(hop.breachedByOutage > 0 && hop.breached == 0 && hop.latency.max > 72 * 3_600_000)
        // The rule itself: only an outage longer than the window, on this hop, overlapping the wait.
        let village = try #require(sim.indexOf[try DivisionCode("420102002201")])
        let township = try #require(sim.indexOf[try DivisionCode("420102002000")])
        let other = try #require(sim.indexOf[try DivisionCode("420602001000")])
        let day: Int64 = 86_400_000
        let window = 72 * 3_600_000 as Int64
        #expect(sim.outageLonger(than: window, child: village, parent: township, from: 2 * day, to: 6 * day))
        #expect(!sim.outageLonger(than: window, child: other, parent: try #require(sim.nodes[other].parent), from: 2 * day, to: 6 * day))
        #expect(!sim.outageLonger(than: window, child: village, parent: township, from: 6 * day, to: 7 * day))
        #expect(!sim.outageLonger(than: 5 * day, child: village, parent: township, from: 2 * day, to: 6 * day))
    }

    /// A county cut off from its city, then its disk lost without a backup: it comes back on an
    /// empty store and recovers from the city through the production steps (`Recovery`, `Return`)
    /// over the simulated network; its own changes the city held come back and its chain goes on
    /// from there; what the city never held is lost and counted; what it had acknowledged to its
    /// townships and lost they send again; the checks then find every node holding exactly what
    /// concerns it.
    @Test func aCountyThatLostItsDiskIsRebuiltFromItsCity() throws {
        let county = try DivisionCode("420102000000")
        let (sim, report) = try Self.simulate(days: 5, seed: 4, faults: "partition=420102000000@1d+1d,lose=420102000000@1d18h+6h")
        #expect(report.passed, "\(report.text(replay: "-"))")
        #expect(report.disksLost == 1 && report.changesLost > 0 && report.recordsLost > 0 && report.setsTakenBack > 0 && report.changesTakenBack > 0)
        #expect(
            report.text(replay: "-").contains(
                "disks:    1 lost, 0 of them restored from a backup (0 backups refused by recover): \(report.changesLost) changes"))
        let node = try #require(sim.nodes.first { $0.code == county })
        let city = try #require(sim.nodes.first { $0.code.digits == "420100000000" })
        // The county's chain at the city is the county's chain: what it holds of itself, the city holds.
        #expect(try city.node.sync.position(of: county.digits) == node.node.sync.ownStanding().sealed)
        // Its townships sent again what it had acknowledged and lost (each set of theirs at the city).
        for township in node.children.map({ sim.nodes[$0].code.digits }) {
            let below = try #require(sim.nodes.first { $0.code.digits == township })
            #expect(try city.node.sync.position(of: township) == below.node.sync.ownStanding().sealed, "\(township)")
        }
        // Each change crossed each hop once in the report's latencies, though the townships sent
        // again what the county lost.
        #expect(report.setsSentAgain > 0)
        #expect(try Self.crossings(sim) == Dictionary(uniqueKeysWithValues: report.upward.map { ($0.hop, $0.latency.count) }))
    }

    /// The province restored from its backup of 02:30 (or on an empty store) after losing its
    /// disk: it has no parent to take anything back from, its own seqs go on past those its lost
    /// store gave (`OwnSeqs`), its children send again what it acknowledged and lost, and its
    /// offices enter again what it entered since — every node ends with the same records, none
    /// set aside.
    @Test(arguments: ["restore", "lose"]) func theProvinceThatLostItsDiskGoesOnPastItsLostSeqs(fault: String) throws {
        let (sim, report) = try Self.simulate(days: 5, seed: 3, faults: "\(fault)=420000000000@2d14h+6h")
        #expect(report.passed, "\(report.text(replay: "-"))")
        #expect(report.disksLost == 1 && report.disksRestored == (fault == "restore" ? 1 : 0))
        #expect(report.changesLost > 0 && report.changesEnteredAgain > 0 && report.setsSentAgain > 0)
        let top = sim.nodes[0]
        #expect(try top.node.sync.ownStanding().logged > OwnSeqs.stride)
        for n in sim.nodes { #expect(try n.node.store.setAsideEntries().isEmpty, "\(n.code)") }
    }

    /// Per upward hop ("township → county"), the changes its parents hold of their children's
    /// subtrees: what crossed it, each change once.
    static func crossings(_ sim: Simulation) throws -> [String: Int] {
        var out: [String: Int] = [:]
        for parent in sim.nodes {
            for child in parent.children.map({ sim.nodes[$0] }) {
                let held = try parent.node.sync.chains(inside: child.code).reduce(0) { $0 + Int($1.lastSeq) }
                out["\(child.code.tier.name) → \(parent.code.tier.name)", default: 0] += held
            }
        }
        return out.filter { $0.value > 0 }
    }

    /// A county restored from its backup of 02:30 after losing its disk in the afternoon: it
    /// takes back from its city only what it sent after the backup, loses nothing, and its chain
    /// at the city is its own again.
    @Test func aCountyRestoredFromItsNightsBackupTakesBackWhatCameAfter() throws {
        let county = try DivisionCode("420102000000")
        let (sim, report) = try Self.simulate(days: 4, seed: 1, faults: "restore=420102000000@2d14h+6h")
        #expect(report.passed, "\(report.text(replay: "-"))")
        #expect(report.disksLost == 1 && report.disksRestored == 1 && report.backupsRefused == 0)
        #expect(report.changesLost == 0 && report.setsTakenBack > 0 && report.setsTakenBack < 10)
        let node = try #require(sim.nodes.first { $0.code == county })
        let city = try #require(sim.nodes.first { $0.code.digits == "420100000000" })
        #expect(try city.node.sync.position(of: county.digits) == node.node.sync.ownStanding().sealed)
    }

    /// The checks read the nodes' real stores: each one is shown failing by changing a store
    /// behind the node's back (SQL on its database), then passing again once undone.
    @Test func theChecksFindWhatIsWrong() throws {
        let (sim, report) = try Self.simulate(days: 3, seed: 5)
        #expect(report.passed)
        func failing() throws -> [String] { try SimulationChecks(sim).run().filter { !$0.passed }.map(\.name) }
        #expect(try failing().isEmpty)
        func tamper(_ code: String, _ sql: String, _ arguments: StatementArguments) throws {
            let node = try #require(sim.nodes.first { $0.code.digits == code })
            try node.node.store.pool.write { try $0.execute(sql: sql, arguments: arguments) }
        }
        let village = try #require(sim.nodes.first { $0.code.digits == "420102002201" })
        let key = try #require(try village.node.store.heldRecords().keys.sorted().first)
        let hidden = key + "-hidden"

        try tamper("420102002201", "UPDATE records SET record_key = ? WHERE record_key = ?", [hidden, key])
        #expect(try failing() == ["every node holds exactly the records relevant to it, in the same version and state"])
        #expect(try SimulationChecks(sim).run()[2].violations.joined().contains("420102002201 lacks \(key)"))
        try tamper("420102002201", "UPDATE records SET record_key = ? WHERE record_key = ?", [key, hidden])
        #expect(try failing().isEmpty)

        let state = try #require(try village.node.store.heldRecords()[key]?.state)
        try tamper("420102002201", "UPDATE records SET state = 'withdrawn' WHERE record_key = ?", [key])
        #expect(try failing() == ["every node holds exactly the records relevant to it, in the same version and state"])
        try tamper("420102002201", "UPDATE records SET state = ? WHERE record_key = ?", [state, key])

        try tamper("420000000000", "UPDATE records SET record_key = ? WHERE record_key = ?", [hidden, key])
        #expect(try failing().contains("every accepted record is at the province exactly once"))
        try tamper("420000000000", "UPDATE records SET record_key = ? WHERE record_key = ?", [key, hidden])
        #expect(try failing().isEmpty)

        sim.metrics.unexpectedRefusals.append("a change set refused for no injected reason")
        #expect(try failing() == ["nothing failed verification except injected corruption"])
        sim.metrics.unexpectedRefusals.removeAll()

        sim.settledAt = nil
        #expect(try failing() == ["the network settled"])
    }

    @Test func faultSpecificationsAreReadOrRefusedWithTheItemNamed() throws {
        let plan = try FaultPlan.parse("loss=0.1, dup=0.02,down=420102002201@2d+1d12h,partition=420600000000@90m+6h,skew=2")
        #expect(plan.loss == 0.1 && plan.duplication == 0.02 && plan.skewHours == 2)
        #expect(plan.outages.map(\.length) == [36 * 3_600_000, 6 * 3_600_000] && plan.outages[1].start == 90 * 60_000)
        #expect(plan.spec == "loss=0.1,dup=0.02,skew=2.0,down=420102002201@2d+1d12h,partition=420600000000@1h30m+6h")
        #expect(try FaultPlan.parse(plan.spec) == plan)
        #expect(try FaultPlan.parse("") == FaultPlan())
        #expect(try FaultPlan.parse("crash=0.1,restart=30").spec == "crash=0.1,restart=30")
        #expect(
            try FaultPlan.parse("lose=420102002201@1d+10m,restore=420102002201@2d+1h").outages.map(\.kind) == [.lose, .restore])
        #expect(
            try FaultPlan.parse("lose=420102002201@1d+10m").outages == [
                .init(kind: .lose, node: try DivisionCode("420102002201"), start: 86_400_000, length: 600_000)
            ])
        for (bad, says) in [
            ("loss", "has no '='"), ("loss=2", "probability"), ("jam=0.1", "unknown fault 'jam'"), ("down=4201@1d+1d", "not a 12-digit"),
            ("down=420102002201@1d", "CODE@START+LENGTH"), ("down=420102002201@1x+1d", "durations"),
            ("partition=420102002201@1d+0h", "LENGTH above zero"),
            ("skew=100", "skew is hours"), ("restart=0", "restart is whole minutes"), ("lose=420102002201@1d+5m", "at least ten minutes"),
            ("restore=420102002201@1d+9m", "at least ten minutes"),
        ] {
            #expect(throws: FaultSpecError.self) { try FaultPlan.parse(bad) }
            do { _ = try FaultPlan.parse(bad) } catch { #expect(error.message.contains(says), "\(bad): \(error.message)") }
        }
        #expect(throws: SimulationError.self) {
            try Simulation(
                topology: try Self.demo, options: SimulationOptions(days: 1, seed: 1, faults: try FaultPlan.parse("down=430000000000@1d+1d")))
        }
        #expect(throws: SimulationError.self) {
            try Simulation(
                topology: try Self.demo, options: SimulationOptions(days: 1, seed: 1, faults: try FaultPlan.parse("partition=420000000000@1d+1d")))
        }
        #expect(throws: SimulationError.self) { try Simulation(topology: try Self.demo, options: SimulationOptions(days: 0, seed: 1)) }
    }
}
