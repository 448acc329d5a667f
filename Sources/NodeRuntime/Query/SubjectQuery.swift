import CreditDomain
import CreditStore
import Foundation

/// A subject's profile as shown by `credit-node query`: records as objects keyed by national
/// field codes, plus each record's kind, state and deadlines.
public struct SubjectProfile: Sendable, Encodable {
    public var subject: String
    public var name: String?
    /// `public` or `full`.
    public var view: String
    /// The records shown. The public view says nothing of what it leaves out (repaired, withdrawn,
    /// expired or non-public records): not even how many.
    public var records: [[String: JSONValue]]
    /// Human-readable lines per record (not encoded).
    public var lines: [[String]] = []

    enum CodingKeys: String, CodingKey { case subject, name, view, records }
}

/// A JSON scalar for loosely-typed output objects.
public enum JSONValue: Sendable, Encodable, Hashable {
    case string(String)
    case int(Int64)
    case bool(Bool)
    case null

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.singleValueContainer()
        switch self {
        case .string(let s): try c.encode(s)
        case .int(let i): try c.encode(i)
        case .bool(let b): try c.encode(b)
        case .null: try c.encodeNil()
        }
    }

    public var string: String? { if case .string(let s) = self { s } else { nil } }
}

/// Builds subject profiles from the local store.
public struct SubjectQuery: Sendable {
    public let context: NodeContext

    public init(context: NodeContext) { self.context = context }

    /// Normalises a subject code; an 18-character code must be a valid credit code or resident ID;
    /// any other (a passport, a permit, a legacy registration number) has 5 to 30 letters, digits,
    /// '-' and parentheses — what the validator accepts in an ID number field. Nothing else is
    /// looked up (`1' OR 1=1--` is refused, not answered "not listed").
    public static func normalise(_ raw: String) throws(IdentifierError) -> String {
        let code = raw.trimmingCharacters(in: .whitespaces).uppercased()
        guard code.count == 18 else {
            guard (5...30).contains(code.utf8.count) else {
                throw IdentifierError(
                    .length,
                    "a subject code is a unified social credit code or resident ID number (18 characters), or another document number of 5 to 30 characters"
                )
            }
            guard code.utf8.allSatisfy({ ($0 >= 0x30 && $0 <= 0x39) || ($0 >= 0x41 && $0 <= 0x5A) || $0 == 0x28 || $0 == 0x29 || $0 == 0x2D }) else {
                throw IdentifierError(.alphabet, "a subject code has letters, digits, '-' and parentheses only")
            }
            return code
        }
        do { return try SocialCreditCode(code).text } catch let usccError {
            do { return try ResidentID(code).text } catch {
                throw IdentifierError(
                    usccError.rule,
                    "'\(Masking.maskResidentIDs(in: code))' is neither a valid unified social credit code (\(usccError.message)) nor a valid resident ID number (\(error.message))"
                )
            }
        }
    }

    /// A subject's records. The public view shows only publicly disclosed kinds, and of them only
    /// records in force: not repaired, withdrawn or expired, within their publicity period, and
    /// (licences, listings) in a state the kind shows; an open objection shows as 异议处理中.
    /// The government-sharing view (`publicView` false) keeps every record with its state and
    /// status history.
    public func profile(subject: String, publicView: Bool, today: CivilDate = ChinaTime.date(Date())) throws -> SubjectProfile {
        let described = try describe(try context.store.records(subject: subject), publicView: publicView, today: today)
        let shown = publicView && (try? ResidentID(subject)) != nil ? Masking.mask(subject) : subject
        return SubjectProfile(
            subject: shown, name: described.name, view: publicView ? "public" : "full", records: described.records, lines: described.lines)
    }

