package io.github.sdlora4j.data;

/**
 * A half-open range {@code [start, end)} of incremental labels.
 *
 * @param start first label
 * @param end   one past the last label
 */
public record ClassRange(int start, int end) {

    /** Validates the bounds. */
    public ClassRange {
        if (start < 0 || end < start) {
            throw new IllegalArgumentException("bad class range [" + start + ", " + end + ")");
        }
    }

    /** @return number of labels */
    public int size() {
        return end - start;
    }

    /** @return whether {@code label} lies in the range */
    public boolean contains(int label) {
        return label >= start && label < end;
    }
}
