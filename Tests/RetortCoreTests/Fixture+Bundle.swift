import Foundation
@_exported import RetortTestSupport

extension Fixture {
    /// This target's fixture `Fixtures/<name>.json`, made by `tools/pytorch/make_fixtures.py`.
    init(_ name: String) throws { try self.init(name, bundle: .module, script: "tools/pytorch/make_fixtures.py") }
}
