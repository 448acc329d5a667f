import CreditDomain
import CreditStore
import Foundation
import NodeRuntime

/// The operators' pages' models (`/ops/`): what a credit office sees of its own area, from this
/// node's store. Each is what its template is given and what `?format=json` answers.
struct OperationsPages: Sendable {
    let node: NodeContext
    /// The months' bulletins last built (`bulletinLines`).
    let bulletins = BulletinsKept()

    /// The top of every operator's page.
    struct Head: Sendable, Encodable {
        var title: String
        var areaName: String
        var code: String
        var tier: String
        /// Who is reading: the operator's name from the certificate, or the local caller; nil on
        /// an error page whose reader was not asked.
        var reader: String?
        var today: String
    }

    struct Totals: Sendable, Encodable {
        var records: Int
        var late: Int
        var corrected: Int
        var quarantined: Int
    }

    /// A child region (or this node's own level) with its records per kind, in the kinds' order.
    struct RegionRow: Sendable, Encodable {
        struct Cell: Sendable, Encodable {
            var count: Int
            /// The records behind the figure (`/ops/records`); none for this node's own level.
            var link: String?
        }
        var code: String
        var name: String
        /// The records behind the late figure.
        var lateLink: String?
        var cells: [Cell]
        var total: Int
        var late: Int
        var corrected: Int
        var lateRate: String
    }

    struct KindColumn: Sendable, Encodable {
        var slug: String
        var name: String
    }

    struct AuthorityRow: Sendable, Encodable {
        var kind: String
        var authority: String
        var records: Int
        var late: Int
        var lateRate: String
    }

    /// A bar chart drawn by the server as SVG: one bar per day.
    struct Chart: Sendable, Encodable {
        struct Bar: Sendable, Encodable {
            var x: Int
            var y: Int
            var width: Int
            var height: Int
            var day: String
            var count: Int
        }
        struct Tick: Sendable, Encodable {
            var x: Int
            var label: String
        }
        var width: Int
        var height: Int
        var baseline: Int
        var max: Int
        var total: Int
        var bars: [Bar]
        var ticks: [Tick]
    }

    /// `/ops/`: collection in the node's area.
    struct CollectionPage: Sendable, Encodable {
        var head: Head
        var totals: Totals
        var kinds: [KindColumn]
        var regions: [RegionRow]
        var authorities: [AuthorityRow]
        var arrivals: Chart
        var days: Int
        /// Commitments to follow up (broken, or unchecked past the check period); nil when the
        /// catalogue has no fulfilment rule.
        var commitmentsToFollowUp: Int?
        /// 政务诚信: the cases standing against the area's government bodies (0: 零失信).
        var governmentCases: Int
        /// Objections open past the decision's time limit, and those whose last day is today; nil
        /// when the catalogue sets none.
        var objectionsPastLimit: Int?
        var objectionsDueToday: Int?
        /// Subjects of the area on a joint reward or punishment list in force today that no unit
        /// has answered with feedback (联合奖惩 待响应, `ListResponses.totals`); nil without a
        /// `feedback` kind.
        var listPending: Int?
        /// 失信举报 still to answer or close, and those past their limit; nil when none.
        var complaintsOpen: Int?
        var complaintsOverdue: Int?
        /// 信易贷 requests no institution has taken up yet; nil when none.
        var loansPending: Int?
    }

    /// The four rates of some records — a kind, a month's whole — as `/ops/quality` and the
    /// bulletin show them (their definitions: OPERATIONS.md, "The operators' pages").
    struct RatesRow: Sendable, Encodable {
        var slug: String
        var kind: String
        var records: Int
        var late: Int
        var lateRate: String
        var quarantined: Int
        var corrected: Int
        var errorRate: String
        var suspectedMissing: Int
        var missingRate: String
        var concealed: Int
        var concealedRate: String

        init(slug: String, kind: String, records: Int, late: Int, quarantined: Int, corrected: Int, suspectedMissing: Int, concealed: Int) {
            self.slug = slug
            self.kind = kind
            self.records = records
            self.late = late
            self.quarantined = quarantined
            self.corrected = corrected
            self.suspectedMissing = suspectedMissing
            self.concealed = concealed
            (lateRate, errorRate, missingRate, concealedRate) = ("", "", "", "")
            let rates = fourRates.map { OperationsPages.rate($0.part, of: $0.whole) }
            (lateRate, errorRate, missingRate, concealedRate) = (rates[0], rates[1], rates[2], rates[3])
        }

