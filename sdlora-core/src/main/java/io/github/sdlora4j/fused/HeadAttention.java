package io.github.sdlora4j.fused;

import org.bytedeco.javacpp.FloatPointer;
import org.bytedeco.openblas.global.openblas;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.impl.transforms.custom.SoftMax;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Multi-head attention on the column-major q|k|v matrix [N, 3D] without reshaping it: one head of one image is a
 * [tokens, headDim] sub-matrix with leading dimension N, which OpenBLAS multiplies in place, and the output goes
 * straight into the heads' columns of the [N, D] result. (Copying to a [batch·heads, headDim, tokens] stack for
 * ND4J's batched matmul cost more than the products: 1.36 ms per batched product against 1.06 ms for 96 strided
 * calls on the W1 shapes.)
 *
 * <p>Scores are stored row-major per head, [batch·heads, tokens, tokens], so ND4J's softmax runs along rows.
 */
final class HeadAttention {

    private final int batch;
    private final int heads;
    private final int headDim;
    private final int tokens;
    private final int rows;
    private final int dim;

    HeadAttention(int batch, int heads, int headDim, int tokens) {
        this.batch = batch;
        this.heads = heads;
        this.headDim = headDim;
        this.tokens = tokens;
        this.rows = batch * tokens;
        this.dim = heads * headDim;
    }

    /**
     * {@code out = softmax(Q·Kᵀ)·V} per head; {@code probs} keeps the softmax for the backward.
     *
     * @param qkv    [N, 3D] column-major, q already scaled and biased
     * @param scores [batch·heads, tokens, tokens] work array
     * @param out    [N, D] column-major
     */
    void forward(INDArray qkv, INDArray scores, INDArray probs, INDArray out) {
        FloatPointer k = base(qkv);
        FloatPointer qv = base(qkv);
        FloatPointer s = base(scores);
        // Scores row-major = column-major Sᵀ = K·Qᵀ.
        forEachHead((b, h) -> gemm(false, true, tokens, tokens, headDim, at(k, column(1, h), b), rows,
                at(qv, column(0, h), b), rows, s.position(stack(b, h)), tokens));
        Nd4j.exec(new SoftMax(scores, probs, 2));
        FloatPointer p = base(probs);
        FloatPointer o = base(out);
        // O = P·V, with P row-major read as (Pᵀ)ᵀ.
        forEachHead((b, h) -> gemm(true, false, tokens, headDim, tokens, p.position(stack(b, h)), tokens,
                at(qv, column(2, h), b), rows, at(o, (long) h * headDim * rows, b), rows));
    }

    /**
     * The attention output of each image's first token (CLS) only, {@code out = softmax(q·Kᵀ)·V} per head, for a last
     * block whose other rows nothing reads: two matrix-vector products per head instead of two products of
     * [tokens, tokens].
     *
     * @param qkv    [N, 3D] column-major; its k and v columns are read
     * @param q      the CLS rows' q [batch, D] column-major, scaled and biased
     * @param scores native scratch of {@code tokens} floats
     * @param host   heap scratch of {@code tokens} floats
     * @param out    [batch, D] column-major
     */
    void forwardFirstToken(INDArray qkv, INDArray q, FloatPointer scores, float[] host, INDArray out) {
        FloatPointer kv = base(qkv);
        FloatPointer qa = base(q);
        FloatPointer o = base(out);
        forEachHead((b, h) -> {
            long qAt = (long) h * headDim * batch + b;
            // scores = K·q with K the [tokens, headDim] block of image b, head h (leading dimension N).
            openblas.cblas_sgemv(openblas.CblasColMajor, openblas.CblasNoTrans, tokens, headDim, 1f,
                    at(kv, column(1, h), b), rows, qa.position(qAt), batch, 0f, scores.position(0), 1);
            scores.get(host, 0, tokens);
            softmax(host);
            scores.put(host, 0, tokens);
            // out = Vᵀ·p.
            openblas.cblas_sgemv(openblas.CblasColMajor, openblas.CblasTrans, tokens, headDim, 1f,
                    at(kv, column(2, h), b), rows, scores.position(0), 1, 0f, o.position(qAt), batch);
        });
    }

