import CreditDomain
import CreditStore
import Foundation

/// 联合奖惩典型案例: the credit office reviews what the units did after checking subjects against
/// the joint reward and punishment lists (their 执行反馈) and publishes the cases worth telling as
/// records of the catalogue's `case` kind — on its own portal (`/cases`) and, as every record
/// travels upward, on the province's. Seed 003 item 17: 案例实时归集报送和审查公示, 通过信用湖北网站
/// 定期公开发布; seed 000: 公示典型案例. The office writes the title and the summary the public
/// reads; the subject, its region and the kind of case are taken from the feedback itself, so
/// a case cannot name anyone the feedback did not. What `/ops/cases` shows and does.
public struct TypicalCases: Sendable {
    /// The catalogue kinds this reads and writes.
    public static let kind = "case"
    public static let feedbackKind = "feedback"
    /// How far back a unit's feedback is offered as a case (近 90 日).
    public static let candidateDays = 90
    /// Feedback offered, cases listed on the page: the newest.
    public static let shownMax = 100
    /// The case's fields this writes, and the feedback's it reads.
    static let caseFields = ["ALBH", "ALBT", "JCLB", "YJMD", "ALZY", "CQCS", "GLFKBH", "FBDW", "FBDWDM", "FBRQ"]
    static let feedbackFields = ["FKBH", "JCLB", "YJMD", "BLSX", "CQCS", "ZXJG", "ZXDW", "ZXRQ"]
    /// The subject's fields copied from the feedback to the case (what the two kinds share).
    static let subjectFields = [
        "XDR_MC", "XDR_LB", "XDR_SHXYM", "XDR_GSZC", "XDR_ZZJG", "FRDB", "FR_ZJLX", "FR_ZJHM", "XDR_ZJLX", "XDR_ZJHM", "XZQH",
    ]

    let node: NodeContext
    let cases: ResolvedKind
    let feedback: ResolvedKind

    /// Nil when the catalogue lacks either kind or a field this reads or writes.
    public init?(node: NodeContext) {
        guard let cases = node.resolvedKinds[Self.kind], let feedback = node.resolvedKinds[Self.feedbackKind],
            Self.caseFields.allSatisfy({ cases.index[$0] != nil }), Self.feedbackFields.allSatisfy({ feedback.index[$0] != nil })
        else { return nil }
        self.node = node
        self.cases = cases
        self.feedback = feedback
    }

    /// A published case as the office's page lists it.
    public struct Case: Sendable, Encodable {
        public var key: String
        public var number: String
        public var title: String
        public var type: String
        public var list: String
        public var summary: String
        public var subject: String
        /// The subject's code: a credit code whole, an ID number masked.
        public var subjectCode: String
        public var region: String
        public var publisher: String
        public var publisherCode: String
        public var date: String
        public var feedbackNumber: String
        /// Published at this node (not received from a child).
        public var ownPublication: Bool
        /// 异议处理中.
        public var objected: Bool
        /// The feedback it cites, by subject code (whole) and 反馈编号: never written out.
        var citation: String

        enum CodingKeys: String, CodingKey {
            case key, number, title, type, list, summary, subject, subjectCode, region, publisher, publisherCode, date, feedbackNumber
            case ownPublication, objected
        }
    }

    /// A unit's feedback the office may publish as a case.
    public struct Candidate: Sendable, Encodable {
        public var key: String
        public var number: String
        public var date: String
        public var subject: String
        public var subjectCode: String
        public var type: String
        public var list: String
        public var matter: String
        public var measure: String
        public var unit: String
        public var region: String
        /// A case held here already cites this feedback (its 关联反馈编号 and subject).
        public var published: Bool
    }

    /// What the office writes of a case; the rest comes from the feedback.
    public struct Draft: Sendable, Encodable {
        public var feedbackKey: String
        public var number: String
        public var title: String
        public var summary: String
        public var measures: String
        public var list: String
        public var publisher: String
        public var publisherCode: String
        public var remark: String

