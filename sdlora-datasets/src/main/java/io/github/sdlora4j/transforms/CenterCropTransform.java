package io.github.sdlora4j.transforms;

import io.github.sdlora4j.data.RawImage;

import java.util.Objects;
import java.util.SplittableRandom;

/**
 * The reference test transform: {@code Resize(resizeSize, BICUBIC)} on the shorter side, then
 * {@code CenterCrop(imageSize)}, to [0,1], optional normalization. Deterministic.
 *
 * <p>Sizes and offsets follow torchvision exactly: the longer side becomes
 * {@code (int)(resizeSize * long / short)}, the crop starts at Python's {@code int(round((resized - crop) / 2))},
 * which rounds halves to even (resized 37, crop 32: offset 2, not 3).
 */
public final class CenterCropTransform implements ImageTransform {

    private final PreprocessingSpec spec;

    /** @param spec preprocessing settings */
    public CenterCropTransform(PreprocessingSpec spec) {
        this.spec = Objects.requireNonNull(spec, "spec");
    }

    @Override
    public void apply(RawImage image, SplittableRandom rng, float[] out, int offset) {
        ImageTransform.checkChannels(spec, image);
        int w = image.width();
        int h = image.height();
        int r = spec.resizeSize();
        int rw;
        int rh;
        if (w <= h) {
            rw = r;
            rh = (int) ((long) r * h / w);
        } else {
            rh = r;
            rw = (int) ((long) r * w / h);
        }
        int s = spec.imageSize();
        int top = PythonRound.toInt((rh - s) / 2.0);
        int left = PythonRound.toInt((rw - s) / 2.0);
        double sx = (double) w / rw;
        double sy = (double) h / rh;
        Resampler.resample(image, left * sx, top * sy, (left + s) * sx, (top + s) * sy, s, s,
                spec.testInterpolation(), spec.channels(), false, out, offset);
        ImageTransform.normalize(spec, out, offset);
    }

    @Override
    public PreprocessingSpec spec() {
        return spec;
    }
}
