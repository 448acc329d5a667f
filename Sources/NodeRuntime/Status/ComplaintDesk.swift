import CreditDomain
import CreditStore
import Foundation

/// Why a report of dishonest conduct or the office's answer to one was refused, in the words the
/// form shows (the portal's and `/ops/complaints`'), or why no such report is open.
public struct ComplaintError: Error, Sendable, Hashable, CustomStringConvertible {
    public enum Code: String, Sendable {
        case invalid = "invalid-complaint"
        /// An ID number typed where the form keeps none.
        case personalData = "personal-data"
        /// Not in the state the answer needs (answered before, or no such report).
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

/// 失信举报: reports of dishonest conduct from the public (seed 001: 积极鼓励对失信行为的举报,
/// 保护举报人的合法权益). The portal's form keeps a report at this node — never synced, since it
/// may name its reporter, who never appears on a public page, in a log or in what travels — with a
/// follow-up code; the credit office accepts it and hands it to the unit that deals with it, or
/// refuses it with a reason, then closes the accepted with the unit's finding and the reply the
/// reporter reads with the code, within the catalogue's `complaintWorkingDays` of its receipt.
public struct ComplaintDesk: Sendable {
    public let node: NodeContext

    public init(node: NodeContext) { self.node = node }

    /// Field limits, in characters.
    public static let subjectMax = 100
    public static let contentMin = 10
    public static let contentMax = 2000
    public static let reporterMax = 50
    public static let contactMax = 100
    public static let replyMax = 1000
    public static let unitMax = 100

    /// The areas of dishonest conduct a report is filed under (seed 001's 重点领域 as a person
    /// names them), 其他 last.
    public static let categories = [
        "食品药品安全", "安全生产", "生态环境", "产品质量", "价格与市场秩序", "拖欠工资", "合同履约", "金融借贷", "电子商务", "医疗卫生", "教育培训",
        "旅游服务", "政务失信", "其他",
    ]

    /// What the form sends, as typed.
    public struct Form: Sendable {
        public var subjectName: String
        public var subjectCode: String
        public var category: String
        public var region: String
        public var occurred: String
        public var content: String
        public var reporter: String
        public var contact: String
        /// The reporter's undertaking that the report is true (如实举报承诺).
        public var truthful: Bool
        /// The files chosen (举报材料), as the browser sent them; a file input left empty sends
        /// a part without a name or bytes, which is passed over.
        public var evidence: [Attachments.Upload]

        public init(
            subjectName: String, subjectCode: String = "", category: String, region: String = "", occurred: String = "", content: String,
            reporter: String = "", contact: String = "", truthful: Bool, evidence: [Attachments.Upload] = []
        ) {
            self.evidence = evidence
            self.subjectName = subjectName
            self.subjectCode = subjectCode
            self.category = category
            self.region = region
            self.occurred = occurred
            self.content = content
            self.reporter = reporter
            self.contact = contact
            self.truthful = truthful
        }
    }

