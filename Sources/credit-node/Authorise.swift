import ArgumentParser
import CreditDomain
import CreditStore
import Foundation
import NodeRuntime

/// `credit-node authorise`: 授权查询 at the credit office's window — an authorisation issued for
/// a subject whose identity the office has checked, listed, or revoked (`AuthorisationDesk`).
struct Authorise: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract:
            "授权查询: let a named party see a subject's records disclosed only with its authorisation (个人信用积分) on this node's portal (/authorised), for a purpose and a number of days.",
        discussion:
            "The subject's identity is checked at the window first. The code is printed once and not kept (only its digest): hand it to the subject. Authorisations stay at this node; every query made with one is noted.",
        subcommands: [Issue.self, List.self, Revoke.self])

    struct Issue: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Issue an authorisation and print its code (shown this once).")
        @Argument(help: "The subject's unified social credit code or resident ID number.") var subject: String
        @Option(help: "Who may look (被授权方), e.g. a bank's branch.") var grantee: String
        @Option(help: "What for (授权用途), e.g. 信易贷贷款审查.") var purpose: String
        @Option(help: "For how many days, today included (1 to 366).") var days = AuthorisationDesk.defaultDays
        @Option(name: .customLong("kind"), help: "A kind it covers (repeatable; default: every kind disclosed only with authorisation).")
        var kinds: [String] = []
        @OptionGroup var node: NodeOptions
        @Flag(help: "Print the result as JSON.") var json = false
        func run() throws {
            try guarded {
                let (a, code) = try AuthorisationDesk(node: try node.open()).issue(
                    subject: subject, grantee: grantee, purpose: purpose, days: days, kinds: kinds.isEmpty ? nil : kinds, actor: .commandLine)
                let grouped = ObjectionRequestCode.grouped(code)
                if json { return try printJSON(AuthorisationLine(a, code: grouped)) }
                print("Authorisation \(a.id) issued: \(a.subjectName) (\(shownSubject(a.subject))) to \(a.grantee) for \(a.purpose)")
                print("  valid \(a.validFrom) to \(a.validUntil), kinds \(a.kinds.joined(separator: ", "))")
                print("  code \(grouped) — hand it to the subject; it is not kept and cannot be shown again")
            }
        }
    }

    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "The authorisations in force, ending soonest first; with --all the last 100 ended too.")
        @Flag(help: "Also the last 100 revoked or past their days.") var all = false
        @OptionGroup var node: NodeOptions
        @Flag(help: "Print the result as JSON.") var json = false
        func run() throws {
            try guarded {
                let today = ChinaTime.date(Date()).iso
                let list = try node.open().store.authorisations(today: today, ended: all ? 100 : 0)
                if json { return try printJSON(list.map { AuthorisationLine($0, today: today) }) }
                guard !list.isEmpty else { return print(all ? "No authorisations" : "No authorisations in force") }
                for a in list {
                    let line = AuthorisationLine(a, today: today)
                    print(
                        "#\(a.id)  \(line.state)  \(a.validFrom)..\(a.validUntil)  \(a.subjectName) (\(line.subject))  → \(a.grantee) · \(a.purpose)")
                    print(
                        "      kinds \(a.kinds.joined(separator: ", ")); \(a.uses) queries\(line.lastUsedAt.map { ", last \($0)" } ?? ""); issued by \(a.issuedBy)"
                    )
                    if let reason = a.revokeReason { print("      revoked: \(reason)") }
                }
            }
        }
    }

    struct Revoke: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Revoke an authorisation at once (the subject asked, or it was issued in error).")
        @Argument(help: "The authorisation's number.") var id: Int64
        @Option(help: "Why it is revoked.") var reason: String
        @OptionGroup var node: NodeOptions
        func run() throws {
            try guarded {
                try AuthorisationDesk(node: try node.open()).revoke(id: id, reason: reason, actor: .commandLine)
                print("Authorisation \(id) revoked.")
            }
        }
    }
}

/// A subject's code as printed: a resident ID number masked.
private func shownSubject(_ code: String) -> String { (try? ResidentID(code)) != nil ? Masking.mask(code) : code }

/// An authorisation as `list --json` and `issue --json` print it (a resident ID number masked).
struct AuthorisationLine: Encodable {
    var id: Int64
    var subject: String
    var subjectName: String
    var grantee: String
    var purpose: String
    var kinds: [String]
    var validFrom: String
    var validUntil: String
    /// 有效, 已到期 or 已撤销.
    var state: String
    var issuedBy: String
    var uses: Int
    var lastUsedAt: String?
    var revokeReason: String?
    /// Only when issued.
    var code: String?

    init(_ a: Authorisation, today: String = ChinaTime.date(Date()).iso, code: String? = nil) {
        id = a.id
        subject = shownSubject(a.subject)
        subjectName = a.subjectName
        grantee = a.grantee
        purpose = a.purpose
        kinds = a.kinds
        validFrom = a.validFrom
        validUntil = a.validUntil
        state = a.stateName(today: today)
        issuedBy = a.issuedBy
        uses = a.uses
        lastUsedAt = a.lastUsedAt.map { ChinaTime.timestamp(Date(timeIntervalSince1970: Double($0) / 1000)) }
        revokeReason = a.revokeReason
        self.code = code
    }
}
