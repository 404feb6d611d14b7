import ArgumentParser

/// `retort attention …`: the ViTALiTy attention engine (training comparison, op counts).
struct AttentionCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "attention",
        abstract: "ViTALiTy Taylor attention: train a ViT with each attention kind and compare; operation counts.",
        subcommands: [AttentionTrain.self, AttentionOps.self])
}
