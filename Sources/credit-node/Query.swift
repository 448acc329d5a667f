import ArgumentParser
import CreditDomain
import CreditStore
import Foundation
import NodeRuntime

struct Query: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Show a subject's records, by unified social credit code or ID number; or a decision's, by its document number.",
        discussion: """
            With --number, the records whose 决定文书号 is the number given, in any state: typed             as read — the brackets of the year (〔〕, (), （）, [], 【】), spaces and letter case as             the portal's search compares them.
            """)

    @Argument(help: "The subject's unified social credit code or ID number.")
    var code: String?

    @Option(help: "A decision's document number (决定文书号) instead of a subject.")
    var number: String?

    @Flag(help: "Public view: only publicly disclosed kinds, ID numbers masked.")
    var `public` = false

    @Option(help: "Show at most this many records (newest decisions first); the count shows them all.")
    var limit: Int?

    @OptionGroup var node: NodeOptions

    @Flag(help: "Print the result as JSON; record fields use the national field codes.")
    var json = false

    func validate() throws {
        guard (code == nil) != (number == nil) else { throw ValidationError("Give a subject's code or --number, one of them.") }
        if let number, !DocumentNumber.mayBeOne(number) {
            throw ValidationError(
                "--number: a document number has 4 to \(DocumentNumber.maximumLength) characters, digits among them and not digits alone.")
        }
    }

    func run() throws {
        try guarded {
            let context = try node.open()
            var view: SubjectProfile
            if let number {
                view = try SubjectQuery(context: context).documents(number: number, publicView: `public`)
            } else {
                view = try SubjectQuery(context: context).profile(subject: try SubjectQuery.normalise(code ?? ""), publicView: `public`)
            }
            let total = view.records.count
            let byKind = Dictionary(grouping: view.records.compactMap { $0["kindName"]?.string }, by: { $0 }).map { "\($0.key) \($0.value.count)" }
                .sorted()
            if let limit {
                view.records = Array(view.records.prefix(limit))
                view.lines = Array(view.lines.prefix(limit))
            }
            if json {
                try printJSON(view)
                return
            }
            if number != nil {
                print("Document number \(view.subject) — \(view.view) view at node \(context.configuration.code)")
            } else {
                print("Subject \(view.subject)\(view.name.map { "  \($0)" } ?? "") — \(view.view) view at node \(context.configuration.code)")
            }
            print(
                "\(total) record(s)\(byKind.isEmpty ? "" : ": " + byKind.joined(separator: ", "))\(view.records.count < total ? "; newest \(view.records.count) shown" : "")"
            )
            for r in view.lines {
                print("")
                for line in r { print(line) }
            }
        }
    }
}
