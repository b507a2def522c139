package io.github.sdlora4j.inflora;

import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.util.Arrays;

/**
 * InfLoRA's design of a new task's down-projection A: the leading directions of the task's layer inputs after their
 * component in the memory M of earlier tasks is removed, so that {@code A·x = 0} for every x in M and the new task's
 * update {@code B·A} leaves earlier tasks' inputs alone (the paper's interference-free condition).
 */
public final class InputSubspace {

    /**
     * The scale of A's rows in InfLoRA's reference code (unit vectors divided by √3). Only the span of A is the
     * method; the scale sets how fast B's product moves under a given learning rate.
     */
    public static final double ROW_SCALE = 1.0 / Math.sqrt(3.0);

    private InputSubspace() {
    }

    /**
     * A [rank, d]: rows u_i/√3 for the leading left singular vectors u_i of
     * {@code (I − Π_M)·C}, C the task's mean input outer product [d, d]. The vectors are computed in coordinates of
     * M's complement, so they lie in it exactly, also when the projected matrix has rank below {@code rank}.
     *
     * @param type the data type of the result
     * @throws IllegalArgumentException if the shapes disagree, or M leaves fewer than {@code rank} free dimensions
     */
    public static INDArray design(INDArray covariance, SubspaceMemory memory, int rank, DataType type) {
        int d = memory.dim();
        if (covariance.rank() != 2 || covariance.size(0) != d || covariance.size(1) != d) {
            throw new IllegalArgumentException("The input covariance must be [" + d + ", " + d + "], got "
                    + Arrays.toString(covariance.shape()));
        }
        int free = d - memory.dimension();
        if (rank < 1 || rank > free) {
            throw new IllegalArgumentException("InfLoRA's rank must be in [1, " + free + "]: the memory of earlier tasks"
                    + " spans " + memory.dimension() + " of " + d + " dimensions, got rank " + rank);
        }
        INDArray q = memory.freeBasis();
        INDArray w = SingularVectors.of(q.transpose().mmul(covariance.castTo(DataType.DOUBLE))).leading(rank);
        return q.mmul(w).transpose().muli(ROW_SCALE).castTo(type).dup('c');
    }
}
