import CreditDomain
import CreditStore
import Foundation
import NodeRuntime

extension OperationsPages {
    /// `/ops/complaints`: 失信举报 — the reports the public made on this node's portal still to
    /// answer (待受理) or to close (办理中), oldest first, each against its time limit, with the
    /// forms that accept and hand one to a unit, refuse it, or close it with the unit's finding;
    /// the latest answered; and the last twelve months by state and category. The reporter's name
    /// and contact are shown here only, to the office.
    struct ComplaintsPage: Sendable, Encodable {
        struct Item: Sendable, Encodable {
            var id: Int64
            var receivedAt: String
            var subjectName: String
            var subjectCode: String?
            var category: String
            var region: String?
            var occurred: String?
            var content: String
            /// 匿名 when neither name nor contact was given.
            var reporter: String
            var state: String
            var pending: Bool
            var accepted: Bool
            var unit: String?
            var dueBy: String?
            var standingLabel: String
            var standingClass: String
            var finding: String?
            var reply: String?
            var decidedAt: String?
            var recordKey: String?
            /// The files that came with it (举报材料), each with its download.
            var evidence: [AttachmentLink]
            var hasEvidence: Bool
        }
        struct Count: Sendable, Encodable {
            var label: String
            var count: Int
        }
        var head: Head
        var csrf: String
        var error: String?
        /// The catalogue's `complaintWorkingDays`; nil: no limit.
        var workingDays: Int?
        var open: [Item]
        var pendingCount: Int
        var acceptedCount: Int
        var overdueCount: Int
        var decided: [Item]
        /// The last twelve months: received, by state and by category (most first).
        var received: Int
        var states: [Count]
        var categories: [Count]
        var hasCategories: Bool
        var anyOverdue: Bool
        var findings: [Outcome]
        var recentShown = OperationsPages.complaintsDecidedShown
        var openShown = OperationsPages.complaintsOpenShown
    }

    /// How many reports to answer the page lists (the oldest; all are counted).
    static let complaintsOpenShown = 200

    /// How many answered reports the page lists.
    static let complaintsDecidedShown = 20

    func complaints(reader: String, now: Date, csrf: String, error: String? = nil) throws -> ComplaintsPage {
        let today = ChinaTime.date(now)
        let desk = ComplaintDesk(node: node)
        let regions = try node.childRegions()
        func item(_ c: Complaint, due: CivilDate?, standing: OpenObjection.Standing) throws -> ComplaintsPage.Item {
            let open = c.state == .pending || c.state == .accepted
            let reporter = [c.reporter, c.contact].compactMap { $0 }.joined(separator: "，")
            let evidence = try attachmentLinks(of: .complaint, c.id, under: "/ops/complaints")
            return ComplaintsPage.Item(
                id: c.id, receivedAt: PortalPages.readable(milliseconds: c.at), subjectName: Masking.maskResidentIDs(in: c.subjectName),
                subjectCode: c.subjectCode, category: c.category,
                region: c.region.flatMap { try? DivisionCode($0) }.map { $0 == regions.own ? "本级" : regions.name(of: $0) },
                occurred: c.occurred, content: Masking.maskResidentIDs(in: c.content), reporter: reporter.isEmpty ? "匿名" : reporter,
                state: PortalPages.complaintState(c.state), pending: c.state == .pending, accepted: c.state == .accepted, unit: c.unit,
                dueBy: due?.iso,
                standingLabel: due == nil ? (open ? "未设办理时限" : "") : standing == .within ? "期限内" : standing == .lastDay ? "今日到期" : "已超期",
                standingClass: standing == .within ? "standing-met" : standing == .lastDay ? "standing-at-risk" : "standing-breached",
                finding: c.finding?.name, reply: c.decision.map(Masking.maskResidentIDs(in:)),
                decidedAt: c.decidedAt.map(PortalPages.readable(milliseconds:)), recordKey: c.recordKey.map(Masking.maskResidentIDs(in:)),
                evidence: evidence, hasEvidence: !evidence.isEmpty)
        }
        let counts = try desk.openCounts(today: today)
        let open = try desk.open(today: today, limit: Self.complaintsOpenShown).map { try item($0.complaint, due: $0.dueBy, standing: $0.standing) }
        let decided = try node.store.answeredComplaints(limit: Self.complaintsDecidedShown)
        let yearAgo = ChinaTime.milliseconds(startOf: today.adding(days: -365))
        let year = try node.store.complaintCounts(since: yearAgo)
        let overdue = counts.standing[.overdue] ?? 0
        return ComplaintsPage(
            head: head(title: "失信举报", reader: reader, now: now), csrf: csrf, error: error, workingDays: node.catalogue.complaintWorkingDays,
            open: open, pendingCount: counts.pending, acceptedCount: counts.accepted,
            overdueCount: overdue,
            decided: try decided.map { try item($0, due: nil, standing: .within) },
            received: year.byState.values.reduce(0, +),
            states: Complaint.State.allCases.map { ComplaintsPage.Count(label: PortalPages.complaintState($0), count: year.byState[$0] ?? 0) },
            categories: year.byCategory.sorted { ($1.value, $0.key) < ($0.value, $1.key) }.map {
                ComplaintsPage.Count(label: $0.key, count: $0.value)
            },
            hasCategories: !year.byCategory.isEmpty, anyOverdue: overdue > 0,
            findings: Complaint.Finding.allCases.map { Outcome(value: $0.rawValue, label: $0.name) })
    }

    /// A file the public attached, as the office's pages list it: its name, type and size, and
    /// where it is downloaded.
    struct AttachmentLink: Sendable, Encodable {
        var label: String
        var link: String
    }

    /// `owner` `id`'s files, each downloaded from `under/ID/evidence/N`.
    func attachmentLinks(of owner: AttachmentOwner, _ id: Int64, under path: String) throws -> [AttachmentLink] {
        try node.store.attachments(of: owner, id).map { a in
            let type = Attachments.FileType(rawValue: a.type)?.label ?? a.type
            return AttachmentLink(label: "\(a.name)（\(type)，\(Self.fileSize(a.size))）", link: "\(path)/\(id)/evidence/\(a.position)")
        }
    }

    /// A file's size as a person reads it: `12 KB`, `1.2 MB`.
    static func fileSize(_ bytes: Int) -> String {
        bytes < 1 << 20 ? "\(max(1, (bytes + 512) >> 10)) KB" : String(format: "%.1f MB", Double(bytes) / Double(1 << 20))
    }
}