    /// Checks and keeps a report; returns its number and the follow-up code its reporter is given
    /// (`ObjectionRequestCode`). Refused with every field to fix in one message (nothing kept): a
    /// required field empty, a field too long or with control characters, a code that is not a
    /// unified social credit code, a resident ID number anywhere (a person reported is named, not
    /// numbered), a day to come, a region outside the area, no undertaking.
    public func submit(_ form: Form, now: Date) throws -> (id: Int64, code: String) {
        let trim = { (s: String) in s.trimmingCharacters(in: .whitespacesAndNewlines) }
        var problems = FormProblems()
        let subjectName = problems.text(form.subjectName, "被举报对象名称", max: Self.subjectMax, required: true)
        let content = problems.text(form.content, "举报内容", max: Self.contentMax, required: true)
        if let content, content.count < Self.contentMin {
            problems.add("举报内容至少 \(Self.contentMin) 个字：请写明发生了什么、何时何地。")
        }
        let reporter = problems.text(form.reporter, "举报人姓名", max: Self.reporterMax, required: false)
        let contact = problems.text(form.contact, "联系电话", max: Self.contactMax, required: false)
        var subjectCode: String?
        let typedCode = trim(form.subjectCode).uppercased()
        if !typedCode.isEmpty {
            if (try? SocialCreditCode(typedCode)) != nil {
                subjectCode = typedCode
            } else if Masking.maskResidentIDs(in: typedCode) != typedCode {
                // Shaped as an ID number (valid or not): a person's number is never kept.
                problems.add("统一社会信用代码一栏不填写个人的身份证号码：举报个人的，填写其姓名即可。")
            } else {
                problems.add("统一社会信用代码应为 18 位数字和大写字母，且校验位正确；不清楚的可以不填。")
            }
        }
        let personal = FormProblems.withIDNumbers([("被举报对象名称", subjectName), ("举报内容", content), ("举报人姓名", reporter), ("联系电话", contact)])
        if !personal.isEmpty {
            problems.add("\(personal.joined(separator: "、"))含有身份证号码：举报不需要任何人的证件号码，请删除后再提交。")
        }
        let category = trim(form.category)
        if !Self.categories.contains(category) { problems.add("请选择失信行为类别。") }
        var region: String?
        let typedRegion = trim(form.region)
        if !typedRegion.isEmpty {
            if let code = try node.childRegions().filter(typedRegion) { region = code.digits } else { problems.add("请从列表中选择发生地。") }
        }
        var occurred: String?
        let typedDay = trim(form.occurred)
        if !typedDay.isEmpty {
            if let day = CivilDate.parse(typedDay), day.year >= 1990 {
                if day > ChinaTime.date(now) { problems.add("发生日期 \(day.iso) 还没有到。") } else { occurred = day.iso }
            } else {
                problems.add("发生日期应写成 2026-11-05 这样的年月日。")
            }
        }
        if !form.truthful { problems.add("请勾选如实举报的承诺。") }
        let (evidence, fileProblems) = Attachments.check(form.evidence, as: "举报材料")
        fileProblems.forEach { problems.add($0) }
        if !problems.isEmpty {
            throw ComplaintError(
                code: personal.isEmpty ? .invalid : .personalData, message: problems.message)
        }
        var random = SystemRandomNumberGenerator()
        let code = ObjectionRequestCode.make(using: &random)
        let id = try node.store.addComplaint(
            NodeStore.NewComplaint(
                code: code, subjectName: subjectName ?? "", subjectCode: subjectCode, category: category, region: region, occurred: occurred,
                content: content ?? "", reporter: reporter, contact: contact, evidence: evidence), now: now)
        // The log names the report, its category and how many files came, never its reporter,
        // contact, subject or the files' names.
        node.logger.notice(
            "report of dishonest conduct received", metadata: ["complaint": "\(id)", "category": "\(category)", "files": "\(evidence.count)"])
        return (id, code)
    }

    /// Accepts a pending report and hands it to `unit` (the unit that deals with it, named as the
    /// reporter reads it).
    public func accept(id: Int64, unit rawUnit: String, now: Date, actor: AuditActor) throws {
        let unit = rawUnit.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !unit.isEmpty, unit.count <= Self.unitMax, Masking.maskResidentIDs(in: unit) == unit else {
            throw ComplaintError(code: .invalid, message: "受理举报需填写承办单位的名称（最多 \(Self.unitMax) 个字），举报人会看到由哪个单位办理。")
        }
        guard try node.store.acceptComplaint(id: id, unit: unit, now: now) else { throw Self.notOpen(id, "待受理") }
        node.logger.info("report of dishonest conduct accepted", metadata: ["complaint": "\(id)", "by": "\(actor.description)"])
    }

    /// Refuses a pending report with the reason its reporter reads.
    public func refuse(id: Int64, reason rawReason: String, now: Date, actor: AuditActor) throws {
        let reason = try Self.told(rawReason, label: "不予受理的理由")
        guard try node.store.refuseComplaint(id: id, reason: reason, now: now) else { throw Self.notOpen(id, "待受理") }
        node.logger.info("report of dishonest conduct refused", metadata: ["complaint": "\(id)", "by": "\(actor.description)"])
    }

