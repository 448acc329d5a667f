import CreditDomain
import Foundation
import GRDB

/// A business's request for a 信易贷 product (融资需求) made on the portal (`loan_requests`,
/// migration v35): kept at this node only, never synced — it names a person to call. Made with the
/// business's authorisation for the product's institution to see its credit record here.
public struct LoanRequest: Sendable, Hashable, Codable {
    /// Where a request stands.
    public enum State: String, Sendable, Hashable, Codable, CaseIterable {
        /// Received, not yet taken up by the institution.
        case pending
        /// Taken up: the institution's officer (`handler`) is in touch with the business.
        case contacted
        /// The loan granted (`granted`, in yuan).
        case granted
        /// Not granted, with the reason the business reads (`decision`).
        case declined
    }

    public var id: Int64
    /// Milliseconds since 1970 (UTC).
    public var at: Int64
    /// The follow-up code (`ObjectionRequestCode`'s alphabet), as stored.
    public var code: String
    /// The product asked for: its record's key, its name and its institution, as they were then.
    public var productKey: String
    public var productName: String
    public var lender: String
    public var lenderCode: String
    public var company: String
    public var companyCode: String
    public var contactName: String
    public var phone: String
    /// Asked for, in yuan.
    public var amount: Int64
    public var termMonths: Int
    public var purpose: String
    public var state: State
    /// Who at the institution took it up (客户经理, branch).
    public var handler: String?
    public var contactedAt: Int64?
    public var decidedAt: Int64?
    /// Granted, in yuan.
    public var granted: Int64?
    /// A refusal's reason, or a note with the loan granted.
    public var decision: String?
    /// The institution itself took it up or answered it, from its own system (not the office).
    public var byInstitution = false
}

extension NodeStore {
    /// What a request holds as received; the store adds its number, time and state.
    public struct NewLoanRequest: Sendable {
        public var code: String
        public var productKey: String
        public var productName: String
        public var lender: String
        public var lenderCode: String
        public var company: String
        public var companyCode: String
        public var contactName: String
        public var phone: String
        public var amount: Int64
        public var termMonths: Int
        public var purpose: String

        public init(
            code: String, productKey: String, productName: String, lender: String, lenderCode: String, company: String, companyCode: String,
            contactName: String, phone: String, amount: Int64, termMonths: Int, purpose: String
        ) {
            self.code = code
            self.productKey = productKey
            self.productName = productName
            self.lender = lender
            self.lenderCode = lenderCode
            self.company = company
            self.companyCode = companyCode
            self.contactName = contactName
            self.phone = phone
            self.amount = amount
            self.termMonths = termMonths
            self.purpose = purpose
        }
    }

    /// Keeps a request; returns its number.
    public func addLoanRequest(_ r: NewLoanRequest, now: Date = Date()) throws -> Int64 {
        try write { db in
            try db.execute(
                sql: """
                    INSERT INTO loan_requests (at, code, product_key, product_name, lender, lender_code, company, company_code, contact_name,
                        phone, amount, term_months, purpose)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                    """,
                arguments: [
                    ChinaTime.milliseconds(now), r.code, r.productKey, r.productName, r.lender, r.lenderCode, r.company, r.companyCode,
                    r.contactName, r.phone, r.amount, r.termMonths, r.purpose,
                ])
            return db.lastInsertedRowID
        }
    }

    /// Requests still to take up or to answer: pending, then contacted, oldest first; at most `limit`.
    public func openLoanRequests(limit: Int = .max) throws -> [LoanRequest] {
        try read { db in
            var out: [LoanRequest] = []
            for state in [LoanRequest.State.pending, .contacted] where out.count < limit {
                out += try Row.fetchAll(
                    db,
                    sql: "SELECT \(Self.loanColumns) FROM loan_requests INDEXED BY loan_requests_by_state WHERE state = ? ORDER BY at LIMIT ?",
                    arguments: [state.rawValue, limit - out.count]
                ).map(Self.loanRequest)
            }
            return out
        }
    }

    /// Where a list of one institution's requests stopped: the last request listed, by its state,
    /// time and number (not read again: a request answered since does not move the place).
    public struct LoanListPosition: Sendable, Hashable {
        public var state: LoanRequest.State
        public var at: Int64
        public var id: Int64

        public init(state: LoanRequest.State, at: Int64, id: Int64) {
            self.state = state
            self.at = at
            self.id = id
        }

        /// `STATE.AT.ID`, as a list's `next` gives it; nil out of shape.
        public init?(_ text: String) {
            let parts = text.split(separator: ".", omittingEmptySubsequences: false)
            guard parts.count == 3, let state = LoanRequest.State(rawValue: String(parts[0])), let at = Int64(parts[1]), let id = Int64(parts[2]),
                at >= 0, id > 0
            else { return nil }
            self.init(state: state, at: at, id: id)
        }

