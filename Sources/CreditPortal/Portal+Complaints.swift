import CreditDomain
import CreditStore
import Foundation
import HTTPTypes
import Hummingbird
import NIOCore
import NodeRuntime

/// `/complaints`: the 失信举报 form — what a person reports (who, what kind of dishonesty, where
/// and when, what happened) and, if they wish, how to reach them; refilled with what was typed
/// and every problem when refused.
public struct ComplaintFormPage: Sendable, Encodable {
    public struct Option: Sendable, Encodable {
        public var value: String
        public var label: String
        public var selected: Bool
    }
    public var site: Site
    public var title: String
    public var csrf: String
    public var message: String?
    public var categories: [Option]
    /// This node's own area and its children, by name (发生地).
    public var regions: [Option]
    public var subjectName: String = ""
    public var subjectCode: String = ""
    public var occurred: String = ""
    public var content: String = ""
    public var reporter: String = ""
    public var contact: String = ""
    public var contentMax: Int
    /// The catalogue's `complaintWorkingDays`; nil: no time limit is promised.
    public var workingDays: Int?
    /// Today, the latest 发生日期 the form takes.
    public var today: String
    /// At most this many files (举报材料), each at most this many MB.
    public var evidenceMax = Attachments.max
    public var evidenceMB = Attachments.bytesMax >> 20
    /// Files were chosen for the form refused: the browser keeps none, so they must be chosen again.
    public var evidenceAgain = false
}

/// After a report is kept: its number and the follow-up code, shown once.
public struct ComplaintReceivedPage: Sendable, Encodable {
    public var site: Site
    public var title: String
    public var number: Int64
    public var code: String
    public var statusLink: String
    /// The last day for the office's answer, when the catalogue sets a limit.
    public var dueBy: String?
}

/// `/complaints/status?code=…`: where a report stands, found by its follow-up code — its number,
/// when it came, whom it is about, and the office's answer; never who made it, how to reach them
/// or what they wrote.
public struct ComplaintStatusPage: Sendable, Encodable {
    public struct Shown: Sendable, Encodable {
        public var number: Int64
        public var submittedAt: String
        public var subjectName: String
        public var category: String
        /// 待受理, 已受理, 不予受理, 已办结.
        public var state: String
        public var pending: Bool
        public var accepted: Bool
        public var refused: Bool
        public var closed: Bool
        /// The unit that deals with it, once accepted.
        public var unit: String?
        public var acceptedAt: String?
        public var decidedAt: String?
        /// The last day for the answer while it is open (limit set).
        public var dueBy: String?
        public var overdue: Bool
        /// The refusal's reason or the reply, ID numbers masked.
        public var reply: String?
        /// 属实, 部分属实, 不属实.
        public var finding: String?
        /// The record the unit entered about it, while the public sees it.
        public var recordLink: String?
        /// How many files came with it (nil for none); never the files themselves.
        public var evidence: Int?
    }
    public var site: Site
    public var title: String
    public var code: String
    public var message: String?
    public var complaint: Shown?
}

extension PortalPages {
    /// The form, empty or refilled with what was typed (`form`) and what to fix (`message`).
    func complaintForm(csrf: String, today: CivilDate, form: ComplaintDesk.Form? = nil, message: String? = nil) throws -> ComplaintFormPage {
        let regions = try node.childRegions()
        let chosenRegion = form?.region ?? ""
        let areaOption = ComplaintFormPage.Option(
            value: regions.own.digits, label: "\(site().areaName)（本级）", selected: chosenRegion == regions.own.digits)
        var page = ComplaintFormPage(
            site: site(), title: "失信行为举报", csrf: csrf, message: message,
            categories: ComplaintDesk.categories.map { .init(value: $0, label: $0, selected: $0 == form?.category) },
            regions: [areaOption]
                + regions.children.map { .init(value: $0.digits, label: regions.name(of: $0), selected: $0.digits == chosenRegion) },
            contentMax: ComplaintDesk.contentMax, workingDays: node.catalogue.complaintWorkingDays, today: today.iso)
        if let form {
            // Refilled as typed — but an ID number typed is never sent back to the browser.
            let safe = { (s: String) in Masking.maskResidentIDs(in: String(s.prefix(ComplaintDesk.contentMax + 100))) }
            page.subjectName = safe(form.subjectName)
            // A credit code whole (one of 18 digits too), anything shaped as an ID number not at all.
            let code = form.subjectCode.trimmingCharacters(in: .whitespaces).uppercased()
            page.subjectCode = (try? SocialCreditCode(code)) != nil || safe(form.subjectCode) == form.subjectCode ? form.subjectCode : ""
            page.occurred = safe(form.occurred)
            page.content = safe(form.content)
            page.reporter = safe(form.reporter)
            page.contact = safe(form.contact)
            page.evidenceAgain = form.evidence.contains { !$0.bytes.isEmpty || !$0.filename.isEmpty }
            if page.evidenceAgain, let said = page.message { page.message = said + "所选的举报材料没有保存，请重新选择。" }
        }
        return page
    }

