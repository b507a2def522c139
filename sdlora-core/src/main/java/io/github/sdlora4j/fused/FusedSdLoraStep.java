package io.github.sdlora4j.fused;

import io.github.sdlora4j.NativeArrays;
import io.github.sdlora4j.lora.DirectionNorm;
import io.github.sdlora4j.lora.SdLoraAlgebra;
import io.github.sdlora4j.lora.SdLoraState;
import io.github.sdlora4j.vit.Projection;
import io.github.sdlora4j.vit.VitConfig;
import io.github.sdlora4j.vit.VitWeights;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

import java.util.Arrays;
import java.util.function.IntConsumer;

/**
 * Loss and gradients of one SD-LoRA training batch, computed by hand: the same function as the SameDiff training
 * graph (frozen ViT with SD-LoRA terms on q and v, the current task's head rows, mean softmax cross-entropy over the
 * task's classes), with gradients for the current task's A and B, the magnitudes α and the head rows only.
 *
 * <p>Parameters live in this object ({@link #factorA} etc.); an optimizer subtracts its updates from them between
 * calls. A batch is split into contiguous shares of images, one per thread, each computed with single-threaded BLAS
 * and its own work arrays ({@link ShardExecutor}); the shares' losses and gradients are summed in shard order, so the
 * result depends on the thread count only through float rounding. What does not grow with a share's images (merging
 * the LoRA terms into q and v, and the end of their backward) runs once per step, split across the threads by block
 * and projection, so that its cost does not repeat on every core. Activations are kept in arrays reused from batch
 * to batch of the same size. Not thread-safe: one caller at a time per instance.
 */
public final class FusedSdLoraStep {

    private final VitConfig c;
    private final FrozenVit vit;
    /** Every block's q and v adapters, shared by the shards: they hold the trained factors and their gradients. */
    private final ProjectionAdapter[][] adapters;
    /** Every block's q|k|v weight with this step's LoRA terms merged in, [D, 3D], read by all shards. */
    private final INDArray[] mergedQkv;
    private final Shard[] shards;
    /** Each projection's work in every shard, [block·projections + projection][shard]: what {@code finish} sums. */
    private final ProjectionAdapter.Work[][] works;
    private final ShardExecutor executor;
    private final INDArray magnitudes;
    private final INDArray magnitudesGrad;
    private final INDArray headWeight;
    private final INDArray headBias;
    private final INDArray headWeightGrad;
    private final INDArray headBiasGrad;

    /** One thread's share of a batch: its adapters' work arrays, its activations, its head gradients. */
    private static final class Shard {
        final ProjectionAdapter.Work[][] work;
        final RecentBySize<Activations> activations = new RecentBySize<>();
        final INDArray headWeightGrad;
        final INDArray headBiasGrad;
        Activations act;
        double loss;

        Shard(ProjectionAdapter[][] adapters, INDArray headWeightGrad, INDArray headBiasGrad) {
            work = new ProjectionAdapter.Work[adapters.length][];
            for (int l = 0; l < adapters.length; l++) {
                work[l] = new ProjectionAdapter.Work[adapters[l].length];
                for (int p = 0; p < adapters[l].length; p++) {
                    work[l][p] = adapters[l][p].newWork();
                }
            }
            this.headWeightGrad = headWeightGrad;
            this.headBiasGrad = headBiasGrad;
        }
    }

    /**
     * A step on {@link FusedThreads#defaultThreads()} threads.
     *
     * @param headWeight the current task's head rows [classes, D] (copied)
     * @param headBias   their bias [classes] (copied)
     */
    public FusedSdLoraStep(VitWeights backbone, SdLoraState state, DirectionNorm norm, INDArray headWeight,
                           INDArray headBias) {
        this(backbone, state, norm, headWeight, headBias, FusedThreads.defaultThreads());
    }

    /**
     * A step on {@code threads} threads (at least 1; a batch of fewer images uses one per image).
     *
     * @param headWeight the current task's head rows [classes, D] (copied)
     * @param headBias   their bias [classes] (copied)
     */
    public FusedSdLoraStep(VitWeights backbone, SdLoraState state, DirectionNorm norm, INDArray headWeight,
                           INDArray headBias, int threads) {
        this(backbone, SdLoraAlgebra.of(state, norm, SdLoraAlgebra.Training.ALL), headWeight, headBias, threads);
    }

    /**
     * Executes {@code algebra}, which must train the factors, on {@link FusedThreads#defaultThreads()} threads.
     *
     * @param headWeight the current task's head rows [classes, D] (copied)
     * @param headBias   their bias [classes] (copied)
     */
    public FusedSdLoraStep(VitWeights backbone, SdLoraAlgebra algebra, INDArray headWeight, INDArray headBias) {
        this(backbone, algebra, headWeight, headBias, FusedThreads.defaultThreads());
    }

