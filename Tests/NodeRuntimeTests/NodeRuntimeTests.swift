import CreditDomain
import CreditStore
import Foundation
import SampleData
import TestSupport
import Testing

@testable import NodeRuntime

/// 10:00 in China on `day`.
func morning(_ day: CivilDate) -> Date { Date(timeIntervalSince1970: Double(day.dayNumber) * 86_400 + 2 * 3600) }

struct NodeFixture {
    let dir: TemporaryDirectory
    let context: NodeContext
    let asOf = CivilDate(year: 2026, month: 11, day: 20)!

    init(code: String = "420102002201") throws {
        dir = try TemporaryDirectory()
        var config = NodeConfiguration(code: try DivisionCode(code), dataDirectory: dir.path("node"))
        config.name = "测试村"
        try config.write()
        context = try NodeContext(configuration: config)
    }

    func sample(kind: String = "penalty", rows: Int, seed: UInt64 = 3, faults: Double = 0.3) throws -> (kind: ResolvedKind, rows: [SampleRow]) {
        let resolved = try context.catalogue.kind(named: kind)
        var options = SampleGenerator.Options(seed: seed, node: context.configuration.code, asOf: asOf)
        options.faultShare = faults
        var generator = SampleGenerator(options)
        return (resolved, generator.rows(kind: resolved, count: rows))
    }

    func ingest(_ path: String, kind: String = "penalty", encoding: TextEncoding? = nil) throws -> IngestReport {
        try FileIngestion(node: context).ingest(file: path, kind: kind, encoding: encoding, now: morning(asOf))
    }
}

@Suite("Node configuration")
struct NodeConfigurationTests {
    @Test func writesAndReadsBack() throws {
        let dir = try TemporaryDirectory()
        var config = NodeConfiguration(code: try DivisionCode("420102002201"), dataDirectory: dir.path("v"))
        config.name = "谌家矶街道某村"
        config.listen = "127.0.0.1:7401"
        config.parent = .init(url: "https://127.0.0.1:7400", code: try DivisionCode("420102002000"))
        let path = try config.write()
        #expect(try NodeConfiguration.load(path: path) == config)
        #expect(throws: ConfigurationError.self) { try config.write() }
        #expect(throws: Never.self) { try config.write(force: true) }
    }

    func refusal(_ yaml: String) throws -> ConfigurationError? {
        let dir = try TemporaryDirectory()
        let path = try dir.write("node.yaml", Array(yaml.utf8))
        do {
            _ = try NodeConfiguration.load(path: path)
            return nil
        } catch { return error }
    }

