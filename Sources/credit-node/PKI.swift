import ArgumentParser
import CreditDomain
import Foundation
import NodePKI
import NodeRuntime

struct PKI: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "pki",
        abstract: "The network's certificate authority: create it, issue node certificates, revoke them, sign control data.",
        subcommands: [PKIInit.self, PKIIssue.self, PKIRevoke.self, PKISign.self])
}

struct PKIInit: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "init", abstract: "Create a network CA (ECDSA P-256): DIR/ca.pem and DIR/ca.key (mode 0600).")

    @Option(help: "Directory for the CA's files.")
    var out: String

    @Option(help: "The CA's common name.")
    var name = "CreditNet network CA"

    @Option(help: "Validity in days.")
    var days = 3650

    func run() throws {
        try guarded {
            let dir = URL(fileURLWithPath: out)
            guard !FileManager.default.fileExists(atPath: dir.appendingPathComponent("ca.key").path) else {
                throw ExitFailure(message: "\(out)/ca.key exists already; a network has one CA", code: 73)
            }
            try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
            let ca = try NetworkCA.create(name: name, validityDays: days)
            try ca.write(to: dir)
            print("Created the network CA in \(out): ca.pem (certificate), ca.key (private key, mode 0600; keep it off the nodes)")
        }
    }
}

struct PKIIssue: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "issue",
        abstract: "Issue a node certificate naming the node's code (creditnet://node/CODE): OUT/node.pem, OUT/node.key, OUT/ca.pem.",
        discussion: """
            With --department NAME, a certificate for a department system that reports to node CODE (creditnet://department/CODE,
            the name as common name): it may write records and status changes on that node's exposed records listener.
            With --operator NAME, the same for an operator of the node's credit office. With --institution NAME and
            --lender-code USCC, for a financial institution of the node's area (信易贷): it answers the businesses' requests
            for its products — those whose institution code is USCC — on the node's records listener. Each: OUT/client.pem,
            OUT/client.key, OUT/ca.pem. A node certificate may not write records.
            """)

    @Option(help: "The CA's directory.")
    var ca: String

    @Option(help: "The node's 12-digit division code.")
    var code: String

    @Option(help: "Directory for the node's files.")
    var out: String

    @Option(help: "Validity in days.")
    var days = 825

    @Option(help: "Issue for a department system of the node instead (its name, e.g. 江岸区市场监督管理局).")
    var department: String?

    @Option(help: "Issue for an operator of the node's credit office instead (the operator's name).")
    var `operator`: String?

    @Option(help: "Issue for a financial institution of the node's area instead (its name, e.g. 江岸农商银行); needs --lender-code.")
    var institution: String?

    @Option(help: "The institution's unified social credit code, as its 信易贷 products name it (金融机构代码).")
    var lenderCode: String?

    func run() throws {
        try guarded {
            let node = try DivisionCode(code)
            let caDir = URL(fileURLWithPath: ca)
            let authority = try NetworkCA.load(from: caDir)
            let dir = URL(fileURLWithPath: out)
            guard [department, `operator`, institution].compactMap({ $0 }).count <= 1 else {
                throw ExitFailure(message: "give one of --department, --operator and --institution", code: 64)
            }
            guard (institution == nil) == (lenderCode == nil) else {
                throw ExitFailure(message: "--institution and --lender-code go together: the institution's name and its credit code", code: 64)
            }
            if let lenderCode {
                guard (try? SocialCreditCode(lenderCode)) != nil else {
                    throw ExitFailure(
                        message: "--lender-code \(lenderCode) is not a valid unified social credit code (18 characters, its check character last)",
                        code: 64)
                }
            }
            if let (role, name) = department.map({ (CertificateHolder.Role.department, $0) })
                ?? `operator`.map({ (CertificateHolder.Role.operator, $0) }) ?? institution.map({ (CertificateHolder.Role.institution, $0) })
            {
                guard !name.trimmingCharacters(in: .whitespaces).isEmpty else {
                    throw ExitFailure(message: "--\(role.rawValue) needs a name", code: 64)
                }
                try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
                let identity = try authority.issueRecorded(
                    role: role, name: name, code: node, lenderCode: lenderCode, caDirectory: caDir, validityDays: days)
                try identity.write(to: dir, ca: authority.certificate, name: "client")
                print(
                    "Issued \(role == .institution ? "an" : "a") \(role.rawValue) certificate for \(name)\(lenderCode.map { " (\($0))" } ?? "") of node \(node) in \(out): client.pem, client.key (mode 0600), ca.pem (valid until \(identity.certificate.notValidAfter); serial \(RevocationList.hex(identity.certificate.serialNumber)))"
                )
                return
            }
            try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
            let identity = try authority.issueRecorded(code: node, caDirectory: caDir, validityDays: days)
            try identity.write(to: dir, ca: authority.certificate)
            print("Issued a certificate for \(node.tier.name) node \(node) in \(out) (valid until \(identity.certificate.notValidAfter))")
        }
    }
}

