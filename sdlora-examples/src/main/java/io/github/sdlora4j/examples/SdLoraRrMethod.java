package io.github.sdlora4j.examples;

/** {@code sdlora-rr}: SD-LoRA with the paper's reduced ranks (10, 8 from task 4, 6 from task 8). */
final class SdLoraRrMethod {

    private static final SdLoraStore STORE = new SdLoraStore((c, b, s) -> SdLoraStore.base(c, b, s)
            .withRankReduction());

    static final Methods.Method METHOD = new Methods.Method("sdlora-rr",
            "SD-LoRA-RR: SD-LoRA with the rank reduced to 8 from task 4 and 6 from task 8", NoSettings.class,
            STORE::create, STORE, true);

    private SdLoraRrMethod() {
    }
}
