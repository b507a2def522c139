package io.github.sdlora4j.benchmark;

import ai.djl.engine.Engine;
import ai.djl.pytorch.jni.JniUtils;

import java.util.Optional;

/**
 * Loads DJL's PyTorch engine if it can, offline. The suite runs without it (the PyTorch figures are then reported
 * as not measured), so a missing native library is a result, not a crash.
 */
final class PyTorchRuntime {

    /** The engine name DJL registers for libtorch. */
    static final String ENGINE = "PyTorch";

    private final Engine engine;

    private PyTorchRuntime(Engine engine) {
        this.engine = engine;
    }

    /**
     * The engine, or empty with the reason when libtorch cannot be loaded. Downloads are forbidden
     * ({@code ai.djl.offline=true} unless the caller set it), so everything must come from the classpath.
     *
     * @param threads intra-op threads for libtorch; 0 keeps libtorch's default
     */
    static Result load(int threads) {
        if (System.getProperty("ai.djl.offline") == null) {
            System.setProperty("ai.djl.offline", "true");
        }
        try {
            Engine engine = Engine.getEngine(ENGINE);
            if (threads > 0) {
                JniUtils.setNumThreads(threads);
            }
            // Updates run outside the gradient collector; with grad mode off they are not recorded by autograd.
            JniUtils.setGradMode(false);
            return new Result(Optional.of(new PyTorchRuntime(engine)), "");
        } catch (Throwable e) { // UnsatisfiedLinkError, EngineException, missing classes: all mean "not available"
            return new Result(Optional.empty(), e.getClass().getSimpleName() + ": " + e.getMessage());
        }
    }

    Engine engine() {
        return engine;
    }

    String version() {
        return engine.getVersion();
    }

    int threads() {
        return JniUtils.getNumThreads();
    }

    /**
     * libtorch's own intra-op default: the physical cores (it reads OMP_NUM_THREADS first, which the launcher sets
     * to 1 for ND4J, so the suite sets this count itself rather than trusting what the engine started with).
     */
    static int defaultThreads() {
        return MachineInfo.physicalCores();
    }

    /**
     * {@code body} run with {@code threads} intra-op threads. {@code torch.set_num_threads} is process-wide but may be
     * called again at any time, and it holds for the calling thread's parallel regions; every run sets its own count,
     * so variants at different counts can alternate in one process.
     */
    Runnable atThreads(int threads, Runnable body) {
        if (threads < 1) {
            throw new IllegalArgumentException("PyTorch threads must be >= 1, got " + threads);
        }
        return () -> {
            JniUtils.setNumThreads(threads);
            body.run();
        };
    }

    /**
     * Outcome of {@link #load}.
     *
     * @param runtime the engine when it loaded
     * @param reason  why it did not, empty otherwise
     */
    record Result(Optional<PyTorchRuntime> runtime, String reason) {
    }
}
