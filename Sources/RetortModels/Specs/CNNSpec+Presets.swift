/// Named CNN specs (`--cnn-preset NAME`).
extension CNNSpec {
    public enum Preset: String, CaseIterable, Codable, Sendable {
        case tinyMNIST = "tiny-mnist"
        case tinyDigits = "tiny-digits"
        case mbv2Tiny = "mbv2-tiny"
        case mcunet

        public var spec: CNNSpec {
            switch self {
            case .tinyMNIST: return .tinyMNIST
            case .tinyDigits: return .tinyDigits
            case .mbv2Tiny: return .mbv2Tiny
            case .mcunet: return .mcunetLike
            }
        }
    }

    /// The preset used when no spec is given: Retort's tiny net for the image size — the
    /// digits net (stem stride 1) for images smaller than 16 pixels on a side, else the MNIST
    /// net (stem stride 2). For mnist5k and digits this is the network Retort always built.
    public static func defaultPreset(height: Int, width: Int) -> Preset {
        min(height, width) < 16 ? .tinyDigits : .tinyMNIST
    }

    /// Retort's tiny net for 28×28 MNIST: 28 → 14 → 7 → 4 (`TinyCNNConfig.mnist`).
    public static let tinyMNIST = CNNSpec(stem: 16, stemStride: 2, rows: [
        Row(expand: 2, channels: 16, repeats: 1, stride: 1),
        Row(expand: 4, channels: 24, repeats: 2, stride: 2),
        Row(expand: 4, channels: 32, repeats: 1, stride: 2),
    ], head: 96)

    /// Retort's tiny net for 8×8 digits: 8 → 8 → 4 → 2 (`TinyCNNConfig.digits`).
    public static let tinyDigits = CNNSpec(stem: 16, stemStride: 1, rows: [
        Row(expand: 2, channels: 16, repeats: 1, stride: 1),
        Row(expand: 4, channels: 24, repeats: 1, stride: 2),
        Row(expand: 4, channels: 32, repeats: 1, stride: 2),
    ], head: 96)

    /// NetAug's MobileNetV2-Tiny (github.com/mit-han-lab/netaug, models/base/tiny_mbv2.py on
    /// models/base/mbv2.py): MobileNetV2 at width 0.35 with channels rounded to multiples of 8
    /// (make_divisible), so stem 32 → 16, the t=1 row 16 → 8, the stage widths
    /// 24, 32, 64, 96, 160 → 8, 16, 24, 32, 56; the last stage (320) replaced by one block
    /// 56 → 112 (t 6) and the head conv 1280 by 448. All kernels 3. Unchanged here except that
    /// the input resolution is the data's (the MCUNet README lists this w0.35 MobileNetV2
    /// baseline at 144×144 on ImageNet; pass res=144x144 to insist on it).
    public static let mbv2Tiny = CNNSpec(stem: 16, stemStride: 2, rows: [
        Row(expand: 1, channels: 8, repeats: 1, stride: 1),
        Row(expand: 6, channels: 8, repeats: 2, stride: 2),
        Row(expand: 6, channels: 16, repeats: 3, stride: 2),
        Row(expand: 6, channels: 24, repeats: 4, stride: 2),
        Row(expand: 6, channels: 32, repeats: 3, stride: 1),
        Row(expand: 6, channels: 56, repeats: 3, stride: 2),
        Row(expand: 6, channels: 112, repeats: 1, stride: 1),
    ], head: 448)

    /// MCUNet as NetAug trains it (github.com/mit-han-lab/netaug, models/base/mcunet.py):
    /// stem 3×3/2 → 16, a depthwise-separable block → 8, then per block (expand, kernel) from
    /// its block_configs: stage 16 /2: (3,7) (5,3) (5,7) (4,5); stage 24 /2: (5,5) ×3;
    /// stage 40 /2: (5,3) (6,7) (4,5); stage 48 /1: (5,5) (5,7) (5,3); stage 96 /2: (6,3)
    /// (5,7) (4,3); and a last block 96 → 160 (kernel 7, 480 = 5 × 96 hidden). Every expanded
    /// width there (make_divisible(e·in, 8)) is exactly e·in, so the integer ratios are exact.
    /// Changed here: MCUNet pools the last block's 160 channels straight into the classifier;
    /// Retort's CNN always ends in a 1×1 head conv, so a 160-channel head conv (+BN, ReLU6) is
    /// added. Resolution: the data's.
    public static let mcunetLike = CNNSpec(stem: 16, stemStride: 2, rows: [
        Row(expand: 1, channels: 8, repeats: 1, stride: 1),
        Row(expand: 3, channels: 16, repeats: 1, stride: 2, kernel: 7),
        Row(expand: 5, channels: 16, repeats: 1, stride: 1, kernel: 3),
        Row(expand: 5, channels: 16, repeats: 1, stride: 1, kernel: 7),
        Row(expand: 4, channels: 16, repeats: 1, stride: 1, kernel: 5),
        Row(expand: 5, channels: 24, repeats: 3, stride: 2, kernel: 5),
        Row(expand: 5, channels: 40, repeats: 1, stride: 2, kernel: 3),
        Row(expand: 6, channels: 40, repeats: 1, stride: 1, kernel: 7),
        Row(expand: 4, channels: 40, repeats: 1, stride: 1, kernel: 5),
        Row(expand: 5, channels: 48, repeats: 1, stride: 1, kernel: 5),
        Row(expand: 5, channels: 48, repeats: 1, stride: 1, kernel: 7),
        Row(expand: 5, channels: 48, repeats: 1, stride: 1, kernel: 3),
        Row(expand: 6, channels: 96, repeats: 1, stride: 2, kernel: 3),
        Row(expand: 5, channels: 96, repeats: 1, stride: 1, kernel: 7),
        Row(expand: 4, channels: 96, repeats: 1, stride: 1, kernel: 3),
        Row(expand: 5, channels: 160, repeats: 1, stride: 1, kernel: 7),
    ], head: 160)
}
