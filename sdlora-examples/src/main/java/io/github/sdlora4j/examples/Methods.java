package io.github.sdlora4j.examples;

import io.github.sdlora4j.io.ClassifierMetadata;
import io.github.sdlora4j.io.LearnerCheckpoint;
import io.github.sdlora4j.learner.ClassIncrementalLearner;
import io.github.sdlora4j.learner.JointLearner;
import io.github.sdlora4j.learner.SdLoraConfig;
import io.github.sdlora4j.learner.SdLoraLearner;
import io.github.sdlora4j.learner.SdLoraMode;
import io.github.sdlora4j.learner.SequentialLoraLearner;
import io.github.sdlora4j.learner.SimpleCilLearner;
import io.github.sdlora4j.lora.RankSchedule;
import io.github.sdlora4j.vit.VitWeights;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The methods a run can use, by config name. Each entry builds a learner and says whether it can be saved; the
 * runner knows nothing else about them.
 */
public final class Methods {

    /** Builds a fresh learner for one run seed. */
    @FunctionalInterface
    public interface Factory {
        ClassIncrementalLearner create(RunConfig config, VitWeights backbone, long seed);
    }

    /** Saves and restores a learner (only methods whose state the core can serialize have one). */
    public interface Store {
        /** Saves {@code learner}; {@code classes} (the benchmark's names, order, preprocessing) may be null. */
        void save(ClassIncrementalLearner learner, Path file, ClassifierMetadata classes) throws IOException;

        ClassIncrementalLearner load(Path file, RunConfig config, VitWeights backbone, long seed) throws IOException;
    }

    /**
     * A method.
     *
     * @param name        the config name
     * @param description one line for --help and the manifest
     * @param factory     builds the learner
     * @param store       saves/restores it, or null when it cannot be checkpointed (its seed restarts on resume)
     * @param trains      false for methods that only accumulate statistics (one pass is enough)
     */
    public record Method(String name, String description, Factory factory, Store store, boolean trains) {
    }

    private static final Map<String, Method> REGISTRY = new LinkedHashMap<>();

    static {
        sdLora("sdlora", "SD-LoRA: a new decoupled LoRA direction per task, earlier ones frozen",
                Methods::sdLoraConfig);
        sdLora("sdlora-rr", "SD-LoRA-RR: SD-LoRA with the rank reduced to 8 from task 4 and 6 from task 8",
                (c, b, s) -> sdLoraConfig(c, b, s).withRankReduction());
        sdLora("sdlora-kd", "SD-LoRA-KD: SD-LoRA that folds a new direction into earlier ones when a"
                + " least-squares fit explains it", Methods::kd);
        register(new Method("seq-lora", "baseline: one LoRA fine-tuned task after task (no decoupling)",
                (c, b, s) -> new SequentialLoraLearner(sdLoraConfig(c, b, s), b), null, true));
        register(new Method("simplecil", "baseline: frozen backbone + class-mean prototypes (cosine)",
                (c, b, s) -> new SimpleCilLearner(b), null, false));
        register(new Method("joint", "upper bound: LoRA trained on every seen class's data (replays the past)",
                (c, b, s) -> new JointLearner(sdLoraConfig(c, b, s), b), null, true));
    }

    private Methods() {
    }

    /** The SD-LoRA configuration of one variant for one run seed. */
    @FunctionalInterface
    private interface SdLoraVariant {
        SdLoraConfig config(RunConfig config, VitWeights backbone, long seed);
    }

    /** An SD-LoRA variant: created and restored from checkpoints with the same configuration. */
    private static void sdLora(String name, String description, SdLoraVariant variant) {
        register(new Method(name, description,
                (c, b, s) -> SdLoraLearner.create(variant.config(c, b, s), b),
                new Store() {
                    @Override
                    public void save(ClassIncrementalLearner learner, Path file, ClassifierMetadata classes)
                            throws IOException {
                        LearnerCheckpoint.save((SdLoraLearner) learner, file, classes);
                    }

                    @Override
                    public ClassIncrementalLearner load(Path file, RunConfig c, VitWeights b, long s)
                            throws IOException {
                        return LearnerCheckpoint.load(file, variant.config(c, b, s));
                    }
                }, true));
    }

    private static SdLoraConfig kd(RunConfig c, VitWeights b, long s) {
        return sdLoraConfig(c, b, s).withKnowledgeDistillation(true, c.kdThreshold());
    }

    /** The SD-LoRA configuration a run config describes for one seed (mode defaults, rank, optimizer, seed). */
    static SdLoraConfig sdLoraConfig(RunConfig c, VitWeights backbone, long seed) {
        SdLoraConfig base = c.sdLoraMode() == SdLoraMode.PAPER ? SdLoraConfig.paper(backbone.config())
                : SdLoraConfig.reference(backbone.config());
        return base.withRanks(RankSchedule.constant(c.rank())).withOptimizer(c.optimizerConfig()).withSeed(seed);
    }

    /** Registers (or replaces) a method. */
    public static void register(Method m) {
        REGISTRY.put(m.name(), m);
    }

    /** All methods by name, in registration order. */
    public static Map<String, Method> all() {
        return Collections.unmodifiableMap(REGISTRY);
    }

    /**
     * The method called {@code name}.
     *
     * @throws IllegalArgumentException listing the known methods (and the closest one) when there is none
     */
    public static Method require(String name) {
        Method m = name == null ? null : REGISTRY.get(name);
        if (m == null) {
            String close = name == null ? null : Suggestions.closest(name, REGISTRY.keySet());
            throw new IllegalArgumentException("unknown method '" + name + "'"
                    + (close != null ? " (did you mean '" + close + "'?)" : "") + "; known methods: "
                    + String.join(", ", REGISTRY.keySet()));
        }
        return m;
    }
}
