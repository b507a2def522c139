package io.github.sdlora4j.examples;

/** A run configuration that cannot be used; the message names the file, the key path and what was expected. */
public final class ConfigException extends IllegalArgumentException {

    ConfigException(String message, Throwable cause) {
        super(message, cause);
    }
}
