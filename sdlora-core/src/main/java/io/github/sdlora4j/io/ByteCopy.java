package io.github.sdlora4j.io;

import java.nio.ByteBuffer;

/** Copies fixed-size elements between byte buffers of possibly different byte orders. */
final class ByteCopy {

    private ByteCopy() {
    }

    /**
     * Copies all remaining bytes of {@code src}, read as elements of {@code elementSize} bytes in {@code src.order()},
     * into {@code dst} starting at byte {@code dstOffset}, as elements in {@code dst.order()}. Neither buffer's
     * position changes. When the orders agree this is a single bulk copy (a memcpy between direct buffers).
     */
    static void copyElements(ByteBuffer src, ByteBuffer dst, int dstOffset, int elementSize) {
        int length = src.remaining();
        if (length % elementSize != 0) {
            throw new IllegalArgumentException(length + " bytes is not a whole number of " + elementSize
                    + "-byte elements");
        }
        if (src.order() == dst.order() || elementSize == 1) {
            dst.duplicate().position(dstOffset).put(src.duplicate());
            return;
        }
        int from = src.position();
        for (int e = 0; e < length; e += elementSize) {
            for (int k = 0; k < elementSize; k++) {
                dst.put(dstOffset + e + k, src.get(from + e + elementSize - 1 - k));
            }
        }
    }
}
