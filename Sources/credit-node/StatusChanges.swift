import ArgumentParser
import CreditDomain
import CreditStore
import Foundation
import NodeRuntime

/// What every status change states: why, who decided, when.
struct DecisionOptions: ParsableArguments {
    @Option(help: "Why (kept with the change and shown in the record's history).")
    var reason: String

    @Option(help: "The deciding unit (决定单位).")
    var unit: String

    @Option(help: "The deciding unit's unified social credit code.")
    var unitCode: String?

    @Option(help: "The day of the decision, YYYY-MM-DD (default: today in China).")
    var date: String?

    func status(_ action: StatusAction, outcome: String? = nil, notice: String? = nil) throws -> StatusChange {
        let day: CivilDate
        if let date {
            guard let d = CivilDate.parse(date) else { throw ExitFailure(message: "--date '\(date)' is not a date (YYYY-MM-DD)", code: 64) }
            day = d
        } else {
            day = ChinaTime.date(Date())
        }
        return StatusChange(action: action, date: day, reason: reason, unit: unit, unitCode: unitCode, outcome: outcome, notice: notice)
    }
}

/// Enters a status change and prints what it did.
func enterStatus(_ node: NodeOptions, key: String, _ status: () throws -> StatusChange, json: Bool) throws {
    let context = try node.open()
    let report = try StatusDesk(node: context).enter(key: key, try status(), actor: .commandLine)
    if json {
        try printJSON(report)
    } else {
        print(
            "\(report.action) entered for \(report.recordKey) as \(report.origin) seq \(report.seq); the record is now \(report.state) (\(report.stateLabel)). It reaches the other tiers with the next sync."
        )
    }
}

struct Objection: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract:
            "Objections (异议): open one on a record (shown as 异议处理中 everywhere), or close it with its outcome; decide the public's objections and repair applications.",
        subcommands: [Open.self, Assist.self, Close.self, List.self, Requests.self, Accept.self, GrantRepair.self, Refuse.self, Evidence.self])

    struct Open: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Accept an objection: the record shows 异议处理中 at every node until it is closed.")
        @Argument(help: "The record key (from `credit-node query`).") var key: String
        @OptionGroup var decision: DecisionOptions
        @OptionGroup var node: NodeOptions
        @Flag(help: "Print the result as JSON.") var json = false
        func run() throws { try guarded { try enterStatus(node, key: key, { try decision.status(.objectionOpened) }, json: json) } }
    }

    struct Assist: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract:
                "Mark an open objection for assisted verification (协查): another unit must help verify it, and its time limit becomes the catalogue's objectionWorkingDays.assisted at every node."
        )
        @Argument(help: "The record key.") var key: String
        @OptionGroup var decision: DecisionOptions
        @OptionGroup var node: NodeOptions
        @Flag(help: "Print the result as JSON.") var json = false
        func run() throws { try guarded { try enterStatus(node, key: key, { try decision.status(.objectionAssisted) }, json: json) } }
    }

    struct Close: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Close an objection: kept (the record stands), corrected, or withdrawn.")
        @Argument(help: "The record key.") var key: String
        @Option(help: "kept, corrected or withdrawn.") var outcome: String
        @OptionGroup var decision: DecisionOptions
        @OptionGroup var node: NodeOptions
        @Flag(help: "Print the result as JSON.") var json = false
        func run() throws { try guarded { try enterStatus(node, key: key, { try decision.status(.objectionClosed, outcome: outcome) }, json: json) } }
    }
}

