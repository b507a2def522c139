package io.github.sdlora4j.lora;

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
        return Nd4j.concat(0, terms.stream().map(t -> t.factors().a().castTo(type)).toArray(INDArray[]::new)).dup('c');
    }

    /** Every term's B side by side, [d, R], a new row-major array of {@code type}. */
    public INDArray b(DataType type) {
        return Nd4j.concat(1, terms.stream().map(t -> t.factors().b().castTo(type)).toArray(INDArray[]::new)).dup('c');
    }

    /**
     * {@code Σ s_j·B_j·A_j} in double, [d_out, d_in] (timm's layout of a weight): what these terms add to the
     * projection's weight for magnitudes {@code alpha}.
     */
    public INDArray delta(double[] alpha) {
        INDArray sum = null;
        for (AdapterTerm t : terms) {
            INDArray ba = t.factors().b().castTo(DataType.DOUBLE).mmul(t.factors().a().castTo(DataType.DOUBLE))
                    .muli(t.scale(alpha));
            sum = sum == null ? ba : sum.addi(ba);
        }
        if (sum == null) {
            throw new IllegalStateException("No terms to sum");
        }
        return sum;
    }
}
