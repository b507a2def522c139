package io.github.sdlora4j.lora;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;

import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

class LowRankDirectionTest {

    private final INDArray b = LowRankFixtures.gaussian(new Random(2), 24, 3, DataType.DOUBLE);
    private final INDArray a = LowRankFixtures.gaussian(new Random(3), 3, 24, DataType.DOUBLE);

    @Test
    void ofComputesTheModeNorm() {
        LowRankDirection dir = LowRankDirection.of(b, a, DirectionNorm.PRODUCT);
        assertEquals(DirectionNorm.PRODUCT.of(b, a), dir.norm(), 0.0);
        assertFalse(dir.isZero());
        assertEquals(24, dir.dimension());
        assertEquals(3, dir.rank());
        assertTrue(new LowRankDirection(b, a, 0.0).isZero());
        assertThrows(IllegalArgumentException.class, () -> LowRankDirection.of(b, a, null));
    }

    @Test
    void rejectsInvalidNorms() {
        for (double bad : new double[] {-1e-300, Double.NaN, Double.POSITIVE_INFINITY}) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> new LowRankDirection(b, a, bad));
            assertTrue(e.getMessage().contains("norm"), e.getMessage());
        }
    }

    @Test
    void nonFiniteFactorsAreRejectedThroughTheirNorm() {
        INDArray withNaN = b.dup().putScalar(0, 0, Double.NaN);
        assertThrows(IllegalArgumentException.class, () -> LowRankDirection.of(withNaN, a, DirectionNorm.PRODUCT));
    }

    @Test
    void rejectsMismatchedShapes() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new LowRankDirection(b, Nd4j.zeros(DataType.DOUBLE, 4, 24), 1.0));
        assertTrue(e.getMessage().contains("[24, 3]") && e.getMessage().contains("[4, 24]"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> new LowRankDirection(null, a, 1.0));
    }

    @Test
    void assimilationCopiesAndValidatesItsCoefficients() {
        double[] c = {0.5, 0.0};
        Assimilation result = new Assimilation(c, 0.1, false);
        c[0] = 9;
        assertArrayEquals(new double[] {0.5, 0.0}, result.coefficients());
        result.coefficients()[0] = 7;
        assertEquals(0.5, result.coefficients()[0]);
        assertEquals(new Assimilation(new double[] {0.5, 0.0}, 0.1, false), result);
        assertEquals(new Assimilation(new double[] {0.5, 0.0}, 0.1, false).hashCode(), result.hashCode());
        assertNotEquals(new Assimilation(new double[] {0.5, 0.0}, 0.1, true), result);
        assertThrows(IllegalArgumentException.class, () -> new Assimilation(null, 0, true));
        assertThrows(IllegalArgumentException.class, () -> new Assimilation(new double[] {Double.NaN}, 0, true));
        assertThrows(IllegalArgumentException.class, () -> new Assimilation(new double[0], -1e-3, true));
        assertThrows(IllegalArgumentException.class, () -> new Assimilation(new double[0], Double.NaN, true));
    }
}
