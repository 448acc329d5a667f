import CreditDomain
import CreditStore
import Foundation

/// Why a register could not be reconciled: it names what to fix.
public struct ReconciliationError: Error, Hashable, Sendable, CustomStringConvertible {
    public var message: String
    public var description: String { message }
}

/// A department's case register reconciled with what this node holds for that department
/// (`credit-node reconcile`, the operators' `/ops/reconcile`): read, compared, forgotten.
public struct RegisterReconciliation: Sendable {
    public let node: NodeContext

    public init(node: NodeContext) { self.node = node }

    /// Compares the register's `bytes` (CSV, UTF-8 or GB18030) with the decisions of `authority`
    /// (its unified social credit code). `kind` is the kind of every line when the register has no
    /// 类别 column.
    public func run(_ bytes: [UInt8], authority: String, kind: String?, encoding: TextEncoding? = nil) throws -> Reconciliation.Report {
        let authority = authority.trimmingCharacters(in: .whitespaces).uppercased()
        guard (try? SocialCreditCode(authority)) != nil else {
            throw ReconciliationError(
                message: "“\(Masking.maskResidentIDs(in: authority))”不是统一社会信用代码：请填写决定机关的 18 位统一社会信用代码")
        }
        let defaultKind = try kind.map { try node.catalogue.kind(named: $0).slug }
        let entries: [Reconciliation.Entry], refused: [Reconciliation.Refused]
        do {
            let text = try TextDecoding.decode(bytes, encoding: encoding).text
            (entries, refused) = try Reconciliation.read(text, defaultKind: defaultKind) { try? node.catalogue.kind(named: $0).slug }
        } catch {
            throw ReconciliationError(message: "台账无法读取：\(error.message) [\(error.code.rawValue)]")
        }
        var held: [Reconciliation.Held] = []
        for slug in Set(entries.map(\.kind)).sorted() {
            guard let numbering = node.resolvedKinds[slug]?.decisionNumbering else { continue }
            held += try node.store.decisions(kind: slug, authorityField: numbering.authority, authority: authority, numberField: numbering.number)
        }
        return Reconciliation.compare(authority: authority, register: entries, held: held, refused: refused)
    }
}
