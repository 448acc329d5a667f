import ArgumentParser
import CreditDomain
import CreditStore
import Foundation
import NodeRuntime
import SyncCore

struct Status: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Show the node's identity and what its store holds.")

    @OptionGroup var node: NodeOptions

    @Flag(help: "Print the result as JSON.")
    var json = false

    struct Output: Encodable {
        var code: String
        var tier: String
        var name: String?
        var database: String
        var catalogueVersion: String
        /// Years with an official working-day schedule; deadlines in other years are provisional.
        var calendarYears: [Int]
        var counts: StoreCounts
        /// Records whose current version entered the network here: summed over every node of a
        /// network, the top's total (`/ops/`).
        var enteredHere: Int
        var highestSeq: [String: Int64]
        var parent: String?
        /// Where this node stands in its parent's downward stream (`export --down --after`).
        var downCursor: Int64?
        var windowHours: Int
        /// `sound`, or what `verify-store` or the check at start found.
        var store: String
        var origins: [OriginStatus]
        /// Change sets accepted from children whose changes are not applied here yet.
        var applyQueue: ApplyQueueCounts
        /// Change sets refused on their own and set aside, not yet resolved (`set-aside`).
        var setAside: Int
        /// Objections open here, and how many are past the decision's time limit (`objection list`).
        var objectionsOpen: Int
        var objectionsPastLimit: Int
    }

    func run() throws {
        try guarded {
            let context = try node.open()
            let c = context.configuration
            let objections = try context.openObjections(today: ChinaTime.date(Date()))
            let output = Output(
                code: c.code.digits, tier: c.tier.name, name: c.name, database: context.store.path, catalogueVersion: context.catalogue.version,
                calendarYears: context.calendar.years.keys.sorted(), counts: try context.store.counts(),
                enteredHere: try context.store.recordsEntered(at: c.code.digits), highestSeq: try context.store.highestSeq(),
                parent: c.parent?.code.digits, downCursor: try c.parent.map { try context.store.downCursor(parent: $0.code) },
                windowHours: c.effectiveWindowHours,
                store: StoreVerification.recordedDamage(c)?.summary ?? "sound",
                origins: try context.store.originStatus(windowSeconds: Int64(c.effectiveWindowSeconds), hasParent: c.parent != nil),
                applyQueue: try context.store.queued(), setAside: try context.store.unresolvedSetAside(), objectionsOpen: objections.count,
                objectionsPastLimit: objections.filter(\.pastLimit).count)
            if json {
                try printJSON(output)
                return
            }
            print("Node \(output.code) (\(output.tier))\(output.name.map { " \($0)" } ?? "")")
            print("  store:      \(output.database)\(output.store == "sound" ? "" : " — \(output.store)")")
            print(
                "  catalogue:  \(output.catalogueVersion); official working-day calendars: \(Self.years(output.calendarYears)) (other years provisional: statutory holidays only)"
            )
            let provisional = output.counts.provisionalDeadlines
            print(
                "  records:    \(output.counts.records) (late 迟报: \(output.counts.late)\(provisional > 0 ? "; \(provisional) with a provisional deadline 暂定期限, settled when the year's official calendar arrives" : ""))"
            )
            print("  entered:    \(output.enteredHere) of them entered the network here")
            print("  changes:    \(output.counts.changes)")
            print("  quarantine: \(output.counts.quarantined)")
            if output.setAside > 0 {
                print(
                    "  set aside:  \(output.setAside) change set(s) refused on their own, the rest of their bundles applied — see credit-node set-aside"
                )
            }
            if output.objectionsOpen > 0 {
                print(
                    "  objections: \(output.objectionsOpen) open, \(output.objectionsPastLimit) past the time limit — see credit-node objection list")
            }
            if output.applyQueue.sets > 0 {
                print(
                    "  applying:   \(output.applyQueue.sets) change set(s) accepted from children, \(output.applyQueue.changes) changes not yet in the records"
                )
            }
            print("  upward:     \(output.parent.map { "to \($0), " } ?? "no parent, ")window \(output.windowHours) h")
            if let cursor = output.downCursor { print("  downward:   at position \(cursor) of \(output.parent ?? "the parent")'s stream") }
            for o in output.origins {
                let age = o.oldestUnacknowledgedSeconds.map { " oldest pending \($0 / 3600) h \($0 / 60 % 60) min;" } ?? ""
                print(
                    "  origin \(o.origin): held seq \(o.highestSeqHeld), acknowledged upward \(o.highestSeqAcknowledged), pending \(o.unacknowledged);\(age) at risk \(o.atRisk), past window \(o.pastWindow)"
                )
            }
        }
    }

    /// `2015–2026`, or runs separated by commas when a year is missing.
    static func years(_ years: [Int]) -> String {
        var runs: [String] = []
        var i = 0
        while i < years.count {
            var j = i
            while j + 1 < years.count && years[j + 1] == years[j] + 1 { j += 1 }
            runs.append(i == j ? "\(years[i])" : "\(years[i])–\(years[j])")
            i = j + 1
        }
        return runs.joined(separator: ", ")
    }
}
