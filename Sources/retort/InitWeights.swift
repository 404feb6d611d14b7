import RetortCore

/// `--init FILE` of train and attention train: weights to start training from must be
/// finite, or the first step would "diverge" for a reason that is the file's, not the lr's.
func refuseNonFiniteInit(_ file: SafeTensorsFile, path: String) {
    if let name = file.tensors.first(where: { !$0.tensor.isAllFinite })?.name {
        fail("\(path): init: tensor \(name) holds non-finite values (NaN or ±inf); give finite weights")
    }
}
