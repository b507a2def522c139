package io.github.sdlora4j.learner;

import org.nd4j.linalg.api.ndarray.INDArray;

import java.util.Map;

/**
 * A {@link LossTerm} that also computes its value and gradient on plain arrays, which the fused engine (no automatic
 * differentiation) needs to honour it. Both forms must compute the same function.
 */
public interface ExplicitLossTerm extends LossTerm {

    /**
     * Adds the term's gradient with respect to each trained tensor into {@code gradients} (same names and shapes as
     * {@code values}; do not modify {@code values}) and returns the term's value.
     */
    double addGradients(Map<String, INDArray> values, Map<String, INDArray> gradients);
}
