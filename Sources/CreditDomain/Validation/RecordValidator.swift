/// What a validator needs to know about where and when it runs.
public struct ValidationContext: Sendable {
    /// The ingesting node: records must lie inside its area.
    public var node: DivisionCode
    /// Today in China Standard Time: decision dates after it are refused, deadlines before it are late.
    public var today: CivilDate
    public var calendar: WorkingCalendar

    public init(node: DivisionCode, today: CivilDate, calendar: WorkingCalendar) {
        self.node = node
        self.today = today
        self.calendar = calendar
    }
}

/// The outcome of validating one row.
public enum Validation: Sendable {
    case valid(ValidatedRecord)
    case invalid([ValidationIssue])
}

/// Validates and normalises rows of one kind. Input values are given per field index of
/// `ResolvedKind.fields`; an empty string means the field is absent.
public struct RecordValidator: Sendable {
    public let kind: ResolvedKind
    public let context: ValidationContext
    private var deadlines: [Int: Result<Deadline, CalendarError>] = [:]
    private let fullCodes: [String]
    private let jsonKeys: [String]
    private let labels: [String]
    /// The fields' Chinese names, for the Chinese words of an issue.
    private let names: [String]
    private let plans: [FieldPlan]
    private let rules: [RulePlan]
    private let idNumberFields: [Int]
    /// Reused between rows so that building a record's JSON allocates once.
    private var jsonBuffer: [UInt8] = []

    /// What checking one field's value needs, laid out once: reading a `FieldSpec` out of the
    /// kind for every value copied (and retained) all its strings.
    private struct FieldPlan {
        let type: FieldType
        let required: Bool
        let maxLength: Int?
        let multiple: Bool
    }

    /// A cross-field rule with its fields resolved to indices (the catalogue checked they exist).
    private struct RulePlan {
        let rule: FieldRule.Kind
        let field: Int?
        let allowed: [String]?
        let targets: [Int]
    }

    public init(kind: ResolvedKind, context: ValidationContext) {
        self.kind = kind
        self.context = context
        self.fullCodes = kind.fullCodes
        self.jsonKeys = fullCodes.map { "\"\($0)\":" }
        self.labels = zip(fullCodes, kind.fields).map { "\($0) (\($1.name))" }
        self.names = kind.fields.map(\.name)
        self.plans = kind.fields.map { FieldPlan(type: $0.type, required: $0.required, maxLength: $0.maxLength, multiple: $0.multiple == true) }
        self.rules = kind.kind.rules.map { r in
            RulePlan(rule: r.rule, field: r.field.map { kind.index[$0]! }, allowed: r.in, targets: r.fields.map { kind.index[$0]! })
        }
        self.idNumberFields = kind.fields.indices.filter { kind.fields[$0].type == .idNumber }
    }

