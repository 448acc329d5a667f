import ArgumentParser
import CreditDomain
import CreditStore
import Foundation
import NodeRuntime

struct Audit: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Who wrote what: every ingestion run and status change, with the writer (a department or operator by its certificate, a local caller, the command line).",
        discussion: "Each entry is written in the same transaction as what it records. `credit-node quarantine --ingest ID` shows a run's refused rows.")

    @OptionGroup var node: NodeOptions

    @Option(help: "Only writes on or after this day (YYYY-MM-DD, China time).")
    var since: String?

    @Option(help: "At most this many entries.")
    var limit = 1000

    @Flag(help: "Print the result as JSON.")
    var json = false

    func run() throws {
        try guarded {
            let context = try node.open()
            var from: Int64 = 0
            if let since {
                guard let day = CivilDate.parse(since) else { throw ExitFailure(message: "--since '\(since)' is not a date (YYYY-MM-DD)", code: 64) }
                from = (Int64(day.dayNumber) * 86_400 - 8 * 3600) * 1000
            }
            let entries = try context.store.audit(since: from, limit: limit)
            if json {
                try printJSON(entries)
                return
            }
            if entries.isEmpty { print("No writes recorded\(since.map { " since \($0)" } ?? "")") }
            for e in entries {
                let when = ChinaTime.timestamp(Date(timeIntervalSince1970: Double(e.at) / 1000))
                let what = e.action == "records" ? "records (\(e.kind ?? "?")) ingest \(e.ingestID ?? 0)" : "status change \(e.recordKey ?? "?")"
                print("\(when)  \(e.actor.description)  \(what): \(e.detail)")
            }
        }
    }
}
