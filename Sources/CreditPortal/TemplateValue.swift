import Mustache

/// A page model as the template engine reads it best: encoded once (through its `Encodable`
/// conformance, no reflection) into objects, lists and plain values, nil left out — a name
/// not found, as an absent optional is. The engine otherwise reflects on a struct (`Mirror`) at
/// every name it looks up, at every level of its context stack: half the CPU of a listing page.
enum TemplateValue {
    static func make(_ page: some Encodable) -> Any {
        do { return try value(of: page) ?? Object([:]) } catch { return Object([:]) }
    }

    /// The page with, when given, the reader's view beside its own names (`view.care`, …).
    static func make(_ page: some Encodable, view: PortalView?) -> Any {
        let made = make(page)
        if let view, let object = made as? Object, let encoded = try? value(of: view) { object.fields["view"] = encoded }
        return made
    }

    /// A keyed value as the engine reads it. (A final class, not `[String: Any]`: the engine
    /// casts every value it meets to its protocols, and a cast of the generic dictionary to a
    /// conditional conformance was a tenth of a report's rendering.) Filled while encoding.
    final class Object: MustacheParent {
        fileprivate(set) var fields: [String: Any]
        init(_ fields: [String: Any]) { self.fields = fields }
        func child(named name: String) -> Any? { fields[name] }
    }

    /// A list as the engine reads it: a section over it renders once per item. Filled while encoding.
    final class List: MustacheSequence {
        fileprivate(set) var items: [Any]
        init(_ items: [Any]) { self.items = items }
        func makeIterator() -> IndexingIterator<[Any]> { items.makeIterator() }
    }

    /// Where one value is encoded to: an `Object`, a `List` or a plain value once encoded; nil
    /// for nil. (Written in one pass: the objects the engine reads are the ones filled.)
    final class Slot {
        var value: Any?
        init(_ value: Any? = nil) { self.value = value }

        var object: Object {
            if let o = value as? Object { return o }
            let o = Object([:])
            value = o
            return o
        }

        var list: List {
            if let l = value as? List { return l }
            let l = List([])
            value = l
            return l
        }
    }

    /// A value as the engine reads it: plain values as they are, anything else encoded.
    static func value(of value: some Encodable) throws -> Any? {
        switch value {
        case let v as String: return v
        case let v as Bool: return v
        case let v as Int: return v
        case let v as Int64: return v
        case let v as Double: return v
        default:
            let slot = Slot()
            try value.encode(to: TemplateEncoder(slot: slot))
            return slot.value
        }
    }

    struct TemplateEncoder: Encoder {
        let slot: Slot
        var codingPath: [any CodingKey] = []
        var userInfo: [CodingUserInfoKey: Any] = [:]

        func container<Key: CodingKey>(keyedBy type: Key.Type) -> KeyedEncodingContainer<Key> {
            KeyedEncodingContainer(Keyed<Key>(object: slot.object))
        }
        func unkeyedContainer() -> any UnkeyedEncodingContainer { Unkeyed(list: slot.list) }
        func singleValueContainer() -> any SingleValueEncodingContainer { Single(slot: slot) }
    }

    struct Keyed<Key: CodingKey>: KeyedEncodingContainerProtocol {
        let object: Object
        var codingPath: [any CodingKey] = []
        func put(_ value: Any?, _ key: Key) { if let value { object.fields[key.stringValue] = value } }
        mutating func encodeNil(forKey key: Key) throws {}
        mutating func encode<T: Encodable>(_ value: T, forKey key: Key) throws { put(try TemplateValue.value(of: value), key) }
        mutating func encode(_ value: Bool, forKey key: Key) throws { put(value, key) }
        mutating func encode(_ value: String, forKey key: Key) throws { put(value, key) }
        mutating func encode(_ value: Double, forKey key: Key) throws { put(value, key) }
        mutating func encode(_ value: Int, forKey key: Key) throws { put(value, key) }
        mutating func encode(_ value: Int64, forKey key: Key) throws { put(value, key) }
        mutating func nestedContainer<N: CodingKey>(keyedBy keyType: N.Type, forKey key: Key) -> KeyedEncodingContainer<N> {
            let child = Object([:])
            put(child, key)
            return KeyedEncodingContainer(Keyed<N>(object: child))
        }
        mutating func nestedUnkeyedContainer(forKey key: Key) -> any UnkeyedEncodingContainer {
            let child = List([])
            put(child, key)
            return Unkeyed(list: child)
        }
        mutating func superEncoder() -> any Encoder { TemplateEncoder(slot: Slot(object)) }
        mutating func superEncoder(forKey key: Key) -> any Encoder {
            let child = Object([:])
            put(child, key)
            return TemplateEncoder(slot: Slot(child))
        }
    }

    struct Unkeyed: UnkeyedEncodingContainer {
        let list: List
        var codingPath: [any CodingKey] = []
        var count: Int { list.items.count }
        mutating func encodeNil() throws {}
        mutating func encode<T: Encodable>(_ value: T) throws {
            if let v = try TemplateValue.value(of: value) { list.items.append(v) }
        }
        mutating func nestedContainer<N: CodingKey>(keyedBy keyType: N.Type) -> KeyedEncodingContainer<N> {
            let child = Object([:])
            list.items.append(child)
            return KeyedEncodingContainer(Keyed<N>(object: child))
        }
        mutating func nestedUnkeyedContainer() -> any UnkeyedEncodingContainer {
            let child = List([])
            list.items.append(child)
            return Unkeyed(list: child)
        }
        mutating func superEncoder() -> any Encoder {
            let child = Slot()
            let encoder = TemplateEncoder(slot: child)
            // What the super encoder writes is an object (the usual case).
            list.items.append(child.object)
            return encoder
        }
    }

    struct Single: SingleValueEncodingContainer {
        let slot: Slot
        var codingPath: [any CodingKey] = []
        mutating func encodeNil() throws { slot.value = nil }
        mutating func encode<T: Encodable>(_ value: T) throws { slot.value = try TemplateValue.value(of: value) }
    }
}
