package io.github.sdlora4j.examples;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A subcommand whose arguments can be checked without ND4J: {@link SdloraCli} calls {@link #checkBeforeBackend()}
 * before it starts the backend, so a config typo or a missing file is answered at once.
 */
public interface ChecksBeforeBackend {

    /**
     * @throws picocli.CommandLine.ParameterException for a usage error (exit code 2)
     * @throws Exception                               for a bad config or input (exit code 1)
     */
    void checkBeforeBackend() throws Exception;

    /**
     * @param option the option that named the file, e.g. {@code --checkpoint}
     * @throws IllegalArgumentException saying that the file does not exist or is not a file
     */
    static void requireFile(Path file, String option) {
        if (!Files.exists(file)) {
            throw new IllegalArgumentException(option + " " + file + " does not exist");
        }
        if (!Files.isRegularFile(file)) {
            throw new IllegalArgumentException(option + " " + file + " is not a file");
        }
    }
}
