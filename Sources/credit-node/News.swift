import ArgumentParser
import CreditDomain
import CreditStore
import Foundation
import NodeRuntime

struct NewsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "news",
        abstract: "信用动态: a month's articles by publishing unit against the monthly share, and publishing one.",
        discussion: """
            The same as the operators' page /ops/news. `news list` (the default) prints a month's articles (default: this \
            month) by publishing unit against the share of 2 a month (seed 000: 各部门每月……推送工作动态宣传稿件至少2篇), \
            by region and by 栏目, and the area's newest articles; `news publish` writes one the public reads on the portal's \
            /news and that travels upward like every record. Departments may also send articles as records of the kind news.
            """,
        subcommands: [List.self, Publish.self], defaultSubcommand: List.self)

    static func desk(_ context: NodeContext) throws -> CreditNews {
        guard let desk = CreditNews(node: context) else { throw ExitFailure(message: "the node's catalogue lacks the kind news (信用动态)", code: 78) }
        return desk
    }

    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "A month's articles by unit, region and 栏目, and the newest articles.")

        @Option(help: "The month, as 2026-11 or 2026年11月 (default: this month).") var month: String?
        @Flag(help: "Print the ledger and the newest articles as JSON.") var json = false
        @OptionGroup var node: NodeOptions

        struct Document: Encodable {
            var ledger: CreditNews.Ledger
            var articles: [CreditNews.Article]
        }

        func run() throws {
            try guarded {
                let context = try node.open()
                let desk = try NewsCommand.desk(context)
                let today = ChinaTime.date(context.clock())
                let chosen: CalendarMonth
                if let month {
                    guard let m = CalendarMonth(month), m <= CalendarMonth(today) else {
                        throw ExitFailure(message: "--month \(month): write a month begun, as 2026-11 or 2026年11月", code: 64)
                    }
                    chosen = m
                } else {
                    chosen = CalendarMonth(today)
                }
                let ledger = try desk.ledger(month: chosen, today: today)
                let articles = try desk.list(limit: 20, today: today).articles
                if json { return try printJSON(Document(ledger: ledger, articles: articles)) }
                var out = [
                    "\(chosen.chinese)信用动态 \(ledger.total) 篇；每月 \(ledger.target) 篇：\(ledger.unitsMet) / \(ledger.unitCount) 个单位达到",
                    "按发布单位（近 12 个月发布过的，本月篇数少的在前）：",
                ]
                for u in ledger.units { out.append("  \(u.name)（\(u.code)） \(u.articles) 篇\(u.met ? "" : "，还差 \(u.missing) 篇")") }
                out.append("按地区：" + ledger.regions.map { "\($0.name) \($0.articles)" }.joined(separator: "，"))
                out.append("按栏目：" + ledger.columns.map { "\($0.name) \($0.articles)" }.joined(separator: "，"))
                out.append("最新稿件（新的在前）：")
                for a in articles { out.append("  \(a.date) 【\(a.column)】《\(a.title)》 \(a.publisher) · \(a.region)\n      \(a.key)") }
                print(out.joined(separator: "\n"))
            }
        }
    }

    struct Publish: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Publish an article (validated as any record; refused with every reason, nothing written).")

        @Option(help: "标题.") var title: String
        @Option(help: "栏目: 工作动态, 政策法规, 通知公告 or 诚信宣传.") var column: String
        @Option(name: .customLong("body-file"), help: "A UTF-8 text file holding the 正文, a paragraph a line.") var bodyFile: String
        @Option(help: "发布单位.") var publisher: String
        @Option(name: .customLong("publisher-code"), help: "发布单位统一社会信用代码.") var publisherCode: String
        @Option(help: "稿件编号, unique for the publisher (default: DT and the time).") var number: String?
        @Option(name: .customLong("document-number"), help: "文号, for a policy or notice that has one.") var documentNumber: String?
        @Option(help: "来源, for an article first published elsewhere.") var source: String?
        @Option(help: "备注.") var remark: String?
        @Flag(help: "Print the result as JSON.") var json = false
        @OptionGroup var node: NodeOptions

        func run() throws {
            try guarded {
                let body: String
                do {
                    let bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: bodyFile)))
                    body = try String(decoding: TextDecoding.decode(bytes).text, as: UTF8.self)
                } catch let error as IngestError {
                    throw ExitFailure(message: "\(bodyFile): \(error)", code: 65)
                } catch {
                    throw ExitFailure(message: "cannot read \(bodyFile): \(error.localizedDescription)", code: 66)
                }
                let context = try node.open()
                let desk = try NewsCommand.desk(context)
                let draft = CreditNews.Draft(
                    number: number ?? "", title: title, column: column, body: body, documentNumber: documentNumber ?? "", source: source ?? "",
                    publisher: publisher, publisherCode: publisherCode, remark: remark ?? "")
                do {
                    let published = try desk.publish(draft, now: context.clock(), actor: .commandLine)
                    if json { return try printJSON(published) }
                    print("已发布：《\(published.title)》（\(published.key)），在信用网站“信用动态”栏目公示，下次报送时上报。")
                } catch let refusal as CreditNews.Refusal {
                    throw ExitFailure(message: "稿件未发布：" + refusal.description, code: 65)
                }
            }
        }
    }
}
