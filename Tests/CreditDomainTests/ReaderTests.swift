import Foundation
import Testing

@testable import CreditDomain

@Suite("CSV reader")
struct CSVReaderTests {
    @Test func rawTextOfARow() {
        let text = Array("a,b,c\r\n1,\"x, y\",\"say \"\"hi\"\"\"\r\n".utf8)
        var ranges: [Range<Int>] = []
        CSVReader.forEachRow(text) { ranges.append($0.rawRange) }
        #expect(CSVReader.text(ranges[1], in: text) == "1,\"x, y\",\"say \"\"hi\"\"\"")
    }

    func rows(_ text: String) -> [CSVRow] {
        var out: [CSVRow] = []
        CSVReader.forEachRow(Array(text.utf8)) { out.append($0) }
        return out
    }

    @Test func quotingLineBreaksAndLineNumbers() {
        let r = rows("a,b,c\r\n1,\"x, y\",\"say \"\"hi\"\"\"\r\n\r\n2,\"two\nlines\",z\n3,,\n")
        #expect(r.count == 4)
        #expect(r[1].fields == ["1", "x, y", "say \"hi\""])
        #expect(r[1].line == 2)
        #expect(r[2].fields == ["2", "two\nlines", "z"])
        #expect(r[2].line == 4)
        #expect(r[3].fields == ["3", "", ""])
        #expect(r[3].line == 6)
    }

    @Test func tabSeparatedFiles() {
        #expect(rows("a\tb\n1\t2,3\n")[1].fields == ["1", "2,3"])
    }

    @Test func anUnterminatedQuoteIsMalformed() {
        let r = rows("a,b\n1,\"open\n2,3\n")
        #expect(r.last?.malformed != nil)
    }

    @Test func writingRoundTrips() {
        let fields = ["普通", "a,b", "q\"q", "multi\nline", " lead"]
        #expect(rows(CSVReader.line(fields) + "\n")[0].fields == fields)
    }
}

@Suite("Text decoding")
struct TextDecodingTests {
    @Test func utf8WithAndWithoutBOM() throws {
        let text = "行政相对人名称\n"
        #expect(try TextDecoding.decode(Array(text.utf8)).text == Array(text.utf8))
        let withBOM = try TextDecoding.decode([0xEF, 0xBB, 0xBF] + Array(text.utf8))
        #expect(withBOM.text == Array(text.utf8) && withBOM.encoding == .utf8)
    }

    @Test func gb18030IsDetectedAndConverted() throws {
        let text = "行政相对人名称,处罚类别\n武汉楚源商贸有限公司,罚款\n"
        let gb = TextDecoding.gb18030(text)
        #expect(gb != Array(text.utf8))
        let decoded = try TextDecoding.decode(gb)
        #expect(decoded.encoding == .gb18030)
        #expect(String(decoding: decoded.text, as: UTF8.self) == text)
    }

    @Test func undecodableBytesAreRefused() {
        #expect(throws: IngestError.self) { try TextDecoding.decode([0x61, 0x80, 0x81, 0xFF, 0xFF, 0x30]) }
        #expect(throws: IngestError.self) { try TextDecoding.decode([0xFF, 0xFE, 0x61, 0x00]) }  // UTF-16
        #expect(throws: IngestError.self) { try TextDecoding.decode(Array("a,b\n1,\u{0}\n".utf8)) }
        #expect(throws: IngestError.self) { try TextDecoding.decode(TextDecoding.gb18030("行政"), encoding: .utf8) }
    }
}

extension TextDecodingTests {
    /// The first invalid offset as the standard library's UTF-8 parser finds it.
    static func standardFirstInvalid(_ bytes: [UInt8]) -> Int? {
        var parser = Unicode.UTF8.ForwardParser()
        var iterator = bytes.makeIterator()
        var offset = 0
        while true {
            switch parser.parseScalar(from: &iterator) {
            case .valid(let scalar): offset += scalar.count
            case .emptyInput: return nil
            case .error: return offset
            }
        }
    }

