import CreditDomain
import CreditStore
import Foundation
import HTTPTypes
import Hummingbird
import NodeRuntime

/// `/loans/apply`: a business asks for a 信易贷 product — which product, the business and its
/// credit code, whom to call, how much for how long and what for — authorising the institution to
/// see its credit record; refilled with what was typed and every problem when refused.
public struct LoanFormPage: Sendable, Encodable {
    public struct Option: Sendable, Encodable {
        public var value: String
        public var label: String
        public var selected: Bool
    }
    public var site: Site
    public var title: String
    public var csrf: String
    public var message: String?
    /// The products the public sees today; the chosen one also in `product`.
    public var products: [Option]
    public var product: ProductShown?
    public var hasProducts: Bool
    public var company: String = ""
    public var companyCode: String = ""
    public var contactName: String = ""
    public var phone: String = ""
    public var amount: String = ""
    public var months: String = ""
    public var purpose: String = ""
    public var purposeMax = LoanDesk.purposeMax
}

/// A product as the form and the received page name it.
public struct ProductShown: Sendable, Encodable {
    public var name: String
    public var lender: String
    public var category: String
    public var rate: String
    /// `50` (万元), `36` (months).
    public var maxAmount: String
    public var maxMonths: Int
    public var link: String

    init(_ p: LoanDesk.Product) {
        name = Masking.maskResidentIDs(in: p.name)
        lender = Masking.maskResidentIDs(in: p.lender)
        category = p.category
        rate = Masking.maskResidentIDs(in: p.rate)
        maxAmount = LoanDesk.tenThousands(p.maxYuan)
        maxMonths = p.maxMonths
        link = PortalPages.recordLink(p.key)
    }
}

/// After a request is kept: its number and follow-up code, shown once, and the product.
public struct LoanReceivedPage: Sendable, Encodable {
    public var site: Site
    public var title: String
    public var number: Int64
    public var code: String
    public var statusLink: String
    public var product: ProductShown
}

/// `/loans/status?code=…`: where a request stands, found by its follow-up code — the product, the
/// business, what was asked, and the institution's answer; never the person to call or the
/// telephone.
public struct LoanStatusPage: Sendable, Encodable {
    public struct Shown: Sendable, Encodable {
        public var number: Int64
        public var submittedAt: String
        public var productName: String
        public var lender: String
        public var company: String
        /// 万元.
        public var amount: String
        public var months: Int
        /// 待对接, 已对接, 已放款, 未获批.
        public var state: String
        public var pending: Bool
        public var contacted: Bool
        public var granted: String?
        public var declined: Bool
        public var handler: String?
        public var contactedAt: String?
        public var decidedAt: String?
        /// The reason declined, or the note with the loan.
        public var decision: String?
    }
    public var site: Site
    public var title: String
    public var code: String
    public var message: String?
    public var request: Shown?
}

extension PortalPages {
    static let loansIntro =
        "本栏目公示本地区金融机构发布的“信易贷”产品：以企业和个体工商户的信用为主要依据、面向中小微企业的贷款。选择产品后在线提交融资需求，并授权该金融机构查看本站归集的企业信用信息；金融机构对接后办理，结果凭查询码查看。产品在有效期内公示。"

    /// The form, empty (with `product` chosen) or refilled with what was typed and what to fix.
    func loanForm(csrf: String, today: CivilDate, product chosen: String = "", form: LoanDesk.Form? = nil, message: String? = nil) throws
        -> LoanFormPage
    {
        let products = try LoanDesk(node: node).products(today: today)
        let key = form?.product ?? chosen
        var page = LoanFormPage(
            site: site(), title: "信易贷融资申请", csrf: csrf, message: message,
            products: products.map {
                .init(
                    value: $0.key, label: Masking.maskResidentIDs(in: "\($0.name)（\($0.lender)，最高 \(LoanDesk.tenThousands($0.maxYuan)) 万元）"),
                    selected: $0.key == key)
            },
            product: products.first { $0.key == key }.map(ProductShown.init), hasProducts: !products.isEmpty)
        if let form {
            // Refilled as typed — but an ID number typed is never sent back to the browser.
            let safe = { (s: String) in Masking.maskResidentIDs(in: String(s.prefix(LoanDesk.purposeMax + 100))) }
            page.company = safe(form.company)
            let code = form.companyCode.trimmingCharacters(in: .whitespaces).uppercased()
            page.companyCode = (try? SocialCreditCode(code)) != nil || safe(form.companyCode) == form.companyCode ? form.companyCode : ""
            page.contactName = safe(form.contactName)
            page.phone = safe(form.phone)
            page.amount = safe(form.amount)
            page.months = safe(form.months)
            page.purpose = safe(form.purpose)
        }
        return page
    }