        public var text: String { "\(state.rawValue).\(at).\(id)" }
    }

    /// One institution's requests (by its credit code) in these states, oldest first within each
    /// state (in the order received: by time, then number), the states in the order given, after
    /// `position` (states before its own skipped); at most `limit`. Read from the institutions'
    /// index (`loan_requests_by_lender`: state, institution, time), in its order but for requests
    /// of the same millisecond.
    public func loanRequests(lenderCode: String, states: [LoanRequest.State], after position: LoanListPosition? = nil, limit: Int) throws
        -> [LoanRequest]
    {
        try read { db in
            var out: [LoanRequest] = []
            var from = position.flatMap { p in states.firstIndex(of: p.state) } ?? 0
            if let position, !states.contains(position.state) { from = states.count }
            for (i, state) in states.enumerated() where i >= from && out.count < limit {
                let after = i == from ? position : nil
                out += try Row.fetchAll(
                    db,
                    sql: """
                        SELECT \(Self.loanColumns) FROM loan_requests INDEXED BY loan_requests_by_lender
                        WHERE state = ? AND lender_code = ? AND at >= ? AND (at > ? OR id > ?) ORDER BY at, id LIMIT ?
                        """,
                    arguments: [state.rawValue, lenderCode, after?.at ?? 0, after?.at ?? -1, after?.id ?? 0, limit - out.count]
                ).map(Self.loanRequest)
            }
            return out
        }
    }

    /// The latest `limit` requests answered (granted or declined), the latest answer first.
    public func answeredLoanRequests(limit: Int) throws -> [LoanRequest] {
        try read { db in
            try Row.fetchAll(
                db,
                sql: """
                    SELECT \(Self.loanColumns) FROM loan_requests INDEXED BY loan_requests_answered
                    WHERE decided_at IS NOT NULL ORDER BY decided_at DESC LIMIT ?
                    """,
                arguments: [limit]
            ).map(Self.loanRequest)
        }
    }

    public func loanRequest(id: Int64) throws -> LoanRequest? {
        try read { db in
            try Row.fetchOne(db, sql: "SELECT \(Self.loanColumns) FROM loan_requests WHERE id = ?", arguments: [id]).map(Self.loanRequest)
        }
    }

    /// The request followed with `code` (as stored: `ObjectionRequestCode.normalized`).
    public func loanRequest(code: String) throws -> LoanRequest? {
        try read { db in
            try Row.fetchOne(db, sql: "SELECT \(Self.loanColumns) FROM loan_requests WHERE code = ?", arguments: [code]).map(Self.loanRequest)
        }
    }

    /// Requests received from `since` on (milliseconds since 1970), counted: by state, the yuan
    /// asked and granted, the businesses that asked (each once), and by institution.
    public struct LoanCounts: Sendable {
        public var byState: [LoanRequest.State: Int] = [:]
        public var asked: Int64 = 0
        public var granted: Int64 = 0
        public var businesses = 0
        public var byLender: [(code: String, lender: String, requests: Int, granted: Int, yuan: Int64)] = []
    }

    public func loanCounts(since: Int64) throws -> LoanCounts {
        try read { db in
            var counts = LoanCounts()
            // One pass over the institutions' index, in its order (it covers every column read).
            var lenders: [String: (lender: String, requests: Int, granted: Int, yuan: Int64)] = [:]
            for row in try Row.fetchAll(
                db,
                sql: """
                    SELECT state, lender_code, max(lender), count(*), sum(amount), count(granted), coalesce(sum(granted), 0)
                    FROM loan_requests INDEXED BY loan_requests_by_lender WHERE at >= ? GROUP BY state, lender_code
                    """, arguments: [since])
            {
                let (code, n, yuan): (String, Int, Int64) = (row[1], row[3], row[6])
                if let state = LoanRequest.State(rawValue: row[0]) { counts.byState[state, default: 0] += n }
                counts.asked += row[4] as Int64? ?? 0
                counts.granted += yuan
                let before = lenders[code] ?? (row[2], 0, 0, 0)
                lenders[code] = (before.lender, before.requests + n, before.granted + row[5], before.yuan + yuan)
            }
            counts.byLender = lenders.map { ($0.key, $0.value.lender, $0.value.requests, $0.value.granted, $0.value.yuan) }
                .sorted { ($1.requests, $0.code) < ($0.requests, $1.code) }
            counts.businesses =
                try Int.fetchOne(
                    db,
                    sql: """
                        SELECT count(*) FROM (SELECT company_code FROM loan_requests INDEXED BY loan_requests_by_company WHERE at >= ?
                        GROUP BY company_code)
                        """,
                    arguments: [since]) ?? 0
            return counts
        }
    }