    /// Validates one row; returns the normalised record or every issue found.
    public mutating func validate(_ raw: [String]) -> Validation {
        precondition(raw.count == kind.fields.count, "row must have one value per catalogue field")
        var issues: [ValidationIssue] = []
        var values = raw
        for i in values.indices {
            let v = values[i].trimmingFieldWhitespace()
            values[i] = v
            let spec = plans[i]
            if v.isEmpty {
                if spec.required {
                    issues.append(
                        ValidationIssue(code: "required", field: fullCodes[i], message: "\(labels[i]) is required", chinese: "\(names[i])为必填项，不能为空"))
                }
                continue
            }
            if let max = spec.maxLength, v.utf8.count > max, v.unicodeScalars.count > max {
                issues.append(
                    ValidationIssue(
                        code: "too-long", field: fullCodes[i],
                        message: "\(labels[i]) has \(v.unicodeScalars.count) characters; at most \(max) are allowed",
                        chinese: "\(names[i])有 \(v.unicodeScalars.count) 个字符，最多 \(max) 个"))
                continue
            }
            if spec.type != .text {
                values[i] = v.halfWidth()
            }
            if spec.type == .idNumber { continue }  // needs the normalised document type; checked below
            switch normalise(values[i], index: i) {
            case .success(let n): values[i] = n
            case .failure(let issue): issues.append(issue)
            }
        }
        for i in idNumberFields where !values[i].isEmpty {
            if let issue = checkIDNumber(&values, index: i) { issues.append(issue) }
        }
        checkRules(values, &issues)

        var decisionDate: CivilDate?
        if let d = kind.decisionDate, !values[d].isEmpty, let date = CivilDate.parse(values[d]) {
            decisionDate = date
            if date > context.today {
                issues.append(
                    ValidationIssue(
                        code: "future-date", field: fullCodes[d], message: "\(labels[d]) \(date) is after today (\(context.today))",
                        chinese: "\(names[d]) \(date) 晚于今天（\(context.today)）"))
            }
        }
        var jurisdiction = context.node
        if let j = kind.jurisdiction, !values[j].isEmpty, let code = try? DivisionCode(values[j]) {
            jurisdiction = code
            if !context.node.contains(code) {
                issues.append(
                    ValidationIssue(
                        code: "outside-jurisdiction", field: fullCodes[j],
                        message: "\(labels[j]) \(code) lies outside this node's area \(context.node)",
                        chinese: "\(names[j]) \(code) 不在本节点辖区（\(context.node)）内，请报送到所在地的信用平台"))
            }
        }
        var deadline: Deadline?
        if let days = kind.kind.publicationWorkingDays, let date = decisionDate, issues.isEmpty {
            switch publicationDeadline(days: days, after: date) {
            case .success(let d): deadline = d
            case .failure(let e):
                issues.append(
                    ValidationIssue(
                        code: e.code.rawValue, field: kind.decisionDate.map { fullCodes[$0] },
                        message: "cannot compute the publication deadline: \(e.message)",
                        chinese: "无法按工作日历计算公示时限，请核对决定日期"))
            }
        }
        guard issues.isEmpty else { return .invalid(issues) }

        var key = kind.slug
        for k in kind.businessKey {
            key += "|"
            key += values[k]
        }
        let subject = kind.subjectCode.lazy.map { values[$0] }.first { !$0.isEmpty }
        return .valid(
            ValidatedRecord(
                kind: kind.slug, key: key, jurisdiction: jurisdiction, subjectCode: subject, decisionDate: decisionDate,
                publicationDeadline: deadline?.date, late: deadline.map { context.today > $0.date } ?? false,
                deadlineProvisional: deadline?.provisional ?? false,
                publicityUntil: kind.kind.publicityUntil(decision: decisionDate) { code in kind.index[code].map { values[$0] } },
                inForce: kind.kind.isShownPublicly { code in kind.index[code].map { values[$0] } },
                fieldsJSON: canonicalJSON(values)))
    }

    /// The canonical JSON object of the non-empty fields (full codes, keys in byte order).
    private mutating func canonicalJSON(_ values: [String]) -> String {
        jsonBuffer.removeAll(keepingCapacity: true)
        jsonBuffer.append(UInt8(ascii: "{"))
        var first = true
        for i in kind.canonicalOrder where !values[i].isEmpty {
            if !first { jsonBuffer.append(UInt8(ascii: ",")) }
            first = false
            jsonBuffer.append(contentsOf: jsonKeys[i].utf8)
            CanonicalJSON.appendString(values[i], to: &jsonBuffer)
        }
        jsonBuffer.append(UInt8(ascii: "}"))
        return String(decoding: jsonBuffer, as: UTF8.self)
    }

    private mutating func publicationDeadline(days: Int, after date: CivilDate) -> Result<Deadline, CalendarError> {
        if let cached = deadlines[date.dayNumber] { return cached }
        let result: Result<Deadline, CalendarError>
        do throws(CalendarError) { result = .success(try context.calendar.deadline(workingDays: days, after: date)) } catch {
            result = .failure(error)
        }
        deadlines[date.dayNumber] = result
        return result
    }

    /// What separates several values of one enumeration field.
    private static let separators: Set<Unicode.Scalar> = [";", "；", ",", "，", "、", "|"]

    /// Per byte value, whether a separator's UTF-8 encoding starts with it.
    private static let separatorFirstBytes: [Bool] = {
        var table = [Bool](repeating: false, count: 256)
        for s in separators { table[Int(String(s).utf8.first!)] = true }
        return table
    }()

    /// Whether `v` may hold a separator: one of its bytes starts one. Most values hold a single
    /// enumeration value and no such byte.
    private static func maySeparate(_ v: String) -> Bool {
        v.utf8.contains { separatorFirstBytes[Int($0)] }
    }

