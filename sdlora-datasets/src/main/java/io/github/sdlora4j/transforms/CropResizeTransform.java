package io.github.sdlora4j.transforms;

import io.github.sdlora4j.data.RawImage;

import java.util.Objects;
import java.util.SplittableRandom;

/**
 * Cuts a box out of the image, resamples it to {@code imageSize x imageSize} floats in [0,1] and applies the optional
 * normalization; a subclass chooses the box, the filter and whether to mirror.
 */
public abstract sealed class CropResizeTransform implements ImageTransform
        permits CenterCropTransform, RandomResizedCropTransform {

    private final PreprocessingSpec spec;

    CropResizeTransform(PreprocessingSpec spec) {
        this.spec = Objects.requireNonNull(spec, "spec");
    }

    /** The source box {@code [left, right) x [top, bottom)} in source pixels, its filter and whether to mirror it. */
    record Crop(double left, double top, double right, double bottom, Interpolation filter, boolean flip) {
    }

    /** @return the crop of a {@code width x height} image, drawing any randomness from {@code rng} */
    abstract Crop crop(int width, int height, SplittableRandom rng);

    @Override
    public final void apply(RawImage image, SplittableRandom rng, float[] out, int offset) {
        ImageTransform.checkChannels(spec, image);
        Crop c = crop(image.width(), image.height(), rng);
        int s = spec.imageSize();
        Resampler.resample(image, c.left(), c.top(), c.right(), c.bottom(), s, s, c.filter(), spec.channels(), c.flip(),
                out, offset);
        ImageTransform.normalize(spec, out, offset);
    }

    @Override
    public final PreprocessingSpec spec() {
        return spec;
    }
}
