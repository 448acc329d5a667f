import ArgumentParser
import CreditDomain
import CreditStore
import Foundation
import NodeRuntime

/// `credit-node loan`: 信易贷 — the businesses' requests for the area's loan products made on this
/// node's portal, and the answers, as `/ops/loans` gives them.
struct LoanCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "loan",
        abstract:
            "Requests for 信易贷 loan products (融资需求) made on the portal: list them with what each business authorised its institution to see, note who took one up, the loan granted, or decline it; the business reads the answer with its code.",
        subcommands: [List.self, Contact.self, Grant.self, Decline.self])

    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract:
                "The requests still to take up or answer, oldest first, each with the applicant's lists, penalties and latest 信用评价; with --all the latest answered too. They name a person to call and stay at this node."
        )
        @Flag(help: "Also the latest 100 answered (granted or declined).") var all = false
        @OptionGroup var node: NodeOptions
        @Flag(help: "Print the result as JSON.") var json = false

        struct Listed: Encodable {
            var request: LoanRequest
            var credit: LoanDesk.ApplicantCredit?
        }

        func run() throws {
            try guarded {
                let context = try node.open()
                let today = ChinaTime.date(Date())
                let desk = LoanDesk(node: context)
                let open = try context.store.openLoanRequests().map {
                    Listed(request: $0, credit: try desk.applicantCredit($0.companyCode, today: today))
                }
                let answered = all ? try context.store.answeredLoanRequests(limit: 100).map { Listed(request: $0) } : []
                let listed = open + answered
                if json { return try printJSON(listed) }
                guard !listed.isEmpty else { return print(all ? "No loan requests" : "No loan requests to take up or answer") }
                for l in listed {
                    let r = l.request
                    let at = ChinaTime.timestamp(Date(timeIntervalSince1970: Double(r.at) / 1000))
                    print("#\(r.id)  \(r.state.rawValue)  \(at)  \(r.company) \(r.companyCode)")
                    print("      \(r.productName) (\(r.lender)): \(LoanDesk.tenThousands(r.amount)) 万元 for \(r.termMonths) months — \(r.purpose)")
                    print("      contact: \(r.contactName) · \(r.phone)")
                    if let c = l.credit {
                        let lists = (c.sanctions.map { "on \($0)" } + c.rewards.map { "on \($0)" }).joined(separator: ", ")
                        print("      credit: \(lists.isEmpty ? "on no list" : lists); penalties shown: \(c.penalties); rating: \(c.grade ?? "none")")
                    }
                    if let handler = r.handler { print("      taken up by: \(handler)") }
                    if r.byInstitution { print("      handled by the institution from its own system (入驻)") }
                    if let granted = r.granted { print("      granted: \(LoanDesk.tenThousands(granted)) 万元") }
                    if let decision = r.decision { print("      \(r.state == .declined ? "declined" : "note"): \(decision)") }
                }
            }
        }
    }

    struct Contact: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Note who at the institution took up a pending request (the business reads the name).")
        @Argument(help: "The request's number.") var id: Int64
        @Option(help: "The institution's officer and branch (对接人).") var handler: String
        @OptionGroup var node: NodeOptions
        func run() throws {
            try guarded {
                try LoanDesk(node: try node.open()).contact(id: id, handler: handler, now: Date(), actor: .commandLine)
                print("Loan request \(id) taken up by \(handler).")
            }
        }
    }

    struct Grant: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Note the loan granted on a request taken up.")
        @Argument(help: "The request's number.") var id: Int64
        @Option(help: "The amount granted, in 万元 (10,000 yuan), e.g. 30 or 12.5.") var amount: String
        @Option(help: "A note the business reads, if any.") var note: String?
        @OptionGroup var node: NodeOptions
        func run() throws {
            try guarded {
                try LoanDesk(node: try node.open()).grant(id: id, amount: amount, note: note ?? "", now: Date(), actor: .commandLine)
                print("Loan request \(id): \(amount) 万元 granted.")
            }
        }
    }

    struct Decline: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Decline a request not yet answered, with the reason the business reads.")
        @Argument(help: "The request's number.") var id: Int64
        @Option(help: "Why it is not granted.") var reason: String
        @OptionGroup var node: NodeOptions
        func run() throws {
            try guarded {
                try LoanDesk(node: try node.open()).decline(id: id, reason: reason, now: Date(), actor: .commandLine)
                print("Loan request \(id) declined.")
            }
        }
    }
}
