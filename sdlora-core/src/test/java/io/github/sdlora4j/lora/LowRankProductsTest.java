package io.github.sdlora4j.lora;

import static io.github.sdlora4j.lora.LowRankFixtures.factors;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.sdlora4j.lora.LowRankFixtures.Factors;
import java.util.Random;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

class LowRankProductsTest {

    private static final int D = 24;

    @ParameterizedTest
    @ValueSource(ints = {1, 3, 5})
    void squaredNormEqualsMaterializedProductNorm(int r) {
        Random rng = new Random(11 + r);
        Factors f = factors(rng, D, r, DataType.DOUBLE);
        double expected = f.product().norm2Number().doubleValue();
        expected *= expected;
        assertEquals(expected, LowRankProducts.squaredNorm(f.b(), f.a()), 1e-10 * expected);
    }

    @ParameterizedTest
    @EnumSource(value = DataType.class, names = {"FLOAT", "DOUBLE"})
    void innerProductOfDifferentRanksEqualsMaterialized(DataType dtype) {
        Random rng = new Random(5);
        Factors f1 = factors(rng, D, 3, dtype);
        Factors f2 = factors(rng, D, 5, dtype);
        double expected = f1.product().mul(f2.product()).sumNumber().doubleValue();
        double actual = LowRankProducts.inner(f1.b(), f1.a(), f2.b(), f2.a());
        // Float inputs are widened exactly, so double-precision agreement is expected in both cases.
        assertEquals(expected, actual, 1e-10 * f1.product().norm2Number().doubleValue()
                * f2.product().norm2Number().doubleValue());
        assertEquals(actual, LowRankProducts.inner(f2.b(), f2.a(), f1.b(), f1.a()), 1e-10 * Math.abs(actual) + 1e-12);
    }

    @Test
    void innerOfAPairWithItselfIsItsSquaredNorm() {
        Random rng = new Random(7);
        Factors f = factors(rng, D, 4, DataType.FLOAT);
        double sq = LowRankProducts.squaredNorm(f.b(), f.a());
        assertEquals(sq, LowRankProducts.inner(f.b(), f.a(), f.b(), f.a()), 1e-12 * sq);
    }

    @Test
    void orthogonalProductsHaveZeroInnerProduct() {
        // B1 A1 lives in rows 0..1, B2 A2 in rows 2..3: disjoint supports.
        INDArray b1 = Nd4j.zeros(DataType.DOUBLE, D, 1).putScalar(0, 0, 1.0).putScalar(1, 0, 2.0);
        INDArray b2 = Nd4j.zeros(DataType.DOUBLE, D, 1).putScalar(2, 0, 1.0).putScalar(3, 0, -1.0);
        INDArray a = Nd4j.ones(DataType.DOUBLE, 1, D);
        assertEquals(0.0, LowRankProducts.inner(b1, a, b2, a), 0.0);
        assertEquals(5.0 * D, LowRankProducts.squaredNorm(b1, a), 1e-12);
    }

    @Test
    void rejectsMismatchedShapesNamingBoth() {
        INDArray b = Nd4j.zeros(DataType.DOUBLE, D, 3);
        INDArray a = Nd4j.zeros(DataType.DOUBLE, 4, D);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> LowRankProducts.squaredNorm(b, a));
        assertTrue(e.getMessage().contains("[24, 3]") && e.getMessage().contains("[4, 24]"), e.getMessage());

        INDArray vector = Nd4j.zeros(DataType.DOUBLE, D);
        assertThrows(IllegalArgumentException.class, () -> LowRankProducts.squaredNorm(vector, a));
        assertThrows(IllegalArgumentException.class,
                () -> LowRankProducts.squaredNorm(Nd4j.zeros(DataType.INT, D, 3), Nd4j.zeros(DataType.INT, 3, D)));
        assertThrows(IllegalArgumentException.class, () -> LowRankProducts.squaredNorm(null, a));
    }

    @Test
    void rejectsPairsOnDifferentDimensions() {
        INDArray b1 = Nd4j.zeros(DataType.DOUBLE, D, 3);
        INDArray a1 = Nd4j.zeros(DataType.DOUBLE, 3, D);
        INDArray b2 = Nd4j.zeros(DataType.DOUBLE, 16, 3);
        INDArray a2 = Nd4j.zeros(DataType.DOUBLE, 3, 16);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> LowRankProducts.inner(b1, a1, b2, a2));
        assertTrue(e.getMessage().contains("[24, 3]") && e.getMessage().contains("[16, 3]"), e.getMessage());
        IllegalArgumentException second = assertThrows(IllegalArgumentException.class,
                () -> LowRankProducts.inner(b1, a1, b2, a1));
        assertTrue(second.getMessage().startsWith("second pair"), second.getMessage());
    }
}
