import CreditDomain
import CreditStore
import Crypto
import Foundation

/// Why an authorisation was not issued or a query with one was refused, in words the forms show.
public struct AuthorisationError: Error, Sendable, Hashable, CustomStringConvertible {
    public enum Code: String, Sendable {
        /// A field missing, too long or out of range; a code or subject code that cannot be one.
        case invalid = "invalid"
        /// No subject of that code at this node.
        case unknownSubject = "unknown-subject"
        /// No authorisation with that code for that subject (the same answer for a wrong code and
        /// a wrong subject, so that neither can be guessed from the other).
        case notFound = "not-found"
        /// Revoked, or past its last day.
        case ended = "ended"
        /// Revoked before, or never issued (`revoke`).
        case notRevocable = "not-revocable"
    }
    public var code: Code
    public var message: String
    public var description: String { "\(message) [\(code.rawValue)]" }

    public init(code: Code, message: String) {
        self.code = code
        self.message = message
    }
}

/// 授权查询: records a kind discloses only with its subject's authorisation (the catalogue's
/// `authorised` scope: 个人信用积分) are shown to the party the subject named, for the purpose
/// and the days it named. The subject asks at the credit office's window (its identity checked
/// there, against its ID card or business licence); the office issues the authorisation
/// (`issue`: on `/ops/authorisations` or `credit-node authorise issue`) and hands the subject a
/// code, shown that once; the party types the subject's code and that code on the portal's
/// `/authorised` page (`query`), each query noted for the subject to ask about. The office can
/// revoke it at any time. Kept at this node only, never synced: the subject's records of these
/// kinds are held where they were reported and above.
public struct AuthorisationDesk: Sendable {
    public let node: NodeContext

    public init(node: NodeContext) { self.node = node }

    /// Field limits, in characters, and the longest authorisation, in days.
    public static let granteeMax = 100
    public static let purposeMax = 100
    public static let reasonMax = 200
    public static let daysMax = 366
    public static let defaultDays = 30

    /// The kinds disclosed only with the subject's authorisation, in catalogue order.
    public var authorisedKinds: [ResolvedKind] {
        node.catalogue.kinds.compactMap { node.resolvedKinds[$0.slug] }.filter { $0.scope == .authorised }
    }

    /// What an authorisation shows: its terms, the subject as the public may see it named, and
    /// the records of its kinds in force today (masked as for the public).
    public struct View: Sendable {
        public var authorisation: Authorisation
        public var subjectShown: String
        public var isPerson: Bool
        public var records: [PublicRecord]
    }

    /// Issues an authorisation for the subject `typedSubject` (a unified social credit code or a
    /// resident ID number the node holds records about) to `grantee` for `purpose`, for `days`
    /// days from today (today counts), covering `kinds` (nil: every kind of the `authorised`
    /// scope). Returns it with its code (12 characters, `ObjectionRequestCode`), which is not kept.
    public func issue(
        subject typedSubject: String, grantee rawGrantee: String, purpose rawPurpose: String, days: Int = defaultDays, kinds slugs: [String]? = nil,
        actor: AuditActor, now: Date = Date()
    ) throws -> (authorisation: Authorisation, code: String) {
        let grantee = try Self.text(rawGrantee, label: "被授权方", max: Self.granteeMax)
        let purpose = try Self.text(rawPurpose, label: "授权用途", max: Self.purposeMax)
        guard (1...Self.daysMax).contains(days) else {
            throw AuthorisationError(code: .invalid, message: "授权期限为 1 到 \(Self.daysMax) 天，现为 \(days) 天。")
        }
        let allowed = authorisedKinds
        guard !allowed.isEmpty else {
            throw AuthorisationError(code: .invalid, message: "本节点的目录中没有需经主体授权方可查询的信息类别。")
        }
        let kinds: [String]
        if let slugs, !slugs.isEmpty {
            for slug in slugs where !allowed.contains(where: { $0.slug == slug }) {
                throw AuthorisationError(
                    code: .invalid,
                    message: "“\(slug)”不是需经主体授权方可查询的信息类别；可授权的类别：\(allowed.map { "\($0.slug)（\($0.name)）" }.joined(separator: "、"))。")
            }
            kinds = allowed.map(\.slug).filter { slugs.contains($0) }
        } else {
            kinds = allowed.map(\.slug)
        }
        let hit = try subject(typedSubject)
        let today = ChinaTime.date(now)
        var generator = SystemRandomNumberGenerator()
        let code = ObjectionRequestCode.make(using: &generator)
        let id = try node.store.addAuthorisation(
            subject: hit.code, subjectName: hit.name, grantee: grantee, purpose: purpose, kinds: kinds, codeDigest: Self.digest(code),
            validFrom: today.iso, validUntil: today.adding(days: days - 1).iso, issuedBy: actor.description, now: now)
        guard let authorisation = try node.store.authorisation(id: id) else {
            throw StoreError(code: .corrupt, message: "authorisation \(id) not read back")
        }
        node.logger.info(
            "authorisation issued", metadata: ["authorisation": "\(id)", "kinds": "\(kinds.joined(separator: ","))", "by": "\(actor.description)"])
        return (authorisation, code)
    }