    /// Where the request followed with `typed` stands; 400 for a code out of shape, 404 for none.
    public func loanStatus(code typed: String) throws -> (page: LoanStatusPage, status: Int) {
        var page = LoanStatusPage(site: site(), title: "融资需求办理进度", code: String(typed.prefix(40)))
        let typed = typed.trimmingCharacters(in: .whitespaces)
        guard !typed.isEmpty else { return (page, 200) }
        guard let code = ObjectionRequestCode.normalized(typed) else {
            page.message = "查询码是提交融资需求时给出的 12 位字母和数字（如 ABCD-EFGH-JKMN），请核对后重新输入。"
            return (page, 400)
        }
        guard let r = try node.store.loanRequest(code: code) else {
            page.message = "没有与这个查询码对应的融资需求，请核对后重新输入。"
            return (page, 404)
        }
        page.request = LoanStatusPage.Shown(
            number: r.id, submittedAt: Self.readable(milliseconds: r.at), productName: r.productName, lender: r.lender, company: r.company,
            amount: LoanDesk.tenThousands(r.amount), months: r.termMonths, state: Self.loanState(r.state), pending: r.state == .pending,
            contacted: r.state == .contacted, granted: r.granted.map(LoanDesk.tenThousands), declined: r.state == .declined, handler: r.handler,
            contactedAt: r.contactedAt.map(Self.readable(milliseconds:)), decidedAt: r.decidedAt.map(Self.readable(milliseconds:)),
            decision: r.decision.map(Masking.maskResidentIDs(in:)))
        return (page, 200)
    }

    /// Where a request stands, as the business reads it.
    static func loanState(_ state: LoanRequest.State) -> String {
        switch state {
        case .pending: "待对接"
        case .contacted: "已对接，办理中"
        case .granted: "已放款"
        case .declined: "未获批"
        }
    }
}

extension Portal {
    /// Requests one address may have kept an hour.
    static let loanRequestsPerHour = 5
    static let loanBodyMax = 16 << 10

    /// `GET /loans/apply[?product=KEY]`: the form, with its token in a cookie; a product's page
    /// links it with the product chosen.
    func loanFormResponse(_ request: Request) async -> Response {
        let product = FormValues(request.uri.query)["product"] ?? ""
        return await tokenPage(request, template: "loan-apply") { [pages] today, token in
            try pages.loanForm(csrf: token, today: today, product: product)
        }
    }

    /// `POST /loans/apply`: keeps a request (`LoanDesk.submit`) and answers with its number and
    /// follow-up code; refused as `Portal.formPost` says.
    func loanRequest(_ request: Request, from address: String?) async -> Response {
        let pages = self.pages
        let desk = LoanDesk(node: node)
        return await formPost(
            request, from: address, limiter: loanLimiter, bodyMax: Self.loanBodyMax, template: "loan-apply", received: "loan-received",
            tooLong: "提交内容过长：资金用途最多 \(LoanDesk.purposeMax) 个字。",
            tooMany: "同一网络地址每小时最多提交 \(Self.loanRequestsPerHour) 次融资需求，请稍后再试。",
            parse: { fields, _ in
                LoanDesk.Form(
                    product: fields["product"] ?? "", company: fields["company"] ?? "", companyCode: fields["companyCode"] ?? "",
                    contactName: fields["contactName"] ?? "", phone: fields["phone"] ?? "", amount: fields["amount"] ?? "",
                    months: fields["months"] ?? "", purpose: fields["purpose"] ?? "", authorised: fields["authorised"] == "yes")
            },
            refill: { form, message, today, token in try pages.loanForm(csrf: token, today: today, form: form, message: message) },
            refusal: { ($0 as? LoanRequestError)?.message },
            submit: { form, now in
                let (id, code, product) = try desk.submit(form, now: now)
                return LoanReceivedPage(
                    site: pages.site(), title: "融资需求已提交", number: id, code: ObjectionRequestCode.grouped(code),
                    statusLink: "/loans/status?code=" + code, product: ProductShown(product))
            })
    }

    /// `GET /loans/status?code=…`: where a request stands (`PortalPages.loanStatus`).
    func loanStatus(_ request: Request) async -> Response {
        await followUp(request, template: "loan-status") { [pages] typed, _ in try pages.loanStatus(code: typed) }
    }
}
