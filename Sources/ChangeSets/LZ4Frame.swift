import CLZ4

/// Why an LZ4 frame was refused.
public struct LZ4Error: Error, Hashable, Sendable, CustomStringConvertible {
    public enum Code: String, Sendable { case corrupt = "lz4-corrupt", truncated = "lz4-truncated", tooLarge = "lz4-too-large", failed = "lz4-failed" }
    public var code: Code
    public var message: String
    public var description: String { message }
}

/// LZ4 frames (the format of the `lz4` command line tool) through the system liblz4.
public enum LZ4Frame {
    /// Compresses `input` into one frame with the content size and a content checksum recorded.
    public static func compress(_ input: [UInt8]) throws(LZ4Error) -> [UInt8] {
        var prefs = LZ4F_preferences_t()
        prefs.frameInfo.contentSize = UInt64(input.count)
        prefs.frameInfo.contentChecksumFlag = LZ4F_contentChecksumEnabled
        prefs.frameInfo.blockSizeID = LZ4F_max4MB
        let bound = LZ4F_compressFrameBound(input.count, &prefs)
        var written = 0
        // No zero-filling: the compressor writes what is kept.
        let output = [UInt8](unsafeUninitializedCapacity: bound) { out, count in
            written = input.withUnsafeBytes { inp in
                LZ4F_compressFrame(out.baseAddress, out.count, inp.baseAddress, inp.count, &prefs)
            }
            count = LZ4F_isError(written) == 0 ? written : 0
        }
        guard LZ4F_isError(written) == 0 else {
            throw LZ4Error(code: .failed, message: "LZ4 compression failed: \(String(cString: LZ4F_getErrorName(written)))")
        }
        return output
    }

    /// Decompresses exactly one complete frame; refuses output beyond `maxOutput` bytes before
    /// producing it, a truncated frame, trailing bytes, and any checksum or format error.
    /// Decompresses exactly one complete frame of `expectedSize` bytes (a change set's header
    /// announces it) into one buffer: refuses a size above `maxOutput`, a frame that yields more or
    /// fewer bytes, a truncated frame, trailing bytes, and any checksum or format error.
    public static func decompress(_ frame: [UInt8], expectedSize: Int, maxOutput: Int) throws(LZ4Error) -> [UInt8] {
        guard expectedSize <= maxOutput else { throw LZ4Error(code: .tooLarge, message: "the LZ4 frame expands beyond \(maxOutput) bytes") }
        var context: OpaquePointer?
        guard LZ4F_isError(LZ4F_createDecompressionContext(&context, UInt32(LZ4F_VERSION))) == 0, let context else {
            throw LZ4Error(code: .failed, message: "cannot create an LZ4 decompression context")
        }
        defer { LZ4F_freeDecompressionContext(context) }
        var failure: LZ4Error?
        // One spare byte: a frame that would write more than announced is caught, not truncated.
        let output = [UInt8](unsafeUninitializedCapacity: expectedSize + 1) { out, count in
            var produced = 0
            var consumed = 0
            var hint = 1
            frame.withUnsafeBytes { inp in
                while consumed < frame.count && hint != 0 {
                    var inSize = frame.count - consumed
                    var outSize = out.count - produced
                    let r = LZ4F_decompress(context, out.baseAddress! + produced, &outSize, inp.baseAddress! + consumed, &inSize, nil)
                    if LZ4F_isError(r) != 0 {
                        failure = LZ4Error(code: .corrupt, message: "the LZ4 frame is damaged: \(String(cString: LZ4F_getErrorName(r)))")
                        return
                    }
                    consumed += inSize
                    produced += outSize
                    hint = r
                    if produced > expectedSize {
                        failure = LZ4Error(code: .tooLarge, message: "the LZ4 frame expands beyond the \(expectedSize) bytes announced")
                        return
                    }
                    if inSize == 0 && outSize == 0 { break }
                }
            }
            if failure == nil && hint != 0 { failure = LZ4Error(code: .truncated, message: "the LZ4 frame is cut short") }
            if failure == nil && consumed != frame.count {
                failure = LZ4Error(code: .corrupt, message: "\(frame.count - consumed) bytes follow the end of the LZ4 frame")
            }
            if failure == nil && produced != expectedSize {
                failure = LZ4Error(code: .corrupt, message: "the LZ4 frame holds \(produced) bytes, not the \(expectedSize) announced")
            }
            count = failure == nil ? produced : 0
        }
        if let failure { throw failure }
        return output
    }
}
