import CreditDomain
import CreditStore
import Foundation
import Hummingbird
import NIOCore

/// A status change as department systems send it to `POST /v1/status-changes`.
public struct StatusChangeRequest: Sendable, Codable {
    public var recordKey: String
    public var action: String
    public var date: String?
    public var reason: String
    public var unit: String
    public var unitCode: String?
    public var outcome: String?
    /// For a repair: the 信用修复告知书 number.
    public var notice: String?
}

/// What entering a status change did.
public struct StatusChangeReport: Sendable, Codable {
    public var recordKey: String
    public var action: String
    public var state: String
    public var stateLabel: String
    public var origin: String
    public var seq: Int64
}

/// Objections, repairs, withdrawals and ends of publicity entered at this node: checked, then
/// written as changes of this node's own log, which sync carries up to the province and down to
/// every node holding the record.
public struct StatusDesk: Sendable {
    public let node: NodeContext

    public init(node: NodeContext) { self.node = node }

    public func enter(key: String, _ status: StatusChange, now: Date = Date(), actor: AuditActor? = nil) throws -> StatusChangeReport {
        try status.validate(today: ChinaTime.date(now))
        if status.action == .repaired { try checkRepairPeriod(key: key, status) }
        let entered = try node.store.enterStatusChange(key: key, status, now: now, actor: actor)
        node.logger.info(
            "status change entered",
            metadata: [
                "record": "\(key)", "action": "\(status.action.rawValue)", "state": "\(entered.state.rawValue)", "by": "\(actor?.description ?? "-")",
            ])
        return StatusChangeReport(
            recordKey: key, action: status.action.rawValue, state: entered.state.rawValue, stateLabel: entered.state.label,
            origin: entered.change.origin,
            seq: entered.change.seq)
    }

    /// Credit repair only after the kind's minimum publicity period (catalogue data, from
    /// 《信用修复管理办法》): the refusal names the first day it is possible.
    func checkRepairPeriod(key: String, _ status: StatusChange) throws {
        // A record that cannot be repaired at all is refused by the store, for that reason.
        guard let record = try node.store.record(key: key), RecordState(rawValue: record.state)?.allows(.repaired) == true,
            let kind = node.catalogue.kinds.first(where: { $0.slug == record.kind })
        else { return }
        guard let earliest = kind.earliestRepair(of: record), status.date < earliest.date
        else { return }
        throw StatusChangeError(
            .repairTooEarly,
            "record '\(key)' can be repaired from \(earliest.date) on: its minimum publicity period is \(earliest.months) month(s) from the decision of \(record.decisionDate ?? "?") (《信用修复管理办法》)"
        )
    }

    /// Parses a request body (JSON) and enters it.
    public func enter(request r: StatusChangeRequest, now: Date = Date(), actor: AuditActor? = nil) throws -> StatusChangeReport {
        guard let action = StatusAction(rawValue: r.action) else {
            throw StatusChangeError(.badBody, "action '\(r.action)' is unknown; use \(StatusAction.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        let date: CivilDate
        if let text = r.date {
            guard let d = CivilDate.parse(text) else { throw StatusChangeError(.badDate, "date '\(text)' is not a date (YYYY-MM-DD)") }
            date = d
        } else {
            date = ChinaTime.date(now)
        }
        return try enter(
            key: r.recordKey,
            StatusChange(action: action, date: date, reason: r.reason, unit: r.unit, unitCode: r.unitCode, outcome: r.outcome, notice: r.notice),
            now: now,
            actor: actor)
    }

    /// Ends publicity of this node's own records that are due (`credit-node expire`, and daily in `serve`).
    public func endDuePublicity(now: Date = Date()) throws -> [StatusChangeReport] {
        try node.store.endDuePublicity(today: ChinaTime.date(now), now: now).map {
            StatusChangeReport(
                recordKey: $0.change.key, action: StatusAction.publicityEnded.rawValue, state: $0.state.rawValue, stateLabel: $0.state.label,
                origin: $0.change.origin, seq: $0.change.seq)
        }
    }
}

extension Router where Context == SyncRequestContext {
    /// `POST /v1/status-changes` (JSON `StatusChangeRequest`), on the records listener.
    func addStatusRoute(node: NodeContext) {
        post("/v1/status-changes") { request, context -> Response in
            let writer = try await context.writer(node)
            try node.refuseIfDamaged()
            let body = try await request.body.collect(upTo: 1 << 20)
            let parsed: StatusChangeRequest
            do { parsed = try JSONDecoder().decode(StatusChangeRequest.self, from: Data(buffer: body)) } catch {
                throw HTTPError(
                    .badRequest,
                    message: "the body is not a status change: JSON with recordKey, action, reason, unit, and optionally date, unitCode, outcome")
            }
            let result: Result<StatusChangeReport, any Error> = await BlockingWork.run {
                try StatusDesk(node: node).enter(request: parsed, now: node.clock(), actor: writer)
            }
            switch result {
            case .success(let report): return try jsonResponse(report)
            case .failure(let e as StatusChangeError):
                throw HTTPError(
                    e.code == .unknownRecord
                        ? .notFound : [.notApplicable, .outsideArea, .repairTooEarly, .alreadyAssisted].contains(e.code) ? .conflict : .badRequest,
                    message: "\(e.message) [\(e.code.rawValue)]")
            case .failure(let error):
                node.logger.error(
                    "status change could not be stored",
                    metadata: ["by": "\(writer.description)", "record": "\(parsed.recordKey)", "reason": "\(error)"])
                throw HTTPError(.internalServerError, message: "the status change could not be stored; see the node's log")
            }
        }
    }

    /// `GET /v1/check/{code}`, on the records and sync listeners; `authorise` runs first (the
    /// sync listener checks the caller's certificate).
    func addCheckRoute(node: NodeContext, authorise: @escaping @Sendable (SyncRequestContext) async throws -> Void) {
        get("/v1/check/:code") { _, context -> Response in
            try await authorise(context)
            try node.refuseIfDamaged()
            let code = context.parameters.get("code") ?? ""
            // The store is read on the blocking pool, never on the listener's own threads.
            switch await BlockingWork.run({ try CreditCheck(node: node).check(code) }) {
            case .success(let answer): return try jsonResponse(answer)
            case .failure(let e as IdentifierError): throw HTTPError(.badRequest, message: e.description)
            case .failure(let e): throw e
            }
        }
    }
}

/// A JSON response with sorted keys.
func jsonResponse(_ value: some Encodable) throws -> Response {
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
    return Response(
        status: .ok, headers: [.contentType: "application/json; charset=utf-8"], body: .init(byteBuffer: ByteBuffer(bytes: try encoder.encode(value)))
    )
}

extension RecordKind {
    /// `earliestRepair` for a stored record: from its decision date and its own fields.
    public func earliestRepair(of record: StoredRecord) -> (date: CivilDate, months: Int)? {
        let fields = record.fields
        return earliestRepair(decision: record.decisionDate.flatMap { CivilDate.parse($0) }) {
            fields[fullCode($0)].flatMap { $0.isEmpty ? nil : $0 }
        }
    }
}
