import CreditDomain
import CreditStore
import Foundation

/// One entry on a network-wide list, as `check` reports it.
public struct Listing: Sendable, Codable, Hashable {
    public var kind: String
    public var kindName: String
    /// `sanction` (joint punishment) or `reward` (joint incentive).
    public var effect: String
    public var list: String
    public var since: String?
    public var until: String?
    public var measures: String
    public var unit: String
    /// `active`, or `objected` while an objection is open (异议处理中).
    public var state: String
    public var recordKey: String
    public var origin: String
    /// `subject`: the subject checked is listed; `legal-representative`: the subject checked is
    /// the legal representative (法定代表人) of the listed entity, whom the joint-punishment
    /// memoranda restrict too.
    public var role: String = "subject"
    /// For `legal-representative`: the listed entity's name and code.
    public var entityName: String?
    public var entityCode: String?
}

/// The answer of a joint-punishment check (信用核查).
public struct CheckResult: Sendable, Codable {
    public var subject: String
    public var name: String?
    public var node: String
    public var asOf: String
    /// On a list with sanctions (一处失信，处处受限), or the legal representative of a subject on one.
    public var restricted: Bool
    /// On a list with sanctions and on one with rewards at once (红黑名单冲突): the lists disagree
    /// and the reward must not be granted until the deciding units resolve it.
    public var conflict: Bool = false
    public var listings: [Listing]
}

/// Joint-punishment check from local data alone: whether a subject is on a network-wide list in
/// force today (not removed, not expired, not repaired or withdrawn), which, since when, and the
/// measures. Every node holds the network-wide lists, so every tier answers the same.
public struct CreditCheck: Sendable {
    public let node: NodeContext

    public init(node: NodeContext) { self.node = node }

    public func check(_ raw: String, today: CivilDate = ChinaTime.date(Date())) throws -> CheckResult {
        let subject = try SubjectQuery.normalise(raw)
        var held = try node.store.records(subject: subject).map { ($0, false) }
        if (try? ResidentID(subject)) != nil { held += try node.store.listedAsRepresentative(idNumber: subject).map { ($0, true) } }
        return check(subject, held: held, today: today)
    }

    /// The check of `subject` (normalised) over records already read: `held`, each with whether
    /// the subject is the listed entity's legal representative rather than the entity.
    public func check(_ subject: String, held: [(StoredRecord, Bool)], today: CivilDate) -> CheckResult {
        let kinds = node.resolvedKinds
        var listings: [Listing] = []
        var name: String?
        let isPerson = (try? ResidentID(subject)) != nil
        for (r, asRepresentative) in held {
            guard let kind = kinds[r.kind]?.kind, kind.networkWide, let l = kind.listing else { continue }
            let fields = r.fields
            let value = { (code: String) in fields[kind.fullCode(code)].flatMap { $0.isEmpty ? nil : $0 } }
            if asRepresentative {
                name = name ?? value("FRDB")
            } else {
                name = name ?? value(kind.subjectName)
            }
            guard RecordState(rawValue: r.state)?.isPublic == true, kind.isShownPublicly(value: value) else { continue }
            if let until = r.publicityUntil.flatMap({ CivilDate.parse($0) }), until < today { continue }
            var listing = Listing(
                kind: kind.slug, kindName: kind.name, effect: l.effect, list: value(l.name) ?? kind.name, since: value(l.since),
                until: l.until.flatMap(value),
                measures: value(l.measures) ?? "", unit: value(l.unit) ?? "", state: r.state, recordKey: r.key, origin: r.origin)
            if asRepresentative {
                listing.role = "legal-representative"
                listing.entityName = value(kind.subjectName)
                listing.entityCode = r.subjectCode
            }
            listings.append(listing)
        }
        let sanctioned = listings.contains { $0.effect == "sanction" }
        let ownSanction = listings.contains { $0.effect == "sanction" && $0.role == "subject" }
        let rewarded = listings.contains { $0.effect == "reward" }
        return CheckResult(
            subject: isPerson ? Masking.mask(subject) : subject, name: name, node: node.configuration.code.digits, asOf: today.iso,
            restricted: sanctioned, conflict: ownSanction && rewarded, listings: listings)
    }
}
