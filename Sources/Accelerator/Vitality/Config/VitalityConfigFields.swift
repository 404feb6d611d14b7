extension VitalityConfig {
    /// How a `hardware` key is checked and which parameter it sets.
    enum HardwareField {
        case integer(WritableKeyPath<AcceleratorHardware, Int>, min: Int)
        case positive(WritableKeyPath<AcceleratorHardware, Double>)
        case flag(WritableKeyPath<AcceleratorHardware, Bool>)
    }

    /// Every `hardware` key in file order (the order errors are reported in).
    static var hardwareFields: [(key: String, field: HardwareField)] {
        [
            ("clock_mhz", .positive(\.clockMHz)),
            ("chunks", .integer(\.chunks, min: 1)),
            ("sa_rows", .integer(\.saRows, min: 1)),
            ("sa_cols", .integer(\.saCols, min: 1)),
            ("sa_diag_rows", .integer(\.saDiagRows, min: 1)),
            ("accumulator_lanes", .integer(\.accumulatorLanes, min: 1)),
            ("adder_lanes", .integer(\.adderLanes, min: 1)),
            ("divider_lanes", .integer(\.dividerLanes, min: 1)),
            ("exp_lanes", .integer(\.expLanes, min: 1)),
            ("accumulator_latency", .integer(\.accumulatorLatency, min: 0)),
            ("adder_latency", .integer(\.adderLatency, min: 0)),
            ("divider_latency", .integer(\.dividerLatency, min: 0)),
            ("exp_latency", .integer(\.expLatency, min: 0)),
            ("sa_double_buffered", .flag(\.saDoubleBuffered)),
            ("word_bytes", .integer(\.wordBytes, min: 1)),
            ("dram_gb_per_s", .positive(\.dramGBPerSecond)),
            ("dram_latency_cycles", .integer(\.dramLatencyCycles, min: 0)),
            ("sram_input_kb", .positive(\.sramInputKB)),
            ("sram_scratch_kb", .positive(\.sramScratchKB)),
            ("sram_output_kb", .positive(\.sramOutputKB)),
            ("sram_weight_kb", .positive(\.sramWeightKB)),
            ("softmax_max_subtraction", .flag(\.softmaxMaxSubtraction)),
        ]
    }

    /// Every `energy_pj` key in file order: a number ≥ 0 (pJ).
    static var energyFields: [(key: String, field: WritableKeyPath<EnergyTable, Double>)] {
        [
            ("mac", \.mac), ("add", \.add), ("mul", \.mul), ("div", \.div), ("exp", \.exp),
            ("sram_read_per_word", \.sramReadPerWord), ("sram_write_per_word", \.sramWritePerWord),
            ("dram_per_byte", \.dramPerByte), ("static_per_cycle", \.staticPerCycle),
        ]
    }
}
