import CreditDomain
import CreditStore
import Foundation

/// 联合奖惩 名单推送与响应: the subjects of the node's area on a network-wide list in force today
/// (严重失信主体名单 with its sanctions, 红名单 with its incentives) — what the units of the area
/// must act on — and, for each, whether any unit has answered with 执行反馈 since the listing.
/// Seed 003 item 15 asks for 发起响应、信息推送、执行反馈 as one loop: a listing is the 发起, this
/// list (page, CSV, `credit-node lists`) the 推送 to the units, the `feedback` records the 反馈;
/// an entry nobody has answered is 待响应. What `/ops/lists` and `credit-node lists` show.
public struct ListResponses: Sendable, Encodable {
    /// How many days back a listing counts as newly listed (近 30 日新列入), to push first.
    public static let recentDays = 30

    /// Which entries a page or file lists; the figures always count them all.
    public enum Show: String, Sendable, CaseIterable, Encodable {
        case pending, answered, all
        public var chinese: String {
            switch self {
            case .pending: "待响应"
            case .answered: "已有反馈"
            case .all: "全部"
            }
        }
    }

    /// Entries counted together: in force, answered by feedback, pending, newly listed.
    public struct Figures: Sendable, Encodable {
        public var code: String
        public var name: String
        public var listed = 0
        public var answered = 0
        public var pending = 0
        public var recent = 0
        /// The share answered, as the page prints it (82.5 %); nil while nothing is listed.
        public var answeredShare: String?

        init(code: String, name: String) {
            self.code = code
            self.name = name
        }

        mutating func count(_ e: Entry) {
            listed += 1
            if e.pending { pending += 1 } else { answered += 1 }
            if e.recent { recent += 1 }
        }

        /// The figures with their share, once every entry is counted.
        func finished() -> Figures {
            var done = self
            if listed > 0 { done.answeredShare = String(format: "%.1f %%", Double(answered) * 100 / Double(listed)) }
            return done
        }
    }

    public struct Entry: Sendable, Encodable {
        public var kind: String
        public var kindName: String
        /// `sanction` or `reward`, and its words: the feedback category that answers it.
        public var effect: String
        public var category: String
        public var list: String
        public var subject: String
        /// The subject's code, a resident ID number masked.
        public var subjectCode: String
        public var since: String
        public var until: String?
        public var measures: String
        public var unit: String
        /// `active`, or `objected` while an objection is open (异议处理中).
        public var state: String
        public var objected: Bool
        public var jurisdiction: String
        /// The child region (or this node's own level, 本级) the entry is counted in: its code and name.
        public var regionCode: String
        public var region: String
        /// Days since the listing date.
        public var days: Int
        /// Listed within the last `recentDays` days.
        public var recent: Bool
        public var feedback: Int
        public var notApplied: Int
        public var units: Int
        public var latest: String?
        /// No feedback yet (待响应).
        public var pending: Bool
        public var recordKey: String
    }

    public var asOf: String
    public var show: Show
    /// The region the entries are filtered to, when one was asked for.
    public var region: String?
    public var total: Figures
    public var sanctions: Figures
    public var rewards: Figures
    /// The child regions in the configuration's order, this node's own level last when it has any.
    public var regions: [Figures]
    /// The lists by name, most entries first.
    public var lists: [Figures]
    /// The entries shown: pending before answered, the longest listed first.
    public var entries: [Entry]

    /// The entries in force in `node`'s area on `now`'s day and how many are answered or pending,
    /// as last counted (`KeptFigure`: while the store has no newer change that day, or younger
    /// than fifty times what counting cost — about 0.9 s at 40,000 entries — a dear count run
    /// again in the background); nil when the catalogue has no `feedback` kind. What `/ops/`'s
    /// card 联合奖惩待响应主体 and `/metrics` (`creditnet_list_entries`) show.
    public static func totals(_ node: NodeContext, now: Date, inBackground: Bool = true) throws -> (figures: Figures, at: Date)? {
        guard node.resolvedKinds[JointFeedback.kind] != nil else { return nil }
        let today = ChinaTime.date(now)
        let counted = try node.listTotals.latest(version: try node.store.newestChangeID(), day: today.iso, now: now, inBackground: inBackground) {
            try compute(node, today: today, show: .pending)?.total ?? Figures(code: "", name: "")
        }
        return (counted.value, counted.at)
    }