        /// Each rate's part and whole, in the order 迟报率, 错误率 (refused and corrected of all
        /// sent), 漏报率 (missing numbers of those there should be) and 瞒报率.
        var fourRates: [(part: Int, whole: Int)] {
            [(late, records), (quarantined + corrected, records + quarantined), (suspectedMissing, records + suspectedMissing), (concealed, records)]
        }

        /// The four rates as fractions, nil where there is nothing to divide by.
        var fractions: [Double?] { fourRates.map { $0.whole == 0 ? nil : Double($0.part) / Double($0.whole) } }
    }

    /// `/ops/quality`: the four rates as far as this node can tell them.
    struct QualityPage: Sendable, Encodable {
        /// A withdrawal whose reason names none the catalogue allows (瞒报, suspected).
        struct ConcealedRow: Sendable, Encodable {
            var kind: String
            var recordKey: String
            var jurisdiction: String
            var reason: String
            var unit: String
            var date: String
        }
        struct GapRow: Sendable, Encodable {
            var kind: String
            /// The authority's credit code, and its name when its records give one.
            var authority: String
            var authorityName: String?
            var series: String
            var year: Int
            var first: Int
            var last: Int
            var reported: Int
            var missingCount: Int
            /// The first missing numbers, as the office would look them up.
            var missing: [String]
            var more: Bool
        }
        var head: Head
        var kinds: [RatesRow]
        var regions: [RegionRow]
        var gaps: [GapRow]
        var missingRate: String
        var suspectedMissing: Int
        var concealed: [ConcealedRow]
        var concealedRate: String
        /// The phrases a withdrawal's reason must contain one of (catalogue `withdrawalReasons`).
        var allowedReasons: String
        /// When the decision-number gaps were computed (at most every `KeptFigures.keptFor` while the
        /// store changes; the other figures are read at each request).
        var gapsAsOf: String
    }

    /// `/ops/reconcile`: the form, and the report once a register was sent.
    struct ReconcilePage: Sendable, Encodable {
        struct KindOption: Sendable, Encodable {
            var slug: String
            var name: String
            var selected: Bool
        }
        /// An authority this node holds numbered decisions of, offered as the form's choices.
        struct Known: Sendable, Encodable {
            var code: String
            var name: String
            var kinds: String
        }
        var head: Head
        var authority: String
        /// The authority's name, once a register was compared.
        var authorityName: String?
        var kinds: [KindOption]
        var known: [Known]
        /// `known` is not empty: the form says it may be chosen from.
        var offersKnown: Bool
        var report: Reconciliation.Report?
        /// How many of each, for the page's figures.
        var counts: Counts?
        /// Why the register was refused, to fix and send again.
        var error: String?

        struct Counts: Sendable, Encodable {
            var missing: Int
            var late: Int
            var different: Int
            var unregistered: Int
            var refused: Int
        }
    }

    /// How many authorities the form offers at most (the busiest of each kind, in kind order).
    static let knownAuthoritiesMax = 200

    func reconcile(reader: String, now: Date, authority: String = "", kind: String? = nil, report: Reconciliation.Report? = nil, error: String? = nil)
        throws -> ReconcilePage
    {
        let numbered = node.catalogue.kinds.filter { node.resolvedKinds[$0.slug]?.decisionNumbering != nil }
        let kinds = numbered.map { ReconcilePage.KindOption(slug: $0.slug, name: $0.name, selected: $0.slug == (kind ?? "penalty")) }
        // The authorities whose decisions are held, by name (a kind's name field), each once with
        // the kinds it decided; and the one compared, named by its records.
        var known: [(code: String, name: String, kinds: [String])] = []
        var authorityName: String?
        let code = authority.trimmingCharacters(in: .whitespaces).uppercased()
        for k in numbered {
            guard let resolved = node.resolvedKinds[k.slug], let field = PublicRecord.authorityField(of: resolved) else { continue }
            let nameField = resolved.kind.fullCode(field)
            for a in try node.store.recordsByAuthority(kind: k.slug, nameField: nameField, limit: Self.knownAuthoritiesMax) {
                if let i = known.firstIndex(where: { $0.code == a.code }) {
                    known[i].kinds.append(k.name)
                } else {
                    known.append((a.code, Masking.maskResidentIDs(in: a.authority), [k.name]))
                }
            }
            if report != nil, authorityName == nil { authorityName = try node.store.authorityName(kind: k.slug, code: code, nameField: nameField) }
        }
        return ReconcilePage(
            head: head(title: "核对部门台账", reader: reader, now: now), authority: Masking.maskResidentIDs(in: authority),
            authorityName: authorityName.map { Masking.maskResidentIDs(in: $0) }, kinds: kinds,
            known: known.prefix(Self.knownAuthoritiesMax).map {
                ReconcilePage.Known(code: $0.code, name: $0.name, kinds: $0.kinds.joined(separator: "、"))
            }
            .sorted { $0.name < $1.name },
            offersKnown: !known.isEmpty, report: report,
            counts: report.map {
                ReconcilePage.Counts(
                    missing: $0.missing.count, late: $0.late.count, different: $0.different.count, unregistered: $0.unregistered.count,
                    refused: $0.refused.count)
            }, error: error)
    }

