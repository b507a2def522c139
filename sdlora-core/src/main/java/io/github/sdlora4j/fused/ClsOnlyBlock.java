package io.github.sdlora4j.fused;

import io.github.sdlora4j.NativeArrays;
import io.github.sdlora4j.vit.VitConfig;
import org.bytedeco.javacpp.FloatPointer;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.indexing.NDArrayIndex;

import java.nio.ByteBuffer;

/**
 * The last block of an inference forward for the CLS rows alone: the classifier reads nothing else, so past the
 * keys and values of every token, q, the attention, the projection and the MLP are computed for one row per image
 * (the same function as {@link ForwardPass#block}, restricted to the rows that reach the output). Its arrays are
 * [batch, ·] column-major.
 */
final class ClsOnlyBlock {

    private final int batch;
    private final int dim;
    private final INDArray ln1;
    private final INDArray q;
    private final INDArray out;
    private final INDArray stream;
    private final ByteBuffer streamBytes;
    private final INDArray normed;
    private final ByteBuffer normedBytes;
    private final INDArray hidden;
    private final ByteBuffer hiddenBytes;
    private final FloatPointer scores;
    private final float[] scoresHost;
    private final float[] rows;
    private final float[] mean;
    private final float[] rstd;
    private final float[] xhat;

    ClsOnlyBlock(VitConfig c, int batch) {
        this.batch = batch;
        this.dim = c.dim();
        int tokens = c.numTokens();
        ln1 = Matrices.matrix(batch, dim);
        q = Matrices.matrix(batch, dim);
        out = Matrices.matrix(batch, dim);
        stream = Matrices.matrix(batch, dim);
        streamBytes = Matrices.bytes(stream);
        normed = Matrices.matrix(batch, dim);
        normedBytes = Matrices.bytes(normed);
        hidden = Matrices.matrix(batch, c.mlpDim());
        hiddenBytes = Matrices.bytes(hidden);
        scores = new FloatPointer(tokens);
        scoresHost = new float[tokens];
        rows = new float[batch * dim];
        mean = new float[batch];
        rstd = new float[batch];
        xhat = new float[batch * dim];
    }

    /**
     * Block {@code l} on {@code a}'s residual stream, for the CLS rows; they stay in this block's arrays.
     *
     * @param s the block arrays to use (inference reuses one set for every block)
     * @return the bias its last GEMM left to add to {@link #clsRows}
     */
    float[] forward(FrozenVit vit, int l, Activations a, Activations.Saved s, float[] pendingBias) {
        VitConfig c = vit.config;
        FrozenVit.Block w = vit.blocks[l];
        float eps = (float) c.layerNormEps();
        ForwardPass.norm1(vit, l, a, s, pendingBias);
        Matrices.gemm(s.ln1, false, columns(w.qkvWeight, 1, 3), false, columns(s.qkv, 1, 3), 0.0);
        gatherCls(c, s.ln1Bytes, ln1);
        Matrices.gemm(ln1, false, columns(w.qkvWeight, 0, 1), false, q, 0.0);
        q.addiRowVector(w.qBias);
        a.attention.forwardFirstToken(s.qkv, q, scores, scoresHost, out);
        gatherCls(c, a.streamBytes, stream);
        Matrices.gemm(out, false, w.projWeight, false, stream, 1.0);
        VectorKernels.normalize(streamBytes, w.projBias, batch, dim, eps, mean, rstd, xhat, normedBytes);
        Matrices.gemm(normed, false, w.fc1Weight, false, hidden, 0.0);
        VectorKernels.gelu(hiddenBytes, batch, c.mlpDim(), w.fc1Bias, null);
        Matrices.gemm(hidden, false, w.fc2Weight, false, stream, 1.0);
        return w.fc2Bias;
    }

    /** The CLS rows after {@link #forward}, plus {@code pendingBias}: column-major [batch, D] on the heap. */
    float[] clsRows(float[] pendingBias) {
        Matrices.read(stream, rows);
        for (int d = 0; d < dim; d++) {
            for (int b = 0; b < batch; b++) {
                rows[d * batch + b] += pendingBias[d];
            }
        }
        return rows;
    }

    /** Releases the off-heap arrays; unusable afterwards. */
    void close() {
        NativeArrays.close(ln1, q, out, stream, normed, hidden);
        scores.close();
    }

    /** Columns {@code [from·D, to·D)} of a column-major [·, 3D] matrix, as a view BLAS addresses in place. */
    private INDArray columns(INDArray m, int from, int to) {
        return m.get(NDArrayIndex.all(), NDArrayIndex.interval((long) from * dim, (long) to * dim));
    }

    /** The CLS rows of the column-major [batch·tokens, D] matrix in {@code src} into {@code dst} [batch, D]. */
    private void gatherCls(VitConfig c, ByteBuffer src, INDArray dst) {
        ForwardPass.clsRows(src, c, batch, rows);
        Matrices.write(rows, dst);
    }
}