    /// The category of feedback that answers a list of `effect`.
    public static func category(effect: String) -> String {
        effect == "reward" ? JointFeedback.reward : "失信惩戒"
    }

    /// The lists in force in `node`'s area on `today`; nil when the catalogue has no `feedback`
    /// kind to answer them with. `region` (a child's code or the node's own) filters the entries.
    public static func compute(_ node: NodeContext, today: CivilDate, show: Show = .all, region: DivisionCode? = nil) throws -> ListResponses? {
        guard let answer = node.resolvedKinds[JointFeedback.kind] else { return nil }
        guard ["JCLB", "ZXJG", "ZXDWDM"].allSatisfy({ answer.index[$0] != nil }) else { return nil }
        let c = node.configuration
        let areas = try node.childRegions()
        var all: [Entry] = []
        for (kind, l) in node.listKinds {
            let read = [l.name, l.measures, l.unit, kind.kind.subjectName] + [l.until].compactMap { $0 }
            let listed = try node.listedInForce(kind, today: today, fields: read)
            let answers = try Answers.read(node, answer: answer, list: kind, category: category(effect: l.effect), listed: listed, today: today)
            for one in listed {
                let value = { (code: String) -> String? in
                    read.firstIndex(of: code).map { one.values[$0] }.flatMap { $0.isEmpty ? nil : $0 }
                }
                let since = CivilDate.parse(one.since)
                let got = answers[one.subjectCode].map { $0.since(one.since) } ?? Answers.Got()
                let days = since.map { today.dayNumber - $0.dayNumber } ?? 0
                let region = areas.region(of: one.jurisdiction)
                all.append(
                    Entry(
                        kind: kind.slug, kindName: kind.kind.name, effect: l.effect, category: category(effect: l.effect),
                        list: value(l.name) ?? kind.kind.name, subject: Masking.maskResidentIDs(in: value(kind.kind.subjectName) ?? ""),
                        subjectCode: Masking.shown(one.subjectCode), since: one.since, until: l.until.flatMap(value),
                        measures: Masking.maskResidentIDs(in: value(l.measures) ?? ""), unit: value(l.unit) ?? "", state: one.state,
                        objected: one.state == "objected",
                        jurisdiction: one.jurisdiction, regionCode: region.code, region: region.name, days: days,
                        recent: since != nil && days < recentDays, feedback: got.feedback, notApplied: got.notApplied, units: got.units,
                        latest: got.latest, pending: got.feedback == 0, recordKey: one.recordKey))
            }
        }
        var total = Figures(code: c.code.digits, name: c.name ?? c.code.digits)
        var sanctions = Figures(code: "sanction", name: "严重失信主体名单（失信惩戒）")
        var rewards = Figures(code: "reward", name: "红名单（守信激励）")
        var regions: [String: Figures] = [:]
        var lists: [String: Figures] = [:]
        for e in all {
            total.count(e)
            if e.effect == "reward" { rewards.count(e) } else { sanctions.count(e) }
            regions[e.regionCode, default: Figures(code: e.regionCode, name: e.region)].count(e)
            lists[e.list, default: Figures(code: e.list, name: e.list)].count(e)
        }
        var regionRows = areas.children.map { regions[$0.digits] ?? Figures(code: $0.digits, name: areas.name(of: $0)) }
        if let own = regions[c.code.digits] { regionRows.append(own) }
        let listRows = lists.values.sorted { ($0.listed, $1.code) > ($1.listed, $0.code) }
        let shown = all.filter { e in
            let wanted =
                switch show {
                case .pending: e.pending
                case .answered: !e.pending
                case .all: true
                }
            return wanted && region.map { e.regionCode == $0.digits } ?? true
        }
        // Pending first, the longest waiting first; then the answered, the longest listed first.
        let ordered = shown.sorted { a, b in
            if a.pending != b.pending { return a.pending }
            if a.days != b.days { return a.days > b.days }
            return a.recordKey < b.recordKey
        }
        return ListResponses(
            asOf: today.iso, show: show, region: region?.digits, total: total.finished(), sanctions: sanctions.finished(),
            rewards: rewards.finished(),
            regions: regionRows.map { $0.finished() }, lists: listRows.map { $0.finished() }, entries: ordered)
    }
}

