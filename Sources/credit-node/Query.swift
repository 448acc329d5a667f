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

    @OptionGroup var node: NodeOptions

    @Flag(help: "Print the result as JSON; record fields use the national field codes.")
    var json = false

    func run() throws {
        try guarded {
            let context = try node.open()
            let subject = try SubjectQuery.normalise(code)
            let view = try SubjectQuery(context: context).profile(subject: subject, publicView: `public`)
            if json {
                try printJSON(view)
                return
            }
            print("Subject \(view.subject)\(view.name.map { "  \($0)" } ?? "") — \(view.view) view at node \(context.configuration.code)")
            print("\(view.records.count) record(s)\(view.hidden > 0 ? "; \(view.hidden) not publicly disclosed, hidden" : "")")
            for r in view.lines {
                print("")
                for line in r { print(line) }
            }
        }
    }
}
