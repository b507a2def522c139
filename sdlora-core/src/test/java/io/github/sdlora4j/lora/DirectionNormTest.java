package io.github.sdlora4j.lora;

import static io.github.sdlora4j.lora.LowRankFixtures.factors;
import static io.github.sdlora4j.lora.LowRankFixtures.gaussian;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.sdlora4j.lora.LowRankFixtures.Factors;
import java.util.Random;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

class DirectionNormTest {

    private static final int D = 24;

    private static double frobenius(INDArray x) {
        double s = 0;
        for (double v : x.castTo(DataType.DOUBLE).dup('c').reshape(x.length()).toDoubleVector()) {
            s += v * v;
        }
        return Math.sqrt(s);
    }

    @ParameterizedTest
    @EnumSource(value = DataType.class, names = {"FLOAT", "DOUBLE"})
    void bothModesMatchDirectComputation(DataType dtype) {
        Random rng = new Random(3);
        Factors f = factors(rng, D, 4, dtype);
        double factor = frobenius(f.b()) * frobenius(f.a());
        double prod = frobenius(f.product());
        assertEquals(factor, DirectionNorm.FACTOR_PRODUCT.of(f.b(), f.a()), 1e-12 * factor);
        assertEquals(prod, DirectionNorm.PRODUCT.of(f.b(), f.a()), 1e-12 * prod);
        assertTrue(prod < factor, "||BA|| <= ||B|| ||A||, strictly for a generic rank-4 pair");
    }

    @Test
    void rankOneNormsCoincide() {
        Random rng = new Random(4);
        Factors f = factors(rng, D, 1, DataType.DOUBLE);
        double factor = DirectionNorm.FACTOR_PRODUCT.of(f.b(), f.a());
        assertEquals(factor, DirectionNorm.PRODUCT.of(f.b(), f.a()), 1e-12 * factor);
    }

    @ParameterizedTest
    @EnumSource(DirectionNorm.class)
    void zeroFactorGivesZero(DirectionNorm mode) {
        INDArray b = Nd4j.zeros(DataType.FLOAT, D, 3);
        INDArray a = gaussian(new Random(1), 3, D, DataType.FLOAT);
        assertEquals(0.0, mode.of(b, a), 0.0);
        assertTrue(LowRankDirection.of(b, a, mode).isZero());
    }

    @Test
    void productNormIsZeroForACancellingPairButFactorNormIsNot() {
        // B = [e0, 0], A = [0; 1ᵀ]: BA = 0 although neither factor is zero.
        INDArray b = Nd4j.zeros(DataType.DOUBLE, D, 2).putScalar(0, 0, 1.0);
        INDArray a = Nd4j.zeros(DataType.DOUBLE, 2, D);
        a.getRow(1).assign(1.0);
        assertEquals(0.0, DirectionNorm.PRODUCT.of(b, a), 0.0);
        assertEquals(Math.sqrt(D), DirectionNorm.FACTOR_PRODUCT.of(b, a), 1e-12);
    }

    @Test
    void metadataNamesRoundTrip() {
        assertEquals("factor_product", DirectionNorm.FACTOR_PRODUCT.metadataName());
        assertEquals("product", DirectionNorm.PRODUCT.metadataName());
        for (DirectionNorm mode : DirectionNorm.values()) {
            assertSame(mode, DirectionNorm.fromMetadataName(mode.metadataName()));
        }
    }

    @Test
    void unknownMetadataNameListsValidNames() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> DirectionNorm.fromMetadataName("FACTOR_PRODUCT"));
        assertTrue(e.getMessage().contains("\"FACTOR_PRODUCT\"") && e.getMessage().contains("\"factor_product\"")
                && e.getMessage().contains("\"product\""), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> DirectionNorm.fromMetadataName(null));
    }

    @ParameterizedTest
    @EnumSource(DirectionNorm.class)
    void rejectsWrongShapesNamingBoth(DirectionNorm mode) {
        INDArray b = Nd4j.zeros(DataType.DOUBLE, D, 3);
        INDArray a = Nd4j.zeros(DataType.DOUBLE, 3, 16);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> mode.of(b, a));
        assertTrue(e.getMessage().contains("[24, 3]") && e.getMessage().contains("[3, 16]"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> mode.of(b, b));
    }
}