    /**
     * Executes {@code algebra}, which must train the factors, on {@code threads} threads (at least 1).
     *
     * @param headWeight the current task's head rows [classes, D] (copied)
     * @param headBias   their bias [classes] (copied)
     */
    public FusedSdLoraStep(VitWeights backbone, SdLoraAlgebra algebra, INDArray headWeight, INDArray headBias,
                           int threads) {
        requireVectorModule();
        if (algebra == null) {
            throw new IllegalArgumentException("The fused step needs an SD-LoRA algebra, got null");
        }
        this.executor = new ShardExecutor(threads);
        this.c = backbone.config();
        if (algebra.depth() != c.depth()) {
            throw new IllegalArgumentException("SD-LoRA state has " + algebra.depth() + " blocks, the ViT " + c.depth());
        }
        if (!algebra.training().factors()) {
            throw new IllegalArgumentException("The fused step trains the current factors; the algebra's mode is "
                    + algebra.training());
        }
        if (headWeight.rank() != 2 || headWeight.size(1) != c.dim() || headBias.length() != headWeight.size(0)) {
            throw new IllegalArgumentException("Head rows must be [classes, " + c.dim() + "] and [classes], got "
                    + Arrays.toString(headWeight.shape()) + " and " + Arrays.toString(headBias.shape()));
        }
        this.vit = new FrozenVit(backbone);
        this.adapters = adapters(algebra);
        this.mergedQkv = new INDArray[c.depth()];
        for (int l = 0; l < c.depth(); l++) {
            mergedQkv[l] = Matrices.matrix(c.dim(), 3L * c.dim());
        }
        this.magnitudes = Nd4j.create(algebra.magnitudes(), new long[]{algebra.numTasks()}, DataType.FLOAT);
        this.magnitudesGrad = magnitudes.ulike();
        this.headWeight = headWeight.castTo(DataType.FLOAT).dup('c');
        this.headBias = headBias.castTo(DataType.FLOAT).reshape(headBias.length()).dup('c');
        this.headWeightGrad = this.headWeight.ulike();
        this.headBiasGrad = this.headBias.ulike();
        this.shards = new Shard[threads];
        shards[0] = new Shard(adapters, headWeightGrad, headBiasGrad);
        for (int s = 1; s < threads; s++) {
            shards[s] = new Shard(adapters, headWeightGrad.ulike(), headBiasGrad.ulike());
        }
        int projections = adapters[0].length;
        this.works = new ProjectionAdapter.Work[c.depth() * projections][threads];
        for (int s = 0; s < threads; s++) {
            for (int i = 0; i < works.length; i++) {
                works[i][s] = shards[s].work[i / projections][i % projections];
            }
        }
    }

    /** Every block's q and v terms of {@code algebra}. */
    private ProjectionAdapter[][] adapters(SdLoraAlgebra algebra) {
        ProjectionAdapter[][] adapters = new ProjectionAdapter[c.depth()][];
        for (int l = 0; l < c.depth(); l++) {
            adapters[l] = new ProjectionAdapter[]{
                    new ProjectionAdapter(algebra.terms(l, Projection.Q), vit.qScale),
                    new ProjectionAdapter(algebra.terms(l, Projection.V), 1.0)};
        }
        return adapters;
    }

    /**
     * Releases this step's native memory at once (backbone copy, every share's adapters and activations, parameters
     * and gradients) rather than at a later garbage collection; the arrays it handed out ({@link #factorA} and the
     * others) go with it, so copy what is kept first. Unusable afterwards.
     */
    public void close() {
        vit.close();
        for (ProjectionAdapter[] block : adapters) {
            for (ProjectionAdapter p : block) {
                p.close();
            }
        }
        NativeArrays.close(mergedQkv);
        for (Shard s : shards) {
            for (ProjectionAdapter.Work[] block : s.work) {
                for (ProjectionAdapter.Work w : block) {
                    w.close();
                }
            }
            s.activations.clear(Activations::close);
            s.act = null;
            if (s.headWeightGrad != headWeightGrad) {
                NativeArrays.close(s.headWeightGrad, s.headBiasGrad);
            }
        }
        NativeArrays.close(magnitudes, magnitudesGrad, headWeight, headBias, headWeightGrad, headBiasGrad);
    }

    /** Whether the JVM was started with {@code --add-modules jdk.incubator.vector}, which this step needs. */
    public static boolean vectorModulePresent() {
        return ModuleLayer.boot().findModule("jdk.incubator.vector").isPresent();
    }

