import CreditDomain

extension Topology {
    /// The shape of a generated province: how many units of each tier (DOMAIN.md §1: Hubei has
    /// 13 prefecture-level units, about 103 counties of which 4 are administered by the province
    /// directly, about 1,260 townships and about 26,000 villages).
    public struct Shape: Sendable, Hashable {
        public var province: DivisionCode
        public var name: String
        public var cities: Int
        /// County-level units, including `provinceAdministered`.
        public var counties: Int
        /// County-level units under the province itself (prefecture `90`).
        public var provinceAdministered: Int
        public var townships: Int
        public var villages: Int

        public init(province: DivisionCode, name: String, cities: Int, counties: Int, provinceAdministered: Int, townships: Int, villages: Int) {
            self.province = province
            self.name = name
            self.cities = cities
            self.counties = counties
            self.provinceAdministered = provinceAdministered
            self.townships = townships
            self.villages = villages
        }

        public static let hubei = Shape(
            province: try! DivisionCode("420000000000"), name: "湖北省", cities: 13, counties: 103, provinceAdministered: 4, townships: 1260, villages: 26_000)
    }

    /// Schedules for a generated province: with tens of thousands of nodes, a node pushes hourly
    /// and pulls every three hours — well inside the 48–72-hour windows, and what keeps a
    /// township's or a county's listener from answering its children every minute.
    public static let generatedPushIntervalSeconds = 3600
    public static let generatedPullIntervalSeconds = 10_800

    /// A province-scale topology of the given shape: units spread evenly, codes in the ranges
    /// the statistical code uses (townships 001…, villages 201…), names synthetic (`…市3`).
    public static func generate(
        _ shape: Shape, name: String, pushIntervalSeconds: Int = generatedPushIntervalSeconds, pullIntervalSeconds: Int = generatedPullIntervalSeconds
    ) throws(TopologyError) -> Topology {
        guard shape.cities >= 1, shape.cities <= 70, shape.provinceAdministered >= 0, shape.provinceAdministered <= 70,
            shape.counties >= shape.cities + shape.provinceAdministered, shape.counties - shape.provinceAdministered <= shape.cities * 99,
            shape.townships >= shape.counties, shape.townships <= shape.counties * 999, shape.villages >= 0, shape.villages <= shape.townships * 799
        else {
            throw TopologyError(.invalid, "the shape does not fit the code ranges: 1–70 cities, counties ≥ cities + province-administered, at most 99 per city, townships ≥ counties (≤ 999 each), villages ≤ 799 per township")
        }
        let p = String(shape.province.digits.prefix(2))
        var nodes = [Node(code: shape.province, name: shape.name)]
        func code(_ s: String) -> DivisionCode { try! DivisionCode(s + String(repeating: "0", count: 12 - s.count)) }
        func spread(_ total: Int, over n: Int, _ i: Int) -> Int { total / n + (i < total % n ? 1 : 0) }
        var counties: [DivisionCode] = []
        for c in 0..<shape.cities {
            let city = code(p + String(format: "%02d", c + 1))
            nodes.append(Node(code: city, name: "\(shape.name)市\(c + 1)", parent: shape.province))
            for k in 0..<spread(shape.counties - shape.provinceAdministered, over: shape.cities, c) {
                let county = code(city.digits.prefix(4) + String(format: "%02d", k + 1))
                nodes.append(Node(code: county, name: "市\(c + 1)县\(k + 1)", parent: city))
                counties.append(county)
            }
        }
        for k in 0..<shape.provinceAdministered {
            let county = code(p + "90" + String(format: "%02d", k + 1))
            nodes.append(Node(code: county, name: "省直管市\(k + 1)", parent: shape.province))
            counties.append(county)
        }
        var townships: [DivisionCode] = []
        for (ci, county) in counties.enumerated() {
            for t in 0..<spread(shape.townships, over: counties.count, ci) {
                let township = code(county.digits.prefix(6) + String(format: "%03d", t + 1))
                nodes.append(Node(code: township, name: "\(county.digits.prefix(6))镇\(t + 1)", parent: county))
                townships.append(township)
            }
        }
        for (ti, township) in townships.enumerated() {
            for v in 0..<spread(shape.villages, over: townships.count, ti) {
                nodes.append(Node(code: code(township.digits.prefix(9) + String(format: "%03d", 201 + v)), name: "\(township.digits.prefix(9))村\(v + 1)", parent: township))
            }
        }
        return Topology(name: name, pushIntervalSeconds: pushIntervalSeconds, pullIntervalSeconds: pullIntervalSeconds, nodes: nodes)
    }
}
