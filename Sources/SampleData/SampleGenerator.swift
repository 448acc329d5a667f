import CreditDomain

/// One generated row: a value per field of the kind, and the fault planted in it, if any.
public struct SampleRow: Sendable, Hashable {
    public var values: [String]
    public var fault: SampleFault?
}

/// Deterministic, seeded sample records for any catalogue kind: valid credit codes and ID
/// numbers with correct check characters, Chinese names and decision numbers, dates across
/// 2025–2026, and a share of rows made wrong in each way the validator refuses.
/// The same options give the same rows, byte for byte.
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
        var name: String
        var uscc: String
        var abbreviation: String
    }

    public var options: Options
    var rng: SeededRandom
    var serial = 0
    var organisations: [Subject] = []
    var persons: [Subject] = []
    var authorities: [Authority] = []

    public init(_ options: Options) {
        self.options = options
        self.rng = SeededRandom(seed: options.seed)
        let pool = 40
        for _ in 0..<pool { organisations.append(makeOrganisation()) }
        for _ in 0..<(pool / 2) { persons.append(makePerson()) }
        for (name, abbr) in Names.authorities { authorities.append(Authority(name: Names.countyAuthorityPrefix(options.node) + name, uscc: makeUSCC(first: "11"), abbreviation: abbr)) }
    }

    /// The credit codes of the organisations rows are generated about (to query them).
    public var organisationCodes: [String] { organisations.compactMap(\.uscc) }

    /// `count` rows of `kind`.
    public mutating func rows(kind: ResolvedKind, count: Int) -> [SampleRow] {
        (0..<count).map { _ in row(kind: kind) }
    }

    mutating func row(kind: ResolvedKind) -> SampleRow {
        serial += 1
        var fault: SampleFault?
        if rng.chance(options.faultShare) {
            let applicable = SampleFault.allCases.filter { applies($0, to: kind) }
            fault = rng.pick(applicable)
        }
        let needsPerson = fault == .idCheck || fault == .idBirthDate || fault == .conditionalMissing
        let subject = needsPerson || rng.chance(0.15) ? rng.pick(persons) : rng.pick(organisations)
        let authority = rng.pick(authorities)
        let late = rng.chance(options.lateShare)
        let decision = late ? randomDate(from: CivilDate(year: 2025, month: 1, day: 2)!, to: options.asOf.adding(days: -40)) : options.asOf.adding(days: -rng.int(0...3))
        let jurisdiction = options.jurisdictions.isEmpty ? options.node : rng.pick(options.jurisdictions)
        var values = kind.fields.map { field in value(for: field, kind: kind, subject: subject, authority: authority, decision: decision, jurisdiction: jurisdiction) }
        if let fault { plant(fault, in: &values, kind: kind) }
        return SampleRow(values: values, fault: fault)
    }

    func applies(_ fault: SampleFault, to kind: ResolvedKind) -> Bool {
        switch fault {
        case .badAmount: kind.fields.contains { $0.type == .amount }
        case .dateOrder: kind.kind.rules.contains { $0.rule == .notAfter }
        case .futureDate, .badDate: kind.kind.decisionDate != nil
        case .outsideJurisdiction: kind.kind.jurisdiction != nil
        default: true
        }
    }

    // MARK: Values

    mutating func value(for field: FieldSpec, kind: ResolvedKind, subject: Subject, authority: Authority, decision: CivilDate, jurisdiction: DivisionCode) -> String {
        let c = field.code
        switch c {
        case "XDR_MC": return subject.name
        case "XDR_LB": return subject.category
        case "XDR_SHXYM": return subject.uscc ?? ""
        case "FRDB": return subject.representative ?? ""
        case "FR_ZJLX": return subject.representativeID == nil ? "" : "01"
        case "FR_ZJHM": return subject.representativeID ?? ""
        case "XDR_ZJLX": return subject.idNumber == nil ? "" : "身份证"
        case "XDR_ZJHM": return subject.idNumber ?? ""
        case "XZQH": return jurisdiction.digits
        case "WSH": return "\(Names.countyName(options.node))\(authority.abbreviation)\(Names.documentWord[kind.kind.prefix] ?? "决")〔\(decision.year)〕\(serial)号"
        default: break
        }
        if c == kind.kind.decisionDate { return decision.iso }
        switch field.type {
        case .uscc: return authority.uscc
        case .date: return relatedDate(c, decision: decision, prefix: kind.kind.prefix)
        case .year: return String(decision.year)
        case .integer: return String(rng.int(60...120))
        case .amount:
            if c == "NR_FK" { return "\(rng.int(0...49)).\(rng.int(10...99))" }
            return rng.chance(0.2) ? "\(rng.int(0...5)).\(rng.int(10...99))" : ""
        case .commitmentCode:
            let s = String(serial % 1_000_000)
            return options.node.countyPrefix + decision.iso.replacingDashes() + String(repeating: "0", count: 6 - s.count) + s
        case .divisionCode: return jurisdiction.digits
        case .enumeration:
            let values = enumerationValues(field, kind: kind)
            if field.multiple == true {
                let first = rng.pick(values)
                return rng.chance(0.3) ? first + ";" + "罚款" : first
            }
            if c == "ZT" { return "1" }
            if c == "MDZT" { return "有效" }
            return rng.pick(values)
        case .idNumber: return ""
        case .text:
            if c.hasPrefix("XDR_") || c == "BZ" || c == "NR_ZKDX" || c == "YCYY" { return "" }
            if let t = Names.text[kind.kind.prefix + c] ?? Names.text[c] { return rng.pick(t) }
            if c.hasSuffix("JG") || c.hasSuffix("DW") || c == "SJLY" { return authority.name }
            if c == "XKBH" || c == "JFBH" { return "\(options.node.countyPrefix)\(decision.year)\(serial)" }
            return "\(field.name)：\(rng.pick(Names.genericPhrases))"
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
            let i = index("XDR_MC")!
            values[i] = String(repeating: "长", count: (fields[i].maxLength ?? 200) + 1)
        case .outsideJurisdiction:
            values[index(kind.kind.jurisdiction!)!] = options.node.digits.hasPrefix("11") ? "420102002201" : "110101001001"
        }
    }

    // MARK: Subjects

    mutating func makeUSCC(first: String) -> String {
        let alphabet = Array("0123456789ABCDEFGHJKLMNPQRTUWXY".utf8)
        var c = Array(first.utf8) + Array(options.node.countyPrefix.utf8)
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

    mutating func makeOrganisation() -> Subject {
        if rng.chance(0.2) {
            let owner = personName()
            return Subject(name: Names.countyName(options.node) + owner + rng.pick(Names.shopKinds), category: "个体工商户", uscc: makeUSCC(first: "92"), representative: owner, representativeID: makeResidentID())
        }
        let name = Names.countyName(options.node) + rng.pick(Names.tradeNames) + rng.pick(Names.tradeNames2) + rng.pick(Names.industries) + rng.pick(["有限公司", "有限责任公司", "股份有限公司"])
        return Subject(name: name, category: "法人及非法人组织", uscc: makeUSCC(first: "91"), representative: personName(), representativeID: makeResidentID())
    }

    mutating func makePerson() -> Subject {
        Subject(name: personName(), category: "自然人", idNumber: makeResidentID())
    }
}

extension String {
    fileprivate func replacingDashes() -> String { String(filter { $0 != "-" }) }
}
