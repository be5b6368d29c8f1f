import AurumApp

/// The `aurum` executable: everything lives in AurumApp, which wires the modules together.
@main
extension Aurum {}
