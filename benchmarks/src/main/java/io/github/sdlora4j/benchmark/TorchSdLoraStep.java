package io.github.sdlora4j.benchmark;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Activation;
import ai.djl.nn.convolutional.Conv2d;
import ai.djl.nn.core.Linear;
import ai.djl.nn.norm.LayerNorm;
import ai.djl.training.GradientCollector;
import io.github.sdlora4j.learner.ClassifierHead;
import io.github.sdlora4j.learner.SdLoraLearner;
import io.github.sdlora4j.learner.SdLoraMode;
import io.github.sdlora4j.lora.LoraFactors;
import io.github.sdlora4j.lora.SdLoraState;
import io.github.sdlora4j.vit.Projection;
import io.github.sdlora4j.vit.TimmVitLayout;
import io.github.sdlora4j.vit.VitConfig;
import io.github.sdlora4j.vit.VitWeights;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.indexing.NDArrayIndex;

import java.util.ArrayList;
import java.util.List;

/**
 * The PyTorch baseline: the same SD-LoRA training step written against libtorch through DJL, as the reference code
 * writes it in Python. timm ViT (Conv2d patch embedding, CLS token, pre-norm blocks with LayerNorm eps from the
 * config, fused qkv, exact erf GELU), and per block
 * {@code q += α_t·B_t(A_t x) + Σ_{i<t} (α_i + β_i)·B_i(A_i x)/(‖B_i‖·‖A_i‖)} (same for v), with the norms computed in
 * every forward as the reference does; the head scores the current task's classes; cross-entropy; SGD with PyTorch's
 * momentum rule. Only the current A/B, the magnitudes and the current head rows require gradients, so autograd does
 * no work for the frozen backbone.
 *
 * <p>It starts from a copy of a learner's state, so both implementations train the same numbers.
 */
final class TorchSdLoraStep implements AutoCloseable {

    private final NDManager manager;
    private final VitConfig config;
    private final NDArray patchWeight;
    private final NDArray patchBias;
    private final NDArray clsToken;
    private final NDArray posEmbed;
    private final List<NDArray[]> blocks = new ArrayList<>(); // n1w n1b qkvW qkvB projW projB n2w n2b fc1W fc1B fc2W fc2B
    private final NDArray normWeight;
    private final NDArray normBias;
    /** [block][projection][task] factors A [r, D] and B [D, r]. */
    private final NDArray[][][] loraA;
    private final NDArray[][][] loraB;
    private final double[][][] assimilated;
    private final NDArray magnitudes;
    private final NDArray headWeight;
    private final NDArray headBias;
    private final int current;
    private final List<NDArray> trainable = new ArrayList<>();
    private final List<NDArray> velocity = new ArrayList<>();
    private final double learningRate;
    private final double momentum;
    private NDArray images;
    private NDArray labels;

    /** Copies {@code learner}'s backbone, adapters, magnitudes and current head rows into libtorch tensors. */
    TorchSdLoraStep(PyTorchRuntime runtime, SdLoraLearner learner) {
        if (learner.config().mode() != SdLoraMode.REFERENCE || !learner.inTask()) {
            throw new IllegalArgumentException("The PyTorch baseline reproduces the reference mode during a task; got "
                    + learner.config().mode() + (learner.inTask() ? "" : " with no task in progress"));
        }
        if (!learner.config().optimizer().type().equals("sgd")) {
            throw new IllegalArgumentException("The PyTorch baseline implements SGD, got " + learner.config().optimizer());
        }
        this.manager = runtime.engine().newBaseManager();
        this.config = learner.config().vit();
        this.learningRate = learner.config().optimizer().learningRate();
        this.momentum = learner.config().optimizer().momentum();
        VitWeights w = learner.backbone();
        patchWeight = copy(w.get(TimmVitLayout.PATCH_WEIGHT));
        patchBias = copy(w.get(TimmVitLayout.PATCH_BIAS));
        clsToken = copy(w.get(TimmVitLayout.CLS_TOKEN));
        posEmbed = copy(w.get(TimmVitLayout.POS_EMBED));
        String[] suffixes = {"norm1.weight", "norm1.bias", "attn.qkv.weight", "attn.qkv.bias", "attn.proj.weight",
                "attn.proj.bias", "norm2.weight", "norm2.bias", "mlp.fc1.weight", "mlp.fc1.bias", "mlp.fc2.weight",
                "mlp.fc2.bias"};
        for (int l = 0; l < config.depth(); l++) {
            NDArray[] b = new NDArray[suffixes.length];
            for (int j = 0; j < suffixes.length; j++) {
                b[j] = copy(w.get(TimmVitLayout.block(l, suffixes[j])));
            }
            blocks.add(b);
        }
        normWeight = copy(w.get(TimmVitLayout.NORM_WEIGHT));
        normBias = copy(w.get(TimmVitLayout.NORM_BIAS));

        SdLoraState state = learner.state();
        current = state.currentTask();
        int tasks = state.numTasks();
        int projections = Projection.values().length;
        loraA = new NDArray[config.depth()][projections][tasks];
        loraB = new NDArray[config.depth()][projections][tasks];
        assimilated = new double[config.depth()][projections][tasks];
        for (int l = 0; l < config.depth(); l++) {
            for (Projection p : Projection.values()) {
                for (int t = 0; t < tasks; t++) {
                    LoraFactors f = state.task(t).get(l, p);
                    loraA[l][p.ordinal()][t] = copy(f.a());
                    loraB[l][p.ordinal()][t] = copy(f.b());
                    assimilated[l][p.ordinal()][t] = state.assimilated(l, p, t);
                    if (t == current) {
                        train(loraA[l][p.ordinal()][t]);
                        train(loraB[l][p.ordinal()][t]);
                    }
                }
            }
        }
        magnitudes = train(manager.create(toFloats(state.magnitudes())));
        ClassifierHead head = learner.head();
        int known = learner.knownClasses();
        headWeight = train(copy(head.weight().get(NDArrayIndex.interval(known, head.numClasses()), NDArrayIndex.all())));
        headBias = train(copy(head.bias().get(NDArrayIndex.interval(known, head.numClasses()))));
    }

