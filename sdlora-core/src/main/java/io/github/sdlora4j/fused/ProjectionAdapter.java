package io.github.sdlora4j.fused;

import io.github.sdlora4j.NativeArrays;
import io.github.sdlora4j.lora.AdapterTerm;
import io.github.sdlora4j.lora.LoraFactors;
import io.github.sdlora4j.lora.ProjectionTerms;
import io.github.sdlora4j.lora.SdLoraAlgebra;
import io.github.sdlora4j.lora.StackedTerms;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

import java.util.Arrays;

/**
 * SD-LoRA's terms on one projection of one block, {@code Σ_j s_j·B_j·A_j} over the stacked rows j of every task's
 * factors, with {@code s_j = (α_task(j) + β_j)/n_j} times the projection's output scale.
 *
 * <p>Forward: the terms are merged into the projection's weight (a D×R×D product), so the batch pays one GEMM
 * whatever the number of tasks. Backward, two exact forms give the gradients of the current A and B and of every
 * s_j (hence of α), and the algebra's {@link ProjectionTerms#gradientForm fold rule} picks one: the low-rank form
 * ({@code X·Aᵀ} kept from the forward, then {@code dYᵀ·(X·Aᵀ)}, about 4·N·D·(R + r) FLOPs), or, once the finished
 * tasks are folded, the weight-gradient form ({@code dW = Xᵀ·dY}, then D×D×R products, about 2·N·D² FLOPs), which
 * stops the cost from growing with the number of finished tasks; the current rows then take their gradients from
 * {@code dW} too, which costs less than their low-rank path.
 *
 * <p>One instance serves every shard of a batch: the merge ({@link #mergeInto}) and the batch-independent end of the
 * backward ({@link #finish}) run once per step, and each shard's {@link Work} does only the products whose size
 * grows with its rows. Per shard, those D×D×R products would not shrink as the cores grow.
 */
final class ProjectionAdapter {

    private final int dim;
    private final int rank;
    private final int currentStart;
    private final int currentRank;
    private final StackedTerms rows;
    private final double outputScale;
    private final int[] rowTask;
    /** {@code ∂s_j/∂α_rowTask(j)}: 1/n_j times the output scale. */
    private final double[] rowInvNorm;
    /** All rows' A, row-major [R, D]; the current task's rows are refreshed from {@link #a} each step. */
    private final INDArray aAll;
    /** All rows' B, column-major [D, R]; the current task's columns are refreshed from {@link #b} each step. */
    private final INDArray bAll;
    /** The current task's columns of {@link #bAll}, [D, r]. */
    private final INDArray bCurrent;
    private final INDArray scaledA;
    /**
     * The current task's B times its rows' scales, column-major [D, r]: the low-rank backward's {@code B⊙s} (null in
     * the weight form).
     */
    private final INDArray bScaled;
    /** {@code P} [D, R] of the weight form, and {@code dW·B} [D, r] (null in the low-rank form). */
    private final INDArray projected;
    private final INDArray dWb;
    /** The current task's trainable factors, A [r, D] and B [D, r], row-major as in {@link io.github.sdlora4j.lora.LoraFactors}. */
    final INDArray a;
    final INDArray b;
    final INDArray gradA;
    final INDArray gradB;
    /** This projection's share of α's gradient from the last {@link #finish}, by task. */
    private final double[] alphaGrad;
    private final float[] scale;
    /** Host copies and work arrays, kept so a step allocates nothing: B [D, R] column-major, P [D, R], and so on. */
    private final float[] bHost;
    private final float[] projectedHost;
    private final float[] currentB;
    private final float[] gradHost;
    private final float[] gradAHost;
    private final float[] gradBHost;
    private final SdLoraAlgebra.GradientForm form;

