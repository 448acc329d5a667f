import CreditDomain
import Foundation

/// One generated row: a value per field of the kind, and the fault planted in it, if any.
public struct SampleRow: Sendable, Hashable {
    public var values: [String]
    public var fault: SampleFault?

    public init(values: [String], fault: SampleFault? = nil) {
        self.values = values
        self.fault = fault
    }
}

/// Deterministic, seeded sample records for any catalogue kind: valid credit codes and ID
/// numbers with correct check characters, Chinese names and decision numbers, dates across
/// 2025–2026, and a share of rows made wrong in each way the validator refuses.
/// The same options give the same rows, byte for byte.
///
/// Subjects are drawn as in life: a population that grows with the rows (one subject per five
/// rows generated, at least 60) — about 45 % companies, 35 % 个体工商户 and 20 % natural persons —
/// and a Zipf–Mandelbrot draw over it (P(rank r) ∝ 1 / (r + q), q = population / 1000, at least
/// 10 in a population of 200 or more), so most
/// subjects have one or two records and the busiest some hundreds, at any scale (`subjectDraw`).
/// Each subject depends only on the seed and its rank.
public struct SampleGenerator: Sendable {
    public struct Options: Sendable {
        public var seed: UInt64
        /// The ingesting node: subjects and authorities are registered in its county.
        public var node: DivisionCode
        /// The day the rows are meant to be ingested: decisions are on or before it.
        public var asOf: CivilDate
        /// Share of rows with a fault.
        public var faultShare: Double = 0.1
        /// Share of good rows whose decision is old enough to be late (迟报).
        public var lateShare: Double = 0.1
        /// Jurisdictions to spread records over (default: the node itself).
        public var jurisdictions: [DivisionCode] = []
        /// A fixed number of subjects; nil: one per five rows generated (at least 60).
        public var subjects: Int?

        public init(seed: UInt64, node: DivisionCode, asOf: CivilDate) {
            self.seed = seed
            self.node = node
            self.asOf = asOf
        }
    }

    struct Subject: Sendable {
        var name: String
        var category: String
        var uscc: String?
        var idNumber: String?
        var representative: String?
        var representativeID: String?
    }

    struct Authority: Sendable {
        /// Its name in `Names.authorities` or `Names.makers` (without the county).
        var key: String = ""
        var name: String
        var uscc: String
        var abbreviation: String
    }

    public var options: Options
    var rng: SeededRandom
    var serial = 0
    /// How many subjects rows are drawn from now.
    public private(set) var population: Int
    var authorities: [Authority] = []
    /// Who keeps each list (`Names.ListName.maker`): the court and the tax bureau, made from a
    /// stream of their own, and the authorities above by name.
    var makers: [String: Authority] = [:]
    /// The list the row being generated puts its subject on (`Names.lists`), for a list kind.
    var rowList: Names.ListName?
    /// The penalty row's case (`Names.penaltyCases`) and its 处罚类别 once drawn.
    var rowCase: Names.PenaltyCase?
    /// The licence row's certificate and content (`Names.licences`).
    var rowLicence: (certificate: String, content: String)?
    /// The commitment row's matter and type (`Names.commitments`), and whom it binds.
    var rowCommitment: (matter: String, type: String, person: Bool)?
    /// The row's 信易+ scenario (kind `incentive`).
    var rowIncentive: Names.Incentive?
    /// The row's 信用动态 article (kind `news`).
    var rowArticle: Names.Article?
    /// The feedback row's class (守信激励 or not) and whether its measure was applied.
    var rowFeedback: (reward: Bool, applied: Bool) = (false, true)
    /// The row's 信用积分, which its 信用户等级 follows.
    var rowPoints: Int?
    /// The row's decision date, for what depends on its age (履约情况).
    var rowDecision: CivilDate?
    var rowPenalties: [String] = []
    /// The last document number (文号) each authority gave a kind's decisions of a year: offices
    /// number them one by one, so that a gap is a decision suspected never reported.
    var documentNumbers: [String: Int] = [:]