        public init(
            feedbackKey: String, number: String = "", title: String = "", summary: String = "", measures: String = "", list: String = "",
            publisher: String = "", publisherCode: String = "", remark: String = ""
        ) {
            self.feedbackKey = feedbackKey
            self.number = number
            self.title = title
            self.summary = summary
            self.measures = measures
            self.list = list
            self.publisher = publisher
            self.publisherCode = publisherCode
            self.remark = remark
        }
    }

    /// A case refused, with every reason in Chinese; nothing was written.
    public struct Refusal: Error, Sendable, CustomStringConvertible {
        public enum Code: Sendable { case unknownFeedback, notPublishable, numberTaken, invalid }
        public var code: Code
        public var reasons: [String]
        public var description: String { reasons.joined(separator: "；") }
    }

    public typealias Published = PublishedRecord

    func value(_ record: StoredRecord, _ kind: ResolvedKind, _ code: String) -> String {
        record.fields[kind.kind.fullCode(code)] ?? ""
    }

    func scope(_ kind: String, today: CivilDate) -> PublicScope { PublicScope(kinds: [kind], today: today.iso) }

    /// The cases the node holds (its own and its area's, as they travelled up), newest first.
    public func published(today: CivilDate, limit: Int = shownMax) throws -> [Case] {
        let regions = try node.childRegions()
        let own = node.configuration.code.digits
        return try node.store.listing(ListingQuery(kinds: [Self.kind], limit: limit), scope: scope(Self.kind, today: today)).map { r in
            // The office's own words are free text: a resident ID number in them is masked.
            let v = { (code: String) in Masking.maskResidentIDs(in: value(r, cases, code)) }
            return Case(
                key: r.key, number: v("ALBH"), title: v("ALBT"), type: v("JCLB"), list: v("YJMD"), summary: v("ALZY"), subject: v("XDR_MC"),
                subjectCode: Masking.shown(r.subjectCode ?? ""), region: regions.region(of: r.jurisdiction).name, publisher: v("FBDW"),
                publisherCode: v("FBDWDM"), date: r.decisionDate ?? "", feedbackNumber: v("GLFKBH"), ownPublication: r.origin == own,
                objected: r.state == "objected", citation: "\(r.subjectCode ?? "")|\(value(r, cases, "GLFKBH"))")
        }
    }

    /// The feedback of the last `candidateDays` whose measure was applied (已实施) and which is not
    /// under objection, newest first, each marked when a case already cites it.
    public func candidates(today: CivilDate, published: [Case]) throws -> [Candidate] {
        let regions = try node.childRegions()
        var query = ListingQuery(kinds: [Self.feedbackKind], limit: Self.shownMax * 2)
        query.from = today.adding(days: -Self.candidateDays).iso
        let cited = Set(published.map(\.citation))
        return try node.store.listing(query, scope: scope(Self.feedbackKind, today: today)).compactMap { r -> Candidate? in
            guard r.state == "active", value(r, feedback, "ZXJG") == "已实施" else { return nil }
            return candidate(r, regions: regions, published: cited.contains("\(r.subjectCode ?? "")|\(value(r, feedback, "FKBH"))"))
        }.prefix(Self.shownMax).map { $0 }
    }

    /// A feedback record as the office reads it (the subject's ID number masked, and any in its text).
    func candidate(_ r: StoredRecord, regions: ChildRegions, published: Bool) -> Candidate {
        let v = { (code: String) in Masking.maskResidentIDs(in: value(r, feedback, code)) }
        return Candidate(
            key: r.key, number: v("FKBH"), date: r.decisionDate ?? "", subject: v("XDR_MC"), subjectCode: Masking.shown(r.subjectCode ?? ""),
            type: v("JCLB"), list: v("YJMD"), matter: v("BLSX"), measure: v("CQCS"), unit: v("ZXDW"),
            region: regions.region(of: r.jurisdiction).name, published: published)
    }

