import ArgumentParser
import CreditDomain
import CreditStore
import Foundation
import NodeRuntime

struct SetAside: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "set-aside",
        abstract: "Change sets refused on their own inside a child's bundle (the rest went through), with the reason; resolve one with a note.",
        discussion: "A set stays set aside (and its origin's later sets held behind it) until its origin sends a good one; --resolve records what the operator did.")

    @OptionGroup var node: NodeOptions

    @Flag(help: "Include resolved entries.")
    var all = false

    @Option(help: "Mark this entry resolved (with --note).")
    var resolve: Int64?

    @Option(help: "What was done about it.")
    var note: String?

    @Flag(help: "Print the result as JSON.")
    var json = false

    func run() throws {
        try guarded {
            let context = try node.open()
            if let resolve {
                guard let note, !note.trimmingCharacters(in: .whitespaces).isEmpty else { throw ExitFailure(message: "--resolve needs --note saying what was done", code: 64) }
                guard try context.store.resolveSetAside(id: resolve, resolution: note) else {
                    throw ExitFailure(message: "no unresolved set-aside entry \(resolve); `credit-node set-aside` lists them", code: 66)
                }
                print("Entry \(resolve) resolved: \(note)")
                return
            }
            let entries = try context.store.setAsideEntries(includeResolved: all)
            if json {
                try printJSON(entries)
                return
            }
            if entries.isEmpty { print("Nothing set aside\(all ? "" : " unresolved")") }
            for e in entries {
                let when = ChinaTime.timestamp(Date(timeIntervalSince1970: Double(e.at) / 1000))
                print("\(e.id)  \(when)  \(e.direction) from \(e.peer): origin \(e.origin) seq \(e.firstSeq)…\(e.lastSeq) — \(e.message) [\(e.code)]")
                if let r = e.resolution { print("    resolved: \(r)") }
            }
        }
    }
}