    public init(_ options: Options) {
        self.options = options
        self.rng = SeededRandom(seed: options.seed)
        self.population = options.subjects ?? 60
        for (name, abbr) in Names.authorities {
            authorities.append(
                Authority(key: name, name: Names.authorityName(name, node: options.node), uscc: makeUSCC(first: "11"), abbreviation: abbr))
            makers[name] = authorities.last
        }
        // Their own stream: the rows' draws stay what they were before lists had makers.
        var own = SeededRandom(seed: options.seed ^ 0x4C49_5354_4D4B_5253)
        for m in Names.makers {
            makers[m.key] = Authority(
                key: m.key, name: Names.makerName(m.name, node: options.node),
                uscc: Self.uscc(first: "11", county: options.node.countyPrefix, rng: &own),
                abbreviation: m.abbreviation)
        }
    }

    /// Takes `other`'s bodies — the authorities' and list keepers' names and credit codes, and
    /// the numbers they last gave — so that the nodes of one county report the decisions of one
    /// set of departments, each numbering its decisions in one series. The rows' own draws are
    /// unchanged.
    public mutating func adoptBodies(of other: SampleGenerator) {
        authorities = other.authorities
        makers = other.makers
        documentNumbers = other.documentNumbers
    }

    /// The credit codes of the organisations among the busiest subjects (to query them).
    public var organisationCodes: [String] {
        var copy = self
        return (0..<min(population, 40)).compactMap { copy.subject(rank: $0).uscc }
    }

    /// `count` rows of `kind`. Without a fixed number of subjects, the population first grows to
    /// one subject per five rows generated by the end of this call.
    public mutating func rows(kind: ResolvedKind, count: Int) -> [SampleRow] {
        if options.subjects == nil { population = max(population, (serial + count) / 5) }
        return (0..<count).map { _ in row(kind: kind) }
    }

    /// A subject's rank, drawn Zipf–Mandelbrot over the population: rank r with probability
    /// ∝ 1 / (r + q), q = max(population / 1000, min(population / 20, 10)), by inverting its
    /// continuous distribution: the busiest subject has under 1 % of the rows at scale.
    mutating func subjectDraw() -> Int {
        let n = Double(population)
        let q = max(n / 1000, min(n / 20, 10))
        let r = q * (pow(1 + n / q, rng.unit()) - 1)
        return min(population - 1, max(0, Int(r)))
    }

    /// The subject at `rank`: a function of the seed and the rank alone.
    mutating func subject(rank: Int) -> Subject {
        let saved = rng
        defer { rng = saved }
        // The rank's own stream starts at a hash of (seed, rank): streams of neighbouring ranks
        // must not overlap (SplitMix streams seeded one step apart would share their draws).
        var mix = SeededRandom(seed: (options.seed ^ 0x5EED_5EED_5EED_5EED) &+ UInt64(rank) &* 0xD1B5_4A32_D192_ED03)
        rng = SeededRandom(seed: mix.next())
        let u = rng.unit()
        if u < 0.45 { return makeCompany() }
        if u < 0.80 { return makeIndividualBusiness() }
        return makePerson()
    }