    @Test func wrongValuesAreNamed() throws {
        #expect(try refusal("code: \"42010200220\"\ndata: d\n")?.message.contains("key 'code'") == true)
        #expect(try refusal("code: \"420102002201\"\n")?.message.contains("key 'data'") == true)
        #expect(try refusal("code: \"420102002201\"\ndata: d\ntier: county\n")?.message.contains("key 'tier'") == true)
        #expect(try refusal("code: \"420102002201\"\ndata: d\nlisten: localhost\n")?.message.contains("key 'listen'") == true)
        #expect(try refusal("code: \"420102002201\"\ndata: d\ncolour: red\n")?.message.contains("key 'colour'") == true)
        #expect(
            try refusal("code: \"420102002201\"\ndata: d\nparent: {url: \"https://h:1\", code: \"420103000000\"}\n")?.message.contains(
                "key 'parent.code'") == true)
        #expect(
            try refusal("code: \"420102002201\"\ndata: d\nparent: {url: \"http://h:1\", code: \"420102002000\"}\n")?.message.contains(
                "key 'parent.url'") == true)
        #expect(try refusal("[1, 2]")?.code == .invalid)
        #expect(try refusal("code: \"420102002201\"\ndata: d\nwindowHours: 0\n")?.message.contains("key 'windowHours'") == true)
        #expect(try refusal("code: \"420102002000\"\ndata: d\nchildren: [\"420103002201\"]\n")?.message.contains("key 'children'") == true)
        #expect(try refusal("code: \"420102002000\"\ndata: d\nchildren: [\"420102002201\"]\nwindowHours: 48\n") == nil)
        #expect(try refusal("code: \"420102002201\"\ndata: d\nrecordsListen: \"nowhere\"\n")?.message.contains("key 'recordsListen'") == true)
        #expect(try refusal("code: \"420102002201\"\ndata: d\npushIntervalSeconds: 0\n")?.message.contains("key 'pushIntervalSeconds'") == true)
        #expect(try refusal("code: \"420102002201\"\ndata: d\nbacklogThreshold: many\n")?.message.contains("key 'backlogThreshold'") == true)
        #expect(try refusal("code: \"420102002201\"\ndata: d\nchildren: \"420102002201\"\n")?.message.contains("key 'children'") == true)
        #expect(try refusal("code: \"420102002201\"\ndata: d\npullIntervalSeconds: -5\n")?.message.contains("key 'pullIntervalSeconds'") == true)
        #expect(try refusal("code: \"420102002201\"\ndata: d\npullPageChanges: 1000000\n")?.message.contains("key 'pullPageChanges'") == true)
        let tuned =
            "code: \"420102002201\"\ndata: d\nrecordsListen: \"127.0.0.1:7480\"\npushIntervalSeconds: 60\npullIntervalSeconds: 30\npullPageChanges: 200\nbacklogThreshold: 500\nbackoffBaseSeconds: 2\nbackoffMaxSeconds: 600\n"
        #expect(try refusal(tuned) == nil)
        #expect(try refusal("code: \"420102002201\"\ndata: d\nparent: {url: \"https://h:1\", code: \"420102002000\"}\n") == nil)
    }

    /// IPv6 (政府网站支持 IPv6): an address in brackets, as in a URL, for every listener and the
    /// parent; one written without brackets, or left unquoted in YAML (a list), is refused saying how.
    @Test func ipv6AddressesAreWrittenInBracketsAndQuoted() throws {
        let v6 = "code: \"420102002201\"\ndata: d\nlisten: \"[::1]:7401\"\nrecordsListen: \"[::1]:7601\"\nportal: \"[2001:db8::7]:443\"\n"
        #expect(try refusal(v6 + "parent: {url: \"https://[fd00::2]:7400\", code: \"420102002000\"}\n") == nil)
        let bare = try #require(try refusal("code: \"420102002201\"\ndata: d\nlisten: \"::1:7401\"\n"))
        #expect(bare.message.contains("key 'listen'") && bare.message.contains("write it as [::1]:7401"), "\(bare.message)")
        let unquoted = try #require(try refusal("code: \"420102002201\"\ndata: d\nlisten: [::1]:7401\n"))
        #expect(unquoted.message.contains("must be quoted in YAML: listen: \"[::1]:7400\""), "\(unquoted.message)")
        let list = try #require(try refusal("code: \"420102002201\"\ndata: d\nportal: [\"::1\"]\n"))
        #expect(list.message.contains("key 'portal'") && list.message.contains("not a YAML list"), "\(list.message)")
        let parent = try #require(try refusal("code: \"420102002201\"\ndata: d\nparent: {url: \"https://::1:7400\", code: \"420102002000\"}\n"))
        #expect(parent.message.contains("key 'parent.url'") && parent.message.contains("https://[::1]:7400"), "\(parent.message)")
        // Written by `init` and read back the same.
        let dir = try TemporaryDirectory()
        var config = NodeConfiguration(code: try DivisionCode("420102002201"), dataDirectory: dir.path("v"))
        config.listen = "[::1]:7401"
        config.portal = "[::1]:7501"
        config.parent = .init(url: "https://[::1]:7400", code: try DivisionCode("420102002000"))
        #expect(try NodeConfiguration.load(path: try config.write()) == config)
    }

    @Test func anAddressIsReadAsAURLHoldsIt() throws {
        for (text, host, port) in [
            ("127.0.0.1:7400", "127.0.0.1", 7400), ("localhost:80", "localhost", 80),
            ("n420102002000.node.creditnet:7400", "n420102002000.node.creditnet", 7400),
            ("[::1]:7400", "::1", 7400), ("[2001:db8::7]:443", "2001:db8::7", 443), ("[::ffff:127.0.0.1]:1", "::ffff:127.0.0.1", 1),
        ] {
            let parsed = try HostPort.parse(text).get()
            #expect(parsed.host == host && parsed.port == port && parsed.description == text, "\(text)")
        }
        #expect(HostPort(host: "::1", port: 7400).at(port: 7500).description == "[::1]:7500")
        for (text, says) in [
            ("::1:7400", "write it as [::1]:7400"), ("[::1]", "no :port"), ("[::1:7400", "never closes"), ("[example.com]:80", "no IPv6 address"),
            ("127.0.0.1", "not host:port"), ("127.0.0.1:0", "port from 1 to 65535"), ("127.0.0.1:65536", "port from 1 to 65535"),
            (":7400", "not host:port"), ("h/x:1", "not host:port"), ("[::1]:", "port from 1 to 65535"),
        ] {
            let problem = HostPort.problem(text)
            #expect(problem?.contains(says) == true && problem?.hasPrefix("'\(text)'") == true, "\(text): \(problem ?? "accepted")")
        }
        #expect(HostPort.ofURL("https://[::1]:7400/v1/sync/up") == HostPort(host: "::1", port: 7400))
        #expect(HostPort.ofURL("https://h:1") == HostPort(host: "h", port: 1))
        #expect(HostPort.ofURL("http://h:1") == nil && HostPort.ofURL("https://::1:7400") == nil)
    }

    @Test func aMissingFileSaysHowToCreateOne() {
        do {
            _ = try NodeConfiguration.load(path: "/nonexistent/node.yaml")
            Issue.record("loaded a missing file")
        } catch {
            #expect(error.code == .missingFile)
            #expect(error.message.contains("credit-node init"))
        }
    }
}

