import CreditDomain
import CreditStore
import Foundation
import NodeRuntime

extension OperationsPages {
    /// `/ops/upload` (数据报送): a department's file sent by the office's browser, validated and
    /// stored as `credit-node ingest` does; the form, each kind's header template, and the result.
    struct UploadPage: Sendable, Encodable {
        struct KindOption: Sendable, Encodable {
            var slug: String
            var name: String
            var selected: Bool
            /// The required columns, as the template names them.
            var required: String
        }
        struct Refusal: Sendable, Encodable {
            var line: Int
            var reasons: String
        }
        /// What one upload did (`IngestReport`), as the office reads it.
        struct Outcome: Sendable, Encodable {
            var file: String
            var kindName: String
            var encoding: String
            var rows: Int
            var accepted: Int
            var updated: Int
            var duplicates: Int
            var rejected: Int
            /// Refused rows kept before (nil: none).
            var alreadyQuarantined: Int?
            var late: Int
            var ingestID: Int64
            /// Columns of the file no field of the kind takes (nil: none).
            var ignoredColumns: String?
            var refusals: [Refusal]
            var refusalsShown: Int
            /// More rows were refused than the page lists.
            var moreRefused: Bool
            var allAccepted: Bool
        }
        /// An ingestion run of the latest, whatever sent it.
        struct Run: Sendable, Encodable {
            var id: Int64
            var at: String
            var file: String
            var kindName: String
            var by: String
            var accepted: Int
            var updated: Int
            var duplicates: Int
            var rejected: Int
            /// `rejected` when some, for the link to the run's refused rows.
            var refusedLink: Int?
            var late: Int
        }
        var head: Head
        var csrf: String
        var kinds: [KindOption]
        var uploadMegabytes: Int
        var error: String?
        var outcome: Outcome?
        var recent: [Run]
        /// The node sends what it stores up to a parent (the province keeps it).
        var sendsUp: Bool
    }

    static let recentRunsShown = 20

    /// Who sent a run, as the office names it.
    static func sender(_ actor: AuditActor) -> String {
        switch actor.role {
        case "cli": "命令行"
        case "local": "本机操作员"
        case "department": "部门系统 \(actor.name ?? actor.code ?? "")"
        default: "操作员 \(actor.name ?? actor.code ?? "")"
        }
    }

    func upload(reader: String, now: Date, csrf: String, kind: String? = nil, error: String? = nil, report: IngestReport? = nil) throws
        -> UploadPage
    {
        let chosen = report?.kind ?? kind ?? "penalty"
        let kinds = node.catalogue.kinds.map { k in
            let fields = node.resolvedKinds[k.slug]?.fields ?? k.fields
            return UploadPage.KindOption(
                slug: k.slug, name: k.name, selected: k.slug == chosen, required: fields.filter(\.required).map(\.name).joined(separator: "、"))
        }
        let outcome = report.map { r in
            UploadPage.Outcome(
                file: r.file, kindName: r.kindName, encoding: r.encoding == "gb18030" ? "GB18030" : "UTF-8", rows: r.rows, accepted: r.accepted,
                updated: r.updated, duplicates: r.duplicates, rejected: r.rejected,
                alreadyQuarantined: r.alreadyQuarantined > 0 ? r.alreadyQuarantined : nil, late: r.late,
                ingestID: r.ingestID, ignoredColumns: r.ignoredColumns.isEmpty ? nil : r.ignoredColumns.joined(separator: "、"),
                refusals: r.rejections.map {
                    .init(line: $0.line, reasons: $0.reasons.map { Masking.maskResidentIDs(in: $0.shown) }.joined(separator: "；"))
                },
                refusalsShown: r.rejections.count, moreRefused: r.rejected > r.rejections.count, allAccepted: r.rejected == 0)
        }
        return UploadPage(
            head: head(title: "数据报送", reader: reader, now: now), csrf: csrf, kinds: kinds, uploadMegabytes: Operations.uploadBytesMax >> 20,
            error: error, outcome: outcome,
            recent: try node.store.recentIngestions(limit: Self.recentRunsShown).map { r in
                UploadPage.Run(
                    id: r.id, at: PortalPages.readable(ChinaTime.timestamp(r.finishedAt)), file: r.source,
                    kindName: node.resolvedKinds[r.kind]?.kind.name ?? r.kind, by: Self.sender(r.actor), accepted: r.accepted, updated: r.updated,
                    duplicates: r.duplicates, rejected: r.rejected, refusedLink: r.rejected > 0 ? r.rejected : nil, late: r.late)
            }, sendsUp: node.configuration.parent != nil)
    }

    /// A kind's header line, for a department to fill in (UTF-8 with BOM, so that a spreadsheet
    /// opens it as Chinese): the field names the reader takes.
    func uploadTemplate(kind: String) throws -> (slug: String, name: String, bytes: [UInt8]) {
        let resolved = try node.kind(named: kind)
        return (resolved.slug, resolved.kind.name, ListingCSV.table(header: resolved.fields.map(\.name), rows: []))
    }
}
