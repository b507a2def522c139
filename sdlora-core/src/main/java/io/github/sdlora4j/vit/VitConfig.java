package io.github.sdlora4j.vit;

import java.util.Locale;
import java.util.Map;

/**
 * Shape of a timm-layout Vision Transformer (pre-norm blocks, fused qkv, CLS token feature).
 *
 * @param imageSize input height and width in pixels (square inputs)
 * @param patchSize patch height and width; must divide {@code imageSize}
 * @param channels  input channels (3 for RGB)
 * @param dim       embedding width
 * @param depth     number of transformer blocks
 * @param heads     attention heads; must divide {@code dim}
 * @param mlpDim    hidden width of each block's MLP
 * @param layerNormEps epsilon of every LayerNorm (timm uses 1e-6)
 */
public record VitConfig(int imageSize, int patchSize, int channels, int dim, int depth, int heads, int mlpDim,
                        double layerNormEps) {

    /** timm's LayerNorm epsilon for ViTs. */
    public static final double TIMM_LAYER_NORM_EPS = 1e-6;

    /** A 16x16, patch 4, width 32 model for unit tests (runs in milliseconds on a CPU). */
    public static final VitConfig TINY_TEST = new VitConfig(16, 4, 3, 32, 2, 2, 64, TIMM_LAYER_NORM_EPS);
    /** ViT-Tiny-like model for 32x32 inputs (patch 4, 64 tokens + CLS, width 192, 12 blocks, 3 heads). */
    public static final VitConfig VIT_TINY = new VitConfig(32, 4, 3, 192, 12, 3, 768, TIMM_LAYER_NORM_EPS);
    /** timm {@code vit_base_patch16_224}: the backbone of the SD-LoRA paper. */
    public static final VitConfig VIT_B16 = new VitConfig(224, 16, 3, 768, 12, 12, 3072, TIMM_LAYER_NORM_EPS);

    private static final Map<String, VitConfig> PRESETS = Map.of(
            "tiny-test", TINY_TEST, "vit-tiny", VIT_TINY, "vit-b16", VIT_B16);

    /** Validates the shape. */
    public VitConfig {
        positive("imageSize", imageSize);
        positive("patchSize", patchSize);
        positive("channels", channels);
        positive("dim", dim);
        positive("depth", depth);
        positive("heads", heads);
        positive("mlpDim", mlpDim);
        if (imageSize % patchSize != 0) {
            throw new IllegalArgumentException("ViT config: patchSize " + patchSize + " must divide imageSize " + imageSize);
        }
        if (dim % heads != 0) {
            throw new IllegalArgumentException("ViT config: heads " + heads + " must divide dim " + dim);
        }
        if (!(layerNormEps > 0) || Double.isInfinite(layerNormEps)) {
            throw new IllegalArgumentException("ViT config: layerNormEps must be a positive number, got " + layerNormEps);
        }
    }

    private static void positive(String name, int value) {
        if (value <= 0) {
            throw new IllegalArgumentException("ViT config: " + name + " must be positive, got " + value);
        }
    }

    /**
     * Looks up a preset by name: {@code tiny-test}, {@code vit-tiny} or {@code vit-b16}.
     *
     * @throws IllegalArgumentException naming the known presets when the name is unknown
     */
    public static VitConfig preset(String name) {
        VitConfig c = PRESETS.get(name == null ? "" : name.toLowerCase(Locale.ROOT));
        if (c == null) {
            throw new IllegalArgumentException("Unknown ViT preset '" + name + "'; known presets: "
                    + String.join(", ", new java.util.TreeSet<>(PRESETS.keySet())));
        }
        return c;
    }

    /** Number of patches along one side. */
    public int gridSize() {
        return imageSize / patchSize;
    }

    /** Patch tokens (without the CLS token). */
    public int numPatches() {
        return gridSize() * gridSize();
    }

    /** Sequence length including the CLS token. */
    public int numTokens() {
        return numPatches() + 1;
    }

    /** Width of one attention head. */
    public int headDim() {
        return dim / heads;
    }

    /**
     * Attention's 1/√headDim. A frozen backbone folds it into q's weight, bias and adapter terms rather than
     * scaling the scores.
     */
    public double attentionScale() {
        return 1.0 / Math.sqrt(headDim());
    }

    /** Length of one flattened patch ({@code channels * patch * patch}). */
    public int patchVectorSize() {
        return channels * patchSize * patchSize;
    }

    /** Same model with another input size (position embeddings are then not transferable). */
    public VitConfig withImageSize(int newImageSize) {
        return new VitConfig(newImageSize, patchSize, channels, dim, depth, heads, mlpDim, layerNormEps);
    }
}