    /**
     * @param terms       the algebra's terms of this block and projection, which must include the current task's
     * @param outputScale the factor the terms carry (q's attention scale, folded into its weight)
     */
    ProjectionAdapter(ProjectionTerms terms, double outputScale) {
        StackedTerms rows = terms.all();
        if (rows.currentStart() < 0) {
            throw new IllegalStateException("No current task in the SD-LoRA state");
        }
        this.form = terms.gradientForm();
        this.rank = rows.rank();
        this.currentStart = rows.currentStart();
        this.currentRank = rows.currentRank();
        this.rows = rows;
        this.outputScale = outputScale;
        rowTask = new int[rank];
        rowInvNorm = new double[rank];
        int tasks = 0;
        for (int j = 0; j < rank; j++) {
            rowTask[j] = rows.rowTask(j);
            rowInvNorm[j] = rows.rowInvNorm(j) * outputScale;
            tasks = Math.max(tasks, rowTask[j] + 1);
        }
        alphaGrad = new double[tasks];
        aAll = rows.a(DataType.FLOAT);
        INDArray rowMajorB = rows.b(DataType.FLOAT);
        bAll = rowMajorB.dup('f');
        NativeArrays.close(rowMajorB);
        bCurrent = bAll.get(NDArrayIndex.all(), NDArrayIndex.interval(currentStart, currentStart + currentRank));
        this.dim = (int) aAll.size(1);
        LoraFactors current = rows.terms().stream().filter(AdapterTerm::current).findFirst().orElseThrow().factors();
        scaledA = Nd4j.create(DataType.FLOAT, new long[]{rank, dim}, 'c');
        boolean lowRank = form == SdLoraAlgebra.GradientForm.LOW_RANK;
        bScaled = lowRank ? Matrices.matrix(dim, currentRank) : null;
        projected = lowRank ? null : Matrices.matrix(dim, rank);
        dWb = lowRank ? null : Matrices.matrix(dim, currentRank);
        a = current.a().castTo(DataType.FLOAT).dup('c');
        b = current.b().castTo(DataType.FLOAT).dup('c');
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

    /** The gradient form the algebra chose for these terms. */
    SdLoraAlgebra.GradientForm gradientForm() {
        return form;
    }

    /**
     * Copies the current factors into the stacked arrays and adds {@code Σ s_j·A_jᵀ·B_jᵀ} to {@code weight} [D, D];
     * once per step, before any shard's {@link Work#forward}.
     */
    void mergeInto(INDArray weight, double[] alpha) {
        aAll.get(NDArrayIndex.interval(currentStart, currentStart + currentRank), NDArrayIndex.all()).assign(a);
        bCurrent.assign(b);
        // The host copy of B changes in the current task's columns only.
        Matrices.read(b, currentB);
        for (int jc = 0; jc < currentRank; jc++) {
            for (int d = 0; d < dim; d++) {
                bHost[(currentStart + jc) * dim + d] = currentB[d * currentRank + jc];
            }
        }
        for (int j = 0; j < rank; j++) {
            scale[j] = (float) (rows.rowScale(j, alpha) * outputScale);
        }
        scaledA.assign(aAll).muliColumnVector(Nd4j.create(scale, new long[]{rank, 1}, 'c'));
        Matrices.gemm(scaledA, true, bAll, true, weight, 1.0);
        if (form == SdLoraAlgebra.GradientForm.LOW_RANK) {
            for (int jc = 0; jc < currentRank; jc++) {
                int j = currentStart + jc;
                for (int d = 0; d < dim; d++) {
                    currentB[jc * dim + d] = bHost[j * dim + d] * scale[j];
                }
            }
            Matrices.write(currentB, bScaled);
        }
    }

    /** A shard's work arrays for this projection. */
    Work newWork() {
        return new Work();
    }

    /**
     * Sums the partial products of {@code works[0 … count)} in that order (into the first one's arrays) and computes
     * the gradients of the current A and B into {@link #gradA}/{@link #gradB} and this projection's share of α's
     * gradient ({@link #alphaGradient}). Once per step, after every shard's {@link Work#backward}.
     */
    void finish(Work[] works, int count) {
        Work.Scratch first = works[0].last;
        if (form == SdLoraAlgebra.GradientForm.LOW_RANK) {
            for (int s = 1; s < count; s++) {
                first.projected.addi(works[s].last.projected);
                first.dA.addi(works[s].last.dA);
            }
            Matrices.read(first.dA, gradHost); // [r, D] column-major
            for (int jc = 0; jc < currentRank; jc++) {
                for (int i = 0; i < dim; i++) {
                    gradAHost[jc * dim + i] = gradHost[i * currentRank + jc];
                }
            }
            Matrices.read(first.projected, projectedHost);
        } else {
            for (int s = 1; s < count; s++) {
                first.dW.addi(works[s].last.dW);
            }
            // P = dWᵀ·Aᵀ [D_out, R]; dA[j,i] = s_j·(dW·B)[i,j].
            Matrices.gemm(first.dW, true, aAll, true, projected, 0.0);
            Matrices.gemm(first.dW, false, bCurrent, false, dWb, 0.0);
            Matrices.read(dWb, gradHost); // [D, r] column-major: column jc at jc·D
            for (int jc = 0; jc < currentRank; jc++) {
                float sj = scale[currentStart + jc];
                for (int i = 0; i < dim; i++) {
                    gradAHost[jc * dim + i] = gradHost[jc * dim + i] * sj;
                }
            }
            Matrices.read(projected, projectedHost);
        }
        // ds_j = Σ_d P[d,j]·B[d,j] and dB[:, current] = P·s.
        Arrays.fill(alphaGrad, 0);
        for (int j = 0; j < rank; j++) {
            double acc = 0;
            for (int d = 0; d < dim; d++) {
                acc += projectedHost[j * dim + d] * bHost[j * dim + d];
            }
            alphaGrad[rowTask[j]] += acc * rowInvNorm[j];
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

    /** This projection's share of α's gradient by task, from the last {@link #finish} (live: do not modify). */
    double[] alphaGradient() {
        return alphaGrad;
    }

    /** Releases the off-heap factors, gradients and work arrays; unusable afterwards. */
    void close() {
        NativeArrays.close(aAll, bAll, scaledA, bScaled, projected, dWb, a, b, gradA, gradB);
    }

    /**
     * One shard's products for this projection, whose size grows with the shard's rows: {@code X·Aᵀ}, {@code dYᵀ·(X·Aᵀ)}
     * and the current A's gradient in the low-rank form, {@code dW = Xᵀ·dY} in the weight form.
     */
    final class Work {

        private final RecentBySize<Scratch> scratches = new RecentBySize<>();
        /** The arrays of the last {@link #backward}, which {@link #finish} sums. */
        private Scratch last;

        /** Per-batch-size work arrays. */
        private record Scratch(INDArray low, INDArray projected, INDArray dLow, INDArray dA, INDArray dW) {
        }

        private Work() {
        }

        /** Makes the work arrays for inputs of {@code rows} rows now (on the calling thread), if not yet made. */
        void prepare(int rows) {
            scratch(rows);
        }

        /** Keeps {@code X·Aᵀ} [N, R] for the low-rank backward, if the terms take that form. */
        void forward(INDArray x) {
            Scratch s = scratch((int) x.size(0));
            if (s.low != null) {
                Matrices.gemm(x, false, aAll, true, s.low, 0.0);
            }
        }

        /**
         * This shard's part of the gradients, summed by {@link #finish}.
         *
         * @param x  the projection's input [N, D] (LN1's output)
         * @param dy the gradient of the projection's output [N, D]
         */
        void backward(INDArray x, INDArray dy) {
            Scratch s = scratch((int) x.size(0));
            if (s.low != null) {
                // P = dYᵀ·(X·Aᵀ); dA = (dY·(B⊙s))ᵀ·X.
                Matrices.gemm(dy, true, s.low, false, s.projected, 0.0);
                Matrices.gemm(dy, false, bScaled, false, s.dLow, 0.0);
                Matrices.gemm(s.dLow, true, x, false, s.dA, 0.0);
            } else {
                // dW = Xᵀ·dY [D_in, D_out].
                Matrices.gemm(x, true, dy, false, s.dW, 0.0);
            }
            last = s;
        }

        /** Releases the work arrays; unusable afterwards. */
        void close() {
            scratches.clear(s -> NativeArrays.close(s.low, s.projected, s.dLow, s.dA, s.dW));
            last = null;
        }

        private Scratch scratch(int rows) {
            return scratches.get(rows, this::newScratch);
        }

        private Scratch newScratch(int rows) {
            return form == SdLoraAlgebra.GradientForm.LOW_RANK
                    ? new Scratch(Matrices.matrix(rows, rank), Matrices.matrix(dim, rank),
                    Matrices.matrix(rows, currentRank), Matrices.matrix(currentRank, dim), null)
                    : new Scratch(null, null, null, null, Matrices.matrix(dim, dim));
        }
    }
}
