package io.github.sdlora4j.transforms;

/**
 * Resampling filters with Pillow's kernels, so that results track torchvision's PIL path
 * ({@code Resize(interpolation=BICUBIC)}, {@code RandomResizedCrop} default BILINEAR).
 */
public enum Interpolation {
    /** Triangle filter, support 1 (Pillow {@code BILINEAR}). */
    BILINEAR(1.0) {
        @Override
        double weight(double x) {
            double a = Math.abs(x);
            return a < 1.0 ? 1.0 - a : 0.0;
        }
    },
    /** Keys cubic with a = -0.5, support 2 (Pillow {@code BICUBIC}). */
    BICUBIC(2.0) {
        @Override
        double weight(double x) {
            final double a = -0.5;
            double t = Math.abs(x);
            if (t < 1.0) {
                return ((a + 2.0) * t - (a + 3.0)) * t * t + 1.0;
            }
            if (t < 2.0) {
                return (((t - 5.0) * t + 8.0) * t - 4.0) * a;
            }
            return 0.0;
        }
    };

    private final double support;

    Interpolation(double support) {
        this.support = support;
    }

    /** @return the kernel radius in source pixels at scale 1 */
    double support() {
        return support;
    }

    /** @return the kernel value at distance {@code x} */
    abstract double weight(double x);
}
