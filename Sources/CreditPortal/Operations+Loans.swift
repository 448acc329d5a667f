import CreditDomain
import CreditStore
import Foundation
import HTTPTypes
import Hummingbird
import NodeRuntime

extension Operations {
    /// `GET /ops/loans` (信易贷: the products in force, the businesses' requests to take up and the
    /// answered) and `POST /ops/loans/ID/contact` (field `handler`), `…/grant` (`amount` in 万元,
    /// `note`), `…/decline` (`reason`): the answers, by the operator in the log, the page's token
    /// required; a redirect to the page at the request, or the page with what to fix (400).
    func registerLoans(on router: RouterGroup<SyncRequestContext>) {
        let ops = self
        let node = portal.node
        router.get("loans") { request, context -> Response in
            let reader = try await context.operatorCaller(node)
            return await ops.formPage(request, template: "ops-loans") { now, token in
                try ops.pages.loans(reader: Self.name(reader), now: now, csrf: token)
            }
        }
        router.post("loans/{id}/{action}") { request, context -> Response in
            let actor = try await context.operatorCaller(node)
            let id = Int64(context.parameters.get("id") ?? "") ?? 0
            let action = context.parameters.get("action") ?? ""
            let pages = ops.pages
            let desk = LoanDesk(node: node)
            return await ops.deskAnswer(
                request, actor: actor, template: "ops-loans", location: "/ops/loans#loan-\(id)",
                page: { reader, now, token, error in try pages.loans(reader: reader, now: now, csrf: token, error: error) },
                refusal: { ($0 as? LoanRequestError)?.message }
            ) { form, now in
                try desk.answer(action, id: id, fields: { form[$0] }, now: now, actor: actor)
            }
        }
    }
}

extension OperationsPages {
    /// `/ops/loans`: 信易贷 — the products of the area's institutions the public sees today, the
    /// requests businesses made on this node's portal still to take up (待对接) or to answer
    /// (已对接), oldest first, each with what the business authorised its institution to see (its
    /// lists, penalties and latest 信用评价) and the forms to note who took it up, the loan granted
    /// or the refusal; the latest answered; the last twelve months by state and institution. The
    /// person to call is shown here only.
    struct LoansPage: Sendable, Encodable {
        struct Item: Sendable, Encodable {
            var id: Int64
            var receivedAt: String
            var waitingDays: Int
            var productName: String
            var lender: String
            var company: String
            var companyCode: String
            var contact: String
            var amount: String
            var months: Int
            var purpose: String
            var state: String
            var pending: Bool
            var contacted: Bool
            var handler: String?
            var granted: String?
            var decision: String?
            var decidedAt: String?
            var credit: LoanDesk.ApplicantCredit?
            var clean: Bool
            /// The institution itself took it up or answered it, from its own system.
            var byInstitution: Bool
        }
        struct Lender: Sendable, Encodable {
            var name: String
            var products: Int
            var requests: Int
            var granted: Int
            var amount: String
            /// The requests it took up or answered itself, from its own system (入驻).
            var ownSystem: Int
        }
        struct Count: Sendable, Encodable {
            var label: String
            var count: Int
        }
        var head: Head
        var csrf: String
        var error: String?
        var products: Int
        var pendingCount: Int
        var contactedCount: Int
        var open: [Item]
        var decided: [Item]
        var received: Int
        var businesses: Int
        var asked: String
        var grantedAmount: String
        var states: [Count]
        var lenders: [Lender]
        /// The businesses (9…) this node holds records of; the share of them that asked (and so
        /// authorised a look-up) in the last twelve months, against the target.
        var businessesKnown: Int
        var authorisedShare: String
        var authorisedTarget = LoanDesk.authorisedTarget
        var targetReached: Bool
        /// The institutions with products in force, those of them that took up or answered a
        /// request of the last twelve months from their own systems (入驻), and their share
        /// against the target.
        var institutions: Int
        var joined: Int
        var joinedShare: String
        var joinedTarget = LoanDesk.joinedTarget
        var joinedReached: Bool
        var openShown = OperationsPages.loansOpenShown
        var recentShown = OperationsPages.complaintsDecidedShown
    }

