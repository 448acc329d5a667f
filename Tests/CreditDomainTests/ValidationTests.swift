import Foundation
import Testing

@testable import CreditDomain

/// A good penalty row about an organisation, decided on a working day in 2026.
func goodPenalty(_ changes: [String: String] = [:]) -> [String: String] {
    var row = [
        "XDR_MC": "武汉楚源商贸有限公司", "XDR_LB": "法人及非法人组织", "XDR_SHXYM": "91420684MA4927PJ7B", "FRDB": "王伟",
        "WSH": "江岸市监罚〔2026〕101号", "WFXW": "销售过期食品", "SY": "经查，当事人销售超过保质期的食品。", "YJ": "《中华人民共和国食品安全法》第一百二十四条",
        "CFLB": "警告、罚款", "NR": "警告并处罚款", "NR_FK": "1.5", "JDRQ": "2026/11/16", "YXQ": "2027-11-16",
        "CFJG": "武汉市江岸区市场监督管理局", "CFJGDM": "91110000600037341L", "SJLY": "武汉市江岸区市场监督管理局", "SJLYDM": "91110000600037341L",
    ]
    for (k, v) in changes { row[k] = v }
    return row
}

struct Fixture {
    let catalogue: Catalogue
    let calendar: WorkingCalendar
    let penalty: ResolvedKind
    let village: DivisionCode

    init() throws {
        catalogue = try Catalogue.bundled()
        calendar = try WorkingCalendar.load()
        penalty = try catalogue.kind(named: "penalty")
        village = try DivisionCode("420102002201")
    }

    func validator(today: String = "2026-11-20", node: DivisionCode? = nil, kind: ResolvedKind? = nil) -> RecordValidator {
        RecordValidator(kind: kind ?? penalty, context: ValidationContext(node: node ?? village, today: CivilDate.parse(today)!, calendar: calendar))
    }

    func values(_ row: [String: String], kind: ResolvedKind? = nil) -> [String] {
        let k = kind ?? penalty
        return k.fields.map { row[$0.code] ?? "" }
    }
}

extension Validation {
    var record: ValidatedRecord? { if case .valid(let r) = self { r } else { nil } }
    var issues: [ValidationIssue] { if case .invalid(let i) = self { i } else { [] } }
}

@Suite("Record validation")
struct ValidationTests {
    let f: Fixture
    init() throws { f = try Fixture() }

    func validate(_ row: [String: String], today: String = "2026-11-20") -> Validation {
        var v = f.validator(today: today)
        return v.validate(f.values(row))
    }

    @Test func aGoodRowIsNormalised() throws {
        let r = try #require(validate(goodPenalty()).record)
        #expect(r.key == "penalty|91110000600037341L|江岸市监罚〔2026〕101号")
        #expect(r.decisionDate == CivilDate(year: 2026, month: 11, day: 16))
        #expect(r.publicationDeadline == CivilDate(year: 2026, month: 11, day: 25))
        #expect(!r.late)
        #expect(r.subjectCode == "91420684MA4927PJ7B")
        #expect(r.jurisdiction == f.village)
        let fields = try #require(try JSONSerialization.jsonObject(with: Data(r.fieldsJSON.utf8)) as? [String: String])
        #expect(fields["CF_JDRQ"] == "2026-11-16")
        #expect(fields["CF_CFLB"] == "警告;罚款")
        #expect(fields["CF_XDR_ZJHM"] == nil)
        // Keys in byte order: the canonical form.
        let keys = r.fieldsJSON.split(separator: ",").compactMap { $0.split(separator: "\"").first { $0.hasPrefix("CF_") } }.map(String.init)
        #expect(keys == keys.sorted { $0.utf8.lexicographicallyPrecedes($1.utf8) })
    }

