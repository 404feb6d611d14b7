import ArgumentParser

struct RetortCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "retort",
        abstract: "A terminal workbench for efficient edge AI: training, NetDistiller, ViTALiTy attention, accelerator simulation.",
        subcommands: [TUICommand.self, TrainCommand.self, ResumeCommand.self, DoctorCommand.self, BenchCommand.self, SimCommand.self, AttentionCommand.self, DistillCommand.self, CompareCommand.self, SweepGroup.self, CheckCommand.self, EvalCommand.self, DataCommand.self, PlotCommand.self],
        defaultSubcommand: TUICommand.self
        )
}
