package io.github.sdlora4j.fused;

import io.github.sdlora4j.lora.AdapterTerm;
import io.github.sdlora4j.lora.DirectionNorm;
import io.github.sdlora4j.lora.SdLoraState;
import io.github.sdlora4j.vit.Projection;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

import java.util.List;

/**
 * SD-LoRA's terms on one projection of one block, {@code Σ_j s_j·B_j·A_j} over the stacked rows j of every task's
 * factors, with {@code s_j = (α_task(j) + β_j)/n_j} times the projection's output scale.
 *
 * <p>Forward: the terms are merged into the projection's weight (a D×R×D product), so the batch pays one GEMM
 * whatever the number of tasks. Backward, two exact forms give the gradients of the current A and B and of every
 * s_j (hence of α); the cheaper one for the batch size is used: the low-rank form ({@code X·Aᵀ} kept from the
 * forward, then {@code dYᵀ·(X·Aᵀ)}, about 4·N·D·(R + r) FLOPs), or the weight-gradient form ({@code dW = Xᵀ·dY},
 * then D×D×R products, about 2·N·D² FLOPs), which stops the cost from growing with the number of finished tasks.
 */
final class ProjectionAdapter {

    private final int dim;
    private final int rank;
    private final int currentStart;
    private final int currentRank;
    private final int[] rowTask;
    private final double[] rowBeta;
    private final double[] rowInvNorm;
    /** All rows' A, row-major [R, D]; the current task's rows are refreshed from {@link #a} each step. */
    private final INDArray aAll;
    /** All rows' B, column-major [D, R]; the current task's columns are refreshed from {@link #b} each step. */
    private final INDArray bAll;
    private final INDArray scaledA;
    /** The current task's trainable factors, A [r, D] and B [D, r], row-major as in {@link io.github.sdlora4j.lora.LoraFactors}. */
    final INDArray a;
    final INDArray b;
    final INDArray gradA;
    final INDArray gradB;
    private final float[] scale;
    /** Host copies and work arrays, kept so a step allocates nothing: B [D, R] column-major, P [D, R], and so on. */
    private final float[] bHost;
    private final float[] projectedHost;
    private final float[] currentB;
    private final float[] gradHost;
    private final float[] gradAHost;
    private final float[] gradBHost;
    private final GradientForm form;
    private final RecentBySize<Scratch> scratches = new RecentBySize<>();

    /** Which exact form the backward uses. */
    enum GradientForm {
        /** The cheaper of the two for the batch size. */
        CHEAPER,
        /** Through {@code X·Aᵀ}. */
        LOW_RANK,
        /** Through the weight gradient {@code Xᵀ·dY}. */
        WEIGHT
    }

    /** Per-batch-size work arrays. */
    private record Scratch(boolean lowRank, INDArray low, INDArray projected, INDArray bScaled,
                           INDArray dLow, INDArray dA, INDArray dW, INDArray dWb) {
    }

    ProjectionAdapter(SdLoraState state, DirectionNorm norm, int block, Projection p, double outputScale,
                      GradientForm form) {
        this.form = form;
        List<AdapterTerm> terms = AdapterTerm.of(state, norm, block, p);
        AdapterTerm current = terms.stream().filter(AdapterTerm::current).findFirst()
                .orElseThrow(() -> new IllegalStateException("No current task in the SD-LoRA state"));
        this.dim = (int) current.factors().a().size(1);
        this.rank = terms.stream().mapToInt(t -> t.factors().rank()).sum();
        this.currentRank = current.factors().rank();
        rowTask = new int[rank];
        rowBeta = new double[rank];
        rowInvNorm = new double[rank];
        INDArray[] as = new INDArray[terms.size()];
        INDArray[] bs = new INDArray[terms.size()];
        int row = 0;
        int start = -1;
        for (int i = 0; i < terms.size(); i++) {
            AdapterTerm t = terms.get(i);
            if (t.current()) {
                start = row;
            }
            for (int j = 0; j < t.factors().rank(); j++) {
                rowTask[row + j] = t.task();
                rowBeta[row + j] = t.assimilated();
                rowInvNorm[row + j] = t.invNorm() * outputScale;
            }
            as[i] = t.factors().a().castTo(DataType.FLOAT);
            bs[i] = t.factors().b().castTo(DataType.FLOAT);
            row += t.factors().rank();
        }
        this.currentStart = start;
        aAll = Nd4j.concat(0, as).dup('c');
        bAll = Nd4j.concat(1, bs).dup('f');
        scaledA = Nd4j.create(DataType.FLOAT, new long[]{rank, dim}, 'c');
        a = current.factors().a().castTo(DataType.FLOAT).dup('c');
        b = current.factors().b().castTo(DataType.FLOAT).dup('c');
        gradA = Nd4j.create(DataType.FLOAT, a.shape(), 'c');
        gradB = Nd4j.create(DataType.FLOAT, b.shape(), 'c');
        scale = new float[rank];
        bHost = new float[dim * rank];
        Matrices.read(bAll, bHost);
        projectedHost = new float[dim * rank];
        currentB = new float[dim * currentRank];
        gradHost = new float[dim * currentRank];
        gradAHost = new float[dim * currentRank];
        gradBHost = new float[dim * currentRank];
    }