    mutating func row(kind: ResolvedKind) -> SampleRow {
        serial += 1
        rowList = nil
        rowCase = nil
        rowPenalties = []
        rowLicence = nil
        rowCommitment = nil
        rowIncentive = nil
        rowArticle = nil
        rowFeedback = (false, true)
        rowPoints = nil
        var fault: SampleFault?
        if rng.chance(options.faultShare) {
            let applicable = SampleFault.allCases.filter { applies($0, to: kind) }
            fault = rng.pick(applicable)
        }
        let needsPerson = fault == .idCheck || fault == .idBirthDate || fault == .conditionalMissing
        var subject = subject(rank: subjectDraw())
        if needsPerson && subject.idNumber == nil {
            // The fault needs a natural person: the drawn entity's legal representative is one.
            subject = Subject(name: subject.representative ?? personName(), category: "自然人", idNumber: subject.representativeID ?? makeResidentID())
        }
        // A 新旧代码对照 maps an organisation's or a business's codes: never a person's.
        if kind.kind.prefix == "DM_", subject.uscc == nil { subject = makeIndividualBusiness() }
        var authority = rng.pick(authorities)
        if let lists = Names.lists[kind.kind.prefix] {
            // A list entry: the list (one that takes the subject) and so who decided it, drawn
            // from the row's own stream.
            var own = rowStream(0x4C49_5354)
            let list = own.pick(lists.filter { $0.categories.contains(subject.category) })
            rowList = list
            if let maker = list.maker.flatMap({ makers[$0] }) { authority = maker }
        }
        if kind.kind.prefix == "CF_", let cases = Names.penaltyCases[authority.key] {
            // A penalty: a case the deciding authority handles, from the row's own stream.
            var own = rowStream(0x4341_5345)
            rowCase = own.pick(cases)
        }
        if kind.kind.prefix == "XK_", let granted = Names.licences[authority.key] {
            var own = rowStream(0x4C49_4345)
            rowLicence = own.pick(granted)
        }
        if kind.kind.prefix == "XY_" {
            // A 信易+ scenario: its name, class, beneficiaries and content together.
            var own = rowStream(0x5849_4E59)
            rowIncentive = own.pick(Names.incentives)
        }
        if kind.kind.prefix == "DT_" {
            // A 信用动态 article: its column, title, text and source together.
            var own = rowStream(0x4E45_5753)
            rowArticle = own.pick(Names.articles)
        }
        if kind.kind.prefix == "CN_" {
            // A commitment: its matter and type together, from the row's own stream.
            var own = rowStream(0x434F_4D4D)
            let c = own.pick(Names.commitments)
            rowCommitment = (c.matter, c.type, subject.category == "自然人")
        }
        let late = rng.chance(options.lateShare)
        // Most decisions are reported within days, a share late; commitments, which have no
        // deadline, accumulate over the year (one draw either way: the stream stays as it was).
        let decision =
            late
            ? randomDate(from: CivilDate(year: 2025, month: 1, day: 2)!, to: options.asOf.adding(days: -40))
            : kind.kind.fulfilment != nil
                ? randomDate(from: options.asOf.adding(days: -364), to: options.asOf) : options.asOf.adding(days: -rng.int(0...3))
        let jurisdiction = options.jurisdictions.isEmpty ? options.node : rng.pick(options.jurisdictions)
        rowDecision = decision
        var values = kind.fields.map { field in
            value(for: field, kind: kind, subject: subject, authority: authority, decision: decision, jurisdiction: jurisdiction)
        }
        if let fault { plant(fault, in: &values, kind: kind) }
        return SampleRow(values: values, fault: fault)
    }

    /// A stream of the row's own for one choice (`salt` names it): drawing from it leaves the
    /// generator's stream, and so every other value of the seed, as it was.
    func rowStream(_ salt: UInt64) -> SeededRandom {
        SeededRandom(seed: (options.seed ^ salt) &+ UInt64(serial) &* 0x9E37_79B9_7F4A_7C15)
    }

    func applies(_ fault: SampleFault, to kind: ResolvedKind) -> Bool {
        switch fault {
        case .badAmount: kind.fields.contains { $0.type == .amount }
        case .dateOrder: kind.kind.rules.contains { $0.rule == .notAfter }
        case .futureDate, .badDate: kind.kind.decisionDate != nil
        case .outsideJurisdiction: kind.kind.jurisdiction != nil
        // Only a kind whose subject may be a person has an ID number to spoil (not a 信易+ 场景,
        // about no subject, nor a 新旧代码对照, about organisations).
        case .idCheck, .idBirthDate, .conditionalMissing: kind.kind.subjectCode.contains("XDR_ZJHM")
        default: true
        }
    }

    // MARK: Values

