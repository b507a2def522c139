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

/**
 * Loss and gradients of one SD-LoRA training batch, computed by hand: the same function as the SameDiff training
 * graph (frozen ViT with SD-LoRA terms on q and v, the current task's head rows, mean softmax cross-entropy over the
 * task's classes), with gradients for the current task's A and B, the magnitudes α and the head rows only.
 *
 * <p>Parameters live in this object ({@link #factorA} etc.); an optimizer subtracts its updates from them between
 * calls. Activations are kept in arrays reused from batch to batch of the same size. Not thread-safe: one training
 * thread per instance.
 */
public final class FusedSdLoraStep {

    private final VitConfig c;
    private final FrozenVit vit;
    private final ProjectionAdapter[][] adapters;
    private final INDArray magnitudes;
    private final INDArray magnitudesGrad;
    private final INDArray headWeight;
    private final INDArray headBias;
    private final INDArray headWeightGrad;
    private final INDArray headBiasGrad;
    private final RecentBySize<Activations> activations = new RecentBySize<>();
    private Activations act;

    /**
     * @param headWeight the current task's head rows [classes, D] (copied)
     * @param headBias   their bias [classes] (copied)
     */
    public FusedSdLoraStep(VitWeights backbone, SdLoraState state, DirectionNorm norm, INDArray headWeight,
                           INDArray headBias) {
        this(backbone, SdLoraAlgebra.of(state, norm, SdLoraAlgebra.Training.ALL), headWeight, headBias);
    }

    /**
     * Executes {@code algebra}, which must train the factors.
     *
     * @param headWeight the current task's head rows [classes, D] (copied)
     * @param headBias   their bias [classes] (copied)
     */
    public FusedSdLoraStep(VitWeights backbone, SdLoraAlgebra algebra, INDArray headWeight, INDArray headBias) {
        requireVectorModule();
        if (algebra == null) {
            throw new IllegalArgumentException("The fused step needs an SD-LoRA algebra, got null");
        }
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
        this.adapters = new ProjectionAdapter[c.depth()][];
        for (int l = 0; l < c.depth(); l++) {
            adapters[l] = new ProjectionAdapter[]{
                    new ProjectionAdapter(algebra.terms(l, Projection.Q), vit.qScale),
                    new ProjectionAdapter(algebra.terms(l, Projection.V), 1.0)};
        }
        this.magnitudes = Nd4j.create(algebra.magnitudes(), new long[]{algebra.numTasks()}, DataType.FLOAT);
        this.magnitudesGrad = magnitudes.ulike();
        this.headWeight = headWeight.castTo(DataType.FLOAT).dup('c');
        this.headBias = headBias.castTo(DataType.FLOAT).reshape(headBias.length()).dup('c');
        this.headWeightGrad = this.headWeight.ulike();
        this.headBiasGrad = this.headBias.ulike();
    }

    /** Whether the JVM was started with {@code --add-modules jdk.incubator.vector}, which this step needs. */
    public static boolean vectorModulePresent() {
        return ModuleLayer.boot().findModule("jdk.incubator.vector").isPresent();
    }

    private static void requireVectorModule() {
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
        if (images.rank() != 4 || images.size(1) != c.channels() || images.size(2) != c.imageSize()
                || images.size(3) != c.imageSize()) {
            throw new IllegalArgumentException("Images must be [batch, " + c.channels() + ", " + c.imageSize() + ", "
                    + c.imageSize() + "], got " + Arrays.toString(images.shape()));
        }
        if (labels.rank() != 2 || labels.size(0) != images.size(0) || labels.size(1) != classes) {
            throw new IllegalArgumentException("Labels must be [" + images.size(0) + ", " + classes + "], got "
                    + Arrays.toString(labels.shape()));
        }
        int batch = (int) images.size(0);
        act = activations.get(batch, b -> new Activations(c, b));
        float[] alpha = magnitudes.data().asFloat();
        embed(images);
        float[] pending = null;
        for (int l = 0; l < c.depth(); l++) {
            pending = blockForward(l, pending, alpha);
        }
        double loss = ClassifierLoss.lossAndBackward(c, vit, act, pending, headWeight, headBias, labels,
                headWeightGrad, headBiasGrad);
        double[] dAlpha = new double[alpha.length];
        for (int l = c.depth() - 1; l >= 0; l--) {
            blockBackward(l, dAlpha);
        }
        float[] da = new float[dAlpha.length];
        for (int i = 0; i < da.length; i++) {
            da[i] = (float) dAlpha[i];
        }
        Matrices.write(da, magnitudesGrad);
        return loss;
    }

