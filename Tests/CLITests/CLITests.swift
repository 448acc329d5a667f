#if canImport(Glibc)
    import Glibc
#endif
import CreditDomain
import CreditStore
import Foundation
import NodeRuntime
#if canImport(FoundationNetworking)
    import FoundationNetworking
#endif
import TestSupport
import Testing

/// The built binary, next to the test bundle in the build products directory.
let binary: String = {
    var dir = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
    for _ in 0..<4 {
        let candidate = dir.appendingPathComponent("credit-node").path
        if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
        dir = dir.deletingLastPathComponent()
    }
    let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    return root.appendingPathComponent(".build/debug/credit-node").path
}()

struct Run {
    var status: Int32
    var stdout: String
    var stderr: String
    func json() throws -> [String: Any] {
        try #require(try JSONSerialization.jsonObject(with: Data(stdout.utf8)) as? [String: Any])
    }
}

@discardableResult
func run(_ arguments: [String], in directory: URL, executable: String = binary) throws -> Run {
    let p = Process()
    p.executableURL = URL(fileURLWithPath: executable)
    p.arguments = arguments
    p.currentDirectoryURL = directory
    let out = Pipe()
    let err = Pipe()
    p.standardOutput = out
    p.standardError = err
    try p.run()
    let o = out.fileHandleForReading.readDataToEndOfFile()
    let e = err.fileHandleForReading.readDataToEndOfFile()
    p.waitUntilExit()
    return Run(status: p.terminationStatus, stdout: String(decoding: o, as: UTF8.self), stderr: String(decoding: e, as: UTF8.self))
}

/// A temporary directory in which commands run.
final class Workspace: Sendable {
    let directory: TemporaryDirectory
    var url: URL { directory.url }
    init() throws { directory = try TemporaryDirectory(prefix: "creditnet-cli") }
    @discardableResult
    func callAsFunction(_ args: String...) throws -> Run { try run(args, in: url) }
    func callAsFunction(_ args: [String]) throws -> Run { try run(args, in: url) }
}

@Suite("credit-node command line", .serialized)
struct CLITests {
    /// `kinds --rules`: each kind's publication rules in the words of the portal's 公示目录, for the
    /// shipped catalogue and for a province's own before it is signed.
    @Test func kindsSaysEachKindsPublicationRulesAsThePortalDoes() throws {
        let ws = try Workspace()
        let text = try ws("kinds", "--rules")
        #expect(text.status == 0 && text.stdout.contains("公示时限  自处罚决定日期起 7 个工作日内公示"), "\(text.stderr)")
        #expect(text.stdout.contains("警告、通报批评：自处罚决定日期起公示 3 个月") && text.stdout.contains("全部：最短公示期 1 年（自列入日期起），期满后可申请"))
        #expect(!(try ws("kinds").stdout.contains("公示期限")))
        #expect(text.stdout.contains("a month is a warning at 至少 5 件，且不低于前 5 个月月均的 1.5 倍") && text.stdout.contains("  安全生产  安全生产、应急管理"))
        var catalogue = try Catalogue.bundled()
        for i in catalogue.kinds.indices where catalogue.kinds[i].slug == "penalty" { catalogue.kinds[i].publicity?.monthsByValue?["警告"] = 6 }
        try JSONEncoder().encode(catalogue).write(to: ws.url.appendingPathComponent("province.json"))
        let json = try ws("kinds", "--rules", "--catalogue", "province.json", "--json")
        let kinds = try #require((try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [String: Any])?["kinds"] as? [[String: Any]])
        let penalty = try #require(kinds.first { $0["slug"] as? String == "penalty" })
        let period = try #require(penalty["period"] as? [[String: String]])
        #expect(period.contains(["when": "警告", "rule": "自处罚决定日期起公示 6 个月"]) && penalty["deadline"] as? String == "自处罚决定日期起 7 个工作日内公示")
        // A catalogue that does not load is refused, saying why.
        try Data("{}".utf8).write(to: ws.url.appendingPathComponent("broken.json"))
        #expect(try ws("kinds", "--rules", "--catalogue", "broken.json").status == 78)
    }

    @Test func pkiSignsOnlyControlDataThatLoads() throws {
        let ws = try Workspace()
        #expect(try ws("pki", "init", "--out", "ca").status == 0)
        try Data(#"{"year": 2027, "source": "t", "daysOff": [], "workingWeekends": []}"#.utf8).write(to: ws.url.appendingPathComponent("2027.json"))
        let signed = try ws("pki", "sign", "--ca", "ca", "--name", "calendars/2027.json", "--file", "2027.json", "--out", "control")
        #expect(signed.status == 0, "\(signed.stderr)")
        #expect(FileManager.default.fileExists(atPath: ws.url.appendingPathComponent("control/calendars/2027.json.sig").path))
        try Data(#"{"year": 2027, "daysOff": [{"from": "2027-02-30", "to": "2027-03-01"}]}"#.utf8).write(
            to: ws.url.appendingPathComponent("bad.json"))
        #expect(try ws("pki", "sign", "--ca", "ca", "--name", "calendars/2027.json", "--file", "bad.json", "--out", "control").status == 78)
        #expect(try ws("pki", "sign", "--ca", "ca", "--name", "../../etc/passwd", "--file", "2027.json", "--out", "control").status == 64)
        // The division directory (行政区划名录): signed when it loads, refused with the entry to fix.
        try Data(#"{"source": "t", "divisions": {"429004001201": "沙嘴一村"}}"#.utf8).write(to: ws.url.appendingPathComponent("divisions.json"))
        #expect(try ws("pki", "sign", "--ca", "ca", "--name", "divisions.json", "--file", "divisions.json", "--out", "control").status == 0)
        #expect(FileManager.default.fileExists(atPath: ws.url.appendingPathComponent("control/divisions.json.sig").path))
        try Data(#"{"divisions": {"429004": "仙桃市"}}"#.utf8).write(to: ws.url.appendingPathComponent("short.json"))
        let short = try ws("pki", "sign", "--ca", "ca", "--name", "divisions.json", "--file", "short.json", "--out", "other")
        #expect(short.status == 78 && short.stderr.contains("\"429004\" is not a 12-digit division code"), "\(short.stderr)")
        #expect(!FileManager.default.fileExists(atPath: ws.url.appendingPathComponent("other/divisions.json").path))
    }

    @Test func objectionRepairCheckAndExpireFromTheCommandLine() throws {
        let ws = try Workspace()
        #expect(try ws("init", "--code", "420102002201", "--data", "v", "--parent", "https://127.0.0.1:7400").status == 0)
        #expect(
            try ws(
                "generate", "--config", "v/node.yaml", "--kind", "blacklist", "--rows", "6", "--seed", "2", "--faults", "0", "--late", "0", "--as-of",
                "2026-11-20", "--out", "b.csv"
            ).status == 0)
        #expect(try ws("ingest", "b.csv", "--kind", "blacklist", "--config", "v/node.yaml").status == 0)
        let lines = try String(contentsOf: ws.url.appendingPathComponent("b.csv"), encoding: .utf8).split(whereSeparator: \.isNewline).dropFirst()
        // A subject whose listing is in force (名单状态 有效) is restricted; the check names the list and measures.
        let subjects = lines.compactMap { line in line.split(separator: ",").map(String.init).first { $0.count == 18 && $0.first == "9" } }
        var restricted: [String: Any]?
        for s in subjects {
            let r = try ws("check", s, "--config", "v/node.yaml", "--json")
            #expect(r.status == 0, "\(r.stderr)")
            if try r.json()["restricted"] as? Bool == true { restricted = try r.json() }
        }
        let hit = try #require(restricted)
        let listing = try #require((hit["listings"] as? [[String: Any]])?.first)
        #expect(listing["kindName"] as? String == "严重失信主体名单" && (listing["measures"] as? String)?.isEmpty == false)
        let subject = try #require(hit["subject"] as? String)
        let key = try #require(listing["recordKey"] as? String)
        // Not on any list: said so. A malformed code: refused with the reason, exit 64.
        #expect(try ws("check", "91110000600037341L", "--config", "v/node.yaml").stdout.contains("on no network-wide list"))
        #expect(try ws("check", "91110000600037341X", "--config", "v/node.yaml").status == 64)

        // An objection: the public view shows 异议处理中; the check shows it too.
        let opened = try ws("objection", "open", key, "--reason", "主体称已履行", "--unit", "江岸区发改局", "--config", "v/node.yaml", "--json")
        #expect(opened.status == 0, "\(opened.stderr)")
        #expect(try opened.json()["state"] as? String == "objected")
        #expect(try ws("query", subject, "--public", "--config", "v/node.yaml").stdout.contains("异议处理中"))
        // Listed as open today, within its time limit of three working days; `status` counts it.
        #expect(try ws("status", "--config", "v/node.yaml").stdout.contains("objections: 1 open, 0 past the time limit"))
        let open = try ws("objection", "list", "--config", "v/node.yaml")
        #expect(open.status == 0 && open.stdout.contains("1 objection(s) open, 0 past the time limit") && open.stdout.contains("within  opened "))
        let listedJSON = try ws("objection", "list", "--config", "v/node.yaml", "--json")
        let listed = try #require(try JSONSerialization.jsonObject(with: Data(listedJSON.stdout.utf8)) as? [[String: Any]])
        #expect(listed.count == 1 && listed[0]["standing"] as? String == "within" && listed[0]["key"] as? String == key, "\(listedJSON.stdout)")
        #expect(listed[0]["assisted"] as? Bool == false)
        // Another unit must help verify (协查): the limit becomes the assisted one; marked once only.
        let assisted = try ws("objection", "assist", key, "--reason", "需税务部门核实", "--unit", "江岸区发改局", "--config", "v/node.yaml", "--json")
        #expect(assisted.status == 0, "\(assisted.stderr)")
        #expect(try assisted.json()["state"] as? String == "objected")
        #expect(try ws("objection", "list", "--config", "v/node.yaml").stdout.contains("(assisted verification)"))
        let again = try ws("objection", "assist", key, "--reason", "x", "--unit", "y", "--config", "v/node.yaml")
        #expect(again.status == 65 && again.stderr.contains("already-assisted"), "\(again.stderr)")
        // Refused: opening it twice, repairing an unknown record, no reason given.
        let twice = try ws("objection", "open", key, "--reason", "x", "--unit", "y", "--config", "v/node.yaml")
        #expect(twice.status == 65 && twice.stderr.contains("not-applicable"))
        #expect(try ws("repair", "blacklist|none|none", "--notice", "n1", "--reason", "x", "--unit", "y", "--config", "v/node.yaml").status == 66)
        #expect(try ws("repair", key, "--notice", "n1", "--unit", "y", "--config", "v/node.yaml").status == 64)
        #expect(try ws("repair", key, "--reason", "x", "--unit", "y", "--config", "v/node.yaml").status == 64)  // no 信用修复告知书
        #expect(try ws("objection", "close", key, "--outcome", "perhaps", "--reason", "x", "--unit", "y", "--config", "v/node.yaml").status == 65)
        // Closed with the record withdrawn: gone from the public view and from the check; kept with its history for government sharing.
        #expect(
            try ws("objection", "close", key, "--outcome", "withdrawn", "--reason", "认定有误", "--unit", "江岸区发改局", "--config", "v/node.yaml").status == 0
        )
        // Closed: no objection is open to mark for assisted verification.
        #expect(try ws("objection", "assist", key, "--reason", "x", "--unit", "y", "--config", "v/node.yaml").stderr.contains("not-applicable"))
        #expect(try ws("withdraw", key, "--reason", "认定有误，撤销", "--unit", "江岸区发改局", "--config", "v/node.yaml").status == 0)
        #expect(try ws("objection", "list", "--config", "v/node.yaml").stdout.contains("No objection is open at this node"))
        #expect(try ws("check", subject, "--config", "v/node.yaml", "--json").json()["restricted"] as? Bool == false)
        #expect(!(try ws("query", subject, "--public", "--config", "v/node.yaml").stdout.contains(key)))
        let full = try ws("query", subject, "--config", "v/node.yaml").stdout
        #expect(
            full.contains("已撤销") && full.contains("objection-opened") && full.contains("objection-assisted") && full.contains("withdrawn by 江岸区发改局"))
        // The withdrawn entry by its 决定文书号, typed with round brackets and a space: in the full
        // view, with its state; not in the public one.
        let number = try #require(key.split(separator: "|").last.map(String.init))
        #expect(number.contains("〔"))
        let typed = number.replacingOccurrences(of: "〔", with: "(").replacingOccurrences(of: "〕", with: ") ")
        let byNumber = try ws("query", "--number", typed, "--config", "v/node.yaml")
        #expect(byNumber.status == 0 && byNumber.stdout.contains(key) && byNumber.stdout.contains("已撤销"), "\(byNumber.stdout)")
        #expect(try ws("query", "--number", typed, "--json", "--config", "v/node.yaml").json()["subject"] as? String == typed)
        #expect(try ws("query", "--number", typed, "--public", "--config", "v/node.yaml").stdout.contains("0 record(s)"))
        // Refused: a code and a number both, neither, a number of digits alone.
        #expect(try ws("query", subject, "--number", typed, "--config", "v/node.yaml").status == 64)
        #expect(try ws("query", "--config", "v/node.yaml").status == 64)
        #expect(try ws("query", "--number", "7001", "--config", "v/node.yaml").status == 64)
        #expect(try ws("expire", "--config", "v/node.yaml").status == 0)
    }