    mutating func value(
        for field: FieldSpec, kind: ResolvedKind, subject: Subject, authority: Authority, decision: CivilDate, jurisdiction: DivisionCode
    ) -> String {
        let c = field.code
        switch c {
        case "XDR_MC": return subject.name
        case "XDR_LB": return subject.category
        case "XDR_SHXYM": return subject.uscc ?? ""
        // 新旧代码对照: the registration number and organisation code the credit code replaced.
        case "XDR_GSZC" where kind.kind.prefix == "DM_": return subject.uscc.map(Self.registrationNumber(of:)) ?? ""
        case "XDR_ZZJG" where kind.kind.prefix == "DM_": return subject.uscc.map { String(Array($0)[8..<17]) } ?? ""
        case "FRDB": return subject.representative ?? ""
        case "FR_ZJLX": return subject.representativeID == nil ? "" : "01"
        case "FR_ZJHM": return subject.representativeID ?? ""
        case "XDR_ZJLX": return subject.idNumber == nil ? "" : "身份证"
        case "XDR_ZJHM": return subject.idNumber ?? ""
        case "XZQH": return jurisdiction.digits
        case "WSH":
            let series = "\(Names.countyName(options.node))\(authority.abbreviation)\(Names.documentWord[kind.kind.prefix] ?? "决")"
            let number = documentNumbers["\(authority.uscc) \(series) \(decision.year)", default: 0] + 1
            documentNumbers["\(authority.uscc) \(series) \(decision.year)"] = number
            return "\(series)〔\(decision.year)〕\(number)号"
        default: break
        }
        if c == kind.kind.decisionDate { return decision.iso }
        switch field.type {
        case .uscc: return authority.uscc
        case .date: return relatedDate(c, decision: decision, prefix: kind.kind.prefix)
        case .year: return String(decision.year)
        case .integer:
            let n = rng.int(60...120)
            if c == "JFZ" { rowPoints = n }
            return String(n)
        case .amount:
            let amount = c == "NR_FK" ? "\(rng.int(0...49)).\(rng.int(10...99))" : rng.chance(0.2) ? "\(rng.int(0...5)).\(rng.int(10...99))" : ""
            // A penalty names an amount only for the 处罚类别 that have one.
            if rowCase != nil {
                if c == "NR_FK", !rowPenalties.contains("罚款") { return "" }
                if c == "NR_WFFF", !rowPenalties.contains(where: { $0.hasPrefix("没收") }) { return "" }
            }
            return amount
        case .commitmentCode:
            // Numbered one by one per day in the county (shared with `adoptBodies`, like 文号): two
            // nodes of a county never give one code to two commitments.
            let day = decision.iso.replacingDashes()
            let number = documentNumbers["CN \(options.node.countyPrefix) \(day)", default: 0] + 1
            documentNumbers["CN \(options.node.countyPrefix) \(day)"] = number
            let s = String(number % 1_000_000)
            return options.node.countyPrefix + day + String(repeating: "0", count: 6 - s.count) + s
        case .divisionCode: return jurisdiction.digits
        case .enumeration:
            let values = enumerationValues(field, kind: kind)
            if field.multiple == true {
                var first = rng.pick(values)
                let alsoFine = rng.chance(0.3)
                if c == "CFLB" {
                    let instead = subject.category == "自然人" ? Names.organisationOnlyPenalties : Names.personOnlyPenalties
                    first = instead[first] ?? first
                    rowPenalties = alsoFine && first != "罚款" ? [first, "罚款"] : [first]
                    return rowPenalties.joined(separator: ";")
                }
                return alsoFine ? first + ";" + "罚款" : first
            }
            if c == "ZT" { return "1" }
            // 联合奖惩执行反馈: mostly punishments, one in ten not applied (with why, in 备注).
            if c == "JCLB" {
                rowFeedback.reward = rng.chance(0.2)
                return rowFeedback.reward ? "守信激励" : "失信惩戒"
            }
            if c == "ZXJG" {
                rowFeedback.applied = !rng.chance(0.1)
                return rowFeedback.applied ? "已实施" : "未实施"
            }
            if c == "MDZT" { return "有效" }
            if c == "LM", let article = rowArticle {
                _ = rng.next()
                return article.column
            }
            if c == "JLLB", let scenario = rowIncentive {
                _ = rng.next()
                return scenario.category
            }
            if let commitment = rowCommitment, c == "CNLX" || c == "LYQK" {
                let draw = rng.next() % 100
                // A commitment is of its matter's type; whether it was kept is known only later (a
                // quarter on): most kept in full, a few partly or not at all, a few never checked.
                if c == "CNLX" { return commitment.type }
                guard (rowDecision.map { options.asOf.dayNumber - $0.dayNumber } ?? 0) >= 90 else { return "" }
                switch draw {
                case 0..<4: return "全部未履行"
                case 4..<10: return "部分履行"
                case 10..<14: return ""
                default: return "全部履行"
                }
            }
            return rng.pick(values)
        case .idNumber: return ""
        case .text:
            if let text = feedbackText(c, kind: kind, decision: decision) ?? caseText(c, kind: kind, subject: subject, decision: decision) {
                return text
            }
            if c.hasPrefix("XDR_") || c == "BZ" || c == "NR_ZKDX" || c == "YCYY" { return "" }
            if let text = listText(c) ?? penaltyText(c) ?? commitmentText(c) ?? incentiveText(c) ?? articleText(c) { return text }
            if c == "JLMC", let names = Names.rewards[subject.category] { return rng.pick(names) }
            // 信用户等级 follows the row's points: under 80 the household is rated no 信用户 at all.
            if c == "JFDJ", let points = rowPoints { return Names.creditHouseholdLevel(points: points) }
            if let t = Names.text[kind.kind.prefix + c] ?? Names.text[c] { return rng.pick(t) }
            if c.hasSuffix("JG") || c.hasSuffix("DW") || c == "SJLY" { return authority.name }
            if c == "XKBH" || c == "JFBH" || c == "CJBH" || c == "GJBH" { return "\(options.node.countyPrefix)\(decision.year)\(serial)" }
            return "\(field.name)：\(rng.pick(Names.genericPhrases))"
        }
    }

