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

import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * How a task's training steps are computed. Both engines compute the same function and gradients (a test holds them
 * to each other) and apply the same optimizer; they differ in speed only.
 *
 * <p>A learner asks for one with {@link EngineChoice} (its {@code useEngine} option, the run config's {@code engine}
 * key; default {@code auto}); the system property {@value #PROPERTY} ({@code auto}, {@code fused} or
 * {@code samediff}), when set, overrides that. {@code auto} takes the fused engine where it can train (CPU backend,
 * float32, a JVM started with {@code --add-modules jdk.incubator.vector}, a method with a fused step, loss terms it can
 * differentiate) and SameDiff otherwise.
 */
public enum TrainingEngine {

    /** The hand-written step of {@link FusedSdLoraStep}: 1.4–1.7× faster than SameDiff on the W1 benchmark. */
    FUSED,
    /** The SameDiff training graph ({@code VitGraph} with {@code SdLoraAdapterGraph}): runs on every backend. */
    SAMEDIFF;

    /** The system property that overrides every learner's engine choice. */
    public static final String PROPERTY = "sdlora.engine";

    private static final Logger log = LoggerFactory.getLogger(TrainingEngine.class);
    private static final Set<String> fallbacksLogged = ConcurrentHashMap.newKeySet();

    /**
     * The engine that trains a plain SD-LoRA learner that asks for {@code auto}, per {@value #PROPERTY} and what
     * this JVM can run.
     *
     * @throws IllegalArgumentException if the property names no engine
     * @throws IllegalStateException    if it asks for {@code fused} where the fused engine cannot run
     */
    public static TrainingEngine selected(DataType type) {
        return resolve(EngineChoice.AUTO, type, null);
    }

    /**
     * The engine that trains for a learner that asks for {@code requested}, unless {@value #PROPERTY} overrides it.
     *
     * @param fusedMissing null when the fused engine can train this learner's task, else why not (completing
     *                     "the fused engine ..."): a method without a fused step, a loss term it cannot differentiate
     * @throws IllegalArgumentException if the property names no engine
     * @throws IllegalStateException    if {@code fused} is asked for where the fused engine cannot train
     */
    public static TrainingEngine resolve(EngineChoice requested, DataType type, String fusedMissing) {
        String property = System.getProperty(PROPERTY);
        EngineChoice choice = property == null ? requested : EngineChoice.parse(property, "-D" + PROPERTY);
        String unavailable = fusedMissing != null ? fusedMissing : fusedUnavailableReason(type);
        switch (choice) {
            case AUTO:
                if (unavailable == null) {
                    return FUSED;
                }
                if (fallbacksLogged.add(unavailable)) {
                    log.info("Training with the SameDiff engine: the fused engine {}", unavailable);
                }
                return SAMEDIFF;
            case FUSED:
                if (unavailable != null) {
                    throw new IllegalStateException((property == null ? "engine: fused" : "-D" + PROPERTY + "="
                            + property) + ", but the fused engine " + unavailable);
                }
                return FUSED;
            default:
                return SAMEDIFF;
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
     * This engine's training of the current task of {@code state}, its A and B both trained.
     *
     * @param threads the fused engine's threads, 0 for {@link io.github.sdlora4j.fused.FusedThreads#defaultThreads()}
     */
    TaskTraining start(VitWeights backbone, SdLoraState state, DirectionNorm norm, ClassifierHead head, int known,
                       OptimizerConfig optimizer, DataType type, boolean trainMagnitudes, List<Listener> listeners,
                       List<LossTerm> terms, int threads) {
        return start(backbone, state, norm, head, known, optimizer, type, trainMagnitudes, true, listeners, terms,
                threads);
    }

    /** As above; {@code trainA} false trains the current task's B only (A bit-identical throughout). */
    TaskTraining start(VitWeights backbone, SdLoraState state, DirectionNorm norm, ClassifierHead head, int known,
                       OptimizerConfig optimizer, DataType type, boolean trainMagnitudes, boolean trainA,
                       List<Listener> listeners, List<LossTerm> terms, int threads) {
        return switch (this) {
            case FUSED -> new FusedTaskTraining(backbone, state, norm, head, known, optimizer, trainMagnitudes, trainA,
                    listeners, explicit(terms), threads);
            case SAMEDIFF -> new TaskTrainingGraph(backbone, state, norm, head, known, optimizer, type, trainMagnitudes,
                    trainA, listeners, terms);
        };
    }

    /** Why the fused engine cannot honour {@code terms} (completing "the fused engine ..."), or null. */
    static String cannotDifferentiate(List<LossTerm> terms) {
        for (LossTerm t : terms) {
            if (!(t instanceof ExplicitLossTerm)) {
                return "computes gradients by hand and cannot differentiate the loss term '" + t.name()
                        + "' (a term the fused engine honours implements ExplicitLossTerm)";
            }
        }
        return null;
    }

    private static List<ExplicitLossTerm> explicit(List<LossTerm> terms) {
        String refused = cannotDifferentiate(terms);
        if (refused != null) {
            throw new IllegalStateException("The fused engine " + refused);
        }
        return terms.stream().map(ExplicitLossTerm.class::cast).toList();
    }
}
