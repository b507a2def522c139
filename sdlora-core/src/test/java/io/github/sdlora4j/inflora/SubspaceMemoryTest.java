package io.github.sdlora4j.inflora;

import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SubspaceMemoryTest {

    static INDArray diagonal(double... values) {
        return Nd4j.diag(Nd4j.createFromArray(values));
    }

    /** The orthogonal projector onto the columns of {@code basis}, or zero for none. */
    static INDArray projector(INDArray basis, int dim) {
        return basis == null ? Nd4j.zeros(DataType.DOUBLE, dim, dim) : basis.mmul(basis.transpose());
    }

    static void assertClose(INDArray expected, INDArray actual, double tolerance) {
        double diff = expected.castTo(DataType.DOUBLE).sub(actual.castTo(DataType.DOUBLE)).amaxNumber().doubleValue();
        assertTrue(diff <= tolerance, "max |difference| " + diff + " > " + tolerance);
    }

    /** A random symmetric positive semi-definite [d, d] matrix of the given rank, as the mean of x·xᵀ. */
    static INDArray randomCovariance(int d, int rank, long seed) {
        SplittableRandom rng = new SplittableRandom(seed);
        double[] x = new double[rank * d];
        for (int i = 0; i < x.length; i++) {
            x[i] = rng.nextDouble() * 2 - 1;
        }
        INDArray rows = Nd4j.create(x, new long[]{rank, d}, 'c');
        return rows.transpose().mmul(rows).divi(rank);
    }

    @Test
    void firstTaskKeepsTheLeadingDirectionsBelowTheThresholdAndLaterTasksGrowUntilTheyReachIt() {
        // Energies 16, 9, 4, 1 of 30: cumulated .533, .833, .967, 1. ε = 0.9 keeps two directions (the reference
        // counts the cumulated ratios below ε at the first task).
        SubspaceMemory m = SubspaceMemory.empty(6).updated(diagonal(4, 3, 2, 1, 0, 0), 0.9);
        assertEquals(2, m.dimension());
        assertFalse(m.storesComplement());
        assertClose(diagonal(1, 1, 0, 0, 0, 0), projector(m.memoryBasis(), 6), 1e-12);

        // Task 2, energies 1 (in M), 4, 9 of 14: inside M 1/14, then +9/14 (e5) = .714 < .9, then +4/14 (e3) = 1.
        SubspaceMemory grown = m.updated(diagonal(1, 0, 2, 0, 3, 0), 0.9);
        assertEquals(4, grown.dimension());
        assertClose(diagonal(1, 1, 1, 0, 1, 0), projector(grown.memoryBasis(), 6), 1e-12);
        // 4 of 6 dimensions is more than half: the complement {e4, e6} is stored instead.
        assertTrue(grown.storesComplement());
        assertEquals(2, grown.storedBasis().size(1));
        assertClose(diagonal(0, 0, 0, 1, 0, 1), projector(grown.freeBasis(), 6), 1e-12);

        // Retained form, energies 1 (in M), 4 (e4), 1 (e6) of 6: outside 5/6 >= 1 - 0.8 takes e4, then 1/6 < 0.2 stops.
        SubspaceMemory retained = grown.updated(diagonal(1, 0, 0, 2, 0, 1), 0.8);
        assertEquals(5, retained.dimension());
        assertClose(diagonal(0, 0, 0, 0, 0, 1), projector(retained.freeBasis(), 6), 1e-12);
    }

    @Test
    void aTaskInsideTheMemoryAddsNothing() {
        SubspaceMemory m = SubspaceMemory.empty(5).updated(diagonal(3, 2, 1, 0, 0), 0.99);
        assertSame(m, m.updated(diagonal(1, 1, 0, 0, 0), 0.99));
        assertSame(m, m.updated(Nd4j.zeros(DataType.DOUBLE, 5, 5), 0.99));
    }

    @Test
    void orthogonalPartRemovesTheMemoryInBothStoredForms() {
        int d = 8;
        INDArray x = randomCovariance(d, 8, 7);
        SubspaceMemory small = SubspaceMemory.empty(d).updated(randomCovariance(d, 2, 1), 0.999);
        SubspaceMemory large = small.updated(randomCovariance(d, 4, 2), 0.999);
        assertFalse(small.storesComplement());
        assertTrue(large.storesComplement(), "dim M = " + large.dimension());
        for (SubspaceMemory m : new SubspaceMemory[]{small, large}) {
            INDArray part = m.orthogonalPart(x);
            assertClose(Nd4j.zeros(DataType.DOUBLE, m.dimension(), d), m.memoryBasis().transpose().mmul(part), 1e-12);
            // What is removed lies in M: x − part = Π_M·x.
            assertClose(projector(m.memoryBasis(), d).mmul(x), x.sub(part), 1e-12);
        }
        assertClose(x, SubspaceMemory.empty(d).orthogonalPart(x), 0);
    }

    @Test
    void storedFormRoundTripsAndIsValidated() {
        SubspaceMemory m = SubspaceMemory.empty(6).updated(randomCovariance(6, 6, 3), 0.9);
        SubspaceMemory back = SubspaceMemory.of(6, m.storedBasis(), m.storesComplement());
        assertEquals(m.dimension(), back.dimension());
        assertClose(projector(m.memoryBasis(), 6), projector(back.memoryBasis(), 6), 0);
        assertNull(SubspaceMemory.of(6, null, false).memoryBasis());
        assertThrows(IllegalArgumentException.class, () -> SubspaceMemory.of(6, Nd4j.ones(DataType.DOUBLE, 6, 2), false));
        assertThrows(IllegalArgumentException.class, () -> SubspaceMemory.of(6, Nd4j.eye(5), false));
        assertThrows(IllegalArgumentException.class, () -> m.updated(diagonal(1, 1), 0.9));
        assertThrows(IllegalArgumentException.class, () -> m.updated(diagonal(1, 1, 1, 1, 1, 1), 0));
    }

    @Test
    void thresholdRisesLinearlyOverTheTasks() {
        MemoryThreshold t = new MemoryThreshold(0.95, 1.0);
        assertEquals(0.95, t.at(0, 5), 0);
        assertEquals(0.97, t.at(2, 5), 1e-15);
        assertThrows(IllegalArgumentException.class, () -> t.at(5, 5));
        assertThrows(IllegalArgumentException.class, () -> new MemoryThreshold(0.9, 0.8));
    }
}
