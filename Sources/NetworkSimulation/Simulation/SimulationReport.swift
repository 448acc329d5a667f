import CreditDomain
import Foundation
import SyncCore

/// What a simulation found: the workload, the network's faults, per-hop latencies and windows,
/// backlog peaks, per-region late and erroneous rates (DOMAIN.md §5), and the end checks. Only
/// simulated quantities appear — no wall-clock time, no key or signature bytes — so the same seed
/// on the same commit gives the same report, byte for byte.
public struct SimulationReport: Sendable, Codable {
    public struct Distribution: Sendable, Codable {
        public var count: Int
        /// Milliseconds.
        public var p50: Int64
        public var p90: Int64
        public var p99: Int64
        public var max: Int64
    }

    public struct UpwardHop: Sendable, Codable {
        public var hop: String
        public var latency: Distribution
        public var windowHours: Int
        public var met: Int
        public var breached: Int
        /// Breaches during an injected outage longer than the window.
        public var breachedByOutage: Int
    }

    public struct DownwardHop: Sendable, Codable {
        public var hop: String
        public var latency: Distribution
    }

    public struct Backlog: Sendable, Codable {
        public var tier: String
        public var changes: Int
        public var node: String
        public var at: String
    }

    public struct Region: Sendable, Codable {
        public var code: String
        public var name: String
        public var rows: Int
        /// Rows the validator refused.
        public var erroneous: Int
        /// Accepted records later corrected after an objection.
        public var corrected: Int
        public var late: Int
        /// Percentages with two decimals, as text (the same on every machine).
        public var erroneousRate: String
        public var lateRate: String
    }

    public struct Check: Sendable, Codable {
        public var name: String
        public var passed: Bool
        public var detail: String
        public var violations: [String]
    }

    public var topology: String
    public var nodes: Int
    public var days: Int
    public var start: String
    public var seed: UInt64
    public var faults: String
    public var rows: Int
    public var recordsAccepted: Int
    public var changes: Int
    public var statusChanges: Int
    /// Corrections that named another village as a record's area.
    public var moves: Int
    public var messages: Int
    public var lost: Int
    public var duplicated: Int
    public var reordered: Int
    public var corrupted: Int
    public var crashes: Int
    public var outages: Int
    /// Disks lost (`lose=`); the changes and records lost with them (no parent held them); the
    /// sets and changes the recoveries took back from the parents.
    public var disksLost: Int
    public var disksRestored: Int
    public var backupsRefused: Int
    public var changesLost: Int
    public var recordsLost: Int
    public var setsTakenBack: Int
    public var changesTakenBack: Int
    /// Acknowledged sets children sent again to a parent that had lost them.
    public var setsSentAgain: Int
    /// Changes the top's offices entered again after it lost its disk (its lost own changes).
    public var changesEnteredAgain: Int
    public var bundles: Int
    public var pages: Int
    public var pushFailures: Int
    public var heldSets: Int
    public var duplicateSets: Int
    public var settled: String?
    public var upward: [UpwardHop]
    public var downward: [DownwardHop]
    public var backlog: [Backlog]
    public var regions: [Region]
    public var checks: [Check]

    public var passed: Bool { checks.allSatisfy(\.passed) }

    static func distribution(_ values: [Int64]) -> Distribution {
        let s = values.sorted()
        func at(_ q: Int) -> Int64 { s.isEmpty ? 0 : s[min(s.count - 1, (s.count * q) / 100)] }
        return Distribution(count: s.count, p50: at(50), p90: at(90), p99: at(99), max: s.last ?? 0)
    }

    static func percent(_ part: Int, _ whole: Int) -> String {
        guard whole > 0 else { return "0.00" }
        let hundredths = (part * 10_000 + whole / 2) / whole
        return "\(hundredths / 100).\(String(format: "%02d", hundredths % 100))"
    }

