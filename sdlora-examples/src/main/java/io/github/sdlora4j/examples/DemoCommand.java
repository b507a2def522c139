package io.github.sdlora4j.examples;

import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

import java.util.concurrent.Callable;

/** {@code sdlora demo}: {@code run} with the bundled {@code configs/demo.yaml}. */
@Command(name = "demo", mixinStandardHelpOptions = true,
        description = "SD-LoRA on the built-in synthetic benchmark (5 tasks) with the bundled pretrained tiny ViT:"
                + " 'run' with the bundled configs/demo.yaml; takes every 'run' option.")
final class DemoCommand implements Callable<Integer> {

    /** Class-path location of the demo config (a copy of sdlora-examples/configs/demo.yaml). */
    static final String DEMO_CONFIG = "/configs/demo.yaml";

    @Mixin
    RunOptions options;

    @Override
    public Integer call() throws Exception {
        return options.execute(ConfigLoader.loadResource(DEMO_CONFIG), System.out);
    }
}
