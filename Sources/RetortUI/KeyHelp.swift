/// The key tables shown by `?`: the keys of every tab plus the front tab's own (each tab's
/// session supplies its list); the README's "Keys" table follows them.
public enum KeyHelp {
    /// Keys that work on every tab.
    public static let common: [(String, String)] = [
        ("1-5  Tab  Shift-Tab", "switch tab (Training, Distill, Attention, Accelerator, Runs); mouse: click a tab"),
        ("L", "toggle log scale of the loss chart"),
        ("[  ]  mouse wheel", "zoom the charts out / in (the last ½, ¼, … of the run)"),
        (":", "command line: set NAME VALUE, pause, resume, step [N], save, rollback [LR], theme NAME, log, help, quit (Tab completes, ↑↓ history)"),
        ("?", "this help"),
        ("q  Ctrl-C", "quit (the terminal is restored)"),
    ]

    /// The settings panel (every tab with a job); undo and the cursor are the tab's own.
    public static let settings: [(String, String)] = [
        ("↑ ↓  k j", "select a setting"),
        ("← →  h l  - +", "step the selected value down / up: ×10^¼ on log scales, ×2 for whole numbers, ±0.05 on linear ones, "
            + "and near an end of a linear range the gap to it goes 0.05, 0.01, 0.005, 0.001 … (momentum 0.9 → 0.95 → 0.99 → 0.995)"),
        ("Enter  e", "type a value (3e-4, 0.0003, 1/3000); Enter applies, Esc cancels"),
        ("u", "undo this tab's last setting change"),
    ]

    /// The keys of a tab whose job is a training run (Training, Distill, Attention).
    public static let runKeys: [(String, String)] = [
        ("space  p", "pause / resume the job"),
        ("r", "resume; after a divergence: roll back to the last good checkpoint with lr ×0.1"),
        ("n  .", "single step (pauses first)"),
        ("N", "ten steps"),
    ] + settings + [
        ("s", "save a checkpoint (checkpoints/step-N.ckpt) and the model (model.safetensors; Distill: student.safetensors)"),
    ]

    /// The Runs tab's keys (it has no job: the run keys are refused there).
    public static let runs: [(String, String)] = [
        ("Runs: ↑↓ Enter Esc", "select a run folder (tab 5); Enter/o opens it read-only (curves, setting changes, config.json); Esc back"),
        ("Runs: space  v", "mark / unmark a run; v overlays the marked runs' test accuracy and loss (one colour each)"),
        ("Runs: x Delete  r", "delete the run folder after \"delete RUN? y/n\" (only y; never the running run); r rescans"),
        ("Runs: /  :filter TEXT", "show only runs whose name or engine contains TEXT (an empty filter shows all)"),
        ("Runs: S  :sort KEY", "order the list by name, date (newest first) or acc (best test accuracy first)"),
        ("Runs: f", "in the overlay: x axis by epoch or by the fraction of each run's training (runs of different lengths line up)"),
        ("Runs: opened run", "its live setting changes (hparams.csv: step, setting, from → to) above config.json"),
    ]

    /// What the states, units and signs on each tab mean (shown at the end of its help).
    public static func legend(for tab: Tab) -> [(String, String)] {
        switch tab {
        case .training: return [
            ("<  >", "chart cursor: move it back / forward; the chart titles read the step and each curve's value under it (> past the newest point hides it)"),
            ("┆ ▲  (^ in ASCII)", "a setting changed at that step"),
            ("Run box", "lr now: the lr the last step used (after warm-up and schedule); ‖g‖: that step's gradient norm "
                + "(what the divergence guard checks); ETA: time left at the recent pace (hh:mm:ss); –: not measured yet"),
            ("loss: step  train  test", "step: the loss of each mini-batch (a bucket's min–max span and mean); train, test: per epoch"),
        ]
        case .distill: return [
            ("out[…] expand[…]", "width multipliers: output channels per layer group, expansion per block (full: student out[1,1] inside teacher out[4,4])"),
            ("collapse", "a warning when the student's test accuracy falls more than `collapse` points (a setting) below its best"),
            ("conf %  cos", "conf %: the share of steps where that tensor's student and teacher gradients conflict (cos < 0); "
                + "–: the cosine is undefined (a zero gradient) or not measured yet"),
        ]
        case .attention: return [
            ("mask %", "taylor-sparse: the share of attention entries the sparse mask keeps (its density); – for the other kinds"),
            ("RUINED", "a run is ruined without NaN: loss above 1000, or test accuracy at chance after an epoch"),
            ("–  S/T", "–: not measured or not finite; S/T: softmax ops ÷ Taylor ops (above 1: Taylor needs fewer)"),
        ]
        case .accelerator: return [
            ("busy  idle", "unit states at the cursor: busy computes a task; idle has none"),
            ("stall-dep  -bw  -buf", "stalled: stall-dep waits for another unit's result, stall-bw for DRAM bandwidth, stall-buf for buffer space"),
            ("NN%  map NN%", "a unit's utilisation: busy cycles ÷ all cycles of the run; map: the PE-array mapping efficiency (MACs ÷ busy PE-cycles)"),
            ("speed  step", "speed: cycles simulated per tick while running; step: cycles per single step"),
            ("energy", "from the Vitality energy model (per-op costs): whole run and per unit; µJ = microjoules"),
        ]
        case .runs: return []
        }
    }

    /// The keys of `tab`: its own, then the common ones.
    public static func entries(for tab: Tab) -> [(String, String)] {
        let own: [(String, String)]
        switch tab {
        case .training: own = TrainingSession.keys
        case .distill: own = DistillSession.keys
        case .attention: own = AttentionSession.keys
        case .accelerator: own = AcceleratorSession.keys
        case .runs: own = runs
        }
        return own + common
    }

    /// What the help overlay of `tab` lists: its keys, then its legend.
    public static func overlay(for tab: Tab) -> [(String, String)] { entries(for: tab) + legend(for: tab) }

    /// Every tab's keys once (what the README lists).
    public static var entries: [(String, String)] {
        var seen = Set<String>(), all: [(String, String)] = []
        for tab in Tab.allCases { for e in entries(for: tab) where seen.insert(e.0).inserted { all.append(e) } }
        return all
    }

    /// `text` in lines of at most `width` characters, broken at spaces; a word longer than
    /// a line is cut with "…".
    public static func wrap(_ text: String, width: Int) -> [String] {
        var lines: [String] = [], line = ""
        for word in text.split(separator: " ").map(String.init) {
            if line.isEmpty { line = fit(word, width: width) }
            else if line.count + 1 + word.count <= width { line += " " + word }
            else { lines.append(line); line = fit(word, width: width) }
        }
        return lines + (line.isEmpty ? [] : [line])
    }

    /// `text` cut to `width` characters, ending in "…" when cut.
    public static func fit(_ text: String, width: Int) -> String {
        guard text.count > width else { return text }
        return width <= 0 ? "" : String(text.prefix(width - 1)) + "…"
    }
}
