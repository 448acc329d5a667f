import NIOCore
import NIOPosix

/// Where blocking work runs for the listeners, off the event loops and the concurrency pool's
/// few threads: two pools of threads, each started once per process, so that a burst of
/// requests queues instead of starting a thread each.
///
/// - `run`: SQLite writes and the sync — an upload being stored, a bundle being accepted, a
///   signature — and long work (a register reconciled). Sixteen threads: such work mostly waits
///   (for the write lock, for the disk), and a long one must not hold up the others; few enough to
///   stay bounded.
/// - `page`: pages built from reads — the portal's and the operators' pages, reports, listings.
///   That work is CPU (SQLite reads from cached pages, decoding, rendering): one thread per core.
///   More threads than cores only queue for the CPU and for the store's five readers; measured on
///   this 2-core machine with subject pages built afresh, 16 threads gave 858 pages/s at p99
///   44 ms, 2 threads 1,850 at p99 18 ms (docs/PERFORMANCE.md, session 18).
public enum BlockingWork {
    public static let threads = 16
    public static let pageThreads = max(2, System.coreCount)

    private static let pool: NIOThreadPool = {
        let pool = NIOThreadPool(numberOfThreads: threads)
        pool.start()
        return pool
    }()

    private static let pagePool: NIOThreadPool = {
        let pool = NIOThreadPool(numberOfThreads: pageThreads)
        pool.start()
        return pool
    }()

    /// Runs `body` — a write, a sync step — on the blocking pool; its result or error, as a `Result`.
    public static func run<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async -> Result<T, any Error> {
        await run(on: pool, body)
    }

    /// Runs `body` — a page built from reads — on the page pool; its result or error, as a `Result`.
    public static func page<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async -> Result<T, any Error> {
        await run(on: pagePool, body)
    }

    private static func run<T: Sendable>(on pool: NIOThreadPool, _ body: @escaping @Sendable () throws -> T) async -> Result<T, any Error> {
        do { return .success(try await pool.runIfActive(body)) } catch { return .failure(error) }
    }
}
