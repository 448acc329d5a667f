import CreditDomain
import CreditStore
import Foundation
import NodeRuntime

extension OperationsPages {
    /// `/ops/subjects`: 政务共享 — the office looks up a subject's whole file (what the public
    /// does not see: grades, stopped records) for a stated reason; every look-up is noted and the
    /// latest are listed.
    struct SubjectFilePage: Sendable, Encodable {
        struct Lookup: Sendable, Encodable {
            var at: String
            var subject: String
            var reader: String
            var purpose: String
            var records: Int
        }
        struct Row: Sendable, Encodable {
            var record: PublicRecord
            /// Stopped (repaired, withdrawn, past its publicity): the public no longer sees it.
            var stopped: Bool
        }
        /// A grade (信用评价) as the table shows it.
        struct Grade: Sendable, Encodable {
            var field: String
            var grade: String
            var year: String
            var decided: String
            var until: String
            var unit: String
            var number: String
            var inForce: Bool
        }
        var head: Head
        var csrf: String
        var error: String?
        var purpose: String
        var purposeMax = GovernmentSharing.purposeMax
        var file: GovernmentSharing.File?
        /// When it was read, as a person reads it; how many records were left out (nil: none).
        var readAt: String?
        var withheld: Int?
        var government: [Grade]
        var records: [Row]
        var hasFile: Bool
        var lookups: [Lookup]
    }

    static let lookupsShown = 20

    func subjectFile(reader: String, now: Date, csrf: String, error: String? = nil, purpose: String = "", file: GovernmentSharing.File? = nil)
        throws -> SubjectFilePage
    {
        let time = PortalPages.readable(milliseconds:)
        let grade = { (shared: GovernmentSharing.Shared) -> SubjectFilePage.Grade in
            let kind = node.resolvedKinds[shared.record.kind]?.kind
            let value = { (short: String) in shared.record.fields.first { $0.code == kind?.fullCode(short) }?.text ?? "" }
            return SubjectFilePage.Grade(
                field: value("PJLY"), grade: value("PJDJ"), year: value("PJND"), decided: shared.record.decisionDate ?? "", until: value("YXQZ"),
                unit: value("PJDW"), number: shared.record.documentNumber ?? "", inForce: shared.inForce)
        }
        return SubjectFilePage(
            head: head(title: "主体查询", reader: reader, now: now), csrf: csrf, error: error, purpose: purpose, file: file,
            readAt: file.map { PortalPages.readable($0.readAt) }, withheld: file.flatMap { $0.withheld > 0 ? $0.withheld : nil },
            government: file?.government.map(grade) ?? [],
            records: file?.records.map { SubjectFilePage.Row(record: $0, stopped: RecordState(rawValue: $0.state)?.isPublic != true) } ?? [],
            hasFile: file != nil,
            lookups: try node.store.governmentLookups(limit: Self.lookupsShown).map {
                SubjectFilePage.Lookup(
                    at: time($0.at), subject: (try? ResidentID($0.subject)) != nil ? Masking.mask($0.subject) : $0.subject,
                    reader: $0.reader.hasPrefix("local") ? "本机操作员" : $0.reader,
                    purpose: $0.purpose, records: $0.records)
            })
    }
}
