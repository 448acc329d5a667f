import Testing

@testable import CreditStore

@Suite("Multi-row statements for a few row counts")
struct BatchStatementsTests {
    /// Any batch is written as chunks of the prepared sizes, largest first, every row once.
    @Test(arguments: [0, 1, 3, 4, 5, 100, 255, 256])
    func insertsAreChunksOfThePreparedSizes(rows: Int) {
        let chunks = BatchStatements.chunks(rows)
        #expect(chunks.reduce(0, +) == rows)
        #expect(chunks.allSatisfy { BatchStatements.sizes.contains($0) } && chunks == chunks.sorted(by: >))
    }

    @Test func aHundredRowsAreFourStatementsAndALookupPadsUp() {
        #expect(BatchStatements.chunks(100) == [64, 16, 16, 4])
        #expect(BatchStatements.padded(1) == 1 && BatchStatements.padded(3) == 4 && BatchStatements.padded(100) == 256)
        #expect(BatchStatements.padded(256) == 256)
    }
}
