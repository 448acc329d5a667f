import Foundation
import TestSupport
import Testing

@testable import ChangeSets

@Suite("LZ4 frames")
struct LZ4FrameTests {
    let text = Array(String(repeating: "{\"CF_XDR_MC\":\"武汉楚源商贸有限公司\",\"CF_WSH\":\"江岸市监罚〔2026〕101号\"}\n", count: 500).utf8)

    @Test func roundTripsAndCompresses() throws {
        let frame = try LZ4Frame.compress(text)
        #expect(frame.count < text.count / 5)
        #expect(Array(frame.prefix(4)) == [0x04, 0x22, 0x4D, 0x18])  // the LZ4 frame magic number
        #expect(try LZ4Frame.decompress(frame, expectedSize: text.count, maxOutput: text.count) == text)
        #expect(try LZ4Frame.decompress(try LZ4Frame.compress([]), expectedSize: 0, maxOutput: 0) == [])
    }

    @Test func theLZ4ToolReadsOurFrames() throws {
        let dir = try TemporaryDirectory()
        let path = try dir.write("body.lz4", try LZ4Frame.compress(text))
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/lz4")
        p.arguments = ["-dc", path]
        let out = Pipe()
        p.standardOutput = out
        try p.run()
        let data = out.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        #expect(p.terminationStatus == 0)
        #expect(Array(data) == text)
    }

    @Test func refusesDamageTruncationTrailingBytesAndExpansion() throws {
        let frame = try LZ4Frame.compress(text)
        func code(_ bytes: [UInt8], max: Int? = nil) -> LZ4Error.Code? {
            do {
                _ = try LZ4Frame.decompress(bytes, expectedSize: text.count, maxOutput: max ?? text.count)
                return nil
            } catch { return error.code }
        }
        #expect(code(Array(frame.dropLast(7))) == .truncated)
        #expect(code(Array(frame.prefix(3))) != nil)
        #expect(code(frame + [0]) == .corrupt)
        // A skippable frame after the body (magic 0x184D2A50, little-endian size, that many bytes):
        // `lz4 -dc` would skip it; a change set's body is exactly one frame, so it is refused.
        #expect(code(frame + [0x50, 0x2A, 0x4D, 0x18, 0x04, 0x00, 0x00, 0x00, 0xDE, 0xAD, 0xBE, 0xEF]) == .corrupt)
        // And before it: the frame must start at the first byte.
        #expect(code([0x50, 0x2A, 0x4D, 0x18, 0x00, 0x00, 0x00, 0x00] + frame) != nil)
        var flipped = frame
        flipped[frame.count / 2] ^= 0x55
        #expect(code(flipped) == .corrupt)
        #expect(code(frame, max: text.count - 1) == .tooLarge)
        #expect(code(frame) == nil)
        // With the size announced: exact accepted; more, less, damage and truncation refused.
        func sized(_ bytes: [UInt8], _ n: Int) -> LZ4Error.Code? {
            do {
                _ = try LZ4Frame.decompress(bytes, expectedSize: n, maxOutput: 1 << 30)
                return nil
            } catch { return error.code }
        }
        #expect(try LZ4Frame.decompress(frame, expectedSize: text.count, maxOutput: 1 << 30) == text)
        #expect(sized(frame, text.count - 10) == .tooLarge)
        #expect(sized(frame, text.count + 10) != nil)
        #expect(sized(flipped, text.count) == .corrupt)
        #expect(sized(Array(frame.dropLast(7)), text.count) == .truncated)
        #expect(sized(frame + [0], text.count) == .corrupt)
    }
}
