package io.github.sdlora4j.examples;

import picocli.CommandLine.Command;

import java.io.IOException;

/** {@code sdlora demo}: {@code run} with the bundled {@code configs/demo.yaml}. */
@Command(name = "demo", mixinStandardHelpOptions = true,
        description = "SD-LoRA on the built-in synthetic benchmark (5 tasks) with the bundled pretrained tiny ViT:"
                + " 'run' with the bundled configs/demo.yaml; takes every 'run' option.")
final class DemoCommand extends ConfigRunCommand {

    /** Class-path location of the demo config (a copy of sdlora-examples/configs/demo.yaml). */
    static final String DEMO_CONFIG = "/configs/demo.yaml";

    @Override
    RunConfig loadConfig() throws IOException {
        return ConfigLoader.loadResource(DEMO_CONFIG);
    }
}
