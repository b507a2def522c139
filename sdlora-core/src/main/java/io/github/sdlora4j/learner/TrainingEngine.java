package io.github.sdlora4j.learner;

import io.github.sdlora4j.Backend;
import io.github.sdlora4j.fused.FusedSdLoraStep;
import io.github.sdlora4j.lora.DirectionNorm;
import io.github.sdlora4j.lora.SdLoraState;
import io.github.sdlora4j.vit.VitWeights;
import org.nd4j.autodiff.listeners.Listener;
import org.nd4j.linalg.api.buffer.DataType;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.stream.Collectors;

/**
 * How a task's training steps are computed. Both engines compute the same function and gradients (a test holds them
 * to each other) and apply the same optimizer; they differ in speed only.
 *
 * <p>Chosen with the system property {@value #PROPERTY} ({@code auto}, {@code fused} or {@code samediff}; default
 * {@code auto}): {@code auto} takes the fused engine where it can run (CPU backend, float32, a JVM started with
 * {@code --add-modules jdk.incubator.vector}) and SameDiff otherwise.
 */
public enum TrainingEngine {

    /** The hand-written step of {@link FusedSdLoraStep}: 1.4–1.7× faster than SameDiff on the W1 benchmark. */
    FUSED,
    /** The SameDiff training graph ({@code VitGraph} with {@code SdLoraAdapterGraph}): runs on every backend. */
    SAMEDIFF;

    /** The system property that picks the engine. */
    public static final String PROPERTY = "sdlora.engine";

    private static final Logger log = LoggerFactory.getLogger(TrainingEngine.class);
    private static volatile boolean fallbackLogged;

    /**
     * The engine that will train, per {@value #PROPERTY} and what this JVM can run.
     *
     * @throws IllegalArgumentException if the property names no engine
     * @throws IllegalStateException    if it asks for {@code fused} where the fused engine cannot run
     */
    public static TrainingEngine selected(DataType type) {
        String value = System.getProperty(PROPERTY, "auto").trim().toLowerCase(Locale.ROOT);
        String unavailable = fusedUnavailableReason(type);
        switch (value) {
            case "auto":
                if (unavailable == null) {
                    return FUSED;
                }
                if (!fallbackLogged) {
                    fallbackLogged = true;
                    log.info("Training with the SameDiff engine: the fused engine {}", unavailable);
                }
                return SAMEDIFF;
            case "fused":
                if (unavailable != null) {
                    throw new IllegalStateException("-D" + PROPERTY + "=fused, but the fused engine " + unavailable);
                }
                return FUSED;
            case "samediff":
                return SAMEDIFF;
            default:
                throw new IllegalArgumentException("-D" + PROPERTY + "=" + value + " is not an engine; valid values are "
                        + "auto, " + Arrays.stream(values()).map(e -> e.name().toLowerCase(Locale.ROOT))
                        .collect(Collectors.joining(", ")));
        }
    }

    /** Null when the fused engine can run here, else why not (completing "the fused engine ..."). */
    static String fusedUnavailableReason(DataType type) {
        if (type != DataType.FLOAT) {
            return "computes in float32 only, the learner asked for " + type;
        }
        if (!FusedSdLoraStep.vectorModulePresent()) {
            return "needs the JVM option --add-modules jdk.incubator.vector (the ./sdlora launcher passes it)";
        }
        if (Backend.isCuda()) {
            return "runs on the CPU backend only, this is the CUDA backend";
        }
        return null;
    }

    /**
     * This engine's training of the current task of {@code state}.
     *
     * @param threads the fused engine's threads, 0 for {@link io.github.sdlora4j.fused.FusedThreads#defaultThreads()}
     */
    TaskTraining start(VitWeights backbone, SdLoraState state, DirectionNorm norm, ClassifierHead head, int known,
                       OptimizerConfig optimizer, DataType type, boolean trainMagnitudes, List<Listener> listeners,
                       int threads) {
        return switch (this) {
            case FUSED -> new FusedTaskTraining(backbone, state, norm, head, known, optimizer, trainMagnitudes, listeners,
                    threads);
            case SAMEDIFF -> new TaskTrainingGraph(backbone, state, norm, head, known, optimizer, type, trainMagnitudes,
                    listeners);
        };
    }
}
