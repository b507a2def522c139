package io.github.sdlora4j.examples;

import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.nio.file.Path;
import java.util.concurrent.Callable;

/** {@code sdlora run}: the class-incremental protocol of a config file, for one or more seeds. */
@Command(name = "run", mixinStandardHelpOptions = true,
        description = "Run the class-incremental protocol of a YAML/JSON config and write results.json, results.csv,"
                + " manifest.json, accuracy.png and learner.safetensors to --out.")
final class RunCommand implements Callable<Integer>, ChecksBeforeBackend {

    @Option(names = "--config", required = true, description = "Run configuration (.yaml, .yml or .json).")
    Path config;

    @Mixin
    RunOptions options;

    private RunConfig checked;

    @Override
    public void checkBeforeBackend() throws IOException {
        checked = options.withOverrides(ConfigLoader.load(config));
    }

    @Override
    public Integer call() throws Exception {
        if (checked == null) {
            checkBeforeBackend();
        }
        return options.execute(checked, System.out);
    }
}
