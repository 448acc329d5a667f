import AsyncHTTPClient

/// Runs `body` with a client that is shut down on every path: a client dropped without
/// `shutdown()` stops the whole test process (AsyncHTTPClient traps in its deinit), so a request
/// that fails would take every other test's result with it instead of failing its own.
func withHTTPClient<T>(_ configuration: HTTPClient.Configuration = .init(), _ body: (HTTPClient) async throws -> T) async throws -> T {
    let client = HTTPClient(eventLoopGroupProvider: .singleton, configuration: configuration)
    do {
        let result = try await body(client)
        try await client.shutdown()
        return result
    } catch {
        try? await client.shutdown()
        throw error
    }
}