    /**
     * Releases this step's native memory at once (backbone copy, activations, parameters and gradients) rather than
     * at a later garbage collection; the arrays it handed out ({@link #factorA} and the others) go with it, so copy
     * what is kept first. Unusable afterwards.
     */
    public void close() {
        vit.close();
        for (ProjectionAdapter[] block : adapters) {
            for (ProjectionAdapter p : block) {
                p.close();
            }
        }
        activations.clear(Activations::close);
        act = null;
        NativeArrays.close(magnitudes, magnitudesGrad, headWeight, headBias, headWeightGrad, headBiasGrad);
    }

    /** Patch embedding, CLS token and position embedding into the residual stream. */
    private void embed(INDArray images) {
        Activations a = act;
        int p = c.patchSize();
        int g = c.gridSize();
        int size = c.imageSize();
        int channels = c.channels();
        int patches = c.numPatches();
        int rows = a.batch * patches;
        float[] pixels = a.pixels;
        if (images.dataType() == DataType.FLOAT && !images.isView() && images.ordering() == 'c'
                && images.offset() == 0 && images.data().length() == images.length()) {
            Matrices.read(images, pixels);
        } else {
            Matrices.read(images.castTo(DataType.FLOAT).dup('c'), pixels);
        }
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

    /** One block's forward; returns the bias its last GEMM left to add (added by the next LayerNorm pass). */
    private float[] blockForward(int l, float[] pendingBias, float[] alpha) {
        Activations a = act;
        FrozenVit.Block w = vit.blocks[l];
        Activations.Saved s = a.saved[l];
        int n = a.rows;
        int d = c.dim();
        float eps = (float) c.layerNormEps();
        VectorKernels.normalize(a.streamBytes, pendingBias, n, d, eps, a.rowScratch, s.rstd1, s.xhat1, null);
        VectorKernels.affine(s.xhat1, n, d, w.norm1Gain, w.norm1Bias, s.ln1Bytes);
        s.qkvWeight.assign(w.qkvWeight);
        for (Projection p : Projection.values()) {
            int col = p.qkvIndex() * d;
            adapters[l][p.ordinal()].mergeInto(s.qkvWeight.get(NDArrayIndex.all(), NDArrayIndex.interval(col, col + d)), alpha);
            adapters[l][p.ordinal()].forward(s.ln1);
        }
        Matrices.gemm(s.ln1, false, s.qkvWeight, false, s.qkv, 0.0);
        s.qkv.get(NDArrayIndex.all(), NDArrayIndex.interval(0, d)).addiRowVector(w.qBias);
        a.attention.forward(s.qkv, a.scores, s.probs, a.out);
        Matrices.gemm(a.out, false, w.projWeight, false, a.stream, 1.0);
        VectorKernels.normalize(a.streamBytes, w.projBias, n, d, eps, a.rowScratch, s.rstd2, s.xhat2, a.normedBytes);
        Matrices.gemm(a.normed, false, w.fc1Weight, false, a.hidden, 0.0);
        VectorKernels.gelu(a.hiddenBytes, n, c.mlpDim(), w.fc1Bias, s.geluDerivative);
        Matrices.gemm(a.hidden, false, w.fc2Weight, false, a.stream, 1.0);
        return w.fc2Bias;
    }

    /** One block's backward: {@code act.dh} holds the gradient of its output and receives that of its input. */
    private void blockBackward(int l, double[] dAlpha) {
        Activations a = act;
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
            adapters[l][p.ordinal()].backward(s.ln1, dy, dAlpha);
        }
        if (l > 0) {
            Matrices.gemm(a.dQkv, false, s.qkvWeight, true, a.normed, 0.0);
            VectorKernels.normalizeBackward(a.normedBytes, s.xhat1, s.rstd1, n, d, w.norm1Gain, a.rowScratch,
                    a.rowScratch2, a.nd, a.dh, a.gradStreamBytes);
        }
    }
}
