import Mustache

/// A page model as the template engine reads it best: encoded once (through its `Encodable`
/// conformance, no reflection) into objects, lists and plain values, nil left out — a name
/// not found, as an absent optional is. The engine otherwise reflects on a struct (`Mirror`) at
/// every name it looks up, at every level of its context stack: half the CPU of a listing page.
enum TemplateValue {
    static func make(_ page: some Encodable) -> Any {
        let box = Box()
        do { try page.encode(to: TemplateEncoder(box: box)) } catch { return Object([:]) }
        return box.value ?? Object([:])
    }

    /// A keyed value as the engine reads it. (A final class, not `[String: Any]`: the engine
    /// casts every value it meets to its protocols, and a cast of the generic dictionary to a
    /// conditional conformance was a tenth of a report's rendering.)
    final class Object: MustacheParent {
        let fields: [String: Any]
        init(_ fields: [String: Any]) { self.fields = fields }
        func child(named name: String) -> Any? { fields[name] }
    }

    /// A list as the engine reads it: a section over it renders once per item.
    final class List: MustacheSequence {
        let items: [Any]
        init(_ items: [Any]) { self.items = items }
        func makeIterator() -> IndexingIterator<[Any]> { items.makeIterator() }
    }

    final class Box {
        var keyed: [String: Box]?
        var unkeyed: [Box]?
        var single: Any?

        var value: Any? {
            if let keyed {
                var out: [String: Any] = [:]
                out.reserveCapacity(keyed.count)
                for (k, v) in keyed { if let value = v.value { out[k] = value } }
                return Object(out)
            }
            if let unkeyed { return List(unkeyed.compactMap(\.value)) }
            return single
        }

        /// A value's box: plain values as they are, anything else encoded.
        static func of(_ value: some Encodable) throws -> Box {
            let box = Box()
            switch value {
            case let v as String: box.single = v
            case let v as Bool: box.single = v
            case let v as Int: box.single = v
            case let v as Int64: box.single = v
            case let v as Double: box.single = v
            default: try value.encode(to: TemplateEncoder(box: box))
            }
            return box
        }
    }

    struct TemplateEncoder: Encoder {
        let box: Box
        var codingPath: [any CodingKey] = []
        var userInfo: [CodingUserInfoKey: Any] = [:]

        func container<Key: CodingKey>(keyedBy type: Key.Type) -> KeyedEncodingContainer<Key> {
            if box.keyed == nil { box.keyed = [:] }
            return KeyedEncodingContainer(Keyed<Key>(box: box))
        }
        func unkeyedContainer() -> any UnkeyedEncodingContainer {
            if box.unkeyed == nil { box.unkeyed = [] }
            return Unkeyed(box: box)
        }
        func singleValueContainer() -> any SingleValueEncodingContainer { Single(box: box) }
    }

    struct Keyed<Key: CodingKey>: KeyedEncodingContainerProtocol {
        let box: Box
        var codingPath: [any CodingKey] = []
        mutating func encodeNil(forKey key: Key) throws {}
        mutating func encode<T: Encodable>(_ value: T, forKey key: Key) throws { box.keyed![key.stringValue] = try Box.of(value) }
        mutating func encode(_ value: Bool, forKey key: Key) throws { box.keyed![key.stringValue] = try Box.of(value) }
        mutating func encode(_ value: String, forKey key: Key) throws { box.keyed![key.stringValue] = try Box.of(value) }
        mutating func encode(_ value: Double, forKey key: Key) throws { box.keyed![key.stringValue] = try Box.of(value) }
        mutating func encode(_ value: Int, forKey key: Key) throws { box.keyed![key.stringValue] = try Box.of(value) }
        mutating func encode(_ value: Int64, forKey key: Key) throws { box.keyed![key.stringValue] = try Box.of(value) }
        mutating func nestedContainer<N: CodingKey>(keyedBy keyType: N.Type, forKey key: Key) -> KeyedEncodingContainer<N> {
            let child = Box()
            box.keyed![key.stringValue] = child
            return TemplateEncoder(box: child).container(keyedBy: keyType)
        }
        mutating func nestedUnkeyedContainer(forKey key: Key) -> any UnkeyedEncodingContainer {
            let child = Box()
            box.keyed![key.stringValue] = child
            return TemplateEncoder(box: child).unkeyedContainer()
        }
        mutating func superEncoder() -> any Encoder { TemplateEncoder(box: box) }
        mutating func superEncoder(forKey key: Key) -> any Encoder {
            let child = Box()
            box.keyed![key.stringValue] = child
            return TemplateEncoder(box: child)
        }
    }

    struct Unkeyed: UnkeyedEncodingContainer {
        let box: Box
        var codingPath: [any CodingKey] = []
        var count: Int { box.unkeyed!.count }
        mutating func encodeNil() throws {}
        mutating func encode<T: Encodable>(_ value: T) throws { box.unkeyed!.append(try Box.of(value)) }
        mutating func nestedContainer<N: CodingKey>(keyedBy keyType: N.Type) -> KeyedEncodingContainer<N> {
            let child = Box()
            box.unkeyed!.append(child)
            return TemplateEncoder(box: child).container(keyedBy: keyType)
        }
        mutating func nestedUnkeyedContainer() -> any UnkeyedEncodingContainer {
            let child = Box()
            box.unkeyed!.append(child)
            return TemplateEncoder(box: child).unkeyedContainer()
        }
        mutating func superEncoder() -> any Encoder {
            let child = Box()
            box.unkeyed!.append(child)
            return TemplateEncoder(box: child)
        }
    }

    struct Single: SingleValueEncodingContainer {
        let box: Box
        var codingPath: [any CodingKey] = []
        mutating func encodeNil() throws { box.single = nil }
        mutating func encode<T: Encodable>(_ value: T) throws {
            let inner = try Box.of(value)
            box.keyed = inner.keyed
            box.unkeyed = inner.unkeyed
            box.single = inner.single
        }
    }
}