    /// The records whose document number (决定文书号) is `number` as `DocumentNumber.searched`
    /// compares them — in any state, of any kind numbered so (the public view: only those the
    /// public sees) — as a profile whose `subject` is the number (ID numbers in it masked) and
    /// `name` nil.
    public func documents(number: String, publicView: Bool, today: CivilDate = ChinaTime.date(Date())) throws -> SubjectProfile {
        let stored = try context.store.records(documentNumber: number, scope: nil, limit: DecisionLookup.limit)
        let described = try describe(stored, publicView: publicView, today: today)
        return SubjectProfile(
            subject: Masking.maskResidentIDs(in: number), name: nil, view: publicView ? "public" : "full", records: described.records,
            lines: described.lines)
    }

    /// Records as `credit-node query` shows them: each as an object keyed by its fields' codes and
    /// as lines of text, and the first subject name given.
    func describe(_ stored: [StoredRecord], publicView: Bool, today: CivilDate) throws -> (
        records: [[String: JSONValue]], lines: [[String]], name: String?
    ) {
        let kinds = context.resolvedKinds
        var records: [[String: JSONValue]] = []
        var lines: [[String]] = []
        var name: String?
        for r in stored {
            let kind = kinds[r.kind]
            let fields = r.fields
            let state = RecordState(rawValue: r.state) ?? .active
            if publicView && !PublicRecord.isShown(r, kind: kind, today: today) { continue }
            var object: [String: JSONValue] = [
                "kind": .string(r.kind), "kindName": .string(kind?.name ?? r.kind), "state": .string(r.state), "recordKey": .string(r.key),
                "jurisdiction": .string(r.jurisdiction), "late": .bool(r.late), "origin": .string(r.origin), "seq": .int(r.seq),
                "scope": .string(kind?.scope.rawValue ?? "unknown"),
                "publicationDeadline": r.publicationDeadline.map { .string($0) } ?? .null, "stateLabel": .string(state.label),
                "deadlineProvisional": .bool(r.deadlineProvisional),
                "publicityUntil": r.publicityUntil.map { .string($0) } ?? .null,
            ]
            var text: [String] = []
            if name == nil, let k = kind { name = fields[k.kind.fullCode(k.kind.subjectName)] }
            let header = [kind?.name ?? r.kind, r.decisionDate ?? "", stateName(r.state), r.late ? "迟报 late" : "on time"].filter { !$0.isEmpty }
            text.append(header.joined(separator: " · "))
            let order = kind?.fields.map { kind!.kind.fullCode($0.code) } ?? fields.keys.sorted()
            for code in order {
                guard var value = fields[code] else { continue }
                if publicView {
                    // Masked fields whole; resident ID numbers written into free text too.
                    value = kind.map { PublicRecord.masked(value, code: code, kind: $0) } ?? Masking.maskResidentIDs(in: value)
                }
                object[code] = .string(value)
                let label = kind.flatMap { k in k.fields.first { k.kind.fullCode($0.code) == code }?.name } ?? code
                text.append("  \(label) (\(code)): \(value)")
            }
            if let d = r.publicationDeadline {
                text.append(
                    "  publication deadline 公示时限: \(d)\(r.deadlineProvisional ? " (暂定 provisional: its year's official working-day calendar has not arrived)" : "")"
                )
            }
            if let d = r.publicityUntil { text.append("  shown publicly until 公示截止: \(d)") }
            text.append("  record key: \(r.key)")
            if !publicView {
                for h in try context.store.statusHistory(key: r.key) {
                    let s = h.status
                    let notice = s.notice.map { ", 信用修复告知书 \($0)" } ?? ""
                    text.append(
                        "  \(s.date.iso) \(s.action.rawValue)\(s.outcome.map { " (\($0))" } ?? "") by \(s.unit)\(notice): \(s.reason) [\(h.origin) seq \(h.seq)]"
                    )
                }
            }
            records.append(object)
            lines.append(text)
        }
        return (records, lines, name)
    }

    func stateName(_ state: String) -> String {
        switch state {
        case "active": "active 有效"
        case "objected": "异议处理中"
        case "repaired": "repaired 已修复"
        case "withdrawn": "withdrawn 已撤销"
        case "expired": "expired 公示期满"
        default: state
        }
    }
}
