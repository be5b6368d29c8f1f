import Foundation

/// Floats as Odoo keeps them: a float field with `digits` (`fields_get`, from the database's
/// decimal-precision settings) is stored rounded to its scale, half away from zero after a
/// nudge of one unit in the last place (Odoo's `float_round`, HALF-UP), and read back rounded.
/// Odoo says nothing about the rounding; a value compared with what Odoo holds must be rounded
/// the same way first.
public enum OdooFloat {
    /// `value` to `scale` decimals, as Odoo stores it.
    public static func round(_ value: Double, scale: Int) -> Double {
        guard value != 0, value.isFinite, (0...15).contains(scale) else { return value }
        let factor = pow(10.0, Double(scale))
        var normalized = value * factor
        // IEEE-754 puts 2.675 at 2.67499999…: Odoo adds an epsilon scaled to the value's magnitude.
        let epsilon = pow(2.0, log2(abs(normalized)) - 52)
        normalized += normalized < 0 ? -epsilon : epsilon
        let rounded = normalized.rounded(.toNearestOrAwayFromZero)
        // The nearest double to the decimal (what Odoo reads back from its numeric column).
        return rounded / factor
    }

    /// `value` (an integer or a float Odoo field value) as Odoo keeps it in a field of `scale`.
    public static func kept(_ value: OdooValue, scale: Int?) -> OdooValue {
        guard let scale else { return value }
        switch value {
        case .double(let number): return .double(round(number, scale: scale))
        default: return value
        }
    }

    /// The scale `fields_get` declares for a field (`digits: [precision, scale]`); nil without one.
    public static func scale(_ description: OdooValue?) -> Int? {
        guard let digits = description?["digits"].array, digits.count == 2 else { return nil }
        return digits[1].int
    }
}
