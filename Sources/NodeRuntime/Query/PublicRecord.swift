import CreditDomain
import CreditStore
import Foundation

/// One field of a record as the public sees it: masked where the catalogue says so, and any
/// resident ID number written into free text masked too.
public struct PublicField: Sendable, Hashable, Codable {
    public var code: String
    public var label: String
    /// The value as recorded (masked): what a report signs and a verifier compares.
    public var value: String
    /// The value as a person reads it: an enumeration's code given its label (`01` → 居民身份证).
    public var text: String
}

/// A record as the public sees it (the portal, `query --public`): the disclosure rule of
/// DOMAIN.md applied once, here.
public struct PublicRecord: Sendable, Hashable, Codable {
    public var key: String
    public var kind: String
    public var kindName: String
    /// The subject's code as shown: a natural person's ID number masked.
    public var subject: String?
    public var subjectName: String?
    public var isPerson: Bool
    public var state: String
    public var stateLabel: String
    public var objected: Bool
    public var decisionDate: String?
    public var jurisdiction: String
    /// The deciding authority and the decision's document number, when the kind names them.
    public var authority: String?
    public var documentNumber: String?
    public var origin: String
    public var seq: Int64
    /// When the record entered the network (China time, ISO 8601).
    public var enteredAt: String
    public var publicationDeadline: String?
    public var deadlineProvisional: Bool
    /// Published after its deadline (迟报).
    public var late: Bool
    public var publicityUntil: String?
    public var fields: [PublicField]

    /// The area a record now lies in when a correction moved it out of `node`'s area (PROTOCOL.md
    /// "A record that moved"): the node keeps the corrected version, but objections and repair go
    /// to the area it names. Nil for a record of the node's area and for a network-wide kind.
    public static func movedAway(_ record: StoredRecord, kind: ResolvedKind, from node: DivisionCode) -> DivisionCode? {
        guard !kind.kind.networkWide, let area = try? DivisionCode(record.jurisdiction), !node.contains(area) else { return nil }
        return area
    }

    /// Whether the public sees `record` at all: a publicly disclosed kind, in force (active or
    /// under objection), within its publicity period, and (licences, listings) in a state the
    /// kind shows.
    public static func isShown(_ record: StoredRecord, kind: ResolvedKind?, today: CivilDate) -> Bool {
        isShown(record, kind: kind, today: today) { record.fields }
    }

    /// `isShown`, with the record's fields parsed only when the state and dates leave it open and
    /// the kind shows a record only in some states (licences, listings). `scopes`: the kinds'
    /// disclosure scopes the reader may see (the public: `.public`; a party the subject
    /// authorised: `.authorised` too), the rest of the rule unchanged.
    static func isShown(
        _ record: StoredRecord, kind: ResolvedKind?, today: CivilDate, scopes: Set<DisclosureScope> = [.public], fields: () -> [String: String]
    ) -> Bool {
        guard let kind, scopes.contains(kind.scope), RecordState(rawValue: record.state)?.isPublic == true else { return false }
        if let until = record.publicityUntil.flatMap({ CivilDate.parse($0) }), until < today { return false }
        return kind.kind.isShownPublicly { fields()[kind.kind.fullCode($0)] }
    }

    /// The full code of the field `kind` shows a record by (当前状态, 名单状态), if it has such a rule.
    public static func shownByField(of kind: ResolvedKind) -> String? {
        kind.kind.publicity?.shownWhileField.map { kind.kind.fullCode($0) }
    }

    /// The record as the public sees it, or nil when it does not see it. The record's fields are
    /// parsed once.
    public static func make(_ record: StoredRecord, kind: ResolvedKind?, today: CivilDate, scopes: Set<DisclosureScope> = [.public]) -> PublicRecord?
    {
        make(record, kind: kind, today: today, scopes: scopes, values: record.fields)
    }

    /// `make` with the record's fields already parsed.
    public static func make(
        _ record: StoredRecord, kind: ResolvedKind?, today: CivilDate, scopes: Set<DisclosureScope> = [.public], values: [String: String]
    ) -> PublicRecord? {
        guard let kind, isShown(record, kind: kind, today: today, scopes: scopes, fields: { values }) else { return nil }
        return shaped(record, kind: kind, values: values)
    }

