import CreditDomain
import CreditStore
import NodeRuntime

/// The end-of-run invariants (issue: "at the end it checks"). Each check lists at most a few
/// violations and counts the rest; a check that finds nothing to check fails rather than pass
/// vacuously.
struct SimulationChecks {
    let sim: Simulation
    /// What each node's store holds, read once.
    let held: [[String: HeldRecord]]
    let tallies: [ChangeLogTally]

    init(_ sim: Simulation) throws {
        self.sim = sim
        held = try sim.nodes.map { try $0.node.store.heldRecords() }
        tallies = try sim.nodes.map { try $0.node.store.changeLogTally() }
    }

    static let shown = 8

    func run() throws -> [SimulationReport.Check] {
        [try settled(), province(), holdings(), verification()]
    }

    func check(_ name: String, _ detail: String, _ violations: [String], vacuous: Bool = false) -> SimulationReport.Check {
        var shown = Array(violations.prefix(Self.shown))
        if violations.count > Self.shown { shown.append("… and \(violations.count - Self.shown) more") }
        if vacuous { shown.append("nothing to check: the run accepted no records") }
        return .init(name: name, passed: violations.isEmpty && !vacuous, detail: detail, violations: shown)
    }

    func settled() throws -> SimulationReport.Check {
        check(
            "the network settled",
            sim.settledAt.map { "nothing waiting anywhere at \(sim.timestamp($0))" } ?? "still waiting after \(sim.options.settleDays) settle days",
            sim.settledAt == nil ? ["still waiting \(sim.options.settleDays) days after the last working day"] + (try stuck()) : [])
    }

    /// Where things still wait, when the network did not settle.
    func stuck() throws -> [String] {
        var out: [String] = []
        for n in sim.nodes {
            if n.down { out.append("\(n.code) is down") }
            let pending = n.parent == nil ? 0 : PushLoop.backlog(n.node).pending
            if pending > 0 { out.append("\(n.code) has \(pending) changes not acknowledged by its parent") }
            let held = try n.node.store.heldSetCount()
            if held > 0 { out.append("\(n.code) holds \(held) change sets behind a gap") }
            let queued = try n.node.sync.queued()
            if queued.sets > 0 { out.append("\(n.code) has \(queued.changes) accepted changes not applied") }
            if let p = n.parent, try sim.hasUnpulled(n) { out.append("\(n.code) has not pulled everything for it from \(sim.nodes[p].code)") }
        }
        return out
    }

    /// Every accepted record at the province, every change applied there exactly once.
    func province() -> SimulationReport.Check {
        let records = held[0]
        let tally = tallies[0]
        var violations: [String] = []
        if tally.changes != tally.distinct {
            violations.append("applied twice: the province's change log has \(tally.changes) rows for \(tally.distinct) changes")
        }
        for key in sim.truthOrder where records[key] == nil { violations.append("missing at the province: \(key)") }
        if tally.distinct != sim.metrics.changesEntered {
            violations.append("the province applied \(tally.distinct) changes; \(sim.metrics.changesEntered) were entered")
        }
        if records.count != sim.truthOrder.count {
            violations.append("the province holds \(records.count) records; \(sim.truthOrder.count) were accepted")
        }
        return check(
            "every accepted record is at the province exactly once", "\(records.count) records, \(tally.distinct) changes", violations,
            vacuous: sim.truthOrder.isEmpty)
    }

    /// Each node holds exactly the records relevant to it — those that entered in its subtree,
    /// those any version of which named its area (a record corrected to another village stays
    /// with the first village too, in its corrected version), those of a network-wide kind — each
    /// in the province's version and state.
    func holdings() -> SimulationReport.Check {
        var expected = Array(repeating: 0, count: sim.nodes.count)
        var violations: [String] = []
        var checked = 0
        for key in sim.truthOrder {
            guard let t = sim.truth[key], let reference = held[0][key] else { continue }
            var holders: [Int]
            if sim.wideKinds.contains(t.kind) {
                holders = Array(sim.nodes.indices)
            } else {
                holders = chain(t.origin)
                for area in t.jurisdictions {
                    for h in chain(node(for: area)) where !holders.contains(h) { holders.append(h) }
                }
            }
            for h in holders {
                expected[h] += 1
                checked += 1
                let n = sim.nodes[h]
                guard let r = held[h][key] else {
                    violations.append("\(n.code) lacks \(key)")
                    continue
                }
                if r.state != reference.state { violations.append("\(n.code): \(key) is \(r.state), at the province \(reference.state)") }
                if r.hlc != reference.hlc || r.origin != reference.origin { violations.append("\(n.code): \(key) holds another version") }
            }
        }
        for n in sim.nodes where held[n.index].count != expected[n.index] {
            violations.append("\(n.code) holds \(held[n.index].count) records; \(expected[n.index]) concern it")
        }
        for n in sim.nodes where tallies[n.index].changes != tallies[n.index].distinct {
            violations.append("applied twice: \(n.code)'s change log has \(tallies[n.index].changes) rows for \(tallies[n.index].distinct) changes")
        }
        for n in sim.nodes where tallies[n.index].statusWithoutRecord > 0 {
            violations.append("\(n.code) holds status changes for \(tallies[n.index].statusWithoutRecord) records it never received")
        }
        return check(
            "every node holds exactly the records relevant to it, in the same version and state", "\(checked) holdings on \(sim.nodes.count) nodes",
            violations,
            vacuous: sim.truthOrder.isEmpty)
    }

    func verification() -> SimulationReport.Check {
        let m = sim.metrics
        let violations =
            m.unexpectedRefusals.map { "refused without injected corruption: \($0)" }
            + m.corruptedAccepted.map { "corrupted and still accepted: \($0)" }
        return check(
            "nothing failed verification except injected corruption",
            "\(m.corrupted) messages corrupted, \(m.corruptedRefused) refused, \(m.corrupted - m.corruptedRefused) lost or stale before verification",
            violations)
    }

    /// A node and its ancestors up to the top.
    func chain(_ i: Int) -> [Int] {
        var out = [i]
        var n = sim.nodes[i]
        while let p = n.parent {
            out.append(p)
            n = sim.nodes[p]
        }
        return out
    }

    /// The node whose area is the jurisdiction, or the nearest one above it.
    func node(for code: DivisionCode) -> Int {
        var c: DivisionCode? = code
        while let x = c {
            if let i = sim.indexOf[x] { return i }
            c = x.parent
        }
        return 0
    }
}
