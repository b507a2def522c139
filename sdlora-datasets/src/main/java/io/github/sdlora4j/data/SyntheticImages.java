package io.github.sdlora4j.data;

import java.util.Objects;
import java.util.SplittableRandom;

/**
 * Procedural RGB images for the embedded synthetic benchmark. Deterministic: the same (seed, concept,
 * instance) always gives the same bytes, on any JVM (pure {@code double} arithmetic, no AWT).
 *
 * <p>A <em>concept</em> (a class) is a combination of an object shape ({@value #SHAPES} kinds), a
 * surface texture ({@value #TEXTURES} kinds, with a concept-specific frequency and orientation) and a
 * hue bin ({@value #HUES} bins): {@value #CONCEPTS} concepts share one visual vocabulary. Every image
 * draws, independently of its class, the object's position, size, rotation and exact colour, a
 * textured background of random colour, an optional distractor shape and pixel noise. So no single
 * cue (mean colour, position, a fixed template) identifies a class: it takes the conjunction of
 * shape, texture and colour, which is what a pretrained backbone learns and raw pixels do not show.
 */
public final class SyntheticImages {

    /** Number of shape kinds. */
    public static final int SHAPES = 10;
    /** Number of texture kinds. */
    public static final int TEXTURES = 6;
    /** Number of hue bins. */
    public static final int HUES = 8;
    /** Number of distinct concepts (classes) the vocabulary can express. */
    public static final int CONCEPTS = SHAPES * TEXTURES * HUES;

    /**
     * How a concept is drawn. The concept (shape, texture, hue) is the same in every rendition; only the style
     * changes, as ImageNet-R draws ImageNet's classes as sketches, cartoons and paintings.
     */
    public enum Rendition {
        /** Textured object on a textured background of random colour (what the pretraining split uses). */
        PHOTO,
        /**
         * Ink drawing on pale paper: the object's outline in a dark ink of its hue, its texture hatched in that ink
         * over a light tint of the hue, a grey-outlined distractor; little noise.
         */
        SKETCH
    }

    private final int size;
    private final Rendition rendition;

    /** @param size image width and height in pixels, &gt;= 8 */
    public SyntheticImages(int size) {
        this(size, Rendition.PHOTO);
    }

    /**
     * @param size      image width and height in pixels, &gt;= 8
     * @param rendition the drawing style
     */
    public SyntheticImages(int size, Rendition rendition) {
        if (size < 8) {
            throw new IllegalArgumentException("synthetic image size must be >= 8, got " + size);
        }
        this.size = size;
        this.rendition = Objects.requireNonNull(rendition, "rendition");
    }

    /** @return the drawing style */
    public Rendition rendition() {
        return rendition;
    }

    /** @return image width and height */
    public int size() {
        return size;
    }