    /** Sets the batch (images [N, C, H, W]; labels one-hot over the current task's classes, [N, c]). */
    private void setBatch(INDArray batchImages, INDArray taskLabels) {
        if (images != null) {
            images.close();
            labels.close();
        }
        images = copy(batchImages);
        labels = copy(taskLabels);
    }

    /** Sets the batch from a learner batch whose labels are one-hot over all classes. */
    void setBatch(DataSet batch, int knownClasses) {
        INDArray y = batch.getLabels();
        setBatch(batch.getFeatures(), y.get(NDArrayIndex.all(), NDArrayIndex.interval(knownClasses, y.size(1))));
    }

    /** One step (forward, backward, SGD update) on the current batch; returns the loss before the update. */
    float step() {
        if (images == null) {
            throw new IllegalStateException("Call setBatch first");
        }
        try (NDScope scope = new NDScope()) {
            NDArray loss;
            try (GradientCollector collector = manager.getEngine().newGradientCollector()) {
                loss = loss(images, labels);
                collector.backward(loss);
            }
            for (int i = 0; i < trainable.size(); i++) {
                NDArray p = trainable.get(i);
                NDArray g = p.getGradient();
                // torch.optim.SGD: v = μ·v + g; p = p − lr·v (v starts at zero, so the first step gives v = g).
                velocity.get(i).muli(momentum).addi(g);
                p.subi(velocity.get(i).mul(learningRate));
                g.subi(g); // zero_grad: libtorch accumulates into .grad
            }
            return loss.getFloat();
        }
    }

    /** Current task's B of {@code block} and {@code p}. */
    float[] currentB(int block, Projection p) {
        return loraB[block][p.ordinal()][current].toFloatArray();
    }

    /** Current magnitudes α. */
    float[] magnitudes() {
        return magnitudes.toFloatArray();
    }

    private NDArray loss(NDArray x, NDArray y) {
        NDArray logProb = logitsOf(x).logSoftmax(1);
        return logProb.mul(y).sum(new int[]{1}).mean().neg();
    }

    private NDArray logitsOf(NDArray x) {
        long n = x.getShape().get(0);
        int d = config.dim();
        int patch = config.patchSize();
        NDArray emb = Conv2d.conv2d(x, patchWeight, patchBias, new Shape(patch, patch)).singletonOrThrow();
        emb = emb.reshape(n, d, config.numPatches()).transpose(0, 2, 1);
        NDArray cls = clsToken.broadcast(new Shape(n, 1, d));
        NDArray h = NDArrays.concat(new NDList(cls, emb), 1).add(posEmbed);
        for (int l = 0; l < config.depth(); l++) {
            h = block(l, h);
        }
        h = layerNorm(h, normWeight, normBias);
        NDArray feature = h.get(":, 0, :");
        return Linear.linear(feature, headWeight, headBias).singletonOrThrow();
    }

    private NDArray block(int l, NDArray h) {
        NDArray[] w = blocks.get(l);
        int d = config.dim();
        NDArray x = layerNorm(h, w[0], w[1]);
        NDArray qkv = Linear.linear(x, w[2], w[3]).singletonOrThrow();
        NDArray q = qkv.get(":, :, 0:" + d).add(delta(l, Projection.Q, x));
        NDArray k = qkv.get(":, :, " + d + ":" + 2 * d);
        NDArray v = qkv.get(":, :, " + 2 * d + ":").add(delta(l, Projection.V, x));
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

    /** The reference code's LoRA sum for one projection, task by task. */
    private NDArray delta(int l, Projection p, NDArray x) {
        NDArray[] as = loraA[l][p.ordinal()];
        NDArray[] bs = loraB[l][p.ordinal()];
        NDArray sum = lowRank(x, as[current], bs[current]).mul(magnitudes.get(current));
        for (int t = 0; t < as.length; t++) {
            if (t == current) {
                continue;
            }
            NDArray norm = bs[t].norm().mul(as[t].norm());
            if (norm.getFloat() == 0f) {
                continue; // a direction merged away by KD contributes nothing, as in the reference
            }
            NDArray scale = magnitudes.get(t).add(assimilated[l][p.ordinal()][t]).div(norm);
            sum = sum.add(lowRank(x, as[t], bs[t]).mul(scale));
        }
        return sum;
    }

    private static NDArray lowRank(NDArray x, NDArray a, NDArray b) {
        return Linear.linear(Linear.linear(x, a).singletonOrThrow(), b).singletonOrThrow();
    }

    private NDArray layerNorm(NDArray x, NDArray gain, NDArray bias) {
        return LayerNorm.layerNorm(x, new Shape(config.dim()), gain, bias, (float) config.layerNormEps())
                .singletonOrThrow();
    }

    private NDArray train(NDArray p) {
        p.setRequiresGradient(true);
        trainable.add(p);
        velocity.add(manager.zeros(p.getShape()));
        return p;
    }

    private NDArray copy(INDArray a) {
        INDArray c = a.castTo(DataType.FLOAT).dup('c');
        return manager.create(c.reshape(c.length()).toFloatVector(), new Shape(a.shape()));
    }

    private static float[] toFloats(double[] values) {
        float[] f = new float[values.length];
        for (int i = 0; i < values.length; i++) {
            f[i] = (float) values[i];
        }
        return f;
    }

    @Override
    public void close() {
        manager.close();
    }
}
