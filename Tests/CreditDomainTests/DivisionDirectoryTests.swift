import CreditDomain
import Foundation
import Testing

/// The division directory (行政区划名录): what it accepts, what it refuses and says why, and how
/// it names an area.
@Suite("Division directory")
struct DivisionDirectoryTests {
    static let file = #"""
        {"source": "湖北省统计用区划代码（测试）",
         "divisions": {"420000000000": "湖北省", "429004000000": "仙桃市", "429004001000": "沙嘴街道",
                       "429004001201": "沙嘴一村", "429004001202": "沙嘴二村"}}
        """#

    @Test func itNamesAnAreaAsAnAddressIsWritten() throws {
        let d = try DivisionDirectory.parse(Array(Self.file.utf8), file: "divisions.json")
        #expect(d.source == "湖北省统计用区划代码（测试）" && d.names.count == 5)
        // 仙桃 is administered by the province: no city between (429000000000 is not an ancestor).
        #expect(d.fullName(of: try DivisionCode("429004001201")) == "湖北省仙桃市沙嘴街道沙嘴一村")
        #expect(d.name(of: try DivisionCode("429004001201")) == "沙嘴一村")
        #expect(d.fullName(of: try DivisionCode("420000000000")) == "湖北省")
        // An ancestor the file lacks is left out; a code it lacks has no name.
        let partial = DivisionDirectory(source: "", names: [try DivisionCode("420102002201"): "大智一村", try DivisionCode("420100000000"): "武汉市"])
        #expect(partial.fullName(of: try DivisionCode("420102002201")) == "武汉市大智一村")
        #expect(partial.fullName(of: try DivisionCode("420102002202")) == nil)
        // What `encoded` writes, `parse` reads back the same.
        #expect(try DivisionDirectory.parse(d.encoded(), file: "x") == d)
    }

    @Test(arguments: [
        ("[1, 2]", "is not a division directory"),
        (#"{"source": "x"}"#, "names no division"),
        (#"{"divisions": {}}"#, "names no division"),
        (#"{"divisions": {"429004": "仙桃市"}}"#, "\"429004\" is not a 12-digit division code; write every code in full"),
        (#"{"divisions": {"429004A01201": "沙嘴一村"}}"#, "\"429004A01201\" is not a division code: a division code has digits only"),
        (#"{"divisions": {"429004000201": "沙嘴一村"}}"#, "is not a division code: 429004000201 has a village part but its township part is zero"),
        (#"{"divisions": {"429004001201": " "}}"#, "429004001201 has an empty name"),
        (#"{"divisions": {"429004001201": "沙嘴一村 "}}"#, "the name of 429004001201 has spaces at its start or end"),
        (#"{"divisions": {"429004001201": "沙嘴\u0007一村"}}"#, "the name of 429004001201 holds a control character"),
    ])
    func aFileThatIsNotADirectoryIsRefusedSayingWhy(text: String, says: String) {
        do {
            _ = try DivisionDirectory.parse(Array(text.utf8), file: "divisions.json")
            Issue.record("accepted: \(text)")
        } catch {
            #expect(error.message.hasPrefix("divisions.json") && error.message.contains(says), "\(error.message)")
        }
    }

    /// 信用网站互联互通: a division's 信用 site, given beside the names.
    @Test func sitesAreReadWithTheNamesAndWrittenBack() throws {
        let text = #"""
            {"divisions": {"420000000000": "湖北省", "429004000000": "仙桃市"},
             "sites": {"420000000000": "https://credit.hubei.gov.cn/", "429004000000": "http://[fd00::2]:7500/"}}
            """#
        let d = try DivisionDirectory.parse(Array(text.utf8), file: "divisions.json")
        #expect(d.site(of: try DivisionCode("420000000000")) == "https://credit.hubei.gov.cn/")
        #expect(d.site(of: try DivisionCode("429004000000")) == "http://[fd00::2]:7500/")
        #expect(try DivisionDirectory.parse(d.encoded(), file: "x") == d)
        // The national site, linked first by every site; its name and address checked as the others.
        let national = #"{"divisions": {"420000000000": "湖北省"}, "national": {"name": "信用中国", "site": "https://www.creditchina.gov.cn/"}}"#
        let withNational = try DivisionDirectory.parse(Array(national.utf8), file: "d")
        #expect(withNational.national == .init(name: "信用中国", site: "https://www.creditchina.gov.cn/"))
        #expect(try DivisionDirectory.parse(withNational.encoded(), file: "x") == withNational)
        for (bad, says) in [
            (#"{"name": " 信用中国", "site": "https://www.creditchina.gov.cn/"}"#, "the national site's name has spaces at its start or end"),
            (
                #"{"name": "信用中国", "site": "www.creditchina.gov.cn"}"#,
                "the national site: 'www.creditchina.gov.cn' is not an http:// or https:// address"
            ),
        ] {
            let text = #"{"divisions": {"420000000000": "湖北省"}, "national": \#(bad)}"#
            #expect(throws: DivisionDirectoryError.self) { try DivisionDirectory.parse(Array(text.utf8), file: "d") }
            do { _ = try DivisionDirectory.parse(Array(text.utf8), file: "d") } catch { #expect(error.message.contains(says), "\(error.message)") }
        }
        // A directory without sites is written without the key, as before.
        let plain = try DivisionDirectory.parse(Array(Self.file.utf8), file: "d")
        #expect(plain.sites.isEmpty && !String(decoding: plain.encoded(), as: UTF8.self).contains("sites"))
    }

    @Test(arguments: [
        (#""429004001201": "https://x.example/""#, "does not name; a site is named after its division"),
        (#""429004000000": "ftp://x.example/""#, "is not an http:// or https:// address"),
        (#""429004000000": "https://x.example/a b/""#, "holds a space"),
        (#""429004000000": "https://x.example/'><script>/""#, "holds a space, a quote"),
        (#""429004000000": "https:///""#, "names no host"),
        (#""429004000000": "https://user@x.example/""#, "names no host (or names a user)"),
        (#""429004000000": "https://x.example""#, "must be the site's root, ending in /"),
        (#""429004000000": "https://x.example/?q=1/""#, "must be the site's root"),
    ])
    func aSiteThatCannotBeLinkedIsRefused(entry: String, says: String) {
        let text = #"{"divisions": {"429004000000": "仙桃市"}, "sites": {\#(entry)}}"#
        do {
            _ = try DivisionDirectory.parse(Array(text.utf8), file: "divisions.json")
            Issue.record("accepted: \(entry)")
        } catch {
            #expect(error.message.hasPrefix("divisions.json") && error.message.contains(says), "\(error.message)")
        }
    }

    @Test func aNameLongerThanTheLimitIsRefused() throws {
        let at = String(repeating: "村", count: DivisionDirectory.nameLengthMax)
        let names = { (name: String) in Array(#"{"divisions": {"429004001201": "\#(name)"}}"#.utf8) }
        #expect(try DivisionDirectory.parse(names(at), file: "d").name(of: try DivisionCode("429004001201")) == at)
        #expect(throws: DivisionDirectoryError.self) { try DivisionDirectory.parse(names(at + "村"), file: "d") }
    }
}
