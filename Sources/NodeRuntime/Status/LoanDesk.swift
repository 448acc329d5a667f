import CreditDomain
import CreditStore
import Foundation

/// Why a business's request for a 信易贷 product or an answer to one was refused, in the words the
/// form shows (the portal's and `/ops/loans`'), or why no such request is open.
public struct LoanRequestError: Error, Sendable, Hashable, CustomStringConvertible {
    public enum Code: String, Sendable {
        case invalid = "invalid-loan-request"
        /// An ID number typed where the form keeps none.
        case personalData = "personal-data"
        /// The product is not one the public sees today (expired, withdrawn, or no such record).
        case noProduct = "no-product"
        /// Not in the state the answer needs (answered before, or no such request).
        case notOpen = "not-open"
    }
    public var code: Code
    public var message: String
    public var description: String { "\(message) [\(code.rawValue)]" }

    public init(code: Code, message: String) {
        self.code = code
        self.message = message
    }
}

/// 信易贷 (seed 004 item 11: 鼓励金融机构以企业需求为导向发布适应本地特色的“信易贷”产品……引导全县
/// 企业（含个体工商户）授权查询信用信息; seed 003: 中小微企业信用信息服务系统): the financial
/// institutions of the area publish loan products as records of the kind `loan`, which the public
/// reads on the portal's `/loans`; a business (an enterprise or 个体工商户, by its unified social
/// credit code) asks for one there, authorising the institution to see its credit record at this
/// node. The request is kept here only — it names a person to call — with a follow-up code; the
/// office (for the institution) notes who took it up, then the loan granted or declined with the
/// reason the business reads with its code.
public struct LoanDesk: Sendable {
    public let node: NodeContext

    public init(node: NodeContext) { self.node = node }

    public static let kind = "loan"
    /// The first character of the credit codes the market regulator registers (企业 91, 个体工商户
    /// 92, 农民专业合作社 93): 信易贷 lends to these, not to government bodies or social organisations.
    public static let marketRegistered = "9"

    /// The share of the area's businesses to have authorised a lender's look-up, in per cent (seed
    /// 004 item 11: 授权查询……企业数量占全县所有存续企业的比例高于10%).
    public static let authorisedTarget = 10

    /// The share of the institutions with products in force that answer the requests from their
    /// own systems (入驻), in per cent (seed 004 item 11: 引导我县商业银行入驻融资信用服务平台,
    /// 入驻比例达到50%以上).
    public static let joinedTarget = 50

    /// Field limits, in characters.
    public static let companyMax = 100
    public static let contactMax = 50
    public static let purposeMin = 5
    public static let purposeMax = 500
    public static let answerMax = 500
    public static let handlerMax = 100

    /// A product as a request names it: its record, name, institution, and what it lends at most.
    public struct Product: Sendable, Encodable {
        public var key: String
        public var name: String
        public var lender: String
        public var lenderCode: String
        /// The most it lends, in yuan, and for how many months.
        public var maxYuan: Int64
        public var maxMonths: Int
        public var category: String
        public var rate: String
    }

    /// The products the public sees today, newest first (at most `limit`).
    public func products(today: CivilDate, limit: Int = 200) throws -> [Product] {
        var scope = PublicScope(kinds: [Self.kind], today: today.iso)
        scope.area = node.configuration.code.areaPrefix
        return try node.store.listing(ListingQuery(kinds: [Self.kind], limit: limit), scope: scope).compactMap { product($0, today: today) }
    }

    /// The product `key` names while the public sees it; nil otherwise.
    public func product(key: String, today: CivilDate) throws -> Product? {
        try node.store.record(key: key).flatMap { product($0, today: today) }
    }

    func product(_ record: StoredRecord, today: CivilDate) -> Product? {
        guard record.kind == Self.kind, let kind = node.resolvedKinds[Self.kind],
            PublicRecord.make(record, kind: kind, today: today) != nil
        else { return nil }
        let values = record.fields
        let value = { (code: String) in values[kind.kind.fullCode(code)] ?? "" }
        guard let yuan = Self.yuan(tenThousands: value("EDSX")), let months = Int(value("QXSX")) else { return nil }
        return Product(
            key: record.key, name: value("CPMC"), lender: value("JRJG"), lenderCode: value("JRJGDM"), maxYuan: yuan, maxMonths: months,
            category: value("DKLB"), rate: value("LLSM"))
    }