    /// A record of any state as government bodies share it (政务共享: stopped records stay for
    /// government sharing and archives): the kind's disclosure scope must be public or government,
    /// and the masking is the public's (no whole ID number on any page). Nil for a kind disclosed
    /// only with the subject's authorisation.
    public static func shared(_ record: StoredRecord, kind: ResolvedKind?) -> PublicRecord? {
        guard let kind, kind.scope == .public || kind.scope == .government else { return nil }
        return shaped(record, kind: kind, values: record.fields)
    }

    /// The record's fields masked and read, whatever its state.
    static func shaped(_ record: StoredRecord, kind: ResolvedKind, values: [String: String]) -> PublicRecord {
        let state = RecordState(rawValue: record.state) ?? .active
        var fields: [PublicField] = []
        for (i, spec) in kind.fields.enumerated() {
            let code = kind.fullCodes[i]
            guard let raw = values[code], !raw.isEmpty else { continue }
            let value = masked(raw, field: i, kind: kind)
            fields.append(PublicField(code: code, label: spec.name, value: value, text: kind.readable(value, field: i)))
        }
        let value = { (short: String) in values[kind.kind.fullCode(short)].flatMap { $0.isEmpty ? nil : $0 } }
        let isPerson = record.subjectCode.map { (try? ResidentID($0)) != nil } ?? false
        let authorityCode = authorityField(of: kind)
        return PublicRecord(
            key: record.key, kind: record.kind, kindName: kind.name,
            subject: record.subjectCode.map { isPerson ? Masking.mask($0) : $0 }, subjectName: value(kind.kind.subjectName), isPerson: isPerson,
            state: record.state, stateLabel: state.label, objected: state == .objected, decisionDate: record.decisionDate,
            jurisdiction: record.jurisdiction,
            authority: authorityCode.flatMap(value).map { Masking.maskResidentIDs(in: $0) },
            documentNumber: value("WSH").map { Masking.maskResidentIDs(in: $0) },
            origin: record.origin, seq: record.seq, enteredAt: ChinaTime.timestamp(record.enteredAt), publicationDeadline: record.publicationDeadline,
            deadlineProvisional: record.deadlineProvisional, late: record.late, publicityUntil: record.publicityUntil, fields: fields)
    }

    /// The record with each division-code field (所属行政区划) read as `label` gives the area —
    /// 湖北省仙桃市沙嘴街道沙嘴一村（429004001201）, `NodeContext.areaLabel` — where it knows it;
    /// `value` keeps the code.
    public func namingAreas(kind: ResolvedKind, _ label: (DivisionCode) throws -> String?) rethrows -> PublicRecord {
        var out = self
        for (i, field) in fields.enumerated() {
            guard let code = kind.area(field.value, fullCode: field.code), let text = try label(code) else { continue }
            out.fields[i].text = text
        }
        return out
    }

    /// The field naming a kind's deciding authority (处罚机关, 许可机关, 认定单位 …): its business
    /// key's unit code without `DM`; nil when the kind has none.
    public static func authorityField(of kind: ResolvedKind) -> String? {
        guard let first = kind.kind.businessKey.first, first.hasSuffix("DM"), kind.index[String(first.dropLast(2))] != nil else { return nil }
        return String(first.dropLast(2))
    }

    /// A value as the public sees it: a masked field whole, resident ID numbers in free text;
    /// a unified social credit code (validated as one when it was written) is public as it is —
    /// an all-digit one would look like an ID number to the free-text masking.
    public static func masked(_ value: String, code: String, kind: ResolvedKind) -> String {
        guard code.hasPrefix(kind.kind.prefix), let i = kind.index[String(code.dropFirst(kind.kind.prefix.count))] else {
            return Masking.maskResidentIDs(in: value)
        }
        return masked(value, field: i, kind: kind)
    }

    /// The same for the kind's field `i`.
    static func masked(_ value: String, field i: Int, kind: ResolvedKind) -> String {
        if kind.isMasked(field: i) { return Masking.mask(value) }
        if kind.fields[i].type == .uscc { return value }
        return Masking.maskResidentIDs(in: value)
    }
}
