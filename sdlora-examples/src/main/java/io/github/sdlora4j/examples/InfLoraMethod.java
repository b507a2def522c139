package io.github.sdlora4j.examples;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonProperty;
import io.github.sdlora4j.inflora.MemoryThreshold;
import io.github.sdlora4j.io.InfLoraCheckpoint;
import io.github.sdlora4j.learner.InfLoraConfig;
import io.github.sdlora4j.learner.InfLoraLearner;
import io.github.sdlora4j.vit.VitWeights;

/**
 * {@code inflora}: InfLoRA (Liang and Li, CVPR 2024). It takes the run's rank and optimizer, as every method here
 * does, so the comparison is like for like; its block sets the memory thresholds.
 */
final class InfLoraMethod {

    /**
     * The block {@code method: {name: inflora, thresholdFirst: 0.95, thresholdLast: 1.0}}.
     *
     * @param thresholdFirst the memory threshold ε of task 0 (default 0.95, the reference's CIFAR-100 setting)
     * @param thresholdLast  the value ε rises to linearly over the tasks (default 1.0)
     */
    record Settings(double thresholdFirst, double thresholdLast) {
        /** Validates. */
        Settings {
            new MemoryThreshold(thresholdFirst, thresholdLast);
        }

        @JsonCreator
        static Settings json(@JsonProperty("thresholdFirst") Double first, @JsonProperty("thresholdLast") Double last) {
            return new Settings(first == null ? MemoryThreshold.DEFAULT.first() : first,
                    last == null ? MemoryThreshold.DEFAULT.last() : last);
        }
    }

    private static final Methods.Store STORE = new CheckpointStore<>(InfLoraLearner.class, InfLoraCheckpoint.FORMAT,
            InfLoraMethod::config,
            InfLoraCheckpoint::save, InfLoraCheckpoint::load);

    static final Methods.Method METHOD = new Methods.Method("inflora",
            "InfLoRA: per task a LoRA whose A is designed orthogonal to earlier tasks' inputs, only B trained, merged"
                    + " at the task's end", Settings.class,
            (c, b, s, n) -> InfLoraLearner.create(config(c, b, s, n), b), STORE, true);

    private InfLoraMethod() {
    }

    /** InfLoRA's configuration for one run seed of a stream of {@code tasks} tasks. */
    static InfLoraConfig config(RunConfig c, VitWeights backbone, long seed, int tasks) {
        Settings settings = c.method().settings(Settings.class);
        return InfLoraConfig.reference(backbone.config(), tasks).withRank(c.rank()).withOptimizer(c.optimizerConfig())
                .withThreshold(new MemoryThreshold(settings.thresholdFirst(), settings.thresholdLast())).withSeed(seed);
    }
}