    @Test func theBodyIsExactlyTheOneInPROTOCOL() throws {
        let documented =
            #"{"CF_CFJG":"武汉市江岸区市场监督管理局","CF_CFJGDM":"91110000600037341L","CF_CFLB":"警告;罚款","CF_JDRQ":"2026-11-16","CF_NR":"警告并处罚款","CF_NR_FK":"1.5","CF_SJLY":"武汉市江岸区市场监督管理局","CF_SJLYDM":"91110000600037341L","CF_SY":"经查，当事人销售超过保质期的食品。","CF_WFXW":"销售过期食品","CF_WSH":"江岸市监罚〔2026〕101号","CF_XDR_LB":"法人及非法人组织","CF_XDR_MC":"武汉楚源商贸有限公司","CF_XDR_SHXYM":"91420684MA4927PJ7B","CF_YJ":"《中华人民共和国食品安全法》第一百二十四条","CF_YXQ":"2027-11-16"}"#
        let r = try #require(validate(goodPenalty(["FRDB": ""])).record)
        #expect(r.fieldsJSON == documented)
        let protocolDoc = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("../../docs/PROTOCOL.md")
        #expect(try String(contentsOf: protocolDoc, encoding: .utf8).contains(documented))
    }

    @Test func lateWhenIngestedAfterSevenWorkingDays() throws {
        #expect(validate(goodPenalty(), today: "2026-11-25").record?.late == false)
        #expect(validate(goodPenalty(), today: "2026-11-26").record?.late == true)
    }

    @Test func aDeadlineInAYearWithoutOfficialCalendarIsProvisionalNotRefused() throws {
        // Decided 2026-12-28: the seventh working day falls in 2027, whose schedule is not shipped.
        let late = try #require(validate(goodPenalty(["JDRQ": "2026-12-28", "YXQ": "2027-12-28"]), today: "2027-01-08").record)
        #expect(late.publicationDeadline == CivilDate(year: 2027, month: 1, day: 7))  // 元旦 off, statutory
        #expect(late.deadlineProvisional && late.late)
        let onTime = try #require(validate(goodPenalty(["JDRQ": "2026-12-28", "YXQ": "2027-12-28"]), today: "2027-01-07").record)
        #expect(onTime.deadlineProvisional && !onTime.late)
        // A deadline inside official years is not provisional; back-filled years are official now.
        #expect(validate(goodPenalty()).record?.deadlineProvisional == false)
        let backFilled = try #require(validate(goodPenalty(["JDRQ": "2019-04-30", "YXQ": "2020-04-30"])).record)
        #expect(backFilled.publicationDeadline == CivilDate(year: 2019, month: 5, day: 13))  // 劳动节 1–4 May, 5 May worked
        #expect(!backFilled.deadlineProvisional && backFilled.late)
    }

    @Test func aDeadlineBeforeTheStatuteIsRefusedNotGuessed() {
        let issues = validate(goodPenalty(["JDRQ": "1948-12-30", "YXQ": "1949-12-30"])).issues
        #expect(issues.map(\.code) == ["calendar-year-missing"])
        #expect(issues[0].message.contains("1948"))
    }

    func codes(_ changes: [String: String], today: String = "2026-11-20") -> [String] {
        validate(goodPenalty(changes), today: today).issues.map(\.code)
    }

    @Test func severalEnumerationValuesAreSplitOnEverySeparatorAndOneValueIsTakenWhole() throws {
        func penaltyKinds(_ given: String) -> String? {
            validate(goodPenalty(["CFLB": given])).record.flatMap { Change.bodyValues($0.fieldsJSON, keys: ["CF_CFLB"])["CF_CFLB"] }
        }
        #expect(penaltyKinds("罚款") == "罚款")
        #expect(penaltyKinds("警告") == "警告")
        for separator in [";", "；", ",", "，", "、", "|"] {
            #expect(penaltyKinds("警告\(separator)罚款") == "警告;罚款", "separator \(separator)")
        }
        #expect(penaltyKinds("警告、 罚款；警告") == "警告;罚款")
        #expect(penaltyKinds("罚款、") == "罚款")
        let one = validate(goodPenalty(["CFLB": "罚金"])).issues
        let several = validate(goodPenalty(["CFLB": "警告、罚金"])).issues
        #expect(one.map(\.code) == ["enumeration"] && one[0].message.contains("'罚金' is not one of"))
        #expect(several.map(\.code) == ["enumeration"] && several[0].message.contains("'罚金' is not one of"))
        // A required field given only separators is missing, not an empty value.
        let onlySeparators = validate(goodPenalty(["CFLB": "、；"])).issues
        #expect(onlySeparators.map(\.code) == ["required"] && onlySeparators[0].field == "CF_CFLB")
        #expect(onlySeparators.first?.message == "CF_CFLB (处罚类别) is required; '、;' holds separators and no value")
    }