    /// For each of an institution's products (by record key), its requests by state — all those
    /// this node holds, read by the institutions' index.
    public func loanRequestCounts(lenderCode: String) throws -> [String: [LoanRequest.State: Int]] {
        try read { db in
            var out: [String: [LoanRequest.State: Int]] = [:]
            for row in try Row.fetchAll(
                db,
                sql: """
                    SELECT product_key, state, count(*) FROM loan_requests INDEXED BY loan_requests_by_lender
                    WHERE state IN ('pending', 'contacted', 'granted', 'declined') AND lender_code = ? GROUP BY product_key, state
                    """, arguments: [lenderCode])
            {
                if let state = LoanRequest.State(rawValue: row[1]) { out[row[0], default: [:]][state] = row[2] }
            }
            return out
        }
    }

    /// For each institution (by credit code), how many requests received from `since` on it took
    /// up or answered itself, from its own system — read from the partial index of those alone.
    public func loanRequestsByInstitutions(since: Int64) throws -> [String: Int] {
        try read { db in
            var out: [String: Int] = [:]
            for row in try Row.fetchAll(
                db,
                sql: """
                    SELECT lender_code, count(*) FROM loan_requests INDEXED BY loan_requests_by_institutions
                    WHERE by_institution = 1 AND at >= ? GROUP BY lender_code
                    """, arguments: [since])
            {
                out[row[0]] = row[1]
            }
            return out
        }
    }

    /// The businesses registered by the market regulator (credit codes beginning 9: 企业, 个体工商户,
    /// 农民专业合作社) this node holds records of — what the share of those that asked for a loan is
    /// counted against — read from the subjects' code index as a range.
    public func marketSubjectCount() throws -> Int {
        try read { db in try Int.fetchOne(db, sql: "SELECT count(*) FROM subjects WHERE code >= '9' AND code < ':'") ?? 0 }
    }

    /// The requests still to take up (pending) and to answer (contacted), counted from their index.
    public func openLoanRequestCounts() throws -> (pending: Int, contacted: Int) {
        try read { db in
            let count = { (state: LoanRequest.State) in
                try Int.fetchOne(
                    db, sql: "SELECT count(*) FROM loan_requests INDEXED BY loan_requests_by_state WHERE state = ?", arguments: [state.rawValue]) ?? 0
            }
            return (try count(.pending), try count(.contacted))
        }
    }

    /// Notes that `handler` took up a pending request (`byInstitution`: the institution itself, from
    /// its own system); false when it is not pending.
    public func contactLoanRequest(id: Int64, handler: String, byInstitution: Bool = false, now: Date = Date()) throws -> Bool {
        try write { db in
            try db.execute(
                sql: """
                    UPDATE loan_requests SET state = 'contacted', handler = ?, contacted_at = ?, by_institution = max(by_institution, ?)
                    WHERE id = ? AND state = 'pending'
                    """,
                arguments: [handler, ChinaTime.milliseconds(now), byInstitution, id])
            return db.changesCount > 0
        }
    }

    /// Notes the loan granted (yuan) on a request taken up; false when it is not contacted.
    public func grantLoanRequest(id: Int64, yuan: Int64, note: String?, byInstitution: Bool = false, now: Date = Date()) throws -> Bool {
        try write { db in
            try db.execute(
                sql: """
                    UPDATE loan_requests SET state = 'granted', granted = ?, decision = ?, decided_at = ?, by_institution = max(by_institution, ?)
                    WHERE id = ? AND state = 'contacted'
                    """,
                arguments: [yuan, note, ChinaTime.milliseconds(now), byInstitution, id])
            return db.changesCount > 0
        }
    }

    /// Declines a request not yet answered (pending or contacted) with the reason the business
    /// reads; false when it was answered before.
    public func declineLoanRequest(id: Int64, reason: String, byInstitution: Bool = false, now: Date = Date()) throws -> Bool {
        try write { db in
            try db.execute(
                sql: """
                    UPDATE loan_requests SET state = 'declined', decision = ?, decided_at = ?, by_institution = max(by_institution, ?)
                    WHERE id = ? AND state IN ('pending', 'contacted')
                    """,
                arguments: [reason, ChinaTime.milliseconds(now), byInstitution, id])
            return db.changesCount > 0
        }
    }

    static let loanColumns = """
        id, at, code, product_key, product_name, lender, lender_code, company, company_code, contact_name, phone, amount, term_months, purpose,
        state, handler, contacted_at, decided_at, granted, decision, by_institution
        """

    static func loanRequest(_ r: Row) -> LoanRequest {
        LoanRequest(
            id: r[0], at: r[1], code: r[2], productKey: r[3], productName: r[4], lender: r[5], lenderCode: r[6], company: r[7], companyCode: r[8],
            contactName: r[9], phone: r[10], amount: r[11], termMonths: r[12], purpose: r[13], state: LoanRequest.State(rawValue: r[14]) ?? .pending,
            handler: r[15], contactedAt: r[16], decidedAt: r[17], granted: r[18], decision: r[19], byInstitution: r[20])
    }
}
