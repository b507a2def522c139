package io.github.sdlora4j.examples;

import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.nio.file.Path;

/** {@code sdlora run}: the class-incremental protocol of a config file, for one or more seeds. */
@Command(name = "run", mixinStandardHelpOptions = true,
        description = "Run the class-incremental protocol of a YAML/JSON config and write results.json, results.csv,"
                + " manifest.json, accuracy.png and learner.safetensors to --out.")
final class RunCommand extends ConfigRunCommand {

    @Option(names = "--config", required = true, description = "Run configuration (.yaml, .yml or .json).")
    Path config;

    @Override
    RunConfig loadConfig() throws IOException {
        return ConfigLoader.load(config);
    }
}
