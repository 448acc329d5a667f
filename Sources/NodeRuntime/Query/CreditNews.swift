import CreditDomain
import CreditStore
import Foundation

/// 信用动态: the area's credit work as its credit office and departments write it for the public —
/// 工作动态, 政策法规, 通知公告, 诚信宣传 — as records of the catalogue's `news` kind. Seed 000 (九)2:
/// 各部门要在门户网站上开设信用建设专栏……每月……向信用柳江网站推送工作动态宣传稿件至少2篇; seed 003
/// item 5: 推进各地社会信用体系建设动态情况在信用湖北网站群的宣传报道，加强网站信息更新监测. An article
/// travels upward like every record, so that the province's site carries every area's news. What
/// the portal's `/news`, `/ops/news` and `credit-node news` read and write.
public struct CreditNews: Sendable {
    public static let kind = "news"
    /// The field of an article's 栏目.
    public static let columnField = "LM"
    /// Articles a unit is to publish a month (seed 000: 每月……至少2篇).
    public static let monthlyTarget = 2
    /// A unit counted in a month's ledger: one that published in the twelve months before it.
    public static let unitMonths = 12
    /// The fields this writes.
    static let fields = ["GJBH", "BT", "LM", "ZW", "WH", "LY", "FBDW", "FBDWDM", "FBRQ", "BZ", "XZQH"]

    let node: NodeContext
    let news: ResolvedKind

    /// Nil when the catalogue lacks the kind or a field this reads or writes.
    public init?(node: NodeContext) {
        guard let news = node.resolvedKinds[Self.kind], Self.fields.allSatisfy({ news.index[$0] != nil }) else { return nil }
        self.node = node
        self.news = news
    }

    /// The 栏目 of `kind`, in the catalogue's order, when it has them (the news kind's).
    public static func columns(of kind: ResolvedKind?) -> [String] {
        guard let kind, kind.kind.slug == Self.kind, kind.index[columnField] != nil else { return [] }
        return kind.enumerationValues(of: columnField)
    }

    public var columns: [String] { Self.columns(of: news) }

    /// An article as the public reads it: every free text with resident ID numbers masked.
    public struct Article: Sendable, Encodable {
        public var key: String
        public var number: String
        public var title: String
        public var column: String
        /// The 正文 in paragraphs (its lines, blank ones left out).
        public var paragraphs: [String]
        /// The first paragraph, cut to 80 characters: a listing's line.
        public var excerpt: String
        public var documentNumber: String?
        public var source: String?
        public var publisher: String
        public var publisherCode: String
        public var date: String
        /// Where it was published: a child region's name, or 本级.
        public var region: String
        public var regionCode: String
        /// Published at this node (not received from a child).
        public var ownPublication: Bool
    }

    /// What an office writes.
    public struct Draft: Sendable, Encodable {
        public var number: String
        public var title: String
        public var column: String
        public var body: String
        public var documentNumber: String
        public var source: String
        public var publisher: String
        public var publisherCode: String
        public var remark: String

        public init(
            number: String = "", title: String = "", column: String = "", body: String = "", documentNumber: String = "", source: String = "",
            publisher: String = "", publisherCode: String = "", remark: String = ""
        ) {
            self.number = number
            self.title = title
            self.column = column
            self.body = body
            self.documentNumber = documentNumber
            self.source = source
            self.publisher = publisher
            self.publisherCode = publisherCode
            self.remark = remark
        }

        /// As a form shows it back: a resident ID number typed in any text masked (a page never
        /// holds one whole; the operator deletes what is left of it).
        public var masked: Draft {
            let m = Masking.maskResidentIDs(in:)
            return Draft(
                number: m(number), title: m(title), column: m(column), body: m(body), documentNumber: m(documentNumber), source: m(source),
                publisher: m(publisher), publisherCode: m(publisherCode), remark: m(remark))
        }
    }

    /// An article refused, with every reason in Chinese; nothing was written.
    public struct Refusal: Error, Sendable, CustomStringConvertible {
        public enum Code: Sendable { case numberTaken, personalData, invalid }
        public var code: Code
        public var reasons: [String]
        public var description: String { reasons.joined(separator: "；") }
    }

    public typealias Published = PublishedRecord

