package io.github.sdlora4j.data;

import java.util.Objects;

/**
 * One decoded image as unsigned bytes in planar (CHW) order: all of channel 0, then channel 1, ...
 *
 * <p>Bytes instead of floats keep in-memory datasets four times smaller; the transforms convert to
 * float only when they write a batch. The array is not copied: callers must not modify it.
 *
 * @param width    width in pixels, &gt; 0
 * @param height   height in pixels, &gt; 0
 * @param channels 1 (grayscale) or 3 (RGB)
 * @param pixels   {@code channels * height * width} bytes, value {@code pixels[c*h*w + y*w + x] & 0xFF}
 */
public record RawImage(int width, int height, int channels, byte[] pixels) {

    /** Validates the dimensions against the pixel array. */
    public RawImage {
        Objects.requireNonNull(pixels, "pixels");
        if (width <= 0 || height <= 0) {
            throw new IllegalArgumentException("image size must be positive, got " + width + "x" + height);
        }
        if (channels != 1 && channels != 3) {
            throw new IllegalArgumentException("channels must be 1 or 3, got " + channels);
        }
        if ((long) channels * width * height != pixels.length) {
            throw new IllegalArgumentException("expected " + ((long) channels * width * height)
                    + " pixel bytes for " + channels + "x" + height + "x" + width + ", got " + pixels.length);
        }
    }

    /** @return the pixel value (0..255) at channel {@code c}, row {@code y}, column {@code x} */
    public int get(int c, int y, int x) {
        return pixels[(c * height + y) * width + x] & 0xFF;
    }
}