    @Test func everyRuleRefuses() {
        #expect(codes(["WSH": ""]) == ["required"])
        #expect(codes(["CFJGDM": "91110000600037341A"]) == ["uscc.check-character"])
        #expect(codes(["XDR_SHXYM": "9142068IMA4927PJ7B"]) == ["uscc.forbidden-letter"])
        #expect(codes(["JDRQ": "2026-02-30"]) == ["date"])
        #expect(codes(["JDRQ": "2026-11-21", "YXQ": "2027-11-21"]) == ["future-date"])
        #expect(codes(["CFLB": "罚金"]) == ["enumeration"])
        #expect(codes(["NR_FK": "1,000"]) == ["amount"])
        #expect(codes(["NR_FK": "0.1234567"]) == ["amount"])
        #expect(codes(["XDR_MC": String(repeating: "长", count: 201)]) == ["too-long"])
        #expect(codes(["YXQ": "2026-11-01"]) == ["date-order"])
        #expect(codes(["XZQH": "110101001001"]) == ["outside-jurisdiction"])
        #expect(codes(["XZQH": "1101"]) == ["division.length"])
        #expect(codes(["XDR_LB": "法人及非法人组织", "XDR_SHXYM": ""]) == ["required-when"])
        #expect(codes(["XDR_LB": "个体工商户", "XDR_SHXYM": ""]) == ["required-when"])
        #expect(codes(["XDR_LB": "个体工商户", "XDR_SHXYM": "", "XDR_GSZC": "420102600123456"]) == [])
        #expect(codes(["XDR_LB": "其他"]) == ["enumeration"])
        #expect(codes(["SY": "违法\u{07}事实"]) == ["control-character"])
    }