struct PKIRevoke: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "revoke", abstract: "Revoke every certificate issued to a node: updates and re-signs CA/revoked.json.")

    @Option(help: "The CA's directory.")
    var ca: String

    @Option(help: "The node's 12-digit division code.")
    var code: String

    @Option(help: "Why (kept in the list).")
    var reason = "revoked by the network operator"

    @Option(help: "Revoke only the certificate with this serial number (hex, as `pki issue` printed it), not all of the node's.")
    var serial: String?

    func run() throws {
        try guarded {
            let node = try DivisionCode(code)
            let caDir = URL(fileURLWithPath: ca)
            let authority = try NetworkCA.load(from: caDir)
            let certificates = try NetworkCA.issuedCertificates(code: node, caDirectory: caDir).filter { c in
                serial.map { RevocationList.hex(c.serialNumber) == $0.lowercased() } ?? true
            }
            guard !certificates.isEmpty else {
                throw ExitFailure(
                    message: "this CA has issued no certificate\(serial.map { " with serial \($0)" } ?? "") to \(node) (looked in \(ca)/issued)",
                    code: 66)
            }
            var list: RevocationList?
            for c in certificates { list = try authority.revoke(c, reason: reason, in: caDir) }
            print(
                "Revoked \(certificates.count) certificate(s) of \(node); \(ca)/revoked.json (version \(list?.content.version ?? 0)) lists \(list?.content.entries.count ?? 0). Distribute it to the nodes."
            )
        }
    }
}

struct PKISign: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sign",
        abstract:
            "Sign a catalogue, calendar or division directory as control data: put the result in the province's DATA/control/ and it flows down to every node."
    )

    @Option(help: "The CA's directory.")
    var ca: String

    @Option(help: "The document's name: catalogue.json, divisions.json (行政区划名录) or calendars/YYYY.json.")
    var name: String

    @Option(help: "The file to sign.")
    var file: String

    @Option(help: "The control directory to write NAME and NAME.sig into (a node's DATA/control).")
    var out: String

    func run() throws {
        try guarded {
            guard let content = FileManager.default.contents(atPath: file) else { throw ExitFailure(message: "cannot read \(file)", code: 66) }
            // What is signed must load: a broken catalogue, calendar or directory never goes out.
            guard ControlDocument.isKnown(name), name != "revoked.json" else {
                throw ExitFailure(
                    message: "--name \(name): sign catalogue.json, divisions.json or calendars/YYYY.json (revoke signs the revocation list)", code: 64
                )
            }
            try Downward.validate(name: name, content: Array(content))
            let document = try NetworkCA.load(from: URL(fileURLWithPath: ca)).signControl(name: name, content: Array(content))
            let target = try document.write(into: URL(fileURLWithPath: out))
            print("Signed \(name) (\(content.count) bytes) into \(target.path) and \(target.path).sig")
        }
    }
}