    static func make(_ sim: Simulation) throws -> SimulationReport {
        let m = sim.metrics
        let upward = m.upward.keys.sorted().map { h -> UpwardHop in
            let u = m.upward[h]!
            return UpwardHop(
                hop: "\(h.from.name) → \(h.to.name)", latency: distribution(u.latencies), windowHours: Int(u.window / 3_600_000), met: u.met,
                breached: u.breached,
                breachedByOutage: u.breachedByOutage)
        }
        let downward = m.downward.keys.sorted(by: >).map {
            DownwardHop(hop: "\($0.from.name) → \($0.to.name)", latency: distribution(m.downward[$0]!))
        }
        var backlog: [Backlog] = []
        for tier in Tier.allCases.reversed() where tier != .province {
            guard
                let top = sim.nodes.filter({ $0.code.tier == tier && $0.parent != nil }).max(by: {
                    ($0.backlogPeak, -$0.index) < ($1.backlogPeak, -$1.index)
                })
            else { continue }
            backlog.append(
                Backlog(tier: tier.name, changes: top.backlogPeak, node: "\(top.code.digits) \(top.name)", at: sim.timestamp(top.backlogPeakAt)))
        }
        let regionIndices = Set(sim.nodes.map(\.region)).sorted()
        let regions = regionIndices.map { r in
            let rows = m.rows[r] ?? 0
            let err = m.erroneous[r] ?? 0
            let corrected = m.corrected[r] ?? 0
            let late = m.late[r] ?? 0
            return Region(
                code: sim.nodes[r].code.digits, name: sim.nodes[r].name, rows: rows, erroneous: err, corrected: corrected, late: late,
                erroneousRate: percent(err + corrected, rows), lateRate: percent(late, rows - err))
        }
        return SimulationReport(
            topology: sim.topology.name, nodes: sim.nodes.count, days: sim.options.days, start: sim.options.start.iso, seed: sim.options.seed,
            faults: sim.options.faults.spec, rows: m.rows.values.reduce(0, +), recordsAccepted: sim.truthOrder.count, changes: m.changesEntered,
            statusChanges: m.statusChanges, moves: m.moves, messages: m.messages, lost: m.lost, duplicated: m.duplicated, reordered: m.reordered,
            corrupted: m.corrupted,
            crashes: m.crashes, outages: m.outages, disksLost: m.disksLost, disksRestored: m.disksRestored, backupsRefused: m.backupsRefused,
            changesLost: m.changesLost, recordsLost: m.recordsLost,
            setsTakenBack: m.setsTakenBack, changesTakenBack: m.changesTakenBack, setsSentAgain: m.setsSentAgain,
            changesEnteredAgain: m.changesEnteredAgain, bundles: m.bundles, pages: m.pages,
            pushFailures: m.pushFailures, heldSets: m.held,
            duplicateSets: m.duplicates, settled: sim.settledAt.map(sim.timestamp), upward: upward, downward: downward, backlog: backlog,
            regions: regions,
            checks: try SimulationChecks(sim).run())
    }

    // MARK: Rendering

    static func duration(_ ms: Int64) -> String {
        if ms < 1000 { return "\(ms)ms" }
        let s = ms / 1000
        if s < 60 { return "\(s)s" }
        if s < 3600 { return "\(s / 60)m\(String(format: "%02d", s % 60))s" }
        if s < 86_400 { return "\(s / 3600)h\(String(format: "%02d", (s % 3600) / 60))m" }
        return "\(s / 86_400)d\(String(format: "%02d", (s % 86_400) / 3600))h"
    }

    static func pad(_ s: String, _ width: Int, left: Bool = false) -> String {
        let n = s.count + s.unicodeScalars.filter { $0.value >= 0x2E80 }.count
        let fill = String(repeating: " ", count: max(0, width - n))
        return left ? fill + s : s + fill
    }

