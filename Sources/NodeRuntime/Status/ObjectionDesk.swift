import CreditDomain
import CreditStore
import Foundation

/// Why a request from the public was refused (a field missing or too long, a record the public
/// does not see, a repair asked for too early or of a record that has none), in words the form
/// shows.
public struct ObjectionRequestError: Error, Sendable, Hashable, CustomStringConvertible {
    public enum Code: String, Sendable {
        case invalid = "invalid-request", unknownRecord = "unknown-record", notPending = "not-pending"
        case notRepairable = "not-repairable", repairTooEarly = "repair-too-early"
        /// The record was corrected to another area: that area's office decides.
        case elsewhere = "outside-area"
    }
    public var code: Code
    public var message: String
    public var description: String { "\(message) [\(code.rawValue)]" }

    public init(code: Code, message: String) {
        self.code = code
        self.message = message
    }

    /// No pending request `id`: decided already, or never made.
    static func notPending(_ id: Int64) -> ObjectionRequestError {
        ObjectionRequestError(code: .notPending, message: "no pending request \(id); `credit-node objection requests` lists them")
    }
}

/// Objections (异议申诉) and credit repair applications (信用修复申请) from the public: the
/// portal's forms store a *request* at this node — not a status change, and never synced, since it
/// holds the requester's contact — and an operator accepts an objection (opened exactly as
/// `objection open` does, so 异议处理中 reaches every tier), grants a repair (entered as `repair`
/// does, with the 信用修复告知书's number: publicity stops at every tier), or refuses either with
/// a reason.
public struct ObjectionDesk: Sendable {
    public let node: NodeContext

    public init(node: NodeContext) { self.node = node }

    /// Field limits, in characters.
    public static let nameMax = 50
    public static let contactMax = 100
    public static let reasonMax = 1000

    /// The reason an office gives when it refuses a request whose record a correction moved out
    /// of its area after the request came: where to ask instead (`area`: `NodeContext.movedAwayLabel`).
    public static func movedAwayRefusal(_ area: String) -> String {
        "这条信息的所属行政区划已更正为\(area)，不在本地区办理，请向该地区的信用网站提出。"
    }

    /// The requests from the public, pending first (with `includeDecided`, the decided too), each
    /// with where its record lies now if a correction moved it out of the area (only a refusal
    /// sending the person there can answer it: `accept` is refused).
    public func requests(includeDecided: Bool = false) throws -> [(request: ObjectionRequest, movedTo: String?)] {
        try node.store.objectionRequests(includeDecided: includeDecided).map { r in
            (r, r.state == "pending" ? try node.store.record(key: r.recordKey).flatMap(node.movedAwayLabel) : nil)
        }
    }

    /// Checks and keeps a request about a record the public sees; returns its number and the
    /// follow-up code its requester is given (`ObjectionRequestCode`). A repair application is
    /// taken only for a record with a minimum publicity period that has passed
    /// (`RecordKind.earliestRepair`, the rule `StatusDesk` enforces) and with the requester's
    /// undertaking to keep faith (守信承诺). Up to three photos or PDFs (证明材料: a decision
    /// revoked, a fine paid) come with it, checked as `Attachments.check` says.
    public func submit(
        key: String, name rawName: String, contact rawContact: String, reason rawReason: String, purpose: RequestPurpose = .objection,
        undertaking: Bool = false, attachments uploads: [Attachments.Upload] = [], now: Date = Date()
    ) throws -> (id: Int64, code: String) {
        let name = rawName.trimmingCharacters(in: .whitespacesAndNewlines)
        let contact = rawContact.trimmingCharacters(in: .whitespacesAndNewlines)
        let reason = rawReason.trimmingCharacters(in: .whitespacesAndNewlines)
        let reasonLabel = purpose == .objection ? "异议理由" : "履行情况说明"
        for (value, label, limit) in [(name, "姓名或名称", Self.nameMax), (contact, "联系方式", Self.contactMax), (reason, reasonLabel, Self.reasonMax)] {
            guard !value.isEmpty else { throw ObjectionRequestError(code: .invalid, message: "请填写\(label)。") }
            guard value.count <= limit else { throw ObjectionRequestError(code: .invalid, message: "\(label)最多 \(limit) 个字，现有 \(value.count) 个。") }
            guard !value.unicodeScalars.contains(where: { $0.properties.generalCategory == .control && $0 != "\n" && $0 != "\r" && $0 != "\t" })
            else {
                throw ObjectionRequestError(code: .invalid, message: "\(label)含有不可见的控制字符。")
            }
        }
        let (attachments, fileProblems) = Attachments.check(uploads, as: "证明材料")
        guard fileProblems.isEmpty else { throw ObjectionRequestError(code: .invalid, message: fileProblems.joined()) }
        let kinds = node.resolvedKinds
        let today = ChinaTime.date(now)
        guard let record = try node.store.record(key: key), let kind = kinds[record.kind], PublicRecord.isShown(record, kind: kind, today: today)
        else {
            throw ObjectionRequestError(code: .unknownRecord, message: "没有这条公开记录，无法提出\(purpose.name)。")
        }
        if let area = try node.movedAwayLabel(record) {
            throw ObjectionRequestError(
                code: .elsewhere, message: "这条记录的所属行政区划已更正为 \(area)，不在本地区：请向该地区的信用网站提出\(purpose.name)。")
        }
        if purpose == .repair {
            guard let earliest = kind.kind.earliestRepair(of: record) else {
                throw ObjectionRequestError(code: .notRepairable, message: "\(kind.name)信息不属于失信信息，无需申请信用修复。")
            }
            guard earliest.date <= today else {
                throw ObjectionRequestError(
                    code: .repairTooEarly, message: "这条信息最短公示期 \(earliest.months) 个月，自 \(earliest.date.iso) 起方可申请信用修复。")
            }
            guard undertaking else { throw ObjectionRequestError(code: .invalid, message: "申请信用修复须作出守信承诺：请勾选承诺。") }
        }
        var random = SystemRandomNumberGenerator()
        let code = ObjectionRequestCode.make(using: &random)
        let id = try node.store.addObjectionRequest(
            key: key, name: name, contact: contact, reason: reason, code: code, purpose: purpose, attachments: attachments, now: now)
        // The log names the request, the record and how many files came, never the requester,
        // their contact or the files' names.
        node.logger.notice(
            "\(purpose == .objection ? "objection" : "repair") request received",
            metadata: ["request": "\(id)", "record": "\(key)", "files": "\(attachments.count)"])
        return (id, code)
    }

