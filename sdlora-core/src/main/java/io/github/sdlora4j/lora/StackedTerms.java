package io.github.sdlora4j.lora;

import io.github.sdlora4j.NativeArrays;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.util.List;

/**
 * Some of one projection's SD-LoRA terms stacked row by row: {@code A} [R, d] holds every term's A rows in task
 * order, {@code B} [d, R] their B columns, and row j takes task {@code rowTask(j)}'s α, KD's β_j and 1/n_j, so the
 * terms sum to {@code B·diag(s)·A} with {@code s_j = (α_rowTask(j) + β_j)/n_j}.
 */
public final class StackedTerms {

    private final List<AdapterTerm> terms;
    private final int[] rowTask;
    private final double[] rowAssimilated;
    private final double[] rowInvNorm;
    private final int currentStart;
    private final int currentRank;

    StackedTerms(List<AdapterTerm> terms) {
        this.terms = List.copyOf(terms);
        int rank = terms.stream().mapToInt(t -> t.factors().rank()).sum();
        rowTask = new int[rank];
        rowAssimilated = new double[rank];
        rowInvNorm = new double[rank];
        int row = 0;
        int start = -1;
        int current = 0;
        for (AdapterTerm t : terms) {
            if (t.current()) {
                start = row;
                current = t.factors().rank();
            }
            for (int j = 0; j < t.factors().rank(); j++) {
                rowTask[row + j] = t.task();
                rowAssimilated[row + j] = t.assimilated();
                rowInvNorm[row + j] = t.invNorm();
            }
            row += t.factors().rank();
        }
        currentStart = start;
        currentRank = current;
    }

    /** The stacked terms, in task order. */
    public List<AdapterTerm> terms() {
        return terms;
    }

    public boolean isEmpty() {
        return terms.isEmpty();
    }

    /** R, the number of stacked rows. */
    public int rank() {
        return rowTask.length;
    }

    /** The task whose α row {@code j} takes. */
    public int rowTask(int j) {
        return rowTask[j];
    }

    /** KD's β of row {@code j} (0 for the current task). */
    public double rowAssimilated(int j) {
        return rowAssimilated[j];
    }

    /** 1/n of row {@code j} (1 for the current, unnormalized task). */
    public double rowInvNorm(int j) {
        return rowInvNorm[j];
    }

    /** The first row of the current task's term, or -1 when it is not among these terms. */
    public int currentStart() {
        return currentStart;
    }

    /** The current task's rank, or 0 when its term is not among these. */
    public int currentRank() {
        return currentRank;
    }

    /** {@code s_j = (α_rowTask(j) + β_j)/n_j} for magnitudes {@code alpha}. */
    public double rowScale(int j, double[] alpha) {
        return (alpha[rowTask[j]] + rowAssimilated[j]) * rowInvNorm[j];
    }

    /** Every term's A stacked, [R, d], a new row-major array of {@code type}. */
    public INDArray a(DataType type) {
        return joined(0, terms.stream().map(t -> t.factors().a().castTo(type)).toArray(INDArray[]::new));
    }

    /** Every term's B side by side, [d, R], a new row-major array of {@code type}. */
    public INDArray b(DataType type) {
        return joined(1, terms.stream().map(t -> t.factors().b().castTo(type)).toArray(INDArray[]::new));
    }

    /** The parts side by side as a new row-major array, made without a second copy (the work waits for no GC). */
    private static INDArray joined(int axis, INDArray[] parts) {
        if (parts.length == 1) {
            return parts[0].dup('c');
        }
        INDArray joined = Nd4j.concat(axis, parts);
        if (joined.ordering() == 'c' && !joined.isView()) {
            return joined;
        }
        INDArray copy = joined.dup('c');
        NativeArrays.close(joined);
        return copy;
    }

    /**
     * {@code Σ s_j·B_j·A_j} in double, [d_out, d_in] (timm's layout of a weight): what these terms add to the
     * projection's weight for magnitudes {@code alpha}. Accumulated term by term into one new array, so the work
     * arrays do not grow with the number of tasks.
     */
    public INDArray delta(double[] alpha) {
        if (terms.isEmpty()) {
            throw new IllegalStateException("No terms to sum");
        }
        LoraFactors first = terms.get(0).factors();
        INDArray sum = Nd4j.zeros(DataType.DOUBLE, first.b().size(0), first.a().size(1));
        for (AdapterTerm t : terms) {
            INDArray b = LowRankProducts.toDouble(t.factors().b());
            INDArray a = LowRankProducts.toDouble(t.factors().a());
            Nd4j.gemm(b, a, sum, false, false, t.scale(alpha), 1.0);
            NativeArrays.closeCopy(b, t.factors().b());
            NativeArrays.closeCopy(a, t.factors().a());
        }
        return sum;
    }
}
