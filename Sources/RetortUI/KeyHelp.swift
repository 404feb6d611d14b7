/// The key table: shown by `?` and copied into the README.
public enum KeyHelp {
    public static let entries: [(String, String)] = [
        ("1-5  Tab  Shift-Tab", "switch tab (Training, Distill, Attention, Accelerator, Runs); mouse: click a tab"),
        ("space  p", "pause / resume the job"),
        ("r", "resume; after a divergence: roll back to the last good checkpoint with lr ×0.1"),
        ("n  .", "single step (pauses first)"),
        ("N", "ten steps"),
        ("↑ ↓  k j", "select a hyperparameter"),
        ("← →  h l  - +", "step the selected value down / up (×10^¼ for log-scale fields, ×2 for batch size)"),
        ("Enter  e", "type a value (3e-4, 0.0003, 1/3000); Enter applies, Esc cancels"),
        ("u", "undo the last hyperparameter change"),
        ("L", "toggle log scale of the loss chart"),
        ("[  ]  mouse wheel", "zoom the charts out / in (the last ½, ¼, … of the run)"),
        ("s", "save a checkpoint (checkpoints/step-N.ckpt) and the model (model.safetensors; Distill: student.safetensors)"),
        (":", "command line: set NAME VALUE, pause, resume, step [N], save, rollback [LR], theme NAME, log, help, quit (Tab completes, ↑↓ history)"),
        ("Runs: ↑↓ Enter Esc", "select a run folder (tab 5); Enter/o opens it read-only (curves, config.json); Esc back"),
        ("Runs: space  v", "mark / unmark a run; v overlays the marked runs' test accuracy and loss (one colour each)"),
        ("Runs: x Delete  r", "delete the run folder after \"delete RUN? y/n\" (only y; never the running run); r rescans"),
        ("?", "this help"),
        ("q  Ctrl-C", "quit (the terminal is restored)"),
    ]
}
