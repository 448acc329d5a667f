import Foundation
import Synchronization

/// Why a catalogue could not be loaded or a kind was not found.
public struct CatalogueError: Error, Hashable, Sendable, CustomStringConvertible {
    public enum Code: String, Sendable { case invalid = "catalogue-invalid", unknownKind = "unknown-kind" }
    public var code: Code
    public var message: String
    public var description: String { message }
}

/// The record catalogue: every kind the network carries, as versioned data shipped with the
/// package (`Resources/catalogue.json`). A province adds kinds by pointing the node at its own file.
public struct Catalogue: Codable, Sendable {
    public struct Enumeration: Codable, Sendable, Hashable {
        public var values: [String]
        /// Other spellings mapped to a canonical value (`身份证` → `01`, `1` → `01`).
        public var aliases: [String: String]?
        /// What a person reads for a canonical value that is a code (`01` → `居民身份证`): pages
        /// show the label, the record and everything signed keep the code.
        public var labels: [String: String]?

        /// The label of `value`, or `value` itself.
        public func label(of value: String) -> String { labels?[value] ?? value }
    }

    public var version: String
    public var enumerations: [String: Enumeration]
    /// Field blocks shared by several kinds (the subject block).
    public var blocks: [String: [FieldSpec]]
    public var kinds: [RecordKind]
    /// The reasons a published record may be withdrawn for (撤销公示: the decision revoked or
    /// changed, by review or a court, or the record wrong or reported twice), as phrases a
    /// withdrawal's reason must contain one of. A withdrawal naming none is counted as suspected
    /// concealment (瞒报). Absent: every withdrawal is taken at its word.
    public var withdrawalReasons: [String]?
    /// How long the unit that owns a record has to decide an objection once it is accepted and
    /// the record marked 异议处理中 (DOMAIN.md §4; per province): absent, no time limit is shown.
    public var objectionWorkingDays: ObjectionTimeLimit?
    /// How long the credit office has to answer a report of dishonest conduct (失信举报) from the
    /// public — accept it and have it handled, or refuse it — in working days from the day it came
    /// (per province; the demo's 15, as a market regulator decides whether to open a case on a
    /// report): absent, no time limit is shown.
    public var complaintWorkingDays: Int?
    /// 重点领域预警: which records count in which key area, and when a month is a warning; absent:
    /// no warnings are computed.
    public var keyAreas: KeyAreas?

    /// Working days after the objection was opened: `decide` for the unit's decision, `assisted`
    /// where another unit must help verify (协查).
    public struct ObjectionTimeLimit: Codable, Sendable, Hashable {
        public var decide: Int
        public var assisted: Int

        public init(decide: Int, assisted: Int) {
            self.decide = decide
            self.assisted = assisted
        }
    }

    /// Whether a withdrawal's `reason` names none of `withdrawalReasons` (瞒报, suspected).
    public func withdrawalIsUnexplained(_ reason: String) -> Bool {
        guard let allowed = withdrawalReasons, !allowed.isEmpty else { return false }
        let text = reason.trimmingFieldWhitespace()
        return text.isEmpty || !allowed.contains { text.contains($0) }
    }

    /// A kind by slug, alias or Chinese name.
    public func kind(named name: String) throws(CatalogueError) -> ResolvedKind {
        try resolve(try unresolvedKind(named: name))
    }

    /// The kind a name, slug or alias means, its blocks not expanded.
    public func unresolvedKind(named name: String) throws(CatalogueError) -> RecordKind {
        let key = name.trimmingFieldWhitespace()
        guard let k = kinds.first(where: { $0.slug == key.lowercased() || $0.name == key || ($0.aliases ?? []).contains(key.lowercased()) }) else {
            let known = kinds.map { "\($0.slug) (\($0.name))" }.joined(separator: ", ")
            throw CatalogueError(code: .unknownKind, message: "unknown record kind '\(key)'; known kinds: \(known)")
        }
        return k
    }

    /// Every kind with its blocks expanded.
    public func resolvedKinds() throws(CatalogueError) -> [ResolvedKind] {
        var out: [ResolvedKind] = []
        for k in kinds { out.append(try resolve(k)) }
        return out
    }

    func resolve(_ kind: RecordKind) throws(CatalogueError) -> ResolvedKind {
        var fields: [FieldSpec] = []
        for b in kind.blocks {
            guard let block = blocks[b] else {
                throw CatalogueError(code: .invalid, message: "catalogue \(version): kind \(kind.slug) uses unknown block '\(b)'")
            }
            fields += block
        }
        fields += kind.fields
        return try ResolvedKind(kind: kind, fields: fields, enumerations: enumerations, version: version)
    }