    /// Where the report followed with `typed` stands; the status is 400 for a code out of
    /// shape, 404 for none.
    public func complaintStatus(code typed: String, today: CivilDate) throws -> (page: ComplaintStatusPage, status: Int) {
        var page = ComplaintStatusPage(site: site(), title: "失信举报办理进度", code: String(typed.prefix(40)))
        let typed = typed.trimmingCharacters(in: .whitespaces)
        guard !typed.isEmpty else { return (page, 200) }
        guard let code = ObjectionRequestCode.normalized(typed) else {
            page.message = "查询码是提交举报时给出的 12 位字母和数字（如 ABCD-EFGH-JKMN），请核对后重新输入。"
            return (page, 400)
        }
        guard let c = try node.store.complaint(code: code) else {
            page.message = "没有与这个查询码对应的举报，请核对后重新输入。"
            return (page, 404)
        }
        let open = c.state == .pending || c.state == .accepted
        let dueBy = open ? ComplaintDesk(node: node).dueBy(receivedOn: ChinaTime.date(Self.instant(c.at))) : nil
        let shownRecord = try c.recordKey.flatMap { key in
            try node.store.record(key: key).flatMap { r in kinds[r.kind].flatMap { PublicRecord.make(r, kind: $0, today: today) } }.map { _ in key }
        }
        page.complaint = ComplaintStatusPage.Shown(
            number: c.id, submittedAt: Self.readable(milliseconds: c.at), subjectName: Masking.maskResidentIDs(in: c.subjectName),
            category: c.category,
            state: Self.complaintState(c.state), pending: c.state == .pending, accepted: c.state == .accepted, refused: c.state == .refused,
            closed: c.state == .closed, unit: c.unit, acceptedAt: c.acceptedAt.map(Self.readable(milliseconds:)),
            decidedAt: c.decidedAt.map(Self.readable(milliseconds:)), dueBy: dueBy?.iso,
            overdue: ComplaintDesk.standing(dueBy: dueBy, today: today) == .overdue,
            reply: c.decision.map(Masking.maskResidentIDs(in:)), finding: c.finding?.name, recordLink: shownRecord.map(Self.recordLink),
            evidence: Self.counted(try node.store.attachmentCount(of: .complaint, c.id)))
        return (page, 200)
    }

    /// Where a report stands, as its reporter reads it.
    static func complaintState(_ state: Complaint.State) -> String {
        switch state {
        case .pending: "待受理"
        case .accepted: "已受理，办理中"
        case .refused: "不予受理"
        case .closed: "已办结"
        }
    }

    /// A count a page shows only when there is something: nil for none.
    static func counted(_ n: Int) -> Int? { n == 0 ? nil : n }

    static func instant(_ milliseconds: Int64) -> Date { Date(timeIntervalSince1970: Double(milliseconds) / 1000) }

    /// A stored time (milliseconds since 1970) as a person reads it, in China time.
    static func readable(milliseconds: Int64) -> String { readable(ChinaTime.timestamp(instant(milliseconds))) }
}

extension Portal {
    /// Reports one address may make an hour.
    static let complaintsPerHour = 5
    /// The largest report form body read: 2,000 characters of Chinese and the rest, percent-encoded
    /// (a form without files), or with up to three files (举报材料, `multipart/form-data`).
    static let complaintFieldsMax = 32 << 10
    static let complaintBodyMax = (64 << 10) + Attachments.max * Attachments.bytesMax

    /// `GET /complaints`: the form, with its token in a cookie.
    /// `subject` and `subjectCode` in the address (an organisation's page links its 举报) fill in whom.
    func complaintFormResponse(_ request: Request) async -> Response {
        let query = FormValues(request.uri.query)
        let named = query["subject"].map { name in
            ComplaintDesk.Form(subjectName: name, subjectCode: query["subjectCode"] ?? "", category: "", content: "", truthful: false)
        }
        return await tokenPage(request, template: "complaint") { [pages] today, token in
            try pages.complaintForm(csrf: token, today: today, form: named)
        }
    }

    /// `POST /complaints`: keeps a report (`ComplaintDesk.submit`) and answers with its number and
    /// follow-up code; refused as `Portal.formPost` says.
    func complaint(_ request: Request, from address: String?) async -> Response {
        let pages = self.pages
        let desk = ComplaintDesk(node: node)
        return await formPost(
            request, from: address, limiter: complaintLimiter, bodyMax: Self.complaintBodyMax, fieldsMax: Self.complaintFieldsMax,
            template: "complaint",
            received: "complaint-received",
            tooLong:
                "提交内容过长：举报内容最多 \(ComplaintDesk.contentMax) 个字，举报材料最多 \(Attachments.max) 份、每份不超过 \(Attachments.bytesMax >> 20) MB。",
            tooMany: "同一网络地址每小时最多提交 \(Self.complaintsPerHour) 次举报，请稍后再试。",
            parse: { fields, files in
                ComplaintDesk.Form(
                    subjectName: fields["subject"] ?? "", subjectCode: fields["subjectCode"] ?? "", category: fields["category"] ?? "",
                    region: fields["region"] ?? "", occurred: fields["occurred"] ?? "", content: fields["content"] ?? "",
                    reporter: fields["reporter"] ?? "", contact: fields["contact"] ?? "", truthful: fields["truthful"] == "yes",
                    evidence: Self.uploads(files))
            },
            refill: { form, message, today, token in try pages.complaintForm(csrf: token, today: today, form: form, message: message) },
            refusal: { ($0 as? ComplaintError)?.message },
            submit: { form, now in
                let (id, code) = try desk.submit(form, now: now)
                return ComplaintReceivedPage(
                    site: pages.site(), title: "举报已提交", number: id, code: ObjectionRequestCode.grouped(code),
                    statusLink: "/complaints/status?code=" + code, dueBy: desk.dueBy(receivedOn: ChinaTime.date(now))?.iso)
            })
    }

    /// `GET /complaints/status?code=…`: where a report stands (`PortalPages.complaintStatus`).
    func complaintStatus(_ request: Request) async -> Response {
        await followUp(request, template: "complaint-status") { [pages] typed, today in try pages.complaintStatus(code: typed, today: today) }
    }
}
