import Foundation
import Testing

@testable import CreditDomain

@Suite("Catalogue")
struct CatalogueTests {
    let catalogue: Catalogue
    init() throws { catalogue = try Catalogue.bundled() }

    @Test func shipsEveryKindOfTheDomain() throws {
        let names = Set(catalogue.kinds.map(\.name))
        for name in ["行政许可", "行政处罚", "行政强制", "行政确认", "行政奖励", "行政裁决", "行政监督检查", "严重失信主体名单", "红名单", "信用承诺", "信用评价", "个人信用积分"] {
            #expect(names.contains(name), "missing \(name)")
        }
        for kind in try catalogue.resolvedKinds() {
            // Every ID number field is masked (a 信易+ scenario has none: it is about no subject).
            for field in kind.fields where field.type == .idNumber {
                #expect(kind.kind.masked.contains(field.code), "\(kind.slug) must mask \(field.code)")
            }
            #expect(kind.index["XDR_ZJHM"] == nil || kind.kind.masked.contains("XDR_ZJHM"), "\(kind.slug) must mask ID numbers")
            #expect(!kind.kind.businessKey.isEmpty)
        }
        #expect(try catalogue.kind(named: "incentive").fields.allSatisfy { $0.type != .idNumber })
        #expect(try catalogue.kind(named: "blacklist").kind.networkWide)
        #expect(try catalogue.kind(named: "rating").scope == .government)
        #expect(try catalogue.kind(named: "points").scope == .authorised)
    }

    @Test func penaltyAndLicenceUseTheNationalCodes() throws {
        let penalty = try catalogue.kind(named: "penalty")
        let codes = Set(penalty.fields.map { penalty.kind.fullCode($0.code) })
        for code in [
            "CF_XDR_MC", "CF_XDR_LB", "CF_XDR_SHXYM", "CF_WSH", "CF_WFXW", "CF_SY", "CF_YJ", "CF_CFLB", "CF_NR", "CF_NR_FK", "CF_NR_WFFF",
            "CF_NR_ZKDX", "CF_JDRQ", "CF_YXQ", "CF_GSJZQ", "CF_CFJG", "CF_CFJGDM", "CF_SJLY", "CF_SJLYDM", "CF_BZ",
        ] {
            #expect(codes.contains(code), "missing \(code)")
        }
        #expect(penalty.enumerationValues(of: "CFLB").count == 14)
        let licence = try catalogue.kind(named: "license")
        #expect(licence.fields.contains { $0.code == "XKLB" && $0.required })
        #expect(licence.enumerationValues(of: "XKLB") == ["普通", "特许", "认可", "核准", "登记", "其他"])
        #expect(penalty.kind.publicationWorkingDays == 7 && licence.kind.publicationWorkingDays == 7)
    }

    @Test(arguments: ["penalty", "行政处罚", "PENALTY", "cf", "license", "licence", "行政许可"])
    func kindsAreFoundBySlugNameOrAlias(name: String) throws {
        #expect(["penalty", "license"].contains(try catalogue.kind(named: name).slug))
    }

    @Test func unknownKindListsTheKnownOnes() {
        do {
            _ = try catalogue.kind(named: "fines")
            Issue.record("found a kind that does not exist")
        } catch {
            #expect(error.code == .unknownKind)
            #expect(error.message.contains("penalty (行政处罚)"))
        }
    }

