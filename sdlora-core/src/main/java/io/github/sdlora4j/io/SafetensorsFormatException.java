package io.github.sdlora4j.io;

import java.io.IOException;
import java.nio.file.Path;

/**
 * Thrown when a file is not a valid safetensors file. The message starts with the file's path (as given) and says
 * what was expected and what was found.
 */
public class SafetensorsFormatException extends IOException {

    private static final long serialVersionUID = 1L;

    private final transient Path file;

    /**
     * Creates the exception.
     *
     * @param file   the offending file
     * @param detail what was expected and what was found
     */
    public SafetensorsFormatException(Path file, String detail) {
        this(file, detail, null);
    }

    /**
     * Creates the exception with a cause (e.g. the JSON parser's error).
     *
     * @param file   the offending file
     * @param detail what was expected and what was found
     * @param cause  the underlying error, or {@code null}
     */
    public SafetensorsFormatException(Path file, String detail, Throwable cause) {
        super(file + ": " + detail, cause);
        this.file = file;
    }

    /**
     * Returns the offending file.
     *
     * @return the file this exception is about
     */
    public Path file() {
        return file;
    }
}