    static void requireVectorModule() {
        if (!vectorModulePresent()) {
            throw new IllegalStateException("The fused SD-LoRA step needs the JDK's vector module: start the JVM with "
                    + "--add-modules jdk.incubator.vector (or use the SameDiff training engine)");
        }
    }

    /** The gradient form the algebra chose for one block and projection. */
    public SdLoraAlgebra.GradientForm gradientForm(int block, Projection p) {
        return adapters[block][p.ordinal()].gradientForm();
    }

    /** The current task's A [r, D] of one block and projection (live: the optimizer updates it in place). */
    public INDArray factorA(int block, Projection p) {
        return adapters[block][p.ordinal()].a;
    }

    /** The current task's B [D, r] (live). */
    public INDArray factorB(int block, Projection p) {
        return adapters[block][p.ordinal()].b;
    }

    /** The gradient of {@link #factorA} from the last {@link #lossAndGradients} call. */
    public INDArray factorAGradient(int block, Projection p) {
        return adapters[block][p.ordinal()].gradA;
    }

    /** The gradient of {@link #factorB}. */
    public INDArray factorBGradient(int block, Projection p) {
        return adapters[block][p.ordinal()].gradB;
    }

    /** The magnitudes α [tasks] (live). */
    public INDArray magnitudes() {
        return magnitudes;
    }

    public INDArray magnitudesGradient() {
        return magnitudesGrad;
    }

    /** The current task's head rows [classes, D] (live). */
    public INDArray headWeight() {
        return headWeight;
    }

    public INDArray headBias() {
        return headBias;
    }

    public INDArray headWeightGradient() {
        return headWeightGrad;
    }

    public INDArray headBiasGradient() {
        return headBiasGrad;
    }

    /**
     * Forward and backward of one batch; fills the gradient arrays.
     *
     * @param images [B, channels, size, size]
     * @param labels [B, classes of the task], one-hot or any non-negative targets (the loss is
     *               {@code −Σ y·log softmax} averaged over the batch, as SameDiff's softmax cross-entropy)
     * @return the batch's mean loss
     */
    public double lossAndGradients(INDArray images, INDArray labels) {
        int classes = (int) headWeight.size(0);
        if (images.rank() != 4 || images.size(0) < 1 || images.size(1) != c.channels()
                || images.size(2) != c.imageSize() || images.size(3) != c.imageSize()) {
            throw new IllegalArgumentException("Images must be [batch, " + c.channels() + ", " + c.imageSize() + ", "
                    + c.imageSize() + "] with batch >= 1, got " + Arrays.toString(images.shape()));
        }
        if (labels.rank() != 2 || labels.size(0) != images.size(0) || labels.size(1) != classes) {
            throw new IllegalArgumentException("Labels must be [" + images.size(0) + ", " + classes + "], got "
                    + Arrays.toString(labels.shape()));
        }
        int batch = (int) images.size(0);
        int count = Math.min(shards.length, batch);
        int[] ranges = ShardExecutor.split(batch, count);
        INDArray input = Matrices.plain(images);
        INDArray[] shardLabels = new INDArray[count];
        for (int s = 0; s < count; s++) {
            shardLabels[s] = count == 1 ? labels
                    : labels.get(NDArrayIndex.interval(ranges[2 * s], ranges[2 * s] + ranges[2 * s + 1]), NDArrayIndex.all());
        }
        for (int s = 0; s < count; s++) {
            prepare(shards[s], ranges[2 * s + 1]);
        }
        double[] alpha = magnitudes.data().asDouble();
        int projections = adapters[0].length;
        onEvery(c.depth(), l -> merge(l, alpha));
        executor.run(count, s -> shardStep(shards[s], input, ranges[2 * s], ranges[2 * s + 1], shardLabels[s], batch));
        onEvery(works.length, i -> adapters[i / projections][i % projections].finish(works[i], count));
        // Fixed order: shard 0's arrays are the results, the others are added in turn; α's gradient by block.
        double loss = 0;
        for (int s = 0; s < count; s++) {
            loss += shards[s].loss;
            if (s > 0) {
                headWeightGrad.addi(shards[s].headWeightGrad);
                headBiasGrad.addi(shards[s].headBiasGrad);
            }
        }
        double[] dAlpha = new double[alpha.length];
        for (ProjectionAdapter[] block : adapters) {
            for (ProjectionAdapter p : block) {
                double[] part = p.alphaGradient();
                for (int i = 0; i < part.length; i++) {
                    dAlpha[i] += part[i];
                }
            }
        }
        float[] da = new float[dAlpha.length];
        for (int i = 0; i < da.length; i++) {
            da[i] = (float) dAlpha[i];
        }
        Matrices.write(da, magnitudesGrad);
        return loss;
    }

