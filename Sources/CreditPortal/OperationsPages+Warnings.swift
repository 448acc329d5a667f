import CreditDomain
import Foundation
import NodeRuntime

extension OperationsPages {
    /// `/ops/warnings`: 重点领域预警 — each key area's cases month by month, and the areas and
    /// regions whose last whole month rose past the catalogue's rule.
    struct WarningsPage: Sendable, Encodable {
        var head: Head
        /// Nil when the catalogue sets no `keyAreas`.
        var figures: KeyAreaWarnings?
        var anyWarning: Bool
        /// The rule in words (`至少 5 件，且不低于前 5 个月平均的 1.5 倍`).
        var rule: String
        /// When the figures were computed (they are kept a while: `KeyAreaWarnings.latest`).
        var builtAt: String
    }

    func warnings(reader: String, now: Date) throws -> WarningsPage {
        let (figures, at) = try KeyAreaWarnings.latest(node, now: now)
        let rule = node.catalogue.keyAreas?.ruleInWords
        return WarningsPage(
            head: head(title: "重点领域预警", reader: reader, now: now), figures: figures, anyWarning: !(figures?.warned.isEmpty ?? true),
            rule: rule ?? "", builtAt: PortalPages.readable(ChinaTime.timestamp(at)))
    }
}