    /// The public's requests decided from the command line: a repair application is granted
    /// with the notice's number (and refused as an objection); an objection is accepted.
    @Test func requestsFromThePublicAreDecidedFromTheCommandLine() throws {
        let ws = try Workspace()
        #expect(try ws("init", "--code", "420102002201", "--data", "v", "--parent", "https://127.0.0.1:7400").status == 0)
        #expect(
            try ws(
                "generate", "--config", "v/node.yaml", "--rows", "60", "--seed", "3", "--faults", "0", "--as-of", "2026-11-20", "--out", "p.csv"
            ).status == 0)
        #expect(try ws("ingest", "p.csv", "--kind", "penalty", "--config", "v/node.yaml").status == 0)
        // Two requests as the portal keeps them: a repair application and an objection.
        let (repairID, objectionID, subject): (Int64, Int64, String) = try {
            let node = try NodeContext(configuration: NodeConfiguration.load(path: ws.url.appendingPathComponent("v/node.yaml").path))
            let kind = try #require(node.resolvedKinds["penalty"])
            let today = ChinaTime.date(Date())
            let records = try node.store.allRecords().filter { $0.kind == "penalty" }.compactMap { try node.store.record(key: $0.key) }
            let open = try #require(records.first { kind.kind.earliestRepair(of: $0).map { $0.date <= today } ?? false })
            let other = try #require(records.first { $0.key != open.key })
            let desk = ObjectionDesk(node: node)
            let repair = try desk.submit(key: open.key, name: "某公司", contact: "027-1", reason: "已缴清", purpose: .repair, undertaking: true).id
            let objection = try desk.submit(key: other.key, name: "某人", contact: "027-2", reason: "有误").id
            return (repair, objection, try #require(open.subjectCode))
        }()
        let listed = try ws("objection", "requests", "--config", "v/node.yaml")
        #expect(listed.stdout.contains("#\(repairID)  repair 信用修复申请  pending") && listed.stdout.contains("#\(objectionID)  objection 异议申诉"))
        // Refused: accepted as an objection (exit 64, saying which command fits), granted without a notice.
        let wrong = try ws("objection", "accept", "\(repairID)", "--unit", "江岸区信用办", "--config", "v/node.yaml")
        #expect(wrong.status == 64 && wrong.stderr.contains("grant-repair"), "\(wrong.stderr)")
        #expect(try ws("objection", "grant-repair", "\(repairID)", "--unit", "江岸区信用办", "--config", "v/node.yaml").status == 64)
        #expect(try ws("objection", "grant-repair", "\(objectionID)", "--unit", "x", "--notice", "n", "--config", "v/node.yaml").status == 64)
        // Granted: the record repaired; a second time, not pending (66).
        let granted = try ws(
            "objection", "grant-repair", "\(repairID)", "--unit", "江岸区市场监督管理局", "--notice", "江岸信修〔2026〕9号", "--config", "v/node.yaml", "--json")
        #expect(granted.status == 0, "\(granted.stderr)")
        #expect(try granted.json()["state"] as? String == "repaired")
        #expect(try ws("query", subject, "--config", "v/node.yaml").stdout.contains("已修复"))
        #expect(try ws("objection", "grant-repair", "\(repairID)", "--unit", "x", "--notice", "n", "--config", "v/node.yaml").status == 66)
        #expect(try ws("objection", "accept", "\(objectionID)", "--unit", "江岸区信用办", "--config", "v/node.yaml").status == 0)
        #expect(try ws("objection", "requests", "--config", "v/node.yaml").stdout.contains("No pending requests from the public"))
    }

    @Test func theMonthsBulletinAsTextJSONAndCSV() throws {
        let ws = try Workspace()
        #expect(try ws("init", "--code", "420102002201", "--data", "v", "--parent", "https://127.0.0.1:7400").status == 0)
        let today = ChinaTime.date(Date())
        #expect(
            try ws("generate", "--config", "v/node.yaml", "--rows", "80", "--seed", "4", "--faults", "0", "--as-of", today.iso, "--out", "p.csv")
                .status
                == 0)
        #expect(try ws("ingest", "p.csv", "--kind", "penalty", "--config", "v/node.yaml").status == 0)
        let month = CalendarMonth(today)
        let decided = try {
            let node = try NodeContext(configuration: NodeConfiguration.load(path: ws.url.appendingPathComponent("v/node.yaml").path))
            return try node.store.allRecords().compactMap { try node.store.record(key: $0.key) }.filter {
                $0.decisionDate?.hasPrefix(month.iso + "-") == true
            }.count
        }()
        #expect(decided > 0)
        let text = try ws("bulletin", "--month", month.iso, "--config", "v/node.yaml")
        #expect(text.status == 0 && text.stdout.contains("\(month.chinese)定期通报") && text.stdout.contains("当月决定 \(decided) 条"), "\(text.stdout)")
        let json = try ws("bulletin", "--month", month.chinese, "--json", "--config", "v/node.yaml")
        #expect(try (json.json()["total"] as? [String: Any])?["records"] as? Int == decided)
        #expect(try ws("bulletin", "--month", month.iso, "--csv", "--out", "b.csv", "--config", "v/node.yaml").status == 0)
        let bytes = try Data(contentsOf: ws.url.appendingPathComponent("b.csv"))
        let csv = String(decoding: bytes.dropFirst(3), as: UTF8.self)
        #expect(Array(bytes.prefix(3)) == [0xEF, 0xBB, 0xBF] && csv.hasPrefix("月份,类别,决定机关") && csv.contains("\r\n\(month.iso),行政处罚,"))
        // Refused: a month that cannot be read, one not begun, two formats at once (64, saying what to write).
        let unreadable = try ws("bulletin", "--month", "2026-13", "--config", "v/node.yaml")
        #expect(unreadable.status == 64 && unreadable.stderr.contains("2026-11 或 2026年11月"))
        #expect(try ws("bulletin", "--month", month.next.iso, "--config", "v/node.yaml").status == 64)
        #expect(try ws("bulletin", "--csv", "--json", "--config", "v/node.yaml").status == 64)