    /// `/ops/records`: the records behind a figure.
    struct RecordsPage: Sendable, Encodable {
        struct Row: Sendable, Encodable {
            var key: String
            /// The key's last part: a numbered kind's decision number.
            var number: String
            var kind: String
            var subject: String
            var subjectName: String
            var jurisdiction: String
            /// The area's and the reporting node's own names, when this node knows them.
            var jurisdictionName: String?
            var decisionDate: String
            var deadline: String
            var late: Bool
            var state: String
            var origin: String
            var originName: String?
        }
        var head: Head
        /// What the list holds, in words.
        var filter: String
        var rows: [Row]
        var next: String?
        /// The document number searched for, as typed (an ID number masked), and the other
        /// filters, which the search form keeps.
        var number: String
        var kept: [Kept]
        struct Kept: Sendable, Encodable {
            var name: String
            var value: String
        }
    }

    /// How many records a drill-down page lists.
    static let recordsPerPage = 50

    /// The region a drill-down's `region=` names: a child's code or this node's own; refused with
    /// what it must be (a personal ID number given there is masked in the answer).
    func regionFilter(_ region: String) throws -> DivisionCode {
        guard let code = try node.childRegions().filter(region) else {
            throw PortalPages.BadParameter(message: "地区 \(Masking.maskResidentIDs(in: String(region.prefix(20)))) 不是本地区的下级区划。")
        }
        return code
    }

    /// A region or unit said with its code in a report's text: 江岸区（420102000000）; a child that
    /// has given no name, whose name is its tier and code, 乡镇级（420102001000）, not the code twice.
    static func named(_ name: String, _ code: String) -> String {
        "\(name == code ? "" : name.replacingOccurrences(of: " \(code)", with: ""))（\(code)）"
    }

    /// How a page says which region it lists: the name and code (本级 for this node's own level),
    /// or the tier and code of a child that has not yet given its name.
    func regionWords(_ code: DivisionCode) throws -> String {
        if code == node.configuration.code { return "\(node.configuration.name ?? "本级")（\(code.digits)）" }
        return try node.childRegions().label(of: code)
    }

