#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// Encodes a value to a `JSONValue` without Foundation's JSON encoder: for what ingest writes to
/// the database by the thousand (proposals, their lineage and matches), where the encoder's own
/// bookkeeping (coding paths, checks for dates and URLs on every value, a tree of its own) was a
/// quarter of a batch's time in the server. A `JSONValue` inside the value (a match's
/// explanation) is taken as it is instead of being encoded member by member.
///
/// It encodes as `JSONEncoder` does with its default strategies, or throws `Unrepresentable` for
/// what a `JSONValue` cannot hold as that encoder would write it (an integer beyond 2^53, `Data`,
/// `URL`, `Decimal`); the caller then takes the encoder.
public enum JSONValueEncoder {
    public struct Unrepresentable: Error {}

    public static func encode(_ value: some Encodable) throws -> JSONValue {
        let root = Node()
        try root.store(value)
        return root.value
    }

    /// A value being encoded: containers write into nodes, which become the value at the end.
    final class Node {
        enum Content {
            case value(JSONValue)
            case object([String: Node])
            case array([Node])
        }
        var content = Content.value(.null)

        var value: JSONValue {
            switch content {
            case .value(let value): value
            case .object(let members): .object(members.mapValues(\.value))
            case .array(let elements): .array(elements.map(\.value))
            }
        }

        func store(_ value: some Encodable) throws {
            switch value {
            case let json as JSONValue: content = .value(json)
            case let string as String: content = .value(.string(string))
            case let flag as Bool: content = .value(.bool(flag))
            case let number as Double: content = .value(.number(number))
            case let number as Int: content = .value(try Self.exact(number))
            case let number as Int64: content = .value(try Self.exact(number))
            case let number as any BinaryInteger: content = .value(try Self.exact(number))
            case let number as Float: content = .value(.number(Double(number)))
            case is Data, is URL, is Decimal: throw Unrepresentable()
            default: try value.encode(to: NodeEncoder(node: self))
            }
        }

        static func exact(_ number: some BinaryInteger) throws -> JSONValue {
            guard number.magnitude <= 1 << 53 else { throw Unrepresentable() }
            return .number(Double(number))
        }

        func object() -> Node {
            if case .object = content { return self }
            content = .object([:])
            return self
        }

        func array() -> Node {
            if case .array = content { return self }
            content = .array([])
            return self
        }

        func member(_ key: String) -> Node {
            let child = Node()
            if case .object(var members) = content {
                content = .value(.null)
                members[key] = child
                content = .object(members)
            }
            return child
        }

        func appended() -> Node {
            let child = Node()
            if case .array(var elements) = content {
                content = .value(.null)
                elements.append(child)
                content = .array(elements)
            }
            return child
        }

        var count: Int {
            if case .array(let elements) = content { return elements.count }
            return 0
        }
    }

    struct NodeEncoder: Encoder {
        let node: Node
        var codingPath: [any CodingKey] { [] }
        var userInfo: [CodingUserInfoKey: Any] { [:] }

        func container<Key: CodingKey>(keyedBy type: Key.Type) -> KeyedEncodingContainer<Key> {
            KeyedEncodingContainer(Keyed<Key>(node: node.object()))
        }

        func unkeyedContainer() -> any UnkeyedEncodingContainer { Unkeyed(node: node.array()) }

        func singleValueContainer() -> any SingleValueEncodingContainer { Single(node: node) }
    }

    struct Keyed<Key: CodingKey>: KeyedEncodingContainerProtocol {
        let node: Node
        var codingPath: [any CodingKey] { [] }

        mutating func encodeNil(forKey key: Key) throws { node.member(key.stringValue).content = .value(.null) }
        mutating func encode<T: Encodable>(_ value: T, forKey key: Key) throws { try node.member(key.stringValue).store(value) }

        mutating func nestedContainer<NestedKey: CodingKey>(keyedBy keyType: NestedKey.Type, forKey key: Key) -> KeyedEncodingContainer<NestedKey> {
            KeyedEncodingContainer(Keyed<NestedKey>(node: node.member(key.stringValue).object()))
        }

        mutating func nestedUnkeyedContainer(forKey key: Key) -> any UnkeyedEncodingContainer {
            Unkeyed(node: node.member(key.stringValue).array())
        }

        mutating func superEncoder() -> any Encoder { NodeEncoder(node: node.member("super")) }
        mutating func superEncoder(forKey key: Key) -> any Encoder { NodeEncoder(node: node.member(key.stringValue)) }
    }

    struct Unkeyed: UnkeyedEncodingContainer {
        let node: Node
        var codingPath: [any CodingKey] { [] }
        var count: Int { node.count }

        mutating func encodeNil() throws { node.appended().content = .value(.null) }
        mutating func encode<T: Encodable>(_ value: T) throws { try node.appended().store(value) }

        mutating func nestedContainer<NestedKey: CodingKey>(keyedBy keyType: NestedKey.Type) -> KeyedEncodingContainer<NestedKey> {
            KeyedEncodingContainer(Keyed<NestedKey>(node: node.appended().object()))
        }

        mutating func nestedUnkeyedContainer() -> any UnkeyedEncodingContainer { Unkeyed(node: node.appended().array()) }
        mutating func superEncoder() -> any Encoder { NodeEncoder(node: node.appended()) }
    }

    struct Single: SingleValueEncodingContainer {
        let node: Node
        var codingPath: [any CodingKey] { [] }

        mutating func encodeNil() throws { node.content = .value(.null) }
        mutating func encode<T: Encodable>(_ value: T) throws { try node.store(value) }
    }
}
