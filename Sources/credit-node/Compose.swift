import ArgumentParser
import CreditDomain
import Foundation
import NetworkSimulation
import NodePKI
import NodeRuntime

struct Compose: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Write a Docker Compose file for a topology: one service per node, a volume per node's data, its certificates mounted read-only.",
        discussion:
            "Usage: credit-node compose Topologies/demo.yaml > docker/compose.yaml; issue the certificates and sign the division directory first with `credit-node topology certs` (the top node's control documents are copied from CERTS/control into its volume by a one-shot service before it starts)."
    )

    @Argument(help: "The topology file.") var file: String
    @Option(help: "The certificate directory, relative to the compose file.") var certs = "../Certs"
    @Option(help: "The image to run.") var image = "creditnet/credit-node:latest"
    @Option(help: "The port every node listens on inside its container.") var port = 7400

    func run() throws {
        try guarded { print(Self.compose(try loadTopology(file), certs: certs, image: image, port: port), terminator: "") }
    }

    static func service(_ code: DivisionCode) -> String { "n\(code.digits)" }

    /// The compose file: each node's configuration inline (`configs.content`), its data in a named
    /// volume, its identity directory read-only; nodes reach their parent under the parent's
    /// certificate name (the service's alias), so mutual TLS checks hold inside the network.
    static func compose(_ topology: Topology, certs: String, image: String, port: Int) -> String {
        let configs = topology.configurations(
            root: URL(fileURLWithPath: "/var/lib"), identity: { _ in "/etc/creditnet/identity" },
            parentURL: { parent in "https://\(NodeIdentity.hostName(for: parent.code)):\(port)" })
        var out = [
            "# Written by `credit-node compose` for topology \(topology.name) (\(topology.nodes.count) nodes). Do not edit: regenerate.",
            "name: creditnet-\(topology.name)", "services:",
        ]
        for (i, n) in topology.nodes.enumerated() {
            let s = service(n.code)
            if n.parent == nil {
                // The top node sends the control documents down; a one-shot service copies them,
                // signed, from the certificate directory into its data volume before it starts.
                out += [
                    "  \(s)-control:", "    image: \(image)",
                    "    entrypoint: [\"/bin/sh\", \"-c\", \"mkdir -p /var/lib/creditnet/control && cp -R /etc/creditnet/control/. /var/lib/creditnet/control/ || { echo 'no signed control documents to copy: run credit-node topology certs' >&2; exit 1; }\"]",
                    "    volumes:", "      - \(s)-data:/var/lib/creditnet", "      - \(certs)/control:/etc/creditnet/control:ro",
                    "    restart: \"no\"",
                ]
            }
            out += [
                "  \(s):", "    image: \(image)",
            ]
            if i == 0 { out += ["    build:", "      context: ..", "      dockerfile: docker/Dockerfile"] }
            if n.parent == nil { out += ["    depends_on:", "      \(s)-control:", "        condition: service_completed_successfully"] }
            out += [
                "    command: [\"serve\", \"--config\", \"/etc/creditnet/node.yaml\", \"--log-level\", \"info\"]",
                "    hostname: \(s)",
                "    networks:", "      creditnet:", "        aliases: [\"\(NodeIdentity.hostName(for: n.code))\"]",
                "    volumes:", "      - \(s)-data:/var/lib/creditnet", "      - \(certs)/\(n.code.digits):/etc/creditnet/identity:ro",
                "    configs:", "      - source: \(s)-config", "        target: /etc/creditnet/node.yaml",
                "    restart: unless-stopped",
                "    labels:", "      org.creditnet.code: \"\(n.code.digits)\"", "      org.creditnet.tier: \(n.tier.name)",
            ]
            if let p = n.parent { out += ["      org.creditnet.parent: \"\(p.digits)\""] }
        }
        out.append("configs:")
        for (n, c) in zip(topology.nodes, configs) {
            var config = c
            config.dataDirectory = "/var/lib/creditnet"
            config.listen = "0.0.0.0:\(port)"
            out.append("  \(service(n.code))-config:")
            out.append("    content: |")
            for line in config.yaml().split(separator: "\n", omittingEmptySubsequences: false) where !line.isEmpty { out.append("      " + line) }
        }
        out.append("volumes:")
        for n in topology.nodes { out.append("  \(service(n.code))-data: {}") }
        out += ["networks:", "  creditnet: {}"]
        return out.joined(separator: "\n") + "\n"
    }
}
