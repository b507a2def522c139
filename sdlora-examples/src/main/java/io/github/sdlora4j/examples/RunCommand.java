package io.github.sdlora4j.examples;

import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.util.concurrent.Callable;

/** {@code sdlora run}: the class-incremental protocol of a config file, for one or more seeds. */
@Command(name = "run", mixinStandardHelpOptions = true,
        description = "Run the class-incremental protocol of a YAML/JSON config and write results.json, results.csv,"
                + " manifest.json, accuracy.png and learner.safetensors to --out.")
final class RunCommand implements Callable<Integer> {

    @Option(names = "--config", required = true, description = "Run configuration (.yaml, .yml or .json).")
    Path config;

    @Mixin
    RunOptions options;

    @Override
    public Integer call() throws Exception {
        return options.execute(ConfigLoader.load(config), System.out);
    }
}