    /// What the form sends, as typed.
    public struct Form: Sendable {
        public var product: String
        public var company: String
        public var companyCode: String
        public var contactName: String
        public var phone: String
        /// In 万元, as typed.
        public var amount: String
        public var months: String
        public var purpose: String
        /// The business authorises the institution to see its credit record here (授权查询).
        public var authorised: Bool

        public init(
            product: String, company: String, companyCode: String, contactName: String, phone: String, amount: String, months: String,
            purpose: String, authorised: Bool
        ) {
            self.product = product
            self.company = company
            self.companyCode = companyCode
            self.contactName = contactName
            self.phone = phone
            self.amount = amount
            self.months = months
            self.purpose = purpose
            self.authorised = authorised
        }
    }

    /// Checks and keeps a request; returns its number, its follow-up code and the product.
    /// Refused with every field to fix in one message (nothing kept): a product the public does
    /// not see today, a required field empty or too long, a code that is not a unified social
    /// credit code (a person's ID number is told so: 信易贷 here is for businesses) or not one the
    /// market regulator registered (a government body's, a social organisation's), a telephone
    /// out of shape, an amount or term beyond the product's, an ID number anywhere, no authorisation.
    public func submit(_ form: Form, now: Date) throws -> (id: Int64, code: String, product: Product) {
        let today = ChinaTime.date(now)
        var problems = FormProblems()
        let product = try self.product(key: form.product.trimmingCharacters(in: .whitespaces), today: today)
        if product == nil { problems.add("请从列表中选择一个在有效期内的信易贷产品。") }
        let company = problems.text(form.company, "企业名称", max: Self.companyMax, required: true)
        let contactName = problems.text(form.contactName, "联系人", max: Self.contactMax, required: true)
        let purpose = problems.text(form.purpose, "资金用途", max: Self.purposeMax, required: true)
        if let purpose, purpose.count < Self.purposeMin { problems.add("资金用途至少 \(Self.purposeMin) 个字。") }
        let phone = form.phone.trimmingCharacters(in: .whitespaces)
        if phone.isEmpty {
            problems.add("请填写联系电话，金融机构据此与您联系。")
        } else if !(5...30).contains(phone.count) || !phone.allSatisfy({ $0.isASCII && ($0.isNumber || "-+ ()".contains($0)) }) {
            problems.add("联系电话只写数字（可含 - 和空格），如 0728-1234567 或 13800000000。")
        }
        let companyCode = form.companyCode.trimmingCharacters(in: .whitespaces).uppercased()
        if companyCode.isEmpty {
            problems.add("请填写企业的统一社会信用代码（营业执照上的 18 位代码）。")
        } else if (try? SocialCreditCode(companyCode)) == nil {
            if Masking.maskResidentIDs(in: companyCode) != companyCode {
                problems.add("统一社会信用代码一栏不填写个人的身份证号码：本栏目面向企业和个体工商户，填写营业执照上的代码。")
            } else {
                problems.add("统一社会信用代码应为 18 位数字和大写字母，且校验位正确。")
            }
        } else if !companyCode.hasPrefix(Self.marketRegistered) {
            problems.add("信易贷面向企业、个体工商户和农民专业合作社（统一社会信用代码以 9 开头）：机关、事业单位和社会组织不在此申请。")
        }
        let typedAmount = form.amount.trimmingCharacters(in: .whitespaces)
        let yuan = Self.yuan(tenThousands: typedAmount)
        if typedAmount.isEmpty {
            problems.add("请填写申请金额（万元）。")
        } else if (yuan ?? 0) == 0 {
            problems.add("申请金额应为大于 0 的数，以万元计，如 50 或 12.5。")
        } else if let yuan, let product, yuan > product.maxYuan {
            problems.add("申请金额超过该产品的最高额度 \(Self.tenThousands(product.maxYuan)) 万元。")
        }
        let typedMonths = form.months.trimmingCharacters(in: .whitespaces)
        let months = Int(typedMonths).flatMap { $0 >= 1 ? $0 : nil }
        if typedMonths.isEmpty {
            problems.add("请填写借款期限（月）。")
        } else if months == nil {
            problems.add("借款期限应为 1 以上的整数，以月计。")
        } else if let months, let product, months > product.maxMonths {
            problems.add("借款期限超过该产品的最长期限 \(product.maxMonths) 个月。")
        }
        let personal = FormProblems.withIDNumbers([("企业名称", company), ("联系人", contactName), ("联系电话", phone), ("资金用途", purpose)])
        if !personal.isEmpty { problems.add("\(personal.joined(separator: "、"))含有身份证号码：申请不需要任何人的证件号码，请删除后再提交。") }
        if !form.authorised { problems.add("请勾选授权：金融机构需经企业授权才能查看其信用信息。") }
        guard problems.isEmpty, let product, let yuan, let months else {
            throw LoanRequestError(code: personal.isEmpty ? (product == nil ? .noProduct : .invalid) : .personalData, message: problems.message)
        }
        var random = SystemRandomNumberGenerator()
        let code = ObjectionRequestCode.make(using: &random)
        let id = try node.store.addLoanRequest(
            NodeStore.NewLoanRequest(
                code: code, productKey: product.key, productName: product.name, lender: product.lender, lenderCode: product.lenderCode,
                company: company ?? "", companyCode: companyCode, contactName: contactName ?? "", phone: phone, amount: yuan, termMonths: months,
                purpose: purpose ?? ""), now: now)
        // The log names the request and the institution, never the person to call.
        node.logger.notice("loan request received", metadata: ["loan-request": "\(id)", "lender": "\(product.lenderCode)"])
        return (id, code, product)
    }