    func records(
        reader: String, now: Date, kind: String?, region: String?, late: Bool, corrected: Bool, number: String? = nil, after: Int64
    ) throws -> RecordsPage {
        var words: [String] = []
        let number = number.map { $0.trimmingCharacters(in: .whitespacesAndNewlines) }.flatMap { $0.isEmpty ? nil : $0 }
        if let number {
            guard number.count <= DocumentNumber.maximumLength else {
                throw PortalPages.BadParameter(message: "文书号过长：最多 \(DocumentNumber.maximumLength) 个字。")
            }
            words.append("文书号 \(Masking.shown(number))")
        }
        var slug: String?
        if let kind, !kind.isEmpty {
            let k = try node.catalogue.kind(named: kind)
            slug = k.slug
            words.append(k.kind.name)
        }
        var prefix: String?
        if let region, !region.isEmpty {
            let code = try regionFilter(region)
            prefix = code.areaPrefix
            words.append(try regionWords(code))
        }
        if late { words.append("迟报") }
        if corrected { words.append("异议后更正") }
        let found = try node.store.operatorRecords(
            kind: slug, areaPrefix: prefix, lateOnly: late, correctedOnly: corrected, number: number, after: after, limit: Self.recordsPerPage + 1)
        let shown = found.prefix(Self.recordsPerPage)
        var kept: [RecordsPage.Kept] = []
        if let slug { kept.append(.init(name: "kind", value: slug)) }
        if let region, prefix != nil { kept.append(.init(name: "region", value: region)) }
        if late { kept.append(.init(name: "late", value: "1")) }
        if corrected { kept.append(.init(name: "corrected", value: "1")) }
        var next: String?
        if found.count > Self.recordsPerPage, let last = shown.last {
            var query = ["after=\(last.id)"] + kept.map { "\($0.name)=\($0.value)" }
            // A number holding an ID number is not carried in a link.
            if let number, let linked = PortalPages.linkedQuery(number) { query.append("number=" + PortalPages.escapePath(linked)) }
            next = "/ops/records?" + query.joined(separator: "&")
        }
        var names: [String: String?] = [:]
        func name(_ code: String) throws -> String? {
            if let known = names[code] { return known }
            let found = try (try? DivisionCode(code)).flatMap(node.divisionName)
            names[code] = .some(found)
            return found
        }
        return RecordsPage(
            head: head(title: "记录明细", reader: reader, now: now), filter: words.isEmpty ? "全部记录" : words.joined(separator: " · "),
            rows: try shown.map { r in
                RecordsPage.Row(
                    key: Masking.maskResidentIDs(in: r.key), number: Self.number(in: r.key), kind: node.resolvedKinds[r.kind]?.kind.name ?? r.kind,
                    subject: r.subject.map { (try? ResidentID($0)) != nil ? Masking.mask($0) : $0 } ?? "",
                    subjectName: Masking.maskResidentIDs(in: r.subjectName ?? ""), jurisdiction: r.jurisdiction,
                    jurisdictionName: try name(r.jurisdiction), decisionDate: r.decisionDate ?? "", deadline: r.deadline ?? "", late: r.late,
                    state: RecordState(rawValue: r.state)?.label ?? r.state, origin: r.origin, originName: try name(r.origin))
            }, next: next, number: number.map(Masking.shown) ?? "", kept: kept)
    }

    /// `/ops/quarantine`: the rows this node refused, for the departments to correct.
    struct QuarantinePage: Sendable, Encodable {
        struct Row: Sendable, Encodable {
            var file: String
            var line: Int
            var kind: String
            var reasons: [String]
            var raw: String
            var receivedAt: String
        }
        var head: Head
        var total: Int
        var shownCount: Int
        var rows: [Row]
        /// Only the rows one ingestion run kept (`?ingest=ID`), and the query that keeps to it.
        var ingest: Int64?
        var ingestQuery: String
    }

    func quarantine(reader: String, now: Date, ingest: Int64? = nil, limit: Int = 200) throws -> QuarantinePage {
        let (rows, total) = try node.store.quarantine(ingestID: ingest, limit: limit)
        return QuarantinePage(
            head: head(title: "校验未通过的行", reader: reader, now: now), total: total, shownCount: rows.count,
            rows: rows.map { r in
                QuarantinePage.Row(
                    file: r.source, line: r.line, kind: node.resolvedKinds[r.kind]?.kind.name ?? r.kind,
                    reasons: r.reasons.map { Masking.maskResidentIDs(in: $0.shown) }, raw: Masking.maskResidentIDs(in: r.raw),
                    receivedAt: PortalPages.readable(ChinaTime.timestamp(r.receivedAt)))
            }, ingest: ingest, ingestQuery: ingest.map { "ingest=\($0)&" } ?? "")
    }

