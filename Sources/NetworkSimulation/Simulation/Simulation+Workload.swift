import CreditDomain
import CreditStore
import Foundation
import NodeRuntime
import SampleData

/// What the departments do: rows entered each working day, objections and their outcomes — each
/// through the production node (`FileIngestion` for a department's file, `StatusDesk` for a
/// status change), at the node's own clock.
extension Simulation {
    /// Each working day, every node enters a Poisson number of rows at a moment of the office day.
    func startDay(_ d: Int) {
        onDay?(d, truthOrder.count, metrics.messages)
        if d + 1 < options.days { schedule(at: Int64(d + 1) * 86_400_000, .day(d + 1)) }
        let day = options.start.adding(days: d)
        guard (try? calendar.isWorkingDay(day)) ?? !day.isWeekend else { return }
        for n in nodes {
            let rows = poisson(options.rowsPerDay[n.code.tier] ?? 0)
            guard rows > 0 else { continue }
            let at = Int64(d) * 86_400_000 + Int64(9 * 3600 + rng.int(0...(8 * 3600))) * 1000 - n.skew
            schedule(at: max(now, at), .ingest(node: n.index, rows: rows))
        }
    }

    func poisson(_ mean: Double) -> Int {
        guard mean > 0 else { return 0 }
        let limit = exp(-mean)
        var k = 0
        var p = 1.0
        repeat {
            k += 1
            p *= Double(rng.next() >> 11) / Double(1 << 53)
        } while p > limit && k < 1000
        return k - 1
    }

    /// Rows generated for the node (the county's subjects and authorities), good and faulty, as a
    /// department's CSV file per kind, ingested by the node's own `FileIngestion`: validated,
    /// refused rows quarantined, the good ones entered as changes routed to the children they
    /// concern. The simulator learns what was accepted from the store's change log.
    func ingest(_ n: SimNode, rows: Int) throws {
        if n.down {
            n.deferredRows += rows
            return
        }
        let clock = date(now, node: n)
        let county = n.code.truncated(to: .county) ?? n.code
        var generator =
            generators[county.digits] ?? SampleGenerator(SampleGenerator.Options(seed: rng.next(), node: county, asOf: ChinaTime.date(clock)))
        generator.options.faultShare = options.faultShare
        generator.options.lateShare = options.lateShare
        generator.options.asOf = ChinaTime.date(clock)
        generator.options.node = n.code
        // The rows of each kind, kinds in the order first drawn.
        var order: [String] = []
        var files: [String: (kind: ResolvedKind, rows: [SampleRow])] = [:]
        for _ in 0..<rows {
            let candidates = n.code.tier <= .county && rng.chance(options.networkWideShare) ? wideCandidates : localCandidates
            let kind = candidates[rng.int(0...(candidates.count - 1))]
            generator.options.jurisdictions = []
            if n.parent == nil, !villages.isEmpty, rng.chance(options.provinceAboutVillages) {
                generator.options.jurisdictions = [nodes[villages[rng.int(0...(villages.count - 1))]].code]
            }
            let row = generator.rows(kind: kind, count: 1)[0]
            if files[kind.slug] == nil { order.append(kind.slug) }
            files[kind.slug, default: (kind, [])].rows.append(row)
            metrics.rows[n.region, default: 0] += 1
        }
        generators[county.digits] = generator
        for slug in order {
            guard let file = files[slug] else { continue }
            let csv = SampleGenerator.csv(kind: file.kind, rows: file.rows, header: .codes)
            let report = try FileIngestion(node: n.node).ingest(bytes: Array(csv.utf8), name: "\(slug).csv", kind: slug, format: .csv, now: clock)
            metrics.erroneous[n.region, default: 0] += report.rejected
            metrics.late[n.region, default: 0] += report.late
            guard let first = report.firstSeq, let last = report.lastSeq else { continue }
            n.mark(n.code.digits, upTo: last, at: now)
            for c in try n.node.store.changes(origin: n.code.digits, after: first - 1, limit: Int(last - first + 1)) {
                metrics.changesEntered += 1
                guard c.op == "put" else { continue }
                let area = try DivisionCode(c.jurisdiction)
                if noteArea(area, of: c.key) { continue }
                truth[c.key] = (n.index, c.kind, [area])
                truthOrder.append(c.key)
                if rng.chance(options.statusShare) {
                    schedule(at: now + Int64(rng.int(1...5)) * 86_400_000, .status(node: n.index, key: c.key, action: .objectionOpened, outcome: nil))
                }
                if let (at, to) = moveTarget(kind: c.kind, area: area) {
                    schedule(at: now + Int64(rng.int(1...6)) * 86_400_000, .move(node: at, key: c.key, to: to))
                }
            }
        }
        try entered(n)
    }

    /// Notes that a version of an accepted record named `area`; false for a record not seen before.
    func noteArea(_ area: DivisionCode, of key: String) -> Bool {
        guard truth[key] != nil else { return false }
        if !truth[key]!.jurisdictions.contains(area) { truth[key]!.jurisdictions.append(area) }
        return true
    }