    /// Loads and checks a catalogue file.
    public static func load(from url: URL) throws(CatalogueError) -> Catalogue {
        let data: Data
        do { data = try Data(contentsOf: url) } catch {
            throw CatalogueError(code: .invalid, message: "cannot read catalogue \(url.path): \(error.localizedDescription)")
        }
        let catalogue: Catalogue
        do { catalogue = try JSONDecoder().decode(Catalogue.self, from: data) } catch {
            throw CatalogueError(code: .invalid, message: "catalogue \(url.path) is not valid: \(error)")
        }
        let resolved = try catalogue.resolvedKinds()
        for (name, e) in catalogue.enumerations.sorted(by: { $0.key < $1.key }) {
            for code in (e.labels ?? [:]).keys.sorted() where !e.values.contains(code) {
                throw CatalogueError(
                    code: .invalid,
                    message:
                        "catalogue \(url.path): enumeration \(name) labels '\(code)', which is not one of its values (\(e.values.joined(separator: ", ")))"
                )
            }
        }
        if let limit = catalogue.objectionWorkingDays, limit.decide < 1 || limit.assisted < limit.decide {
            throw CatalogueError(
                code: .invalid,
                message:
                    "catalogue \(url.path): objectionWorkingDays needs decide ≥ 1 and assisted ≥ decide (working days), not \(limit.decide) and \(limit.assisted)"
            )
        }
        if let days = catalogue.complaintWorkingDays, days < 1 {
            throw CatalogueError(
                code: .invalid, message: "catalogue \(url.path): complaintWorkingDays needs at least 1 working day, not \(days)")
        }
        var slugs = Set<String>()
        for k in catalogue.kinds where !slugs.insert(k.slug).inserted {
            throw CatalogueError(code: .invalid, message: "catalogue \(url.path): kind slug '\(k.slug)' appears twice")
        }
        if let problem = catalogue.keyAreas?.problem(kinds: Dictionary(uniqueKeysWithValues: resolved.map { ($0.slug, $0) })) {
            throw CatalogueError(code: .invalid, message: "catalogue \(url.path): \(problem)")
        }
        return catalogue
    }

    /// Where the shipped catalogue file is installed.
    public static var bundledURL: URL? { try? ShippedResources.url("catalogue.json").get() }

    /// The catalogue shipped with the package.
    /// The shipped catalogue, read once per process (a simulated province opens thousands of
    /// nodes; the file never changes while the binary runs).
    public static func bundled() throws(CatalogueError) -> Catalogue {
        if let kept = shipped.withLock({ $0 }) { return kept }
        let catalogue: Catalogue
        switch ShippedResources.url("catalogue.json") {
        case .success(let url): catalogue = try load(from: url)
        case .failure(let missing): throw CatalogueError(code: .invalid, message: missing.description)
        }
        shipped.withLock { $0 = catalogue }
        return catalogue
    }

    private static let shipped = Mutex<Catalogue?>(nil)

    /// The shipped catalogue's kinds, resolved once per process: every node of a simulated
    /// province opens with them, and each node resolving its own copy held about 0.1 MiB
    /// (PERFORMANCE.md, session 19). Other catalogues resolve with `resolvedKinds()`.
    public static func bundledResolvedKinds() throws(CatalogueError) -> [ResolvedKind] {
        if let kept = shippedResolved.withLock({ $0 }) { return kept }
        let kinds = try bundled().resolvedKinds()
        shippedResolved.withLock { $0 = kinds }
        return kinds
    }

    private static let shippedResolved = Mutex<[ResolvedKind]?>(nil)
}

/// A kind with its blocks expanded and every reference checked: what validation works from.
public struct ResolvedKind: Sendable {
    public let kind: RecordKind
    public let catalogueVersion: String
    /// All fields, blocks first, in catalogue order.
    public let fields: [FieldSpec]
    /// Field index by bare code.
    public let index: [String: Int]
    /// Per field, the enumeration it draws from.
    let enumerations: [Catalogue.Enumeration?]
    /// Field indices sorted by full code (the canonical order of a record's JSON).
    let canonicalOrder: [Int]
    /// Per field, its full national code (`CF_` + `NR`): written once, read for every record shown.
    public let fullCodes: [String]
    let businessKey: [Int]
    let subjectCode: [Int]
    let subjectName: Int
    let decisionDate: Int?
    let jurisdiction: Int?
    let masked: Set<Int>
    let idTypeField: [Int?]

