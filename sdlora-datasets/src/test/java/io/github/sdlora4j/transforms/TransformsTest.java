package io.github.sdlora4j.transforms;

import io.github.sdlora4j.data.RawImage;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class TransformsTest {

    /** A 3-channel image whose red channel is a horizontal ramp, green a vertical ramp, blue noise. */
    private static RawImage ramp(int w, int h) {
        byte[] px = new byte[3 * w * h];
        SplittableRandom r = new SplittableRandom(5);
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                px[y * w + x] = (byte) (255 * x / (w - 1));
                px[w * h + y * w + x] = (byte) (255 * y / (h - 1));
                px[2 * w * h + y * w + x] = (byte) r.nextInt(256);
            }
        }
        return new RawImage(w, h, 3, px);
    }

    /** @return {@code t} applied to {@code img} with the random source seeded {@code seed} */
    private static float[] applied(ImageTransform t, RawImage img, long seed) {
        float[] out = new float[t.spec().valuesPerImage()];
        t.apply(img, new SplittableRandom(seed), out, 0);
        return out;
    }

    private static void assertInUnitRange(float[] values) {
        for (float v : values) {
            assertTrue(v >= 0f && v <= 1f, "value " + v);
        }
    }

    @Test
    void defaultsFollowTheReference() {
        PreprocessingSpec s = PreprocessingSpec.reference();
        assertEquals(224, s.imageSize());
        assertEquals(256, s.resizeSize());
        assertEquals(3, s.channels());
        assertEquals(0.05, s.minScale());
        assertEquals(Interpolation.BICUBIC, s.testInterpolation());
        assertEquals(Interpolation.BILINEAR, s.trainInterpolation());
        assertEquals(37, PreprocessingSpec.forSize(32).resizeSize());
        assertEquals(null, s.mean());
    }

    @Test
    void testTransformIsDeterministicShapedAndInRange() {
        PreprocessingSpec spec = PreprocessingSpec.forSize(24);
        CenterCropTransform t = new CenterCropTransform(spec);
        RawImage img = ramp(40, 30);
        float[] a = applied(t, img, 1);
        assertArrayEquals(a, applied(t, img, 99), "the test transform must ignore randomness");
        assertInUnitRange(a);
        // Red is a left-to-right ramp and the crop is centred: it increases along x and is symmetric about 0.5.
        int s = 24;
        for (int x = 1; x < s; x++) {
            assertTrue(a[12 * s + x] > a[12 * s + x - 1], "red must increase along x at " + x);
        }
        assertEquals(1.0, a[12 * s] + a[12 * s + s - 1], 0.03);
        // Green is a top-to-bottom ramp.
        assertTrue(a[s * s + (s - 1) * s + 5] > a[s * s + 5]);
    }

    /**
     * Images whose shorter side already is the resize size (no scaling), centre-cropped to 32: the crop is the source
     * pixels from (left, top). 64x64: pixels 16..47. 38 wide x 37 high: torchvision's int(round(2.5)) puts the top at
     * 2 (Math.round would say 3); the left is (38 - 32) / 2 = 3, no half.
     */
    @ParameterizedTest(name = "{0}x{1} resized {2}: crop at left {3}, top {4}")
    @CsvSource({"64, 64, 64, 16, 16", "38, 37, 37, 3, 2"})
    void centreCropKeepsTheExpectedRegionRoundingHalvesToEvenLikeTorchvision(int width, int height, int resize,
                                                                           int left, int top) {
        PreprocessingSpec spec = PreprocessingSpec.json(32, resize, null, null, null, null, null, null, null, null,
                null, null);
        RawImage img = ramp(width, height);
        float[] out = new float[spec.valuesPerImage()];
        new CenterCropTransform(spec).apply(img, null, out, 0);
        for (int y = 0; y < 32; y++) {
            for (int x = 0; x < 32; x++) {
                for (int c = 0; c < 3; c++) {
                    assertEquals(img.get(c, y + top, x + left) / 255f, out[c * 1024 + y * 32 + x], 1e-5,
                            "c" + c + " y" + y + " x" + x);
                }
            }
        }
    }

    @Test
    void randomResizedCropFallbackRoundsHalvesToEvenLikeTorchvision() {
        // Scale 1 and ratios 0.5..1.5 on a wide image: every attempt is taller than the image, so the centre
        // fallback applies, with w = int(round(h * 1.5)).
        PreprocessingSpec spec = PreprocessingSpec.json(8, null, null, null, null, 1.0, 1.0, 0.5, 1.5, null, null, null);
        RandomResizedCropTransform t = new RandomResizedCropTransform(spec);
        // h = 3: round(4.5) is 4 in Python (Math.round: 5), centred at (10 - 4) // 2 = 3.
        assertArrayEquals(new int[] {3, 0, 4, 3}, t.cropBox(10, 3, new SplittableRandom(1)));
        // h = 4: 6.0, no half.
        assertArrayEquals(new int[] {2, 0, 6, 4}, t.cropBox(10, 4, new SplittableRandom(1)));
    }

    @Test
    void constantImagesStayConstantAtAnyScale() {
        byte[] px = new byte[3 * 50 * 70];
        Arrays.fill(px, 0, 3500, (byte) 200);
        Arrays.fill(px, 3500, 7000, (byte) 10);
        Arrays.fill(px, 7000, 10500, (byte) 128);
        RawImage img = new RawImage(70, 50, 3, px);
        for (int size : new int[] {8, 32, 224}) {
            PreprocessingSpec spec = PreprocessingSpec.forSize(size);
            float[] out = new float[spec.valuesPerImage()];
            new CenterCropTransform(spec).apply(img, null, out, 0);
            int plane = size * size;
            assertEquals(200 / 255f, out[plane / 2], 1e-5);
            assertEquals(10 / 255f, out[plane + plane / 3], 1e-5);
            assertEquals(128 / 255f, out[2 * plane + plane - 1], 1e-5);
            new RandomResizedCropTransform(spec).apply(img, new SplittableRandom(size), out, 0);
            assertEquals(200 / 255f, out[7], 1e-5);
        }
    }

    @Test
    void grayscaleIsReplicatedToThreeChannels() {
        byte[] px = new byte[20 * 20];
        for (int i = 0; i < px.length; i++) {
            px[i] = (byte) (i * 7);
        }
        RawImage gray = new RawImage(20, 20, 1, px);
        PreprocessingSpec spec = PreprocessingSpec.forSize(16);
        float[] out = new float[spec.valuesPerImage()];
        new RandomResizedCropTransform(spec).apply(gray, new SplittableRandom(3), out, 0);
        int plane = 256;
        assertArrayEquals(Arrays.copyOfRange(out, 0, plane), Arrays.copyOfRange(out, plane, 2 * plane));
        assertArrayEquals(Arrays.copyOfRange(out, 0, plane), Arrays.copyOfRange(out, 2 * plane, 3 * plane));
        float[] one = new float[256];
        new CenterCropTransform(spec.withChannels(1)).apply(gray, null, one, 0);
        assertThrows(IllegalArgumentException.class,
                () -> new CenterCropTransform(spec.withChannels(1)).apply(ramp(20, 20), null, one, 0));
    }

    @Test
    void trainTransformIsDeterministicPerSeedAndVaries() {
        RandomResizedCropTransform t = new RandomResizedCropTransform(PreprocessingSpec.forSize(16));
        RawImage img = ramp(32, 32);
        float[] a = applied(t, img, 42);
        assertArrayEquals(a, applied(t, img, 42));
        assertFalse(Arrays.equals(a, applied(t, img, 43)));
        assertInUnitRange(a);
    }

    @Test
    void randomResizedCropBoxesRespectScaleAndRatio() {
        RandomResizedCropTransform t = new RandomResizedCropTransform(PreprocessingSpec.forSize(32));
        SplittableRandom rng = new SplittableRandom(1);
        double minFrac = 1;
        double maxFrac = 0;
        for (int i = 0; i < 2000; i++) {
            int[] box = t.cropBox(300, 200, rng);
            assertTrue(box[0] >= 0 && box[1] >= 0 && box[0] + box[2] <= 300 && box[1] + box[3] <= 200,
                    Arrays.toString(box));
            double frac = (double) box[2] * box[3] / (300 * 200);
            double ratio = (double) box[2] / box[3];
            // Rounding of w and h moves area and ratio slightly off the drawn values.
            assertTrue(frac > 0.045 && frac <= 1.0, "area fraction " + frac);
            assertTrue(ratio > 0.72 && ratio < 1.39, "ratio " + ratio);
            minFrac = Math.min(minFrac, frac);
            maxFrac = Math.max(maxFrac, frac);
        }
        assertTrue(minFrac < 0.1 && maxFrac > 0.6, "crops must cover the scale range: " + minFrac + ".." + maxFrac);
    }

    @Test
    void flipMirrorsTheCrop() {
        PreprocessingSpec noFlip = PreprocessingSpec.json(16, null, null, null, null, 1.0, 1.0, 1.0, 1.0, 0.0, null, null);
        PreprocessingSpec flip = PreprocessingSpec.json(16, null, null, null, null, 1.0, 1.0, 1.0, 1.0, 1.0, null, null);
        RawImage img = ramp(32, 32);
        float[] a = applied(new RandomResizedCropTransform(noFlip), img, 1);
        float[] b = applied(new RandomResizedCropTransform(flip), img, 1);
        for (int c = 0; c < 3; c++) {
            for (int y = 0; y < 16; y++) {
                for (int x = 0; x < 16; x++) {
                    assertEquals(a[c * 256 + y * 16 + x], b[c * 256 + y * 16 + 15 - x], 0f);
                }
            }
        }
    }

    @Test
    void downscalingIsAntialiased() {
        // A 1-pixel checkerboard shrunk 8x must become flat grey, not an aliased pattern.
        int n = 128;
        byte[] px = new byte[3 * n * n];
        for (int c = 0; c < 3; c++) {
            for (int y = 0; y < n; y++) {
                for (int x = 0; x < n; x++) {
                    px[c * n * n + y * n + x] = (byte) (((x + y) & 1) == 0 ? 255 : 0);
                }
            }
        }
        float[] out = new float[3 * 16 * 16];
        Resampler.resample(new RawImage(n, n, 3, px), 0, 0, n, n, 16, 16, Interpolation.BICUBIC, 3, false, out, 0);
        for (float v : out) {
            assertEquals(0.5, v, 0.02);
        }
    }

    @Test
    void normalizationIsOptionalAndApplied() {
        PreprocessingSpec spec = PreprocessingSpec.forSize(8).withNormalization(List.of(0.5, 0.5, 0.5), List.of(0.25, 0.5, 1.0));
        byte[] px = new byte[3 * 8 * 8];
        Arrays.fill(px, (byte) 255);
        float[] out = new float[spec.valuesPerImage()];
        new CenterCropTransform(spec).apply(new RawImage(8, 8, 3, px), null, out, 0);
        assertEquals(2.0, out[0], 1e-5);
        assertEquals(1.0, out[64], 1e-5);
        assertEquals(0.5, out[128], 1e-5);
        assertThrows(IllegalArgumentException.class,
                () -> PreprocessingSpec.forSize(8).withNormalization(List.of(0.5), List.of(0.5)));
        assertThrows(IllegalArgumentException.class,
                () -> PreprocessingSpec.forSize(8).withNormalization(List.of(0.5, 0.5, 0.5), List.of(0.0, 1.0, 1.0)));
        assertThrows(IllegalArgumentException.class,
                () -> PreprocessingSpec.json(32, 16, null, null, null, null, null, null, null, null, null, null));
        assertThrows(IllegalArgumentException.class,
                () -> PreprocessingSpec.json(32, null, 2, null, null, null, null, null, null, null, null, null));
    }
}
