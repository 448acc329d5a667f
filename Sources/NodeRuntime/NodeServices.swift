import Foundation
import Logging
import ServiceLifecycle
import UnixSignals

/// What `serve` runs, as one `ServiceGroup`: the listeners and the push and pull loops. Stopping
/// is graceful — a signal, or a listener that ends, asks every service to finish: listeners stop
/// accepting and close their connections once idle, loops end at their next wait — instead of
/// cancelling tasks under a running server (which closed its channel twice and logged errors).
public enum NodeServices {
    /// A loop that runs until graceful shutdown (`PushLoop.run`, `PullLoop.run`).
    public struct Loop: Service, CustomStringConvertible {
        public let description: String
        let body: @Sendable () async -> Void

        public init(_ name: String, _ body: @escaping @Sendable () async -> Void) {
            description = name
            self.body = body
        }

        public func run() async throws { await cancelWhenGracefulShutdown { await body() } }
    }

    /// The group: `listeners` end the node when one ends (it shuts the others down gracefully; a
    /// failure, such as a port in use, ends it with that error); `loops` may end early (the top
    /// of a network has no parent to push to) without ending the node.
    public static func group(listeners: [any Service], loops: [Loop], signals: [UnixSignal] = [.sigterm, .sigint], logger: Logger) -> ServiceGroup {
        let services =
            listeners.map {
                ServiceGroupConfiguration.ServiceConfiguration(service: $0, successTerminationBehavior: .gracefullyShutdownGroup, failureTerminationBehavior: .cancelGroup)
            } + loops.map { ServiceGroupConfiguration.ServiceConfiguration(service: $0, successTerminationBehavior: .ignore, failureTerminationBehavior: .gracefullyShutdownGroup) }
        return ServiceGroup(configuration: ServiceGroupConfiguration(services: services, gracefulShutdownSignals: signals, logger: logger))
    }
}