    /** Softmax of {@code x[0, tokens)} in place, in double (max subtracted first). */
    private void softmax(float[] x) {
        float max = Float.NEGATIVE_INFINITY;
        for (int t = 0; t < tokens; t++) {
            max = Math.max(max, x[t]);
        }
        double sum = 0;
        for (int t = 0; t < tokens; t++) {
            double e = Math.exp((double) x[t] - max);
            x[t] = (float) e;
            sum += e;
        }
        for (int t = 0; t < tokens; t++) {
            x[t] = (float) (x[t] / sum);
        }
    }

    /**
     * Gradients of q, k and v into {@code dQkv} from that of the output.
     *
     * @param dOut   [N, D] column-major
     * @param dProbs [batch·heads, tokens, tokens] work array
     * @param host   heap work arrays of batch·heads·tokens² floats each
     */
    void backward(INDArray qkv, INDArray probs, INDArray dOut, INDArray dProbs, INDArray dQkv, float[] probsHost,
                  float[] dProbsHost) {
        FloatPointer qkvA = base(qkv);
        FloatPointer probsA = base(probs);
        FloatPointer dOutB = base(dOut);
        FloatPointer dProbsC = base(dProbs);
        FloatPointer dQkvC = base(dQkv);
        forEachHead((b, h) -> {
            // dP row-major = column-major dPᵀ = V·dOᵀ.
            gemm(false, true, tokens, tokens, headDim, at(qkvA, column(2, h), b), rows,
                    at(dOutB, (long) h * headDim * rows, b), rows, dProbsC.position(stack(b, h)), tokens);
            // dV = Pᵀ·dO.
            gemm(false, false, tokens, headDim, tokens, probsA.position(stack(b, h)), tokens,
                    at(dOutB, (long) h * headDim * rows, b), rows, at(dQkvC, column(2, h), b), rows);
        });
        Matrices.read(probs, probsHost);
        Matrices.read(dProbs, dProbsHost);
        VectorKernels.softmaxBackward(probsHost, dProbsHost, batch * heads * tokens, tokens);
        Matrices.write(dProbsHost, dProbs);
        FloatPointer dScores = base(dProbs);
        forEachHead((b, h) -> {
            // dQ = dS·K and dK = dSᵀ·Q, with dS row-major.
            gemm(true, false, tokens, headDim, tokens, dScores.position(stack(b, h)), tokens,
                    at(qkvA, column(1, h), b), rows, at(dQkvC, column(0, h), b), rows);
            gemm(false, false, tokens, headDim, tokens, dScores, tokens,
                    at(qkvA, column(0, h), b), rows, at(dQkvC, column(1, h), b), rows);
        });
    }

    /** What is done for image {@code b}'s head {@code h}. */
    @FunctionalInterface
    private interface PerHead {
        void run(int b, int h);
    }

    /** Runs {@code op} for every image and head, in order. */
    private void forEachHead(PerHead op) {
        for (int b = 0; b < batch; b++) {
            for (int h = 0; h < heads; h++) {
                op.run(b, h);
            }
        }
    }

    /** Element offset of head {@code h}'s first column of part {@code part} (0 q, 1 k, 2 v) in [N, 3D]. */
    private long column(int part, int h) {
        return ((long) part * dim + (long) h * headDim) * rows;
    }

    private long stack(int b, int h) {
        return ((long) b * heads + h) * tokens * tokens;
    }

    /** {@code p} moved to element {@code offset}, then down to image {@code b}'s first token row. */
    private FloatPointer at(FloatPointer p, long offset, int b) {
        return p.position(offset + (long) b * tokens);
    }

    /** A pointer to the first element of a whole (not view) array. */
    private static FloatPointer base(INDArray a) {
        return new FloatPointer(a.data().addressPointer());
    }

    private static void gemm(boolean transA, boolean transB, int m, int n, int k, FloatPointer a, int lda,
                             FloatPointer b, int ldb, FloatPointer c, int ldc) {
        openblas.cblas_sgemm(openblas.CblasColMajor, transA ? openblas.CblasTrans : openblas.CblasNoTrans,
                transB ? openblas.CblasTrans : openblas.CblasNoTrans, m, n, k, 1f, a, lda, b, ldb, 0f, c, ldc);
    }
}
