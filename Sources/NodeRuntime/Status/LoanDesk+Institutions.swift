import CreditDomain
import CreditStore
import Foundation
import HTTPTypes
import Hummingbird

/// 金融机构入驻 (seed 004 item 11: 引导我县商业银行入驻融资信用服务平台): a financial institution of
/// the area answers the businesses' requests for its 信易贷 products from its own system, on the
/// records listener with its certificate (`pki issue --institution NAME --lender-code USCC`): it
/// reads the requests for its products — and only those — with what each business authorised it to
/// see, takes them up, grants or declines them. The office still may answer for it on `/ops/loans`.
extension LoanDesk {
    /// How many requests one answer lists at most, and by default.
    public static let institutionListMax = 500
    public static let institutionListDefault = 100

    /// A request as its institution reads it: what the business gave — the person to call and the
    /// telephone among it, which the business gave for this — and where it stands; never its
    /// follow-up code (the business's alone).
    public struct InstitutionRequest: Sendable, Encodable {
        public var id: Int64
        /// When it was received, ISO 8601 (China time).
        public var receivedAt: String
        public var productKey: String
        public var productName: String
        public var company: String
        public var companyCode: String
        public var contactName: String
        public var phone: String
        /// Asked for: in 万元 as a person reads it (`50`, `12.5`), and in yuan.
        public var amount: String
        public var amountYuan: Int64
        public var termMonths: Int
        public var purpose: String
        /// `pending` (to take up), `contacted` (taken up), `granted`, `declined`.
        public var state: String
        public var handler: String?
        public var contactedAt: String?
        public var decidedAt: String?
        public var granted: String?
        public var grantedYuan: Int64?
        /// The reason declined, or the note with the loan granted.
        public var decision: String?
        /// What the business authorised the institution to see (one request's answer only).
        public var credit: ApplicantCredit?
    }

    public struct InstitutionRequests: Sendable, Encodable {
        public var lenderCode: String
        public var requests: [InstitutionRequest]
        /// Where the next list goes on (`after=`), when more remain.
        public var next: String?
    }

    /// One of the institution's products the public sees today on this node's portal, with the
    /// requests for it this node holds.
    public struct InstitutionProduct: Sendable, Encodable {
        public var key: String
        public var name: String
        public var category: String
        /// The most it lends, in 万元 as a person reads it, and for how many months.
        public var maxAmount: String
        public var maxMonths: Int
        public var rate: String
        /// Requests still to take up or answer (pending and taken up), and all of them.
        public var open: Int
        public var requests: Int
    }

    public struct InstitutionProducts: Sendable, Encodable {
        public var lenderCode: String
        public var products: [InstitutionProduct]
    }

    /// The institution's products the public sees today here, newest first, each with its
    /// requests: what its system checks against its own list, and the keys its requests name.
    public func institutionProducts(lenderCode: String, today: CivilDate) throws -> InstitutionProducts {
        let counts = try node.store.loanRequestCounts(lenderCode: lenderCode)
        let mine = try products(today: today, limit: .max).filter { $0.lenderCode == lenderCode }
        return InstitutionProducts(
            lenderCode: lenderCode,
            products: mine.map { p in
                let n = counts[p.key] ?? [:]
                return InstitutionProduct(
                    key: p.key, name: p.name, category: p.category, maxAmount: Self.tenThousands(p.maxYuan), maxMonths: p.maxMonths, rate: p.rate,
                    open: (n[.pending] ?? 0) + (n[.contacted] ?? 0), requests: n.values.reduce(0, +))
            })
    }

    /// Which requests `state` names: `open` (pending, then taken up: the default), or one state.
    public static func institutionStates(_ state: String?) -> [LoanRequest.State]? {
        switch state ?? "open" {
        case "open": [.pending, .contacted]
        case let one: LoanRequest.State(rawValue: one).map { [$0] }
        }
    }

    /// The requests for the institution's products in `states`, oldest first within each state,
    /// after `position`, at most `limit`, and where the next list goes on.
    public func institutionRequests(
        lenderCode: String, states: [LoanRequest.State], after position: NodeStore.LoanListPosition? = nil, limit: Int
    ) throws -> InstitutionRequests {
        let found = try node.store.loanRequests(lenderCode: lenderCode, states: states, after: position, limit: limit + 1)
        let shown = found.prefix(limit)
        let next = found.count > limit ? shown.last.map { NodeStore.LoanListPosition(state: $0.state, at: $0.at, id: $0.id).text } : nil
        return InstitutionRequests(lenderCode: lenderCode, requests: shown.map { Self.institutionView($0) }, next: next)
    }

    /// One request for the institution's products, with what the business authorised it to see;
    /// nil when there is none of that number for this institution (another's is none to it).
    public func institutionRequest(id: Int64, lenderCode: String, today: CivilDate) throws -> InstitutionRequest? {
        guard let request = try node.store.loanRequest(id: id), request.lenderCode == lenderCode else { return nil }
        var view = Self.institutionView(request)
        view.credit = try applicantCredit(request.companyCode, today: today)
        return view
    }

    static func institutionView(_ r: LoanRequest) -> InstitutionRequest {
        let time = { (ms: Int64) in ChinaTime.timestamp(Date(timeIntervalSince1970: Double(ms) / 1000)) }
        return InstitutionRequest(
            id: r.id, receivedAt: time(r.at), productKey: r.productKey, productName: r.productName, company: r.company, companyCode: r.companyCode,
            contactName: r.contactName, phone: r.phone, amount: tenThousands(r.amount), amountYuan: r.amount, termMonths: r.termMonths,
            purpose: r.purpose, state: r.state.rawValue, handler: r.handler, contactedAt: r.contactedAt.map(time),
            decidedAt: r.decidedAt.map(time), granted: r.granted.map(tenThousands), grantedYuan: r.granted, decision: r.decision)
    }
}

