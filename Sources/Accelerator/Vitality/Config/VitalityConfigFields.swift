extension VitalityConfig {
    /// How a `hardware` key is checked and which parameter it sets.
    enum HardwareField {
        case integer(WritableKeyPath<AcceleratorHardware, Int>, min: Int, max: Int)
        /// A physical quantity: a number in `min…max` (both documented in `SizeLimits`).
        case physical(WritableKeyPath<AcceleratorHardware, Double>, min: Double, max: Double)
        case flag(WritableKeyPath<AcceleratorHardware, Bool>)
    }

    /// Every `hardware` key in file order (the order errors are reported in).
    static var hardwareFields: [(key: String, field: HardwareField)] {
        [
            ("clock_mhz", .physical(\.clockMHz, min: SizeLimits.minClockMHz, max: SizeLimits.clockMHz)),
            ("chunks", .integer(\.chunks, min: 1, max: SizeLimits.chunks)),
            ("sa_rows", .integer(\.saRows, min: 1, max: SizeLimits.arraySide)),
            ("sa_cols", .integer(\.saCols, min: 1, max: SizeLimits.arraySide)),
            ("sa_diag_rows", .integer(\.saDiagRows, min: 1, max: SizeLimits.arraySide)),
            ("accumulator_lanes", .integer(\.accumulatorLanes, min: 1, max: SizeLimits.lanes)),
            ("adder_lanes", .integer(\.adderLanes, min: 1, max: SizeLimits.lanes)),
            ("divider_lanes", .integer(\.dividerLanes, min: 1, max: SizeLimits.lanes)),
            ("exp_lanes", .integer(\.expLanes, min: 1, max: SizeLimits.lanes)),
            ("accumulator_latency", .integer(\.accumulatorLatency, min: 0, max: SizeLimits.latency)),
            ("adder_latency", .integer(\.adderLatency, min: 0, max: SizeLimits.latency)),
            ("divider_latency", .integer(\.dividerLatency, min: 0, max: SizeLimits.latency)),
            ("exp_latency", .integer(\.expLatency, min: 0, max: SizeLimits.latency)),
            ("sa_double_buffered", .flag(\.saDoubleBuffered)),
            ("word_bytes", .integer(\.wordBytes, min: 1, max: SizeLimits.wordBytes)),
            ("dram_gb_per_s", .physical(\.dramGBPerSecond, min: SizeLimits.minDramGBPerSecond, max: SizeLimits.dramGBPerSecond)),
            ("dram_latency_cycles", .integer(\.dramLatencyCycles, min: 0, max: SizeLimits.latency)),
            ("sram_input_kb", .physical(\.sramInputKB, min: SizeLimits.minSramKB, max: Double(SizeLimits.sramKB))),
            ("sram_scratch_kb", .physical(\.sramScratchKB, min: SizeLimits.minSramKB, max: Double(SizeLimits.sramKB))),
            ("sram_output_kb", .physical(\.sramOutputKB, min: SizeLimits.minSramKB, max: Double(SizeLimits.sramKB))),
            ("sram_weight_kb", .physical(\.sramWeightKB, min: SizeLimits.minSramKB, max: Double(SizeLimits.sramKB))),
            ("softmax_max_subtraction", .flag(\.softmaxMaxSubtraction)),
        ]
    }

    /// Every `energy_pj` key in file order: a number in 0…`SizeLimits.energyPJ` (pJ; 0 leaves
    /// that cost out).
    static var energyFields: [(key: String, field: WritableKeyPath<EnergyTable, Double>)] {
        [
            ("mac", \.mac), ("add", \.add), ("mul", \.mul), ("div", \.div), ("exp", \.exp),
            ("sram_read_per_word", \.sramReadPerWord), ("sram_write_per_word", \.sramWritePerWord),
            ("dram_per_byte", \.dramPerByte), ("static_per_cycle", \.staticPerCycle),
        ]
    }
}
