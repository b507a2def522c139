package io.github.sdlora4j.examples;

import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The options of a command that runs several methods on one config's benchmark and seeds: {@code compare} and
 * {@code sweep}.
 */
public final class MethodsOptions {

    @Option(names = "--config", required = true, description = "Run configuration (.yaml, .yml or .json).")
    Path config;

    @Option(names = "--method", required = true, completionCandidates = Methods.Names.class,
            description = "A method; repeat for each: ${COMPLETION-CANDIDATES} (replaces the config's method).")
    List<String> methods;

    @Option(names = "--seed", description = "Run seed; repeat for several (overrides the config's seeds).")
    List<Long> seeds;

    @Spec(Spec.Target.MIXEE)
    CommandSpec command;

    /** @return the {@code --config} file */
    public Path config() {
        return config;
    }

    /** @return the {@code --config} file, loaded and validated */
    public RunConfig loadConfig() throws IOException {
        return ConfigLoader.load(config);
    }

    /** @return the {@code --seed} values; null or empty for the config's seeds */
    public List<Long> seeds() {
        return seeds;
    }

    /**
     * The {@code --method} values, lower-cased and validated: an unknown or repeated one is a usage error of the
     * command.
     */
    public List<String> methods() {
        List<String> names = new ArrayList<>();
        for (String m : methods) {
            String name = m.toLowerCase(Locale.ROOT);
            try {
                Methods.require(name);
            } catch (IllegalArgumentException e) {
                throw new CommandLine.ParameterException(command.commandLine(), "--method: " + e.getMessage());
            }
            if (names.contains(name)) {
                throw new CommandLine.ParameterException(command.commandLine(), "--method " + name + " is given twice");
            }
            names.add(name);
        }
        return names;
    }
}