    /**
     * Draws one image.
     *
     * @param concept   concept index in 0..{@value #CONCEPTS}-1
     * @param imageSeed seed of this particular image (position, colour jitter, background, noise)
     * @return a {@code 3 x size x size} image
     */
    public RawImage render(int concept, long imageSeed) {
        if (concept < 0 || concept >= CONCEPTS) {
            throw new IllegalArgumentException("concept must be in 0.." + (CONCEPTS - 1) + ", got " + concept);
        }
        int shape = concept % SHAPES;
        int texture = (concept / SHAPES) % TEXTURES;
        int hueBin = concept / (SHAPES * TEXTURES);
        // Concept-specific texture parameters, so that two classes with the same texture kind still differ slightly.
        SplittableRandom conceptRng = new SplittableRandom(0x5EEDL * 31 + concept);
        double texFreq = 2.0 + conceptRng.nextDouble() * 2.5;
        double texAngle = conceptRng.nextDouble() * Math.PI;

        SplittableRandom rng = new SplittableRandom(imageSeed);
        double s = size;
        double radius = s * (0.20 + 0.14 * rng.nextDouble());
        double cx = s * (0.30 + 0.40 * rng.nextDouble());
        double cy = s * (0.30 + 0.40 * rng.nextDouble());
        double rot = rng.nextDouble() * 2 * Math.PI;
        double hue = (hueBin + 0.5 + (rng.nextDouble() - 0.5) * 0.7) / HUES;
        double[] fg = hsv(hue, 0.55 + 0.45 * rng.nextDouble(), 0.55 + 0.45 * rng.nextDouble());
        double[] fg2 = hsv(hue + 0.04 * (rng.nextDouble() - 0.5), 0.3 * rng.nextDouble(), 0.15 + 0.3 * rng.nextDouble());

        double[] bg = hsv(rng.nextDouble(), 0.5 * rng.nextDouble(), 0.2 + 0.7 * rng.nextDouble());
        double[] bg2 = hsv(rng.nextDouble(), 0.5 * rng.nextDouble(), 0.2 + 0.7 * rng.nextDouble());
        int bgTexture = rng.nextInt(TEXTURES);
        double bgFreq = 1.0 + 3.0 * rng.nextDouble();
        double bgAngle = rng.nextDouble() * Math.PI;
        double bgContrast = 0.2 + 0.5 * rng.nextDouble();

        boolean distractor = rng.nextDouble() < 0.6;
        int dShape = rng.nextInt(SHAPES);
        double dRadius = s * (0.07 + 0.08 * rng.nextDouble());
        double dx = s * rng.nextDouble();
        double dy = s * rng.nextDouble();
        double dRot = rng.nextDouble() * 2 * Math.PI;
        double[] dColor = hsv(rng.nextDouble(), rng.nextDouble(), 0.3 + 0.7 * rng.nextDouble());
        double noise = 0.03 + 0.05 * rng.nextDouble();
        boolean sketch = rendition == Rendition.SKETCH;
        double[] paper = null;
        double[] ink = null;
        double[] tint = null;
        double[] dInk = null;
        if (sketch) {
            // Drawn after PHOTO's values, so that PHOTO images stay what they were.
            paper = hsv(rng.nextDouble(), 0.08 * rng.nextDouble(), 0.90 + 0.08 * rng.nextDouble());
            ink = hsv(hue, 0.7 + 0.3 * rng.nextDouble(), 0.25 + 0.2 * rng.nextDouble());
            tint = hsv(hue, 0.25 + 0.25 * rng.nextDouble(), 0.92 + 0.06 * rng.nextDouble());
            double grey = 0.3 + 0.3 * rng.nextDouble();
            dInk = new double[] {grey, grey, grey};
            bgContrast = 0.06;
            noise = 0.015;
        }

        int plane = size * size;
        byte[] px = new byte[3 * plane];
        double cosR = Math.cos(rot);
        double sinR = Math.sin(rot);
        double cosD = Math.cos(dRot);
        double sinD = Math.sin(dRot);
        for (int y = 0; y < size; y++) {
            for (int x = 0; x < size; x++) {
                double px0 = x + 0.5;
                double py0 = y + 0.5;
                // Background: a low-contrast texture between two random colours.
                double bt = texture(bgTexture, px0 / s * 2 - 1, py0 / s * 2 - 1, bgFreq, bgAngle) * bgContrast;
                double r;
                double g;
                double b;
                if (sketch) { // paper with a faint grain
                    r = paper[0] - bt;
                    g = paper[1] - bt;
                    b = paper[2] - bt;
                } else {
                    r = lerp(bg[0], bg2[0], bt);
                    g = lerp(bg[1], bg2[1], bt);
                    b = lerp(bg[2], bg2[2], bt);
                }
                // Object, in its own rotated unit frame.
                double ux = ((px0 - cx) * cosR + (py0 - cy) * sinR) / radius;
                double uy = (-(px0 - cx) * sinR + (py0 - cy) * cosR) / radius;
                double edge = shapeDistance(shape, ux, uy) * radius;
                double cover = clamp01(0.5 - edge);
                if (sketch) {
                    if (cover > 0) {
                        double t = texture(texture, ux, uy, texFreq, texAngle);
                        r = lerp(r, lerp(tint[0], ink[0], t), cover);
                        g = lerp(g, lerp(tint[1], ink[1], t), cover);
                        b = lerp(b, lerp(tint[2], ink[2], t), cover);
                    }
                    double line = clamp01(1.6 - 2.0 * Math.abs(edge)); // an outline about 1.3 px wide
                    r = lerp(r, ink[0], line);
                    g = lerp(g, ink[1], line);
                    b = lerp(b, ink[2], line);
                } else if (cover > 0) {
                    double t = texture(texture, ux, uy, texFreq, texAngle);
                    r = lerp(r, lerp(fg[0], fg2[0], t), cover);
                    g = lerp(g, lerp(fg[1], fg2[1], t), cover);
                    b = lerp(b, lerp(fg[2], fg2[2], t), cover);
                }
                if (distractor) {
                    double vx = ((px0 - dx) * cosD + (py0 - dy) * sinD) / dRadius;
                    double vy = (-(px0 - dx) * sinD + (py0 - dy) * cosD) / dRadius;
                    double dEdge = shapeDistance(dShape, vx, vy) * dRadius;
                    if (sketch) {
                        double dLine = clamp01(1.6 - 2.0 * Math.abs(dEdge));
                        r = lerp(r, dInk[0], dLine);
                        g = lerp(g, dInk[1], dLine);
                        b = lerp(b, dInk[2], dLine);
                    } else {
                        double dc = clamp01(0.5 - dEdge);
                        r = lerp(r, dColor[0], dc);
                        g = lerp(g, dColor[1], dc);
                        b = lerp(b, dColor[2], dc);
                    }
                }
                int i = y * size + x;
                px[i] = toByte(r + noise * rng.nextGaussian());
                px[plane + i] = toByte(g + noise * rng.nextGaussian());
                px[2 * plane + i] = toByte(b + noise * rng.nextGaussian());
            }
        }
        return new RawImage(size, size, 3, px);
    }

