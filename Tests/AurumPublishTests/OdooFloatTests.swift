import AurumPublish
import Testing

/// Odoo's `float_round` (HALF-UP, with its epsilon for values IEEE-754 holds just below a tie),
/// on the values Odoo's own documentation and the servers recorded give.
@Suite struct OdooFloatTests {
    @Test(arguments: [
        (0.021, 2, 0.02), (0.0004, 2, 0.0), (1.23456, 2, 1.23), (2.675, 2, 2.68), (-2.675, 2, -2.68), (1.005, 2, 1.01),
        (1.5424, 3, 1.542), (0.125, 2, 0.13), (0.5, 0, 1.0), (-0.5, 0, -1.0), (1234567.891, 2, 1234567.89), (0, 2, 0), (5, 2, 5),
    ] as [(Double, Int, Double)])
    func roundsAsOdooStores(value: Double, scale: Int, expected: Double) {
        #expect(OdooFloat.round(value, scale: scale) == expected)
    }

    @Test func theScaleComesFromFieldsGet() {
        #expect(OdooFloat.scale(["type": "float", "digits": [16, 2]]) == 2)
        #expect(OdooFloat.scale(["type": "float", "digits": false]) == nil)
        #expect(OdooFloat.scale(["type": "char"]) == nil)
        #expect(OdooFloat.kept(.double(0.021), scale: 2) == .double(0.02) && OdooFloat.kept(.int(3), scale: 2) == .int(3))
    }
}