    func writeCatalogue(_ mutate: (inout [String: Any]) -> Void) throws -> URL {
        let shipped = try Data(contentsOf: try #require(Catalogue.bundledURL))
        var json = try #require(try JSONSerialization.jsonObject(with: shipped) as? [String: Any])
        mutate(&json)
        let out = FileManager.default.temporaryDirectory.appendingPathComponent("catalogue-\(UUID().uuidString).json")
        try JSONSerialization.data(withJSONObject: json).write(to: out)
        return out
    }

    @Test func aProvinceAddsAKindWithoutRecompiling() throws {
        let url = try writeCatalogue { json in
            var kinds = json["kinds"] as! [[String: Any]]
            var extra = kinds.first { $0["slug"] as? String == "reward" }!
            extra["slug"] = "volunteer"
            extra["name"] = "志愿服务记录"
            extra["prefix"] = "ZY_"
            extra["aliases"] = [String]()
            kinds.append(extra)
            json["kinds"] = kinds
            json["version"] = "2026.1-hubei"
        }
        defer { try? FileManager.default.removeItem(at: url) }
        let custom = try Catalogue.load(from: url)
        #expect(custom.version == "2026.1-hubei")
        let kind = try custom.kind(named: "志愿服务记录")
        #expect(kind.kind.fullCode("WSH") == "ZY_WSH")
    }

    @Test func inconsistentCataloguesAreRefused() throws {
        let badKey = try writeCatalogue { json in
            var kinds = json["kinds"] as! [[String: Any]]
            kinds[0]["businessKey"] = ["NO_SUCH_FIELD"]
            json["kinds"] = kinds
        }
        defer { try? FileManager.default.removeItem(at: badKey) }
        #expect(throws: CatalogueError.self) { try Catalogue.load(from: badKey) }
        let twice = try writeCatalogue { json in
            var kinds = json["kinds"] as! [[String: Any]]
            kinds.append(kinds[0])
            json["kinds"] = kinds
        }
        defer { try? FileManager.default.removeItem(at: twice) }
        #expect(throws: CatalogueError.self) { try Catalogue.load(from: twice) }
    }

    /// 重点领域预警's rule (`keyAreas`) loads as shipped; each way it cannot work is refused, saying what to fix.
    @Test func keyAreasThatCannotWorkAreRefused() throws {
        let shipped = try #require(catalogue.keyAreas)
        #expect(shipped.kind == "penalty" && shipped.areas.map(\.name) == ["食品安全", "安全生产", "生态环境", "工资社保", "金融"])
        #expect(shipped.isWarning(6, baseline: 1) && !shipped.isWarning(4, baseline: 0) && !shipped.isWarning(6, baseline: 5))
        let cases: [(edit: (inout [String: Any]) -> Void, says: String)] = [
            ({ $0["fields"] = ["NO_SUCH"] }, "keyAreas.fields names NO_SUCH, not a field of penalty"),
            ({ $0["kind"] = "fines" }, "keyAreas.kind 'fines' is not a kind of the catalogue"),
            ({ $0["ratio"] = 1.0 }, "keyAreas.ratio must be more than 1"),
            ({ $0["minimum"] = 0 }, "keyAreas.minimum must be at least 1"),
            ({ $0["baselineMonths"] = 13 }, "keyAreas.baselineMonths must be 1 to 12"),
            ({ $0["areas"] = [["name": "金融", "keywords": ["金融"]], ["name": "金融", "keywords": ["诈骗"]]] }, "area 金融 appears twice"),
            ({ $0["areas"] = [["name": "金融", "keywords": [" "]]] }, "area 金融 needs keywords"),
        ]
        for (edit, says) in cases {
            let file = try writeCatalogue { json in
                var rule = json["keyAreas"] as! [String: Any]
                edit(&rule)
                json["keyAreas"] = rule
            }
            defer { try? FileManager.default.removeItem(at: file) }
            #expect("\(says)", performing: { try Catalogue.load(from: file) }, throws: { ($0 as? CatalogueError)?.message.contains(says) == true })
        }
        // Without the rule: a catalogue that computes no warnings.
        let without = try writeCatalogue { $0["keyAreas"] = nil }
        defer { try? FileManager.default.removeItem(at: without) }
        #expect(try Catalogue.load(from: without).keyAreas == nil)
    }

    /// A code a person cannot read is shown with its label; the record keeps the code.
    @Test func enumerationCodesReadAsTheirLabels() throws {
        let penalty = try catalogue.kind(named: "penalty")
        #expect(penalty.readable("01", fullCode: "CF_XDR_ZJLX") == "居民身份证")
        #expect(penalty.readable("02", fullCode: "CF_FR_ZJLX") == "护照")
        // Not an enumeration with labels, or not a field of the kind: as it is.
        #expect(penalty.readable("罚款", fullCode: "CF_CFLB") == "罚款")
        // A multiple field's values as a list, not as stored.
        #expect(penalty.readable("其他;罚款", fullCode: "CF_CFLB") == "其他、罚款")
        #expect(penalty.readable("其他;罚款", fullCode: "CF_NR") == "其他;罚款")
        #expect(penalty.readable("01", fullCode: "CF_WSH") == "01")
        #expect(penalty.readable("01", fullCode: "XK_XDR_ZJLX") == "01")
        let license = try catalogue.kind(named: "license")
        #expect(license.readable("1", fullCode: "XK_ZT") == "有效" && license.readable("2", fullCode: "XK_ZT") == "无效")
        // Validation still stores the code.
        #expect(penalty.enumerationValues(of: "XDR_ZJLX") == ["01", "02", "03", "04", "05"])
    }

    @Test func aLabelForNoValueOfItsEnumerationIsRefused() throws {
        let url = try writeCatalogue { json in
            var enums = json["enumerations"] as! [String: Any]
            var types = enums["证件类型"] as! [String: Any]
            types["labels"] = ["01": "居民身份证", "06": "军官证"]
            enums["证件类型"] = types
            json["enumerations"] = enums
        }
        defer { try? FileManager.default.removeItem(at: url) }
        let error = try #require(throws: CatalogueError.self) { try Catalogue.load(from: url) }
        #expect(error.message.contains("证件类型") && error.message.contains("'06'"), "\(error.message)")
    }
}
