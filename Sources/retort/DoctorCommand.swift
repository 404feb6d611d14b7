import ArgumentParser
import CNcurses
import Foundation
import RetortCore

struct DoctorCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "doctor", abstract: "Report the platform, BLAS kernel and threads, terminal and data files.")

    @OptionGroup var dataOptions: DataOptions

    func run() throws {
        var u = utsname(); uname(&u)
        func field<T>(_ v: T) -> String { withUnsafeBytes(of: v) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) } }
        let cpu = CPUInfo.current()
        print("retort doctor")
        print("  os:           \(field(u.sysname)) \(field(u.release)) \(field(u.machine))")
        print("  swift:        \(swiftVersion)")
        print("  cpu:          \(cpu.model), \(cpu.logicalCores) logical cores")
        print("  cpu features: \(cpu.vectorFeatures.joined(separator: " "))")
        print("  blas:         \(BLASRuntime.config.trimmingCharacters(in: .whitespaces))")
        let generic = BLASRuntime.genericCores.contains(BLASRuntime.coreName.lowercased())
        print("  blas core:    \(BLASRuntime.coreName)\(generic ? "  (generic fallback — slow)" : "")  [\(BLASRuntime.selection)]")
        print("  small gemms:  \(BLAS.microKernel ? "Retort's micro-kernel (the BLAS core is below this CPU's best)" : "OpenBLAS")")
        print("  blas threads: \(BLASRuntime.threads)")
        print("  best core:    \(cpu.bestOpenBLASCore ?? "none known for this CPU")")
        if let l2 = ProcessInfo.processInfo.environment["OPENBLAS_L2_SIZE"] { print("  blas l2 size: OPENBLAS_L2_SIZE=\(l2) from the environment") }
        if let advice = BLASRuntime.presetCoreAdvice() { print("  blas note:    \(advice)") }
        let env = ProcessInfo.processInfo.environment
        let term = env["TERM"] ?? "(unset)"
        let tty = isatty(STDIN_FILENO) == 1 && isatty(STDOUT_FILENO) == 1
        setlocale(LC_ALL, "")
        let codeset = String(cString: nl_langinfo(nl_item(CODESET)))
        var colours = "unknown terminal"
        if let t = env["TERM"] {
            let c = cn_probe_colors(t)
            colours = c == -2 ? "unknown terminal type \(t)" : (c < 0 ? "none" : "\(c)")
            if c != -2 && cn_has_cup() == 0 { colours += " (no cursor addressing: the TUI cannot run here)" }
        }
        print("  terminal:     TERM=\(term), tty=\(tty ? "yes" : "no"), colours=\(colours), codeset=\(codeset)\(codeset == "UTF-8" ? "" : " (ASCII glyphs)")\(env["NO_COLOR"].map { $0.isEmpty ? "" : ", NO_COLOR set" } ?? "")")
        let dir = DataLocator.find(explicit: dataOptions.dataDir)
        print("  data dir:     \(dir ?? "not found (pass --data-dir)")")
        if let dir {
            let files = ((try? FileManager.default.contentsOfDirectory(atPath: dir)) ?? []).filter { $0.hasSuffix(".csv.gz") }.sorted()
            for f in files {
                let size = (try? FileManager.default.attributesOfItem(atPath: dir + "/" + f)[.size] as? Int) ?? 0
                print("    \(f)  \(size / 1024) KiB")
            }
        }
    }

    var swiftVersion: String {
        #if compiler(>=6.3)
        return "6.3 or newer (compiled)"
        #elseif compiler(>=6.2)
        return "6.2"
        #elseif compiler(>=6.1)
        return "6.1"
        #else
        return "6.0"
        #endif
    }
}

enum DataLocator {
    /// A folder next to sample-data/ in the repository (e.g. "themes"), if it exists.
    static func sibling(_ name: String) -> String? {
        guard let data = find(explicit: nil) else { return nil }
        let dir = URL(fileURLWithPath: data).deletingLastPathComponent().appendingPathComponent(name).path
        var isDir: ObjCBool = false
        return FileManager.default.fileExists(atPath: dir, isDirectory: &isDir) && isDir.boolValue ? dir : nil
    }

    /// The sample-data folder: the explicit option, $RETORT_DATA, ./sample-data, or the
    /// repository the executable was built in (…/.build/<config>/retort → …/sample-data).
    /// A set `RETORT_DATA` names the folder: when it is not one, nothing else is tried.
    static func find(explicit: String?) -> String? {
        let fm = FileManager.default
        var candidates: [String] = []
        if let explicit { return fm.fileExists(atPath: explicit) ? explicit : nil }
        if let env = environmentFolder { return isFolder(env) ? env : nil }
        candidates.append(fm.currentDirectoryPath + "/sample-data")
        if let exe = try? fm.destinationOfSymbolicLink(atPath: "/proc/self/exe") {
            var url = URL(fileURLWithPath: exe).deletingLastPathComponent()
            for _ in 0..<5 {
                candidates.append(url.appendingPathComponent("sample-data").path)
                url.deleteLastPathComponent()
            }
        }
        return candidates.first(where: isFolder)
    }

    /// `RETORT_DATA` when set and not empty.
    static var environmentFolder: String? {
        ProcessInfo.processInfo.environment["RETORT_DATA"].flatMap { $0.isEmpty ? nil : $0 }
    }

    static func isFolder(_ path: String) -> Bool {
        var d: ObjCBool = false
        return FileManager.default.fileExists(atPath: path, isDirectory: &d) && d.boolValue
    }
}