    /// The report as text, for operators.
    public func text(replay: String) -> String {
        var out = ""
        func line(_ s: String = "") { out += s + "\n" }
        line("CreditNet simulation: \(topology), \(nodes) nodes, \(days) days from \(start), seed \(seed)")
        line("faults: \(faults.isEmpty ? "none" : faults)")
        line("replay: \(replay)")
        line()
        line(
            "workload: \(rows) rows, \(recordsAccepted) records accepted, \(changes) changes (\(statusChanges) status changes, \(moves) corrections moving a record to another village)"
        )
        line(
            "network:  \(messages) messages, \(lost) lost, \(duplicated) duplicated, \(reordered) reordered, \(corrupted) corrupted; \(crashes) crashes mid-apply, \(outages) outages (nodes down, links cut)"
        )
        if disksLost > 0 {
            line(
                "disks:    \(disksLost) lost, \(disksRestored) of them restored from a backup (\(backupsRefused) backups refused by recover): \(changesLost) changes no parent held were lost with them (\(recordsLost) records); recovery took back \(setsTakenBack) sets, \(changesTakenBack) changes, from the parents; children sent \(setsSentAgain) acknowledged sets again once they learned where their parents stood"
                    + (changesEnteredAgain > 0 ? "; the top's offices entered \(changesEnteredAgain) changes again" : "")
            )
        }
        line(
            "sync:     \(bundles) bundles pushed, \(pushFailures) failed pushes, \(heldSets) sets held for a gap, \(duplicateSets) duplicate sets; \(pages) down pages"
        )
        line("settled:  \(settled ?? "NOT within the settle period")")
        line()
        line("upward hop            changes  p50      p90      p99      max      window  met      breached  by outage")
        for h in upward {
            line(
                Self.pad(h.hop, 22) + Self.pad("\(h.latency.count)", 8, left: true) + "  "
                    + [h.latency.p50, h.latency.p90, h.latency.p99, h.latency.max].map { Self.pad(Self.duration($0), 9) }.joined()
                    + Self.pad("\(h.windowHours)h", 8) + Self.pad("\(h.met)", 9) + Self.pad("\(h.breached)", 10) + "\(h.breachedByOutage)")
        }
        line()
        line("downward hop          changes  p50      p90      p99      max")
        for h in downward {
            line(
                Self.pad(h.hop, 22) + Self.pad("\(h.latency.count)", 8, left: true) + "  "
                    + [h.latency.p50, h.latency.p90, h.latency.p99, h.latency.max].map { Self.pad(Self.duration($0), 9) }.joined())
        }
        line()
        line("backlog peak (changes waiting upward)")
        for b in backlog { line("  " + Self.pad(b.tier, 10) + Self.pad("\(b.changes)", 8, left: true) + "  \(b.node), \(b.at)") }
        line()
        line("region (DOMAIN.md §5)        rows  refused  corrected  错误率    late  迟报率")
        for r in regions {
            line(
                Self.pad("\(r.code) \(r.name)", 24) + Self.pad("\(r.rows)", 10, left: true) + Self.pad("\(r.erroneous)", 9, left: true)
                    + Self.pad("\(r.corrected)", 11, left: true)
                    + Self.pad("\(r.erroneousRate) %", 9, left: true) + Self.pad("\(r.late)", 6, left: true)
                    + Self.pad("\(r.lateRate) %", 9, left: true))
        }
        line()
        line("checks")
        for c in checks {
            line("  \(c.passed ? "ok  " : "FAIL") \(c.name): \(c.detail)")
            for v in c.violations { line("         \(v)") }
        }
        line(passed ? "result: every check passed" : "result: CHECKS FAILED — replay with the command above")
        return out.split(separator: "\n", omittingEmptySubsequences: false).map { String($0.reversed().drop { $0 == " " }.reversed()) }.joined(
            separator: "\n")
    }

    /// The report as JSON, keys sorted.
    public func json() throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .prettyPrinted, .withoutEscapingSlashes]
        return String(decoding: try encoder.encode(self), as: UTF8.self) + "\n"
    }
}

extension Simulation {
    /// `2026-03-04 15:20` China time.
    func timestamp(_ trueTime: Int64) -> String {
        let s = (epoch + trueTime) / 1000 + Int64(ChinaTime.offsetSeconds)
        let day = CivilDate(dayNumber: Int(s / 86_400))
        let r = s % 86_400
        return "\(day.iso) \(String(format: "%02d:%02d", r / 3600, (r % 3600) / 60))"
    }
}
