import CreditDomain
import CreditStore
import Foundation
import NodeRuntime

extension OperationsPages {
    /// `/ops/authorisations`: 授权查询 at the credit office's window — the form that issues an
    /// authorisation after the subject's identity is checked, the ones in force (ending soonest
    /// first) with how often each was used and a form to revoke it, then the latest ended.
    struct AuthorisationsPage: Sendable, Encodable {
        struct Row: Sendable, Encodable {
            var id: Int64
            var subjectName: String
            /// The subject's code, a resident ID number masked.
            var subject: String
            var grantee: String
            var purpose: String
            var kinds: String
            var validFrom: String
            var validUntil: String
            var state: String
            var inForce: Bool
            var issuedAt: String
            var issuedBy: String
            var uses: Int
            var lastUsedAt: String?
            var revokeReason: String?
        }
        var head: Head
        var csrf: String
        var error: String?
        /// The form's values after a refusal (the subject's code only when it is not an ID number).
        var subject: String
        var grantee: String
        var purpose: String
        var days: Int
        var daysMax = AuthorisationDesk.daysMax
        var granteeMax = AuthorisationDesk.granteeMax
        var purposeMax = AuthorisationDesk.purposeMax
        /// What may be authorised (the kinds of the `authorised` scope), named.
        var kinds: String
        var current: [Row]
        var ended: [Row]
    }

    /// The 授权书 printed for the subject: the authorisation's terms and its code, shown this once.
    struct AuthorisationIssuedPage: Sendable, Encodable {
        var head: Head
        var row: AuthorisationsPage.Row
        /// `ABCD-EFGH-JKMN`.
        var code: String
        /// Where the party queries (the portal's address when the node has one configured).
        var queryAt: String
    }

    /// The latest ended authorisations the page lists.
    static let endedShown = 20

    func authorisations(
        reader: String, now: Date, csrf: String, error: String? = nil, subject: String = "", grantee: String = "", purpose: String = "",
        days: Int = AuthorisationDesk.defaultDays
    ) throws -> AuthorisationsPage {
        let today = ChinaTime.date(now).iso
        let list = try node.store.authorisations(today: today, ended: Self.endedShown)
        let rows = list.map { authorisationRow($0, today: today) }
        return AuthorisationsPage(
            head: head(title: "授权查询", reader: reader, now: now), csrf: csrf, error: error,
            subject: (try? ResidentID(subject.trimmingCharacters(in: .whitespaces).uppercased())) != nil ? "" : Masking.maskResidentIDs(in: subject),
            grantee: grantee, purpose: purpose, days: days,
            kinds: AuthorisationDesk(node: node).authorisedKinds.map(\.name).joined(separator: "、"),
            current: rows.filter(\.inForce), ended: rows.filter { !$0.inForce })
    }

    func authorisationIssued(reader: String, now: Date, authorisation: Authorisation, code: String) -> AuthorisationIssuedPage {
        let portal = node.configuration.portal.map { "\(node.configuration.portalTLS ? "https" : "http")://\($0)/authorised" }
        return AuthorisationIssuedPage(
            head: head(title: "授权书", reader: reader, now: now), row: authorisationRow(authorisation, today: ChinaTime.date(now).iso),
            code: ObjectionRequestCode.grouped(code), queryAt: portal ?? "本地区信用网站的“授权查询”页面（/authorised）")
    }

    func authorisationRow(_ a: Authorisation, today: String) -> AuthorisationsPage.Row {
        let time = PortalPages.readable(milliseconds:)
        return AuthorisationsPage.Row(
            id: a.id, subjectName: a.subjectName, subject: (try? ResidentID(a.subject)) != nil ? Masking.mask(a.subject) : a.subject,
            grantee: a.grantee, purpose: a.purpose, kinds: a.kinds.map { node.resolvedKinds[$0]?.name ?? $0 }.joined(separator: "、"),
            validFrom: a.validFrom, validUntil: a.validUntil, state: a.stateName(today: today), inForce: a.inForce(today: today),
            issuedAt: time(a.issuedAt), issuedBy: a.issuedBy, uses: a.uses, lastUsedAt: a.lastUsedAt.map(time), revokeReason: a.revokeReason)
    }
}