@Suite("File ingestion")
struct FileIngestionTests {
    @Test(arguments: ["penalty", "license", "blacklist", "commitment", "inspection", "points"])
    func everyPlantedFaultIsRefusedForItsReason(kind: String) throws {
        let f = try NodeFixture()
        let (resolved, rows) = try f.sample(kind: kind, rows: 400)
        let path = try f.dir.write("\(kind).csv", Array(SampleGenerator.csv(kind: resolved, rows: rows, header: .names).utf8))
        let report = try f.ingest(path, kind: kind)
        let faulty = rows.filter { $0.fault != nil }
        #expect(report.rows == 400)
        #expect(report.rejected == faulty.count)
        #expect(report.accepted == 400 - faulty.count)
        let (quarantined, total) = try f.context.store.quarantine(limit: 1000)
        #expect(total == faulty.count)
        // Line n + 1 holds row n (the header is line 1).
        for q in quarantined {
            let fault = try #require(rows[q.line - 2].fault)
            #expect(q.reasons.contains { $0.code.hasPrefix(fault.expectedIssuePrefix) }, "\(fault) gave \(q.reasons.map(\.code))")
            // Each reason kept with its Chinese words for the office's pages, naming the field by its Chinese name.
            for r in q.reasons {
                let chinese = try #require(r.chinese, "\(fault): \(r.code) has no Chinese words")
                #expect(r.shown == chinese && !chinese.contains(" is ") && !chinese.contains("must"), "\(chinese)")
                #expect(r.field.map { !chinese.contains($0) } ?? true, "\(chinese) names the field by its name, not its code")
                if let field = r.field, let spec = resolved.fields.first(where: { resolved.kind.fullCode($0.code) == field }),
                    r.code != "required-when"
                {
                    #expect(chinese.contains(spec.name), "\(chinese) names \(spec.name)")
                }
            }
        }
    }

    @Test func theGeneratorPlantsEveryFaultAndIsDeterministic() throws {
        let f = try NodeFixture()
        let (kind, a) = try f.sample(rows: 3000, seed: 9)
        let (_, b) = try f.sample(rows: 3000, seed: 9)
        let (_, c) = try f.sample(rows: 3000, seed: 10)
        #expect(SampleGenerator.csv(kind: kind, rows: a, header: .codes) == SampleGenerator.csv(kind: kind, rows: b, header: .codes))
        #expect(a != c)
        #expect(Set(a.compactMap(\.fault)) == Set(SampleFault.allCases))
    }