    func value(_ record: StoredRecord, _ code: String) -> String {
        Masking.maskResidentIDs(in: record.fields[news.kind.fullCode(code)] ?? "")
    }

    /// What the public sees today, kept to the node's area.
    func scope(_ today: CivilDate) -> PublicScope {
        var scope = PublicScope(kinds: [Self.kind], today: today.iso)
        scope.area = node.configuration.code.areaPrefix
        return scope
    }

    /// `text`'s lines, trimmed, blank ones left out.
    public static func paragraphs(_ text: String) -> [String] {
        text.split(omittingEmptySubsequences: true) { $0 == "\n" || $0 == "\r\n" || $0 == "\r" }
            .map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
    }

    /// A stored article as the public reads it.
    public func article(_ r: StoredRecord, regions: ChildRegions) -> Article {
        let paragraphs = Self.paragraphs(value(r, "ZW"))
        let first = paragraphs.first ?? ""
        let optional = { (code: String) -> String? in
            let v = value(r, code)
            return v.isEmpty ? nil : v
        }
        let region = regions.region(of: r.jurisdiction)
        return Article(
            key: r.key, number: value(r, "GJBH"), title: value(r, "BT"), column: value(r, Self.columnField), paragraphs: paragraphs,
            excerpt: first.count > 80 ? String(first.prefix(80)) + "…" : first, documentNumber: optional("WH"), source: optional("LY"),
            publisher: value(r, "FBDW"), publisherCode: value(r, "FBDWDM"), date: r.decisionDate ?? "", region: region.name,
            regionCode: region.code, ownPublication: r.origin == node.configuration.code.digits)
    }

    /// The article `key` while the public sees it (not withdrawn), else nil.
    public func article(key: String, today: CivilDate) throws -> Article? {
        guard let r = try node.store.record(key: key), r.kind == Self.kind, PublicRecord.isShown(r, kind: news, today: today) else { return nil }
        return article(r, regions: try node.childRegions())
    }

    /// The area's articles the public sees, newest first, of one column (nil: all) and one
    /// region (a child's code, or this node's own for its own level; nil: all), holding every
    /// one of `words` in title or text (`ArticleWords`; empty: any — then newest entered first,
    /// the keyset's row alone read), from the keyset `after` on; `limit` at most, and whether
    /// there are more.
    public func list(
        column: String? = nil, region: DivisionCode? = nil, words: [String] = [], after: (date: String, id: Int64)? = nil, limit: Int,
        today: CivilDate
    ) throws -> (articles: [Article], records: [StoredRecord], more: Bool) {
        var query = listingQuery(column: column, region: region, words: words, limit: limit + 1)
        query.after = after
        var records = try node.store.listing(query, scope: scope(today))
        let more = records.count > limit
        if more { records.removeLast() }
        let regions = try node.childRegions()
        return (records.map { article($0, regions: regions) }, records, more)
    }

    /// A search's count stops past this many (said as 1000 以上).
    public static let countMax = 1000

    /// How many articles the public sees that `list` finds with these filters (all pages), at
    /// most `countMax` + 1.
    public func count(column: String? = nil, region: DivisionCode? = nil, words: [String] = [], today: CivilDate) throws -> Int {
        try node.store.listingCount(
            listingQuery(column: column, region: region, words: words, limit: 0), scope: scope(today), atMost: Self.countMax)
    }

    func listingQuery(column: String?, region: DivisionCode?, words: [String], limit: Int) -> ListingQuery {
        var query = ListingQuery(kinds: [Self.kind], limit: limit)
        if let column { query.authority = (news.kind.fullCode(Self.columnField), column) }
        // A child's whole area; this node's own level alone.
        if let region {
            if region == node.configuration.code { query.jurisdiction = region.digits } else { query.regionPrefix = region.areaPrefix }
        }
        query.articleWords = words
        query.articleFields = ["BT", "ZW"].map(news.kind.fullCode)
        return query
    }

