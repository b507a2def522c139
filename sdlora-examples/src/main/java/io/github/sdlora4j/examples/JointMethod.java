package io.github.sdlora4j.examples;

import io.github.sdlora4j.learner.JointLearner;

/** {@code joint}: the upper bound that replays every seen class's data. */
final class JointMethod {

    static final Methods.Method METHOD = new Methods.Method("joint",
            "upper bound: LoRA trained on every seen class's data (replays the past)", NoSettings.class,
            (c, b, s, n) -> new JointLearner(SdLoraStore.base(c, b, s), b), null, true);

    private JointMethod() {
    }
}