    /// A list entry's name, reason, basis or measures, all of the row's list (`rowList`, drawn
    /// with who decided it in `row(kind:)`): no person on a list of enterprises, no reason or
    /// basis of another list. One draw per field, as for any text (名单名称's is not used).
    mutating func listText(_ code: String) -> String? {
        guard ["MDMC", "LRYY", "RDYJ", "CJCS", "JLCS"].contains(code), let list = rowList else { return nil }
        switch code {
        case "MDMC":
            _ = rng.next()
            return list.name
        case "LRYY": return rng.pick(list.reasons)
        case "RDYJ": return list.bases.isEmpty ? nil : rng.pick(list.bases)
        default: return rng.pick(list.measures)
        }
    }

    /// A 联合奖惩执行反馈's number, list, matter, measure and (when not applied) why, of the row's
    /// class. One draw per field, as for any text.
    mutating func feedbackText(_ code: String, kind: ResolvedKind, decision: CivilDate) -> String? {
        guard kind.kind.prefix == "FK_", ["FKBH", "YJMD", "BLSX", "CQCS", "BZ"].contains(code) else { return nil }
        let reward = rowFeedback.reward
        switch code {
        case "FKBH":
            _ = rng.next()
            return "FK\(options.node.countyPrefix)\(decision.iso.replacingDashes())\(serial)"
        case "YJMD": return rng.pick(reward ? Names.feedbackRewardLists : Names.feedbackSanctionLists)
        case "BLSX": return rng.pick(Names.feedbackMatters)
        case "CQCS": return rng.pick(reward ? Names.feedbackIncentives : Names.feedbackSanctions)
        default:
            _ = rng.next()
            return rowFeedback.applied ? "" : "办理时该主体已被移出名单，未采取措施"
        }
    }

