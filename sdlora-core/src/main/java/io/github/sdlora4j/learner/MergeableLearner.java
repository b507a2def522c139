package io.github.sdlora4j.learner;

import io.github.sdlora4j.vit.VitConfig;
import io.github.sdlora4j.vit.VitWeights;

import java.util.List;

/**
 * A learner that predicts with one plain ViT and a classifier head: every finished task's adapters fold into the
 * backbone's weights. What {@code predict} and {@code export --merged} need, whichever method trained it
 * (SD-LoRA and its variants, InfLoRA); between tasks {@link #logits} equals that plain ViT's logits up to float
 * rounding.
 */
public interface MergeableLearner extends ClassIncrementalLearner {

    /** The method's name, for messages and an export's note (e.g. "SD-LoRA"). */
    String methodName();

    /** The shape of the backbone it predicts with (image size, channels, width ...). */
    VitConfig vitConfig();

    /** The backbone with every finished task's adapters folded into its weights (do not modify). */
    VitWeights mergedBackbone();

    /** The classifier (live; do not modify). */
    ClassifierHead head();

    /** Whether a task was started and not yet ended (a step snapshot): its adapter is then not in the merge. */
    boolean inTask();

    /** Number of classes each task brought, in order. */
    List<Integer> taskClasses();
}
