package io.github.sdlora4j.data;

import java.nio.file.Path;
import java.util.Objects;

/**
 * A dataset file or folder does not have the layout or content a reader expects.
 *
 * <p>The message always names the offending file (or folder) and what was expected, so that a user
 * can fix the dataset without reading the reader's source. It is unchecked because it surfaces from
 * {@link org.nd4j.linalg.dataset.api.iterator.DataSetIterator#next()}, which cannot throw checked
 * exceptions, when images are decoded lazily.
 */
public class DatasetFormatException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    private final transient Path file;

    /**
     * @param file     the file or folder that is wrong (may be {@code null} for embedded data)
     * @param expected what the reader expected, and what it found
     */
    public DatasetFormatException(Path file, String expected) {
        super(describe(file, expected));
        this.file = file;
    }

    /**
     * @param file     the file or folder that is wrong (may be {@code null} for embedded data)
     * @param expected what the reader expected, and what it found
     * @param cause    the underlying I/O or decoding error
     */
    public DatasetFormatException(Path file, String expected, Throwable cause) {
        super(describe(file, expected) + (cause == null ? "" : " (" + cause + ")"), cause);
        this.file = file;
    }

    /** @return the file or folder the problem was found in, or {@code null} when there is none */
    public Path file() {
        return file;
    }

    private static String describe(Path file, String expected) {
        Objects.requireNonNull(expected, "expected");
        return (file == null ? "<embedded data>" : file.toString()) + ": " + expected;
    }
}