    /// How many requests to take up or answer the page lists, each with its applicant's credit
    /// (the oldest; all are counted): a page an officer works through, read at 10,000 waiting.
    static let loansOpenShown = 50

    func loans(reader: String, now: Date, csrf: String, error: String? = nil) throws -> LoansPage {
        let today = ChinaTime.date(now)
        let desk = LoanDesk(node: node)
        func item(_ r: LoanRequest, credit: Bool) throws -> LoansPage.Item {
            let received = ChinaTime.date(PortalPages.instant(r.at))
            let summary = credit ? try desk.applicantCredit(r.companyCode, today: today) : nil
            return LoansPage.Item(
                id: r.id, receivedAt: PortalPages.readable(milliseconds: r.at), waitingDays: max(0, today.dayNumber - received.dayNumber),
                productName: r.productName, lender: r.lender, company: r.company, companyCode: r.companyCode,
                contact: "\(r.contactName)，\(r.phone)",
                amount: LoanDesk.tenThousands(r.amount), months: r.termMonths, purpose: r.purpose, state: PortalPages.loanState(r.state),
                pending: r.state == .pending, contacted: r.state == .contacted, handler: r.handler, granted: r.granted.map(LoanDesk.tenThousands),
                decision: r.decision, decidedAt: r.decidedAt.map(PortalPages.readable(milliseconds:)), credit: summary,
                clean: summary?.clean ?? true, byInstitution: r.byInstitution)
        }
        let open = try node.store.openLoanRequests(limit: Self.loansOpenShown).map { try item($0, credit: true) }
        let decided = try node.store.answeredLoanRequests(limit: Self.complaintsDecidedShown).map { try item($0, credit: false) }
        let since = ChinaTime.milliseconds(startOf: today.adding(days: -365))
        let year = try node.store.loanCounts(since: since)
        let own = try node.store.loanRequestsByInstitutions(since: since)
        let products = try desk.products(today: today, limit: .max)
        let productsBy = Dictionary(grouping: products, by: \.lenderCode)
        var lenders = year.byLender.map { l in
            LoansPage.Lender(
                name: l.lender, products: productsBy[l.code]?.count ?? 0, requests: l.requests, granted: l.granted,
                amount: LoanDesk.tenThousands(l.yuan), ownSystem: own[l.code] ?? 0)
        }
        // Institutions with products in force and no request yet are listed too.
        let asked = Set(year.byLender.map(\.code))
        for (code, list) in productsBy.sorted(by: { $0.key < $1.key }) where !asked.contains(code) {
            lenders.append(.init(name: list[0].lender, products: list.count, requests: 0, granted: 0, amount: "0", ownSystem: 0))
        }
        let joined = productsBy.keys.filter { (own[$0] ?? 0) > 0 }.count
        let joinedShare = productsBy.isEmpty ? 0 : Double(joined) * 100 / Double(productsBy.count)
        let counts = try node.store.openLoanRequestCounts()
        let known = try node.store.marketSubjectCount()
        let share = known == 0 ? 0 : Double(year.businesses) * 100 / Double(known)
        return LoansPage(
            head: head(title: "信易贷", reader: reader, now: now), csrf: csrf, error: error, products: products.count,
            pendingCount: counts.pending, contactedCount: counts.contacted, open: open, decided: decided,
            received: year.byState.values.reduce(0, +), businesses: year.businesses, asked: LoanDesk.tenThousands(year.asked),
            grantedAmount: LoanDesk.tenThousands(year.granted),
            states: LoanRequest.State.allCases.map { LoansPage.Count(label: PortalPages.loanState($0), count: year.byState[$0] ?? 0) },
            lenders: lenders, businessesKnown: known, authorisedShare: String(format: "%.1f%%", share),
            targetReached: known > 0 && share >= Double(LoanDesk.authorisedTarget), institutions: productsBy.count, joined: joined,
            joinedShare: String(format: "%.1f%%", joinedShare), joinedReached: !productsBy.isEmpty && joinedShare >= Double(LoanDesk.joinedTarget))
    }
}
