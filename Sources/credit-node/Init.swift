import ArgumentParser
import CreditDomain
import Foundation
import NodeRuntime

struct Init: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Create a node: write DIR/node.yaml and an empty store.")

    @Option(help: "The node's 12-digit division code (6 digits are padded), e.g. 420102002201 for a village.")
    var code: String

    @Option(help: "The node's data directory.")
    var data: String

    @Option(help: "The node's name, e.g. 江岸区谌家矶街道某村.")
    var name: String?

    @Option(help: "The parent's sync address, https://host:port.")
    var parent: String?

    @Option(help: "The parent's 12-digit code (default: the code truncated to the next higher tier).")
    var parentCode: String?

    @Option(help: "The sync listener's host:port.")
    var listen: String?

    @Option(help: "The public credit portal's host:port (read-only; plain HTTP unless portalTLS: true in node.yaml), e.g. 127.0.0.1:8080.")
    var portal: String?

    @Option(help: "The node's certificate directory (node.pem, node.key, ca.pem), from `credit-node pki issue`.")
    var identity: String?

    @Option(name: .customLong("child"), help: "A child this node accepts uploads from (repeat for each).")
    var children: [String] = []

    @Flag(help: "Replace an existing node.yaml.")
    var force = false

    @Flag(help: "Print the result as JSON.")
    var json = false

    func run() throws {
        try guarded {
            let node: DivisionCode
            do throws(IdentifierError) { node = try DivisionCode(code) } catch { throw ExitFailure(message: "--code '\(code)' is not a division code: \(error.message)", code: 64) }
            let dir = URL(fileURLWithPath: data).standardizedFileURL.path
            var config = NodeConfiguration(code: node, dataDirectory: dir)
            config.name = name
            config.listen = listen
            config.portal = portal
            config.identity = identity.map { URL(fileURLWithPath: $0).standardizedFileURL.path }
            for c in children {
                do throws(IdentifierError) { config.children.append(try DivisionCode(c)) } catch {
                    throw ExitFailure(message: "--child '\(c)' is not a division code: \(error.message)", code: 64)
                }
            }
            if let parent {
                let pc: DivisionCode
                if let parentCode {
                    do throws(IdentifierError) { pc = try DivisionCode(parentCode) } catch { throw ExitFailure(message: "--parent-code '\(parentCode)' is not a division code: \(error.message)", code: 64) }
                } else if let p = node.parent {
                    pc = p
                } else {
                    throw ExitFailure(message: "a province node has no parent; leave out --parent", code: 64)
                }
                config.parent = .init(url: parent, code: pc)
            } else if parentCode != nil {
                throw ExitFailure(message: "--parent-code needs --parent (the parent's https://host:port)", code: 64)
            }
            try config.validate(source: "command line")
            let path = try config.write(force: force)
            let context = try NodeContext(configuration: config)
            if json {
                try printJSON(["config": path, "code": node.digits, "tier": node.tier.name, "database": context.store.path])
            } else {
                print("Created \(node.tier.name) node \(node.digits)\(name.map { " (\($0))" } ?? "")")
                print("  configuration: \(path)")
                print("  store:         \(context.store.path)")
                if let p = config.parent { print("  parent:        \(p.code) at \(p.url)") }
                if let p = config.portal { print("  portal:        http://\(p)/ (when serving)") }
            }
        }
    }
}
