package io.github.sdlora4j.learner;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonProperty;
import io.github.sdlora4j.inflora.MemoryThreshold;
import io.github.sdlora4j.vit.VitConfig;

import java.util.Objects;

/**
 * Everything that defines an {@link InfLoraLearner}. Immutable; stored as JSON in its checkpoints, which load only
 * into the same configuration.
 *
 * @param vit       backbone shape
 * @param rank      rank r of every task's adapter (10 in InfLoRA's CIFAR-100 and ImageNet-R runs)
 * @param threshold the memory threshold ε per task
 * @param tasks     the number of tasks T of the stream, which sets ε's schedule
 * @param optimizer the per-task optimizer of B and the head rows
 * @param seed      seeds the head rows' initialisation
 */
public record InfLoraConfig(VitConfig vit, int rank, MemoryThreshold threshold, int tasks, OptimizerConfig optimizer,
                            long seed) {

    /** Validates. */
    @JsonCreator
    public InfLoraConfig(@JsonProperty("vit") VitConfig vit, @JsonProperty("rank") int rank,
                         @JsonProperty("threshold") MemoryThreshold threshold, @JsonProperty("tasks") int tasks,
                         @JsonProperty("optimizer") OptimizerConfig optimizer, @JsonProperty("seed") long seed) {
        this.vit = Objects.requireNonNull(vit, "InfLoRA config: vit is required");
        this.threshold = Objects.requireNonNull(threshold, "InfLoRA config: threshold is required");
        this.optimizer = Objects.requireNonNull(optimizer, "InfLoRA config: optimizer is required");
        if (rank < 1 || rank > vit.dim()) {
            throw new IllegalArgumentException("InfLoRA config: rank must be in [1, " + vit.dim() + "], got " + rank);
        }
        if (tasks < 1) {
            throw new IllegalArgumentException("InfLoRA config: tasks must be >= 1, got " + tasks);
        }
        this.rank = rank;
        this.tasks = tasks;
        this.seed = seed;
    }

    /**
     * The reference code's CIFAR-100 setting for a stream of {@code tasks} tasks: rank 10, ε from 0.95 to 1, Adam at
     * 5e-4 (the reference decays it with a cosine schedule, which this optimizer configuration has no form for).
     */
    public static InfLoraConfig reference(VitConfig vit, int tasks) {
        return new InfLoraConfig(vit, 10, MemoryThreshold.DEFAULT, tasks,
                new OptimizerConfig("adam", 5e-4, 0.0, java.util.List.of(), 0.1), 1993);
    }

    public InfLoraConfig withRank(int r) {
        return new InfLoraConfig(vit, r, threshold, tasks, optimizer, seed);
    }

    public InfLoraConfig withThreshold(MemoryThreshold t) {
        return new InfLoraConfig(vit, rank, t, tasks, optimizer, seed);
    }

    public InfLoraConfig withOptimizer(OptimizerConfig o) {
        return new InfLoraConfig(vit, rank, threshold, tasks, o, seed);
    }

    public InfLoraConfig withSeed(long s) {
        return new InfLoraConfig(vit, rank, threshold, tasks, optimizer, s);
    }
}
