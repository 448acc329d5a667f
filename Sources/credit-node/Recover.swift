import ArgumentParser
import Foundation
import NodeRuntime

struct Recover: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract:
            "Rebuild a lost or older store from the parent: take back this node's own change sets and its subtree's as the parent holds them (each verified against its origin's signature), then pull what concerns the node.",
        discussion:
            "Run it with the node stopped, on an empty store (the same node.yaml, DATA/node.sqlite moved aside) or on one restored from a backup; at the top (no parent), after restoring a backup, it starts the down stream again past the children's cursors and its own seqs past any the lost store gave. Exit 0 done, 65 refused (the store's chain and the parent's differ, or changes of its own were never sealed: nothing of that origin was taken back), 69 parent unreachable."
    )

    @OptionGroup var node: NodeOptions

    @Flag(help: "Print the result as JSON.")
    var json = false

    func run() async throws {
        try await syncCommand {
            do {
                let report = try await Recovery(node: try node.open()).run()
                if json {
                    try printJSON(report)
                    return
                }
                guard let parent = report.parent else {
                    print(
                        "This node has no parent: nothing to take back. Its down stream starts again past its children's cursors: each child pulls its area once more"
                    )
                    if let next = report.ownSeqsFrom {
                        print(
                            "Its own changes go on from seq \(next), past any its lost store gave (its children keep those they hold). Have its offices enter again what they entered since the backup"
                        )
                    }
                    return
                }
                if report.origins.isEmpty {
                    print("Nothing to take back from \(parent): this store holds every change set of its subtree the parent holds")
                }
                for o in report.origins {
                    print("Took back \(o.origin): seq \(o.from + 1)…\(o.to), \(o.sets) change set(s), \(o.changes) change(s)")
                }
                if let pull = report.pull {
                    print(
                        "Pulled \(pull.pages) page(s) from \(pull.parent): \(pull.applied) change(s) applied, \(pull.duplicates) already held; cursor \(pull.cursor)"
                    )
                }
            } catch let refusal as Recovery.Refusal {
                FileHandle.standardError.write(Data("error: \(refusal)\n".utf8))
                throw ExitCode(65)
            }
        }
    }
}
