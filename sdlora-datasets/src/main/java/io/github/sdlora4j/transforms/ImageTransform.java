package io.github.sdlora4j.transforms;

import io.github.sdlora4j.data.RawImage;

import java.util.SplittableRandom;

/**
 * Turns one decoded image into {@code channels x size x size} floats (planar, NCHW order within a batch).
 *
 * <p>Implementations are stateless and thread-safe; randomness comes only from the {@code rng} the
 * caller derives per sample, which is what makes augmentation deterministic per seed even when a
 * batch is decoded on several threads.
 */
public interface ImageTransform {

    /**
     * @param image  source image (1 or 3 channels)
     * @param rng    per-sample random source (ignored by deterministic transforms)
     * @param out    destination buffer
     * @param offset index of the first value written
     */
    void apply(RawImage image, SplittableRandom rng, float[] out, int offset);

    /** @return the preprocessing this transform implements */
    PreprocessingSpec spec();

    /** Applies {@code spec}'s optional mean/std normalization in place to one written image. */
    static void normalize(PreprocessingSpec spec, float[] out, int offset) {
        if (spec.mean() == null) {
            return;
        }
        int plane = spec.imageSize() * spec.imageSize();
        for (int c = 0; c < spec.channels(); c++) {
            float m = spec.mean().get(c).floatValue();
            float inv = (float) (1.0 / spec.std().get(c));
            int base = offset + c * plane;
            for (int i = 0; i < plane; i++) {
                out[base + i] = (out[base + i] - m) * inv;
            }
        }
    }

    /** Checks that {@code image} can be written with {@code spec.channels()} channels. */
    static void checkChannels(PreprocessingSpec spec, RawImage image) {
        if (image.channels() != spec.channels() && !(image.channels() == 1 && spec.channels() == 3)) {
            throw new IllegalArgumentException("preprocessing.channels=" + spec.channels() + " but the image has "
                    + image.channels() + " channels; only grayscale-to-RGB expansion is supported");
        }
    }
}
