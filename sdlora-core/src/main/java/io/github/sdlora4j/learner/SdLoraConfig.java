package io.github.sdlora4j.learner;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonProperty;
import io.github.sdlora4j.lora.DirectionAssimilator;
import io.github.sdlora4j.lora.RankSchedule;
import io.github.sdlora4j.vit.VitConfig;

import java.util.Objects;

/**
 * Everything that defines an SD-LoRA learner. Immutable; {@code with*} methods return modified copies.
 * Stored verbatim (as JSON) in every checkpoint, and a checkpoint only loads into the same configuration.
 *
 * @param vit              backbone shape
 * @param mode             {@link SdLoraMode#REFERENCE} (default) or {@link SdLoraMode#PAPER}
 * @param ranks            LoRA rank per task; {@link RankSchedule#constant(int) constant(10)} without RR,
 *                         {@link RankSchedule#DEFAULT_REDUCTION} for SD-LoRA-RR
 * @param initialMagnitude value of a newly created magnitude (0.8 reference code, 1.0 paper)
 * @param knowledgeDistillation whether SD-LoRA-KD assimilates a new direction after each task
 * @param kdThreshold      KD merges when the squared residual is below this (9e-4)
 * @param optimizer        the per-task optimizer
 * @param seed             seeds adapter and head initialisation
 */
public record SdLoraConfig(VitConfig vit, SdLoraMode mode, RankSchedule ranks, double initialMagnitude,
                           boolean knowledgeDistillation, double kdThreshold, OptimizerConfig optimizer, long seed) {

    /** Validates. */
    @JsonCreator
    public SdLoraConfig(@JsonProperty("vit") VitConfig vit, @JsonProperty("mode") SdLoraMode mode,
                        @JsonProperty("ranks") RankSchedule ranks,
                        @JsonProperty("initialMagnitude") double initialMagnitude,
                        @JsonProperty("knowledgeDistillation") boolean knowledgeDistillation,
                        @JsonProperty("kdThreshold") double kdThreshold,
                        @JsonProperty("optimizer") OptimizerConfig optimizer, @JsonProperty("seed") long seed) {
        this.vit = Objects.requireNonNull(vit, "SD-LoRA config: vit is required");
        this.mode = Objects.requireNonNull(mode, "SD-LoRA config: mode is required");
        this.ranks = Objects.requireNonNull(ranks, "SD-LoRA config: ranks is required");
        this.optimizer = Objects.requireNonNull(optimizer, "SD-LoRA config: optimizer is required");
        if (!Double.isFinite(initialMagnitude)) {
            throw new IllegalArgumentException("SD-LoRA config: initialMagnitude must be finite, got " + initialMagnitude);
        }
        checkKdThreshold(kdThreshold);
        if (ranks.rankFor(0) > vit.dim()) {
            throw new IllegalArgumentException("SD-LoRA config: rank " + ranks.rankFor(0) + " exceeds dim " + vit.dim());
        }
        this.initialMagnitude = initialMagnitude;
        this.knowledgeDistillation = knowledgeDistillation;
        this.kdThreshold = kdThreshold;
        this.seed = seed;
    }

    /**
     * The rule for a KD threshold, for every setting that holds one: a finite number >= 0.
     *
     * @return {@code threshold}
     */
    public static double checkKdThreshold(double threshold) {
        if (!(threshold >= 0) || !Double.isFinite(threshold)) {
            throw new IllegalArgumentException("kdThreshold must be a finite number >= 0, got " + threshold);
        }
        return threshold;
    }

    /** The reference code's setting: rank 10, magnitudes 0.8 reset each task, SGD(0.9) at 8e-3, no KD/RR. */
    public static SdLoraConfig reference(VitConfig vit) {
        return new SdLoraConfig(vit, SdLoraMode.REFERENCE, RankSchedule.constant(10), 0.8, false,
                DirectionAssimilator.DEFAULT_THRESHOLD, OptimizerConfig.REFERENCE_SGD, 1993);
    }

    /** The paper's setting: rank 10, ||BA|| normalization, magnitudes kept, Adam at 8e-3. */
    public static SdLoraConfig paper(VitConfig vit) {
        return new SdLoraConfig(vit, SdLoraMode.PAPER, RankSchedule.constant(10), 1.0, false,
                DirectionAssimilator.DEFAULT_THRESHOLD, OptimizerConfig.PAPER_ADAM, 1993);
    }

    public SdLoraConfig withRanks(RankSchedule r) {
        return new SdLoraConfig(vit, mode, r, initialMagnitude, knowledgeDistillation, kdThreshold, optimizer, seed);
    }

    /** SD-LoRA-RR with the paper's schedule (10 / 8 from task 4 / 6 from task 8). */
    public SdLoraConfig withRankReduction() {
        return withRanks(RankSchedule.DEFAULT_REDUCTION);
    }

    /** SD-LoRA-KD with {@code threshold}. */
    public SdLoraConfig withKnowledgeDistillation(boolean enabled, double threshold) {
        return new SdLoraConfig(vit, mode, ranks, initialMagnitude, enabled, threshold, optimizer, seed);
    }

    public SdLoraConfig withOptimizer(OptimizerConfig o) {
        return new SdLoraConfig(vit, mode, ranks, initialMagnitude, knowledgeDistillation, kdThreshold, o, seed);
    }

    public SdLoraConfig withSeed(long s) {
        return new SdLoraConfig(vit, mode, ranks, initialMagnitude, knowledgeDistillation, kdThreshold, optimizer, s);
    }

    public SdLoraConfig withInitialMagnitude(double m) {
        return new SdLoraConfig(vit, mode, ranks, m, knowledgeDistillation, kdThreshold, optimizer, seed);
    }
}