extension Router where Context == SyncRequestContext {
    /// The institutions' routes on the records listener (`LoanDesk+Institutions`):
    /// `GET /v1/loans/products`, `GET /v1/loans/requests[?state=open|pending|contacted|granted|declined&limit=N&after=NEXT]`,
    /// `GET /v1/loans/requests/{id}`, and `POST /v1/loans/requests/{id}/contact|grant|decline`
    /// with a JSON body (`Content-Type: application/json`, which no other site's page can send
    /// without this listener's leave).
    func addInstitutionRoutes(node: NodeContext) {
        get("/v1/loans/products") { _, context -> Response in
            let (_, lender) = try await context.institutionCaller(node)
            try node.refuseIfDamaged()
            let today = ChinaTime.date(node.clock())
            switch await BlockingWork.run({ try LoanDesk(node: node).institutionProducts(lenderCode: lender, today: today) }) {
            case .success(let answer): return try jsonResponse(answer)
            case .failure(let e): throw e
            }
        }
        get("/v1/loans/requests") { request, context -> Response in
            let (_, lender) = try await context.institutionCaller(node)
            try node.refuseIfDamaged()
            let query = request.uri.queryParameters
            guard let states = LoanDesk.institutionStates(query.get("state").map { String($0) }) else {
                throw HTTPError(
                    .badRequest, message: "state is one of open (the default: pending, then contacted), pending, contacted, granted, declined")
            }
            let limit = query.get("limit").map { Int(String($0)) ?? 0 } ?? LoanDesk.institutionListDefault
            guard (1...LoanDesk.institutionListMax).contains(limit) else {
                throw HTTPError(.badRequest, message: "limit is a whole number from 1 to \(LoanDesk.institutionListMax)")
            }
            var position: NodeStore.LoanListPosition?
            if let after = query.get("after") {
                guard let at = NodeStore.LoanListPosition(String(after)) else {
                    throw HTTPError(.badRequest, message: "after is where the list before stopped, as its next gives it (STATE.TIME.NUMBER)")
                }
                position = at
            }
            let from = position
            switch await BlockingWork.run({
                try LoanDesk(node: node).institutionRequests(lenderCode: lender, states: states, after: from, limit: limit)
            }) {
            case .success(let answer): return try jsonResponse(answer)
            case .failure(let e): throw e
            }
        }
        get("/v1/loans/requests/:id") { _, context -> Response in
            let (actor, lender) = try await context.institutionCaller(node)
            try node.refuseIfDamaged()
            let id = try Self.loanRequestID(context)
            let today = ChinaTime.date(node.clock())
            switch await BlockingWork.run({ try LoanDesk(node: node).institutionRequest(id: id, lenderCode: lender, today: today) }) {
            case .success(let found?):
                node.logger.info("loan request read", metadata: ["loan-request": "\(id)", "by": "\(actor.description)"])
                return try jsonResponse(found)
            case .success(nil): throw Self.noLoanRequest(id, lender: lender)
            case .failure(let e): throw e
            }
        }
        post("/v1/loans/requests/:id/:action") { request, context -> Response in
            let (actor, lender) = try await context.institutionCaller(node)
            try node.refuseIfDamaged()
            let id = try Self.loanRequestID(context)
            let action = context.parameters.get("action") ?? ""
            guard LoanDesk.answers.contains(action) else {
                throw HTTPError(.notFound, message: "no such answer: POST /v1/loans/requests/\(id)/contact, /grant or /decline")
            }
            guard request.headers[.contentType]?.lowercased().hasPrefix("application/json") == true else {
                throw HTTPError(.unsupportedMediaType, message: "send the answer as JSON (Content-Type: application/json)")
            }
            let body = try await request.body.collect(upTo: 64 << 10)
            // The answer's fields by name (`handler`; `amount`, `note`; `reason`), as the office's form gives them.
            let fields: [String: String?]
            do { fields = try JSONDecoder().decode([String: String?].self, from: Data(buffer: body)) } catch {
                throw HTTPError(
                    .badRequest, message: "the body is not an answer: JSON with handler (contact), amount and note (grant), or reason (decline)")
            }
            let now = node.clock()
            let today = ChinaTime.date(now)
            let result: Result<LoanDesk.InstitutionRequest?, any Error> = await BlockingWork.run {
                let desk = LoanDesk(node: node)
                // Another institution's request is none to this one: nothing is done to it.
                guard try node.store.loanRequest(id: id)?.lenderCode == lender else { return nil }
                try desk.answer(action, id: id, fields: { fields[$0] ?? nil }, now: now, actor: actor)
                return try desk.institutionRequest(id: id, lenderCode: lender, today: today)
            }
            switch result {
            case .success(let done?): return try jsonResponse(done)
            case .success(nil): throw Self.noLoanRequest(id, lender: lender)
            case .failure(let e as LoanRequestError): throw HTTPError(e.code == .notOpen ? .conflict : .badRequest, message: e.description)
            case .failure(let e): throw e
            }
        }
    }

    static func loanRequestID(_ context: SyncRequestContext) throws -> Int64 {
        guard let text = context.parameters.get("id"), let id = Int64(text), id > 0 else {
            throw HTTPError(.badRequest, message: "a request's number is a whole number, as GET /v1/loans/requests lists it")
        }
        return id
    }

    static func noLoanRequest(_ id: Int64, lender: String) -> HTTPError {
        HTTPError(.notFound, message: "no request number \(id) for the products of \(lender) at this node [no-request]")
    }
}
