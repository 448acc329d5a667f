import CreditDomain
import SyncCore

/// What the simulator counts while it runs. Keys are node indices and tiers, never hashed
/// iteration order: the report sorts everything it prints.
struct Metrics {
    struct Hop: Hashable, Comparable {
        var from: Tier
        var to: Tier
        static func < (a: Hop, b: Hop) -> Bool { (a.from.rawValue, a.to.rawValue) > (b.from.rawValue, b.to.rawValue) }
    }

    struct Upward {
        /// Latency per change, in milliseconds.
        var latencies: [Int64] = []
        var window: Int64 = 0
        var met = 0
        var breached = 0
        var breachedByOutage = 0
    }

    var rows: [Int: Int] = [:]
    var erroneous: [Int: Int] = [:]
    /// Records whose objection was closed as corrected (更正).
    var corrected: [Int: Int] = [:]
    var late: [Int: Int] = [:]
    var changesEntered = 0
    var statusChanges = 0
    /// Corrections that moved a record to another village.
    var moves = 0
    var messages = 0
    var lost = 0
    var duplicated = 0
    var reordered = 0
    var corrupted = 0
    var corruptedRefused = 0
    var crashes = 0
    var outages = 0
    /// Disks lost (`lose=`), what was lost with them (changes no parent held; records none held
    /// any version of), and what recoveries took back from the parents.
    var disksLost = 0
    /// Of those, restored from a backup; backups `recover` refused (`unsealed-changes`), given up for an empty store.
    var disksRestored = 0
    var backupsRefused = 0
    var changesLost = 0
    var recordsLost = 0
    var setsTakenBack = 0
    var changesTakenBack = 0
    /// Acknowledged sets sent again because the parent no longer held them.
    var setsSentAgain = 0
    /// Changes the top's offices entered again after its disk was lost (OPERATIONS.md "At the top").
    var changesEnteredAgain = 0
    var bundles = 0
    var pages = 0
    var pushFailures = 0
    var held = 0
    var duplicates = 0
    var upward: [Hop: Upward] = [:]
    var downward: [Hop: [Int64]] = [:]
    var unexpectedRefusals: [String] = []
    var corruptedAccepted: [String] = []
    var appliedTwice: [String] = []
    /// Status changes the node refused (a repair before the minimum publicity period, …).
    var statusRefused = 0

    mutating func hop(from child: SimNode, to parent: SimNode, latency: Int64, count: Int, outage: Bool) {
        let key = Hop(from: child.code.tier, to: parent.code.tier)
        // Changed in place: a copy taken out of the dictionary would copy every latency so far.
        if upward[key] == nil { upward[key] = Upward(window: child.window) }
        upward[key]!.window = max(upward[key]!.window, child.window)
        upward[key]!.latencies.append(contentsOf: repeatElement(latency, count: count))
        if Window.standing(waited: latency, window: child.window) != .breached {
            upward[key]!.met += count
        } else if outage {
            upward[key]!.breachedByOutage += count
        } else {
            upward[key]!.breached += count
        }
    }

    mutating func downHop(from parent: SimNode, to child: SimNode, latency: Int64) {
        downward[Hop(from: parent.code.tier, to: child.code.tier), default: []].append(latency)
    }
}