    /// A month's articles as the office reads them: per unit against the monthly share, per region.
    public struct Ledger: Sendable, Encodable {
        public struct Unit: Sendable, Encodable {
            public var name: String
            public var code: String
            public var articles: Int
            /// At least `monthlyTarget` this month.
            public var met: Bool
            /// Still to publish this month for the share (0 once met).
            public var missing: Int
        }
        public struct Region: Sendable, Encodable {
            public var code: String
            public var name: String
            public var articles: Int
            /// How many of its units published this month.
            public var units: Int
        }
        public struct Column: Sendable, Encodable {
            public var name: String
            public var articles: Int
        }
        public var month: String
        public var target: Int
        public var total: Int
        /// Units that published in the twelve months before the month's end, fewest articles first.
        public var units: [Unit]
        public var unitCount: Int
        public var unitsMet: Int
        /// This node's own level, then each child region.
        public var regions: [Region]
        public var columns: [Column]
    }

    /// The ledger of `month`: each unit that published an article the public still sees in the
    /// twelve months to the month's end, with its articles of the month (those under the share
    /// first), and the month's articles by region and by column.
    public func ledger(month: CalendarMonth, today: CivilDate) throws -> Ledger {
        let columnCode = news.kind.fullCode(Self.columnField)
        let fields = ["FBDWDM", "FBDW"].map(news.kind.fullCode) + [columnCode]
        let area = node.configuration.code.areaPrefix
        var since = month
        for _ in 1..<Self.unitMonths { since = since.previous }
        let year = try node.store.publishedCounts(
            kind: Self.kind, from: since.first.iso, to: month.last.iso, areaPrefix: area, fields: fields, today: today.iso)
        let inMonth = year.filter { $0.month == month.iso }
        let regions = try node.childRegions()
        // Units by code (a unit named two ways keeps the name of its most articles).
        var names: [String: (name: String, count: Int)] = [:]
        for c in year where (names[c.values[0]]?.count ?? -1) < c.count { names[c.values[0]] = (Masking.maskResidentIDs(in: c.values[1]), c.count) }
        var perUnit: [String: Int] = [:]
        var perRegion: [String: (articles: Int, units: Set<String>)] = [:]
        var perColumn: [String: Int] = [:]
        for c in inMonth {
            perUnit[c.values[0], default: 0] += c.count
            let region = regions.region(of: c.jurisdiction).code
            perRegion[region, default: (0, [])].articles += c.count
            perRegion[region]!.units.insert(c.values[0])
            perColumn[c.values[2], default: 0] += c.count
        }
        let units = names.map { code, n in
            let count = perUnit[code] ?? 0
            return Ledger.Unit(
                name: n.name, code: code, articles: count, met: count >= Self.monthlyTarget, missing: max(0, Self.monthlyTarget - count))
        }.sorted { ($0.articles, $0.name, $0.code) < ($1.articles, $1.name, $1.code) }
        let shown = [regions.own] + regions.children
        return Ledger(
            month: "\(month)", target: Self.monthlyTarget, total: inMonth.reduce(0) { $0 + $1.count }, units: units,
            unitCount: units.count, unitsMet: units.filter(\.met).count,
            regions: shown.map { code in
                let r = perRegion[code.digits]
                return Ledger.Region(
                    code: code.digits, name: code == regions.own ? "本级" : regions.name(of: code), articles: r?.articles ?? 0,
                    units: r?.units.count ?? 0)
            },
            columns: columns.map { Ledger.Column(name: $0, articles: perColumn[$0] ?? 0) })
    }

    /// The ledger of `month` for a page read again and again: this month's as last counted
    /// (`KeptFigure`: while the store has no newer change, or for fifty times what it cost — ten
    /// seconds at least — while it keeps changing; a province's month is tens of thousands of
    /// articles, each body parsed), another month's counted now; `fresh` counts this month's now
    /// and keeps it (the page that confirms an article just published). With when it was counted.
    public func latestLedger(month: CalendarMonth, today: CivilDate, now: Date, fresh: Bool = false) throws -> (ledger: Ledger, at: Date) {
        guard month == CalendarMonth(today) else { return (try ledger(month: month, today: today), now) }
        let desk = self
        let version = try node.store.newestChangeID()
        let count = { @Sendable in try desk.ledger(month: month, today: today) }
        let kept =
            fresh
            ? try node.newsLedger.renewed(version: version, day: today.iso, now: now, compute: count)
            : try node.newsLedger.latest(version: version, day: today.iso, now: now, compute: count)
        return (kept.value, kept.at)
    }