    /// The answers to a request, by the name the office's form and an institution's route give.
    public static let answers = ["contact", "grant", "decline"]

    /// Answers request `id` — `contact` (field `handler`), `grant` (`amount`, `note`) or
    /// `decline` (`reason`) — with the fields as the office's form or an institution's JSON gives them.
    public func answer(_ action: String, id: Int64, fields: (String) -> String?, now: Date, actor: AuditActor) throws {
        switch action {
        case "contact": try contact(id: id, handler: fields("handler") ?? "", now: now, actor: actor)
        case "grant": try grant(id: id, amount: fields("amount") ?? "", note: fields("note") ?? "", now: now, actor: actor)
        case "decline": try decline(id: id, reason: fields("reason") ?? "", now: now, actor: actor)
        default: throw LoanRequestError(code: .invalid, message: "未知的操作。")
        }
    }

    /// Notes who at the institution took up a pending request (客户经理 and branch, as the
    /// business reads it).
    public func contact(id: Int64, handler raw: String, now: Date, actor: AuditActor) throws {
        let handler = try Self.told(raw, label: "对接人（金融机构的客户经理和网点）", max: Self.handlerMax)
        guard try node.store.contactLoanRequest(id: id, handler: handler, byInstitution: actor.isInstitution, now: now) else {
            throw Self.notOpen(id, "待对接")
        }
        node.logger.info("loan request taken up", metadata: ["loan-request": "\(id)", "by": "\(actor.description)"])
    }

    /// Notes the loan granted (in 万元, as typed) on a request taken up, with an optional note.
    public func grant(id: Int64, amount: String, note raw: String = "", now: Date, actor: AuditActor) throws {
        guard let yuan = Self.yuan(tenThousands: amount.trimmingCharacters(in: .whitespaces)), yuan > 0 else {
            throw LoanRequestError(code: .invalid, message: "放款金额应为大于 0 的数，以万元计，如 50 或 12.5。")
        }
        // No more than the product lends at most, as its record says (in force or ended since).
        if let request = try node.store.loanRequest(id: id), let most = try productMaximum(key: request.productKey), yuan > most {
            throw LoanRequestError(code: .invalid, message: "放款金额超过该产品的最高额度 \(Self.tenThousands(most)) 万元。")
        }
        let note = raw.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty ? nil : try Self.told(raw, label: "说明", max: Self.answerMax)
        guard try node.store.grantLoanRequest(id: id, yuan: yuan, note: note, byInstitution: actor.isInstitution, now: now) else {
            throw Self.notOpen(id, "已对接")
        }
        node.logger.info("loan request granted", metadata: ["loan-request": "\(id)", "by": "\(actor.description)"])
    }

    /// The most a product lends, in yuan, from its record whatever its state now; nil when the
    /// node no longer holds it or it says none.
    func productMaximum(key: String) throws -> Int64? {
        guard let record = try node.store.record(key: key), let kind = node.resolvedKinds[Self.kind] else { return nil }
        return record.fields[kind.kind.fullCode("EDSX")].flatMap { Self.yuan(tenThousands: $0) }
    }

