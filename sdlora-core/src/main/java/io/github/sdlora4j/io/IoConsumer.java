package io.github.sdlora4j.io;

import java.io.IOException;

/**
 * A consumer that may throw {@link IOException}, so that file-writing lambdas need no checked-exception wrapping.
 *
 * @param <T> the type of the consumed value
 */
@FunctionalInterface
public interface IoConsumer<T> {

    /**
     * Consumes the value.
     *
     * @param value the value
     * @throws IOException if writing fails
     */
    void accept(T value) throws IOException;
}
