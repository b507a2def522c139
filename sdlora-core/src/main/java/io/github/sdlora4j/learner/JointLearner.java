package io.github.sdlora4j.learner;

import io.github.sdlora4j.vit.VitWeights;

/**
 * Upper bound: LoRA fine-tuning on the training data of every class seen so far, with the loss over all of
 * them. It breaks the class-incremental protocol on purpose (it replays all past data) to show what is lost.
 */
public final class JointLearner extends LoraFineTuneLearner {

    /** Uses the rank of task 0, the optimizer and the seed of {@code config}. */
    public JointLearner(SdLoraConfig config, VitWeights backbone) {
        super(config, backbone);
    }

    @Override
    int firstTrainedClass(int known) {
        return 0;
    }

    @Override
    public TrainingScope trainingScope() {
        return TrainingScope.ALL_SEEN_CLASSES;
    }
}
