package io.github.sdlora4j.fused;

import io.github.sdlora4j.vit.VitConfig;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.indexing.NDArrayIndex;

import java.nio.ByteBuffer;

/**
 * The frozen ViT's forward on one shard's {@link Activations}, the same for training ({@link FusedSdLoraStep}, which
 * merges the LoRA terms into the q|k|v weight first) and inference ({@link FusedVitForward}).
 */
final class ForwardPass {

    private ForwardPass() {
    }

    /**
     * Patch embedding, CLS token and position embedding of images {@code [first, first + a.batch)} into the residual
     * stream.
     *
     * @param images a whole (not view) row-major float array [N, channels, size, size]
     */
    static void embed(FrozenVit vit, Activations a, INDArray images, int first) {
        VitConfig c = vit.config;
        int p = c.patchSize();
        int g = c.gridSize();
        int size = c.imageSize();
        int channels = c.channels();
        int patches = c.numPatches();
        int rows = a.batch * patches;
        float[] pixels = a.pixels;
        Matrices.read(images, (long) first * pixels.length / a.batch, pixels);
        float[] x = a.patchesHost;
        for (int b = 0; b < a.batch; b++) {
            for (int ch = 0; ch < channels; ch++) {
                for (int ky = 0; ky < p; ky++) {
                    for (int kx = 0; kx < p; kx++) {
                        int col = (ch * p + ky) * p + kx;
                        for (int gy = 0; gy < g; gy++) {
                            int src = ((b * channels + ch) * size + gy * p + ky) * size + kx;
                            int dst = col * rows + b * patches + gy * g;
                            for (int gx = 0; gx < g; gx++) {
                                x[dst + gx] = pixels[src + gx * p];
                            }
                        }
                    }
                }
            }
        }
        Matrices.write(x, a.patches);
        Matrices.gemm(a.patches, false, vit.patchWeight, false, a.embedding, 0.0);
        float[] emb = a.embeddingHost;
        Matrices.read(a.embedding, emb);
        int t = c.numTokens();
        int n = a.rows;
        for (int d = 0; d < c.dim(); d++) {
            for (int b = 0; b < a.batch; b++) {
                a.h[d * n + b * t] = vit.clsToken[d] + vit.posEmbed[d];
                for (int i = 0; i < patches; i++) {
                    a.h[d * n + b * t + 1 + i] = emb[d * rows + b * patches + i] + vit.patchBias[d]
                            + vit.posEmbed[(1 + i) * c.dim() + d];
                }
            }
        }
        Matrices.write(a.h, a.stream);
    }

    /** Block {@code l}'s first LayerNorm of the residual stream (after adding {@code pendingBias}) into {@code s.ln1}. */
    static void norm1(FrozenVit vit, int l, Activations a, Activations.Saved s, float[] pendingBias) {
        FrozenVit.Block w = vit.blocks[l];
        int d = vit.config.dim();
        VectorKernels.normalize(a.streamBytes, pendingBias, a.rows, d, (float) vit.config.layerNormEps(),
                a.rowScratch, s.rstd1, s.xhat1, null);
        VectorKernels.affine(s.xhat1, a.rows, d, w.norm1Gain, w.norm1Bias, s.ln1Bytes);
    }

    /**
     * Each image's first row (its CLS token) of a column-major [batch·tokens, D] matrix in native memory, into
     * {@code dst} as column-major [batch, D].
     */
    static void clsRows(ByteBuffer m, VitConfig c, int batch, float[] dst) {
        int rows = batch * c.numTokens();
        for (int d = 0; d < c.dim(); d++) {
            for (int b = 0; b < batch; b++) {
                dst[d * batch + b] = m.getFloat((d * rows + b * c.numTokens()) * 4);
            }
        }
    }

    /**
     * One block on the residual stream; returns the bias its last GEMM left to add (added by the next LayerNorm pass).
     *
     * @param s         where the block's activations go ({@code s.geluDerivative} may be null)
     * @param qkvWeight the q|k|v weight [D, 3D] to multiply by
     */
    static float[] block(FrozenVit vit, int l, Activations a, Activations.Saved s, float[] pendingBias,
                         INDArray qkvWeight) {
        VitConfig c = vit.config;
        FrozenVit.Block w = vit.blocks[l];
        int n = a.rows;
        int d = c.dim();
        float eps = (float) c.layerNormEps();
        norm1(vit, l, a, s, pendingBias);
        Matrices.gemm(s.ln1, false, qkvWeight, false, s.qkv, 0.0);
        s.qkv.get(NDArrayIndex.all(), NDArrayIndex.interval(0, d)).addiRowVector(w.qBias);
        a.attention.forward(s.qkv, a.scores, s.probs, a.out);
        Matrices.gemm(a.out, false, w.projWeight, false, a.stream, 1.0);
        VectorKernels.normalize(a.streamBytes, w.projBias, n, d, eps, a.rowScratch, s.rstd2, s.xhat2, a.normedBytes);
        Matrices.gemm(a.normed, false, w.fc1Weight, false, a.hidden, 0.0);
        VectorKernels.gelu(a.hiddenBytes, n, c.mlpDim(), w.fc1Bias, s.geluDerivative);
        Matrices.gemm(a.hidden, false, w.fc2Weight, false, a.stream, 1.0);
        return w.fc2Bias;
    }
}
