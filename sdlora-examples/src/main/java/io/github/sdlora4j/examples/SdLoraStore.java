package io.github.sdlora4j.examples;

import io.github.sdlora4j.io.LearnerCheckpoint;
import io.github.sdlora4j.learner.ClassIncrementalLearner;
import io.github.sdlora4j.learner.SdLoraConfig;
import io.github.sdlora4j.learner.SdLoraLearner;
import io.github.sdlora4j.learner.SdLoraMode;
import io.github.sdlora4j.lora.RankSchedule;
import io.github.sdlora4j.vit.VitWeights;

/**
 * What the SD-LoRA variants share: the SD-LoRA configuration a run config describes, and their checkpoints
 * ({@link LearnerCheckpoint}), restored with the same configuration the variant creates.
 */
final class SdLoraStore extends CheckpointStore<SdLoraConfig, SdLoraLearner> {

    /** The SD-LoRA configuration of one variant for one run seed. */
    @FunctionalInterface
    interface Variant {
        SdLoraConfig config(RunConfig config, VitWeights backbone, long seed);
    }

    private final Variant variant;

    SdLoraStore(Variant variant) {
        super(SdLoraLearner.class, LearnerCheckpoint.FORMAT, (c, b, seed, tasks) -> variant.config(c, b, seed),
                LearnerCheckpoint::save, LearnerCheckpoint::load);
        this.variant = variant;
    }

    /** A fresh learner of the variant. */
    ClassIncrementalLearner create(RunConfig c, VitWeights b, long seed, int tasks) {
        return SdLoraLearner.create(variant.config(c, b, seed), b);
    }

    /** The SD-LoRA configuration a run config describes for one seed (mode defaults, rank, optimizer, seed). */
    static SdLoraConfig base(RunConfig c, VitWeights backbone, long seed) {
        SdLoraConfig base = c.sdLoraMode() == SdLoraMode.PAPER ? SdLoraConfig.paper(backbone.config())
                : SdLoraConfig.reference(backbone.config());
        return base.withRanks(RankSchedule.constant(c.rank())).withOptimizer(c.optimizerConfig()).withSeed(seed);
    }
}
