package io.github.sdlora4j.transforms;

import java.util.Objects;
import java.util.SplittableRandom;

/**
 * The reference train transform: torchvision's {@code RandomResizedCrop(imageSize, scale, ratio)}
 * (10 attempts, then the centre fallback; sizes rounded with Python's {@code round}, halves to even), resized with
 * the train filter, then {@code RandomHorizontalFlip(p)}, to [0,1], optional normalization.
 */
public final class RandomResizedCropTransform extends CropResizeTransform {

    /** @param spec preprocessing settings */
    public RandomResizedCropTransform(PreprocessingSpec spec) {
        super(spec);
    }

    @Override
    Crop crop(int width, int height, SplittableRandom rng) {
        Objects.requireNonNull(rng, "rng");
        int[] box = cropBox(width, height, rng);
        boolean flip = rng.nextDouble() < spec().flipProbability();
        return new Crop(box[0], box[1], box[0] + box[2], box[1] + box[3], spec().trainInterpolation(), flip);
    }

    /**
     * Draws the crop like torchvision's {@code RandomResizedCrop.get_params}.
     *
     * @return {left, top, width, height}
     */
    int[] cropBox(int width, int height, SplittableRandom rng) {
        PreprocessingSpec spec = spec();
        double area = (double) width * height;
        double logMin = Math.log(spec.minRatio());
        double logMax = Math.log(spec.maxRatio());
        for (int attempt = 0; attempt < 10; attempt++) {
            double target = area * uniform(rng, spec.minScale(), spec.maxScale());
            double aspect = Math.exp(uniform(rng, logMin, logMax));
            int w = PythonRound.toInt(Math.sqrt(target * aspect));
            int h = PythonRound.toInt(Math.sqrt(target / aspect));
            if (w > 0 && h > 0 && w <= width && h <= height) {
                int top = rng.nextInt(height - h + 1);
                int left = rng.nextInt(width - w + 1);
                return new int[] {left, top, w, h};
            }
        }
        double inRatio = (double) width / height;
        int w;
        int h;
        if (inRatio < spec.minRatio()) {
            w = width;
            h = Math.max(1, PythonRound.toInt(w / spec.minRatio()));
        } else if (inRatio > spec.maxRatio()) {
            h = height;
            w = Math.max(1, PythonRound.toInt(h * spec.maxRatio()));
        } else {
            w = width;
            h = height;
        }
        return new int[] {(width - w) / 2, (height - h) / 2, w, h};
    }

    private static double uniform(SplittableRandom rng, double lo, double hi) {
        return lo == hi ? lo : lo + (hi - lo) * rng.nextDouble();
    }
}