    /// `/ops/work`: what waits for the office.
    struct WorkPage: Sendable, Encodable {
        struct Request: Sendable, Encodable {
            var id: Int64
            /// 异议申诉 or 信用修复申请; `repair` for the latter's form.
            var purpose: String
            var repair: Bool
            var at: String
            var recordKey: String
            /// The record's subject as its record names it (an office finds a case by name), its
            /// kind and the last part of its key (the decision's number for a numbered kind).
            var subject: String
            var kind: String
            var number: String
            var name: String
            var contact: String
            var reason: String
            /// The area a correction moved the record to since the request came (its name and
            /// code): no longer this node's to decide, so the page offers only the refusal, its
            /// reason written to send the person there.
            var movedTo: String?
            var refusal: String
            /// The files that came with it (证明材料), each with its download.
            var evidence: [AttachmentLink]
            var hasEvidence: Bool
        }
        /// A request decided here: what the office answered, and when.
        struct Decided: Sendable, Encodable {
            var id: Int64
            var purpose: String
            var subject: String
            var kind: String
            var number: String
            /// 已受理, 不予受理, 准予修复, 不予修复.
            var state: String
            var decision: String
            var decidedAt: String
        }
        /// An objection open here, with its time limit and the form that closes it.
        struct Objection: Sendable, Encodable {
            /// The record's row: the form's handle on it (the key may hold a person's ID number).
            var id: Int64
            var key: String
            var number: String
            var subject: String
            var kind: String
            var openedOn: String
            var days: Int
            /// 办理时限: the last day for the decision — the assisted one once marked 协查 — and
            /// the assisted one offered while not.
            var due: String?
            var dueAssisted: String?
            var provisional: Bool
            /// Marked for assisted verification (协查): the form to mark it is no longer offered.
            var assisted: Bool
            /// Its publicity ended while the objection was open: still to be decided.
            var publicityEnded: Bool
            /// `within`, `last-day` or `overdue`, said in words and as a badge's class.
            var standing: String
            var standingLabel: String
            var standingClass: String
        }
        /// A repair (信用修复) entered here or received: it must reach every tier and every site
        /// that shows the record (DOMAIN.md: within 1–3 working days).
        struct Repair: Sendable, Encodable {
            var key: String
            var number: String
            var subject: String
            var kind: String
            var date: String
            var notice: String
            var unit: String
            /// Days since it entered the network.
            var days: Int
        }
        var head: Head
        var csrf: String
        var unit: String
        var requests: [Request]
        /// The latest 20 requests decided.
        var decided: [Decided]
        /// The open objections (at most `objectionsShown`), all of them counted.
        var objections: [Objection]
        var objectionCount: Int
        var objectionsPastLimit: Int
        /// The working days the catalogue gives to decide an objection (none: no limit shown).
        var timeLimit: Catalogue.ObjectionTimeLimit?
        var outcomes = OperationsPages.closingOutcomes
        /// The latest repairs (at most 50), newest first.
        var repairs: [Repair]
        var quarantined: Int
        /// 失信举报 still to answer or close, and those past their limit (`/ops/complaints`).
        var complaintsOpen: Int
        var complaintsOverdue: Int
        /// 信易贷 requests still to take up and to answer (`/ops/loans`).
        var loansPending: Int
        var loansContacted: Int
        var error: String?
    }

    /// A decided request as the office's list says it: an objection accepted and since closed
    /// says so, with how (as its requester reads it).
    func decidedState(_ r: ObjectionRequest) throws -> String {
        guard r.purpose == .objection, r.state == "accepted",
            case .closed(let change) = try node.objectionProgress(key: r.recordKey, opening: r.opening)
        else { return PortalPages.requestState(r) }
        return "已受理 · \(change.date.iso) 办结（\(PortalPages.outcomeLabel(change.outcome))）"
    }

    /// How many open objections `/ops/work` lists (oldest first; all are counted).
    static let objectionsShown = 200

    /// The outcomes `/ops/work` closes an objection with (`StatusChange.outcomes` less
    /// `withdrawn`: a record withdrawn is withdrawn, which ends its publicity, not closed).
    struct Outcome: Sendable, Encodable {
        var value: String
        var label: String
    }
    static let closingOutcomes = [
        Outcome(value: "kept", label: "维持：记录无误"),
        Outcome(value: "corrected", label: "更正：已报送更正后的记录"),
    ]

    /// An open objection's standing in words.
    static func standingLabel(_ o: OpenObjection, limit: Catalogue.ObjectionTimeLimit?) -> String {
        guard let limit, o.limits != nil else { return "未设办理时限" }
        let days = o.assisted ? "需协查，\(limit.assisted)" : "\(limit.decide)"
        switch o.standing {
        case .within: return "在办理时限内（\(days) 个工作日）"
        case .lastDay: return "今日到期（\(days) 个工作日）"
        case .overdue: return "已超过 \(days) 个工作日，逾期未办结"
        }
    }

