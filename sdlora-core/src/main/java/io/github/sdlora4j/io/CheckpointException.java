package io.github.sdlora4j.io;

import java.io.IOException;
import java.nio.file.Path;

/** A checkpoint file is well-formed safetensors but does not hold what it must (keys, shapes, configuration). */
public class CheckpointException extends IOException {

    private final transient Path file;

    public CheckpointException(Path file, String message) {
        super(file + ": " + message);
        this.file = file;
    }

    public CheckpointException(Path file, String message, Throwable cause) {
        super(file + ": " + message, cause);
        this.file = file;
    }

    /** The offending file. */
    public Path file() {
        return file;
    }
}
