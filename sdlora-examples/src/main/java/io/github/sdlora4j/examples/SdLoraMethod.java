package io.github.sdlora4j.examples;

/** {@code sdlora}: SD-LoRA with the run config's rank, mode and optimizer. */
final class SdLoraMethod {

    private static final SdLoraStore STORE = new SdLoraStore(SdLoraStore::base);

    static final Methods.Method METHOD = new Methods.Method("sdlora",
            "SD-LoRA: a new decoupled LoRA direction per task, earlier ones frozen", NoSettings.class,
            STORE::create, STORE, true);

    private SdLoraMethod() {
    }
}