    /// The records `typedCode` lets its holder see of the subject `typedSubject`, as of `now`;
    /// the query is noted. Refused: a code or subject code out of shape (`invalid`), no such pair
    /// (`notFound`), an authorisation revoked or past its days (`ended`).
    public func query(subject typedSubject: String, code typedCode: String, now: Date = Date()) throws -> View {
        guard let code = ObjectionRequestCode.normalized(typedCode) else {
            throw AuthorisationError(code: .invalid, message: "授权码是 12 位字母和数字（如 ABCD-EFGH-JKMN），请核对后重新输入。")
        }
        let subject: String
        do { subject = try SubjectQuery.normalise(typedSubject) } catch {
            throw AuthorisationError(code: .invalid, message: "主体代码应为 18 位统一社会信用代码或公民身份号码，请核对后重新输入。")
        }
        guard let found = try node.store.authorisation(codeDigest: Self.digest(code)), found.subject == subject else {
            throw AuthorisationError(code: .notFound, message: "没有与该主体代码和授权码相符的授权：请核对两者，或请信用主体到信用服务窗口办理授权。")
        }
        let today = ChinaTime.date(now)
        if let revokedAt = found.revokedAt {
            throw AuthorisationError(
                code: .ended, message: "该授权已于 \(ChinaTime.date(Date(timeIntervalSince1970: Double(revokedAt) / 1000)).iso) 撤销，不能再查询。")
        }
        guard found.inForce(today: today.iso) else {
            throw AuthorisationError(code: .ended, message: "该授权的有效期为 \(found.validFrom) 至 \(found.validUntil)，今天不在有效期内。")
        }
        let kinds = node.resolvedKinds
        let records = try node.store.records(subject: subject).compactMap { r -> PublicRecord? in
            guard found.kinds.contains(r.kind) else { return nil }
            return PublicRecord.make(r, kind: kinds[r.kind], today: today, scopes: [.authorised])
        }
        try node.store.addAuthorisationUse(id: found.id, records: records.count, now: now)
        let person = (try? ResidentID(subject)) != nil
        return View(authorisation: found, subjectShown: person ? Masking.mask(subject) : subject, isPerson: person, records: records)
    }

    /// Revokes authorisation `id` with a reason; `notRevocable` when it was revoked before or
    /// never issued.
    public func revoke(id: Int64, reason rawReason: String, actor: AuditActor, now: Date = Date()) throws {
        let reason = try Self.text(rawReason, label: "撤销理由", max: Self.reasonMax)
        guard try node.store.revokeAuthorisation(id: id, by: actor.description, reason: reason, now: now) else {
            throw AuthorisationError(code: .notRevocable, message: "第 \(id) 号授权不存在或已撤销。")
        }
        node.logger.info("authorisation revoked", metadata: ["authorisation": "\(id)", "by": "\(actor.description)"])
    }

    /// The subject `typed` names, if the node holds records about it.
    func subject(_ typed: String) throws -> SubjectHit {
        switch try FormText.subject(typed, in: node.store) {
        case .success(let hit): return hit
        case .failure(let problem):
            throw AuthorisationError(
                code: problem.unknown ? .unknownSubject : .invalid, message: problem.unknown ? "本节点没有这个主体的信用记录，无法在本节点授权查询。" : problem.message)
        }
    }

    /// A field trimmed, required, bounded and without control characters.
    static func text(_ raw: String, label: String, max: Int) throws -> String {
        switch FormText.checked(raw, label: label, max: max) {
        case .success(let value): return value
        case .failure(let problem): throw AuthorisationError(code: .invalid, message: problem.message)
        }
    }

    /// The SHA-256 of a code as stored (`ObjectionRequestCode.normalized`), in hex: what the store keeps.
    static func digest(_ code: String) -> String {
        SHA256.hash(data: Data(code.utf8)).map { String(format: "%02x", $0) }.joined()
    }
}