    /// 网站信息更新监测: the newest 发布日期 of the articles the public sees, dated in the `days`
    /// before `today`, by 所属行政区划 — kept as `latestLedger` keeps its figure (a walk of every
    /// article of those days: tens of milliseconds at a province).
    public func latestDates(days: Int, today: CivilDate, now: Date) throws -> [String: String] {
        let node = self.node
        return try node.newsDates.latest(version: try node.store.newestChangeID(), day: today.iso, now: now) {
            try node.store.newestDates(kind: Self.kind, since: today.adding(days: -days).iso, today: today.iso)
        }.value
    }

    /// The publisher of this node's latest own article: the form's first values (the office
    /// types them once).
    public func lastPublisher(today: CivilDate) throws -> (name: String, code: String)? {
        let own = try list(limit: 20, today: today).articles.first { $0.ownPublication }
        return own.map { ($0.publisher, $0.publisherCode) }
    }

    /// Validates the article as any record of its kind is validated and stores it as the
    /// operator's ingestion run (audited, in the change log, sent up with the next push), at this
    /// node's own level and dated today. Refused — nothing written — when a field is missing or
    /// wrong, the text holds a resident ID number (news names no private person's number), or the
    /// number is already an article of the same publisher (an article is changed by withdrawing
    /// it and publishing anew). An empty number is made from the time (DT + 年月日时分秒).
    public func publish(_ draft: Draft, now: Date, actor: AuditActor) throws -> Published {
        try node.refuseIfDamaged()
        let today = ChinaTime.date(now)
        let trimmed = { (s: String) in s.trimmingCharacters(in: .whitespacesAndNewlines) }
        let body = draft.body.replacingOccurrences(of: "\r\n", with: "\n")
        let texts = [("标题", draft.title), ("正文", body), ("文号", draft.documentNumber), ("来源", draft.source), ("备注", draft.remark)]
        let personal = texts.filter { Masking.maskResidentIDs(in: $0.1) != $0.1 }.map(\.0)
        if !personal.isEmpty {
            throw Refusal(
                code: .personalData, reasons: ["\(personal.joined(separator: "、"))含有身份证号码：信用动态不公开个人的证件号码，请删除后再发布。"])
        }
        var number = trimmed(draft.number)
        if number.isEmpty { number = "DT" + ChinaTime.timestamp(now).filter(\.isNumber).prefix(14) }
        var values = Array(repeating: "", count: news.fields.count)
        let set = { (code: String, value: String) in
            if let i = news.index[code] { values[i] = value }
        }
        set("GJBH", number)
        set("BT", trimmed(draft.title))
        set(Self.columnField, trimmed(draft.column))
        set("ZW", trimmed(body))
        set("WH", trimmed(draft.documentNumber))
        set("LY", trimmed(draft.source))
        set("FBDW", trimmed(draft.publisher))
        set("FBDWDM", trimmed(draft.publisherCode).uppercased())
        set("FBRQ", today.iso)
        set("BZ", trimmed(draft.remark))
        set("XZQH", node.configuration.code.digits)
        var validator = RecordValidator(kind: news, context: ValidationContext(node: node.configuration.code, today: today, calendar: node.calendar))
        let record: ValidatedRecord
        switch validator.validate(values) {
        case .valid(let r): record = r
        case .invalid(let issues): throw Refusal(code: .invalid, reasons: issues.map(\.shown))
        }
        if let taken = try node.store.record(key: record.key) {
            throw Refusal(
                code: .numberTaken,
                reasons: [
                    "稿件编号 \(number) 已用于《\(value(taken, "BT"))》：请换一个编号（留空则按发布时间编号）；要修改已发布的稿件，请先撤下（credit-node withdraw），再发布新稿。"
                ])
        }
        let run = IngestSource(name: "信用动态发布", kind: Self.kind, format: .jsonLines, encoding: .utf8)
        let summary = try node.store.ingest(source: run, now: now, actor: actor) { writer in try writer.put(record) }
        return Published(key: record.key, title: trimmed(draft.title), ingestID: summary.ingestID)
    }
}

/// What an office's publishing wrote (a typical case, an article): the record's key, its title as
/// the public reads it, and the ingestion run it was stored as.
public struct PublishedRecord: Sendable, Encodable {
    public var key: String
    public var title: String
    public var ingestID: Int64
}