    /** Copies the current factors into the stacked arrays and adds {@code Σ s_j·A_jᵀ·B_jᵀ} to {@code weight} [D, D]. */
    void mergeInto(INDArray weight, float[] alpha) {
        aAll.get(NDArrayIndex.interval(currentStart, currentStart + currentRank), NDArrayIndex.all()).assign(a);
        bAll.get(NDArrayIndex.all(), NDArrayIndex.interval(currentStart, currentStart + currentRank)).assign(b);
        // The host copy of B changes in the current task's columns only.
        Matrices.read(b, currentB);
        for (int jc = 0; jc < currentRank; jc++) {
            for (int d = 0; d < dim; d++) {
                bHost[(currentStart + jc) * dim + d] = currentB[d * currentRank + jc];
            }
        }
        for (int j = 0; j < rank; j++) {
            scale[j] = (float) ((alpha[rowTask[j]] + rowBeta[j]) * rowInvNorm[j]);
        }
        scaledA.assign(aAll).muliColumnVector(Nd4j.create(scale, new long[]{rank, 1}, 'c'));
        Matrices.gemm(scaledA, true, bAll, true, weight, 1.0);
    }

    /** Keeps {@code X·Aᵀ} [N, R] for the low-rank backward, if that form is the cheaper one at this batch. */
    void forward(INDArray x) {
        Scratch s = scratch((int) x.size(0));
        if (s.lowRank) {
            Matrices.gemm(x, false, aAll, true, s.low, 0.0);
        }
    }

    /**
     * Gradients of the current A and B into {@link #gradA}/{@link #gradB}, and of α added into {@code dAlpha}.
     *
     * @param x  the projection's input [N, D] (LN1's output)
     * @param dy the gradient of the projection's output [N, D]
     */
    void backward(INDArray x, INDArray dy, double[] dAlpha) {
        Scratch s = scratch((int) x.size(0));
        // Either form ends with P [D, R] (column j at j·D): ds_j = Σ_d P[d,j]·B[d,j] and dB[:, current] = P·s.
        if (s.lowRank) {
            // P = dYᵀ·(X·Aᵀ); dA = (dY·(B⊙s))ᵀ·X.
            Matrices.gemm(dy, true, s.low, false, s.projected, 0.0);
            for (int jc = 0; jc < currentRank; jc++) {
                int j = currentStart + jc;
                for (int d = 0; d < dim; d++) {
                    currentB[jc * dim + d] = bHost[j * dim + d] * scale[j];
                }
            }
            Matrices.write(currentB, s.bScaled);
            Matrices.gemm(dy, false, s.bScaled, false, s.dLow, 0.0);
            Matrices.gemm(s.dLow, true, x, false, s.dA, 0.0);
            Matrices.read(s.dA, gradHost); // [r, D] column-major
            for (int jc = 0; jc < currentRank; jc++) {
                for (int i = 0; i < dim; i++) {
                    gradAHost[jc * dim + i] = gradHost[i * currentRank + jc];
                }
            }
        } else {
            // dW = Xᵀ·dY [D_in, D_out]; P = dWᵀ·Aᵀ [D_out, R]; dA[j,i] = s_j·(dW·B)[i,j].
            Matrices.gemm(x, true, dy, false, s.dW, 0.0);
            Matrices.gemm(s.dW, true, aAll, true, s.projected, 0.0);
            INDArray bCurrent = bAll.get(NDArrayIndex.all(), NDArrayIndex.interval(currentStart, currentStart + currentRank));
            Matrices.gemm(s.dW, false, bCurrent, false, s.dWb, 0.0);
            Matrices.read(s.dWb, gradHost); // [D, r] column-major: column jc at jc·D
            for (int jc = 0; jc < currentRank; jc++) {
                float sj = scale[currentStart + jc];
                for (int i = 0; i < dim; i++) {
                    gradAHost[jc * dim + i] = gradHost[jc * dim + i] * sj;
                }
            }
        }
        Matrices.read(s.projected, projectedHost);
        for (int j = 0; j < rank; j++) {
            double acc = 0;
            for (int d = 0; d < dim; d++) {
                acc += projectedHost[j * dim + d] * bHost[j * dim + d];
            }
            dAlpha[rowTask[j]] += acc * rowInvNorm[j];
        }
        for (int jc = 0; jc < currentRank; jc++) {
            int j = currentStart + jc;
            for (int d = 0; d < dim; d++) {
                gradBHost[d * currentRank + jc] = projectedHost[j * dim + d] * scale[j];
            }
        }
        Matrices.write(gradBHost, gradB);
        Matrices.write(gradAHost, gradA);
    }

    private Scratch scratch(int rows) {
        return scratches.get(rows, this::newScratch);
    }

    private Scratch newScratch(int rows) {
        double lowRankCost = 4.0 * rows * dim * (rank + currentRank);
        double weightCost = 2.0 * rows * dim * dim + 2.0 * dim * dim * (rank + currentRank);
        boolean lowRank = form == GradientForm.CHEAPER ? lowRankCost <= weightCost : form == GradientForm.LOW_RANK;
        return lowRank
                ? new Scratch(true, Matrices.matrix(rows, rank), Matrices.matrix(dim, rank),
                Matrices.matrix(dim, currentRank), Matrices.matrix(rows, currentRank),
                Matrices.matrix(currentRank, dim), null, null)
                : new Scratch(false, null, Matrices.matrix(dim, rank), null, null, null,
                Matrices.matrix(dim, dim), Matrices.matrix(dim, currentRank));
    }
}