    func work(reader: String, now: Date, csrf: String, error: String? = nil) throws -> WorkPage {
        let today = ChinaTime.date(now)
        let c = node.configuration
        let open = try node.openObjections(today: today)
        let limit = node.catalogue.objectionWorkingDays
        let complaints = try ComplaintDesk(node: node).openCounts(today: today)
        let loans = try node.store.openLoanRequestCounts()
        return WorkPage(
            head: head(title: "待办", reader: reader, now: now), csrf: csrf, unit: "\(c.name ?? c.code.digits)社会信用体系建设牵头部门",
            requests: try ObjectionDesk(node: node).requests().map { r, moved in
                let evidence = try attachmentLinks(of: .request, r.id, under: "/ops/work/requests")
                return WorkPage.Request(
                    id: r.id, purpose: r.purpose.name, repair: r.purpose == .repair,
                    at: PortalPages.readable(milliseconds: r.at),
                    recordKey: Masking.maskResidentIDs(in: r.recordKey), subject: try subjectName(of: r.recordKey),
                    kind: kindName(of: r.recordKey), number: Self.number(in: r.recordKey), name: r.name, contact: r.contact,
                    reason: Masking.maskResidentIDs(in: r.reason), movedTo: moved,
                    refusal: moved.map(ObjectionDesk.movedAwayRefusal) ?? "", evidence: evidence, hasEvidence: !evidence.isEmpty)
            },
            decided: try node.store.decidedRequests(limit: 20).map {
                WorkPage.Decided(
                    id: $0.id, purpose: $0.purpose.name, subject: try subjectName(of: $0.recordKey), kind: kindName(of: $0.recordKey),
                    number: Self.number(in: $0.recordKey), state: try decidedState($0),
                    decision: Masking.maskResidentIDs(in: $0.decision ?? ""),
                    decidedAt: $0.decidedAt.map(PortalPages.readable(milliseconds:)) ?? "")
            },
            objections: try open.prefix(Self.objectionsShown).map {
                WorkPage.Objection(
                    id: $0.rowID, key: Masking.maskResidentIDs(in: $0.key), number: Self.number(in: $0.key), subject: try subjectName(of: $0.key),
                    kind: node.resolvedKinds[$0.kind]?.kind.name ?? $0.kind,
                    openedOn: $0.openedOn?.iso ?? "",
                    days: $0.openedOn.map { today.dayNumber - $0.dayNumber } ?? 0,
                    due: $0.dueBy?.iso, dueAssisted: $0.assisted ? nil : $0.limits?.assisted.iso, provisional: $0.limits?.provisional ?? false,
                    assisted: $0.assisted, publicityEnded: $0.publicityEnded, standing: $0.standing.rawValue,
                    standingLabel: Self.standingLabel($0, limit: limit),
                    standingClass: $0.standing == .within ? "standing-met" : $0.standing == .lastDay ? "standing-at-risk" : "standing-breached")
            },
            objectionCount: open.count, objectionsPastLimit: open.filter(\.pastLimit).count,
            timeLimit: limit,
            repairs: try node.store.statusChanges(action: StatusAction.repaired.rawValue, limit: 50).map {
                WorkPage.Repair(
                    key: Masking.maskResidentIDs(in: $0.recordKey), number: Self.number(in: $0.recordKey), subject: try subjectName(of: $0.recordKey),
                    kind: node.resolvedKinds[$0.kind]?.kind.name ?? $0.kind, date: $0.date,
                    notice: Masking.maskResidentIDs(in: $0.notice), unit: $0.unit,
                    days: Int((ChinaTime.milliseconds(now) - $0.enteredAt) / 86_400_000))
            },
            quarantined: try node.store.quarantinedByKind().values.reduce(0, +), complaintsOpen: complaints.total,
            complaintsOverdue: complaints.standing[.overdue] ?? 0, loansPending: loans.pending, loansContacted: loans.contacted, error: error)
    }

    /// The last part of a record's key — a numbered kind's decision number (仙桃环罚〔2026〕26号),
    /// else the business key that names it — ID numbers in it masked.
    static func number(in key: String) -> String {
        Masking.maskResidentIDs(in: key.split(separator: "|", omittingEmptySubsequences: false).last.map(String.init) ?? key)
    }

    /// The catalogue's name for the kind a record's key begins with.
    func kindName(of key: String) -> String {
        let slug = String(key.prefix { $0 != "|" })
        return node.resolvedKinds[slug]?.kind.name ?? slug
    }

    /// The name a record gives its subject (行政相对人名称), ID numbers in it masked; empty when
    /// this node does not hold the record.
    func subjectName(of key: String) throws -> String {
        guard let record = try node.store.record(key: key), let kind = node.resolvedKinds[record.kind] else { return "" }
        return Masking.maskResidentIDs(in: record.fields[kind.kind.fullCode(kind.kind.subjectName)] ?? "")
    }

    func head(title: String, reader: String?, now: Date) -> Head {
        let c = node.configuration
        return Head(
            title: title, areaName: c.name ?? c.code.digits, code: c.code.digits, tier: "\(c.code.tier.chineseName)级节点", reader: reader,
            today: ChinaTime.date(now).iso)
    }