    init(kind: RecordKind, fields: [FieldSpec], enumerations all: [String: Catalogue.Enumeration], version: String) throws(CatalogueError) {
        self.kind = kind
        self.catalogueVersion = version
        self.fields = fields
        var index: [String: Int] = [:]
        for (i, f) in fields.enumerated() {
            guard index[f.code] == nil else {
                throw CatalogueError(code: .invalid, message: "catalogue \(version): kind \(kind.slug) has field \(f.code) twice")
            }
            index[f.code] = i
        }
        self.index = index
        func lookup(_ code: String, _ role: String) throws(CatalogueError) -> Int {
            guard let i = index[code] else {
                throw CatalogueError(code: .invalid, message: "catalogue \(version): kind \(kind.slug) names unknown field \(code) as \(role)")
            }
            return i
        }
        var enums: [Catalogue.Enumeration?] = []
        var idTypes: [Int?] = []
        for f in fields {
            if f.type == .enumeration {
                guard let name = f.values, let e = all[name] else {
                    throw CatalogueError(
                        code: .invalid, message: "catalogue \(version): field \(kind.slug).\(f.code) needs a known enumeration in 'values'")
                }
                enums.append(e)
            } else {
                enums.append(nil)
            }
            if f.type == .idNumber, let t = f.idTypeField { idTypes.append(try lookup(t, "idTypeField")) } else { idTypes.append(nil) }
        }
        self.enumerations = enums
        self.idTypeField = idTypes
        for r in kind.rules {
            if let f = r.field { _ = try lookup(f, "rule condition") }
            for f in r.fields { _ = try lookup(f, "rule target") }
        }
        guard !kind.businessKey.isEmpty else {
            throw CatalogueError(code: .invalid, message: "catalogue \(version): kind \(kind.slug) needs a business key")
        }
        var key: [Int] = []
        for f in kind.businessKey { key.append(try lookup(f, "business key")) }
        self.businessKey = key
        var subject: [Int] = []
        for f in kind.subjectCode { subject.append(try lookup(f, "subject code")) }
        self.subjectCode = subject
        self.subjectName = try lookup(kind.subjectName, "subject name")
        self.decisionDate = try kind.decisionDate.map { (c: String) throws(CatalogueError) -> Int in try lookup(c, "decision date") }
        self.jurisdiction = try kind.jurisdiction.map { (c: String) throws(CatalogueError) -> Int in try lookup(c, "jurisdiction") }
        if let p = kind.publicity {
            for f in (p.untilFields ?? []) + [p.monthsField, p.shownWhileField].compactMap({ $0 }) { _ = try lookup(f, "publicity field") }
        }
        if let l = kind.listing {
            for f in [l.name, l.since, l.measures, l.unit] + [l.until].compactMap({ $0 }) { _ = try lookup(f, "listing field") }
            guard ["sanction", "reward"].contains(l.effect) else {
                throw CatalogueError(
                    code: .invalid, message: "catalogue \(version): kind \(kind.slug) has listing effect '\(l.effect)'; use sanction or reward")
            }
        }
        if let f = kind.fulfilment {
            for code in [f.field, f.acceptor, f.acceptorName, f.type, f.matter] { _ = try lookup(code, "fulfilment field") }
            guard f.checkDays > 0, !f.kept.isEmpty, kind.decisionDate != nil else {
                throw CatalogueError(
                    code: .invalid,
                    message:
                        "catalogue \(version): kind \(kind.slug) has a fulfilment rule without a kept value, a positive checkDays or a decision date")
            }
        }
        var masked = Set<Int>()
        for f in kind.masked { masked.insert(try lookup(f, "masked field")) }
        self.masked = masked
        let fullCodes = fields.map { kind.fullCode($0.code) }
        self.fullCodes = fullCodes
        self.canonicalOrder = fields.indices.sorted { fullCodes[$0].utf8.lexicographicallyPrecedes(fullCodes[$1].utf8) }
    }

    public var slug: String { kind.slug }
    public var name: String { kind.name }
    public var scope: DisclosureScope { kind.scope }

    /// The canonical values of an enumeration field.
    public func enumerationValues(of code: String) -> [String] {
        guard let i = index[code] else { return [] }
        return enumerations[i]?.values ?? []
    }

    /// A value of field `i` as a person reads it: an enumeration's code given its label, and a
    /// multiple field's values (stored `;`-separated) listed with 、; anything else as it is.
    public func readable(_ value: String, field i: Int) -> String {
        guard let e = enumerations[i] else { return value }
        if fields[i].multiple == true, value.contains(";") {
            return value.split(separator: ";").map { e.label(of: String($0)) }.joined(separator: "、")
        }
        return e.label(of: value)
    }

    /// `readable` by full code (`CF_XDR_ZJLX`); a code of no field of this kind gives `value`.
    public func readable(_ value: String, fullCode: String) -> String {
        guard fullCode.hasPrefix(kind.prefix), let i = index[String(fullCode.dropFirst(kind.prefix.count))] else { return value }
        return readable(value, field: i)
    }

    /// The division a field of type `divisionCode` holds (所属行政区划), by full code; nil for
    /// another field or a value that is not a division code.
    public func area(_ value: String, fullCode: String) -> DivisionCode? {
        guard fullCode.hasPrefix(kind.prefix), let i = index[String(fullCode.dropFirst(kind.prefix.count))], fields[i].type == .divisionCode else {
            return nil
        }
        return try? DivisionCode(value)
    }

    /// Whether field `i` is masked in public views.
    public func isMasked(field i: Int) -> Bool { masked.contains(i) }

    /// Whether a field (by full code) is masked in public views.
    public func isMasked(fullCode: String) -> Bool {
        guard fullCode.hasPrefix(kind.prefix), let i = index[String(fullCode.dropFirst(kind.prefix.count))] else { return false }
        return isMasked(field: i)
    }
}
