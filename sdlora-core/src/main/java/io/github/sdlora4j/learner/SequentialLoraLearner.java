package io.github.sdlora4j.learner;

import io.github.sdlora4j.vit.VitWeights;

/**
 * Baseline: sequential LoRA fine-tuning. One adapter is trained task after task with the same sliced loss as
 * SD-LoRA (current task's classes only) but without decoupling magnitude and direction or freezing old
 * directions, so later tasks overwrite what earlier ones learned.
 */
public final class SequentialLoraLearner extends LoraFineTuneLearner {

    /** Uses the rank of task 0, the optimizer and the seed of {@code config}. */
    public SequentialLoraLearner(SdLoraConfig config, VitWeights backbone) {
        super(config, backbone);
    }

    @Override
    int firstTrainedClass(int known) {
        return known;
    }
}