extension ListResponses {
    /// The feedback of one category on one subject, newest first, with running figures: the
    /// feedback that answers an entry listed on a day is a prefix of it, found by bisection.
    struct Answers {
        struct Got {
            var feedback = 0
            var notApplied = 0
            var units = 0
            var latest: String?
        }

        /// Dates newest first; at each position, the measures not applied and the distinct
        /// executing units among the feedback up to it.
        var dates: [String] = []
        var notApplied: [Int] = []
        var units: [Int] = []

        init(_ feedback: [(date: String, notApplied: Bool, unit: String)]) {
            var seen: Set<String> = []
            var missed = 0
            for f in feedback.sorted(by: { $0.date > $1.date }) {
                seen.insert(f.unit)
                if f.notApplied { missed += 1 }
                dates.append(f.date)
                notApplied.append(missed)
                units.append(seen.count)
            }
        }

        /// What answers an entry listed on `since` (an ISO date): the feedback dated on or after it.
        func since(_ since: String) -> Got {
            var (low, high) = (0, dates.count)
            while low < high {
                let mid = (low + high) / 2
                if dates[mid] >= since { low = mid + 1 } else { high = mid }
            }
            guard low > 0 else { return Got() }
            return Got(feedback: low, notApplied: notApplied[low - 1], units: units[low - 1], latest: dates[0])
        }

        /// The answers of `category` (失信惩戒 or 守信激励) on the subjects of `listed`, by subject
        /// code: the feedback since the oldest of them, read in one pass.
        static func read(
            _ node: NodeContext, answer: ResolvedKind, list: ResolvedKind, category: String, listed: [ListedSubject], today: CivilDate
        ) throws -> [String: Answers] {
            guard let oldest = listed.map(\.since).min() else { return [:] }
            let rows = try node.store.feedbackOnListed(
                listKind: list.slug, areaPrefix: node.configuration.code.areaPrefix, today: today.iso, feedback: answer.slug, since: oldest,
                fields: ["JCLB", "ZXJG", "ZXDWDM"].map(answer.kind.fullCode))
            var bySubject: [String: [(date: String, notApplied: Bool, unit: String)]] = [:]
            for row in rows where row[2] == category {
                bySubject[row[0], default: []].append((row[1], row[3] == JointFeedback.notApplied, row[4]))
            }
            return bySubject.mapValues(Answers.init)
        }
    }
}

extension NodeContext {
    /// The catalogue's network-wide lists (a kind with a `listing` block: 严重失信主体名单, 红名单),
    /// in the order of their slugs.
    public var listKinds: [(kind: ResolvedKind, listing: ListingFields)] {
        resolvedKinds.values.compactMap { k in k.kind.listing.flatMap { k.kind.networkWide ? (k, $0) : nil } }.sorted { $0.kind.slug < $1.kind.slug }
    }

    /// The entries of list kind `kind` in the node's area in force on `today`: active or under
    /// objection, within their publicity, and shown by the kind's own rule (名单状态 有效) — the
    /// entries `/ops/lists` pushes and `/ops/creation` counts. Each with the bare fields `read`
    /// in `values`, in that order (the rule's own field after them).
    public func listedInForce(_ kind: ResolvedKind, today: CivilDate, fields read: [String]) throws -> [ListedSubject] {
        let all = read + [kind.kind.publicity?.shownWhileField].compactMap { $0 }
        let listed = try store.listedInForce(
            kind: kind.slug, areaPrefix: configuration.code.areaPrefix, today: today.iso, fields: all.map(kind.kind.fullCode))
        return listed.filter { one in
            kind.kind.isShownPublicly { code in all.firstIndex(of: code).map { one.values[$0] }.flatMap { $0.isEmpty ? nil : $0 } }
        }
    }
}
