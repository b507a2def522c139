package io.github.sdlora4j.transforms;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonProperty;

import java.util.List;

/**
 * How images become network inputs (spec section 5.4). Immutable; Jackson reads it from JSON/YAML,
 * where every field is optional and defaults to the reference behaviour.
 *
 * @param imageSize          output height and width (reference: 224)
 * @param resizeSize         test-time size of the shorter side before the centre crop; reference
 *                           {@code round(imageSize*256/224)}
 * @param channels           output channels, 1 or 3; grayscale sources are replicated to 3
 * @param mean               per-channel mean subtracted after scaling to [0,1], or {@code null} for none
 * @param std                per-channel standard deviation divided by, or {@code null} for none
 * @param minScale           RandomResizedCrop smallest area fraction (reference 0.05)
 * @param maxScale           RandomResizedCrop largest area fraction (reference 1.0)
 * @param minRatio           RandomResizedCrop smallest aspect ratio w/h (reference 3/4)
 * @param maxRatio           RandomResizedCrop largest aspect ratio (reference 4/3)
 * @param flipProbability    probability of a horizontal flip in training (reference 0.5)
 * @param trainInterpolation filter of the training crop resize (reference BILINEAR)
 * @param testInterpolation  filter of the test resize (reference BICUBIC)
 */
public record PreprocessingSpec(int imageSize, int resizeSize, int channels, List<Double> mean, List<Double> std,
                                double minScale, double maxScale, double minRatio, double maxRatio,
                                double flipProbability, Interpolation trainInterpolation,
                                Interpolation testInterpolation) {

    /** Reference input size of ViT-B/16. */
    public static final int DEFAULT_IMAGE_SIZE = 224;

    /** Validates every field. */
    public PreprocessingSpec {
        if (imageSize <= 0) {
            throw new IllegalArgumentException("preprocessing.imageSize must be > 0, got " + imageSize);
        }
        if (resizeSize < imageSize) {
            throw new IllegalArgumentException("preprocessing.resizeSize must be >= imageSize (" + imageSize
                    + ") so the centre crop fits, got " + resizeSize);
        }
        if (channels != 1 && channels != 3) {
            throw new IllegalArgumentException("preprocessing.channels must be 1 or 3, got " + channels);
        }
        if ((mean == null) != (std == null)) {
            throw new IllegalArgumentException("preprocessing.mean and preprocessing.std must be given together");
        }
        if (mean != null) {
            if (mean.size() != channels || std.size() != channels) {
                throw new IllegalArgumentException("preprocessing.mean/std need " + channels + " values each, got "
                        + mean.size() + " and " + std.size());
            }
            for (Double s : std) {
                if (s == null || !(s > 0)) {
                    throw new IllegalArgumentException("preprocessing.std values must be > 0, got " + std);
                }
            }
            for (Double m : mean) {
                if (m == null || !Double.isFinite(m)) {
                    throw new IllegalArgumentException("preprocessing.mean values must be finite, got " + mean);
                }
            }
            mean = List.copyOf(mean);
            std = List.copyOf(std);
        }
        if (!(minScale > 0) || !(maxScale <= 1) || minScale > maxScale) {
            throw new IllegalArgumentException("preprocessing scale range must satisfy 0 < minScale <= maxScale <= 1, got "
                    + minScale + ".." + maxScale);
        }
        if (!(minRatio > 0) || minRatio > maxRatio) {
            throw new IllegalArgumentException("preprocessing ratio range must satisfy 0 < minRatio <= maxRatio, got "
                    + minRatio + ".." + maxRatio);
        }
        if (!(flipProbability >= 0 && flipProbability <= 1)) {
            throw new IllegalArgumentException("preprocessing.flipProbability must be in [0,1], got " + flipProbability);
        }
        if (trainInterpolation == null || testInterpolation == null) {
            throw new IllegalArgumentException("preprocessing interpolations must not be null");
        }
    }

    /** @return the reference preprocessing at the reference size 224 */
    public static PreprocessingSpec reference() {
        return forSize(DEFAULT_IMAGE_SIZE);
    }

    /** @return the reference preprocessing for a {@code size x size} input, RGB, no normalization */
    public static PreprocessingSpec forSize(int size) {
        return json(size, null, null, null, null, null, null, null, null, null, null, null);
    }

    /**
     * Jackson entry point: every argument may be {@code null}, meaning the reference default.
     *
     * @return a validated spec
     */
    @JsonCreator
    public static PreprocessingSpec json(@JsonProperty("imageSize") Integer imageSize,
                                         @JsonProperty("resizeSize") Integer resizeSize,
                                         @JsonProperty("channels") Integer channels,
                                         @JsonProperty("mean") List<Double> mean,
                                         @JsonProperty("std") List<Double> std,
                                         @JsonProperty("minScale") Double minScale,
                                         @JsonProperty("maxScale") Double maxScale,
                                         @JsonProperty("minRatio") Double minRatio,
                                         @JsonProperty("maxRatio") Double maxRatio,
                                         @JsonProperty("flipProbability") Double flipProbability,
                                         @JsonProperty("trainInterpolation") Interpolation trainInterpolation,
                                         @JsonProperty("testInterpolation") Interpolation testInterpolation) {
        int size = imageSize == null ? DEFAULT_IMAGE_SIZE : imageSize;
        return new PreprocessingSpec(size,
                resizeSize == null ? defaultResize(size) : resizeSize,
                channels == null ? 3 : channels, mean, std,
                minScale == null ? 0.05 : minScale, maxScale == null ? 1.0 : maxScale,
                minRatio == null ? 3.0 / 4.0 : minRatio, maxRatio == null ? 4.0 / 3.0 : maxRatio,
                flipProbability == null ? 0.5 : flipProbability,
                trainInterpolation == null ? Interpolation.BILINEAR : trainInterpolation,
                testInterpolation == null ? Interpolation.BICUBIC : testInterpolation);
    }

    /** @return {@code round(size * 256 / 224)}, the reference test resize for a given crop size */
    public static int defaultResize(int size) {
        return (int) Math.round(size * 256.0 / 224.0);
    }

    /** @return a copy with per-channel normalization {@code (x - mean) / std} */
    public PreprocessingSpec withNormalization(List<Double> newMean, List<Double> newStd) {
        return new PreprocessingSpec(imageSize, resizeSize, channels, newMean, newStd, minScale, maxScale, minRatio,
                maxRatio, flipProbability, trainInterpolation, testInterpolation);
    }

    /** @return a copy with another channel count */
    public PreprocessingSpec withChannels(int newChannels) {
        return new PreprocessingSpec(imageSize, resizeSize, newChannels, mean, std, minScale, maxScale, minRatio,
                maxRatio, flipProbability, trainInterpolation, testInterpolation);
    }

    /** @return number of floats in one preprocessed image */
    public int valuesPerImage() {
        return channels * imageSize * imageSize;
    }
}