    /// Declines a request not yet answered, with the reason the business reads.
    public func decline(id: Int64, reason raw: String, now: Date, actor: AuditActor) throws {
        let reason = try Self.told(raw, label: "未获批的原因", max: Self.answerMax)
        guard try node.store.declineLoanRequest(id: id, reason: reason, byInstitution: actor.isInstitution, now: now) else {
            throw Self.notOpen(id, "待对接或已对接")
        }
        node.logger.info("loan request declined", metadata: ["loan-request": "\(id)", "by": "\(actor.description)"])
    }

    /// What the institution sees of an applicant, with its authorisation: whether it is on a
    /// network-wide list in force, its penalties the public sees now, and its latest 信用评价
    /// (shared with government and, authorised, with the lender).
    public struct ApplicantCredit: Sendable, Encodable {
        /// The names of the lists with sanctions it is on, and of those with rewards.
        public var sanctions: [String]
        public var rewards: [String]
        public var penalties: Int
        /// `A（2026 年度，市场监管）`.
        public var grade: String?
        public var clean: Bool { sanctions.isEmpty && penalties == 0 }
    }

    public func applicantCredit(_ code: String, today: CivilDate) throws -> ApplicantCredit {
        // The subject's records read once: the lists, the penalties and the grade from them.
        let records = try node.store.records(subject: code)
        let check = CreditCheck(node: node).check(code, held: records.map { ($0, false) }, today: today)
        let own = check.listings.filter { $0.role == "subject" }
        var penalties = 0
        var grade: (year: String, text: String)?
        let kinds = node.resolvedKinds
        for record in records {
            // Whether each is shown, its fields parsed only when its state and dates leave it open.
            if record.kind == "penalty", PublicRecord.isShown(record, kind: kinds["penalty"], today: today) { penalties += 1 }
            if record.kind == CreditSupervision.ratingKind, let kind = kinds[record.kind],
                PublicRecord.isShown(record, kind: kind, today: today, scopes: [.public, .government], fields: { record.fields })
            {
                let values = record.fields
                let value = { (c: String) in values[kind.kind.fullCode(c)] ?? "" }
                if value("PJND") >= (grade?.year ?? "") {
                    grade = (value("PJND"), "\(value("PJDJ"))（\(value("PJND")) 年度\(value("PJLY").isEmpty ? "" : "，" + value("PJLY"))）")
                }
            }
        }
        return ApplicantCredit(
            sanctions: own.filter { $0.effect == "sanction" }.map(\.list), rewards: own.filter { $0.effect == "reward" }.map(\.list),
            penalties: penalties, grade: grade?.text)
    }

    /// Yuan from an amount in 万元 as typed (`50`, `12.5`, at most four decimals); nil out of shape.
    public static func yuan(tenThousands typed: String) -> Int64? {
        let parts = typed.split(separator: ".", omittingEmptySubsequences: false)
        guard (1...2).contains(parts.count), let whole = Int64(parts[0]), parts[0].allSatisfy(\.isNumber), whole < 10_000_000 else { return nil }
        var yuan = whole * 10_000
        if parts.count == 2 {
            let fraction = parts[1]
            guard (1...4).contains(fraction.count), fraction.allSatisfy(\.isNumber),
                let f = Int64(fraction.padding(toLength: 4, withPad: "0", startingAt: 0))
            else { return nil }
            yuan += f
        }
        return yuan
    }

    /// Yuan as 万元 for a person: `50`, `12.5`, `0.0800`'s trailing zeros dropped.
    public static func tenThousands(_ yuan: Int64) -> String {
        let whole = yuan / 10_000
        let fraction = yuan % 10_000
        guard fraction != 0 else { return "\(whole)" }
        var digits = String(fraction)
        digits = String(repeating: "0", count: 4 - digits.count) + digits
        while digits.hasSuffix("0") { digits.removeLast() }
        return "\(whole).\(digits)"
    }

    /// A text the business is told: required, bounded, without ID numbers.
    static func told(_ raw: String, label: String, max: Int) throws -> String {
        let value = raw.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !value.isEmpty, value.count <= max else {
            throw LoanRequestError(code: .invalid, message: "请填写\(label)（最多 \(max) 个字），申请企业凭查询码会看到。")
        }
        guard Masking.maskResidentIDs(in: value) == value else {
            throw LoanRequestError(code: .personalData, message: "\(label)含有身份证号码：给申请企业的答复不写任何人的证件号码。")
        }
        return value
    }

    static func notOpen(_ id: Int64, _ state: String) -> LoanRequestError {
        LoanRequestError(code: .notOpen, message: "第 \(id) 号融资需求不是\(state)状态（已办理过，或没有这份需求）。")
    }
}
