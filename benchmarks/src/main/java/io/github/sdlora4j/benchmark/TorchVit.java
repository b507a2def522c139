package io.github.sdlora4j.benchmark;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Activation;
import ai.djl.nn.convolutional.Conv2d;
import ai.djl.nn.core.Linear;
import ai.djl.nn.norm.LayerNorm;
import io.github.sdlora4j.vit.Projection;
import io.github.sdlora4j.vit.TimmVitLayout;
import io.github.sdlora4j.vit.VitConfig;
import io.github.sdlora4j.vit.VitWeights;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.util.ArrayList;
import java.util.List;

/**
 * timm's ViT written against libtorch through DJL, as the reference code runs it: Conv2d patch embedding, CLS token,
 * pre-norm blocks with the config's LayerNorm eps, fused qkv, exact erf GELU, attention as
 * {@code softmax(q·scale·kᵀ)·v}, the final norm. The frozen weights are copied once from a {@link VitWeights}.
 */
final class TorchVit {

    /** What a block adds to its q or v projection (the LoRA terms); {@link #NONE} for a plain ViT. */
    interface QvDelta {

        /** No additions. */
        QvDelta NONE = null;

        /** The addition to projection {@code p} of {@code block} for the block's normalized input {@code x}. */
        NDArray of(int block, Projection p, NDArray x);
    }

    private static final String[] BLOCK_SUFFIXES = {"norm1.weight", "norm1.bias", "attn.qkv.weight", "attn.qkv.bias",
            "attn.proj.weight", "attn.proj.bias", "norm2.weight", "norm2.bias", "mlp.fc1.weight", "mlp.fc1.bias",
            "mlp.fc2.weight", "mlp.fc2.bias"};

    private final NDManager manager;
    private final VitConfig config;
    private final NDArray patchWeight;
    private final NDArray patchBias;
    private final NDArray clsToken;
    private final NDArray posEmbed;
    private final List<NDArray[]> blocks = new ArrayList<>(); // in the order of BLOCK_SUFFIXES
    private final NDArray normWeight;
    private final NDArray normBias;

    /** Copies {@code weights} into tensors of {@code manager}. */
    TorchVit(NDManager manager, VitWeights weights) {
        this.manager = manager;
        this.config = weights.config();
        patchWeight = copy(weights.get(TimmVitLayout.PATCH_WEIGHT));
        patchBias = copy(weights.get(TimmVitLayout.PATCH_BIAS));
        clsToken = copy(weights.get(TimmVitLayout.CLS_TOKEN));
        posEmbed = copy(weights.get(TimmVitLayout.POS_EMBED));
        for (int l = 0; l < config.depth(); l++) {
            NDArray[] b = new NDArray[BLOCK_SUFFIXES.length];
            for (int j = 0; j < BLOCK_SUFFIXES.length; j++) {
                b[j] = copy(weights.get(TimmVitLayout.block(l, BLOCK_SUFFIXES[j])));
            }
            blocks.add(b);
        }
        normWeight = copy(weights.get(TimmVitLayout.NORM_WEIGHT));
        normBias = copy(weights.get(TimmVitLayout.NORM_BIAS));
    }

    VitConfig config() {
        return config;
    }

    /** The CLS token's feature after the final norm, [N, D], for images [N, C, H, W]. */
    NDArray features(NDArray x, QvDelta delta) {
        long n = x.getShape().get(0);
        int d = config.dim();
        int patch = config.patchSize();
        NDArray emb = Conv2d.conv2d(x, patchWeight, patchBias, new Shape(patch, patch)).singletonOrThrow();
        emb = emb.reshape(n, d, config.numPatches()).transpose(0, 2, 1);
        NDArray cls = clsToken.broadcast(new Shape(n, 1, d));
        NDArray h = NDArrays.concat(new NDList(cls, emb), 1).add(posEmbed);
        for (int l = 0; l < config.depth(); l++) {
            h = block(l, h, delta);
        }
        return layerNorm(h, normWeight, normBias).get(":, 0, :");
    }

    private NDArray block(int l, NDArray h, QvDelta delta) {
        NDArray[] w = blocks.get(l);
        int d = config.dim();
        NDArray x = layerNorm(h, w[0], w[1]);
        NDArray qkv = Linear.linear(x, w[2], w[3]).singletonOrThrow();
        NDArray q = qkv.get(":, :, 0:" + d);
        NDArray k = qkv.get(":, :, " + d + ":" + 2 * d);
        NDArray v = qkv.get(":, :, " + 2 * d + ":");
        if (delta != QvDelta.NONE) {
            q = q.add(delta.of(l, Projection.Q, x));
            v = v.add(delta.of(l, Projection.V, x));
        }
        h = h.add(Linear.linear(attention(q, k, v), w[4], w[5]).singletonOrThrow());
        NDArray m = layerNorm(h, w[6], w[7]);
        NDArray hidden = Activation.gelu(Linear.linear(m, w[8], w[9]).singletonOrThrow());
        return h.add(Linear.linear(hidden, w[10], w[11]).singletonOrThrow());
    }

    /** timm's attention (non-fused path): softmax(q·scale · kᵀ)·v over heads. */
    private NDArray attention(NDArray q, NDArray k, NDArray v) {
        long n = q.getShape().get(0);
        int t = config.numTokens();
        NDArray qh = heads(q).mul(1.0 / Math.sqrt(config.headDim()));
        NDArray scores = qh.matMul(heads(k).transpose(0, 1, 3, 2)).softmax(-1);
        return scores.matMul(heads(v)).transpose(0, 2, 1, 3).reshape(n, t, config.dim());
    }

    private NDArray heads(NDArray x) {
        return x.reshape(x.getShape().get(0), config.numTokens(), config.heads(), config.headDim()).transpose(0, 2, 1, 3);
    }

    private NDArray layerNorm(NDArray x, NDArray gain, NDArray bias) {
        return LayerNorm.layerNorm(x, new Shape(config.dim()), gain, bias, (float) config.layerNormEps())
                .singletonOrThrow();
    }

    /** A float32 libtorch copy of {@code a}, same shape. */
    NDArray copy(INDArray a) {
        INDArray c = a.castTo(DataType.FLOAT).dup('c');
        return manager.create(c.reshape(c.length()).toFloatVector(), new Shape(a.shape()));
    }
}