    /// A 联合奖惩典型案例's number, title, list, summary and measures, of the row's class (its
    /// 奖惩类别 is drawn before the list and the summary). One draw per field, as for any text.
    mutating func caseText(_ code: String, kind: ResolvedKind, subject: Subject, decision: CivilDate) -> String? {
        guard kind.kind.prefix == "AL_", ["ALBH", "ALBT", "YJMD", "ALZY", "CQCS", "GLFKBH", "BZ"].contains(code) else { return nil }
        let reward = rowFeedback.reward
        switch code {
        case "YJMD": return rng.pick(reward ? Names.feedbackRewardLists : Names.feedbackSanctionLists)
        case "CQCS": return rng.pick(reward ? Names.feedbackIncentives : Names.feedbackSanctions)
        default:
            _ = rng.next()
            switch code {
            case "ALBH": return "AL\(options.node.countyPrefix)\(decision.year)\(serial)"
            case "ALBT": return "\(subject.name)联合奖惩案例"
            case "ALZY":
                return reward
                    ? "\(subject.name)守信表现良好，相关单位在办理行政事项时依法给予激励，为守信主体提供便利。"
                    : "\(subject.name)列入失信名单，相关单位在办理行政事项时依法实施联合惩戒，形成“一处失信、处处受限”的约束。"
            default: return ""
            }
        }
    }

    /// A 信易+ scenario's name, beneficiaries, content and how to apply, all of the row's scenario.
    /// One draw per field, as for any text (not used).
    mutating func incentiveText(_ code: String) -> String? {
        guard let s = rowIncentive, ["CJMC", "SYDX", "NR", "BLFS"].contains(code) else { return nil }
        _ = rng.next()
        switch code {
        case "CJMC": return s.name
        case "SYDX": return s.beneficiaries
        case "NR": return s.content
        default: return s.howTo
        }
    }

    /// A 信用动态 article's title, text (paragraphs on lines of their own) and — for a
    /// 政策法规 article — 文号, the county's name put in. One draw per field, as for any text.
    mutating func articleText(_ code: String) -> String? {
        guard let a = rowArticle, ["BT", "ZW", "LY", "WH"].contains(code) else { return nil }
        // Written by the publisher itself: no other source.
        if code == "LY" { return "" }
        _ = rng.next()
        let county = Names.countyName(options.node)
        let named = { (s: String) in s.replacingOccurrences(of: "{县}", with: county) }
        switch code {
        case "BT": return named(a.title)
        case "ZW": return a.paragraphs.map(named).joined(separator: "\n")
        default: return a.column == "政策法规" ? "\(county)信用办发〔\(rowDecision?.year ?? options.asOf.year)〕\(serial)号" : ""
        }
    }

    /// A commitment's matter, and its text in the words of whom it binds (本人 / 本单位). One draw
    /// per field, as for any text (not used).
    mutating func commitmentText(_ code: String) -> String? {
        guard let c = rowCommitment, code == "CNSX" || code == "CNNR" else { return nil }
        _ = rng.next()
        if code == "CNSX" { return c.matter }
        return (c.person ? Names.text["CNNR_自然人"] : Names.text["CNNR"])?.first
    }

    /// A penalty's 违法行为类型, 违法事实 and 处罚依据 from the row's case, and its 处罚内容 from
    /// its 处罚类别; a licence's certificate and content from what its authority grants. One
    /// draw per field, as for any text (not used).
    mutating func penaltyText(_ code: String) -> String? {
        if let l = rowLicence, code == "XKZS" || code == "NR" {
            _ = rng.next()
            return code == "XKZS" ? l.certificate : l.content
        }
        guard let c = rowCase, ["WFXW", "SY", "YJ", "NR"].contains(code) else { return nil }
        _ = rng.next()
        switch code {
        case "WFXW": return c.violation
        case "SY": return c.facts
        case "YJ": return c.basis
        default:
            let phrases = rowPenalties.compactMap { Names.penaltyContent[$0] }
            guard let first = phrases.first else { return "责令改正" }
            return phrases.count > 1 ? first + "，并处罚款" : first
        }
    }

    func enumerationValues(_ field: FieldSpec, kind: ResolvedKind) -> [String] {
        kind.enumerationValues(of: field.code)
    }

