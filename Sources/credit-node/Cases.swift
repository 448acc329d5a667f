import ArgumentParser
import CreditDomain
import CreditStore
import Foundation
import NodeRuntime

struct CasesCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "cases",
        abstract: "联合奖惩典型案例: the cases the area has published, the feedback that may become one, and publishing one.",
        discussion: """
            The same as the operators' page /ops/cases. `cases list` (the default) prints the cases the node holds, newest \
            first, and its units' feedback of the last 90 days whose measure was applied (已实施) and which is not under \
            objection, each with its record key; `cases publish` writes one as a case the public reads on the portal's /cases \
            and that travels upward like every record. The subject, its region and the category come from the feedback.
            """,
        subcommands: [List.self, Publish.self], defaultSubcommand: List.self)

    /// The node's case desk, or exit 78 when the catalogue lacks a kind it needs.
    static func desk(_ context: NodeContext) throws -> TypicalCases {
        guard let desk = TypicalCases(node: context) else {
            throw ExitFailure(message: "the node's catalogue lacks the kind case (联合奖惩典型案例) or feedback (联合奖惩执行反馈)", code: 78)
        }
        return desk
    }

    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "The published cases and the feedback that may become one.")

        @Flag(help: "Print both lists as JSON.") var json = false
        @OptionGroup var node: NodeOptions

        struct Document: Encodable {
            var cases: [TypicalCases.Case]
            var candidates: [TypicalCases.Candidate]
        }

        func run() throws {
            try guarded {
                let context = try node.open()
                let desk = try CasesCommand.desk(context)
                let today = ChinaTime.date(context.clock())
                let cases = try desk.published(today: today)
                let candidates = try desk.candidates(today: today, published: cases)
                if json { return try printJSON(Document(cases: cases, candidates: candidates)) }
                var out = ["已发布的典型案例 \(cases.count) 件（新的在前）："]
                for c in cases {
                    out.append("  \(c.date) 《\(c.title)》 \(c.type) · \(c.subject)（\(c.subjectCode)） · \(c.publisher) · 编号 \(c.number)")
                }
                out.append("可发布的执行反馈 \(candidates.count) 条（近 \(TypicalCases.candidateDays) 日已实施，新的在前）：")
                for c in candidates {
                    out.append("  \(c.date) \(c.subject)（\(c.subjectCode)） \(c.type) · \(c.list) · \(c.unit)\(c.published ? " [已发布]" : "")")
                    out.append("      \(c.key)")
                }
                print(out.joined(separator: "\n"))
            }
        }
    }

    struct Publish: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Publish a unit's feedback as a typical case (validated as any record; refused with every reason, nothing written).")

        @Option(help: "The feedback's record key (from `credit-node cases`).") var feedback: String
        @Option(help: "案例标题, as the public reads it.") var title: String
        @Option(help: "案例摘要: what the subject did, the list, the measures and their effect.") var summary: String
        @Option(help: "发布单位: the credit office publishing it (default: that of the node's latest case).") var publisher: String?
        @Option(name: .customLong("publisher-code"), help: "发布单位统一社会信用代码 (default: that of the node's latest case).")
        var publisherCode: String?
        @Option(help: "案例编号, unique for the publisher (default: AL- and the feedback's number).") var number: String?
        @Option(help: "采取措施 (default: the feedback's).") var measures: String?
        @Option(help: "依据名单 (default: the feedback's).") var list: String?
        @Option(help: "备注.") var remark: String?
        @Flag(help: "Print the result as JSON.") var json = false
        @OptionGroup var node: NodeOptions

        func run() throws {
            try guarded {
                let context = try node.open()
                let desk = try CasesCommand.desk(context)
                let now = context.clock()
                do {
                    var draft = try desk.draft(feedbackKey: feedback, today: ChinaTime.date(now)).draft
                    draft.title = title
                    draft.summary = summary
                    draft.number = number ?? draft.number
                    draft.measures = measures ?? draft.measures
                    draft.list = list ?? draft.list
                    draft.publisher = publisher ?? draft.publisher
                    draft.publisherCode = publisherCode ?? draft.publisherCode
                    draft.remark = remark ?? ""
                    let published = try desk.publish(draft, now: now, actor: .commandLine)
                    if json { return try printJSON(published) }
                    print("已发布：《\(published.title)》（\(published.key)），在信用网站“典型案例”栏目公示，下次报送时上报。")
                } catch let refusal as TypicalCases.Refusal {
                    throw ExitFailure(
                        message: "案例未发布：" + refusal.description, code: refusal.code == .unknownFeedback ? 64 : 65)
                }
            }
        }
    }
}
