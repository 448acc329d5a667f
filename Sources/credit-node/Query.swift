import ArgumentParser
import CreditDomain
import CreditStore
import Foundation
import NodeRuntime

struct Query: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Show a subject's records, by unified social credit code or ID number.")

    @Argument(help: "The subject's unified social credit code or ID number.")
    var code: String

    @Flag(help: "Public view: only publicly disclosed kinds, ID numbers masked.")
    var `public` = false

    @Option(help: "Show at most this many records (newest decisions first); the count shows them all.")
    var limit: Int?

    @OptionGroup var node: NodeOptions

    @Flag(help: "Print the result as JSON; record fields use the national field codes.")
    var json = false

    func run() throws {
        try guarded {
            let context = try node.open()
            let subject = try SubjectQuery.normalise(code)
            var view = try SubjectQuery(context: context).profile(subject: subject, publicView: `public`)
            let total = view.records.count
            let byKind = Dictionary(grouping: view.records.compactMap { $0["kindName"]?.string }, by: { $0 }).map { "\($0.key) \($0.value.count)" }.sorted()
            if let limit {
                view.records = Array(view.records.prefix(limit))
                view.lines = Array(view.lines.prefix(limit))
            }
            if json {
                try printJSON(view)
                return
            }
            print("Subject \(view.subject)\(view.name.map { "  \($0)" } ?? "") — \(view.view) view at node \(context.configuration.code)")
            print("\(total) record(s)\(byKind.isEmpty ? "" : ": " + byKind.joined(separator: ", "))\(view.records.count < total ? "; newest \(view.records.count) shown" : "")")
            for r in view.lines {
                print("")
                for line in r { print(line) }
            }
        }
    }
}