    func relatedDate(_ code: String, decision: CivilDate, prefix: String) -> String {
        switch code {
        // 有效期自 of a licence; elsewhere YXQZ is 有效期至 (a listing or grade in force for years).
        case "YXQZ" where prefix == "XK_": return decision.iso
        case "YXQZ": return decision.adding(days: 365 * 2).iso
        case "YXQZI": return decision.adding(days: 365 * 3).iso
        case "YXQ": return decision.adding(days: 365).iso
        case "GSJZQ": return decision.adding(days: 365 * 3).iso
        case "GZRQ": return decision.adding(days: -15).iso
        case "YCRQ": return ""
        default: return decision.adding(days: 365).iso
        }
    }

    mutating func randomDate(from: CivilDate, to: CivilDate) -> CivilDate {
        guard to > from else { return from }
        return CivilDate(dayNumber: rng.int(from.dayNumber...to.dayNumber))
    }

    // MARK: Faults

    mutating func plant(_ fault: SampleFault, in values: inout [String], kind: ResolvedKind) {
        let fields = kind.fields
        func index(_ code: String) -> Int? { kind.index[code] }
        let authorityUSCC = fields.indices.first { fields[$0].type == .uscc && fields[$0].code != "XDR_SHXYM" && fields[$0].required }!
        switch fault {
        case .missingRequired:
            let required = fields.indices.filter { fields[$0].required }
            values[rng.pick(required)] = ""
        case .usccCheck:
            var c = Array(values[authorityUSCC].utf8)
            let alphabet = Array("0123456789ABCDEFGHJKLMNPQRTUWXY".utf8)
            let at = alphabet.firstIndex(of: c[17])!
            c[17] = alphabet[(at + 1 + rng.int(0...29)) % 31]
            values[authorityUSCC] = String(decoding: c, as: UTF8.self)
        case .usccOrganisationCheck:
            var c = Array(values[authorityUSCC].utf8)
            let right = c[16]
            let options = Array("0123456789X".utf8).filter { $0 != right }
            c[16] = rng.pick(options)
            c[17] = SocialCreditCode.checkCharacter(Array(c[0..<17]))
            values[authorityUSCC] = String(decoding: c, as: UTF8.self)
        case .usccForbiddenLetter:
            var c = Array(values[authorityUSCC].utf8)
            c[9] = rng.pick(Array("IOSVZ".utf8))
            values[authorityUSCC] = String(decoding: c, as: UTF8.self)
        case .usccLength:
            values[authorityUSCC] = String(values[authorityUSCC].dropLast(rng.int(1...3)))
        case .usccLettersInDivision:
            var c = Array(values[authorityUSCC].utf8)
            c[rng.int(2...7)] = rng.pick(Array("ABCDEF".utf8))
            values[authorityUSCC] = String(decoding: c, as: UTF8.self)
        case .idCheck:
            let i = index("XDR_ZJHM")!
            var c = Array(values[i].utf8)
            let checks = Array("0123456789X".utf8).filter { $0 != c[17] }
            c[17] = rng.pick(checks)
            values[i] = String(decoding: c, as: UTF8.self)
        case .idBirthDate:
            let i = index("XDR_ZJHM")!
            var c = Array(values[i].utf8)
            c[10] = UInt8(ascii: "1")
            c[11] = UInt8(ascii: "3")  // month 13
            c[17] = ResidentID.checkCharacter(Array(c[0..<17]))
            values[i] = String(decoding: c, as: UTF8.self)
        case .badDate:
            values[index(kind.kind.decisionDate!)!] = rng.pick(["2025-02-30", "2025年13月1日", "去年五月", "2025/04/31"])
        case .futureDate:
            let future = options.asOf.adding(days: rng.int(5...20))
            for (i, f) in fields.enumerated() where f.type == .date && !values[i].isEmpty {
                values[i] = f.code == kind.kind.decisionDate ? future.iso : relatedDate(f.code, decision: future, prefix: kind.kind.prefix)
            }
        case .badEnumeration:
            let i = fields.indices.first { fields[$0].type == .enumeration && fields[$0].required && fields[$0].code != "XDR_LB" } ?? index("XDR_LB")!
            values[i] = "未列明类别"
        case .badAmount:
            let i = fields.indices.first { fields[$0].type == .amount }!
            values[i] = rng.pick(["1,000元", "-3", "五万", "0.1234567"])
        case .conditionalMissing:
            values[index("XDR_ZJHM")!] = ""
        case .dateOrder:
            let rule = kind.kind.rules.first { $0.rule == .notAfter && values[index($0.fields[0])!] != "" && values[index($0.fields[1])!] != "" }!
            let a = index(rule.fields[0])!
            let b = index(rule.fields[1])!
            let earlier = CivilDate.parse(values[a])!.adding(days: -rng.int(1...30))
            values[b] = earlier.iso
        case .tooLong:
            let i = index(kind.kind.subjectName)!
            values[i] = String(repeating: "长", count: (fields[i].maxLength ?? 200) + 1)
        case .outsideJurisdiction:
            values[index(kind.kind.jurisdiction!)!] = options.node.digits.hasPrefix("11") ? "420102002201" : "110101001001"
        }
    }