    /// Whether a record just accepted about `area` will be corrected to another village of its
    /// county, and if so where the correction is entered (the county, or the village it names)
    /// and which village it names.
    func moveTarget(kind: String, area: DivisionCode) -> (at: Int, to: Int)? {
        guard options.moveShare > 0, area.tier == .village, (try? catalogue.unresolvedKind(named: kind))?.jurisdiction != nil,
            let county = area.truncated(to: .county), rng.chance(options.moveShare)
        else { return nil }
        let others = villages.filter { nodes[$0].code != area && county.contains(nodes[$0].code) }
        guard !others.isEmpty else { return nil }
        let to = others[rng.int(0...(others.count - 1))]
        if let c = indexOf[county], rng.chance(0.5) { return (c, to) }
        return (to, to)
    }

    /// A correction of a record naming another village as its 所属行政区划, entered at `n` as a
    /// department's file (`FileIngestion`): the record as its origin holds it, with the area changed.
    func enterMove(_ n: SimNode, key: String, to: SimNode) throws {
        guard !n.down else {
            schedule(at: now + 3_600_000, .move(node: n.index, key: key, to: to.index))
            return
        }
        guard let t = truth[key], let record = try nodes[t.origin].node.store.record(key: key),
            let kind = try? catalogue.kind(named: record.kind),
            let field = kind.kind.jurisdiction
        else { return }
        let report = try enterRecord(n, record, kind: kind, file: "\(kind.slug)-更正.csv", changing: (field, to.code.digits))
        guard let first = report.firstSeq, let last = report.lastSeq else { return }
        n.mark(n.code.digits, upTo: last, at: now)
        for c in try n.node.store.changes(origin: n.code.digits, after: first - 1, limit: Int(last - first + 1)) where c.op == "put" {
            metrics.changesEntered += 1
            metrics.moves += 1
            _ = noteArea(to.code, of: c.key)
        }
        try entered(n)
    }

    /// A department's file of one record as a node holds it (one field changed, if `changing`),
    /// entered at `n` through `FileIngestion` at its clock.
    func enterRecord(_ n: SimNode, _ record: StoredRecord, kind: ResolvedKind, file: String, changing: (field: String, value: String)? = nil) throws
        -> IngestReport
    {
        let values = kind.fields.map { f in f.code == changing?.field ? changing!.value : record.fields[kind.kind.fullCode(f.code)] ?? "" }
        let csv = SampleGenerator.csv(kind: kind, rows: [SampleRow(values: values, fault: nil)], header: .codes)
        return try FileIngestion(node: n.node).ingest(bytes: Array(csv.utf8), name: file, kind: kind.slug, format: .csv, now: date(now, node: n))
    }

    /// The record's origin acts on an objection: opens it, marks the ones it will correct for
    /// assisted verification (协查) half a day later, then keeps, corrects or repairs —
    /// through `StatusDesk`, which refuses what the rules refuse (a repair before the kind's
    /// minimum publicity period, an action the record's state does not allow).
    func enterStatus(_ n: SimNode, key: String, action: StatusAction, outcome: String?) throws {
        guard !n.down else {
            schedule(at: now + 3_600_000, .status(node: n.index, key: key, action: action, outcome: outcome))
            return
        }
        let clock = date(now, node: n)
        let status = StatusChange(
            action: action, date: ChinaTime.date(clock),
            reason: action == .objectionOpened ? "信用主体提出异议" : action == .objectionAssisted ? "需发证机关协助核实" : "异议核查完毕", unit: n.name,
            outcome: outcome)
        let entered: StatusChangeReport
        do { entered = try StatusDesk(node: n.node).enter(key: key, status, now: clock) } catch is StatusChangeError {
            metrics.statusRefused += 1
            return
        }
        n.mark(n.code.digits, upTo: entered.seq, at: now)
        metrics.statusChanges += 1
        metrics.changesEntered += 1
        // DOMAIN.md §5: a record later corrected counts as erroneous too.
        if action == .objectionClosed, outcome == "corrected" { metrics.corrected[n.region, default: 0] += 1 }
        if action == .objectionOpened {
            let roll = rng.int(0...2)
            let (next, outcome): (StatusAction, String?) = roll == 0 ? (.repaired, nil) : (.objectionClosed, roll == 1 ? "kept" : "corrected")
            schedule(at: now + Int64(rng.int(1...3)) * 86_400_000, .status(node: n.index, key: key, action: next, outcome: outcome))
            if outcome == "corrected" { schedule(at: now + 43_200_000, .status(node: n.index, key: key, action: .objectionAssisted, outcome: nil)) }
        }
        try self.entered(n)
    }

    /// New changes at `n`: its backlog upward grew, and its children may have something to pull.
    func entered(_ n: SimNode) throws {
        try noteBacklog(n)
        try planPush(n)
        try wakeChildren(n)
    }

    func noteBacklog(_ n: SimNode) throws {
        guard n.parent != nil else { return }
        let pending = PushLoop.backlog(n.node).pending
        if pending > n.backlogPeak {
            n.backlogPeak = pending
            n.backlogPeakAt = now
        }
    }
}
