import Foundation

/// Why a division directory (行政区划名录) was refused: which entry, and what to fix.
public struct DivisionDirectoryError: Error, Hashable, Sendable, CustomStringConvertible {
    public var message: String
    public var description: String { message }

    init(_ message: String) { self.message = message }
}

/// The names of the network's divisions (行政区划名录): the official list of statistical division
/// codes and their names, signed by the network CA and sent down to every node as the control
/// document `divisions.json`, so that every page names an area in words — a record's 所属行政区划,
/// the area a corrected record moved to — wherever in the province it lies.
///
/// The file: `{"source": "…", "divisions": {"420000000000": "湖北省", …}, "sites": {…}}` — each key
/// a 12-digit code (a six-digit one is refused: the file is the network's own list, written in
/// full), each name 1 to `nameLengthMax` characters with no control character and no space at
/// either end. `sites`, optional, gives the public address of a division's 信用 site (信用湖北省 at
/// `https://credit.hubei.gov.cn/`), so that every site links the sites above and below it — the
/// 信用网站 of each level 互联互通 — and sends a search it cannot answer to the province's.
/// `national`, optional, names the national site every site links first (`{"name": "信用中国",
/// "site": "https://www.creditchina.gov.cn/"}`: 各级网站应链接信用中国).
public struct DivisionDirectory: Sendable, Hashable {
    /// A site above every division of the network: its name and public address.
    public struct NationalSite: Sendable, Hashable, Codable {
        public var name: String
        public var site: String

        public init(name: String, site: String) {
            self.name = name
            self.site = site
        }
    }

    /// Where the list comes from (the publication and its year), as the file says.
    public var source: String
    /// Each code's own name, by its twelve digits.
    public private(set) var names: [String: String]
    /// Each division's public 信用 site (an `http://` or `https://` address ending in `/`), by its
    /// twelve digits; only divisions the directory names.
    public private(set) var sites: [String: String]
    /// The national site (信用中国), if the directory names one.
    public var national: NationalSite?

    /// The longest name accepted (a village committee's full name is under 30).
    public static let nameLengthMax = 64
    /// The longest site address accepted.
    public static let siteLengthMax = 200

    public init(source: String, names: [DivisionCode: String], sites: [DivisionCode: String] = [:], national: NationalSite? = nil) {
        self.source = source
        self.national = national
        self.names = Dictionary(uniqueKeysWithValues: names.map { ($0.key.digits, $0.value) })
        self.sites = Dictionary(uniqueKeysWithValues: sites.map { ($0.key.digits, $0.value) })
    }

    /// What is wrong with `name` as a name, said after "the name of …"; nil when it is one.
    static func nameProblem(_ name: String) -> String? {
        let trimmed = name.trimmingCharacters(in: .whitespacesAndNewlines)
        if trimmed.isEmpty { return "is empty" }
        if trimmed != name { return "has spaces at its start or end" }
        if name.count > nameLengthMax { return "has \(name.count) characters; at most \(nameLengthMax)" }
        if name.unicodeScalars.contains(where: { $0.properties.generalCategory == .control }) { return "holds a control character" }
        return nil
    }

    /// What is wrong with `address` as a site's public address, in words; nil when it is one: an
    /// absolute `http://` or `https://` address with a host, printable ASCII with no space, quote
    /// or angle bracket, at most `siteLengthMax` bytes, its path ending in `/` (the site's root;
    /// pages are found under it).
    public static func siteProblem(_ address: String) -> String? {
        guard address.hasPrefix("https://") || address.hasPrefix("http://") else {
            return "'\(address)' is not an http:// or https:// address"
        }
        guard address.utf8.count <= siteLengthMax else { return "'\(address)' is longer than \(siteLengthMax) characters" }
        guard address.utf8.allSatisfy({ (0x21...0x7E).contains($0) && !"\"'<>\\`".utf8.contains($0) }) else {
            return "'\(address)' holds a space, a quote, an angle bracket or a character outside ASCII; percent-encode it"
        }
        let rest = address.drop { $0 != "/" }.dropFirst(2)
        let host = rest.prefix { $0 != "/" && $0 != "?" && $0 != "#" }
        guard !host.isEmpty, !host.contains("@") else { return "'\(address)' names no host (or names a user)" }
        guard address.hasSuffix("/"), !address.contains("?"), !address.contains("#") else {
            return "'\(address)' must be the site's root, ending in / with no query (https://credit.example.gov.cn/)"
        }
        return nil
    }

