package io.github.sdlora4j.vit;

import org.nd4j.autodiff.samediff.SDIndex;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.buffer.DataType;

/**
 * Writes the timm ViT forward pass into a SameDiff graph. Backbone tensors become constants named by their timm
 * keys, so they are frozen and show up under the names of {@link TimmVitLayout}.
 *
 * <p>The residual stream stays a 2-D [batch*tokens, dim] matrix so that every projection is one GEMM; only
 * attention reshapes to [batch, heads, tokens, headDim].
 */
public final class VitGraph {

    /** Name of the image placeholder, shape [batch, channels, height, width]. */
    public static final String INPUT = "input";
    /** Name of the CLS feature after the final LayerNorm, shape [batch, dim]. */
    public static final String FEATURE = "feature";

    private final SameDiff sd;
    private final VitConfig c;
    private final VitWeights w;
    private final QkvAdapter adapter;
    private final boolean trainable;

    private VitGraph(SameDiff sd, VitWeights weights, QkvAdapter adapter, boolean trainable) {
        this.sd = sd;
        this.c = weights.config();
        this.w = weights;
        this.adapter = adapter;
        this.trainable = trainable;
    }

    /**
     * Adds the image placeholder {@value #INPUT} and the backbone to {@code sd}.
     *
     * @return the CLS feature variable {@value #FEATURE}, shape [batch, dim]
     */
    public static SDVariable build(SameDiff sd, VitWeights weights, QkvAdapter adapter, DataType type) {
        return build(sd, weights, adapter, type, false);
    }

    /**
     * As {@link #build(SameDiff, VitWeights, QkvAdapter, DataType)}; with {@code trainableBackbone} the backbone
     * tensors become VARIABLEs (copies, same names) so the whole ViT trains, as for pretraining.
     */
    public static SDVariable build(SameDiff sd, VitWeights weights, QkvAdapter adapter, DataType type,
                                   boolean trainableBackbone) {
        VitWeights typed = weights.castTo(type);
        VitGraph g = new VitGraph(sd, typed, adapter == null ? QkvAdapter.NONE : adapter, trainableBackbone);
        SDVariable x = sd.placeHolder(INPUT, type, -1, g.c.channels(), g.c.imageSize(), g.c.imageSize());
        return g.forward(x);
    }

    private SDVariable constant(String name) {
        return trainable ? sd.var(name, w.get(name).dup('c')) : sd.constant(name, w.get(name));
    }

    private SDVariable forward(SDVariable image) {
        int d = c.dim();
        int p = c.patchSize();
        int g = c.gridSize();
        int t = c.numTokens();
        // Patchify: [B,C,g,p,g,p] -> [B,g,g,C,p,p] -> rows of C*p*p, matching the conv weight's [D,C,p,p] layout.
        SDVariable patches = sd.reshape(image, -1, c.channels(), g, p, g, p).permute(0, 2, 4, 1, 3, 5);
        patches = sd.reshape(patches, -1, c.patchVectorSize());
        SDVariable patchW = sd.reshape(constant(TimmVitLayout.PATCH_WEIGHT), d, c.patchVectorSize());
        SDVariable emb = sd.mmul(patches, patchW, false, true, false).add(constant(TimmVitLayout.PATCH_BIAS));
        emb = sd.reshape(emb, -1, c.numPatches(), d);
        // CLS broadcast over a batch of unknown size: zero a [B,1,D] slice and add the token.
        SDVariable cls = emb.get(SDIndex.all(), SDIndex.interval(0, 1), SDIndex.all()).mul(0.0)
                .add(constant(TimmVitLayout.CLS_TOKEN));
        SDVariable tokens = sd.concat(1, cls, emb).add(constant(TimmVitLayout.POS_EMBED));
        SDVariable h = sd.reshape(tokens, -1, d);
        for (int i = 0; i < c.depth(); i++) {
            h = block(i, h, t);
        }
        h = layerNorm(h, TimmVitLayout.NORM_WEIGHT, TimmVitLayout.NORM_BIAS);
        return sd.reshape(h, -1, t, d).get(SDIndex.all(), SDIndex.point(0), SDIndex.all()).rename(FEATURE);
    }

