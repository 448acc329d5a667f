import ArgumentParser
import CreditDomain
import Foundation
import NodePKI

struct PKI: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "pki",
        abstract: "The network's certificate authority: create it, issue node certificates, revoke them.",
        subcommands: [PKIInit.self, PKIIssue.self, PKIRevoke.self])
}

struct PKIInit: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "init", abstract: "Create a network CA (ECDSA P-256): DIR/ca.pem and DIR/ca.key (mode 0600).")

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
        commandName: "issue", abstract: "Issue a node certificate naming the node's code (creditnet://node/CODE): OUT/node.pem, OUT/node.key, OUT/ca.pem.")

    @Option(help: "The CA's directory.")
    var ca: String

    @Option(help: "The node's 12-digit division code.")
    var code: String

    @Option(help: "Directory for the node's files.")
    var out: String

    @Option(help: "Validity in days.")
    var days = 825

    func run() throws {
        try guarded {
            let node = try DivisionCode(code)
            let caDir = URL(fileURLWithPath: ca)
            let authority = try NetworkCA.load(from: caDir)
            let dir = URL(fileURLWithPath: out)
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

    func run() throws {
        try guarded {
            let node = try DivisionCode(code)
            let caDir = URL(fileURLWithPath: ca)
            let authority = try NetworkCA.load(from: caDir)
            let certificates = try NetworkCA.issuedCertificates(code: node, caDirectory: caDir)
            guard !certificates.isEmpty else { throw ExitFailure(message: "this CA has issued no certificate to \(node) (looked in \(ca)/issued)", code: 66) }
            var list: RevocationList?
            for c in certificates { list = try authority.revoke(c, reason: reason, in: caDir) }
            print("Revoked \(certificates.count) certificate(s) of \(node); \(ca)/revoked.json (version \(list?.content.version ?? 0)) lists \(list?.content.entries.count ?? 0). Distribute it to the nodes.")
        }
    }
}
