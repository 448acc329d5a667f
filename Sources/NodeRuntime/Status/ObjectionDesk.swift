import CreditDomain
import CreditStore
import Foundation

/// Why a request from the public was refused (a field missing or too long, a record the public
/// does not see), in words the form shows.
public struct ObjectionRequestError: Error, Sendable, Hashable, CustomStringConvertible {
    public enum Code: String, Sendable { case invalid = "invalid-request", unknownRecord = "unknown-record", notPending = "not-pending" }
    public var code: Code
    public var message: String
    public var description: String { "\(message) [\(code.rawValue)]" }

    public init(code: Code, message: String) {
        self.code = code
        self.message = message
    }
}

/// Objections (异议申诉) from the public: the portal's form stores a *request* at this node — not
/// a status change, and never synced, since it holds the requester's contact — and an operator
/// accepts it (the objection is opened exactly as `objection open` does, so 异议处理中 reaches
/// every tier) or refuses it with a reason.
public struct ObjectionDesk: Sendable {
    public let node: NodeContext

    public init(node: NodeContext) { self.node = node }

    /// Field limits, in characters.
    public static let nameMax = 50
    public static let contactMax = 100
    public static let reasonMax = 1000

    /// Checks and keeps a request about a record the public sees; returns its number and the
    /// follow-up code its requester is given (`ObjectionRequestCode`).
    public func submit(key: String, name rawName: String, contact rawContact: String, reason rawReason: String, now: Date = Date()) throws -> (
        id: Int64, code: String
    ) {
        let name = rawName.trimmingCharacters(in: .whitespacesAndNewlines)
        let contact = rawContact.trimmingCharacters(in: .whitespacesAndNewlines)
        let reason = rawReason.trimmingCharacters(in: .whitespacesAndNewlines)
        for (value, label, limit) in [(name, "姓名或名称", Self.nameMax), (contact, "联系方式", Self.contactMax), (reason, "异议理由", Self.reasonMax)] {
            guard !value.isEmpty else { throw ObjectionRequestError(code: .invalid, message: "请填写\(label)。") }
            guard value.count <= limit else { throw ObjectionRequestError(code: .invalid, message: "\(label)最多 \(limit) 个字，现有 \(value.count) 个。") }
            guard !value.unicodeScalars.contains(where: { $0.properties.generalCategory == .control && $0 != "\n" && $0 != "\r" && $0 != "\t" })
            else {
                throw ObjectionRequestError(code: .invalid, message: "\(label)含有不可见的控制字符。")
            }
        }
        let kinds = node.resolvedKinds
        guard let record = try node.store.record(key: key), PublicRecord.isShown(record, kind: kinds[record.kind], today: ChinaTime.date(now)) else {
            throw ObjectionRequestError(code: .unknownRecord, message: "没有这条公开记录，无法提出异议。")
        }
        var random = SystemRandomNumberGenerator()
        let code = ObjectionRequestCode.make(using: &random)
        let id = try node.store.addObjectionRequest(key: key, name: name, contact: contact, reason: reason, code: code, now: now)
        // The log names the request and the record, never the requester or their contact.
        node.logger.notice("objection request received", metadata: ["request": "\(id)", "record": "\(key)"])
        return (id, code)
    }

    /// Accepts a pending request: opens the objection on its record (a status change of this node,
    /// synced like any other) and marks the request accepted. A record already under objection
    /// only marks it.
    public func accept(id: Int64, unit: String, unitCode: String? = nil, reason: String? = nil, now: Date = Date(), actor: AuditActor? = nil) throws
        -> StatusChangeReport?
    {
        guard let request = try node.store.objectionRequest(id: id), request.state == "pending" else {
            throw ObjectionRequestError(code: .notPending, message: "no pending objection request \(id); `credit-node objection requests` lists them")
        }
        let stated = reason ?? "公众异议申诉（第 \(id) 号申请）"
        var report: StatusChangeReport?
        if try node.store.record(key: request.recordKey)?.state != RecordState.objected.rawValue {
            report = try StatusDesk(node: node).enter(
                key: request.recordKey,
                StatusChange(action: .objectionOpened, date: ChinaTime.date(now), reason: stated, unit: unit, unitCode: unitCode), now: now,
                actor: actor)
        }
        _ = try node.store.decideObjectionRequest(id: id, accepted: true, decision: stated, now: now)
        return report
    }

    /// Refuses a pending request with its reason (kept for the requester's enquiry).
    public func refuse(id: Int64, reason: String, now: Date = Date()) throws {
        let reason = reason.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !reason.isEmpty else { throw ObjectionRequestError(code: .invalid, message: "a refusal needs --reason") }
        guard try node.store.decideObjectionRequest(id: id, accepted: false, decision: reason, now: now) else {
            throw ObjectionRequestError(code: .notPending, message: "no pending objection request \(id); `credit-node objection requests` lists them")
        }
    }
}
