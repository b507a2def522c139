package io.github.sdlora4j.inflora;

import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.util.Arrays;

/**
 * The left singular vectors and singular values of a real matrix, in double, from LAPACK's {@code gesvd} through
 * ND4J (what {@code numpy.linalg.svd} and {@code torch.linalg.svd} call).
 *
 * @param u      [m, m], orthonormal columns, ordered by decreasing singular value
 * @param values min(m, n) singular values, decreasing
 */
record SingularVectors(INDArray u, double[] values) {

    /** The decomposition of {@code m} [rows, columns] (not modified). */
    static SingularVectors of(INDArray m) {
        if (m.rank() != 2) {
            throw new IllegalArgumentException("SVD needs a matrix, got shape " + Arrays.toString(m.shape()));
        }
        int rows = (int) m.size(0);
        int columns = (int) m.size(1);
        // gesvd overwrites its argument; column-major arrays throughout keep LAPACK's leading dimensions plain.
        INDArray a = m.castTo(DataType.DOUBLE).dup('f');
        INDArray s = Nd4j.create(DataType.DOUBLE, new long[]{Math.min(rows, columns)}, 'f');
        INDArray u = Nd4j.create(DataType.DOUBLE, new long[]{rows, rows}, 'f');
        Nd4j.getBlasWrapper().lapack().gesvd(a, s, u, null);
        return new SingularVectors(u, s.toDoubleVector());
    }

    /** The first {@code k} left singular vectors, [m, k]. */
    INDArray leading(int k) {
        return u.get(org.nd4j.linalg.indexing.NDArrayIndex.all(), org.nd4j.linalg.indexing.NDArrayIndex.interval(0, k))
                .dup('c');
    }

    /** The squared singular values (the energies the memory's criterion compares). */
    double[] energies() {
        return Arrays.stream(values).map(v -> v * v).toArray();
    }
}
