import CreditDomain
import CreditStore
import Foundation
import SyncCore

/// 新旧代码映射 (seed 003 item 7: 100%完成存量代码转换和建立新旧代码映射关系……加快推进个体工商户存量
/// 代码转换): the node's records still filed under a former code alone (an individual business by
/// its 工商注册号, with no credit code), whether the records themselves map that code to a credit
/// code (a record that gives both), by the unit that filed them; the mappings the records declare
/// and the conflicts among them (a code given with two credit codes, an organisation code unlike
/// the one inside its credit code). A mapped record belongs to its credit code's subject page and
/// credit report (`NodeStore.records(subject:)`); an unmapped one is what the office has converted.
/// What `/ops/codes` and `credit-node codes` show.
public struct CodeConversion: Sendable, Encodable {
    /// Records filed under former codes alone: how many, mapped to a credit code, not mapped.
    public struct Figures: Sendable, Encodable {
        public var name: String
        public var filed = 0
        public var mapped = 0
        public var unmapped: Int { filed - mapped }
        /// Mapped, in per cent of filed, one decimal ("—" with none filed).
        public var mappedShare: String { filed == 0 ? "—" : String(format: "%.1f%%", Double(mapped) * 100 / Double(filed)) }

        mutating func count(mapped isMapped: Bool) {
            filed += 1
            if isMapped { mapped += 1 }
        }

        enum CodingKeys: String, CodingKey { case name, filed, mapped, unmapped, mappedShare }

        public func encode(to encoder: any Encoder) throws {
            var c = encoder.container(keyedBy: CodingKeys.self)
            try c.encode(name, forKey: .name)
            try c.encode(filed, forKey: .filed)
            try c.encode(mapped, forKey: .mapped)
            try c.encode(unmapped, forKey: .unmapped)
            try c.encode(mappedShare, forKey: .mappedShare)
        }
    }

    /// One record filed under former codes alone.
    public struct Entry: Sendable, Encodable {
        public var recordKey: String
        public var kindName: String
        public var subject: String
        /// 工商注册号 4201…, one per former code the record gives.
        public var formerCodes: [String]
        public var authority: String
        public var decisionDate: String
        /// The credit code the former codes lead to; nil: not mapped.
        public var creditCode: String?
    }

    /// A former code with two or more credit codes, or an organisation code unlike its credit code's.
    public struct Conflict: Sendable, Encodable {
        public var fieldName: String
        public var code: String
        public var creditCodes: [String]
        public var records: Int
        public var mismatched: Bool
    }

    public var today: String
    public var total: Figures
    /// Per unit that filed them (the deciding authority), most unmapped first.
    public var authorities: [Figures]
    /// The records still to be converted (mapped to no credit code), newest first.
    public var unmapped: [Entry]
    /// The records the mapping attributes to a credit code, newest first.
    public var mapped: [Entry]
    /// Pairs (former code, credit code) the records declare.
    public var declared: Int
    public var conflicts: [Conflict]

    /// The Chinese name of a former code's field.
    public static func fieldName(_ field: String) -> String {
        switch field {
        case "XDR_GSZC": "工商注册号"
        case "XDR_ZZJG": "组织机构代码"
        case "XDR_SWDJ": "税务登记号"
        case "XDR_SYDW": "事业单位证书号"
        case "XDR_SHZZ": "社会组织登记证号"
        default: field
        }
    }

    public static func compute(_ node: NodeContext, today: CivilDate) throws -> CodeConversion {
        var total = Figures(name: "合计")
        var perAuthority: [String: Figures] = [:]
        var unmapped: [Entry] = []
        var mapped: [Entry] = []
        for one in try node.store.recordsFiledUnderFormerCodes() {
            let kind = node.resolvedKinds[one.kind]
            let fields = Change.bodyFields(one.body) ?? [:]
            let value = { (short: String?) -> String in
                guard let short, let kind else { return "" }
                return fields[kind.kind.fullCode(short)] ?? ""
            }
            let authority = value(kind.flatMap(PublicRecord.authorityField(of:)))
            let isMapped = one.creditCode != nil
            total.count(mapped: isMapped)
            perAuthority[authority, default: Figures(name: authority.isEmpty ? "（未注明）" : authority)].count(mapped: isMapped)
            let entry = Entry(
                recordKey: one.key, kindName: kind?.name ?? one.kind, subject: Masking.maskResidentIDs(in: value(kind?.kind.subjectName)),
                formerCodes: one.formers.map { "\(Self.fieldName($0.field)) \($0.code)" }, authority: authority,
                decisionDate: one.decisionDate ?? "", creditCode: one.creditCode)
            if isMapped { mapped.append(entry) } else { unmapped.append(entry) }
        }
        let (declared, conflicts) = try node.store.formerCodeMappings()
        return CodeConversion(
            today: today.iso, total: total,
            authorities: perAuthority.values.sorted { ($0.unmapped, $0.filed, $1.name) > ($1.unmapped, $1.filed, $0.name) },
            unmapped: unmapped, mapped: mapped, declared: declared,
            conflicts: conflicts.map {
                Conflict(
                    fieldName: Self.fieldName($0.former.field), code: $0.former.code, creditCodes: $0.creditCodes, records: $0.records,
                    mismatched: $0.mismatched)
            })
    }
}