    /// Kinds in catalogue order, with what the store holds of them.
    func kindColumns(_ counts: [KindJurisdictionCount]) -> [KindColumn] {
        let held = Set(counts.map(\.kind))
        return node.catalogue.kinds.filter { held.contains($0.slug) }.map { KindColumn(slug: $0.slug, name: $0.name) }
    }

    /// Per child region — and this node's own level for records in none of them — records by
    /// kind, late and corrected.
    /// `areas`: the child regions when the caller has read them already (a page of many months).
    func regionRows(_ counts: [KindJurisdictionCount], kinds: [KindColumn], areas given: ChildRegions? = nil) throws -> [RegionRow] {
        let c = node.configuration
        let column = Dictionary(uniqueKeysWithValues: kinds.enumerated().map { ($1.slug, $0) })
        let areas = try given ?? node.childRegions()
        var rows = c.children.map { code in
            RegionRow(
                code: code.digits, name: areas.name(of: code),
                lateLink: "/ops/records?region=\(code.digits)&late=1",
                cells: kinds.map { k in RegionRow.Cell(count: 0, link: "/ops/records?region=\(code.digits)&kind=\(k.slug)") }, total: 0, late: 0,
                corrected: 0, lateRate: "")
        }
        var own = RegionRow(
            code: c.code.digits, name: "本级", lateLink: nil, cells: kinds.map { _ in RegionRow.Cell(count: 0, link: nil) }, total: 0, late: 0,
            corrected: 0, lateRate: "")
        for count in counts {
            guard let k = column[count.kind] else { continue }
            let i = areas.index(of: count.jurisdiction)
            func add(_ row: inout RegionRow) {
                row.cells[k].count += count.records
                row.total += count.records
                row.late += count.late
                row.corrected += count.corrected
            }
            if let i { add(&rows[i]) } else { add(&own) }
        }
        if own.total > 0 { rows.append(own) }
        return rows.map {
            var r = $0; r.lateRate = Self.rate(r.late, of: r.total); return r
        }
    }

    func collection(reader: String, now: Date, days: Int = 30) throws -> CollectionPage {
        let counts = try node.store.recordsByKindAndJurisdiction()
        let kinds = kindColumns(counts)
        let regions = try regionRows(counts, kinds: kinds)
        let quarantined = try node.store.quarantinedByKind().values.reduce(0, +)
        var authorities: [AuthorityRow] = []
        for kind in kinds {
            guard let resolved = node.resolvedKinds[kind.slug], let field = PublicRecord.authorityField(of: resolved) else { continue }
            for a in try node.store.recordsByAuthority(kind: kind.slug, nameField: resolved.kind.fullCode(field), limit: 20) {
                authorities.append(
                    AuthorityRow(
                        kind: kind.name, authority: a.authority.isEmpty ? "（未填）" : a.authority, records: a.records, late: a.late,
                        lateRate: Self.rate(a.late, of: a.records)))
            }
        }
        authorities.sort { ($0.records, $1.kind, $1.authority) > ($1.records, $0.kind, $0.authority) }
        let today = ChinaTime.date(now)
        let first = today.adding(days: -(days - 1))
        let arrivals = Dictionary(try node.store.arrivalsPerDay(since: first).map { ($0.day, $0.records) }, uniquingKeysWith: +)
        let objections = node.catalogue.objectionWorkingDays == nil ? nil : try node.openObjections(today: today)
        let complaints = try ComplaintDesk(node: node).openCounts(today: today)
        let loansPending = try node.store.openLoanRequestCounts().pending
        return CollectionPage(
            head: head(title: "数据归集", reader: reader, now: now),
            totals: Totals(
                records: counts.reduce(0) { $0 + $1.records }, late: counts.reduce(0) { $0 + $1.late },
                corrected: counts.reduce(0) { $0 + $1.corrected },
                quarantined: quarantined),
            kinds: kinds, regions: regions, authorities: Array(authorities.prefix(20)),
            arrivals: Self.chart((0..<days).map { first.adding(days: $0) }.map { ($0, arrivals[$0] ?? 0) }), days: days,
            commitmentsToFollowUp: try CommitmentLedger.compute(node, today: today).map { $0.total.broken + $0.total.overdue },
            governmentCases: try GovernmentIntegrity.compute(node, today: today).cases.count,
            objectionsPastLimit: objections?.filter(\.pastLimit).count, objectionsDueToday: objections?.filter { $0.standing == .lastDay }.count,
            listPending: try ListResponses.totals(node, now: now)?.figures.pending,
            complaintsOpen: complaints.total > 0 ? complaints.total : nil,
            complaintsOverdue: complaints.standing[.overdue].flatMap { $0 > 0 ? $0 : nil },
            loansPending: loansPending > 0 ? loansPending : nil)
    }

