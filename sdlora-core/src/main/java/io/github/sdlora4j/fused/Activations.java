package io.github.sdlora4j.fused;

import io.github.sdlora4j.vit.VitConfig;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * The arrays of one batch size: what the backward pass needs from the forward, per block, and work arrays shared by
 * all blocks. Off-heap arrays feed the GEMMs; heap arrays feed the vectorised passes.
 */
final class Activations {

    final int batch;
    /** Rows of the residual stream: batch × tokens. */
    final int rows;
    private final int dim;
    private final int heads;
    private final int headDim;
    private final int tokens;

    final INDArray patches;
    final INDArray embedding;
    final INDArray stream;
    final INDArray qkv;
    final INDArray scores;
    final INDArray heads3;
    final INDArray out;
    final INDArray normed;
    final INDArray hidden;
    final INDArray gradStream;
    final INDArray gradHeads;
    final INDArray gradQ;
    final INDArray gradK;
    final INDArray gradV;

    final float[] h;
    final float[] dh;
    final float[] nd;
    final float[] nd2;
    final float[] qkvHost;
    final float[] hiddenHost;
    final float[] scoresHost;
    final float[] probsHost;
    final float[] headsHost;
    final float[] rowScratch;
    final float[] rowScratch2;
    final Saved[] saved;

    /** What one block's backward reads from its forward. */
    static final class Saved {
        final INDArray ln1;
        final INDArray qkvWeight;
        final INDArray q;
        final INDArray k;
        final INDArray v;
        final INDArray probs;
        final float[] xhat1;
        final float[] rstd1;
        final float[] xhat2;
        final float[] rstd2;
        final float[] geluDerivative;

        private Saved(VitConfig c, int batch, int rows) {
            ln1 = Matrices.matrix(rows, c.dim());
            qkvWeight = Matrices.matrix(c.dim(), 3L * c.dim());
            long stacks = (long) batch * c.heads();
            q = Matrices.stack(stacks, c.headDim(), c.numTokens());
            k = Matrices.stack(stacks, c.headDim(), c.numTokens());
            v = Matrices.stack(stacks, c.headDim(), c.numTokens());
            probs = Matrices.stack(stacks, c.numTokens(), c.numTokens());
            xhat1 = new float[rows * c.dim()];
            rstd1 = new float[rows];
            xhat2 = new float[rows * c.dim()];
            rstd2 = new float[rows];
            geluDerivative = new float[rows * c.mlpDim()];
        }
    }

    Activations(VitConfig c, int batch) {
        this.batch = batch;
        this.rows = batch * c.numTokens();
        this.dim = c.dim();
        this.heads = c.heads();
        this.headDim = c.headDim();
        this.tokens = c.numTokens();
        long stacks = (long) batch * heads;
        patches = Matrices.matrix((long) batch * c.numPatches(), c.patchVectorSize());
        embedding = Matrices.matrix((long) batch * c.numPatches(), dim);
        stream = Matrices.matrix(rows, dim);
        qkv = Matrices.matrix(rows, 3L * dim);
        scores = Matrices.stack(stacks, tokens, tokens);
        heads3 = Matrices.stack(stacks, headDim, tokens);
        out = Matrices.matrix(rows, dim);
        normed = Matrices.matrix(rows, dim);
        hidden = Matrices.matrix(rows, c.mlpDim());
        gradStream = Matrices.matrix(rows, dim);
        gradHeads = Matrices.stack(stacks, headDim, tokens);
        gradQ = Matrices.stack(stacks, headDim, tokens);
        gradK = Matrices.stack(stacks, headDim, tokens);
        gradV = Matrices.stack(stacks, headDim, tokens);
        h = new float[rows * dim];
        dh = new float[rows * dim];
        nd = new float[rows * dim];
        nd2 = new float[rows * dim];
        qkvHost = new float[rows * 3 * dim];
        hiddenHost = new float[rows * c.mlpDim()];
        scoresHost = new float[(int) stacks * tokens * tokens];
        probsHost = new float[(int) stacks * tokens * tokens];
        headsHost = new float[(int) stacks * headDim * tokens];
        rowScratch = new float[rows];
        rowScratch2 = new float[rows];
        saved = new Saved[c.depth()];
        for (int l = 0; l < saved.length; l++) {
            saved[l] = new Saved(c, batch, rows);
        }
    }

    /**
     * Column-major [rows, 3D] q|k|v plus bias into three [batch·heads, headDim, tokens] stacks: each (column, image)
     * pair is a contiguous run of {@code tokens} values on both sides.
     */
    void splitHeads(float[] qkvHost, float[] bias, INDArray q, INDArray k, INDArray v) {
        INDArray[] targets = {q, k, v};
        for (int part = 0; part < 3; part++) {
            gather(qkvHost, part * dim, bias);
            Matrices.write(headsHost, targets[part]);
        }
    }

    /** Column-major [rows, D] (no bias) into one [batch·heads, headDim, tokens] stack. */
    void splitHeads(float[] host, INDArray target) {
        gather(host, 0, null);
        Matrices.write(headsHost, target);
    }

    private void gather(float[] src, int colOffset, float[] bias) {
        for (int hh = 0; hh < heads; hh++) {
            for (int j = 0; j < headDim; j++) {
                int col = colOffset + hh * headDim + j;
                float b = bias == null ? 0f : bias[col];
                for (int img = 0; img < batch; img++) {
                    int s = col * rows + img * tokens;
                    int t = ((img * heads + hh) * headDim + j) * tokens;
                    for (int i = 0; i < tokens; i++) {
                        headsHost[t + i] = src[s + i] + b;
                    }
                }
            }
        }
    }

    /** A [batch·heads, headDim, tokens] stack into columns {@code [colOffset, colOffset + D)} of column-major {@code dst}. */
    void mergeHeads(INDArray stack, float[] dst, int colOffset) {
        Matrices.read(stack, headsHost);
        for (int hh = 0; hh < heads; hh++) {
            for (int j = 0; j < headDim; j++) {
                int col = colOffset + hh * headDim + j;
                for (int img = 0; img < batch; img++) {
                    System.arraycopy(headsHost, ((img * heads + hh) * headDim + j) * tokens, dst,
                            col * rows + img * tokens, tokens);
                }
            }
        }
    }
}