    /// Subjects grow with rows (one per five), in realistic shares, drawn Zipf-like: most have a
    /// record or two, the busiest a few hundred at most — at 100,000 rows as at 1,000.
    @Test func subjectsGrowWithRowsAndAreDrawnLikeLife() throws {
        let f = try NodeFixture()
        let kind = try f.context.catalogue.kind(named: "penalty")
        let subjectFields = ["XDR_SHXYM", "XDR_ZJHM"].map { kind.index[$0]! }
        func subjects(_ rows: [SampleRow]) -> [String: Int] {
            var out: [String: Int] = [:]
            for r in rows { out[subjectFields.lazy.map { r.values[$0] }.first { !$0.isEmpty } ?? "", default: 0] += 1 }
            return out
        }
        for count in [1_000, 100_000] {
            var options = SampleGenerator.Options(seed: 5, node: f.context.configuration.code, asOf: f.asOf)
            options.faultShare = 0
            var generator = SampleGenerator(options)
            let rows = generator.rows(kind: kind, count: count)
            #expect(generator.population == max(60, count / 5))
            let perSubject = subjects(rows)
            // Distinct subjects seen: a large part of the population (the tail draws one each).
            #expect(perSubject.count > generator.population / 3, "\(count): \(perSubject.count) subjects")
            let busiest = perSubject.values.max() ?? 0
            #expect(busiest < count / 25 && busiest >= 5, "\(count): the busiest has \(busiest)")
            let once = perSubject.values.filter { $0 <= 2 }.count
            #expect(Double(once) > Double(perSubject.count) * 0.25, "\(count): \(once) of \(perSubject.count) have one or two")
            // Shares: persons about a fifth of the rows' subjects, 个体工商户 and companies the rest.
            let categories = Dictionary(grouping: rows, by: { $0.values[kind.index["XDR_LB"]!] }).mapValues(\.count)
            let persons = Double(categories["自然人"] ?? 0) / Double(count)
            #expect(persons > 0.08 && persons < 0.35, "\(categories)")
            #expect((categories["个体工商户"] ?? 0) > 0 && (categories["法人及非法人组织"] ?? 0) > 0)
        }
        // A fixed population stays fixed; the same seed gives the same subjects at any rank.
        var options = SampleGenerator.Options(seed: 5, node: f.context.configuration.code, asOf: f.asOf)
        options.subjects = 10
        options.faultShare = 0
        var fixed = SampleGenerator(options)
        #expect(subjects(fixed.rows(kind: kind, count: 500)).count <= 10)
        let again = SampleGenerator(options)
        #expect(fixed.organisationCodes == again.organisationCodes)
    }

    @Test func reIngestingStoresNothingNew() throws {
        let f = try NodeFixture()
        let (kind, rows) = try f.sample(rows: 200)
        let path = try f.dir.write("p.csv", Array(SampleGenerator.csv(kind: kind, rows: rows, header: .codes).utf8))
        let first = try f.ingest(path)
        let counts = try f.context.store.counts()
        let second = try f.ingest(path)
        #expect(second.accepted == 0 && second.updated == 0 && second.duplicates == first.accepted)
        #expect(second.rejected == first.rejected && second.alreadyQuarantined == first.rejected)
        #expect(try f.context.store.counts() == counts)
    }

