package io.github.sdlora4j.fused;

import io.github.sdlora4j.NativeArrays;
import io.github.sdlora4j.vit.VitConfig;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.nio.ByteBuffer;

/**
 * The arrays of one batch size: what the backward pass needs from the forward, per block, and work arrays shared by
 * all blocks. Off-heap arrays feed the GEMMs; heap arrays feed the vectorised passes. For inference
 * ({@code training} false) one set of block arrays serves every block and the backward's arrays are null.
 */
final class Activations {

    final int batch;
    /** Rows of the residual stream: batch × tokens. */
    final int rows;

    final INDArray patches;
    final INDArray embedding;
    final INDArray stream;
    final ByteBuffer streamBytes;
    final INDArray dQkv;
    final INDArray scores;
    final INDArray out;
    final INDArray normed;
    final ByteBuffer normedBytes;
    final INDArray hidden;
    /** {@link #hidden}'s native memory. */
    final ByteBuffer hiddenBytes;
    final INDArray gradStream;
    final ByteBuffer gradStreamBytes;
    final HeadAttention attention;

    final float[] pixels;
    final float[] patchesHost;
    final float[] embeddingHost;
    final float[] h;
    final float[] dh;
    final float[] nd;
    final float[] scoresHost;
    final float[] probsHost;
    final float[] rowScratch;
    final float[] rowScratch2;
    final Saved[] saved;
    /** The last block for the CLS rows (inference only). */
    final ClsOnlyBlock clsOnly;

    /** What one block's backward reads from its forward. */
    static final class Saved {
        final INDArray ln1;
        final ByteBuffer ln1Bytes;
        /** q|k|v [N, 3D], column-major; q scaled and biased. */
        final INDArray qkv;
        final INDArray probs;
        final float[] xhat1;
        final float[] rstd1;
        final float[] xhat2;
        final float[] rstd2;
        /** GELU's derivative (training only). */
        final float[] geluDerivative;

        private Saved(VitConfig c, int batch, int rows, boolean training) {
            ln1 = Matrices.matrix(rows, c.dim());
            ln1Bytes = Matrices.bytes(ln1);
            long stacks = (long) batch * c.heads();
            qkv = Matrices.matrix(rows, 3L * c.dim());
            probs = Matrices.stack(stacks, c.numTokens(), c.numTokens());
            xhat1 = new float[rows * c.dim()];
            rstd1 = new float[rows];
            xhat2 = new float[rows * c.dim()];
            rstd2 = new float[rows];
            geluDerivative = training ? new float[rows * c.mlpDim()] : null;
        }

        private void close() {
            NativeArrays.close(ln1, qkv, probs);
        }
    }

    Activations(VitConfig c, int batch, boolean training) {
        this.batch = batch;
        this.rows = batch * c.numTokens();
        int dim = c.dim();
        int heads = c.heads();
        int headDim = c.headDim();
        int tokens = c.numTokens();
        long stacks = (long) batch * heads;
        patches = Matrices.matrix((long) batch * c.numPatches(), c.patchVectorSize());
        embedding = Matrices.matrix((long) batch * c.numPatches(), dim);
        stream = Matrices.matrix(rows, dim);
        streamBytes = Matrices.bytes(stream);
        dQkv = training ? Matrices.matrix(rows, 3L * dim) : null;
        scores = Matrices.stack(stacks, tokens, tokens);
        out = Matrices.matrix(rows, dim);
        normed = Matrices.matrix(rows, dim);
        normedBytes = Matrices.bytes(normed);
        hidden = Matrices.matrix(rows, c.mlpDim());
        hiddenBytes = Matrices.bytes(hidden);
        gradStream = training ? Matrices.matrix(rows, dim) : null;
        gradStreamBytes = training ? Matrices.bytes(gradStream) : null;
        attention = new HeadAttention(batch, heads, headDim, tokens);
        pixels = new float[batch * c.channels() * c.imageSize() * c.imageSize()];
        patchesHost = new float[batch * c.numPatches() * c.patchVectorSize()];
        embeddingHost = new float[batch * c.numPatches() * dim];
        h = new float[rows * dim];
        dh = training ? new float[rows * dim] : null;
        nd = training ? new float[rows * dim] : null;
        scoresHost = training ? new float[(int) stacks * tokens * tokens] : null;
        probsHost = training ? new float[(int) stacks * tokens * tokens] : null;
        rowScratch = new float[rows];
        rowScratch2 = training ? new float[rows] : null;
        clsOnly = training ? null : new ClsOnlyBlock(c, batch);
        saved = new Saved[training ? c.depth() : 1];
        for (int l = 0; l < saved.length; l++) {
            saved[l] = new Saved(c, batch, rows, training);
        }
    }

    /** Block {@code l}'s saved arrays (for inference, the one set every block reuses). */
    Saved saved(int l) {
        return saved.length == 1 ? saved[0] : saved[l];
    }

    /** Releases the off-heap arrays (the byte views of them with them); unusable afterwards. */
    void close() {
        NativeArrays.close(patches, embedding, stream, dQkv, scores, out, normed, hidden, gradStream);
        for (Saved s : saved) {
            s.close();
        }
        if (clsOnly != null) {
            clsOnly.close();
        }
    }
}