    @Test func fullWidthFormsInStructuredFieldsAreReadAsASCII() throws {
        let r = try #require(
            validate(
                goodPenalty([
                    "CFJGDM": "９１１１００００６０００３７３４１Ｌ", "JDRQ": "２０２６－１１－１６", "NR_FK": "１．５", "XDR_LB": "法人及非法人组织",
                    "SY": "全角文字保持原样：ＡＢＣ１２３",
                ])
            ).record)
        #expect(r.key == "penalty|91110000600037341L|江岸市监罚〔2026〕101号")
        #expect(r.fieldsJSON.contains("\"CF_JDRQ\":\"2026-11-16\"") && r.fieldsJSON.contains("\"CF_NR_FK\":\"1.5\""))
        #expect(r.fieldsJSON.contains("全角文字保持原样：ＡＢＣ１２３"))
        let person = try #require(
            validate(goodPenalty(["XDR_LB": "自然人", "XDR_SHXYM": "", "XDR_ZJLX": "０１", "XDR_ZJHM": "１１０１０５１９４９１２３１００２ｘ"])).record)
        #expect(person.subjectCode == "11010519491231002X")
    }

    @Test func severalProblemsAreAllReported() {
        #expect(Set(codes(["WSH": "", "CFJGDM": "123", "JDRQ": "x"])) == ["required", "uscc.length", "date"])
    }

    @Test func naturalPersons() throws {
        let person = ["XDR_LB": "自然人", "XDR_SHXYM": "", "XDR_MC": "张三", "XDR_ZJLX": "1", "XDR_ZJHM": "11010519491231002x"]
        let r = try #require(validate(goodPenalty(person)).record)
        #expect(r.subjectCode == "11010519491231002X")
        #expect(r.fieldsJSON.contains("\"CF_XDR_ZJLX\":\"01\""))
        #expect(codes(person.merging(["XDR_ZJHM": ""]) { $1 }) == ["required-when"])
        #expect(codes(person.merging(["XDR_ZJHM": "110105194912310021"]) { $1 }) == ["id.check-character"])
        #expect(codes(person.merging(["XDR_ZJLX": "护照", "XDR_ZJHM": "E12345678"]) { $1 }) == [])
        #expect(codes(person.merging(["XDR_ZJLX": "护照", "XDR_ZJHM": "E123 45678"]) { $1 }) == ["id.alphabet"])
        #expect(codes(person.merging(["XDR_ZJLX": ""]) { $1 }) == ["required-when"])
        #expect(codes(["FR_ZJHM": "11010519491231002X"]) == ["required-when"])
    }

    @Test func messagesNeverCarryIDNumbers() {
        let issues = validate(goodPenalty(["XDR_LB": "自然人", "XDR_ZJLX": "01", "XDR_ZJHM": "110105194912310021"])).issues
        #expect(!issues.isEmpty)
        for i in issues { #expect(!i.message.contains("110105194912310021") && i.chinese?.contains("110105194912310021") == false) }
    }

    /// What a credit office reads on its pages: each refusal in Chinese, the field by its name.
    @Test func everyRefusalSaysInChineseWhatToFix() {
        func chinese(_ row: [String: String]) -> [String] { validate(goodPenalty(row)).issues.map { $0.chinese ?? "(none)" } }
        #expect(chinese(["WSH": ""]) == ["行政处罚决定书文号为必填项，不能为空"])
        #expect(chinese(["JDRQ": "2026-02-30"]) == ["处罚决定日期“2026-02-30”不是日期，请写成 YYYY-MM-DD（如 2026-11-18）"])
        #expect(chinese(["CFJGDM": "91110000600037341A"]) == ["处罚机关统一社会信用代码不是有效的统一社会信用代码：校验码（最后一位）不符，请对照证照重新填写"])
        #expect(chinese(["CFLB": "罚金"]).first?.hasPrefix("处罚类别“罚金”不是可选的值，可选：警告、") == true)
        #expect(chinese(["NR_FK": "1,000"]) == ["罚款金额（万元）“1,000”不是金额：以万元为单位，只写数字，最多 6 位小数，不加千分位和单位"])
        #expect(chinese(["YXQ": "2026-11-01"]) == ["处罚决定日期 2026-11-16 晚于处罚有效期 2026-11-01"])
        #expect(chinese(["XDR_LB": "法人及非法人组织", "XDR_SHXYM": ""]) == ["行政相对人类别为“法人及非法人组织”时，统一社会信用代码为必填项"])
        #expect(chinese(["JDRQ": "2026-11-21", "YXQ": "2027-11-21"]) == ["处罚决定日期 2026-11-21 晚于今天（2026-11-20）"])
        #expect(chinese(["XZQH": "110101001001"]) == ["所属行政区划 110101001001 不在本节点辖区（420102002201）内，请报送到所在地的信用平台"])
        // A row kept before the Chinese words existed still shows its message.
        let kept = try? JSONDecoder().decode(
            ValidationIssue.self, from: Data(#"{"code":"required","field":"CF_WSH","message":"行政处罚决定书文号 is required"}"#.utf8))
        #expect(kept?.chinese == nil && kept?.shown == "行政处罚决定书文号 is required")
    }

    @Test func aHigherNodeTakesRecordsOfItsVillages() throws {
        var county = f.validator(node: try DivisionCode("420102000000"))
        let r = try #require(county.validate(f.values(goodPenalty(["XZQH": "420102002201"]))).record)
        #expect(r.jurisdiction.digits == "420102002201")
        var other = f.validator(node: try DivisionCode("420103000000"))
        #expect(other.validate(f.values(goodPenalty(["XZQH": "420102002201"]))).issues.map(\.code) == ["outside-jurisdiction"])
    }

    @Test func otherKindsValidateToo() throws {
        let commitment = try f.catalogue.kind(named: "信用承诺")
        var v = f.validator(kind: commitment)
        let row = [
            "XDR_MC": "武汉楚源商贸有限公司", "XDR_LB": "法人", "XDR_SHXYM": "91420684MA4927PJ7B", "CNBM": "42010220261116000001", "CNLX": "容缺受理型",
            "CNSX": "食品经营许可告知承诺", "CNNR": "承诺材料真实", "CNRQ": "2026-11-16", "SLDW": "江岸区行政审批局", "SLDWDM": "91110000600037341L",
            "SJLY": "江岸区行政审批局", "SJLYDM": "91110000600037341L",
        ]
        let r = try #require(v.validate(f.values(row, kind: commitment)).record)
        #expect(r.key == "commitment|42010220261116000001")
        #expect(r.fieldsJSON.contains("\"CN_XDR_LB\":\"法人及非法人组织\""))
        var bad = row
        bad["CNBM"] = "42010220261316000001"
        #expect(v.validate(f.values(bad, kind: commitment)).issues.map(\.code) == ["commitment-code"])
    }
}

@Suite("Canonical JSON")
struct CanonicalJSONTests {
    @Test(arguments: ["普通文本", "quote \" and \\ backslash", "line\nbreak\ttab\r", "bell\u{07}", ""])
    func stringAndByteEncodersAgreeAndRoundTrip(text: String) throws {
        var s = ""
        CanonicalJSON.appendString(text, to: &s)
        var bytes: [UInt8] = []
        CanonicalJSON.appendString(text, to: &bytes)
        #expect(Array(s.utf8) == bytes)
        let decoded = try JSONSerialization.jsonObject(with: Data(("[" + s + "]").utf8)) as? [String]
        #expect(decoded == [text])
        #expect(!s.contains("\\u00") || text.unicodeScalars.contains { $0.value < 0x20 && $0 != "\n" && $0 != "\t" && $0 != "\r" })
    }
}

@Suite("Canonical change lines")
struct ChangeLineTests {
    static let change = Change(
        origin: "420102002201", seq: 42, hlc: HLCStamp(milliseconds: 1_763_600_000_000, counter: 3), enteredAtMilliseconds: 1_763_600_000_000,
        op: "put", kind: "penalty", key: "penalty|91110000600037341L|江岸市监罚〔2026〕101号", jurisdiction: "420102002201",
        body: #"{"CF_NR":"警告\n\"并处\"\\罚款\u0001","CF_WSH":"江岸市监罚〔2026〕101号"}"#)

    func parse(_ text: String) -> Change? { Array(text.utf8).withUnsafeBufferPointer { Change.parseCanonical($0) } }

    /// The check in place, as a forwarding tier makes it: its numbers, and the origin and
    /// jurisdiction it compares.
    func check(_ bytes: [UInt8]) -> (seq: Int64, hlc: Int64, enteredAt: Int64, origin: String, jurisdiction: String)? {
        bytes.withUnsafeBufferPointer { line in
            Change.checkCanonical(line).map { ($0.seq, $0.hlc, $0.enteredAt, $0.origin(in: line), $0.jurisdiction(in: line)) }
        }
    }

    @Test func bothReadersAcceptTheCanonicalLine() {
        let line = Self.change.canonicalLine
        var bytes: [UInt8] = []
        Self.change.appendCanonicalLine(to: &bytes)
        #expect(bytes == Array(line.utf8))
        #expect(parse(line) == Self.change)
        #expect(Change.parse(line: Array(line.utf8)) == Self.change)
        let checked = check(Array(line.utf8))
        #expect(checked?.seq == 42 && checked?.hlc == Self.change.hlc.rawValue && checked?.enteredAt == Self.change.enteredAtMilliseconds)
        #expect(checked?.origin == Self.change.origin && checked?.jurisdiction == Self.change.jurisdiction)
        let origin = Array(Self.change.origin.utf8)
        #expect(
            Array(line.utf8).withUnsafeBufferPointer { l in
                Change.checkCanonical(l).map { $0.originIs(origin, in: l) && $0.jurisdictionIs(origin, in: l) }
            } == true)
        #expect(
            Array(line.utf8).withUnsafeBufferPointer { l in Change.checkCanonical(l).map { $0.originIs(Array("420102002202".utf8), in: l) } } == false
        )
    }

    /// The check in place accepts exactly the lines the parser accepts: every byte of the line
    /// removed, and every byte replaced by each of a few telling values (invalid UTF-8, a quote,
    /// a backslash, a control character, a letter, a digit).
    @Test func theCheckInPlaceAcceptsWhatTheParserAccepts() {
        let line = Array(Self.change.canonicalLine.utf8)
        var variants: [[UInt8]] = []
        for i in line.indices {
            var removed = line
            removed.remove(at: i)
            variants.append(removed)
            for b: UInt8 in [0xFF, 0x22, 0x5C, 0x01, 0x61, 0x31] where line[i] != b {
                var replaced = line
                replaced[i] = b
                variants.append(replaced)
            }
        }
        var accepted = 0
        for v in variants {
            let parsed = v.withUnsafeBufferPointer { Change.parseCanonical($0) }
            let checked = check(v)
            #expect((parsed == nil) == (checked == nil), "\(String(decoding: v, as: UTF8.self))")
            if let parsed, let checked {
                accepted += 1
                #expect(checked.seq == parsed.seq && checked.hlc == parsed.hlc.rawValue && checked.enteredAt == parsed.enteredAtMilliseconds)
                #expect(checked.origin == parsed.origin && checked.jurisdiction == parsed.jurisdiction)
            }
        }
        // Some variants are still canonical changes (another digit, another letter in a text).
        #expect(accepted > 0 && accepted < variants.count)
    }

    @Test(arguments: [
        #"{"body":{},"enteredAt":1,"hlc":1,"jurisdiction":"420102002201","key":"k","kind":"x","op":"put","origin":"420102002201","seq":1} "#,
        #"{"body":{"B":"1","A":"2"},"enteredAt":1,"hlc":1,"jurisdiction":"420102002201","key":"k","kind":"x","op":"put","origin":"420102002201","seq":1}"#,
        #"{"body":{"A":"1","A":"2"},"enteredAt":1,"hlc":1,"jurisdiction":"420102002201","key":"k","kind":"x","op":"put","origin":"420102002201","seq":1}"#,
        #"{"body":{"a\"b":"1","a":"2"},"enteredAt":1,"hlc":1,"jurisdiction":"420102002201","key":"k","kind":"x","op":"put","origin":"420102002201","seq":1}"#,
        #"{"body":{"a":"1","a\"b":"2","a\"a":"3"},"enteredAt":1,"hlc":1,"jurisdiction":"420102002201","key":"k","kind":"x","op":"put","origin":"420102002201","seq":1}"#,
        #"{"body":{"A":1},"enteredAt":1,"hlc":1,"jurisdiction":"420102002201","key":"k","kind":"x","op":"put","origin":"420102002201","seq":1}"#,
        #"{"body":{},"enteredAt":01,"hlc":1,"jurisdiction":"420102002201","key":"k","kind":"x","op":"put","origin":"420102002201","seq":1}"#,
        #"{"body":{},"enteredAt":1,"hlc":1,"jurisdiction":"420102002201","key":"\u004b","kind":"x","op":"put","origin":"420102002201","seq":1}"#,
        #"{"body":{},"enteredAt":1,"hlc":1,"jurisdiction":"420102002201","key":"a\/b","kind":"x","op":"put","origin":"420102002201","seq":1}"#,
        #"{"body":{},"enteredAt":1,"hlc":1,"jurisdiction":"420102002201","key":"k","kind":"x","op":"drop","origin":"420102002201","seq":1}"#,
        #"{"body":{},"hlc":1,"enteredAt":1,"jurisdiction":"420102002201","key":"k","kind":"x","op":"put","origin":"420102002201","seq":1}"#,
        #"{"body":{}, "enteredAt":1,"hlc":1,"jurisdiction":"420102002201","key":"k","kind":"x","op":"put","origin":"420102002201","seq":1}"#,
        #"{"body":{},"enteredAt":1,"hlc":1,"jurisdiction":"420102002201","key":"k","kind":"x","op":"put","origin":"420102002201","seq":99999999999999999999}"#,
    ])
    func nonCanonicalLinesAreRefusedByBothReaders(line: String) {
        #expect(parse(line) == nil)
        #expect(check(Array(line.utf8)) == nil)
        #expect(Change.parse(line: Array(line.utf8)) == nil)
    }

    @Test func bodyValuesReadOnlyTheKeysAsked() {
        let body = #"{"CF_JDRQ":"2026-03-05","CF_NR":"警告\n\"并处\"","CF_WSH":"江岸〔2026〕1号","a\"b":"x"}"#
        let wanted: Set<String> = ["CF_JDRQ", "CF_NR", "a\"b", "CF_NONE"]
        #expect(Change.bodyValues(body, keys: wanted) == ["CF_JDRQ": "2026-03-05", "CF_NR": "警告\n\"并处\"", "a\"b": "x"])
        let oracle = (try? JSONSerialization.jsonObject(with: Data(body.utf8)) as? [String: String]) ?? [:]
        #expect(Change.bodyValues(body, keys: wanted) == oracle.filter { wanted.contains($0.key) })
        #expect(Change.bodyValues("{}", keys: ["x"]).isEmpty)
        #expect(Change.bodyValues("not json", keys: ["x"]).isEmpty)
        #expect(Change.bodyValues(body, keys: []).isEmpty)
        // Under the names given (the catalogue's bare codes), escaped keys too; other keys stay unread.
        let named = BodyFields(names: ["CF_JDRQ": "JDRQ", "a\"b": "ab", "CF_NONE": "NONE"])
        #expect(Change.bodyValues(body, fields: named) == ["JDRQ": "2026-03-05", "ab": "x"])
    }

    @Test func aCanonicalBodyIsReadWholeAsJSONWouldReadIt() throws {
        let body = #"{"CF_JDRQ":"2026-03-05","CF_NR":"警告\n\"并处\"\u0001","CF_WSH":"江岸〔2026〕1号","a\"b":"x\\y","e":""}"#
        let oracle = try #require(try JSONSerialization.jsonObject(with: Data(body.utf8)) as? [String: String])
        #expect(Change.bodyFields(body) == oracle)
        #expect(Change.bodyFields("{}") == [:])
        // Not an object of strings in canonical form: nil, for the caller to read it as any JSON.
        for other in [
            "", "not json", #"{"a":1}"#, #"{"a":"1"} "#, #"{"a":"1",}"#, #"{ "a":"1"}"#, #"{"a":{"b":"c"}}"#, #"["a"]"#, #"{"a":"\u00E9"}"#,
        ] {
            #expect(Change.bodyFields(other) == nil, "\(other)")
        }
    }

    @Test func keysWithEscapesAreOrderedByTheirText() {
        let line =
            #"{"body":{"a":"1","a\"b":"2","b\\":"3","c":"\n"},"enteredAt":1,"hlc":1,"jurisdiction":"420102002201","key":"k","kind":"x","op":"put","origin":"420102002201","seq":1}"#
        #expect(parse(line) != nil)
        #expect(Change.parse(line: Array(line.utf8)) != nil)
    }
}

extension Change {
    /// A second reader built on JSONSerialization and re-encoding, the oracle for the strict
    /// byte-level reader: both must accept and refuse the same lines.
    public static func parse(line: [UInt8]) -> Change? {
        guard let object = try? JSONSerialization.jsonObject(with: Data(line)) as? [String: Any], object.count == 9,
            let bodyObject = object["body"] as? [String: Any], let origin = object["origin"] as? String,
            let seq = (object["seq"] as? NSNumber)?.int64Value, let hlc = (object["hlc"] as? NSNumber)?.int64Value,
            let entered = (object["enteredAt"] as? NSNumber)?.int64Value, let op = object["op"] as? String, ops.contains(op),
            let kind = object["kind"] as? String, let key = object["key"] as? String, let jurisdiction = object["jurisdiction"] as? String
        else { return nil }
        var body = "{"
        for (i, k) in bodyObject.keys.sorted(by: { $0.utf8.lexicographicallyPrecedes($1.utf8) }).enumerated() {
            guard let v = bodyObject[k] as? String else { return nil }
            if i > 0 { body += "," }
            CanonicalJSON.appendString(k, to: &body)
            body += ":"
            CanonicalJSON.appendString(v, to: &body)
        }
        body += "}"
        let change = Change(
            origin: origin, seq: seq, hlc: HLCStamp(rawValue: hlc), enteredAtMilliseconds: entered, op: op, kind: kind, key: key,
            jurisdiction: jurisdiction, body: body)
        guard Array(change.canonicalLine.utf8) == line else { return nil }
        return change
    }
}