extension Objection {
    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract:
                "List the objections open at this node, oldest first, each with its time limit (the catalogue's objectionWorkingDays, in working days from its opening: the assisted one once marked with `objection assist`) and where it stands: within, last-day (due today) or overdue."
        )
        @OptionGroup var node: NodeOptions
        @Flag(help: "Print the result as JSON.") var json = false
        func run() throws {
            try guarded {
                let context = try node.open()
                let open = try context.openObjections(today: ChinaTime.date(Date()))
                if json { return try printJSON(open) }
                guard !open.isEmpty else { return print("No objection is open at this node") }
                let late = open.filter(\.pastLimit).count
                print("\(open.count) objection(s) open, \(late) past the time limit")
                for o in open {
                    let limit =
                        o.limits.map {
                            o.assisted
                                ? "due \($0.assisted) (assisted verification)\($0.provisional ? ", provisional" : "")"
                                : "due \($0.decide) (\($0.assisted) if assisted)\($0.provisional ? ", provisional" : "")"
                        } ?? "no time limit"
                    print("\(o.standing.rawValue)  opened \(o.openedOn.map(\.iso) ?? "?")  \(limit)  \(o.kind)  \(o.key)")
                }
            }
        }
    }

    struct Requests: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract:
                "List what the public submitted on the portal — objections (异议申诉) and credit repair applications (信用修复申请): pending first. They hold the requester's contact and stay at this node."
        )
        @Flag(help: "Also those already accepted or refused.") var all = false
        @OptionGroup var node: NodeOptions
        @Flag(help: "Print the result as JSON.") var json = false
        func run() throws {
            try guarded {
                let context = try node.open()
                let requests = try ObjectionDesk(node: context).requests(includeDecided: all)
                if json {
                    return try printJSON(
                        requests.map {
                            Listed(request: $0.request, movedTo: $0.movedTo, evidence: try context.store.attachments(of: .request, $0.request.id))
                        })
                }
                guard !requests.isEmpty else { return print(all ? "No requests from the public" : "No pending requests from the public") }
                for (r, moved) in requests {
                    let at = ChinaTime.timestamp(Date(timeIntervalSince1970: Double(r.at) / 1000))
                    print("#\(r.id)  \(r.purpose.rawValue) \(r.purpose.name)  \(r.state)  \(at)  \(r.recordKey)")
                    print("      \(r.name) · \(r.contact)")
                    print("      \(Masking.maskResidentIDs(in: r.reason))")
                    for a in try context.store.attachments(of: .request, r.id) {
                        print("      file \(a.position): \(a.name) (\(a.type), \(a.size) bytes, sha256 \(a.sha256.prefix(16))…)")
                    }
                    if let d = r.decision { print("      decision: \(d)") }
                    if let moved {
                        print(
                            "      moved: a correction put the record in \(moved), outside this node's area; it cannot be accepted here. Refuse it, sending the person there:"
                        )
                        print("      credit-node objection refuse \(r.id) --reason '\(ObjectionDesk.movedAwayRefusal(moved))' --config …")
                    }
                }
            }
        }

        /// A request as `--json` lists it: its fields, and `movedTo` when its record now lies elsewhere.
        struct Listed: Encodable {
            var request: ObjectionRequest
            var movedTo: String?
            /// The files that came with it (证明材料), without their bytes.
            var evidence: [Attachment]

            enum Keys: String, CodingKey { case movedTo, evidence }

            func encode(to encoder: any Encoder) throws {
                try request.encode(to: encoder)
                var c = encoder.container(keyedBy: Keys.self)
                try c.encodeIfPresent(movedTo, forKey: .movedTo)
                try c.encode(evidence, forKey: .evidence)
            }
        }
    }

    struct Evidence: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Write the files a request from the public came with (证明材料) into a directory, for the unit that checks it.",
            discussion: """
                Each file is written as REQUEST-N-NAME, as it came; an existing file is never overwritten (exit 73). They stay \
                at this node: never publish them.
                """)
        @Argument(help: "The request's number.") var id: Int64
        @Option(help: "The directory to write into (made if missing).") var out: String
        @OptionGroup var node: NodeOptions
        func run() throws {
            try guarded {
                let store = try node.open().store
                guard try store.objectionRequest(id: id) != nil else { throw ExitFailure(message: "no request \(id) at this node", code: 66) }
                try writeAttachments(store, of: .request, id, into: out, none: "Request \(id) came with no files.")
            }
        }
    }

    /// What deciding a request from the public takes: its number, the deciding unit, the node.
    struct RequestDecision: ParsableArguments {
        @Argument(help: "The request's number (from `objection requests`).") var id: Int64
        @Option(help: "The deciding unit (决定单位).") var unit: String
        @Option(help: "The deciding unit's unified social credit code.") var unitCode: String?
        @OptionGroup var node: NodeOptions
        @Flag(help: "Print the result as JSON.") var json = false
    }

    struct Accept: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Accept an objection request: the objection is opened as `objection open` does (异议处理中 at every tier).")
        @OptionGroup var decision: RequestDecision
        @Option(help: "The reason entered with the objection (default: 公众异议申诉（第 N 号申请）).") var reason: String?
        func run() throws {
            try guarded {
                let (id, d) = (decision.id, decision)
                let report = try ObjectionDesk(node: try d.node.open()).accept(
                    id: id, unit: d.unit, unitCode: d.unitCode, reason: reason, actor: .commandLine)
                if d.json { return try printJSON(["request": "\(id)", "state": report?.state ?? "objected"]) }
                if let report {
                    print(
                        "Request \(id) accepted: objection opened on \(report.recordKey) as \(report.origin) seq \(report.seq); it reaches the other tiers with the next sync."
                    )
                } else {
                    print("Request \(id) accepted: the record was already under objection.")
                }
            }
        }
    }

    struct GrantRepair: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract:
                "Grant a credit repair application (信用修复申请): the repair is entered as `repair` does (publicity stops at every tier); refused before the minimum publicity period ends."
        )
        @OptionGroup var decision: RequestDecision
        @Option(help: "The number of the 信用修复告知书 (credit repair notice); it travels with the change.") var notice: String
        func run() throws {
            try guarded {
                let (id, d) = (decision.id, decision)
                let report = try ObjectionDesk(node: try d.node.open()).grantRepair(
                    id: id, unit: d.unit, unitCode: d.unitCode, notice: notice, actor: .commandLine)
                if d.json { return try printJSON(["request": "\(id)", "state": report.state]) }
                print(
                    "Request \(id) granted: \(report.recordKey) repaired as \(report.origin) seq \(report.seq); it reaches the other tiers with the next sync."
                )
            }
        }
    }

    struct Refuse: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Refuse an objection or a repair application, with the reason (kept for the requester's enquiry).")
        @Argument(help: "The request's number.") var id: Int64
        @Option(help: "Why it is refused.") var reason: String
        @OptionGroup var node: NodeOptions
        func run() throws {
            try guarded {
                try ObjectionDesk(node: try node.open()).refuse(id: id, reason: reason)
                print("Request \(id) refused.")
            }
        }
    }
}

