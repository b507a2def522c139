package io.github.sdlora4j.vit;

import org.nd4j.autodiff.samediff.SDIndex;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

/**
 * Writes the timm ViT forward pass into a SameDiff graph. Backbone tensors become constants (frozen) named after
 * their timm keys; linear weights are stored transposed ({@code .T}) and a frozen graph pre-combines a few of them
 * ({@code .folded}), as {@link TimmVitLayout} documents.
 *
 * <p>The residual stream stays a 2-D [batch*tokens, dim] matrix so that every projection is one GEMM; only
 * attention reshapes to [batch, heads, tokens, headDim].
 */
public final class VitGraph {

    /** Name of the image placeholder, shape [batch, channels, height, width]. */
    public static final String INPUT = "input";
    /** Name of the CLS feature after the final LayerNorm, shape [batch, dim]. */
    public static final String FEATURE = "feature";
    /** Suffix of graph arrays that hold a timm linear weight transposed to [in, out]. */
    public static final String TRANSPOSED = ".T";
    /** Suffix of frozen-graph constants that combine several timm tensors (see {@link #mlp} and the q scale). */
    public static final String FOLDED = ".folded";
    private static final String[] QKV = {"q", "k", "v"};
    private static volatile boolean backendChecked;

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
        checkBackendOnce();
        VitWeights typed = weights.castTo(type);
        VitGraph g = new VitGraph(sd, typed, adapter == null ? QkvAdapter.NONE : adapter, trainableBackbone);
        SDVariable x = sd.placeHolder(INPUT, type, -1, g.c.channels(), g.c.imageSize(), g.c.imageSize());
        return g.forward(x);
    }

    /** A GPU the backend has no kernels for fails here with a clear message instead of in native code later. */
    private static void checkBackendOnce() {
        if (!backendChecked) {
            io.github.sdlora4j.Backend.checkSupported();
            backendChecked = true;
        }
    }

    private SDVariable constant(String name) {
        return tensor(name, w.get(name));
    }

    private SDVariable tensor(String graphName, INDArray value) {
        return trainable ? sd.var(graphName, value.dup('c')) : sd.constant(graphName, value);
    }

    /**
     * A linear weight, stored in the graph transposed to [in, out] (name {@code <timm key>.T}) so that
     * {@link LinearMatmul} can be used: its backward builds dX and dW as separate ops, and SameDiff skips the dW GEMM of
     * a frozen weight, where {@code matmul}'s fused backward would compute it anyway (a third of the step).
     */
    private SDVariable transposed(String name, INDArray weight) {
        return tensor(name + TRANSPOSED, weight.transpose().dup('c'));
    }

    private SDVariable forward(SDVariable image) {
        int d = c.dim();
        int p = c.patchSize();
        int g = c.gridSize();
        int t = c.numTokens();
        // Patchify: [B,C,g,p,g,p] -> [B,g,g,C,p,p] -> rows of C*p*p, matching the conv weight's [D,C,p,p] layout.
        SDVariable patches = sd.reshape(image, -1, c.channels(), g, p, g, p).permute(0, 2, 4, 1, 3, 5);
        patches = sd.reshape(patches, -1, c.patchVectorSize());
        SDVariable patchW = transposed(TimmVitLayout.PATCH_WEIGHT,
                w.get(TimmVitLayout.PATCH_WEIGHT).reshape(d, c.patchVectorSize()));
        SDVariable emb = LinearMatmul.apply(sd, patches, patchW, constant(TimmVitLayout.PATCH_BIAS));
        emb = sd.reshape(emb, -1, c.numPatches(), d);
        // CLS broadcast over a batch of unknown size: zero a [B,1,D] slice and add the token.
        SDVariable cls = emb.get(SDIndex.all(), SDIndex.interval(0, 1), SDIndex.all()).mul(0.0)
                .add(constant(TimmVitLayout.CLS_TOKEN));
        SDVariable tokens = sd.concat(1, cls, emb).add(constant(TimmVitLayout.POS_EMBED));
        SDVariable h = sd.reshape(tokens, -1, d);
        for (int i = 0; i < c.depth(); i++) {
            h = block(i, h, t);
        }
        // LayerNorm acts per token, so normalizing only the CLS token gives the same feature for 1/T of the work.
        SDVariable clsOut = sd.reshape(h, -1, t, d).get(SDIndex.all(), SDIndex.point(0), SDIndex.all());
        return layerNorm(clsOut, TimmVitLayout.NORM_WEIGHT, TimmVitLayout.NORM_BIAS).rename(FEATURE);
    }

    private SDVariable block(int i, SDVariable h, int t) {
        SDVariable a = layerNorm(h, TimmVitLayout.block(i, "norm1.weight"), TimmVitLayout.block(i, "norm1.bias"));
        h = h.add(attention(i, a, t));
        return h.add(mlp(i, h));
    }

    /**
     * LN2 → fc1 → exact GELU → fc2. With a frozen backbone the constants are pre-combined so that fewer element-wise
     * passes run: LN2's gain and bias fold into fc1, and with z = h/√2 (1/√2 folded into fc1),
     * GELU(h) = (z + z·erf z)/√2, whose 1/√2 folds into fc2. The result is the same function.
     */
    private SDVariable mlp(int i, SDVariable h) {
        String fc1 = TimmVitLayout.block(i, "mlp.fc1.weight");
        String fc1b = TimmVitLayout.block(i, "mlp.fc1.bias");
        String fc2 = TimmVitLayout.block(i, "mlp.fc2.weight");
        String fc2b = TimmVitLayout.block(i, "mlp.fc2.bias");
        if (trainable) {
            SDVariable m = layerNorm(h, TimmVitLayout.block(i, "norm2.weight"), TimmVitLayout.block(i, "norm2.bias"));
            return linear(gelu(linear(m, fc1, fc1b)), fc2, fc2b);
        }
        double invSqrt2 = 1.0 / Math.sqrt(2.0);
        INDArray g2 = w.get(TimmVitLayout.block(i, "norm2.weight"));
        INDArray b2 = w.get(TimmVitLayout.block(i, "norm2.bias"));
        INDArray w1 = w.get(fc1);
        INDArray w1Folded = w1.mulRowVector(g2).muli(invSqrt2);
        INDArray b1Folded = w1.mmul(b2.reshape(b2.length(), 1)).reshape(w1.size(0)).addi(w.get(fc1b)).muli(invSqrt2);
        SDVariable z = LinearMatmul.apply(sd, normalize(h), sd.constant(fc1 + TRANSPOSED + FOLDED, w1Folded.transpose().dup('c')),
                sd.constant(fc1b + FOLDED, b1Folded));
        SDVariable act = z.mul(sd.math.erf(z).add(1.0));
        return LinearMatmul.apply(sd, act, sd.constant(fc2 + TRANSPOSED + FOLDED, w.get(fc2).mul(invSqrt2).transpose().dup('c')),
                constant(fc2b));
    }

    private SDVariable attention(int i, SDVariable x, int t) {
        int d = c.dim();
        double scale = c.attentionScale();
        SDVariable q = projection(i, x, 0, Projection.Q, scale);
        SDVariable k = projection(i, x, 1, null, 1.0);
        SDVariable v = projection(i, x, 2, Projection.V, 1.0);
        SDVariable scores = sd.mmul(heads(q, t), heads(k, t), false, true, false);
        SDVariable attn = sd.nn.softmax(scores, 3);
        SDVariable out = sd.mmul(attn, heads(v, t)).permute(0, 2, 1, 3);
        out = sd.reshape(out, -1, d);
        return linear(out, TimmVitLayout.block(i, "attn.proj.weight"), TimmVitLayout.block(i, "attn.proj.bias"));
    }

    /**
     * q, k or v from the fused timm weight, pre-split at build time into [D, D] transposed arrays, times
     * {@code scale}. Scaling q instead of the scores costs N×D instead of B×H×T×T; with a frozen backbone the scale is
     * folded into the constants and into the adapter's term, so it costs nothing.
     */
    private SDVariable projection(int block, SDVariable x, int index, Projection p, double scale) {
        long d = c.dim();
        String weight = TimmVitLayout.block(block, "attn.qkv.weight");
        String bias = TimmVitLayout.block(block, "attn.qkv.bias");
        INDArray rows = w.get(weight).get(NDArrayIndex.interval(index * d, (index + 1) * d), NDArrayIndex.all());
        INDArray biasPart = w.get(bias).get(NDArrayIndex.interval(index * d, (index + 1) * d)).dup();
        boolean foldScale = !trainable && scale != 1.0;
        String suffix = foldScale ? FOLDED : "";
        SDVariable wp = transposed(weight + "." + QKV[index] + suffix, foldScale ? rows.mul(scale) : rows);
        SDVariable bp = tensor(bias + "." + QKV[index] + suffix, foldScale ? biasPart.muli(scale) : biasPart);
        double termScale = foldScale ? scale : 1.0;
        if (p != null) {
            SDVariable weightDelta = adapter.weightDelta(sd, block, p, termScale);
            if (weightDelta != null) {
                wp = wp.add(weightDelta);
            }
        }
        SDVariable y = LinearMatmul.apply(sd, x, wp, bp);
        if (p != null) {
            SDVariable delta = adapter.delta(sd, block, p, x, termScale);
            if (delta != null) {
                y = y.add(delta);
            }
        }
        return foldScale || scale == 1.0 ? y : y.mul(scale);
    }

    /** [B*T, D] -> [B, H, T, hd]. */
    private SDVariable heads(SDVariable x, int t) {
        return sd.reshape(x, -1, t, c.heads(), c.headDim()).permute(0, 2, 1, 3);
    }

    private SDVariable linear(SDVariable x, String weight, String bias) {
        return LinearMatmul.apply(sd, x, transposed(weight, w.get(weight)), constant(bias));
    }

    /**
     * Reads a trained backbone back out of a graph built with {@code trainableBackbone}, undoing the transposes and
     * the q/k/v split, so the result has timm's names and layouts again.
     */
    public static VitWeights readBackbone(SameDiff sd, VitConfig config) {
        java.util.Map<String, INDArray> out = new java.util.LinkedHashMap<>();
        long d = config.dim();
        for (java.util.Map.Entry<String, long[]> e : TimmVitLayout.expectedShapes(config).entrySet()) {
            String name = e.getKey();
            INDArray value;
            if (name.endsWith("attn.qkv.weight")) {
                INDArray[] parts = new INDArray[3];
                for (int k = 0; k < 3; k++) {
                    parts[k] = sd.getArrForVarName(name + "." + QKV[k] + TRANSPOSED).transpose();
                }
                value = Nd4j.concat(0, parts);
            } else if (name.endsWith("attn.qkv.bias")) {
                INDArray[] parts = new INDArray[3];
                for (int k = 0; k < 3; k++) {
                    parts[k] = sd.getArrForVarName(name + "." + QKV[k]);
                }
                value = Nd4j.concat(0, parts);
            } else if (sd.hasVariable(name + TRANSPOSED)) {
                value = sd.getArrForVarName(name + TRANSPOSED).transpose();
            } else {
                value = sd.getArrForVarName(name);
            }
            out.put(name, value.reshape(e.getValue()).dup('c'));
        }
        return VitWeights.of(config, out, "graph");
    }

    /** LayerNorm over the last axis with timm's epsilon (SameDiff's layer_norm op has no epsilon argument). */
    private SDVariable layerNorm(SDVariable x, String gain, String bias) {
        return BiasAdd.apply(sd, LeanMultiply.byConstant(sd, normalize(x), constant(gain)), constant(bias));
    }

    /**
     * (x − mean)/√(var + eps) over the last axis: the fastest exact form measured (sd.variance's gradient is wrong,
     * and sd.math.square's backward goes through a slow pow derivative).
     */
    private SDVariable normalize(SDVariable x) {
        SDVariable centered = x.sub(x.mean(true, 1));
        SDVariable variance = LeanMultiply.square(sd, centered).mean(true, 1);
        return centered.div(sd.math.sqrt(variance.add(c.layerNormEps())));
    }

    /** Exact GELU, 0.5·x·(1 + erf(x/√2)), as PyTorch's nn.GELU(); ND4J's gelu ops are approximations. */
    private SDVariable gelu(SDVariable x) {
        SDVariable erf = sd.math.erf(x.mul(1.0 / Math.sqrt(2.0)));
        return x.mul(erf.add(1.0)).mul(0.5);
    }
}
