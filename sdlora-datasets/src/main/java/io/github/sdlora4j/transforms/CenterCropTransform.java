package io.github.sdlora4j.transforms;

import java.util.SplittableRandom;

/**
 * The reference test transform: {@code Resize(resizeSize, BICUBIC)} on the shorter side, then
 * {@code CenterCrop(imageSize)}, to [0,1], optional normalization. Deterministic.
 *
 * <p>Sizes and offsets follow torchvision exactly: the longer side becomes
 * {@code (int)(resizeSize * long / short)}, the crop starts at Python's {@code int(round((resized - crop) / 2))},
 * which rounds halves to even (resized 37, crop 32: offset 2, not 3).
 */
public final class CenterCropTransform extends CropResizeTransform {

    /** @param spec preprocessing settings */
    public CenterCropTransform(PreprocessingSpec spec) {
        super(spec);
    }

    @Override
    Crop crop(int w, int h, SplittableRandom rng) {
        PreprocessingSpec spec = spec();
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
        return new Crop(left * sx, top * sy, (left + s) * sx, (top + s) * sy, spec.testInterpolation(), false);
    }
}
