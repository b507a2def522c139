package io.github.sdlora4j.benchmark;

import io.github.sdlora4j.lora.SdLoraAlgebra;
import io.github.sdlora4j.vit.VitConfig;

/**
 * Analytic FLOP count of an SD-LoRA training step and of a forward pass, counting only matrix products
 * (one multiply-add = 2 FLOPs). Element-wise work (LayerNorm, GELU, softmax, residual adds, the optimizer update)
 * is left out: it is a few percent of the total and its cost is memory traffic, not arithmetic.
 *
 * <p>Symbols: N batch, T = P + 1 tokens (P patches plus CLS), D width, L blocks, M MLP width, V = C·p² patch vector
 * length, R the summed LoRA rank of all tasks in one projection (finished plus current), r the current task's rank,
 * c the current task's classes (the head only scores the current task's classes during training).
 *
 * <pre>
 * forward per image  = 2·P·V·D                                  patch embedding
 *                    + L·( 2·T·D·3D                              fused qkv
 *                        + 4·T²·D                                Q·Kᵀ and attn·V, all heads together
 *                        + 2·T·D²                                attention output projection
 *                        + 4·T·D·M                               MLP fc1 and fc2
 *                        + 8·T·D·R )                             LoRA on q and v: (X·Aᵀ)·Bᵀ, 4·T·D·R each
 *                    + 2·D·c                                     head
 * backward per image = L·( 2·T·D·3D + 8·T²·D + 2·T·D² + 4·T·D·M  activation gradients only: the backbone is frozen
 *                        + 8·T·D·R                               LoRA activation gradients (dΔ·B, then ·A)
 *                        + 8·T·D·r )                             weight gradients of the current A and B (q and v)
 *                    + 4·D·c                                     head weight and feature gradients
 * step               = N·(forward + backward)
 * </pre>
 *
 * Once the finished tasks' rank R − r passes D/4, SdLoraAlgebra folds their terms into W_q and W_v (fewer
 * FLOPs from there on): the LoRA terms above then count r instead of R, the backward adds the weight gradients
 * 2·T·D² of q and v that α's gradient needs (L·4·T·D² per image), and each step adds, per block and projection,
 * 2·D²·(R − r) to form the folded term and 4·D²·(R − r) for its gradients.
 *
 * The backward count is what a frozen-backbone step must do at least; the patch embedding needs no backward as
 * nothing before it trains. It includes the input gradient of block 0's qkv products, which a minimal implementation
 * could also skip (under 3% of the step for the W1 model). An implementation that does more (weight gradients of
 * frozen tensors, say) gets no credit for it, so GFLOP/s computed from this count measure useful work.
 */
public final class StepFlops {

    private StepFlops() {
    }

    /**
     * FLOPs of the forward pass of one image.
     *
     * @param totalRank R, the summed LoRA rank in one projection (0 for a plain or merged ViT)
     * @param classes   classes scored by the head
     */
    public static double forwardPerImage(VitConfig c, int totalRank, int classes) {
        requireNonNegative(totalRank, classes);
        double t = c.numTokens();
        double d = c.dim();
        double perBlock = 2 * t * d * 3 * d + 4 * t * t * d + 2 * t * d * d + 4 * t * d * c.mlpDim()
                + 8 * t * d * totalRank;
        return 2.0 * c.numPatches() * c.patchVectorSize() * d + c.depth() * perBlock + 2 * d * classes;
    }

    /**
     * FLOPs of the backward pass of one image with a frozen backbone.
     *
     * @param totalRank   R, the summed LoRA rank in one projection
     * @param currentRank r, the rank of the task being trained
     * @param classes     c, the current task's classes
     */
    public static double backwardPerImage(VitConfig c, int totalRank, int currentRank, int classes) {
        requireNonNegative(totalRank, classes);
        if (currentRank < 1 || currentRank > totalRank) {
            throw new IllegalArgumentException("current rank must be in [1, " + totalRank + "], got " + currentRank);
        }
        double t = c.numTokens();
        double d = c.dim();
        double perBlock = 2 * t * d * 3 * d + 8 * t * t * d + 2 * t * d * d + 4 * t * d * c.mlpDim()
                + 8 * t * d * totalRank + 8 * t * d * currentRank;
        return c.depth() * perBlock + 4 * d * classes;
    }

    /** FLOPs of one training step on {@code batch} images: forward plus backward. */
    public static double trainingStep(VitConfig c, int batch, int totalRank, int currentRank, int classes) {
        if (batch < 1) {
            throw new IllegalArgumentException("batch must be positive, got " + batch);
        }
        if (!folded(c, totalRank, currentRank)) {
            return batch * (forwardPerImage(c, totalRank, classes)
                    + backwardPerImage(c, totalRank, currentRank, classes));
        }
        double t = c.numTokens();
        double d = c.dim();
        double finished = totalRank - currentRank;
        double perImage = forwardPerImage(c, currentRank, classes) + backwardPerImage(c, currentRank, currentRank, classes)
                + c.depth() * 4 * t * d * d;
        return batch * perImage + c.depth() * 2 * (2 + 4) * d * d * finished;
    }

    /** Whether SdLoraAlgebra folds the finished tasks' terms into the weights (finished rank above D/4). */
    static boolean folded(VitConfig c, int totalRank, int currentRank) {
        return SdLoraAlgebra.foldsFinished(c.dim(), totalRank - currentRank);
    }

    private static void requireNonNegative(int totalRank, int classes) {
        if (totalRank < 0 || classes < 0) {
            throw new IllegalArgumentException("rank and classes must be >= 0, got " + totalRank + " and " + classes);
        }
    }
}