struct Repair: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Credit repair (信用修复): publicity of the record stops at every node.",
        discussion:
            "Possible only after the kind's minimum publicity period (catalogue data from 《信用修复管理办法》); the refusal names the first possible day.")
    @Argument(help: "The record key.") var key: String
    @Option(help: "The number of the 信用修复告知书 (credit repair notice); it travels with the change.") var notice: String
    @OptionGroup var decision: DecisionOptions
    @OptionGroup var node: NodeOptions
    @Flag(help: "Print the result as JSON.") var json = false
    func run() throws { try guarded { try enterStatus(node, key: key, { try decision.status(.repaired, notice: notice) }, json: json) } }
}

struct Withdraw: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Withdraw a record whose decision was revoked or changed (撤销): it is no longer shown anywhere.")
    @Argument(help: "The record key.") var key: String
    @OptionGroup var decision: DecisionOptions
    @OptionGroup var node: NodeOptions
    @Flag(help: "Print the result as JSON.") var json = false
    func run() throws { try guarded { try enterStatus(node, key: key, { try decision.status(.withdrawn) }, json: json) } }
}

struct Expire: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "End the publicity of this node's own records whose publicity period is over (serve does it hourly).")
    @OptionGroup var node: NodeOptions
    @Flag(help: "Print the result as JSON.") var json = false
    func run() throws {
        try guarded {
            let reports = try StatusDesk(node: try node.open()).endDuePublicity()
            if json { try printJSON(reports) } else { print("Publicity ended for \(reports.count) record(s)") }
        }
    }
}

struct Check: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Joint-punishment check (信用核查): is the subject on a network-wide list, which, since when, with which measures — from local data.")
    @Argument(help: "The subject's unified social credit code or ID number.") var code: String
    @OptionGroup var node: NodeOptions
    @Flag(help: "Print the result as JSON.") var json = false
    func run() throws {
        try guarded {
            let context = try node.open()
            let result = try CreditCheck(node: context).check(code)
            if json {
                try printJSON(result)
                return
            }
            let who = "\(result.subject)\(result.name.map { "  \($0)" } ?? "")"
            if result.listings.isEmpty {
                print("\(who): on no network-wide list at node \(result.node) as of \(result.asOf)")
                return
            }
            let ownSanction = result.listings.contains { $0.effect == "sanction" && $0.role == "subject" }
            let verdict =
                ownSanction
                ? "RESTRICTED — on a joint-punishment list (一处失信，处处受限)"
                : result.restricted
                    ? "RESTRICTED — legal representative (法定代表人) of a subject on a joint-punishment list" : "on a joint-incentive list"
            print("\(who): \(verdict) at node \(result.node) as of \(result.asOf)")
            if result.conflict {
                print(
                    "CONFLICT 红黑名单冲突: on a joint-punishment list and a joint-incentive list at once; grant no incentive until the deciding units resolve it"
                )
            }
            for l in result.listings {
                print("")
                print("\(l.kindName) · \(l.list)\(l.state == "objected" ? " · 异议处理中 (objection open)" : "")")
                if l.role == "legal-representative" {
                    print("  as legal representative 法定代表人 of: \(l.entityName ?? "—") \(l.entityCode ?? "")")
                }
                print("  since 列入日期: \(l.since ?? "—")\(l.until.map { "   until 有效期至: \($0)" } ?? "")")
                print("  measures 措施: \(l.measures)")
                print("  decided by 认定单位: \(l.unit)   record \(l.recordKey) from \(l.origin)")
            }
        }
    }
}
