import ArgumentParser
import CreditDomain
import Foundation
import NodeRuntime

struct Kinds: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "List the catalogue's record kinds, their field codes and disclosure scope.")

    @Option(help: "A catalogue file (default: the one shipped with credit-node).")
    var catalogue: String?

    @Flag(help: "Also list every field.")
    var fields = false

    @Flag(
        help:
            "Also say each kind's publication rules as the portal's 公示目录 says them: the time limit, how long a record is shown, when its subject may ask for credit repair (check a province's catalogue before signing it)."
    )
    var rules = false

    @Flag(help: "Print the result as JSON.")
    var json = false

    struct Output: Encodable {
        var version: String
        var kinds: [Kind]
        /// With `--rules`: the 重点领域预警's areas and when a month is a warning.
        var keyAreas: KeyAreas?
        var keyAreasRule: String?
        struct Kind: Encodable {
            var slug: String
            var name: String
            var prefix: String
            var scope: String
            var networkWide: Bool
            var fields: [Field]
            /// With `--rules`: 公示时限, 公示期限, 信用修复 in words.
            var deadline: String?
            var period: [RuleInWords]?
            var repair: [RuleInWords]?
        }
        struct Field: Encodable {
            var code: String
            var name: String
            var type: String
            var required: Bool
        }
    }

    func run() throws {
        try guarded {
            let cat = try catalogue.map { try Catalogue.load(from: URL(fileURLWithPath: $0)) } ?? Catalogue.bundled()
            let kinds = try cat.resolvedKinds()
            let output = Output(
                version: cat.version,
                kinds: kinds.map { k in
                    .init(
                        slug: k.slug, name: k.name, prefix: k.kind.prefix, scope: k.scope.rawValue, networkWide: k.kind.networkWide,
                        fields: k.fields.map { .init(code: k.kind.fullCode($0.code), name: $0.name, type: $0.type.rawValue, required: $0.required) },
                        deadline: rules ? k.deadlineInWords : nil, period: rules ? k.periodInWords : nil, repair: rules ? k.repairInWords : nil)
                }, keyAreas: rules ? cat.keyAreas : nil, keyAreasRule: rules ? cat.keyAreas?.ruleInWords : nil)
            if json {
                try printJSON(output)
                return
            }
            print("Catalogue \(cat.version): \(kinds.count) kinds")
            for k in output.kinds {
                print(
                    "  \(k.slug.padding(toLength: 13, withPad: " ", startingAt: 0)) \(k.name)  \(k.prefix)*  \(k.scope)\(k.networkWide ? ", network-wide" : "")"
                )
                if fields {
                    for f in k.fields {
                        print(
                            "      \(f.code.padding(toLength: 14, withPad: " ", startingAt: 0)) \(f.name)  \(f.type)\(f.required ? ", required" : "")"
                        )
                    }
                }
                if rules {
                    if let deadline = k.deadline { print("      公示时限  \(deadline)") }
                    for (i, line) in (k.period ?? []).enumerated() { print("      \(i == 0 ? "公示期限" : "        ")  \(line.when)：\(line.rule)") }
                    for (i, line) in (k.repair ?? []).enumerated() { print("      \(i == 0 ? "信用修复" : "        ")  \(line.when)：\(line.rule)") }
                }
            }
            if rules, let key = output.keyAreas, let rule = output.keyAreasRule {
                let fields = key.fields.joined(separator: "、")
                print("重点领域预警 (keyAreas): \(key.kind) by \(fields); a month is a warning at \(rule)")
                for a in key.areas { print("  \(a.name)  \(a.keywords.joined(separator: "、"))") }
            }
        }
    }
}