    /** Approximate signed distance (negative inside) in the object's unit frame (object radius 1). */
    static double shapeDistance(int shape, double u, double v) {
        double len = len2(u, v);
        switch (shape) {
            case 0: // disc
                return len - 1.0;
            case 1: // square
                return box(u, v, 0.8, 0.8);
            case 2: // equilateral triangle, vertices on the unit circle: max of the three edge half-planes
                return Math.max(-v, Math.max(0.8660254 * u + 0.5 * v, -0.8660254 * u + 0.5 * v)) - 0.5;
            case 3: // ring
                return Math.abs(len - 0.72) - 0.28;
            case 4: // plus / cross
                return Math.min(box(u, v, 0.95, 0.3), box(u, v, 0.3, 0.95));
            case 5: // diamond
                return (Math.abs(u) + Math.abs(v) - 1.0) / Math.sqrt(2.0);
            case 6: { // five-pointed star (radial profile)
                double theta = Math.atan2(v, u);
                return len - (0.62 + 0.38 * Math.cos(5 * theta));
            }
            case 7: { // hexagon
                double a = Math.abs(u);
                double b = Math.abs(v);
                return Math.max(a * 0.8660254 + b * 0.5, b) - 0.85;
            }
            case 8: // crescent
                return Math.max(len - 1.0, -(len2(u - 0.45, v) - 0.8));
            default: // elongated bar
                return box(u, v, 1.0, 0.38);
        }
    }

    /** {@code sqrt(a*a + b*b)}; {@code Math.hypot}'s overflow care is not needed here and costs 10x. */
    private static double len2(double a, double b) {
        return Math.sqrt(a * a + b * b);
    }

    private static double box(double u, double v, double hw, double hh) {
        double qx = Math.abs(u) - hw;
        double qy = Math.abs(v) - hh;
        return len2(Math.max(qx, 0), Math.max(qy, 0)) + Math.min(Math.max(qx, qy), 0);
    }

    /** Texture value in [0,1] at unit-frame point (u, v). */
    static double texture(int kind, double u, double v, double freq, double angle) {
        double a = u * Math.cos(angle) + v * Math.sin(angle);
        switch (kind) {
            case 0: // solid
                return 0.0;
            case 1: // stripes
                return Math.sin(a * freq * Math.PI) > 0 ? 1.0 : 0.0;
            case 2: { // checkerboard
                double b = -u * Math.sin(angle) + v * Math.cos(angle);
                long i = (long) Math.floor(a * freq * 0.8) + (long) Math.floor(b * freq * 0.8);
                return (i & 1L) == 0 ? 0.0 : 1.0;
            }
            case 3: { // dots
                double b = -u * Math.sin(angle) + v * Math.cos(angle);
                double fa = a * freq * 0.9 - Math.floor(a * freq * 0.9) - 0.5;
                double fb = b * freq * 0.9 - Math.floor(b * freq * 0.9) - 0.5;
                return len2(fa, fb) < 0.3 ? 1.0 : 0.0;
            }
            case 4: // linear gradient
                return clamp01(0.5 + 0.5 * a);
            default: // concentric rings
                return Math.sin(len2(u, v) * freq * 2.0 * Math.PI) > 0 ? 1.0 : 0.0;
        }
    }

    private static double[] hsv(double h, double s, double v) {
        h = h - Math.floor(h);
        double hh = h * 6.0;
        int i = (int) Math.floor(hh) % 6;
        double f = hh - Math.floor(hh);
        double p = v * (1 - s);
        double q = v * (1 - s * f);
        double t = v * (1 - s * (1 - f));
        return switch (i) {
            case 0 -> new double[] {v, t, p};
            case 1 -> new double[] {q, v, p};
            case 2 -> new double[] {p, v, t};
            case 3 -> new double[] {p, q, v};
            case 4 -> new double[] {t, p, v};
            default -> new double[] {v, p, q};
        };
    }

    private static double lerp(double a, double b, double t) {
        return a + (b - a) * t;
    }

    private static double clamp01(double x) {
        return x < 0 ? 0 : (x > 1 ? 1 : x);
    }

    private static byte toByte(double x) {
        long v = Math.round(x * 255.0);
        return (byte) (v < 0 ? 0 : (v > 255 ? 255 : v));
    }
}
