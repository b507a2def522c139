package io.github.sdlora4j.learner;

import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;

import java.util.Map;

/**
 * A term added to a task's training loss before the gradients are taken: a regulariser or penalty, as a continual
 * learning plugin adds one before the backward pass. The learner's {@link AbstractClassIncrementalLearner#lossTerms}
 * hands its terms to the training engine, which honours them or refuses when training starts:
 * the SameDiff engine differentiates {@link #define} itself; the fused engine, which computes its gradients by hand,
 * honours only an {@link ExplicitLossTerm} and refuses any other with a message naming the term.
 *
 * <p>Trained tensors are named as in the optimizer state: the current task's factors
 * {@link io.github.sdlora4j.lora.SdLoraAlgebra#factorName}, the magnitudes
 * {@value io.github.sdlora4j.lora.SdLoraAlgebra#MAGNITUDE} (when they train) and the new head rows {@value #HEAD_WEIGHT} and
 * {@value #HEAD_BIAS}.
 */
public interface LossTerm {

    /** The trained head rows of the task's classes, [new classes, dim]. */
    String HEAD_WEIGHT = "head.weight.task";
    /** The trained head biases of the task's classes, [new classes]. */
    String HEAD_BIAS = "head.bias.task";

    /** A short name for messages. */
    String name();

    /**
     * The term as a scalar of the task's training graph {@code sd}.
     *
     * @param trained the graph's trained variables by name
     */
    SDVariable define(SameDiff sd, Map<String, SDVariable> trained);
}
