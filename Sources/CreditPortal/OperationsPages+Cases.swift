import CreditDomain
import CreditStore
import Foundation
import NodeRuntime

extension OperationsPages {
    /// `/ops/cases`: 联合奖惩典型案例 — the cases the area has published (newest first) and the
    /// units' recent feedback the office may review and publish as one.
    struct CasesPage: Sendable, Encodable {
        /// A feedback offered, with the link to its form (its key percent-encoded).
        struct Candidate: Sendable, Encodable {
            var item: TypicalCases.Candidate
            var formLink: String
        }

        var head: Head
        /// False when the catalogue lacks the `case` or `feedback` kind: the page says so.
        var available: Bool
        var cases: [TypicalCases.Case]
        var caseCount: Int
        var candidates: [Candidate]
        var candidateDays: Int
        /// The case just published (after the form's redirect), to confirm it.
        var published: TypicalCases.Case?
        /// The node's portal shows the cases (it has one configured).
        var portalLink: String?
    }

    /// `/ops/cases/new?feedback=KEY`: the form for one case — the feedback it is written from,
    /// what the office writes, and what to fix when it was refused.
    struct CaseFormPage: Sendable, Encodable {
        var head: Head
        var csrf: String
        var feedback: TypicalCases.Candidate
        var draft: TypicalCases.Draft
        var errors: [String]
        var refused: Bool
        var titleMax: Int
        var summaryMax: Int
    }

    /// The page's case kinds, or the reason there are none.
    func typicalCases() -> TypicalCases? { TypicalCases(node: node) }

    /// A case field's longest value as the catalogue has it (the form's `maxlength`).
    func maxLength(_ code: String) -> Int {
        node.resolvedKinds[TypicalCases.kind]?.fields.first { $0.code == code }?.maxLength ?? 100
    }

    func cases(reader: String, now: Date, published key: String? = nil) throws -> CasesPage {
        let today = ChinaTime.date(now)
        let head = head(title: "典型案例", reader: reader, now: now)
        guard let desk = typicalCases() else {
            return CasesPage(head: head, available: false, cases: [], caseCount: 0, candidates: [], candidateDays: TypicalCases.candidateDays)
        }
        let cases = try desk.published(today: today)
        return CasesPage(
            head: head, available: true, cases: cases, caseCount: cases.count,
            candidates: try desk.candidates(today: today, published: cases).map {
                .init(item: $0, formLink: "/ops/cases/new?feedback=" + PortalPages.escapePath($0.key))
            },
            candidateDays: TypicalCases.candidateDays, published: key.flatMap { k in cases.first { $0.key == k } },
            portalLink: node.configuration.portal != nil ? "/cases" : nil)
    }

    /// The form for the feedback `key`, first filled from it (`draft` nil) or as sent back with
    /// what to fix; a feedback that cannot be published is a 400 naming why, an unknown one a 404.
    func caseForm(reader: String, now: Date, csrf: String, feedback key: String, draft sent: TypicalCases.Draft? = nil, errors: [String] = [])
        throws -> CaseFormPage
    {
        guard let desk = typicalCases() else { throw PortalPages.BadParameter(message: "本节点的信用目录没有“联合奖惩典型案例”或“执行反馈”类别。") }
        do {
            let (draft, candidate) = try desk.draft(feedbackKey: key, today: ChinaTime.date(now))
            return CaseFormPage(
                head: head(title: "发布典型案例", reader: reader, now: now), csrf: csrf, feedback: candidate, draft: sent ?? draft, errors: errors,
                refused: !errors.isEmpty,
                titleMax: maxLength("ALBT"), summaryMax: maxLength("ALZY"))
        } catch let refusal as TypicalCases.Refusal {
            if refusal.code == .unknownFeedback { throw Portal.NotFound(message: refusal.description) }
            throw PortalPages.BadParameter(message: refusal.description)
        }
    }
}