    /// Reads and checks a directory; `file` names it in the errors.
    public static func parse(_ bytes: [UInt8], file: String) throws(DivisionDirectoryError) -> DivisionDirectory {
        struct Shape: Decodable {
            var source: String?
            var divisions: [String: String]?
            var sites: [String: String]?
            var national: NationalSite?
        }
        let shape: Shape
        do { shape = try JSONDecoder().decode(Shape.self, from: Data(bytes)) } catch {
            throw DivisionDirectoryError(
                "\(file) is not a division directory: it must be a JSON object with \"divisions\" mapping each 12-digit code to its name")
        }
        guard let divisions = shape.divisions, !divisions.isEmpty else {
            throw DivisionDirectoryError("\(file) names no division: \"divisions\" must map each 12-digit code to its name")
        }
        var out = DivisionDirectory(source: shape.source ?? "", names: [:])
        for (key, name) in divisions.sorted(by: { $0.key < $1.key }) {
            guard key.utf8.count == 12 else {
                throw DivisionDirectoryError(
                    "\(file): \"\(key)\" is not a 12-digit division code; write every code in full (420100000000, not 420100)")
            }
            let code: DivisionCode
            do { code = try DivisionCode(key) } catch {
                throw DivisionDirectoryError("\(file): \"\(key)\" is not a division code: \(error.message)")
            }
            guard !name.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty else {
                throw DivisionDirectoryError("\(file): \(code.digits) has an empty name")
            }
            if let problem = nameProblem(name) { throw DivisionDirectoryError("\(file): the name of \(code.digits) \(problem)") }
            out.names[code.digits] = name
        }
        for (key, address) in (shape.sites ?? [:]).sorted(by: { $0.key < $1.key }) {
            guard out.names[key] != nil else {
                throw DivisionDirectoryError(
                    "\(file): \"sites\" gives an address for \"\(key)\", which \"divisions\" does not name; a site is named after its division")
            }
            if let problem = siteProblem(address) { throw DivisionDirectoryError("\(file): the site of \(key): \(problem)") }
            out.sites[key] = address
        }
        if let national = shape.national {
            if let problem = nameProblem(national.name) { throw DivisionDirectoryError("\(file): the national site's name \(problem)") }
            if let problem = siteProblem(national.site) { throw DivisionDirectoryError("\(file): the national site: \(problem)") }
            out.national = national
        }
        return out
    }

    /// The file's bytes: sorted keys, one division a line, as `parse` reads them.
    public func encoded() -> [UInt8] {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .prettyPrinted, .withoutEscapingSlashes]
        struct Shape: Encodable {
            var source: String
            var divisions: [String: String]
            var sites: [String: String]?
            var national: NationalSite?
        }
        return Array(
            (try? encoder.encode(Shape(source: source, divisions: names, sites: sites.isEmpty ? nil : sites, national: national))) ?? Data())
    }

    /// The division's public 信用 site, if the directory gives one.
    public func site(of code: DivisionCode) -> String? { sites[code.digits] }

    /// The code's own name (沙嘴一村), if the directory holds it.
    public func name(of code: DivisionCode) -> String? { names[code.digits] }

    /// The name a person reads, as an address is written: the names the directory holds of the
    /// code's ancestors, from the province down, then its own (湖北省仙桃市沙嘴街道沙嘴一村). Nil
    /// when the directory does not hold the code itself.
    public func fullName(of code: DivisionCode) -> String? {
        guard let own = names[code.digits] else { return nil }
        return code.ancestors.compactMap { names[$0.digits] }.joined() + own
    }
}
