package io.github.sdlora4j.benchmark;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.nn.core.Linear;
import ai.djl.training.GradientCollector;
import io.github.sdlora4j.learner.ClassifierHead;
import io.github.sdlora4j.learner.SdLoraLearner;
import io.github.sdlora4j.learner.SdLoraMode;
import io.github.sdlora4j.lora.LoraFactors;
import io.github.sdlora4j.lora.SdLoraState;
import io.github.sdlora4j.vit.Projection;
import io.github.sdlora4j.vit.VitConfig;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.indexing.NDArrayIndex;

import java.util.ArrayList;
import java.util.List;

/**
 * The PyTorch baseline: the same SD-LoRA training step written against libtorch through DJL, as the reference code
 * writes it in Python. timm ViT ({@link TorchVit}), and per block
 * {@code q += α_t·B_t(A_t x) + Σ_{i<t} (α_i + β_i)·B_i(A_i x)/(‖B_i‖·‖A_i‖)} (same for v), with the norms computed in
 * every forward as the reference does; the head scores the current task's classes; cross-entropy; SGD with PyTorch's
 * momentum rule. Only the current A/B, the magnitudes and the current head rows require gradients, so autograd does
 * no work for the frozen backbone.
 *
 * <p>It starts from a copy of a learner's state, so both implementations train the same numbers.
 */
final class TorchSdLoraStep implements AutoCloseable {

    private final NDManager manager;
    private final TorchVit vit;
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
        this.learningRate = learner.config().optimizer().learningRate();
        this.momentum = learner.config().optimizer().momentum();
        this.vit = new TorchVit(manager, learner.backbone());
        VitConfig config = vit.config();

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
                    loraA[l][p.ordinal()][t] = vit.copy(f.a());
                    loraB[l][p.ordinal()][t] = vit.copy(f.b());
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
        headWeight = train(vit.copy(head.weight().get(NDArrayIndex.interval(known, head.numClasses()),
                NDArrayIndex.all())));
        headBias = train(vit.copy(head.bias().get(NDArrayIndex.interval(known, head.numClasses()))));
    }

    /** Sets the batch (images [N, C, H, W]; labels one-hot over the current task's classes, [N, c]). */
    private void setBatch(INDArray batchImages, INDArray taskLabels) {
        if (images != null) {
            images.close();
            labels.close();
        }
        images = vit.copy(batchImages);
        labels = vit.copy(taskLabels);
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
        return Linear.linear(vit.features(x, this::delta), headWeight, headBias).singletonOrThrow();
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

    private NDArray train(NDArray p) {
        p.setRequiresGradient(true);
        trainable.add(p);
        velocity.add(manager.zeros(p.getShape()));
        return p;
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