    private SDVariable block(int i, SDVariable h, int t) {
        SDVariable a = layerNorm(h, TimmVitLayout.block(i, "norm1.weight"), TimmVitLayout.block(i, "norm1.bias"));
        h = h.add(attention(i, a, t));
        SDVariable m = layerNorm(h, TimmVitLayout.block(i, "norm2.weight"), TimmVitLayout.block(i, "norm2.bias"));
        SDVariable hidden = linear(m, TimmVitLayout.block(i, "mlp.fc1.weight"), TimmVitLayout.block(i, "mlp.fc1.bias"));
        return h.add(linear(gelu(hidden), TimmVitLayout.block(i, "mlp.fc2.weight"),
                TimmVitLayout.block(i, "mlp.fc2.bias")));
    }

    private SDVariable attention(int i, SDVariable x, int t) {
        int d = c.dim();
        SDVariable qkvW = constant(TimmVitLayout.block(i, "attn.qkv.weight"));
        SDVariable qkvB = constant(TimmVitLayout.block(i, "attn.qkv.bias"));
        SDVariable q = projection(i, x, qkvW, qkvB, 0, Projection.Q);
        SDVariable k = projection(i, x, qkvW, qkvB, 1, null);
        SDVariable v = projection(i, x, qkvW, qkvB, 2, Projection.V);
        // Scaling q (N x D) is cheaper than scaling the scores (B x H x T x T).
        q = heads(q.mul(1.0 / Math.sqrt(c.headDim())), t);
        SDVariable scores = sd.mmul(q, heads(k, t), false, true, false);
        SDVariable attn = sd.nn.softmax(scores, 3);
        SDVariable out = sd.mmul(attn, heads(v, t)).permute(0, 2, 1, 3);
        out = sd.reshape(out, -1, d);
        return linear(out, TimmVitLayout.block(i, "attn.proj.weight"), TimmVitLayout.block(i, "attn.proj.bias"));
    }

    private SDVariable projection(int block, SDVariable x, SDVariable qkvW, SDVariable qkvB, int index, Projection p) {
        int d = c.dim();
        SDVariable wp = qkvW.get(SDIndex.interval(index * d, (index + 1) * d), SDIndex.all());
        SDVariable bp = qkvB.get(SDIndex.interval(index * d, (index + 1) * d));
        SDVariable y = sd.mmul(x, wp, false, true, false).add(bp);
        if (p != null) {
            SDVariable delta = adapter.delta(sd, block, p, x);
            if (delta != null) {
                y = y.add(delta);
            }
        }
        return y;
    }

    /** [B*T, D] -> [B, H, T, hd]. */
    private SDVariable heads(SDVariable x, int t) {
        return sd.reshape(x, -1, t, c.heads(), c.headDim()).permute(0, 2, 1, 3);
    }

    private SDVariable linear(SDVariable x, String weight, String bias) {
        return sd.mmul(x, constant(weight), false, true, false).add(constant(bias));
    }

    /** LayerNorm over the last axis with timm's epsilon (SameDiff's layer_norm op has no epsilon argument). */
    private SDVariable layerNorm(SDVariable x, String gain, String bias) {
        // This form was the fastest exact one measured (square/rsqrt is slower; sd.variance has a wrong gradient).
        SDVariable centered = x.sub(x.mean(true, 1));
        SDVariable variance = centered.mul(centered).mean(true, 1);
        return centered.div(sd.math.sqrt(variance.add(c.layerNormEps()))).mul(constant(gain)).add(constant(bias));
    }

    /** Exact GELU, 0.5·x·(1 + erf(x/√2)), as PyTorch's nn.GELU(); ND4J's gelu ops are approximations. */
    private SDVariable gelu(SDVariable x) {
        SDVariable erf = sd.math.erf(x.mul(1.0 / Math.sqrt(2.0)));
        return x.mul(erf.add(1.0)).mul(0.5);
    }
}