    /// Closes an accepted report with the unit's finding and the reply its reporter reads; `record`
    /// names the record the unit entered about it (a penalty's key), which must be held here.
    public func close(id: Int64, finding: Complaint.Finding, reply rawReply: String, record rawRecord: String = "", now: Date, actor: AuditActor)
        throws
    {
        let reply = try Self.told(rawReply, label: "答复内容")
        let record = rawRecord.trimmingCharacters(in: .whitespacesAndNewlines)
        if !record.isEmpty, try node.store.record(key: record) == nil {
            throw ComplaintError(code: .invalid, message: "本节点没有记录 \(Masking.maskResidentIDs(in: record))：请填写处理结果记录的完整键（如行政处罚的“类别|文书号|…”），或留空。")
        }
        guard try node.store.closeComplaint(id: id, finding: finding, reply: reply, recordKey: record.isEmpty ? nil : record, now: now) else {
            throw Self.notOpen(id, "已受理")
        }
        node.logger.info(
            "report of dishonest conduct closed", metadata: ["complaint": "\(id)", "finding": "\(finding.rawValue)", "by": "\(actor.description)"])
    }

    /// The reports still to answer or close, oldest first (pending, then accepted; at most
    /// `limit`), each with its last day and where it stands today.
    public func open(today: CivilDate, limit: Int = .max) throws -> [(complaint: Complaint, dueBy: CivilDate?, standing: OpenObjection.Standing)] {
        var due: [CivilDate: CivilDate?] = [:]
        return try node.store.openComplaints(limit: limit).map { c in
            let day = ChinaTime.date(Date(timeIntervalSince1970: Double(c.at) / 1000))
            let last = due[day] ?? dueBy(receivedOn: day)
            due[day] = last
            return (c, last, Self.standing(dueBy: last, today: today))
        }
    }

    /// What is still to answer or close, counted: pending, accepted, and by standing against the
    /// limit (all `within` when none is set) — read without the reports' text (`/metrics`, the
    /// pages' counts).
    public struct OpenCounts: Sendable {
        public var pending = 0
        public var accepted = 0
        public var standing: [OpenObjection.Standing: Int] = [:]
        public var total: Int { pending + accepted }
    }

    public func openCounts(today: CivilDate) throws -> OpenCounts {
        var counts = OpenCounts()
        for (state, day, n) in try node.store.openComplaintDays() {
            if state == .pending { counts.pending += n } else { counts.accepted += n }
            counts.standing[Self.standing(dueBy: dueBy(receivedOn: CivilDate(dayNumber: day)), today: today), default: 0] += n
        }
        return counts
    }

    /// The last day to answer a report received on `day` (closed or refused), by the working-day
    /// calendar; nil when the catalogue sets no limit.
    public func dueBy(receivedOn day: CivilDate) -> CivilDate? {
        guard let days = node.catalogue.complaintWorkingDays else { return nil }
        return try? node.calendar.deadline(workingDays: days, after: day).date
    }

    /// Where an open report stands against its limit today (within when no limit is set).
    public static func standing(dueBy: CivilDate?, today: CivilDate) -> OpenObjection.Standing {
        dueBy.map { OpenObjection.Standing(dueBy: $0, today: today) } ?? .within
    }

    /// A text the reporter is told: required, bounded, without ID numbers.
    static func told(_ raw: String, label: String) throws -> String {
        let value = raw.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !value.isEmpty, value.count <= replyMax else {
            throw ComplaintError(code: .invalid, message: "请填写\(label)（最多 \(replyMax) 个字），举报人凭查询码会看到。")
        }
        guard Masking.maskResidentIDs(in: value) == value else {
            throw ComplaintError(code: .personalData, message: "\(label)含有身份证号码：答复举报人不写任何人的证件号码。")
        }
        return value
    }

    static func notOpen(_ id: Int64, _ state: String) -> ComplaintError {
        ComplaintError(code: .notOpen, message: "第 \(id) 号举报不是\(state)状态（已办理过，或没有这份举报）。")
    }
}