    /** Runs {@code item} for 0 … {@code items − 1}, the items dealt round-robin to the executor's threads. */
    private void onEvery(int items, IntConsumer item) {
        int threads = Math.min(executor.threads(), items);
        executor.run(threads, s -> {
            for (int i = s; i < items; i += threads) {
                item.accept(i);
            }
        });
    }

    /** Block {@code l}'s q|k|v weight with this step's LoRA terms merged into q and v. */
    private void merge(int l, double[] alpha) {
        int d = c.dim();
        mergedQkv[l].assign(vit.blocks[l].qkvWeight);
        for (Projection p : Projection.values()) {
            int col = p.qkvIndex() * d;
            adapters[l][p.ordinal()].mergeInto(mergedQkv[l].get(NDArrayIndex.all(), NDArrayIndex.interval(col, col + d)),
                    alpha);
        }
    }

    /**
     * Makes shard {@code s}'s work arrays for {@code size} images on the calling thread: glibc keeps a freed buffer in
     * the arena of the thread that allocated it, and the pool's threads come and go, so arrays made on them were not
     * reused by the next task's (resident memory grew by a set of work arrays per task).
     */
    private void prepare(Shard s, int size) {
        s.act = s.activations.get(size, b -> new Activations(c, b, true));
        for (ProjectionAdapter.Work[] block : s.work) {
            for (ProjectionAdapter.Work w : block) {
                w.prepare(size * c.numTokens());
            }
        }
    }

    /** Forward and backward of images {@code [first, first + size)}: the shard's loss share and gradients. */
    private void shardStep(Shard s, INDArray images, int first, int size, INDArray labels, int batch) {
        ForwardPass.embed(vit, s.act, images, first);
        float[] pending = null;
        for (int l = 0; l < c.depth(); l++) {
            pending = blockForward(s, l, pending);
        }
        s.loss = ClassifierLoss.lossAndBackward(c, vit, s.act, pending, headWeight, headBias, labels, s.headWeightGrad,
                s.headBiasGrad, batch);
        for (int l = c.depth() - 1; l >= 0; l--) {
            blockBackward(s, l);
        }
    }

    /** One block's forward with the LoRA terms merged into q and v; returns the bias left pending. */
    private float[] blockForward(Shard sh, int l, float[] pendingBias) {
        Activations.Saved s = sh.act.saved(l);
        float[] pending = ForwardPass.block(vit, l, sh.act, s, pendingBias, mergedQkv[l]);
        for (Projection p : Projection.values()) {
            sh.work[l][p.ordinal()].forward(s.ln1);
        }
        return pending;
    }

    /** One block's backward: {@code sh.act.dh} holds the gradient of its output and receives that of its input. */
    private void blockBackward(Shard sh, int l) {
        Activations a = sh.act;
        FrozenVit.Block w = vit.blocks[l];
        Activations.Saved s = a.saved[l];
        int n = a.rows;
        int d = c.dim();
        if (l == c.depth() - 1) {
            Matrices.write(a.dh, a.gradStream); // later blocks' LayerNorm backward leaves it there
        }
        Matrices.gemm(a.gradStream, false, w.fc2Weight, true, a.hidden, 0.0);
        VectorKernels.multiply(a.hiddenBytes, s.geluDerivative, n * c.mlpDim());
        Matrices.gemm(a.hidden, false, w.fc1Weight, true, a.normed, 0.0);
        VectorKernels.normalizeBackward(a.normedBytes, s.xhat2, s.rstd2, n, d, null, a.rowScratch, a.rowScratch2, a.nd,
                a.dh, a.gradStreamBytes);
        Matrices.gemm(a.gradStream, false, w.projWeight, true, a.out, 0.0);
        a.attention.backward(s.qkv, s.probs, a.out, a.scores, a.dQkv, a.probsHost, a.scoresHost);
        for (Projection p : Projection.values()) {
            int col = p.qkvIndex() * d;
            INDArray dy = a.dQkv.get(NDArrayIndex.all(), NDArrayIndex.interval(col, col + d));
            sh.work[l][p.ordinal()].backward(s.ln1, dy);
        }
        if (l > 0) {
            Matrices.gemm(a.dQkv, false, mergedQkv[l], true, a.normed, 0.0);
            VectorKernels.normalizeBackward(a.normedBytes, s.xhat1, s.rstd1, n, d, w.norm1Gain, a.rowScratch,
                    a.rowScratch2, a.nd, a.dh, a.gradStreamBytes);
        }
    }
}
