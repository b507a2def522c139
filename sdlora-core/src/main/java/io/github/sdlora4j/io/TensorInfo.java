package io.github.sdlora4j.io;

import java.util.Arrays;
import java.util.Objects;

/**
 * One tensor's header entry in a safetensors file.
 *
 * @param name  the tensor's name
 * @param dtype the safetensors dtype name, e.g. {@code "F32"}
 * @param shape the shape, c-order (empty for a 0-d scalar); copied on the way in and out
 * @param begin byte offset of the first byte, relative to the end of the header
 * @param end   byte offset one past the last byte, relative to the end of the header
 */
public record TensorInfo(String name, String dtype, long[] shape, long begin, long end) {

    /**
     * Validates the fields and copies the shape so that the record stays immutable.
     *
     * @param name  the tensor's name
     * @param dtype the safetensors dtype name
     * @param shape the shape
     * @param begin the first byte's offset in the data section
     * @param end   the offset one past the last byte
     */
    public TensorInfo {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(dtype, "dtype");
        shape = Objects.requireNonNull(shape, "shape").clone();
        if (begin < 0 || end < begin) {
            throw new IllegalArgumentException("tensor '" + name + "': need 0 <= begin <= end, got [" + begin + ", "
                    + end + "]");
        }
    }

    /**
     * Returns a copy of the shape.
     *
     * @return the shape
     */
    @Override
    public long[] shape() {
        return shape.clone();
    }

    /**
     * Returns the number of elements (1 for a 0-d scalar).
     *
     * @return the product of the shape
     */
    public long numElements() {
        long n = 1;
        for (long d : shape) {
            n = Math.multiplyExact(n, d);
        }
        return n;
    }

    /**
     * Returns the length of the tensor's data in bytes.
     *
     * @return {@code end - begin}
     */
    public long byteLength() {
        return end - begin;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof TensorInfo t && name.equals(t.name) && dtype.equals(t.dtype)
                && Arrays.equals(shape, t.shape) && begin == t.begin && end == t.end;
    }

    @Override
    public int hashCode() {
        return Objects.hash(name, dtype, Arrays.hashCode(shape), begin, end);
    }

    @Override
    public String toString() {
        return "TensorInfo[name=" + name + ", dtype=" + dtype + ", shape=" + Arrays.toString(shape) + ", begin="
                + begin + ", end=" + end + "]";
    }
}
