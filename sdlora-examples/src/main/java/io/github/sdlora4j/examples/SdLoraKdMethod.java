package io.github.sdlora4j.examples;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonProperty;
import io.github.sdlora4j.learner.SdLoraConfig;
import io.github.sdlora4j.lora.DirectionAssimilator;

/** {@code sdlora-kd}: SD-LoRA that assimilates a new direction into earlier ones; its block sets the threshold. */
final class SdLoraKdMethod {

    /**
     * The block {@code method: {name: sdlora-kd, kdThreshold: 9e-4}}.
     *
     * @param kdThreshold merge when the squared residual of the least-squares fit is below this (default 9e-4)
     */
    record Settings(double kdThreshold) {
        /** Validates. */
        Settings {
            SdLoraConfig.checkKdThreshold(kdThreshold);
        }

        @JsonCreator
        static Settings json(@JsonProperty("kdThreshold") Double kdThreshold) {
            return new Settings(kdThreshold == null ? DirectionAssimilator.DEFAULT_THRESHOLD : kdThreshold);
        }
    }

    private static final SdLoraStore STORE = new SdLoraStore((c, b, s) -> SdLoraStore.base(c, b, s)
            .withKnowledgeDistillation(true, c.method().settings(Settings.class).kdThreshold()));

    static final Methods.Method METHOD = new Methods.Method("sdlora-kd",
            "SD-LoRA-KD: SD-LoRA that folds a new direction into earlier ones when a least-squares fit explains it",
            Settings.class, STORE::create, STORE, true);

    private SdLoraKdMethod() {
    }
}