    @Test func theUTF8CheckFindsTheFirstInvalidByteWhereTheStandardParserDoes() {
        // ASCII runs of every length around the eight bytes checked at once, then a valid or an
        // invalid sequence (truncated, overlong, surrogate, above U+10FFFF, a stray continuation).
        let tails: [[UInt8]] = [
            Array("行".utf8), Array("😀".utf8), [0xC3, 0xA9], [0xE8, 0xA1], [0xC0, 0xAF], [0xED, 0xA0, 0x80], [0xF4, 0x90, 0x80, 0x80], [0x80], [0xFF], [0xE8, 0x41, 0xA1],
        ]
        var checked = 0
        for lead in 0..<20 {
            for tail in tails {
                for trail in [0, 1, 7, 8, 9, 17] {
                    let bytes = Array(repeating: UInt8(ascii: "a"), count: lead) + tail + Array(repeating: UInt8(ascii: "z"), count: trail)
                    #expect(TextDecoding.firstInvalidUTF8(bytes) == Self.standardFirstInvalid(bytes), "\(bytes)")
                    checked += 1
                }
            }
        }
        // And random mixtures, mostly ASCII with multi-byte and broken sequences between.
        var random = SystemRandomNumberGenerator()
        for _ in 0..<2_000 {
            var bytes: [UInt8] = []
            for _ in 0..<Int.random(in: 0...12, using: &random) {
                bytes += Array(repeating: UInt8.random(in: 0x20...0x7E, using: &random), count: Int.random(in: 0...20, using: &random))
                bytes += tails.randomElement(using: &random)!
            }
            #expect(TextDecoding.firstInvalidUTF8(bytes) == Self.standardFirstInvalid(bytes), "\(bytes)")
            checked += 1
        }
        #expect(checked == 20 * 10 * 6 + 2_000)
    }
}

@Suite("Record reader and headers")
struct RecordReaderTests {
    let penalty: ResolvedKind
    init() throws { penalty = try Catalogue.bundled().kind(named: "penalty") }

    static let requiredCodes = ["XDR_MC", "XDR_LB", "WSH", "WFXW", "SY", "YJ", "CFLB", "NR", "JDRQ", "YXQ", "CFJG", "CFJGDM", "SJLY", "SJLYDM"]

    func reader(_ text: String, format: InputFormat = .csv) throws(IngestError) -> RecordReader {
        try RecordReader(bytes: Array(text.utf8), format: format, kind: penalty)
    }

    @Test func headersMayBeCodesBareCodesOrChineseNames() throws {
        let names = Self.requiredCodes.map { code in penalty.fields.first { $0.code == code }!.name }
        let full = Self.requiredCodes.map { "CF_" + $0 }
        for header in [names, full, Self.requiredCodes, names.map { "*" + $0 }, full.map { $0.lowercased() }] {
            let r = try reader(header.joined(separator: ",") + ",其他列\n" + Array(repeating: "v", count: header.count + 1).joined(separator: ",") + "\n")
            #expect(r.ignoredColumns == ["其他列"])
            var seen: [InputRow] = []
            r.forEachRow { seen.append($0) }
            #expect(seen.count == 1)
            #expect(seen[0].values[penalty.index["WSH"]!] == "v")
        }
    }

    func refusal(_ text: String, format: InputFormat = .csv) -> IngestError.Code? {
        do {
            _ = try reader(text, format: format)
            return nil
        } catch { return error.code }
    }

    @Test func fileLevelRefusals() {
        #expect(refusal("") == .empty)
        #expect(refusal("\r\n  \n") == .empty)
        #expect(refusal("名称,金额\n甲,1\n") == .noHeader)
        #expect(refusal("行政相对人名称,决定书文号\n甲,1\n") == .missingColumns)
        let dup = (Self.requiredCodes.map { "CF_" + $0 } + ["决定书文号"]).joined(separator: ",") + "\n"
        #expect(refusal(dup) == .duplicateColumn)
        #expect(refusal("not json\n", format: .jsonLines) == .noHeader)
        #expect(refusal("{\"foo\":1}\n", format: .jsonLines) == .noHeader)
    }

    @Test func rowsWithTheWrongNumberOfValuesAreProblems() throws {
        let header = Self.requiredCodes.joined(separator: ",")
        let r = try reader(header + "\n" + "a,b\n")
        var seen: [InputRow] = []
        r.forEachRow { seen.append($0) }
        #expect(seen.first?.problem?.code == "csv-columns")
    }

    @Test func jsonLines() throws {
        let text = "{\"CF_WSH\":\"罚〔2026〕1号\",\"CF_NR_FK\":1.5,\"处罚类别\":\"警告\",\"备注\":null}\n\n[1,2]\n{\"CF_WSH\":{\"x\":1}}\n"
        let r = try reader(text, format: .jsonLines)
        var seen: [InputRow] = []
        r.forEachRow { seen.append($0) }
        #expect(seen.count == 3)
        #expect(seen[0].values[penalty.index["WSH"]!] == "罚〔2026〕1号")
        #expect(seen[0].values[penalty.index["NR_FK"]!] == "1.5")
        #expect(seen[0].values[penalty.index["CFLB"]!] == "警告")
        #expect(seen[1].line == 3 && seen[1].problem?.code == "json")
        #expect(seen[2].problem?.code == "json")
    }
}
