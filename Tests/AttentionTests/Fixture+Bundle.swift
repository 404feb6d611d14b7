import Foundation
@_exported import RetortTestSupport

extension Fixture {
    /// This target's fixture `Fixtures/<name>.json`, made by `tools/pytorch/attention_fixtures.py`.
    init(_ name: String) throws { try self.init(name, bundle: .module, script: "tools/pytorch/attention_fixtures.py") }
}
