import AurumCore
import Foundation
import Testing

/// Where an import from Odoo stands: a pass resumes after its last finished page; the watermark
/// moves to the latest write_date read, never past the pass's start less the clock margin.
@Suite struct OdooImportCursorTests {
    @Test func aPassResumesAfterItsLastPageAndMovesTheWatermarkWhenItEnds() {
        var cursor = OdooImportCursor.fresh(entity: "item", model: "product.template", storeIsEmpty: true)
        #expect(cursor.mode == .first && cursor.domain([["sale_ok", "=", true]]) == [["sale_ok", "=", true]], "the first pass reads everything")
        cursor = cursor.begun(at: "2026-12-06 10:00:00")
        cursor = cursor.advanced(to: 500, writeDates: ["2025-06-02 08:00:00", "2025-07-01 09:30:00"])
        cursor = cursor.advanced(to: 1000, writeDates: ["2025-06-30 23:59:59"])
        #expect(cursor.lastID == 1000 && cursor.passMax == "2025-07-01 09:30:00")
        // Interrupted here and begun again: the pass goes on after id 1000.
        let resumed = cursor.begun(at: "2026-12-06 11:00:00")
        #expect(resumed.running && resumed.lastID == 1000 && resumed.passStarted == "2026-12-06 10:00:00")
        let done = resumed.finished()
        #expect(done.mode == .incremental && !done.running && done.lastID == 0 && done.passes == 1)
        #expect(done.watermark == "2025-07-01 09:30:00")
        #expect(done.domain([]) == [["write_date", ">=", "2025-07-01 09:30:00"]])
        // A record written while a pass ran (after its id was passed) is read by the next one:
        // the watermark stops at the pass's start less the margin.
        let next = done.begun(at: "2026-12-06 12:00:00").advanced(to: 7, writeDates: ["2026-12-06 12:00:30"]).finished()
        #expect(next.watermark == "2026-12-06 11:59:00")
        // A pass that read nothing keeps the watermark.
        #expect(next.begun(at: "2026-12-06 13:00:00").finished().watermark == "2026-12-06 11:59:00")
    }

    @Test func odooInstantsParseAndPrintAsOdooWritesThem() {
        #expect(OdooInstant.date("2026-12-06 10:00:00").map(OdooInstant.text) == "2026-12-06 10:00:00")
        #expect(OdooImportCursor.moved("2026-01-01 00:00:30", seconds: -60) == "2025-12-31 23:59:30")
        for bad in ["", "2026-12-06", "2026-12-06T10:00:00Z", "2026-13-06 10:00:00", "yesterday", "2026-12-06 10:00:00.123"] {
            #expect(OdooInstant.date(bad) == nil, "\(bad)")
        }
    }
}
