import ArgumentParser
import Foundation
import RetortCore
import RetortData
import RetortUI
import RunKit
import TrainEngine
import Workbench

extension ColorTier: ExpressibleByArgument {}

/// Options of the TUI itself (shared by `retort tui` and `retort resume --tui`).
struct TUIOptions: ParsableArguments {
    @Option(help: "Theme name (themes/NAME.toml) or path to a theme file.") var theme: String = "dark"
    @Option(help: "Force a colour tier: 256, 16, 8 or 0 (default: what the terminal offers; NO_COLOR gives 0).") var colors: ColorTier?
    @Flag(help: "Plain ASCII glyphs even on a UTF-8 terminal.") var ascii = false
    @Flag(help: "Do not capture the mouse (keeps the terminal's own text selection).") var noMouse = false
    @Flag(help: "Start paused.") var paused = false
    @Option(help: "Frames per second of the UI (1–60).") var fps: Double = 20
    @Option(help: "Folder of `retort sweep` studies listed on the Runs tab, grouped by study (default: studies).") var studies: String = "studies"

    func validate() throws {
        guard fps >= 1 && fps <= 60 else { throw ValidationError("--fps must be in 1…60, got \(fps)") }
    }

    /// Opens the terminal, runs the session's job in the workbench until the user quits,
    /// restores the terminal, prints where each run stopped and its checkpoint, and exits
    /// with 128 + signal when one ended it.
    func run(dataDirectory: String, runRoot: String, dataSet: String, message: String? = nil, session: TUISession) {
        let themeDir = DataLocator.sibling("themes")
        var initial: (String, Bool)? = message.map { ($0, false) }
        var chosen = Theme.builtinDark
        do { chosen = try ThemeLocator.load(theme, directory: themeDir) }
        catch { initial = ("default theme used: \(error)", true) }

        // Refuse bad terminals before doing any work.
        let backend: CursesBackend
        do { backend = try CursesBackend(theme: chosen, tierOverride: colors, mouse: !noMouse) }
        catch { fail("\(error)") }

        var training: JobRunner<TrainingWorkbenchJob>?
        var distill: JobRunner<DistillWorkbenchJob>?
        var attention: JobRunner<AttentionWorkbenchJob>?
        let tab: Tab
        switch session {
        case .training(let makeJob):
            do { training = JobRunner(job: try makeJob(), startPaused: paused) }
            catch { backend.shutdown(); fail("\(error)") }
            tab = .training
        case .distill(let job): distill = JobRunner(job: job, startPaused: paused); tab = .distill
        case .attention(let job): attention = JobRunner(job: job, startPaused: paused); tab = .attention
        }
        training?.start(); distill?.start(); attention?.start()
        let app = TUIApp(backend: backend, runner: training, distill: distill, attention: attention, initialTab: tab,
                         themeDirectory: themeDir, dataDirectory: dataDirectory, runRoot: runRoot, dataSet: dataSet, initialMessage: initial,
                         studiesRoot: studies)
        app.frameInterval = 1 / fps
        if ascii { app.forceASCII() }
        let sig = app.run()
        training?.send(.stop); distill?.send(.stop); attention?.send(.stop)
        backend.shutdown()
        // quitting keeps the work: a checkpoint of where each run stopped (written unless the newest is current)
        for line in app.finish() { print(line) }
        if sig != 0 { terminate(.signal(sig)) }
    }
}

/// What a TUI session starts with: a training run on the Training tab (`retort tui`,
/// `retort resume TRAINRUN --tui`), or a resumed distill or attention run on its tab.
enum TUISession {
    case training(() throws -> TrainingWorkbenchJob)
    case distill(DistillWorkbenchJob)
    case attention(AttentionWorkbenchJob)
}

struct TUICommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "tui", abstract: "The workbench TUI: trains on the bundled data with live curves and live hyperparameters (default command).")

    @OptionGroup var options: TrainOptions
    @OptionGroup var ui: TUIOptions

    func run() throws {
        let config = options.config
        let dataDir = options.dataOptions.directory(for: config.data)
        // Data that cannot be read is refused in one line before the terminal is taken.
        let data: PreparedData
        do { data = try PreparedData.load(config.data, settings: config.dataOptions, directory: dataDir, testCount: config.testCount, seed: config.seed) }
        catch { fail("\(error)") }
        ui.run(dataDirectory: dataDir, runRoot: config.runRoot, dataSet: config.data.description, session: .training {
            try RunFolder.create(root: config.runRoot, name: config.runName,
                                 generated: [config.model.rawValue, config.data.shortName, "s\(config.seed)"], config: config) { folder in
                let job = try TrainingJob(config: config, data: data, log: try MetricsLog(folder: folder),
                                          checkpoints: CheckpointStore(runFolder: folder, keep: config.keepCheckpoints))
                return TrainingWorkbenchJob(job: job, runFolder: folder)
            }
        })
    }
}