    // MARK: Subjects

    mutating func makeUSCC(first: String) -> String { Self.uscc(first: first, county: options.node.countyPrefix, rng: &rng) }

    /// A valid unified social credit code registered in `county`.
    static func uscc(first: String, county: String, rng: inout SeededRandom) -> String {
        let alphabet = Array("0123456789ABCDEFGHJKLMNPQRTUWXY".utf8)
        var c = Array(first.utf8) + Array(county.utf8)
        var body: [UInt8] = []
        for k in 0..<8 { body.append(k < 2 && rng.chance(0.5) ? alphabet[rng.int(10...30)] : alphabet[rng.int(0...9)]) }
        c += body
        c.append(SocialCreditCode.organisationCheckCharacter(body))
        c.append(SocialCreditCode.checkCharacter(c))
        return String(decoding: c, as: UTF8.self)
    }

    mutating func makeResidentID() -> String {
        let birth = randomDate(from: CivilDate(year: 1950, month: 1, day: 1)!, to: CivilDate(year: 2004, month: 12, day: 31)!)
        let s = String(rng.int(1...999))
        var c = Array((options.node.countyPrefix + birth.iso.replacingDashes() + String(repeating: "0", count: 3 - s.count) + s).utf8)
        c.append(ResidentID.checkCharacter(c))
        return String(decoding: c, as: UTF8.self)
    }

    mutating func personName() -> String {
        rng.pick(Names.surnames) + (rng.chance(0.5) ? rng.pick(Names.givenNames) : rng.pick(Names.givenCharacters) + rng.pick(Names.givenCharacters))
    }

    /// A 15-digit 工商注册号 standing for the one a credit code replaced: the registering
    /// division's six digits, then nine derived from the code (the same code, the same number).
    static func registrationNumber(of uscc: String) -> String {
        var n: UInt64 = 0
        for b in uscc.utf8 { n = (n &* 131 &+ UInt64(b)) % 1_000_000_000 }
        let digits = String(n)
        return String(uscc.dropFirst(2).prefix(6)) + String(repeating: "0", count: 9 - digits.count) + digits
    }

    mutating func makeIndividualBusiness() -> Subject {
        let owner = personName()
        return Subject(
            name: Names.countyName(options.node) + owner + rng.pick(Names.shopKinds), category: "个体工商户", uscc: makeUSCC(first: "92"),
            representative: owner, representativeID: makeResidentID())
    }

    mutating func makeCompany() -> Subject {
        let name =
            Names.countyName(options.node) + rng.pick(Names.tradeNames) + rng.pick(Names.tradeNames2) + rng.pick(Names.industries)
            + rng.pick(["有限公司", "有限责任公司", "股份有限公司"])
        return Subject(
            name: name, category: "法人及非法人组织", uscc: makeUSCC(first: "91"), representative: personName(), representativeID: makeResidentID())
    }

    mutating func makePerson() -> Subject {
        Subject(name: personName(), category: "自然人", idNumber: makeResidentID())
    }
}

extension String {
    fileprivate func replacingDashes() -> String { String(filter { $0 != "-" }) }
}
