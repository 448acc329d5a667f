import ArgumentParser
import CreditDomain
import CreditStore
import Foundation
import NodeRuntime

/// `credit-node complaint`: 失信举报 — the reports of dishonest conduct the public made on this
/// node's portal, and the office's answers, as `/ops/complaints` gives them.
struct ComplaintCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "complaint",
        abstract:
            "Reports of dishonest conduct (失信举报) made on the portal: list them, accept one and hand it to a unit, refuse it, or close it with the unit's finding; the reporter reads the answer with their code.",
        subcommands: [List.self, Accept.self, Refuse.self, Close.self, Evidence.self])

    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract:
                "The reports still to answer or close, oldest first, each against the catalogue's complaintWorkingDays; with --all the latest answered too. They may name their reporter and stay at this node."
        )
        @Flag(help: "Also the latest 100 answered (refused or closed).") var all = false
        @OptionGroup var node: NodeOptions
        @Flag(help: "Print the result as JSON.") var json = false

        struct Listed: Encodable {
            var complaint: Complaint
            var dueBy: String?
            var standing: String?
            /// The files that came with it (举报材料), without their bytes.
            var evidence: [Attachment] = []
        }

        func run() throws {
            try guarded {
                let context = try node.open()
                let today = ChinaTime.date(Date())
                let open = try ComplaintDesk(node: context).open(today: today).map {
                    Listed(complaint: $0.complaint, dueBy: $0.dueBy?.iso, standing: $0.dueBy == nil ? nil : $0.standing.rawValue)
                }
                let answered =
                    all
                    ? try context.store.answeredComplaints(limit: 100).map {
                        Listed(complaint: $0)
                    } : []
                let listed = try (open + answered).map { l in
                    var l = l
                    l.evidence = try context.store.attachments(of: .complaint, l.complaint.id)
                    return l
                }
                if json { return try printJSON(listed) }
                guard !listed.isEmpty else { return print(all ? "No reports of dishonest conduct" : "No reports of dishonest conduct to answer") }
                for l in listed {
                    let c = l.complaint
                    let at = ChinaTime.timestamp(Date(timeIntervalSince1970: Double(c.at) / 1000))
                    let due = l.dueBy.map { "  answer by \($0) (\(l.standing ?? ""))" } ?? ""
                    print("#\(c.id)  \(c.state.rawValue)  \(at)  \(c.category)  \(c.subjectName)\(c.subjectCode.map { " \($0)" } ?? "")\(due)")
                    print("      reporter: \(c.anonymous ? "anonymous" : [c.reporter, c.contact].compactMap { $0 }.joined(separator: " · "))")
                    print("      \(c.content.replacingOccurrences(of: "\n", with: " "))")
                    for e in l.evidence {
                        print("      file \(e.position): \(e.name) (\(e.type), \(e.size) bytes, sha256 \(e.sha256.prefix(16))…)")
                    }
                    if let unit = c.unit { print("      unit: \(unit)") }
                    if let finding = c.finding { print("      finding: \(finding.rawValue) (\(finding.name))") }
                    if let decision = c.decision { print("      \(c.state == .refused ? "refused" : "reply"): \(decision)") }
                }
            }
        }
    }

    struct Accept: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Accept a pending report and hand it to the unit that deals with it (the reporter reads its name).")
        @Argument(help: "The report's number.") var id: Int64
        @Option(help: "The unit that deals with it (承办单位).") var unit: String
        @OptionGroup var node: NodeOptions
        func run() throws {
            try guarded {
                try ComplaintDesk(node: try node.open()).accept(id: id, unit: unit, now: Date(), actor: .commandLine)
                print("Report \(id) accepted and handed to \(unit).")
            }
        }
    }

    struct Refuse: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Refuse a pending report with the reason the reporter reads.")
        @Argument(help: "The report's number.") var id: Int64
        @Option(help: "Why it is not accepted.") var reason: String
        @OptionGroup var node: NodeOptions
        func run() throws {
            try guarded {
                try ComplaintDesk(node: try node.open()).refuse(id: id, reason: reason, now: Date(), actor: .commandLine)
                print("Report \(id) refused.")
            }
        }
    }

    struct Close: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Close an accepted report with the unit's finding and the reply the reporter reads.")
        @Argument(help: "The report's number.") var id: Int64
        @Option(help: "What the unit found: substantiated (属实), partly (部分属实) or unfounded (不属实).") var finding: String
        @Option(help: "The reply (核查情况和处理结果).") var reply: String
        @Option(help: "The key of the record the unit entered about it (a penalty), if any.") var record: String?
        @OptionGroup var node: NodeOptions
        func run() throws {
            try guarded {
                guard let finding = Complaint.Finding(rawValue: finding) else {
                    throw ExitFailure(message: "--finding '\(finding)' is not one of substantiated, partly, unfounded", code: 64)
                }
                try ComplaintDesk(node: try node.open()).close(
                    id: id, finding: finding, reply: reply, record: record ?? "", now: Date(), actor: .commandLine)
                print("Report \(id) closed: \(finding.rawValue) (\(finding.name)).")
            }
        }
    }

    struct Evidence: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Write the files a report came with (举报材料) into a directory, for the unit that deals with it.",
            discussion: """
                Each file is written as REPORT-N-NAME (its place and the name it had on the reporter's device), as it came; \
                an existing file is never overwritten (exit 73). They stay at this node: hand them to the unit, never publish them.
                """)
        @Argument(help: "The report's number.") var id: Int64
        @Option(help: "The directory to write into (made if missing).") var out: String
        @OptionGroup var node: NodeOptions
        func run() throws {
            try guarded {
                let store = try node.open().store
                guard try store.complaint(id: id) != nil else { throw ExitFailure(message: "no report \(id) at this node", code: 66) }
                try writeAttachments(store, of: .complaint, id, into: out, none: "Report \(id) came with no files.")
            }
        }
    }
}

/// Writes `owner` `id`'s files into the directory `out` (made if missing) as `ID-N-NAME`, as they
/// came, each with its type, size and SHA-256 printed; an existing file is never overwritten
/// (exit 73); `none` is printed when there are none.
func writeAttachments(_ store: NodeStore, of owner: AttachmentOwner, _ id: Int64, into out: String, none: String) throws {
    let files = try store.attachments(of: owner, id)
    guard !files.isEmpty else { return print(none) }
    let dir = URL(fileURLWithPath: out)
    try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
    for a in files {
        guard let found = try store.attachment(of: owner, id, position: a.position) else { continue }
        let url = dir.appendingPathComponent("\(id)-\(a.position)-\(a.name.replacingOccurrences(of: "/", with: "_"))")
        guard !FileManager.default.fileExists(atPath: url.path) else {
            throw ExitFailure(message: "\(url.path) exists: choose another --out, nothing is overwritten", code: 73)
        }
        try Data(found.bytes).write(to: url, options: .withoutOverwriting)
        print("\(url.path)  \(a.type), \(a.size) bytes, sha256 \(a.sha256)")
    }
}