    /// The feedback a case is written from, or why it cannot be.
    func source(_ key: String) throws -> StoredRecord {
        guard let r = try node.store.record(key: key), r.kind == Self.feedbackKind else {
            throw Refusal(code: .unknownFeedback, reasons: ["本节点没有这条执行反馈（\(Masking.maskResidentIDs(in: String(key.prefix(80))))）。"])
        }
        if r.state == "objected" {
            throw Refusal(code: .notPublishable, reasons: ["这条执行反馈正在异议处理中，异议办结前不能发布为典型案例。"])
        }
        guard r.state == "active" else { throw Refusal(code: .notPublishable, reasons: ["这条执行反馈已撤销或失效，不能发布为典型案例。"]) }
        guard value(r, feedback, "ZXJG") == "已实施" else {
            throw Refusal(code: .notPublishable, reasons: ["这条执行反馈的措施未实施，不能作为联合奖惩典型案例发布。"])
        }
        return r
    }

    /// The form's first state for a feedback: its list and measures, a case number made from
    /// its own, and the publisher of this node's latest case (the office types it once).
    public func draft(feedbackKey: String, today: CivilDate) throws -> (draft: Draft, candidate: Candidate) {
        let r = try source(feedbackKey)
        let v = { (code: String) in Masking.maskResidentIDs(in: value(r, feedback, code)) }
        let latest = try published(today: today, limit: 20).first { $0.ownPublication }
        let candidate = self.candidate(r, regions: try node.childRegions(), published: false)
        let draft = Draft(
            feedbackKey: r.key, number: "AL-\(v("FKBH"))", measures: v("CQCS"), list: v("YJMD"), publisher: latest?.publisher ?? "",
            publisherCode: latest?.publisherCode ?? "")
        return (draft, candidate)
    }

    /// Validates the case as any record of its kind is validated and stores it as the operator's
    /// ingestion run (audited, in the change log, sent up with the next push). Refused — nothing
    /// written — when the feedback cannot be published, a field is missing or wrong, or the number
    /// is already a case of the same publisher (a case is changed by withdrawing it, not by
    /// publishing over it).
    public func publish(_ draft: Draft, now: Date, actor: AuditActor) throws -> Published {
        try node.refuseIfDamaged()
        let source = try self.source(draft.feedbackKey)
        let today = ChinaTime.date(now)
        let trimmed = { (s: String) in s.trimmingCharacters(in: .whitespacesAndNewlines) }
        var values = Array(repeating: "", count: cases.fields.count)
        let set = { (code: String, value: String) in
            if let i = cases.index[code] { values[i] = value }
        }
        for code in Self.subjectFields { set(code, value(source, feedback, code)) }
        set("ALBH", trimmed(draft.number))
        set("ALBT", trimmed(draft.title))
        set("JCLB", value(source, feedback, "JCLB"))
        set("YJMD", trimmed(draft.list))
        set("ALZY", trimmed(draft.summary))
        set("CQCS", trimmed(draft.measures))
        set("GLFKBH", value(source, feedback, "FKBH"))
        set("FBDW", trimmed(draft.publisher))
        set("FBDWDM", trimmed(draft.publisherCode).uppercased())
        set("FBRQ", today.iso)
        set("BZ", trimmed(draft.remark))
        var validator = RecordValidator(
            kind: cases, context: ValidationContext(node: node.configuration.code, today: today, calendar: node.calendar))
        let record: ValidatedRecord
        switch validator.validate(values) {
        case .valid(let r): record = r
        case .invalid(let issues): throw Refusal(code: .invalid, reasons: issues.map { Masking.maskResidentIDs(in: $0.shown) })
        }
        if let taken = try node.store.record(key: record.key) {
            let title = Masking.maskResidentIDs(in: value(taken, cases, "ALBT"))
            throw Refusal(
                code: .numberTaken,
                reasons: [
                    taken.state == "withdrawn"
                        ? "案例编号 \(trimmed(draft.number)) 已用于已撤回的《\(title)》：请换一个编号。"
                        : "案例编号 \(trimmed(draft.number)) 已用于《\(title)》：请换一个编号；要修改已发布的案例，请先撤回（credit-node withdraw），再用新编号发布。"
                ])
        }
        let run = IngestSource(name: "典型案例发布", kind: Self.kind, format: .jsonLines, encoding: .utf8)
        let summary = try node.store.ingest(source: run, now: now, actor: actor) { writer in try writer.put(record) }
        return Published(key: record.key, title: Masking.maskResidentIDs(in: trimmed(draft.title)), ingestID: summary.ingestID)
    }
}
