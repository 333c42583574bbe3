import Foundation

/// Whether `python3` can run Keras 3 with its NumPy and JAX backends, for the tests that
/// compare with live Keras.
public enum LiveKeras {
    /// True when `python3` imports keras and jax (tests skip only when it cannot), and always
    /// when `NPDROP_LIVE_KERAS=1` (as `.ci/run` sets it after installing them): then a missing
    /// Keras fails those tests instead of skipping them.
    public static let isAvailable: Bool = {
        isRequired || (try? run("import keras, jax", backend: "numpy")) != nil
    }()

    /// `NPDROP_LIVE_KERAS=1` is set.
    public static var isRequired: Bool {
        ProcessInfo.processInfo.environment["NPDROP_LIVE_KERAS"] == "1"
    }

    /// Runs `script` with python3 under `KERAS_BACKEND=backend` (CPU, quiet logs) and returns
    /// its stdout; throws if it exits non-zero.
    public static func run(_ script: String, backend: String, arguments: [String] = []) throws -> Data {
        let prelude = """
            import os, warnings
            os.environ["KERAS_BACKEND"] = \(pythonString(backend))
            os.environ.setdefault("JAX_PLATFORMS", "cpu")
            os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
            warnings.simplefilter("ignore")

            """
        return try LiveNumPy.run(prelude + script, arguments: arguments)
    }

    private static func pythonString(_ text: String) -> String {
        "\"" + text.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"") + "\""
    }
}
