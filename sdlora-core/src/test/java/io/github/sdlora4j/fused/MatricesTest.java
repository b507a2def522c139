package io.github.sdlora4j.fused;

import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The GEMM computes {@code op(a)·op(b) + beta·c} for every layout it is given: column- or row-major, views, vectors. */
class MatricesTest {

    /** {@code x} [rows, cols] in the given order, or as a column (or row) block of a larger matrix. */
    private static INDArray operand(long rows, long cols, String layout, long seed) {
        Nd4j.getRandom().setSeed(seed);
        return switch (layout) {
            case "f", "c" -> Nd4j.rand(DataType.FLOAT, rows, cols).dup(layout.charAt(0));
            case "f-view" -> Nd4j.rand(DataType.FLOAT, rows, cols + 3).dup('f')
                    .get(NDArrayIndex.all(), NDArrayIndex.interval(2, 2 + cols));
            case "c-view" -> Nd4j.rand(DataType.FLOAT, rows + 3, cols).dup('c')
                    .get(NDArrayIndex.interval(1, 1 + rows), NDArrayIndex.all());
            default -> throw new IllegalArgumentException(layout);
        };
    }

    @Test
    void everyLayoutAndTransposeGivesTheProduct() {
        String[] layouts = {"f", "c", "f-view", "c-view"};
        int m = 5;
        int n = 4;
        int k = 3;
        for (String la : layouts) {
            for (String lb : layouts) {
                for (boolean ta : new boolean[]{false, true}) {
                    for (boolean tb : new boolean[]{false, true}) {
                        INDArray a = operand(ta ? k : m, ta ? m : k, la, 1);
                        INDArray b = operand(tb ? n : k, tb ? k : n, lb, 2);
                        for (String lc : new String[]{"f", "f-view", "c"}) {
                            INDArray c = operand(m, n, lc, 3);
                            INDArray expected = (ta ? a.transpose() : a).castTo(DataType.DOUBLE)
                                    .mmul((tb ? b.transpose() : b).castTo(DataType.DOUBLE))
                                    .addi(c.castTo(DataType.DOUBLE).mul(0.5));
                            Matrices.gemm(a, ta, b, tb, c, 0.5);
                            double err = expected.sub(c.castTo(DataType.DOUBLE)).amaxNumber().doubleValue();
                            assertTrue(err < 1e-5, la + (ta ? "ᵀ" : "") + " · " + lb + (tb ? "ᵀ" : "") + " into " + lc
                                    + ": error " + err);
                        }
                    }
                }
            }
        }
    }

    @Test
    void vectorsAndMismatchedShapes() {
        INDArray column = operand(5, 1, "c", 4);
        INDArray row = operand(1, 4, "f", 5);
        INDArray c = Nd4j.create(DataType.FLOAT, new long[]{5, 4}, 'f');
        Matrices.gemm(column, false, row, false, c, 0.0);
        assertTrue(column.mmul(row).equalsWithEps(c, 1e-6), "outer product");
        assertThrows(IllegalArgumentException.class, () -> Matrices.gemm(column, true, row, false, c, 0.0));
    }
}
