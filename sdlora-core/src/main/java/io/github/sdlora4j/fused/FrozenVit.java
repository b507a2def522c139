package io.github.sdlora4j.fused;

import io.github.sdlora4j.vit.TimmVitLayout;
import io.github.sdlora4j.vit.VitConfig;
import io.github.sdlora4j.vit.VitWeights;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.indexing.NDArrayIndex;

/**
 * The frozen backbone in the layout the fused step multiplies by: linear weights transposed to [in, out]
 * column-major, and constants pre-combined as the SameDiff graph's frozen form does: q's 1/√headDim folded into
 * its weight and bias; LN2's gain and bias folded into fc1; with {@code z = u/√2}, GELU(u) = (z + z·erf z)/√2, whose
 * two 1/√2 factors go into fc1 and fc2. Two biases need no pass of their own: k's adds the same amount to every
 * score of a query row, which softmax ignores, and v's passes through the attention unchanged (its weights sum to
 * 1) into the projection's bias.
 */
final class FrozenVit {

    final VitConfig config;
    final float qScale;
    /** Patch embedding [C·p·p, D] and its bias. */
    final INDArray patchWeight;
    final float[] patchBias;
    final float[] clsToken;
    /** Position embedding, row-major [tokens, D]. */
    final float[] posEmbed;
    final float[] normGain;
    final float[] normBias;
    final Block[] blocks;

    /** One block's frozen tensors. */
    static final class Block {
        final float[] norm1Gain;
        final float[] norm1Bias;
        /** Fused q|k|v weight [D, 3D], q columns scaled. */
        final INDArray qkvWeight;
        /** q's bias, scaled, [D]. k's bias drops out of the softmax; v's is folded into {@link #projBias}. */
        final INDArray qBias;
        final INDArray projWeight;
        /** The projection's bias plus v's bias times the projection (each attention row of P sums to 1). */
        final float[] projBias;
        /** fc1 with LN2's gain and 1/√2 folded in, [D, M], and its bias. */
        final INDArray fc1Weight;
        final float[] fc1Bias;
        /** fc2 times 1/√2, [M, D], and its (unchanged) bias. */
        final INDArray fc2Weight;
        final float[] fc2Bias;

        private Block(VitWeights w, int i, float qScale) {
            int d = w.config().dim();
            norm1Gain = floats(w.get(TimmVitLayout.block(i, "norm1.weight")));
            norm1Bias = floats(w.get(TimmVitLayout.block(i, "norm1.bias")));
            qkvWeight = transposed(w.get(TimmVitLayout.block(i, "attn.qkv.weight")));
            qkvWeight.get(NDArrayIndex.all(), NDArrayIndex.interval(0, d)).muli(qScale);
            INDArray qkvBias = w.get(TimmVitLayout.block(i, "attn.qkv.bias"));
            qBias = qkvBias.get(NDArrayIndex.interval(0, d)).mul(qScale).reshape(d);
            projWeight = transposed(w.get(TimmVitLayout.block(i, "attn.proj.weight")));
            INDArray vBias = qkvBias.get(NDArrayIndex.interval(2 * d, 3 * d)).reshape(1, d);
            projBias = floats(vBias.mmul(projWeight).reshape(d).addi(w.get(TimmVitLayout.block(i, "attn.proj.bias"))));
            double invSqrt2 = 1.0 / Math.sqrt(2.0);
            INDArray g2 = w.get(TimmVitLayout.block(i, "norm2.weight"));
            INDArray b2 = w.get(TimmVitLayout.block(i, "norm2.bias"));
            INDArray fc1 = w.get(TimmVitLayout.block(i, "mlp.fc1.weight"));
            fc1Weight = transposed(fc1.mulRowVector(g2).muli(invSqrt2));
            fc1Bias = floats(fc1.mmul(b2.reshape(b2.length(), 1)).reshape(fc1.size(0))
                    .addi(w.get(TimmVitLayout.block(i, "mlp.fc1.bias"))).muli(invSqrt2));
            fc2Weight = transposed(w.get(TimmVitLayout.block(i, "mlp.fc2.weight")).mul(invSqrt2));
            fc2Bias = floats(w.get(TimmVitLayout.block(i, "mlp.fc2.bias")));
        }
    }

    FrozenVit(VitWeights weights) {
        VitWeights w = weights.castTo(DataType.FLOAT);
        config = w.config();
        qScale = (float) config.attentionScale();
        patchWeight = transposed(w.get(TimmVitLayout.PATCH_WEIGHT).reshape(config.dim(), config.patchVectorSize()));
        patchBias = floats(w.get(TimmVitLayout.PATCH_BIAS));
        clsToken = floats(w.get(TimmVitLayout.CLS_TOKEN));
        posEmbed = floats(w.get(TimmVitLayout.POS_EMBED));
        normGain = floats(w.get(TimmVitLayout.NORM_WEIGHT));
        normBias = floats(w.get(TimmVitLayout.NORM_BIAS));
        blocks = new Block[config.depth()];
        for (int i = 0; i < blocks.length; i++) {
            blocks[i] = new Block(w, i, qScale);
        }
    }

    /** A timm [out, in] weight as a column-major [in, out] matrix. */
    private static INDArray transposed(INDArray weight) {
        return weight.transpose().dup('f');
    }

    /** The values in row-major order. */
    private static float[] floats(INDArray a) {
        return a.dup('c').data().asFloat();
    }
}