        // 四率走势: this month last of twelve, its decisions as the bulletin counts them.
        let rates = try ws("rates", "--config", "v/node.yaml")
        #expect(rates.status == 0 && rates.stdout.contains("四率走势") && rates.stdout.contains("\(month.chinese)：决定 \(decided) 条"), "\(rates.stdout)")
        let trend = try ws("rates", "--to", month.iso, "--months", "6", "--json", "--config", "v/node.yaml")
        let months = try #require(try trend.json()["months"] as? [[String: Any]])
        #expect(
            months.count == 6 && months.last?["month"] as? String == month.iso
                && (months.last?["rates"] as? [String: Any])?["records"] as? Int == decided)
        #expect(try ws("rates", "--csv", "--out", "r.csv", "--config", "v/node.yaml").status == 0)
        let table = String(decoding: try Data(contentsOf: ws.url.appendingPathComponent("r.csv")).dropFirst(3), as: UTF8.self)
        #expect(table.hasPrefix("月份,当月决定,迟报") && table.split(separator: "\r\n").count == 13 && table.contains("\r\n\(month.iso),\(decided),"))
        let tooMany = try ws("rates", "--months", "30", "--config", "v/node.yaml")
        #expect(tooMany.status == 64 && tooMany.stderr.contains("3 至 24"))
        #expect(try ws("rates", "--to", month.next.iso, "--config", "v/node.yaml").status == 64)
    }

    /// 信用承诺履约 from the command line: the figures agree with the store's records, the list
    /// as CSV; a filter that is not one, or two formats, refused (64).
    @Test func theCommitmentsToFollowUpAsTextJSONAndCSV() throws {
        let ws = try Workspace()
        #expect(try ws("init", "--code", "420102002201", "--data", "v", "--name", "演示村").status == 0)
        #expect(
            try ws("generate", "--config", "v/node.yaml", "--kind", "commitment", "--rows", "400", "--seed", "6", "--faults", "0", "--out", "c.csv")
                .status == 0)
        #expect(try ws("ingest", "c.csv", "--kind", "commitment", "--config", "v/node.yaml").status == 0)
        let json = try ws("commitments", "--json", "--config", "v/node.yaml").json()
        let ledger = try #require(json["ledger"] as? [String: Any])
        let total = try #require(ledger["total"] as? [String: Any])
        let followUp = try #require(json["followUp"] as? [[String: Any]])
        let (broken, overdue) = (try #require(total["broken"] as? Int), try #require(total["overdue"] as? Int))
        #expect(total["commitments"] as? Int == 400 && broken + overdue > 0 && followUp.count == broken + overdue)
        let text = try ws("commitments", "--config", "v/node.yaml")
        #expect(text.status == 0 && text.stdout.contains("演示村 信用承诺履约") && text.stdout.contains("待跟进的承诺（全部）：\(broken + overdue) 件"))
        let unit = try #require(followUp.first?["acceptor"] as? String)
        #expect(try ws("commitments", "--acceptor", unit, "--csv", "--out", "u.csv", "--config", "v/node.yaml").status == 0)
        let csv = String(decoding: try Data(contentsOf: ws.url.appendingPathComponent("u.csv")).dropFirst(3), as: UTF8.self)
        let lines = csv.split(separator: "\r\n")
        #expect(lines.first?.hasPrefix("承诺编码,承诺日期") == true && lines.count == 1 + followUp.filter { $0["acceptor"] as? String == unit }.count)
        #expect(lines.dropFirst().allSatisfy { $0.contains(unit) })
        let wrong = try ws("commitments", "--acceptor", "12345", "--config", "v/node.yaml")
        #expect(wrong.status == 64 && wrong.stderr.contains("不是统一社会信用代码"))
        #expect(try ws("commitments", "--region", "420102002202", "--config", "v/node.yaml").status == 64)
        #expect(try ws("commitments", "--csv", "--json", "--config", "v/node.yaml").status == 64)
    }

    /// 政务诚信 from the command line: 零失信 on a clean area; a hospital's penalty (a 事业单位's
    /// credit code) a case in the text, the JSON and the CSV; the two outputs at once refused.
    @Test func theGovernmentBodiesLedgerAsTextJSONAndCSV() throws {
        let ws = try Workspace()
        #expect(try ws("init", "--code", "420102002201", "--data", "v", "--name", "演示村").status == 0)
        let clean = try ws("integrity", "--config", "v/node.yaml")
        #expect(clean.status == 0 && clean.stdout.contains("演示村 政务诚信") && clean.stdout.contains("零失信"), "\(clean.stdout)\(clean.stderr)")
        #expect(
            try ws("generate", "--config", "v/node.yaml", "--kind", "penalty", "--rows", "30", "--seed", "29", "--faults", "0", "--out", "p.csv")
                .status == 0)
        // One company's penalty becomes a hospital's, as a department would send it.
        let path = ws.url.appendingPathComponent("p.csv")
        var lines = try String(contentsOf: path, encoding: .utf8).components(separatedBy: "\r\n")
        let header = lines[0].split(separator: ",", omittingEmptySubsequences: false).map(String.init)
        let (category, code, name) = (
            try #require(header.firstIndex { $0.hasSuffix("行政相对人类别") }), try #require(header.firstIndex(of: "统一社会信用代码")),
            try #require(header.firstIndex(of: "行政相对人名称"))
        )
        let i = try #require(
            lines.indices.dropFirst().first {
                let cells = lines[$0].split(separator: ",", omittingEmptySubsequences: false)
                return cells.count == header.count && cells[category] == "法人及非法人组织"
            })
        var cells = lines[i].split(separator: ",", omittingEmptySubsequences: false).map(String.init)
        (cells[code], cells[name]) = ("121200004013590816", "仙桃市第一人民医院")
        lines[i] = cells.joined(separator: ",")
        try lines.joined(separator: "\r\n").write(to: path, atomically: true, encoding: .utf8)
        #expect(try ws("ingest", "p.csv", "--kind", "penalty", "--config", "v/node.yaml").status == 0)

        let text = try ws("integrity", "--config", "v/node.yaml")
        #expect(text.status == 0 && text.stdout.contains("1 个政府机构有 1 件失信记录未销号"), "\(text.stdout)")
        #expect(text.stdout.contains("仙桃市第一人民医院（121200004013590816，事业单位）：1 件") && text.stdout.contains("销号：") && !text.stdout.contains("零失信"))
        let cases = try #require(try ws("integrity", "--json", "--config", "v/node.yaml").json()["cases"] as? [[String: Any]])
        #expect(cases.count == 1 && cases.first?["category"] as? String == "事业单位" && cases.first?["code"] as? String == "121200004013590816")
        let written = try ws("integrity", "--csv", "--out", "i.csv", "--config", "v/node.yaml")
        #expect(written.status == 0 && written.stdout.contains("wrote i.csv: 1 case(s)"))
        let csv = String(decoding: try Data(contentsOf: ws.url.appendingPathComponent("i.csv")).dropFirst(3), as: UTF8.self).split(separator: "\r\n")
        #expect(csv.count == 2 && csv[0].hasPrefix("机构名称,统一社会信用代码,机构类别") && csv[1].hasPrefix("仙桃市第一人民医院,121200004013590816,事业单位"))
        #expect(try ws("integrity", "--csv", "--json", "--config", "v/node.yaml").status == 64)
    }

    /// 联合奖惩执行反馈 from the command line: generated feedback counted for this month as text,
    /// JSON and CSV alike; a month that is not one refused (64).
    @Test func aMonthsJointFeedbackAsTextJSONAndCSV() throws {
        let ws = try Workspace()
        #expect(try ws("init", "--code", "420102002201", "--data", "v", "--name", "演示村").status == 0)
        #expect(
            try ws(
                "generate", "--config", "v/node.yaml", "--kind", "feedback", "--rows", "60", "--seed", "3", "--faults", "0", "--late", "0", "--out",
                "f.csv"
            )
            .status == 0)
        // Generated feedback is valid as a unit sends it: a measure not applied says why.
        let ingested = try ws("ingest", "f.csv", "--kind", "联合奖惩执行反馈", "--config", "v/node.yaml", "--json").json()
        #expect(ingested["accepted"] as? Int == 60 && ingested["rejected"] as? Int == 0)
        let json = try ws("feedback", "--json", "--config", "v/node.yaml").json()
        let total = try #require(json["total"] as? [String: Any])
        let count = try #require(total["feedback"] as? Int)
        let (sanctions, rewards) = (try #require(total["sanctions"] as? Int), try #require(total["rewards"] as? Int))
        #expect(count > 0 && count == (json["feedback"] as? [Any])?.count && sanctions + rewards == count)
        let text = try ws("feedback", "--config", "v/node.yaml")
        #expect(text.status == 0 && text.stdout.contains("演示村 ") && text.stdout.contains("联合奖惩执行反馈\n合计 反馈 \(count)："), "\(text.stdout)")
        #expect(try ws("feedback", "--csv", "--out", "m.csv", "--config", "v/node.yaml").stdout.contains("\(count) feedback record(s)"))
        let csv = String(decoding: try Data(contentsOf: ws.url.appendingPathComponent("m.csv")).dropFirst(3), as: UTF8.self).split(separator: "\r\n")
        #expect(csv.count == 1 + count && csv[0].hasPrefix("反馈编号,执行日期,奖惩类别"))
        let wrong = try ws("feedback", "--month", "2026-13", "--config", "v/node.yaml")
        #expect(wrong.status == 64 && wrong.stderr.contains("无法识别"))
    }

    /// 联合奖惩 名单推送与响应: the village's subjects on a list in force and whether a unit answered,
    /// as text, JSON and the CSV pushed to the units; a filter it cannot hold exits 64.
    @Test func theListsPushedToTheUnitsAndTheirAnswers() throws {
        let ws = try Workspace()
        #expect(try ws("init", "--code", "420102002201", "--data", "v", "--name", "演示村").status == 0)
        for kind in ["blacklist", "redlist", "feedback"] {
            let made = try ws(
                "generate", "--config", "v/node.yaml", "--kind", kind, "--rows", "60", "--seed", "3", "--faults", "0", "--late", "0", "--out",
                "\(kind).csv")
            #expect(made.status == 0)
            #expect(try ws("ingest", "\(kind).csv", "--kind", kind, "--config", "v/node.yaml", "--json").json()["accepted"] as? Int == 60)
        }
        let json = try ws("lists", "--json", "--config", "v/node.yaml").json()
        let total = try #require(json["total"] as? [String: Any])
        let (listed, answered, pending) = (
            try #require(total["listed"] as? Int), try #require(total["answered"] as? Int), try #require(total["pending"] as? Int)
        )
        let entries = try #require(json["entries"] as? [[String: Any]])
        // The same subjects drawn for the lists and the feedback: some answered, some not.
        #expect(listed == 120 && entries.count == listed && answered + pending == listed && answered > 0 && pending > 0)
        let flags = entries.map { $0["pending"] as? Bool == true }
        #expect(flags == flags.sorted { $0 && !$1 } && flags.filter { $0 }.count == pending)
        let text = try ws("lists", "--show", "pending", "--config", "v/node.yaml")
        #expect(text.status == 0 && text.stdout.contains("演示村 联合奖惩名单推送与响应") && text.stdout.contains("待响应：\(pending) 条"), "\(text.stdout)")
        #expect(try ws("lists", "--csv", "--out", "l.csv", "--config", "v/node.yaml").stdout.contains("\(listed) listed subject(s)"))
        let csv = String(decoding: try Data(contentsOf: ws.url.appendingPathComponent("l.csv")).dropFirst(3), as: UTF8.self).split(separator: "\r\n")
        #expect(csv.count == 1 + listed && csv[0].hasPrefix("名单名称,奖惩类别,主体名称,主体代码,列入日期"))
        // A listed person's ID number is never written whole.
        #expect(!csv.joined(separator: ",").split(separator: ",").contains { (try? ResidentID(String($0))) != nil })
        #expect(csv.contains { $0.contains("********") })
        let wrong = try ws("lists", "--show", "late", "--config", "v/node.yaml")
        #expect(wrong.status == 64 && wrong.stderr.contains("pending（待响应）"))
        let elsewhere = try ws("lists", "--region", "420102002202", "--config", "v/node.yaml")
        #expect(elsewhere.status == 64 && elsewhere.stderr.contains("不是本地区的下级区划"))
    }

    /// 联合奖惩典型案例 from the command line: the feedback offered with its keys, one published
    /// as a case (its publisher given the first time, then remembered); refused with why — no
    /// publisher, a number taken (65), a feedback the node lacks (64) — nothing written.
    @Test func aTypicalCasePublishedFromAUnitsFeedback() throws {
        let ws = try Workspace()
        #expect(try ws("init", "--code", "420102002201", "--data", "v", "--name", "演示村").status == 0)
        #expect(
            try ws(
                "generate", "--config", "v/node.yaml", "--kind", "feedback", "--rows", "30", "--seed", "4", "--faults", "0", "--late", "0", "--out",
                "f.csv"
            )
            .status == 0)
        #expect(try ws("ingest", "f.csv", "--kind", "feedback", "--config", "v/node.yaml", "--json").json()["accepted"] as? Int == 30)
        let offered = try #require(try ws("cases", "--json", "--config", "v/node.yaml").json()["candidates"] as? [[String: Any]])
        #expect(offered.count > 20 && offered.count < 30 && offered.allSatisfy { $0["published"] as? Bool == false })
        // An organisation's feedback (its code shown whole, to look its records up by).
        let chosen = try #require(offered.first { ($0["subjectCode"] as? String)?.contains("*") == false })
        let key = try #require(chosen["key"] as? String)
        let words = ["--title", "某公司被限制参加政府采购", "--summary", "区财政局在政府采购资格审查中依法限制其参加。", "--config", "v/node.yaml"]
        let nobody = try ws(["cases", "publish", "--feedback", key] + words)
        #expect(nobody.status == 65 && nobody.stderr.contains("案例未发布") && nobody.stderr.contains("发布单位"), "\(nobody.stderr)")
        let unknown = try ws(["cases", "publish", "--feedback", "feedback|none"] + words)
        #expect(unknown.status == 64 && unknown.stderr.contains("没有这条执行反馈"))
        let office = ["--publisher", "演示村信用工作站", "--publisher-code", "11420102310527043H"]
        let done = try ws(["cases", "publish", "--feedback", key] + office + words)
        #expect(done.status == 0 && done.stdout.contains("已发布：《某公司被限制参加政府采购》"), "\(done.stderr)")
        let taken = try ws(["cases", "publish", "--feedback", key, "--title", "另一个标题", "--summary", "摘要", "--config", "v/node.yaml"])
        #expect(taken.status == 65 && taken.stderr.contains("已用于《某公司被限制参加政府采购》"))
        let again = try ws([
            "cases", "publish", "--feedback", key, "--number", "AL-2", "--title", "另一个标题", "--summary", "摘要", "--config", "v/node.yaml",
        ])
        #expect(again.status == 0, "\(again.stderr)")
        let text = try ws("cases", "--config", "v/node.yaml")
        #expect(text.status == 0 && text.stdout.contains("已发布的典型案例 2 件") && text.stdout.contains("[已发布]") && text.stdout.contains(key))
        #expect(try ws("query", try #require(chosen["subjectCode"] as? String), "--config", "v/node.yaml", "--json").stdout.contains("联合奖惩典型案例"))
    }

    /// 信用动态 from the command line: an article published from a text file (GB18030 read as such,
    /// its paragraphs kept), a month's ledger by unit with the share of 2; refused with why — a
    /// column not in the catalogue, an ID number in the text, a number taken (65), a month not
    /// begun (64), a file missing (66) — nothing written.
    @Test func anArticlePublishedAndTheMonthsShare() throws {
        let ws = try Workspace()
        #expect(try ws("init", "--code", "420102002201", "--data", "v", "--name", "演示村").status == 0)
        let body = "村信用工作站组织开展诚信宣传进农户活动。\r\n向农户讲解信用户评定办法。\r\n"
        try Data(TextDecoding.gb18030(body)).write(to: ws.url.appendingPathComponent("body.txt"))
        try Data("举报人身份证号 420102199001011234。".utf8).write(to: ws.url.appendingPathComponent("id.txt"))
        let office = ["--publisher", "演示村信用工作站", "--publisher-code", "11420102310527043H", "--config", "v/node.yaml"]
        let article = ["news", "publish", "--title", "诚信宣传进农户", "--body-file", "body.txt"] + office
        let wrongColumn = try ws(article + ["--column", "娱乐"])
        #expect(wrongColumn.status == 65 && wrongColumn.stderr.contains("稿件未发布") && wrongColumn.stderr.contains("诚信宣传"), "\(wrongColumn.stderr)")
        let personal = try ws(["news", "publish", "--title", "举报", "--column", "通知公告", "--body-file", "id.txt"] + office)
        #expect(personal.status == 65 && personal.stderr.contains("正文含有身份证号码") && !personal.stderr.contains("420102199001011234"))
        #expect(try ws(["news", "publish", "--title", "缺", "--column", "通知公告", "--body-file", "none.txt"] + office).status == 66)
        let done = try ws(article + ["--column", "诚信宣传", "--number", "DT-1", "--json"])
        #expect(done.status == 0, "\(done.stderr)")
        #expect(try done.json()["key"] as? String == "news|11420102310527043H|DT-1")
        let taken = try ws(article + ["--column", "诚信宣传", "--number", "DT-1"])
        #expect(taken.status == 65 && taken.stderr.contains("已用于《诚信宣传进农户》"))
        let ledger = try ws("news", "--json", "--config", "v/node.yaml").json()
        let articles = try #require(ledger["articles"] as? [[String: Any]])
        #expect(articles.count == 1 && articles[0]["paragraphs"] as? [String] == ["村信用工作站组织开展诚信宣传进农户活动。", "向农户讲解信用户评定办法。"])
        let month = try #require(ledger["ledger"] as? [String: Any])
        #expect(month["total"] as? Int == 1 && month["unitsMet"] as? Int == 0 && month["unitCount"] as? Int == 1)
        let text = try ws("news", "--config", "v/node.yaml")
        #expect(text.status == 0 && text.stdout.contains("演示村信用工作站（11420102310527043H） 1 篇，还差 1 篇") && text.stdout.contains("【诚信宣传】《诚信宣传进农户》"))
        #expect(try ws("news", "--month", "2099-01", "--config", "v/node.yaml").status == 64)
        #expect(try ws("query", "11420102310527043H", "--config", "v/node.yaml", "--json").stdout.contains("信用动态") == false)
    }

    /// 信用分级分类监管 from the command line: a year's grades and their inspections as text, JSON
    /// and CSV; a year that is not one exits 64.
    @Test func aYearsGradesAndTheirInspections() throws {
        let ws = try Workspace()
        #expect(try ws("init", "--code", "420102002201", "--data", "v", "--name", "演示村").status == 0)
        for (kind, rows) in [("rating", "40"), ("inspection", "80")] {
            #expect(
                try ws(
                    "generate", "--config", "v/node.yaml", "--kind", kind, "--rows", rows, "--seed", "6", "--faults", "0", "--late", "0", "--out",
                    "\(kind).csv"
                )
                .status == 0)
            #expect(try ws("ingest", "\(kind).csv", "--kind", kind, "--config", "v/node.yaml", "--json").json()["accepted"] as? Int == Int(rows))
        }
        let json = try ws("supervision", "--json", "--config", "v/node.yaml").json()
        let grades = try #require(json["grades"] as? [[String: Any]])
        let rated = try #require(json["rated"] as? Int)
        #expect(grades.map { $0["grade"] as? String } == ["A", "B", "C", "D"] && rated > 0)
        #expect(grades.compactMap { $0["subjects"] as? Int }.reduce(0, +) == rated)
        let text = try ws("supervision", "--config", "v/node.yaml")
        #expect(text.status == 0 && text.stdout.contains("演示村 \(json["year"] as? Int ?? 0) 年信用分级分类监管") && text.stdout.contains("按评价领域"))
        #expect(try ws("supervision", "--csv", "--out", "s.csv", "--config", "v/node.yaml").status == 0)
        let csv = String(decoding: try Data(contentsOf: ws.url.appendingPathComponent("s.csv")).dropFirst(3), as: UTF8.self).split(separator: "\r\n")
        #expect(csv.count == 5 && csv[0].hasPrefix("评价年度,信用等级,主体数"))
        let wrong = try ws("supervision", "--year", "abc", "--config", "v/node.yaml")
        #expect(wrong.status == 64 && wrong.stderr.contains("评价年度“abc”无法识别"))
    }

    /// 信用修复提醒 from the command line: the penalties repairable now as text, JSON and the CSV
    /// of subjects to remind, a line each, no ID number whole.
    @Test func thePenaltiesRepairableNow() throws {
        let ws = try Workspace()
        #expect(try ws("init", "--code", "420102002201", "--data", "v", "--name", "演示村").status == 0)
        #expect(
            try ws(
                "generate", "--config", "v/node.yaml", "--kind", "penalty", "--rows", "60", "--seed", "8", "--faults", "0", "--late", "0.5", "--out",
                "p.csv"
            )
            .status == 0)
        #expect(try ws("ingest", "p.csv", "--kind", "penalty", "--config", "v/node.yaml", "--json").json()["accepted"] as? Int == 60)
        let json = try ws("repair-due", "--json", "--config", "v/node.yaml").json()
        let total = try #require(json["total"] as? [String: Any])
        let due = try #require(total["due"] as? Int)
        #expect(total["inForce"] as? Int == 60 && due > 0 && due < 60 && (json["due"] as? [Any])?.count == due)
        let text = try ws("repair-due", "--config", "v/node.yaml")
        #expect(text.status == 0 && text.stdout.contains("演示村 信用修复提醒") && text.stdout.contains("可申请修复的记录：\(due) 条"))
        #expect(try ws("repair-due", "--csv", "--out", "r.csv", "--config", "v/node.yaml").stdout.contains("\(due) record(s) repairable"))
        let csv = String(decoding: try Data(contentsOf: ws.url.appendingPathComponent("r.csv")).dropFirst(3), as: UTF8.self).split(separator: "\r\n")
        #expect(csv.count == 1 + due && csv[0].hasPrefix("主体名称,主体代码,类别,决定文书号"))
        #expect(!csv.joined(separator: ",").split(separator: ",").contains { (try? ResidentID(String($0))) != nil })
    }

    /// 新旧代码转换 from the command line: an individual business's penalty filed under its
    /// registration number alone maps to the credit code another record gives beside it; one with
    /// a number no record maps stays to convert — as text, JSON and CSV; `query` on the credit code
    /// shows the record filed under the old number.
    @Test func theRecordsFiledUnderAnOldRegistrationNumber() throws {
        let ws = try Workspace()
        #expect(try ws("init", "--code", "420102002201", "--data", "v", "--name", "演示村").status == 0)
        #expect(
            try ws(
                "generate", "--config", "v/node.yaml", "--kind", "penalty", "--rows", "3", "--seed", "8", "--faults", "0", "--format", "jsonl",
                "--out", "p.jsonl"
            )
            .status == 0)
        let path = ws.url.appendingPathComponent("p.jsonl")
        let credit = try #require(
            String(decoding: try Data(contentsOf: path), as: UTF8.self).split(separator: "\n").compactMap { line -> String? in
                let object = try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any]
                return (object?["CF_XDR_SHXYM"] as? String).flatMap { $0.isEmpty ? nil : $0 }
            }.first)
        var lines: [String] = []
        for (i, line) in String(decoding: try Data(contentsOf: path), as: UTF8.self).split(separator: "\n").enumerated() {
            var object = try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
            object["CF_XDR_LB"] = "个体工商户"
            object["CF_XDR_SHXYM"] = i == 0 ? credit : ""
            object["CF_XDR_GSZC"] = i == 2 ? "420102600054321" : "420102600012345"
            object["CF_WSH"] = "江岸市监罚〔2026〕880\(i + 1)号"
            for key in ["CF_XDR_ZJLX", "CF_XDR_ZJHM", "CF_FR_ZJLX", "CF_FR_ZJHM"] { object[key] = "" }
            lines.append(String(decoding: try JSONSerialization.data(withJSONObject: object), as: UTF8.self))
        }
        try Data((lines.joined(separator: "\n") + "\n").utf8).write(to: path)
        #expect(try ws("ingest", "p.jsonl", "--kind", "penalty", "--config", "v/node.yaml", "--json").json()["accepted"] as? Int == 3)
        let json = try ws("codes", "--json", "--config", "v/node.yaml").json()
        let total = try #require(json["total"] as? [String: Any])
        #expect(total["filed"] as? Int == 2 && total["mapped"] as? Int == 1 && total["unmapped"] as? Int == 1 && json["declared"] as? Int == 1)
        let text = try ws("codes", "--config", "v/node.yaml")
        #expect(text.status == 0 && text.stdout.contains("演示村 新旧代码转换") && text.stdout.contains("合计 以原代码报送 2，已映射 1，未映射 1（映射率 50.0%）"))
        #expect(try ws("codes", "--csv", "--out", "c.csv", "--config", "v/node.yaml").stdout.contains("1 record(s) not mapped"))
        let csv = String(decoding: try Data(contentsOf: ws.url.appendingPathComponent("c.csv")).dropFirst(3), as: UTF8.self).split(separator: "\r\n")
        #expect(csv.count == 3 && csv[0].hasPrefix("主体名称,原代码,类别") && csv.contains { $0.contains("未映射") && $0.contains("420102600054321") })
        let query = try ws("query", credit, "--json", "--config", "v/node.yaml").json()
        let numbers = (query["records"] as? [[String: Any]] ?? []).compactMap { $0["CF_WSH"] as? String }
        #expect(numbers.contains("江岸市监罚〔2026〕8802号") && !numbers.contains("江岸市监罚〔2026〕8803号"))
    }

    /// 三信创建 from the command line: a year's households and 信用户 as text, JSON and CSV; a year
    /// that is not one exits 64.
    @Test func aYearsCreditHouseholdsAsTextJSONAndCSV() throws {
        let ws = try Workspace()
        #expect(try ws("init", "--code", "420102002201", "--data", "v", "--name", "演示村").status == 0)
        #expect(
            try ws("generate", "--config", "v/node.yaml", "--kind", "points", "--rows", "80", "--seed", "5", "--faults", "0", "--out", "p.csv").status
                == 0)
        #expect(try ws("ingest", "p.csv", "--kind", "points", "--config", "v/node.yaml", "--json").json()["accepted"] as? Int == 80)
        let json = try ws("creation", "--json", "--config", "v/node.yaml").json()
        let total = try #require(json["total"] as? [String: Any])
        let (households, credit) = (try #require(total["households"] as? Int), try #require(total["creditHouseholds"] as? Int))
        let levels = try #require(total["levels"] as? [Int])
        // Some households rated under 80 points are no 信用户: the share is below all.
        #expect(households > 0 && credit == levels.reduce(0, +) && credit < households)
        let year = try #require(json["year"] as? Int)
        let text = try ws("creation", "--year", String(year), "--config", "v/node.yaml")
        #expect(
            text.status == 0 && text.stdout.contains("演示村 \(year) 年三信创建") && text.stdout.contains("合计 评定 \(households) 户，信用户 \(credit)"),
            "\(text.stdout)")
        #expect(try ws("creation", "--csv", "--out", "c.csv", "--config", "v/node.yaml").stdout.contains("wrote c.csv"))
        let csv = String(decoding: try Data(contentsOf: ws.url.appendingPathComponent("c.csv")).dropFirst(3), as: UTF8.self).split(separator: "\r\n")
        // The village's own level, then the total.
        #expect(csv.count == 3 && csv[0].hasPrefix("积分年度,地区,区划代码,评定户数,信用户") && csv[2].contains(",\(households),\(credit),"))
        #expect(!csv.joined(separator: ",").split(separator: ",").contains { (try? ResidentID(String($0))) != nil })
        let wrong = try ws("creation", "--year", "二〇二六", "--config", "v/node.yaml")
        #expect(wrong.status == 64 && wrong.stderr.contains("请写成"))
    }

    /// 失信举报 answered from the command line: listed with its reporter and limit, accepted,
    /// closed with a finding; refusals exit 64 (what to fix) or 66 (not in the state it needs).
    @Test func reportsOfDishonestConductAnsweredFromTheCommandLine() throws {
        let ws = try Workspace()
        #expect(try ws("init", "--code", "420102002201", "--data", "v", "--parent", "https://127.0.0.1:7400").status == 0)
        let (first, second): (Int64, Int64) = try {
            let node = try NodeContext(configuration: NodeConfiguration.load(path: ws.url.appendingPathComponent("v/node.yaml").path))
            let desk = ComplaintDesk(node: node)
            let a = try desk.submit(
                .init(subjectName: "某农资店", category: "产品质量", content: "出售的化肥有效成分不足，导致减产。", reporter: "钱八", contact: "13300000000", truthful: true),
                now: Date())
            let photo: [UInt8] = [0xFF, 0xD8, 0xFF, 0xE0] + Array("厨房照片".utf8)
            let b = try desk.submit(
                .init(
                    subjectName: "某饭店", category: "食品药品安全", content: "后厨卫生极差，有老鼠出没。", truthful: true,
                    evidence: [.init(filename: "后厨.jpg", bytes: photo)]), now: Date())
            return (a.id, b.id)
        }()
        let listed = try ws("complaint", "list", "--config", "v/node.yaml")
        #expect(listed.status == 0 && listed.stdout.contains("#\(first)  pending") && listed.stdout.contains("某农资店"), "\(listed.stdout)")
        #expect(
            listed.stdout.contains("reporter: 钱八 · 13300000000") && listed.stdout.contains("reporter: anonymous")
                && listed.stdout.contains("answer by "))
        // 举报材料: listed with its type and size, written out for the unit as it came; never over a file.
        #expect(listed.stdout.contains("file 1: 后厨.jpg (image/jpeg, 16 bytes, sha256 "))
        let written = try ws("complaint", "evidence", "\(second)", "--out", "files", "--config", "v/node.yaml")
        #expect(written.status == 0 && written.stdout.contains("\(second)-1-后厨.jpg"), "\(written.stderr)")
        let photo = try Data(contentsOf: ws.url.appendingPathComponent("files/\(second)-1-后厨.jpg"))
        #expect(Array(photo.prefix(4)) == [0xFF, 0xD8, 0xFF, 0xE0] && photo.count == 16)
        #expect(try ws("complaint", "evidence", "\(second)", "--out", "files", "--config", "v/node.yaml").status == 73)
        #expect(try ws("complaint", "evidence", "\(first)", "--out", "files", "--config", "v/node.yaml").stdout.contains("came with no files"))
        #expect(try ws("complaint", "evidence", "999", "--out", "files", "--config", "v/node.yaml").status == 66)
        // A request's 证明材料 the same way (`objection requests` lists them; `objection evidence` writes them).
        let requestID: Int64 = try {
            let node = try NodeContext(configuration: NodeConfiguration.load(path: ws.url.appendingPathComponent("v/node.yaml").path))
            return try node.store.addObjectionRequest(
                key: "penalty|x|y", name: "某公司", contact: "027-1", reason: "已撤销", code: "ABCDEFGHJKMN",
                attachments: [.init(name: "撤销决定.pdf", type: "application/pdf", bytes: Array("%PDF-1.4 撤销".utf8))])
        }()
        #expect(try ws("objection", "requests", "--config", "v/node.yaml").stdout.contains("file 1: 撤销决定.pdf (application/pdf, 15 bytes"))
        let proof = try ws("objection", "evidence", "\(requestID)", "--out", "proof", "--config", "v/node.yaml")
        #expect(proof.status == 0 && proof.stdout.contains("\(requestID)-1-撤销决定.pdf"), "\(proof.stderr)")
        #expect(try ws("objection", "evidence", "999", "--out", "proof", "--config", "v/node.yaml").status == 66)
        // Closed before it is accepted, accepted without a unit, a finding of no such name: refused.
        #expect(try ws("complaint", "close", "\(first)", "--finding", "partly", "--reply", "x", "--config", "v/node.yaml").status == 66)
        #expect(try ws("complaint", "accept", "\(first)", "--unit", " ", "--config", "v/node.yaml").status == 64)
        #expect(try ws("complaint", "accept", "\(first)", "--unit", "某县农业农村局", "--config", "v/node.yaml").status == 0)
        #expect(try ws("complaint", "close", "\(first)", "--finding", "true", "--reply", "x", "--config", "v/node.yaml").status == 64)
        let closed = try ws(
            "complaint", "close", "\(first)", "--finding", "substantiated", "--reply", "经抽检，化肥养分含量不合格，已立案。", "--config", "v/node.yaml")
        #expect(closed.status == 0 && closed.stdout.contains("属实"), "\(closed.stderr)")
        #expect(try ws("complaint", "refuse", "\(second)", "--reason", "请向县市场监督管理局举报。", "--config", "v/node.yaml").status == 0)
        #expect(try ws("complaint", "refuse", "\(second)", "--reason", "again", "--config", "v/node.yaml").status == 66)
        #expect(try ws("complaint", "list", "--config", "v/node.yaml").stdout.contains("No reports of dishonest conduct to answer"))
        let all = try ws("complaint", "list", "--all", "--json", "--config", "v/node.yaml")
        #expect(
            all.status == 0 && all.stdout.contains("\"finding\" : \"substantiated\"") && all.stdout.contains("\"state\" : \"refused\""),
            "\(all.stdout)")
    }

    /// 信易贷 from the command line: a product ingested, a business's request listed with the
    /// person to call and its credit, taken up, granted; refusals exit 64 (what to fix) or 66
    /// (not in the state the answer needs).
    /// A valid unified social credit code from its first eight characters and eight of an
    /// organisation code (both check characters computed).
    static func creditCode(_ first8: String, _ organisation: String) -> String {
        let first17 = Array((first8 + organisation).utf8) + [SocialCreditCode.organisationCheckCharacter(Array(organisation.utf8))]
        return String(decoding: first17 + [SocialCreditCode.checkCharacter(first17)], as: UTF8.self)
    }

    @Test func loanRequestsAnsweredFromTheCommandLine() throws {
        let ws = try Workspace()
        #expect(try ws("init", "--code", "420102002201", "--data", "v", "--parent", "https://127.0.0.1:7400").status == 0)
        let lender = Self.creditCode("91420102", "MA4L0001")
        let csv = """
            产品编号,产品名称,贷款类别,服务对象,最高额度（万元）,最长期限（月）,利率说明,产品介绍,金融机构,金融机构统一社会信用代码,发布日期,有效期至,所属行政区划
            XYD-9,惠农e贷,信用贷款,个体工商户、农户,30,24,年化 4.35% 起,凭信用记录免抵押申请。,某村镇银行,\(lender),2026-10-01,2099-12-31,420102002201

            """
        try Data(csv.utf8).write(to: ws.url.appendingPathComponent("loans.csv"))
        let ingested = try ws("ingest", "loans.csv", "--kind", "信易贷", "--config", "v/node.yaml")
        #expect(ingested.status == 0, "\(ingested.stdout)\(ingested.stderr)")
        let company = Self.creditCode("92420102", "MA4M0002")
        let (first, second): (Int64, Int64) = try {
            let node = try NodeContext(configuration: NodeConfiguration.load(path: ws.url.appendingPathComponent("v/node.yaml").path))
            let desk = LoanDesk(node: node)
            let product = try #require(try desk.products(today: ChinaTime.date(Date())).first)
            let form = LoanDesk.Form(
                product: product.key, company: "某某农家乐", companyCode: company, contactName: "赵老板", phone: "13700000000", amount: "20",
                months: "12", purpose: "翻修客房，添置设备", authorised: true)
            // A third, declined by the bank from its own system (as its certificate's routes do).
            let third = try desk.submit(form, now: Date()).id
            try desk.decline(id: third, reason: "已在他行获得贷款。", now: Date(), actor: AuditActor(role: "institution", code: "420102002201", name: "某村镇银行"))
            return (try desk.submit(form, now: Date()).id, try desk.submit(form, now: Date()).id)
        }()
        let listed = try ws("loan", "list", "--config", "v/node.yaml")
        #expect(listed.status == 0 && listed.stdout.contains("#\(first)  pending") && listed.stdout.contains("惠农e贷 (某村镇银行): 20 万元 for 12 months"))
        #expect(
            listed.stdout.contains("contact: 赵老板 · 13700000000") && listed.stdout.contains("credit: on no list; penalties shown: 0; rating: none"),
            "\(listed.stdout)")
        #expect(try ws("loan", "grant", "\(first)", "--amount", "20", "--config", "v/node.yaml").status == 66)
        #expect(try ws("loan", "contact", "\(first)", "--handler", " ", "--config", "v/node.yaml").status == 64)
        #expect(try ws("loan", "contact", "\(first)", "--handler", "某村镇银行 钱经理", "--config", "v/node.yaml").status == 0)
        #expect(try ws("loan", "grant", "\(first)", "--amount", "0", "--config", "v/node.yaml").status == 64)
        let beyond = try ws("loan", "grant", "\(first)", "--amount", "30.01", "--config", "v/node.yaml")
        #expect(beyond.status == 64 && beyond.stderr.contains("超过该产品的最高额度 30 万元"), "\(beyond.stderr)")
        let granted = try ws("loan", "grant", "\(first)", "--amount", "15", "--note", "首贷", "--config", "v/node.yaml")
        #expect(granted.status == 0 && granted.stdout.contains("15 万元 granted"), "\(granted.stderr)")
        #expect(try ws("loan", "decline", "\(second)", "--reason", "已在他行获得贷款。", "--config", "v/node.yaml").status == 0)
        #expect(try ws("loan", "decline", "\(second)", "--reason", "again", "--config", "v/node.yaml").status == 66)
        #expect(try ws("loan", "list", "--config", "v/node.yaml").stdout.contains("No loan requests to take up or answer"))
        // Only the bank's own answer is said to be its own.
        let text = try ws("loan", "list", "--all", "--config", "v/node.yaml").stdout
        #expect(text.components(separatedBy: "handled by the institution from its own system").count == 2, "\(text)")
        let all = try ws("loan", "list", "--all", "--json", "--config", "v/node.yaml")
        #expect(all.stdout.components(separatedBy: "\"byInstitution\" : true").count == 2)
        #expect(all.status == 0 && all.stdout.contains("\"granted\" : 150000") && all.stdout.contains("\"state\" : \"declined\""), "\(all.stdout)")
    }

    /// 授权查询 at the window: issued with its code printed once, listed (an ID number masked),
    /// revoked; refusals exit 64 (what to fix) or 66 (nobody or nothing to revoke).
    @Test func anAuthorisationIssuedListedAndRevoked() throws {
        let ws = try Workspace()
        #expect(try ws("init", "--code", "420102002201", "--data", "v", "--parent", "https://127.0.0.1:7400").status == 0)
        #expect(
            try ws("generate", "--config", "v/node.yaml", "--kind", "points", "--rows", "20", "--seed", "4", "--faults", "0", "--out", "j.csv").status
                == 0)
        #expect(try ws("ingest", "j.csv", "--kind", "points", "--config", "v/node.yaml").status == 0)
        let lines = try String(contentsOf: ws.url.appendingPathComponent("j.csv"), encoding: .utf8).split(whereSeparator: \.isNewline).map {
            $0.split(separator: ",", omittingEmptySubsequences: false).map(String.init)
        }
        let column = try #require(lines[0].firstIndex(of: "证件号码"))
        let person = try #require(lines.dropFirst().map { $0[column] }.first { (try? ResidentID($0)) != nil })
        let issued = try ws(
            "authorise", "issue", person, "--grantee", "中国农业银行武汉江岸支行", "--purpose", "信易贷贷款审查", "--days", "5", "--json", "--config", "v/node.yaml")
        #expect(issued.status == 0, "\(issued.stderr)")
        let made = try issued.json()
        let code = try #require(made["code"] as? String)
        #expect(code.count == 14 && made["subject"] as? String == Masking.mask(person) && !issued.stdout.contains(person))
        let today = ChinaTime.date(Date())
        #expect(
            made["validFrom"] as? String == today.iso && made["validUntil"] as? String == today.adding(days: 4).iso
                && made["state"] as? String == "有效")
        let listed = try ws("authorise", "list", "--config", "v/node.yaml")
        #expect(
            listed.status == 0 && listed.stdout.contains("#1  有效") && listed.stdout.contains(Masking.mask(person)) && !listed.stdout.contains(person))
        #expect(!listed.stdout.contains(code))
        // Refused: a kind that is public, too many days, a subject not held here.
        let publicKind = try ws("authorise", "issue", person, "--grantee", "x", "--purpose", "y", "--kind", "penalty", "--config", "v/node.yaml")
        #expect(publicKind.status == 64 && publicKind.stderr.contains("points（个人信用积分）"))
        #expect(try ws("authorise", "issue", person, "--grantee", "x", "--purpose", "y", "--days", "400", "--config", "v/node.yaml").status == 64)
        let digits = Array("11010519491231002".utf8)
        let nobody = String(decoding: digits + [ResidentID.checkCharacter(digits)], as: UTF8.self)
        let unknown = try ws("authorise", "issue", nobody, "--grantee", "x", "--purpose", "y", "--config", "v/node.yaml")
        #expect(unknown.status == 66 && !unknown.stderr.contains(nobody))
        // Revoked once; the second time there is nothing to revoke.
        #expect(try ws("authorise", "revoke", "1", "--reason", "信用主体申请撤销", "--config", "v/node.yaml").status == 0)
        #expect(try ws("authorise", "revoke", "1", "--reason", "again", "--config", "v/node.yaml").status == 66)
        #expect(try ws("authorise", "list", "--config", "v/node.yaml").stdout.contains("No authorisations in force"))
        let all = try ws("authorise", "list", "--all", "--config", "v/node.yaml")
        #expect(all.stdout.contains("#1  已撤销") && all.stdout.contains("revoked: 信用主体申请撤销"))
    }

    @Test func initIngestQueryQuarantineStatus() throws {
        let ws = try Workspace()
        let created = try ws(
            "init", "--code", "420102002201", "--data", "v", "--name", "测试村", "--parent", "https://127.0.0.1:7400", "--listen", "127.0.0.1:7401")
        #expect(created.status == 0, "\(created.stderr)")
        let yaml = try String(contentsOf: ws.url.appendingPathComponent("v/node.yaml"), encoding: .utf8)
        #expect(yaml.contains("code: \"420102002201\"") && yaml.contains("420102002000") && yaml.contains("tier: village"))

        #expect(try ws("generate", "--config", "v/node.yaml", "--rows", "300", "--seed", "5", "--as-of", "2026-11-20", "--out", "p.csv").status == 0)
        let ingest = try ws("ingest", "p.csv", "--kind", "行政处罚", "--config", "v/node.yaml", "--json")
        #expect(ingest.status == 0, "\(ingest.stderr)")
        let summary = try ingest.json()
        for key in ["accepted", "rejected", "duplicates", "late"] { #expect(summary[key] is Int, "\(key)") }
        let accepted = try #require(summary["accepted"] as? Int)
        let rejected = try #require(summary["rejected"] as? Int)
        #expect(accepted + rejected == 300 && rejected > 0 && accepted > 0)

        let again = try ws("ingest", "p.csv", "--kind", "penalty", "--config", "v/node.yaml", "--json").json()
        #expect(again["accepted"] as? Int == 0 && again["duplicates"] as? Int == accepted)

        // Both runs are in the audit trail, written by the command line.
        let audit = try ws("audit", "--config", "v/node.yaml", "--json")
        let entries = try #require(try JSONSerialization.jsonObject(with: Data(audit.stdout.utf8)) as? [[String: Any]])
        #expect(
            entries.count == 2
                && entries.allSatisfy { ($0["actor"] as? [String: Any])?["role"] as? String == "cli" && $0["action"] as? String == "records" })
        #expect(try ws("audit", "--config", "v/node.yaml").stdout.contains("accepted \(accepted)"))
        #expect(try ws("audit", "--config", "v/node.yaml", "--since", "2999-01-01").stdout.contains("No writes"))
        #expect(try ws("audit", "--config", "v/node.yaml", "--since", "yesterday").status == 64)

        let status = try ws("status", "--config", "v/node.yaml", "--json").json()
        let counts = try #require(status["counts"] as? [String: Any])
        #expect(counts["records"] as? Int == accepted && counts["quarantined"] as? Int == rejected)

        // As text: each figure named in English and Chinese, the refused rows in the department's
        // words with the reason's code, the rows refused before not kept twice, no ID number.
        let printed = try ws("ingest", "p.csv", "--kind", "penalty", "--config", "v/node.yaml")
        #expect(
            printed.status == 0 && printed.stdout.contains("duplicates 重复   \(accepted)\n") && printed.stdout.contains("rejected 退回     \(rejected) ")
        )
        #expect(printed.stdout.contains("其中 \(rejected) 行此前已退回") && printed.stdout.contains("行 line "))
        #expect(printed.stdout.range(of: #"第 \d+ 行 line \d+: .+ \[[a-z.-]+\]"#, options: .regularExpression) != nil, "\(printed.stdout)")
        #expect(printed.stdout.range(of: #"\d{17}[\dX]"#, options: .regularExpression) == nil)
        let listed = try ws("quarantine", "--config", "v/node.yaml", "--limit", "3")
        #expect(listed.status == 0 && listed.stdout.contains("\(rejected) row(s) in quarantine") && listed.stdout.contains(" 行 line "))
        #expect(listed.stdout.range(of: #"\n  - \p{Han}.+ \[[a-z.-]+\]\n    CF_"#, options: .regularExpression) != nil, "\(listed.stdout)")
        #expect(listed.stdout.range(of: #"\d{17}[\dX]"#, options: .regularExpression) == nil)

        // A subject with records: take one from the generated file.
        let csv = try String(contentsOf: ws.url.appendingPathComponent("p.csv"), encoding: .utf8)
        var code = ""
        for line in csv.components(separatedBy: "\r\n").dropFirst() {
            let cells = line.components(separatedBy: ",")
            if cells.count > 2, cells[1] == "法人及非法人组织", cells[2].count == 18 {
                code = cells[2]
                break
            }
        }
        #expect(code.count == 18)
        let query = try ws("query", code, "--config", "v/node.yaml", "--json")
        #expect(query.status == 0, "\(query.stderr)")
        let records = try #require(try query.json()["records"] as? [[String: Any]])
        #expect(!records.isEmpty)
        for r in records {
            #expect(r["CF_XDR_SHXYM"] as? String == code)
            #expect(r["CF_WSH"] is String && r["CF_JDRQ"] is String && r["kind"] as? String == "penalty")
        }
        let text = try ws("query", code, "--config", "v/node.yaml", "--public")
        #expect(text.status == 0 && text.stdout.contains("行政处罚决定书文号 (CF_WSH)"))

        let quarantine = try ws("quarantine", "--config", "v/node.yaml", "--json", "--limit", "1000").json()
        #expect(quarantine["total"] as? Int == rejected)
        let rows = try #require(quarantine["rows"] as? [[String: Any]])
        #expect(rows.allSatisfy { ($0["reasons"] as? [Any])?.isEmpty == false && ($0["line"] as? Int ?? 0) > 1 })
        // Resident ID numbers do not leave the store unmasked.
        let raws = rows.compactMap { $0["raw"] as? String }.joined()
        #expect(raws.range(of: #"\b\d{17}[\dX]\b"#, options: .regularExpression) == nil)
    }

    @Test func wrongInputGetsAPreciseErrorAndAnExitCode() throws {
        let ws = try Workspace()
        let badCode = try ws("init", "--code", "42010200220", "--data", "v")
        #expect(badCode.status == 64)
        #expect(badCode.stderr.contains("--code '42010200220'") && badCode.stderr.contains("12 digits"))
        #expect(!FileManager.default.fileExists(atPath: ws.url.appendingPathComponent("v").path))

        let noConfig = try ws("status", "--config", "nowhere/node.yaml")
        #expect(noConfig.status == 66 && noConfig.stderr.contains("nowhere/node.yaml"))

        #expect(try ws("init", "--code", "420102002201", "--data", "v").status == 0)
        #expect(try ws("init", "--code", "420102002201", "--data", "v").status != 0)
        try Data().write(to: ws.url.appendingPathComponent("empty.csv"))
        let empty = try ws("ingest", "empty.csv", "--kind", "penalty", "--config", "v/node.yaml")
        #expect(empty.status == 65 && empty.stderr.contains("empty") && empty.stderr.contains("nothing was written"))
        #expect(empty.stderr.contains("文件是空的：需要一行表头和至少一行数据。没有写入任何数据。"))
        // A first line that is a person's ID number: said back masked, with what to do.
        try Data("420102199001011234,金额\n1,2\n".utf8).write(to: ws.url.appendingPathComponent("id.csv"))
        let idHeader = try ws("ingest", "id.csv", "--kind", "penalty", "--config", "v/node.yaml")
        #expect(idHeader.status == 65 && idHeader.stderr.contains("第一行不是表头") && idHeader.stderr.contains("[no-usable-header]"))
        #expect(!idHeader.stderr.contains("420102199001011234") && idHeader.stderr.contains("420102********1234"), "\(idHeader.stderr)")
        let unknown = try ws("ingest", "empty.csv", "--kind", "fines", "--config", "v/node.yaml")
        #expect(unknown.status == 64 && unknown.stderr.contains("penalty (行政处罚)"))
        let badQuery = try ws("query", "91110000600037341A", "--config", "v/node.yaml")
        #expect(badQuery.status == 64 && badQuery.stderr.contains("check character"))
        let status = try ws("status", "--config", "v/node.yaml", "--json").json()
        #expect((status["counts"] as? [String: Any])?["changes"] as? Int == 0)
    }

    @Test func pkiInitIssueRevoke() throws {
        let ws = try Workspace()
        #expect(try ws("pki", "init", "--out", "ca").status == 0)
        #expect(try ws("pki", "init", "--out", "ca").status != 0)  // one CA per network
        #expect(try ws("pki", "issue", "--ca", "ca", "--code", "420102002201", "--out", "v1").status == 0)
        let mode = try FileManager.default.attributesOfItem(atPath: ws.url.appendingPathComponent("v1/node.key").path)[.posixPermissions] as? NSNumber
        #expect(mode?.intValue == 0o600)
        let badCode = try ws("pki", "issue", "--ca", "ca", "--code", "4201020022", "--out", "v2")
        #expect(badCode.status == 64 && badCode.stderr.contains("12 digits"))
        let noCA = try ws("pki", "issue", "--ca", "nowhere", "--code", "420102002201", "--out", "v2")
        #expect(noCA.status == 66 && noCA.stderr.contains("nowhere/ca.pem"))
        // A department system's and an operator's certificates of that node: client.pem, client.key.
        let dept = try ws("pki", "issue", "--ca", "ca", "--code", "420102002201", "--department", "江岸区市场监督管理局", "--out", "dept")
        #expect(dept.status == 0 && dept.stdout.contains("department certificate"), "\(dept.stderr)")
        #expect(FileManager.default.fileExists(atPath: ws.url.appendingPathComponent("dept/client.pem").path))
        #expect(try ws("pki", "issue", "--ca", "ca", "--code", "420102002201", "--operator", "张三", "--out", "op").status == 0)
        #expect(try ws("pki", "issue", "--ca", "ca", "--code", "420102002201", "--operator", "张三", "--department", "x", "--out", "op2").status == 64)
        // A financial institution's, with its credit code; without it, or with a code that is none, refused.
        let lender = Self.creditCode("91420102", "MA4L0002")
        let bank = try ws("pki", "issue", "--ca", "ca", "--code", "420102002201", "--institution", "江岸农商银行", "--lender-code", lender, "--out", "bank")
        #expect(bank.status == 0 && bank.stdout.contains("an institution certificate for 江岸农商银行 (\(lender))"), "\(bank.stderr)")
        let noCode = try ws("pki", "issue", "--ca", "ca", "--code", "420102002201", "--institution", "江岸农商银行", "--out", "bank2")
        #expect(noCode.status == 64 && noCode.stderr.contains("--lender-code"))
        let badLender = try ws(
            "pki", "issue", "--ca", "ca", "--code", "420102002201", "--institution", "江岸农商银行", "--lender-code",
            String(lender.dropLast()) + (lender.hasSuffix("1") ? "2" : "1"), "--out", "bank2")
        #expect(badLender.status == 64 && badLender.stderr.contains("not a valid unified social credit code"))
        #expect(
            try ws(
                "pki", "issue", "--ca", "ca", "--code", "420102002201", "--institution", "x", "--lender-code", lender, "--operator", "y", "--out",
                "bank2"
            ).status == 64)
        // Revoking one certificate by its serial leaves the others.
        let serial = try #require(dept.stdout.components(separatedBy: "serial ").last?.trimmingCharacters(in: CharacterSet(charactersIn: ")\n")))
        let one = try ws("pki", "revoke", "--ca", "ca", "--code", "420102002201", "--serial", serial)
        #expect(one.status == 0 && one.stdout.contains("Revoked 1"), "\(one.stdout)\(one.stderr)")
        let revoke = try ws("pki", "revoke", "--ca", "ca", "--code", "420102002201")
        #expect(revoke.status == 0 && revoke.stdout.contains("Revoked 4"))
        let list = try String(contentsOf: ws.url.appendingPathComponent("ca/revoked.json"), encoding: .utf8)
        #expect(list.contains("\"code\":\"420102002201\"") && list.contains("\"signature\":"))
        #expect(try ws("pki", "revoke", "--ca", "ca", "--code", "420102002202").status == 66)
    }

    @Test func exportThenInspect() throws {
        let ws = try Workspace()
        #expect(try ws("pki", "init", "--out", "ca").status == 0)
        #expect(try ws("pki", "issue", "--ca", "ca", "--code", "420102002201", "--out", "cert").status == 0)
        #expect(try ws("init", "--code", "420102002201", "--data", "v", "--identity", "cert").status == 0)
        #expect(try ws("generate", "--config", "v/node.yaml", "--rows", "200", "--faults", "0", "--out", "p.csv").status == 0)
        #expect(try ws("ingest", "p.csv", "--kind", "penalty", "--config", "v/node.yaml").status == 0)
        let export = try ws("export", "--config", "v/node.yaml", "--out", "up.cnbd", "--json")
        #expect(export.status == 0, "\(export.stderr)")
        let inspect = try ws("inspect", "up.cnbd", "--ca", "ca/ca.pem", "--json")
        #expect(inspect.status == 0)
        let out = try inspect.json()
        #expect(out["verified"] as? Bool == true && out["sender"] as? String == "420102002201")
        let sets = try #require(out["changeSets"] as? [[String: Any]])
        #expect(sets.count == 1 && sets[0]["firstSeq"] as? Int == 1 && sets[0]["lastSeq"] as? Int == 200)
        // The same file under another network's CA, or with the node revoked, is refused.
        #expect(try ws("pki", "init", "--out", "other").status == 0)
        #expect(try ws("inspect", "up.cnbd", "--ca", "other/ca.pem").status == 65)
        #expect(try ws("pki", "revoke", "--ca", "ca", "--code", "420102002201").status == 0)
        let revoked = try ws("inspect", "up.cnbd", "--ca", "ca/ca.pem", "--revoked", "ca/revoked.json")
        #expect(revoked.status == 65 && revoked.stdout.contains("revoked-certificate"))
        // A damaged file is refused with its reason.
        var bytes = try Data(contentsOf: ws.url.appendingPathComponent("up.cnbd"))
        bytes.removeLast(10)
        try bytes.write(to: ws.url.appendingPathComponent("cut.cnbd"))
        let cut = try ws("inspect", "cut.cnbd", "--ca", "ca/ca.pem")
        #expect(cut.status == 65 && cut.stderr.contains("truncated"))
    }

    /// `verify-store` finds a byte flipped on disk (exit 65) and the node says so; `set-aside`
    /// refuses what it cannot do.
    @Test func verifyStoreAndSetAsideFromTheCommandLine() throws {
        let ws = try Workspace()
        #expect(try ws("init", "--code", "420102002201", "--data", "v").status == 0)
        #expect(try ws("generate", "--config", "v/node.yaml", "--rows", "50", "--faults", "0", "--out", "p.csv").status == 0)
        #expect(try ws("ingest", "p.csv", "--kind", "penalty", "--config", "v/node.yaml").status == 0)
        let sound = try ws("verify-store", "--config", "v/node.yaml")
        #expect(sound.status == 0 && sound.stdout.contains("sound"), "\(sound.stdout)\(sound.stderr)")
        // The last process closed the store: its WAL is in the file. Flip a byte of a record's state.
        let file = ws.url.appendingPathComponent("v/node.sqlite")
        var bytes = [UInt8](try Data(contentsOf: file))
        let needle = Array("active".utf8)
        let at = try #require((16_384..<(bytes.count - needle.count)).first { Array(bytes[$0..<($0 + needle.count)]) == needle })
        bytes[at + 3] = 0xFF
        try Data(bytes).write(to: file)
        let damaged = try ws("verify-store", "--config", "v/node.yaml", "--json")
        #expect(damaged.status == 65 && damaged.stdout.contains("breaks its table's constraints"), "\(damaged.stdout)\(damaged.stderr)")
        #expect(try ws("status", "--config", "v/node.yaml").stdout.contains("DAMAGED"))
        // set-aside: nothing here; a resolution needs a note and an entry that exists.
        #expect(try ws("set-aside", "--config", "v/node.yaml").stdout.contains("Nothing set aside"))
        #expect(try ws("set-aside", "--config", "v/node.yaml", "--resolve", "1").status == 64)
        #expect(try ws("set-aside", "--config", "v/node.yaml", "--resolve", "1", "--note", "已处理").status == 66)
    }

    /// A backup while the store is in use: checked, the owner's alone, never over a file; put in
    /// place of the store, it is the store.
    @Test func aBackupOfTheStoreFromTheCommandLine() throws {
        let ws = try Workspace()
        #expect(try ws("init", "--code", "420102002201", "--data", "v").status == 0)
        #expect(try ws("generate", "--config", "v/node.yaml", "--rows", "40", "--faults", "0", "--out", "p.csv").status == 0)
        #expect(try ws("ingest", "p.csv", "--kind", "penalty", "--config", "v/node.yaml").status == 0)
        let made = try ws("backup", "--config", "v/node.yaml", "--to", "b.sqlite")
        #expect(made.status == 0 && made.stdout.contains("40 record(s)") && made.stdout.contains("checked"), "\(made.stdout)\(made.stderr)")
        let file = ws.url.appendingPathComponent("b.sqlite").path
        let mode = try #require(try FileManager.default.attributesOfItem(atPath: file)[.posixPermissions] as? NSNumber).intValue
        #expect(mode & 0o077 == 0, "a backup holds ID numbers: \(String(mode, radix: 8))")
        let size = try #require(try FileManager.default.attributesOfItem(atPath: file)[.size] as? NSNumber)
        // Refused: an existing file (left as it was), a directory that is not there (nothing left behind).
        let again = try ws("backup", "--config", "v/node.yaml", "--to", "b.sqlite")
        #expect(again.status == 73 && again.stderr.contains("exists already") && again.stderr.contains("[store-backup]"), "\(again.stderr)")
        #expect(try FileManager.default.attributesOfItem(atPath: file)[.size] as? NSNumber == size)
        #expect(try ws("backup", "--config", "v/node.yaml", "--to", "nowhere/b.sqlite").status == 73)
        #expect(try FileManager.default.contentsOfDirectory(atPath: ws.url.path).filter { $0.contains("partial") }.isEmpty)
        // In place of a lost store: the node's records, and a sound store.
        for suffix in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(at: ws.url.appendingPathComponent("v/node.sqlite" + suffix)) }
        try FileManager.default.copyItem(atPath: file, toPath: ws.url.appendingPathComponent("v/node.sqlite").path)
        #expect(try ws("status", "--config", "v/node.yaml").stdout.contains("records:    40"))
        #expect(try ws("verify-store", "--config", "v/node.yaml").status == 0)
    }

    /// A village without a line (光盘): the township exports what the village would pull, the
    /// village imports it with the checks of a pull, page by page and in order.
    @Test func downwardOnRemovableMedia() throws {
        let ws = try Workspace()
        #expect(try ws("pki", "init", "--out", "ca").status == 0)
        for code in ["420102002201", "420102002000"] {
            #expect(try ws("pki", "issue", "--ca", "ca", "--code", code, "--out", "certs/\(code)").status == 0)
        }
        #expect(
            try ws("init", "--code", "420102002201", "--data", "v", "--identity", "certs/420102002201", "--parent", "https://127.0.0.1:7400").status
                == 0)
        #expect(try ws("init", "--code", "420102002000", "--data", "t", "--identity", "certs/420102002000", "--child", "420102002201").status == 0)
        // The township lists five subjects on the red list: network-wide, so the village needs them.
        #expect(try ws("generate", "--config", "t/node.yaml", "--kind", "redlist", "--rows", "5", "--faults", "0", "--out", "r.csv").status == 0)
        #expect(try ws("ingest", "r.csv", "--kind", "redlist", "--config", "t/node.yaml").status == 0)
        let export = try ws("export", "--config", "t/node.yaml", "--down", "420102002201", "--page-changes", "2", "--out", "down.cndn", "--json")
        #expect(export.status == 0, "\(export.stderr)")
        let pages = try #require(try JSONSerialization.jsonObject(with: Data(export.stdout.utf8)) as? [[String: Any]])
        #expect(pages.map { $0["file"] as? String } == ["down.cndn", "down.cndn.2", "down.cndn.3"])
        // Out of order: refused, nothing applied.
        let early = try ws("import", "down.cndn.2", "--config", "v/node.yaml")
        #expect(early.status == 65 && early.stderr.contains("down-page-gap"), "\(early.stderr)")
        // In order: every record arrives; the same page again is all duplicates.
        for file in ["down.cndn", "down.cndn.2", "down.cndn.3"] {
            let r = try ws("import", file, "--config", "v/node.yaml", "--json")
            #expect(r.status == 0, "\(r.stderr)")
        }
        let again = try ws("import", "down.cndn.3", "--config", "v/node.yaml", "--json").json()
        #expect(again["applied"] as? Int == 0 && again["duplicates"] as? Int == 1)
        let status = try ws("status", "--config", "v/node.yaml", "--json").json()
        #expect((status["counts"] as? [String: Any])?["records"] as? Int == 5)
        #expect(status["downCursor"] as? Int == (pages.last?["next"] as? Int))
        // A node that is not the township's child gets nothing: the parent refuses to write it.
        #expect(try ws("export", "--config", "t/node.yaml", "--down", "420102002202", "--out", "x.cndn").status != 0)
    }

    /// A second certificate appended to the sender's in transit changes bytes nobody signed:
    /// `inspect` and `import` both refuse it, with the same code.
    @Test func inspectAndImportRefuseAnExtraCertificateAlike() throws {
        let ws = try Workspace()
        #expect(try ws("pki", "init", "--out", "ca").status == 0)
        for code in ["420102002201", "420102002000"] {
            #expect(try ws("pki", "issue", "--ca", "ca", "--code", code, "--out", "certs/\(code)").status == 0)
        }
        #expect(
            try ws("init", "--code", "420102002201", "--data", "v", "--identity", "certs/420102002201", "--parent", "https://127.0.0.1:7400").status
                == 0)
        #expect(try ws("init", "--code", "420102002000", "--data", "t", "--identity", "certs/420102002000", "--child", "420102002201").status == 0)
        #expect(try ws("generate", "--config", "v/node.yaml", "--rows", "20", "--faults", "0", "--out", "p.csv").status == 0)
        #expect(try ws("ingest", "p.csv", "--kind", "penalty", "--config", "v/node.yaml").status == 0)
        #expect(try ws("export", "--config", "v/node.yaml", "--out", "up.cnbd").status == 0)
        let bytes = [UInt8](try Data(contentsOf: ws.url.appendingPathComponent("up.cnbd")))
        func u32(_ at: Int) -> Int { bytes[at..<(at + 4)].reduce(0) { $0 << 8 | Int($1) } }
        // Magic, version, sender, created-at, count; then each change set; then the trailer.
        var at = 25
        let sets = u32(at)
        at += 4
        for _ in 0..<sets { at += 4 + u32(at) }
        // Version 2 carries the village's health record after the change sets.
        #expect(bytes[4] == 2)
        let records = u32(at)
        at += 4
        for _ in 0..<records { at += 4 + u32(at) }
        #expect(bytes[at] == 1)
        let certificate = Array(bytes[(at + 1)..<(at + 5 + u32(at + 1))])
        var mutated = Array(bytes[..<at]) + [2] + certificate + certificate
        mutated += bytes[(at + 1 + certificate.count)...]
        try Data(mutated).write(to: ws.url.appendingPathComponent("k2.cnbd"))
        let inspect = try ws("inspect", "k2.cnbd", "--ca", "ca/ca.pem")
        #expect(inspect.status == 65 && (inspect.stdout + inspect.stderr).contains("bad-certificate"), "\(inspect.stdout)\(inspect.stderr)")
        let imported = try ws("import", "k2.cnbd", "--config", "t/node.yaml")
        #expect(imported.status == 65 && imported.stderr.contains("bad-certificate"), "\(imported.stderr)")
        // The file as exported passes both.
        #expect(try ws("inspect", "up.cnbd", "--ca", "ca/ca.pem").status == 0)
        #expect(try ws("import", "up.cnbd", "--config", "t/node.yaml").status == 0)
    }

    @Test func offlineRoundTripVillageToTownship() throws {
        let ws = try Workspace()
        #expect(try ws("pki", "init", "--out", "ca").status == 0)
        for code in ["420102002201", "420102002000"] {
            #expect(try ws("pki", "issue", "--ca", "ca", "--code", code, "--out", "certs/\(code)").status == 0)
        }
        #expect(
            try ws("init", "--code", "420102002201", "--data", "v", "--identity", "certs/420102002201", "--parent", "https://127.0.0.1:7400").status
                == 0)
        #expect(try ws("init", "--code", "420102002000", "--data", "t", "--identity", "certs/420102002000", "--child", "420102002201").status == 0)
        #expect(try ws("generate", "--config", "v/node.yaml", "--rows", "100", "--faults", "0", "--out", "p.csv").status == 0)
        #expect(try ws("ingest", "p.csv", "--kind", "penalty", "--config", "v/node.yaml").status == 0)
        #expect(try ws("export", "--config", "v/node.yaml", "--out", "up.cnbd").status == 0)
        let applied = try ws("import", "up.cnbd", "--config", "t/node.yaml", "--json")
        #expect(applied.status == 0, "\(applied.stderr)")
        #expect(try applied.json()["changes"] as? Int == 100)
        let replay = try ws("import", "up.cnbd", "--config", "t/node.yaml", "--json").json()
        #expect(replay["applied"] as? Int == 0 && replay["duplicates"] as? Int == 1)
        let ack = try ws("import", "up.cnbd.receipt", "--config", "v/node.yaml", "--json")
        let acknowledged = try ack.json()["acknowledged"] as? Int
        #expect(ack.status == 0 && acknowledged == 1)
        let status = try ws("status", "--config", "t/node.yaml", "--json").json()
        #expect((status["counts"] as? [String: Any])?["records"] as? Int == 100)
        // Misconfigured: a parent that does not list the sender.
        #expect(try ws("init", "--code", "420102002000", "--data", "t2", "--identity", "certs/420102002000").status == 0)
        let refused = try ws("import", "up.cnbd", "--config", "t2/node.yaml")
        #expect(refused.status == 65 && refused.stderr.contains("not-a-child"))
    }

    /// A credit report downloaded from a running node's portal is checked offline by
    /// `verify-report`: accepted as issued, refused (65, with its reason) once altered, under
    /// another network's CA, or with its issuer revoked.
    @Test func aReportFromThePortalVerifiesOfflineAndAlteredIsRefused() async throws {
        let ws = try Workspace()
        let portal = try freePort()
        #expect(try ws("pki", "init", "--out", "ca").status == 0)
        #expect(try ws("pki", "issue", "--ca", "ca", "--code", "420102002000", "--out", "cert").status == 0)
        #expect(
            try ws(
                "init", "--code", "420102002000", "--data", "t", "--identity", "cert", "--listen", "127.0.0.1:\(try freePort())", "--portal",
                "127.0.0.1:\(portal)"
            )
            .status == 0)
        #expect(try ws("generate", "--config", "t/node.yaml", "--rows", "60", "--faults", "0", "--out", "p.csv").status == 0)
        #expect(try ws("ingest", "p.csv", "--kind", "penalty", "--config", "t/node.yaml").status == 0)
        let server = try startServer(ws, config: "t/node.yaml", ready: "credit portal on")
        defer {
            server.terminate()
            server.waitUntilExit()
        }
        func get(_ path: String) async throws -> Data {
            let (data, response) = try await URLSession.shared.data(from: URL(string: "http://127.0.0.1:\(portal)\(path)")!)
            #expect((response as? HTTPURLResponse)?.statusCode == 200, "\(path)")
            return data
        }
        let listing = try JSONSerialization.jsonObject(with: try await get("/publicity/penalty?format=json")) as? [String: Any]
        let link = try #require(((listing?["rows"] as? [[String: Any]])?.first?["subjectLink"] as? String))
        let report = try await get(link.replacingOccurrences(of: "/subjects/", with: "/reports/") + "?format=json")
        try report.write(to: ws.url.appendingPathComponent("report.json"))
        let verified = try ws("verify-report", "report.json", "--ca", "ca/ca.pem", "--json")
        #expect(try verified.status == 0 && verified.json()["verified"] as? Bool == true, "\(verified.stdout)\(verified.stderr)")
        // One character of the payload changed.
        var envelope = try #require(try JSONSerialization.jsonObject(with: report) as? [String: Any])
        envelope["payload"] = (envelope["payload"] as? String)?.replacingOccurrences(
            of: "\"issuer\":\"420102002000\"", with: "\"issuer\":\"420102002001\"")
        try JSONSerialization.data(withJSONObject: envelope).write(to: ws.url.appendingPathComponent("altered.json"))
        let altered = try ws("verify-report", "altered.json", "--ca", "ca/ca.pem")
        #expect(altered.status == 65 && altered.stdout.contains("REFUSED"), "\(altered.stdout)")
        #expect(try ws("pki", "init", "--out", "other").status == 0)
        let foreign = try ws("verify-report", "report.json", "--ca", "other/ca.pem", "--json")
        #expect(try foreign.status == 65 && foreign.json()["reason"] as? String == "unknown-ca")
        #expect(try ws("pki", "revoke", "--ca", "ca", "--code", "420102002000").status == 0)
        let revoked = try ws("verify-report", "report.json", "--ca", "ca/ca.pem", "--revoked", "ca/revoked.json", "--json")
        #expect(try revoked.status == 65 && revoked.json()["reason"] as? String == "revoked-issuer")
        #expect(try ws("verify-report", "missing.json", "--ca", "ca/ca.pem").status == 66)
    }

    /// `generate --subjects N` draws every row from N subjects; 0 is refused.
    @Test func generateDrawsFromTheSubjectsAskedFor() throws {
        let ws = try Workspace()
        #expect(try ws("init", "--code", "420102002201", "--data", "v").status == 0)
        let out = try ws("generate", "--config", "v/node.yaml", "--rows", "200", "--subjects", "7", "--faults", "0", "--header", "codes")
        #expect(out.status == 0)
        let lines = out.stdout.split(whereSeparator: \.isNewline).map { $0.split(separator: ",", omittingEmptySubsequences: false) }
        let column = try #require(lines.first?.firstIndex { $0 == "CF_XDR_MC" })
        let names = Set(lines.dropFirst().map { String($0[column]) })
        #expect(lines.count == 201 && (1...7).contains(names.count), "\(names.count) names")
        let refused = try ws("generate", "--config", "v/node.yaml", "--rows", "5", "--subjects", "0")
        #expect(refused.status == 64 && refused.stderr.contains("--subjects"))
    }

    /// A free loopback port (bound, then released for the server to take), never one handed out
    /// before in this process (`portsHandedOut`).
    func freePort() throws -> Int { handOutPort() }

    /// Starts `credit-node serve` and waits until it says `ready` (by default: its sync listener listens).
    func startServer(_ ws: Workspace, config: String, ready: String = "sync listener on") throws -> Process {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: binary)
        p.arguments = ["serve", "--config", config]
        p.currentDirectoryURL = ws.url
        let err = Pipe()
        p.standardError = err
        p.standardOutput = FileHandle.nullDevice
        try p.run()
        var seen = ""
        let deadline = Date().addingTimeInterval(30)
        while !seen.contains(ready), Date() < deadline, p.isRunning {
            seen += String(decoding: err.fileHandleForReading.availableData, as: UTF8.self)
        }
        #expect(seen.contains(ready), "serve did not start: \(seen)")
        return p
    }

    @Test func killedWhileApplyingTheParentLosesNothingAcknowledgedAndAppliesOnce() throws {
        let ws = try Workspace()
        let port = try freePort()
        #expect(try ws("pki", "init", "--out", "ca").status == 0)
        for code in ["420102002201", "420102002000"] {
            #expect(try ws("pki", "issue", "--ca", "ca", "--code", code, "--out", "certs/\(code)").status == 0)
        }
        #expect(
            try ws("init", "--code", "420102002201", "--data", "v", "--identity", "certs/420102002201", "--parent", "https://127.0.0.1:\(port)")
                .status == 0)
        #expect(
            try ws(
                "init", "--code", "420102002000", "--data", "t", "--identity", "certs/420102002000", "--child", "420102002201", "--listen",
                "127.0.0.1:\(port)"
            ).status == 0)
        #expect(try ws("generate", "--config", "v/node.yaml", "--rows", "40000", "--faults", "0", "--out", "p.csv").status == 0)
        #expect(try ws("ingest", "p.csv", "--kind", "penalty", "--config", "v/node.yaml").status == 0)

        // The township acknowledges the four sets once they are verified and queued, then applies
        // them one by one; it is killed while it does.
        var server = try startServer(ws, config: "t/node.yaml")
        let first = try ws("push", "--config", "v/node.yaml", "--json")
        kill(server.processIdentifier, SIGKILL)
        server.waitUntilExit()
        #expect(first.status == 0, "\(first.stderr)")
        #expect(
            try ws("status", "--config", "v/node.yaml", "--json").json()["origins"].flatMap {
                ($0 as? [[String: Any]])?.first?["highestSeqAcknowledged"] as? Int
            } == 40_000)
        // What the township holds is whole slices (NodeStore.applySlice), and with its queue,
        // everything acknowledged.
        let killed = try ws("status", "--config", "t/node.yaml", "--json").json()
        let applied = try #require((killed["counts"] as? [String: Any])?["changes"] as? Int)
        let queued = try #require((killed["applyQueue"] as? [String: Any])?["changes"] as? Int)
        #expect(applied % 2_000 == 0 && applied + queued == 40_000, "applied \(applied), queued \(queued)")

        // Restarted, it applies what is queued, once; a second push has nothing left to send.
        server = try startServer(ws, config: "t/node.yaml")
        defer {
            kill(server.processIdentifier, SIGTERM)
            server.waitUntilExit()
        }
        var counts: [String: Any] = [:]
        let deadline = Date().addingTimeInterval(60)
        repeat {
            Thread.sleep(forTimeInterval: 0.3)
            counts = try #require(try ws("status", "--config", "t/node.yaml", "--json").json()["counts"] as? [String: Any])
        } while counts["records"] as? Int != 40_000 && Date() < deadline
        #expect(counts["records"] as? Int == 40_000 && counts["changes"] as? Int == 40_000)
        let again = try ws("push", "--config", "v/node.yaml")
        #expect(again.status == 0 && again.stdout.contains("Nothing pending"), "\(again.stdout)\(again.stderr)")
        #expect(queued > 0, "the township applied everything before it was killed; make the bundle larger")
    }

    @Test func aBinaryInstalledWithoutItsDataFilesSaysSo() throws {
        let ws = try Workspace()
        let copy = ws.url.appendingPathComponent("credit-node")
        try FileManager.default.copyItem(atPath: binary, toPath: copy.path)
        let missing = try run(["kinds"], in: ws.url, executable: copy.path)
        #expect(missing.status == 78)
        #expect(missing.stderr.contains("CreditNet_CreditDomain.resources") && missing.stderr.contains("CREDITNET_RESOURCES"))
        // Next to the binary, the same copy works.
        let resources = URL(fileURLWithPath: binary).deletingLastPathComponent().appendingPathComponent("CreditNet_CreditDomain.resources")
        try FileManager.default.copyItem(at: resources, to: ws.url.appendingPathComponent("CreditNet_CreditDomain.resources"))
        #expect(try run(["kinds"], in: ws.url, executable: copy.path).status == 0)
    }

    @Test func killedDuringIngestLosesNothingCommittedAndHalfWritesNothing() throws {
        let ws = try Workspace()
        #expect(try ws("init", "--code", "420102002201", "--data", "v").status == 0)
        #expect(
            try ws(
                "generate", "--node", "420102002201", "--rows", "500", "--seed", "1", "--faults", "0", "--as-of", "2026-11-20", "--out", "small.csv"
            ).status == 0)
        #expect(
            try ws(
                "generate", "--node", "420102002201", "--rows", "60000", "--seed", "2", "--faults", "0", "--as-of", "2026-11-20", "--out", "big.csv"
            ).status == 0)
        let committed = try ws("ingest", "small.csv", "--kind", "penalty", "--config", "v/node.yaml", "--json").json()
        #expect(committed["accepted"] as? Int == 500)

        var killedMidway = false
        for delay in [0.3, 0.8, 1.5] {
            let p = Process()
            p.executableURL = URL(fileURLWithPath: binary)
            p.arguments = ["ingest", "big.csv", "--kind", "penalty", "--config", "v/node.yaml"]
            p.currentDirectoryURL = ws.url
            p.standardOutput = FileHandle.nullDevice
            p.standardError = FileHandle.nullDevice
            try p.run()
            Thread.sleep(forTimeInterval: delay)
            if p.isRunning {
                kill(p.processIdentifier, SIGKILL)
                killedMidway = true
            }
            p.waitUntilExit()
            let counts = try #require(try ws("status", "--config", "v/node.yaml", "--json").json()["counts"] as? [String: Any])
            let records = try #require(counts["records"] as? Int)
            // Either the whole file or none of it, and always what was acknowledged before.
            #expect(records == 500 || records == 60_500, "records after kill: \(records)")
            #expect(counts["changes"] as? Int == records)
            if records == 60_500 { break }
        }
        #expect(killedMidway, "the ingest finished before it could be killed; make the file larger")
        let finished = try ws("ingest", "big.csv", "--kind", "penalty", "--config", "v/node.yaml", "--json")
        #expect(finished.status == 0)
        let counts = try #require(try ws("status", "--config", "v/node.yaml", "--json").json()["counts"] as? [String: Any])
        #expect(counts["records"] as? Int == 60_500)
        let highest = try #require(try ws("status", "--config", "v/node.yaml", "--json").json()["highestSeq"] as? [String: Any])
        #expect(highest["420102002201"] as? Int == 60_500)
    }
}
