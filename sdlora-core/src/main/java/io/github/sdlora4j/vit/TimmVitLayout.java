package io.github.sdlora4j.vit;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The one place that names the backbone's tensors. Names and shapes are timm's, so a timm
 * {@code state_dict} (without {@code head.*}) maps 1:1 onto our SameDiff graph:
 *
 * <pre>
 * timm key                          shape (timm = ours)      how the graph uses it
 * patch_embed.proj.weight           [D, C, p, p]             reshaped to [D, C*p*p]; patches x W^T (the conv as one matmul)
 * patch_embed.proj.bias             [D]
 * cls_token                         [1, 1, D]
 * pos_embed                         [1, 1 + (H/p)^2, D]
 * blocks.{i}.norm1.weight|bias      [D]                      LayerNorm, eps 1e-6
 * blocks.{i}.attn.qkv.weight        [3D, D]                  rows q | k | v; x W^T (+ SD-LoRA deltas on q and v)
 * blocks.{i}.attn.qkv.bias          [3D]
 * blocks.{i}.attn.proj.weight|bias  [D, D], [D]
 * blocks.{i}.norm2.weight|bias      [D]
 * blocks.{i}.mlp.fc1.weight|bias    [M, D], [M]              exact erf GELU after it
 * blocks.{i}.mlp.fc2.weight|bias    [D, M], [D]
 * norm.weight|bias                  [D]                      final LayerNorm; the feature is token 0 (CLS)
 * </pre>
 * {@link VitWeights} keeps timm's names and layouts, so import and export copy nothing but bytes. Inside a SameDiff
 * graph ({@link VitGraph}) a linear weight {@code K} is held transposed to [in, out] as {@code K.T} (the fused qkv
 * weight split into {@code blocks.{i}.attn.qkv.weight.q|k|v.T} and its bias into {@code .q|k|v}); a frozen graph also
 * pre-combines some constants (suffix {@code .folded}: LN2 and GELU's 1/√2 into fc1/fc2, the attention scale into
 * q). {@link VitGraph#readBackbone} maps a trainable graph back to timm's tensors.
 */
public final class TimmVitLayout {

    public static final String PATCH_WEIGHT = "patch_embed.proj.weight";
    public static final String PATCH_BIAS = "patch_embed.proj.bias";
    public static final String CLS_TOKEN = "cls_token";
    public static final String POS_EMBED = "pos_embed";
    public static final String NORM_WEIGHT = "norm.weight";
    public static final String NORM_BIAS = "norm.bias";
    /** Prefix of the classification head, which a backbone file may carry and the backbone ignores. */
    public static final String HEAD_PREFIX = "head.";

    private TimmVitLayout() {
    }

    /** {@code blocks.{block}.{suffix}}, e.g. {@code blocks.3.attn.qkv.weight}. */
    public static String block(int block, String suffix) {
        return "blocks." + block + "." + suffix;
    }

    /** Every backbone tensor of {@code config} with its shape, in timm's state_dict order. */
    public static Map<String, long[]> expectedShapes(VitConfig config) {
        long d = config.dim();
        long m = config.mlpDim();
        Map<String, long[]> s = new LinkedHashMap<>();
        s.put(CLS_TOKEN, new long[]{1, 1, d});
        s.put(POS_EMBED, new long[]{1, config.numTokens(), d});
        s.put(PATCH_WEIGHT, new long[]{d, config.channels(), config.patchSize(), config.patchSize()});
        s.put(PATCH_BIAS, new long[]{d});
        for (int i = 0; i < config.depth(); i++) {
            s.put(block(i, "norm1.weight"), new long[]{d});
            s.put(block(i, "norm1.bias"), new long[]{d});
            s.put(block(i, "attn.qkv.weight"), new long[]{3 * d, d});
            s.put(block(i, "attn.qkv.bias"), new long[]{3 * d});
            s.put(block(i, "attn.proj.weight"), new long[]{d, d});
            s.put(block(i, "attn.proj.bias"), new long[]{d});
            s.put(block(i, "norm2.weight"), new long[]{d});
            s.put(block(i, "norm2.bias"), new long[]{d});
            s.put(block(i, "mlp.fc1.weight"), new long[]{m, d});
            s.put(block(i, "mlp.fc1.bias"), new long[]{m});
            s.put(block(i, "mlp.fc2.weight"), new long[]{d, m});
            s.put(block(i, "mlp.fc2.bias"), new long[]{d});
        }
        s.put(NORM_WEIGHT, new long[]{d});
        s.put(NORM_BIAS, new long[]{d});
        return s;
    }

    /** Number of backbone parameters (no head): 85,798,656 for ViT-B/16. */
    public static long parameterCount(VitConfig config) {
        return expectedShapes(config).values().stream()
                .mapToLong(shape -> Arrays.stream(shape).reduce(1L, (a, b) -> a * b)).sum();
    }
}
