import Foundation

/// What a status change does to a record (DOMAIN.md §1, §4).
public enum StatusAction: String, Sendable, Hashable, Codable, CaseIterable {
    /// An objection (异议) was accepted: the record shows 异议处理中 until it is closed.
    case objectionOpened = "objection-opened"
    /// The open objection needs another unit to help verify it (协查): the owning unit's time
    /// limit becomes the catalogue's `objectionWorkingDays.assisted`. The record's state is
    /// unchanged; taken at most once per objection, while it is open.
    case objectionAssisted = "objection-assisted"
    /// The objection was decided; `outcome` says how (kept, corrected, withdrawn).
    case objectionClosed = "objection-closed"
    /// Credit repair (信用修复): publicity stops everywhere.
    case repaired
    /// The decision was revoked or changed (撤销): the record is no longer shown.
    case withdrawn
    /// The kind's publicity period ended (公示期满).
    case publicityEnded = "publicity-ended"
}

/// Why a status change was refused.
public struct StatusChangeError: Error, Hashable, Sendable, CustomStringConvertible {
    public enum Code: String, Sendable {
        case unknownRecord = "unknown-record", outsideArea = "outside-area", notApplicable = "not-applicable", missingField = "missing-field"
        case badDate = "bad-date", badBody = "bad-status-body", repairTooEarly = "repair-too-early"
        case alreadyAssisted = "already-assisted"
    }
    public var code: Code
    public var message: String
    public init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }
    public var description: String { message }
}

/// One status change's content: the body of a change with op `status`.
/// Canonical JSON, keys in byte order: `{"action":…,"date":…,"notice":…,"outcome":…,"reason":…,"unit":…,"unitCode":…}`
/// (`notice` only for a repair, `outcome` only when closing an objection, `unitCode` when given).
public struct StatusChange: Sendable, Hashable, Codable {
    public var action: StatusAction
    /// The day the decision was taken (YYYY-MM-DD).
    public var date: CivilDate
    public var reason: String
    /// The deciding unit (决定单位).
    public var unit: String
    /// The deciding unit's unified social credit code, when given.
    public var unitCode: String?
    /// For `objection-closed`: `kept` (the record stands), `corrected` (a corrected version follows),
    /// `withdrawn` (a withdrawal follows).
    public var outcome: String?
    /// For `repaired`: the number of the 信用修复告知书 (credit repair notice) the deciding unit
    /// issued — with `date` and `unit` it is the notice's record, and travels with the change.
    public var notice: String?

    public static let outcomes = ["kept", "corrected", "withdrawn"]

    public init(
        action: StatusAction, date: CivilDate, reason: String, unit: String, unitCode: String? = nil, outcome: String? = nil, notice: String? = nil
    ) {
        self.action = action
        self.date = date
        self.reason = reason
        self.unit = unit
        self.unitCode = unitCode
        self.outcome = outcome
        self.notice = notice
    }

    /// Checks the fields an operator gives: reason and unit present, a valid unit code, an outcome
    /// exactly when closing an objection, no date in the future.
    public func validate(today: CivilDate) throws(StatusChangeError) {
        guard !reason.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty else {
            throw StatusChangeError(.missingField, "a \(action.rawValue) needs a reason (--reason)")
        }
        guard !unit.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty else {
            throw StatusChangeError(.missingField, "a \(action.rawValue) needs the deciding unit (--unit)")
        }
        if let unitCode {
            do { _ = try SocialCreditCode(unitCode) } catch {
                throw StatusChangeError(.missingField, "the unit code '\(unitCode)' is not a valid unified social credit code: \(error.message)")
            }
        }
        if action == .objectionClosed {
            guard let outcome, Self.outcomes.contains(outcome) else {
                throw StatusChangeError(.missingField, "closing an objection needs --outcome \(Self.outcomes.joined(separator: "|"))")
            }
        } else if outcome != nil {
            throw StatusChangeError(.missingField, "--outcome applies only to closing an objection")
        }
        if action == .repaired {
            guard let notice, !notice.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty else {
                throw StatusChangeError(.missingField, "a repair needs the number of its 信用修复告知书 (--notice)")
            }
        } else if notice != nil {
            throw StatusChangeError(.missingField, "--notice (信用修复告知书) applies only to a repair")
        }
        guard date <= today else { throw StatusChangeError(.badDate, "the date \(date) is after today (\(today))") }
    }

    /// The canonical body (a flat object of strings, like a record's fields).
    public var canonicalBody: String {
        var out = "{\"action\":" + CanonicalJSON.string(action.rawValue) + ",\"date\":" + CanonicalJSON.string(date.iso)
        if let notice { out += ",\"notice\":" + CanonicalJSON.string(notice) }
        if let outcome { out += ",\"outcome\":" + CanonicalJSON.string(outcome) }
        out += ",\"reason\":" + CanonicalJSON.string(reason) + ",\"unit\":" + CanonicalJSON.string(unit)
        if let unitCode { out += ",\"unitCode\":" + CanonicalJSON.string(unitCode) }
        return out + "}"
    }

