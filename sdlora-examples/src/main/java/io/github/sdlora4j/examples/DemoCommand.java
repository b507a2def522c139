package io.github.sdlora4j.examples;

import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

import java.io.IOException;
import java.util.concurrent.Callable;

/** {@code sdlora demo}: {@code run} with the bundled {@code configs/demo.yaml}. */
@Command(name = "demo", mixinStandardHelpOptions = true,
        description = "SD-LoRA on the built-in synthetic benchmark (5 tasks) with the bundled pretrained tiny ViT:"
                + " 'run' with the bundled configs/demo.yaml; takes every 'run' option.")
final class DemoCommand implements Callable<Integer>, ChecksBeforeBackend {

    /** Class-path location of the demo config (a copy of sdlora-examples/configs/demo.yaml). */
    static final String DEMO_CONFIG = "/configs/demo.yaml";

    @Mixin
    RunOptions options;

    private RunConfig checked;

    @Override
    public void checkBeforeBackend() throws IOException {
        checked = options.withOverrides(ConfigLoader.loadResource(DEMO_CONFIG));
    }

    @Override
    public Integer call() throws Exception {
        if (checked == null) {
            checkBeforeBackend();
        }
        return options.execute(checked, System.out);
    }
}
