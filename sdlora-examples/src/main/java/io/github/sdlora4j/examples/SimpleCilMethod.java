package io.github.sdlora4j.examples;

import io.github.sdlora4j.learner.SimpleCilLearner;

/** {@code simplecil}: the frozen-backbone prototype baseline; it trains nothing, so one pass per task. */
final class SimpleCilMethod {

    static final Methods.Method METHOD = new Methods.Method("simplecil",
            "baseline: frozen backbone + class-mean prototypes (cosine)", NoSettings.class,
            (c, b, s, n) -> new SimpleCilLearner(b), null, false);

    private SimpleCilMethod() {
    }
}
