package io.github.sdlora4j.examples;

import java.io.Serializable;
import java.nio.file.Path;
import java.util.List;
import java.util.Objects;

/**
 * How the tool was started, as a run's manifest records it: the arguments after {@code sdlora} and the working
 * folder their relative paths are relative to. A value, so that a run done in another process (a Spark executor of
 * {@code sweep}) records the command and folder of the process that was given them, not its own.
 *
 * @param args             the arguments, the subcommand first
 * @param workingDirectory the absolute working folder of the process that parsed them
 */
public record Invocation(List<String> args, String workingDirectory) implements Serializable {

    public Invocation {
        args = List.copyOf(args);
        Objects.requireNonNull(workingDirectory, "workingDirectory");
    }

    /** Arguments this process parsed, in its working folder. */
    public static Invocation here(List<String> args) {
        return new Invocation(args, Path.of("").toAbsolutePath().toString());
    }
}