    private func normalise(_ v: String, index i: Int) -> Result<String, ValidationIssue> {
        let spec = plans[i]
        func fail(_ code: String, _ message: String, _ chinese: String) -> Result<String, ValidationIssue> {
            .failure(ValidationIssue(code: code, field: fullCodes[i], message: "\(labels[i]) \(message)", chinese: "\(names[i])\(chinese)"))
        }
        switch spec.type {
        case .text:
            // Control characters are single bytes in UTF-8, never inside a multi-byte sequence.
            if v.utf8.contains(where: { $0 < 0x20 && $0 != 0x0A && $0 != 0x0D && $0 != 0x09 }) {
                return fail("control-character", "contains control characters; remove them", "含有控制字符，请删除")
            }
            return .success(v)
        case .date:
            guard let d = CivilDate.parse(v) else {
                return fail("date", "'\(v)' is not a date; write it as YYYY-MM-DD", "“\(v)”不是日期，请写成 YYYY-MM-DD（如 2026-11-18）")
            }
            return .success(d.iso)
        case .enumeration:
            let e = kind.enumerations[i]!
            func canonical(_ s: String) -> String? {
                if let exact = e.values.first(where: { $0.bytesEqual(s) }) { return exact }
                return e.aliases?.first { $0.key.bytesEqual(s) }?.value
            }
            if spec.multiple && Self.maySeparate(v) {
                let parts = v.unicodeScalars.split(whereSeparator: { Self.separators.contains($0) }).map {
                    String(String.UnicodeScalarView($0)).trimmingFieldWhitespace()
                }.filter { !$0.isEmpty }
                var out: [String] = []
                for p in parts {
                    guard let c = canonical(p) else {
                        return fail(
                            "enumeration", "'\(p)' is not one of: \(e.values.joined(separator: "、"))",
                            "“\(p)”不是可选的值，可选：\(e.values.joined(separator: "、"))")
                    }
                    if !out.contains(c) { out.append(c) }
                }
                if out.isEmpty && spec.required {
                    return fail("required", "is required; '\(v)' holds separators and no value", "为必填项；“\(v)”只有分隔符，没有值")
                }
                return .success(out.joined(separator: ";"))
            }
            guard let c = canonical(v) else {
                return fail(
                    "enumeration", "'\(v)' is not one of: \(e.values.joined(separator: "、"))",
                    "“\(v)”不是可选的值，可选：\(e.values.joined(separator: "、"))")
            }
            return .success(c)
        case .amount:
            guard Self.isDecimal(v) else {
                return fail(
                    "amount", "'\(v)' is not an amount; write digits with at most 6 decimals, in units of 10,000 yuan, no separators or units",
                    "“\(v)”不是金额：以万元为单位，只写数字，最多 6 位小数，不加千分位和单位")
            }
            return .success(v)
        case .integer:
            let digits = v.hasPrefix("-") ? v.dropFirst() : Substring(v)
            guard !digits.isEmpty, digits.count <= 9, digits.utf8.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }) else {
                return fail("integer", "'\(v)' is not a whole number", "“\(v)”不是整数")
            }
            return .success(v)
        case .year:
            guard v.utf8.count == 4, let y = Int(v), (1949...2100).contains(y) else {
                return fail("year", "'\(v)' is not a year (four digits)", "“\(v)”不是年份（四位数字）")
            }
            return .success(v)
        case .uscc:
            do throws(IdentifierError) { return .success(try SocialCreditCode(v).text) } catch {
                return fail(
                    "uscc.\(error.rule.rawValue)", "is not a valid unified social credit code: \(error.message)",
                    "不是有效的统一社会信用代码：\(error.rule.chinese)")
            }
        case .divisionCode:
            do throws(IdentifierError) { return .success(try DivisionCode(v).digits) } catch {
                return fail("division.\(error.rule.rawValue)", "is not a valid division code: \(error.message)", "不是有效的行政区划代码：\(error.rule.chinese)")
            }
        case .commitmentCode:
            let b = Array(v.utf8)
            guard b.count == 20, b.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }) else {
                return fail(
                    "commitment-code", "must be 20 digits: 6-digit division code, YYYYMMDD and a 6-digit serial",
                    "应为 20 位数字：6 位行政区划代码、8 位日期（YYYYMMDD）和 6 位序号")
            }
            guard (try? DivisionCode(String(v.prefix(6)))) != nil else {
                return fail("commitment-code", "does not start with a valid division code", "的前 6 位不是有效的行政区划代码")
            }
            guard CivilDate.parse(String(v.dropFirst(6).prefix(8))) != nil else {
                return fail("commitment-code", "characters 7–14 are not a date (YYYYMMDD)", "的第 7–14 位不是日期（YYYYMMDD）")
            }
            return .success(v)
        case .idNumber:
            return .success(v)
        }
    }

    /// Checks an ID number against its document type; 01 (resident ID) gets the full check.
    private func checkIDNumber(_ values: inout [String], index i: Int) -> ValidationIssue? {
        guard let t = kind.idTypeField[i] else { return nil }
        let type = values[t]
        if type.isEmpty {
            return ValidationIssue(
                code: "required-when", field: fullCodes[t], message: "\(labels[t]) is required when \(labels[i]) is given",
                chinese: "填写了\(names[i])时，\(names[t])为必填项")
        }
        if type == "01" {
            do throws(IdentifierError) {
                values[i] = try ResidentID(values[i], today: context.today).text
            } catch {
                return ValidationIssue(
                    code: "id.\(error.rule.rawValue)", field: fullCodes[i],
                    message: "\(labels[i]) is not a valid resident ID number: \(error.message)",
                    chinese: "\(names[i])不是有效的公民身份号码：\(error.rule.chinese)")
            }
            return nil
        }
        guard
            values[i].utf8.allSatisfy({
                ($0 >= 0x30 && $0 <= 0x39) || ($0 >= 0x41 && $0 <= 0x5A) || ($0 >= 0x61 && $0 <= 0x7A) || $0 == 0x28 || $0 == 0x29 || $0 == 0x2D
            })
        else {
            return ValidationIssue(
                code: "id.alphabet", field: fullCodes[i], message: "\(labels[i]) may hold letters, digits, '-' and parentheses only",
                chinese: "\(names[i])只能包含字母、数字、“-”和括号")
        }
        values[i] = values[i].uppercased()
        return nil
    }

    private func checkRules(_ values: [String], _ issues: inout [ValidationIssue]) {
        for rule in rules {
            let targets = rule.targets
            var applies = true
            if let f = rule.field, let allowed = rule.allowed {
                let value = values[f]
                applies = allowed.contains { $0.bytesEqual(value) }
            }
            guard applies else { continue }
            // Only an issue needs the words.
            var condition: String { rule.field.map { f in "when \(labels[f]) is \(values[f])" } ?? "" }
            var whenChinese: String { rule.field.map { f in "\(names[f])为“\(values[f])”时，" } ?? "" }
            switch rule.rule {
            case .require:
                for t in targets where values[t].isEmpty {
                    // A field that is required anyway, or already reported, needs no second issue.
                    if plans[t].required || issues.contains(where: { $0.field == fullCodes[t] }) { continue }
                    issues.append(
                        ValidationIssue(
                            code: "required-when", field: fullCodes[t], message: "\(labels[t]) is required \(condition)",
                            chinese: "\(whenChinese)\(names[t])为必填项"))
                }
            case .requireAny:
                if targets.allSatisfy({ values[$0].isEmpty }) {
                    issues.append(
                        ValidationIssue(
                            code: "required-when", field: fullCodes[targets[0]],
                            message: "one of \(targets.map { labels[$0] }.joined(separator: ", ")) is required \(condition)",
                            chinese: "\(whenChinese)\(targets.map { names[$0] }.joined(separator: "、"))至少填写一项"))
                }
            case .notAfter:
                guard targets.count == 2, let a = CivilDate.parse(values[targets[0]]), let b = CivilDate.parse(values[targets[1]]) else { continue }
                if a > b {
                    issues.append(
                        ValidationIssue(
                            code: "date-order", field: fullCodes[targets[0]],
                            message: "\(labels[targets[0]]) \(a) is after \(labels[targets[1]]) \(b)",
                            chinese: "\(names[targets[0]]) \(a) 晚于\(names[targets[1]]) \(b)"))
                }
            }
        }
    }

    static func isDecimal(_ v: String) -> Bool {
        var seenDot = false
        var intDigits = 0
        var fracDigits = 0
        for b in v.utf8 {
            if b == UInt8(ascii: ".") {
                if seenDot { return false }
                seenDot = true
            } else if b >= 0x30 && b <= 0x39 {
                if seenDot { fracDigits += 1 } else { intDigits += 1 }
            } else {
                return false
            }
        }
        return intDigits >= 1 && intDigits <= 9 && (!seenDot || (1...6).contains(fracDigits))
    }
}
