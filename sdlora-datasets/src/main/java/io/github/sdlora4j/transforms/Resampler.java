package io.github.sdlora4j.transforms;

import io.github.sdlora4j.data.RawImage;

/**
 * Separable, antialiased resampling of a box of a {@link RawImage} into a float buffer, following
 * Pillow's {@code ImagingResample} (when shrinking, the kernel widens by the scale factor, which
 * is what makes PIL/torchvision downscaling alias-free).
 *
 * <p>Resizing then cropping equals resampling the corresponding source box in one pass, so the test
 * transform never materialises the intermediate resized image.
 */
public final class Resampler {

    private Resampler() {
    }

    /**
     * Resamples the source box {@code [x0,x1) x [y0,y1)} (in source pixel coordinates) to
     * {@code outW x outH} and writes it as planar floats in [0,1].
     *
     * @param src         the image
     * @param x0          left edge of the box
     * @param y0          top edge of the box
     * @param x1          right edge of the box, &gt; x0
     * @param y1          bottom edge of the box, &gt; y0
     * @param outW        output width
     * @param outH        output height
     * @param filter      resampling filter
     * @param outChannels channels to write: equal to the source's, or 3 for a grayscale source (replicated)
     * @param flip        mirror the output horizontally
     * @param out         destination, {@code outChannels*outH*outW} floats from {@code offset}
     * @param offset      first index written in {@code out}
     */
    public static void resample(RawImage src, double x0, double y0, double x1, double y1, int outW, int outH,
                                Interpolation filter, int outChannels, boolean flip, float[] out, int offset) {
        if (!(x1 > x0) || !(y1 > y0) || outW <= 0 || outH <= 0) {
            throw new IllegalArgumentException("empty box or output: box [" + x0 + "," + x1 + ")x[" + y0 + ","
                    + y1 + ") -> " + outW + "x" + outH);
        }
        if (outChannels != src.channels() && !(src.channels() == 1 && outChannels == 3)) {
            throw new IllegalArgumentException("cannot turn a " + src.channels() + "-channel image into "
                    + outChannels + " channels");
        }
        Coefficients cx = Coefficients.of(src.width(), x0, x1, outW, filter);
        Coefficients cy = Coefficients.of(src.height(), y0, y1, outH, filter);
        int w = src.width();
        int h = src.height();
        byte[] px = src.pixels();
        // Horizontal pass only over the source rows the vertical pass will read.
        int rowMin = cy.min[0];
        int rowMax = cy.min[outH - 1] + cy.count[outH - 1];
        int rows = rowMax - rowMin;
        float[] tmp = new float[rows * outW];
        int plane = outH * outW;
        for (int c = 0; c < src.channels(); c++) {
            int base = c * h * w;
            for (int r = 0; r < rows; r++) {
                int rowBase = base + (rowMin + r) * w;
                for (int ox = 0; ox < outW; ox++) {
                    double acc = 0;
                    int k0 = ox * cx.stride;
                    for (int k = 0; k < cx.count[ox]; k++) {
                        acc += cx.weights[k0 + k] * (px[rowBase + cx.min[ox] + k] & 0xFF);
                    }
                    tmp[r * outW + ox] = (float) acc;
                }
            }
            int outBase = offset + c * plane;
            for (int oy = 0; oy < outH; oy++) {
                int k0 = oy * cy.stride;
                for (int ox = 0; ox < outW; ox++) {
                    double acc = 0;
                    for (int k = 0; k < cy.count[oy]; k++) {
                        acc += cy.weights[k0 + k] * tmp[(cy.min[oy] - rowMin + k) * outW + ox];
                    }
                    float v = (float) (acc / 255.0);
                    // Cubic kernels overshoot; clamp like Pillow's 8-bit clip so the range stays [0,1].
                    v = v < 0f ? 0f : (v > 1f ? 1f : v);
                    int x = flip ? outW - 1 - ox : ox;
                    out[outBase + oy * outW + x] = v;
                }
            }
        }
        for (int c = src.channels(); c < outChannels; c++) {
            System.arraycopy(out, offset, out, offset + c * plane, plane);
        }
    }

    /** Per-output-pixel kernel taps along one axis (Pillow's {@code precompute_coeffs}). */
    private static final class Coefficients {
        final int[] min;
        final int[] count;
        final double[] weights;
        final int stride;

        private Coefficients(int[] min, int[] count, double[] weights, int stride) {
            this.min = min;
            this.count = count;
            this.weights = weights;
            this.stride = stride;
        }

        static Coefficients of(int inSize, double in0, double in1, int outSize, Interpolation filter) {
            double scale = (in1 - in0) / outSize;
            double filterScale = Math.max(scale, 1.0);
            double support = filter.support() * filterScale;
            int stride = (int) Math.ceil(support) * 2 + 1;
            int[] min = new int[outSize];
            int[] count = new int[outSize];
            double[] weights = new double[outSize * stride];
            double ss = 1.0 / filterScale;
            for (int xx = 0; xx < outSize; xx++) {
                double center = in0 + (xx + 0.5) * scale;
                int xmin = Math.max((int) (center - support + 0.5), 0);
                int xmax = Math.min((int) (center + support + 0.5), inSize) - xmin;
                if (xmax <= 0) {
                    // Box edge outside the image (cannot happen for valid crops); fall back to nearest pixel.
                    xmin = Math.min(Math.max((int) center, 0), inSize - 1);
                    xmax = 1;
                }
                xmax = Math.min(xmax, stride);
                double total = 0;
                for (int x = 0; x < xmax; x++) {
                    double wgt = filter.weight((x + xmin - center + 0.5) * ss);
                    weights[xx * stride + x] = wgt;
                    total += wgt;
                }
                if (total != 0) {
                    for (int x = 0; x < xmax; x++) {
                        weights[xx * stride + x] /= total;
                    }
                } else {
                    weights[xx * stride] = 1.0;
                }
                min[xx] = xmin;
                count[xx] = xmax;
            }
            return new Coefficients(min, count, weights, stride);
        }
    }
}
