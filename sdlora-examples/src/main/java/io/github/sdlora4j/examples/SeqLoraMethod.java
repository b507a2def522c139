package io.github.sdlora4j.examples;

import io.github.sdlora4j.learner.SequentialLoraLearner;

/** {@code seq-lora}: the sequential LoRA fine-tuning baseline. */
final class SeqLoraMethod {

    static final Methods.Method METHOD = new Methods.Method("seq-lora",
            "baseline: one LoRA fine-tuned task after task (no decoupling)", NoSettings.class,
            (c, b, s, n) -> new SequentialLoraLearner(SdLoraStore.base(c, b, s), b), null, true);

    private SeqLoraMethod() {
    }
}