    @Test func gb18030AndJSONLinesGiveTheSameRecords() throws {
        let (kind, rows) = try NodeFixture().sample(rows: 150)
        let csv = SampleGenerator.csv(kind: kind, rows: rows, header: .names)
        var summaries: [[Int]] = []
        var profiles: [[String]] = []
        for (name, bytes, encoding) in [
            ("utf8.csv", Array(csv.utf8), TextEncoding?.none), ("bom.csv", [0xEF, 0xBB, 0xBF] + Array(csv.utf8), nil),
            ("gb.csv", TextDecoding.gb18030(csv), nil), ("gb-forced.csv", TextDecoding.gb18030(csv), .gb18030),
            ("rows.jsonl", Array(SampleGenerator.jsonLines(kind: kind, rows: rows).utf8), nil),
        ] {
            let f = try NodeFixture()
            let report = try f.ingest(try f.dir.write(name, bytes), encoding: encoding)
            summaries.append([report.accepted, report.rejected, report.late])
            if name.hasPrefix("gb") { #expect(report.encoding == "gb18030") }
            let subject = try #require(rows.first { $0.fault == nil }.map { $0.values[kind.index["XDR_SHXYM"]!] })
            profiles.append(try f.context.store.records(subject: subject).map(\.fieldsJSON))
        }
        #expect(Set(summaries.map { $0 }).count == 1, "\(summaries)")
        #expect(Set(profiles).count == 1)
        #expect(!profiles[0].isEmpty)
    }

    func expectRefusedWithoutWriting(_ bytes: [UInt8], name: String = "bad.csv", _ code: IngestError.Code) throws {
        let f = try NodeFixture()
        let before = try f.context.store.counts()
        do {
            _ = try f.ingest(try f.dir.write(name, bytes))
            Issue.record("accepted a file that should be refused (\(code))")
        } catch let error as IngestError {
            #expect(error.code == code, "\(error)")
        }
        #expect(try f.context.store.counts() == before)
    }

    @Test func wholeFileRefusals() throws {
        try expectRefusedWithoutWriting([], .empty)
        try expectRefusedWithoutWriting([0xEF, 0xBB, 0xBF, 0x0D, 0x0A], .empty)
        try expectRefusedWithoutWriting([0x81, 0x20, 0xFF, 0xFE, 0x80, 0x7F, 0x81], .undecodable)
        try expectRefusedWithoutWriting(Array("名称,金额\n甲,1\n".utf8), .noHeader)
        try expectRefusedWithoutWriting(Array("行政相对人名称,决定书文号\n甲,1\n".utf8), .missingColumns)
        try expectRefusedWithoutWriting(Array("{\"a\":1}\n".utf8), name: "x.jsonl", .noHeader)
        let f = try NodeFixture()
        #expect(throws: IngestError.self) { try f.ingest(f.dir.path("missing.csv")) }
        #expect(throws: CatalogueError.self) { try f.ingest(f.dir.path("missing.csv"), kind: "fines") }
    }
}

@Suite("Subject profiles")
struct SubjectQueryTests {
    @Test func publicViewHidesNonPublicKindsAndMasksIDNumbers() throws {
        let f = try NodeFixture()
        let (penalty, rows) = try f.sample(rows: 120, faults: 0)
        _ = try f.ingest(try f.dir.write("p.csv", Array(SampleGenerator.csv(kind: penalty, rows: rows, header: .codes).utf8)))
        let person = try #require(rows.first { $0.values[penalty.index["XDR_LB"]!] == "自然人" })
        let id = person.values[penalty.index["XDR_ZJHM"]!]
        // A rating (government sharing only) about the same person.
        let (rating, ratingRows) = try f.sample(kind: "rating", rows: 1, faults: 0)
        var row = ratingRows[0]
        for code in ["XDR_MC", "XDR_LB", "XDR_SHXYM", "XDR_ZJLX", "XDR_ZJHM", "FRDB", "FR_ZJLX", "FR_ZJHM"] {
            row.values[rating.index[code]!] = code == "XDR_ZJLX" ? "01" : person.values[penalty.index[code]!]
        }
        _ = try f.ingest(try f.dir.write("r.csv", Array(SampleGenerator.csv(kind: rating, rows: [row], header: .codes).utf8)), kind: "rating")

        let query = SubjectQuery(context: f.context)
        let full = try query.profile(subject: try SubjectQuery.normalise(id.lowercased()), publicView: false)
        let pub = try query.profile(subject: id, publicView: true)
        #expect(full.records.contains { $0["kind"] == .string("rating") })
        #expect(!pub.records.contains { $0["kind"] == .string("rating") })
        // The public view does not say that it left something out.
        let json = String(decoding: try JSONEncoder().encode(pub), as: UTF8.self)
        #expect(!json.contains("hidden"))
        #expect(pub.records.count == full.records.count - 1)
        #expect(pub.subject == Masking.mask(id))
        for r in pub.records {
            #expect(r["CF_XDR_ZJHM"] == .string(Masking.mask(id)))
            #expect(r["CF_XDR_MC"] != nil && r["CF_WSH"] != nil)
        }
        #expect(full.records.contains { $0["CF_XDR_ZJHM"] == .string(id) })
    }

    @Test func eighteenCharacterCodesMustBeValid() throws {
        #expect(try SubjectQuery.normalise("91420684ma4927pj7b") == "91420684MA4927PJ7B")
        #expect(try SubjectQuery.normalise("E12345678") == "E12345678")
        #expect(try SubjectQuery.normalise("420106000123456") == "420106000123456")  // a legacy registration number
        // What is not a code is refused, not looked up.
        for bad in ["1' OR 1=1--", "91110000600037341L; DROP TABLE records", "E1", "<script>", "张三的身份证号码是什么呀", String(repeating: "A", count: 31)] {
            #expect(throws: IdentifierError.self, "\(bad)") { try SubjectQuery.normalise(bad) }
        }
        do {
            _ = try SubjectQuery.normalise("110105194912310021")
            Issue.record("accepted an invalid code")
        } catch {
            #expect(!error.message.contains("110105194912310021"))
        }
    }
}