    /// Reads a status body; nil unless it names a known action and a date.
    public static func parse(body: String) -> StatusChange? {
        guard let o = try? JSONSerialization.jsonObject(with: Data(body.utf8)) as? [String: String],
            let action = o["action"].flatMap(StatusAction.init(rawValue:)),
            let date = o["date"].flatMap({ CivilDate.parse($0) })
        else { return nil }
        return StatusChange(
            action: action, date: date, reason: o["reason"] ?? "", unit: o["unit"] ?? "", unitCode: o["unitCode"], outcome: o["outcome"],
            notice: o["notice"])
    }
}

/// A record's state (DESIGN.md "Records and changes").
public enum RecordState: String, Sendable, Hashable, Codable, CaseIterable {
    case active, objected, repaired, withdrawn, expired

    /// Chinese label as portals show it.
    public var label: String {
        switch self {
        case .active: "有效"
        case .objected: "异议处理中"
        case .repaired: "已修复"
        case .withdrawn: "已撤销"
        case .expired: "公示期满"
        }
    }

    /// Whether a public view shows a record in this state.
    public var isPublic: Bool { self == .active || self == .objected }

    /// The state from a record's status changes, as a function of the set of changes alone, so
    /// every node holding the same changes shows the same state whatever order they came in:
    /// withdrawn, repaired and publicity-ended are final (in that precedence); otherwise the
    /// objection flag is the last writer by (HLC, origin) among objection changes.
    public static func derive(_ facts: some Sequence<(hlc: Int64, origin: String, action: StatusAction)>) -> RecordState {
        var withdrawn = false
        var repaired = false
        var ended = false
        var objection: (hlc: Int64, origin: String, open: Bool)?
        for f in facts {
            switch f.action {
            case .withdrawn: withdrawn = true
            case .repaired: repaired = true
            case .publicityEnded: ended = true
            case .objectionAssisted: break
            case .objectionOpened, .objectionClosed:
                if objection.map({ (f.hlc, f.origin) > ($0.hlc, $0.origin) }) ?? true {
                    objection = (f.hlc, f.origin, f.action == .objectionOpened)
                }
            }
        }
        if withdrawn { return .withdrawn }
        if repaired { return .repaired }
        if ended { return .expired }
        return objection?.open == true ? .objected : .active
    }

    /// Whether the last objection change by (HLC, origin) opened an objection.
    public static func objectionOpen(_ facts: some Sequence<(hlc: Int64, origin: String, action: StatusAction)>) -> Bool {
        var last: (hlc: Int64, origin: String, open: Bool)?
        for f in facts where f.action == .objectionOpened || f.action == .objectionClosed {
            if last.map({ (f.hlc, f.origin) > ($0.hlc, $0.origin) }) ?? true { last = (f.hlc, f.origin, f.action == .objectionOpened) }
        }
        return last?.open == true
    }

    /// Whether the objection open now has been marked for assisted verification: an
    /// `objection-assisted` after its last opening by (HLC, origin).
    public static func objectionAssisted(_ facts: some Sequence<(hlc: Int64, origin: String, action: StatusAction)>) -> Bool {
        let sorted = facts.sorted { ($0.hlc, $0.origin) < ($1.hlc, $1.origin) }
        guard let opened = sorted.lastIndex(where: { $0.action == .objectionOpened }) else { return false }
        return sorted[opened...].contains { $0.action == .objectionAssisted }
    }

    /// Whether `action` may be taken on a record in this state (an objection is closed, or marked
    /// for assisted verification, only while open; nothing follows a withdrawal; a repaired or expired record can still be withdrawn; an
    /// expired record can still be objected to — its publicity ended, but it is still held and
    /// shared between governments — and its state stays expired, so whether its objection is open
    /// is read from its history: `objectionOpen`).
    public func allows(_ action: StatusAction, objectionOpen: Bool? = nil) -> Bool {
        switch (self, action) {
        case (.withdrawn, _): false
        case (.expired, .objectionOpened): objectionOpen != true
        case (.expired, .objectionClosed), (.expired, .objectionAssisted): objectionOpen == true
        case (.active, .objectionOpened): true
        case (.objected, .objectionClosed), (.objected, .objectionAssisted): true
        case (.active, .repaired), (.objected, .repaired): true
        case (_, .withdrawn): true
        case (.active, .publicityEnded), (.objected, .publicityEnded): true
        default: false
        }
    }
}