    /// Accepts a pending request: opens the objection on its record (a status change of this node,
    /// synced like any other) and marks the request accepted, with the opening its requester
    /// follows. A record already under objection only marks it, with the opening of the
    /// objection open.
    public func accept(id: Int64, unit: String, unitCode: String? = nil, reason: String? = nil, now: Date = Date(), actor: AuditActor? = nil) throws
        -> StatusChangeReport?
    {
        let request = try pending(id, .objection)
        let stated = reason ?? "公众异议申诉（第 \(id) 号申请）"
        var report: StatusChangeReport?
        let opening: String?
        if try node.store.record(key: request.recordKey)?.state != RecordState.objected.rawValue {
            let entered = try StatusDesk(node: node).enter(
                key: request.recordKey,
                StatusChange(action: .objectionOpened, date: ChinaTime.date(now), reason: stated, unit: unit, unitCode: unitCode), now: now,
                actor: actor)
            report = entered
            opening = "\(entered.origin):\(entered.seq)"
        } else {
            opening = try node.store.statusHistory(key: request.recordKey).last { $0.status.action == .objectionOpened }.map {
                "\($0.origin):\($0.seq)"
            }
        }
        _ = try node.store.decideObjectionRequest(id: id, accepted: true, decision: stated, opening: opening, now: now)
        return report
    }

    /// Refuses a pending request with its reason (kept for the requester's enquiry).
    public func refuse(id: Int64, reason: String, now: Date = Date()) throws {
        let reason = reason.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !reason.isEmpty else { throw ObjectionRequestError(code: .invalid, message: "a refusal needs --reason") }
        guard try node.store.decideObjectionRequest(id: id, accepted: false, decision: reason, now: now) else {
            throw ObjectionRequestError.notPending(id)
        }
    }

    /// Grants a pending repair application: the repair is entered on its record as `repair` does
    /// (the 信用修复告知书's number with it; refused before the minimum publicity period ends) and
    /// the request marked accepted.
    public func grantRepair(id: Int64, unit: String, unitCode: String? = nil, notice: String, now: Date = Date(), actor: AuditActor? = nil) throws
        -> StatusChangeReport
    {
        let request = try pending(id, .repair)
        let stated = "信用修复申请（第 \(id) 号）"
        let report = try StatusDesk(node: node).enter(
            key: request.recordKey,
            StatusChange(action: .repaired, date: ChinaTime.date(now), reason: stated, unit: unit, unitCode: unitCode, notice: notice), now: now,
            actor: actor)
        _ = try node.store.decideObjectionRequest(id: id, accepted: true, decision: "准予信用修复（\(notice)）", now: now)
        return report
    }

    /// The pending request `id` of `purpose`, or why not.
    func pending(_ id: Int64, _ purpose: RequestPurpose) throws -> ObjectionRequest {
        guard let request = try node.store.objectionRequest(id: id), request.state == "pending" else {
            throw ObjectionRequestError.notPending(id)
        }
        guard request.purpose == purpose else {
            throw ObjectionRequestError(
                code: .invalid,
                message: request.purpose == .repair
                    ? "第 \(id) 号是信用修复申请，应准予修复或不予修复（request \(id) is a credit repair application: `credit-node objection grant-repair`）"
                    : "第 \(id) 号是异议申诉，应受理或不予受理（request \(id) is an objection: `credit-node objection accept`）")
        }
        return request
    }
}