    /// How many missing numbers a gap row lists.
    static let missingShown = 20

    func quality(reader: String, now: Date) throws -> QualityPage {
        let (counts, figures, gapsAt) = try QualityFigures.latest(node, now: now)
        let kinds = kindColumns(counts)
        var gaps: [QualityPage.GapRow] = []
        var rows: [RatesRow] = []
        var concealed: [QualityPage.ConcealedRow] = []
        for k in figures {
            // An authority is named as its records name it, its code beside the name.
            let nameField = node.resolvedKinds[k.slug].flatMap { r in PublicRecord.authorityField(of: r).map { r.kind.fullCode($0) } }
            for gap in k.gaps {
                let name = try nameField.flatMap { try node.store.authorityName(kind: k.slug, code: gap.authority, nameField: $0) }
                gaps.append(
                    QualityPage.GapRow(
                        kind: k.name, authority: gap.authority, authorityName: name.flatMap { $0.isEmpty ? nil : $0 }, series: gap.series,
                        year: gap.year, first: gap.first, last: gap.last,
                        reported: gap.reported, missingCount: gap.missing.count,
                        missing: gap.missing.prefix(Self.missingShown).map { "\(gap.series)〔\(gap.year)〕\($0)号" },
                        more: gap.missing.count > Self.missingShown))
            }
            rows.append(
                RatesRow(
                    slug: k.slug, kind: k.name, records: k.records, late: k.late, quarantined: k.quarantined, corrected: k.corrected,
                    suspectedMissing: k.suspectedMissing, concealed: k.concealed.count))
            for w in k.concealed {
                concealed.append(
                    QualityPage.ConcealedRow(
                        kind: k.name, recordKey: Masking.maskResidentIDs(in: w.recordKey), jurisdiction: w.jurisdiction,
                        reason: w.reason.isEmpty ? "（未填）" : Masking.maskResidentIDs(in: w.reason), unit: Masking.maskResidentIDs(in: w.unit),
                        date: w.date))
            }
        }
        let suspected = rows.reduce(0) { $0 + $1.suspectedMissing }
        let total = rows.reduce(0) { $0 + $1.records }
        return QualityPage(
            head: head(title: "数据质量：四率", reader: reader, now: now), kinds: rows, regions: try regionRows(counts, kinds: kinds),
            gaps: gaps, missingRate: Self.rate(suspected, of: total + suspected), suspectedMissing: suspected, concealed: concealed,
            concealedRate: Self.rate(concealed.count, of: total), allowedReasons: (node.catalogue.withdrawalReasons ?? []).joined(separator: "、"),
            gapsAsOf: PortalPages.readable(ChinaTime.timestamp(gapsAt)))
    }

    /// `12.34 %`, or `—` when there is nothing to divide.
    static func rate(_ part: Int, of whole: Int) -> String {
        whole == 0 ? "—" : String(format: "%.2f %%", Double(part) * 100 / Double(whole))
    }

    /// Days as bars, scaled to the busiest day; a tick every seventh day.
    static func chart(_ days: [(day: CivilDate, count: Int)]) -> Chart {
        let width = 720, height = 200, top = 10, baseline = 170, slot = width / max(days.count, 1)
        let peak = max(days.map(\.count).max() ?? 0, 1)
        var bars: [Chart.Bar] = []
        var ticks: [Chart.Tick] = []
        for (i, d) in days.enumerated() {
            let h = d.count == 0 ? 0 : max(1, (baseline - top) * d.count / peak)
            bars.append(Chart.Bar(x: i * slot + 2, y: baseline - h, width: slot - 4, height: h, day: d.day.iso, count: d.count))
            // A tick a week, counted back from the last day.
            if (days.count - 1 - i) % 7 == 0 { ticks.append(Chart.Tick(x: i * slot + slot / 2, label: String(d.day.iso.dropFirst(5)))) }
        }
        return Chart(width: width, height: height, baseline: baseline, max: peak, total: days.reduce(0) { $0 + $1.count }, bars: bars, ticks: ticks)
    }
}
