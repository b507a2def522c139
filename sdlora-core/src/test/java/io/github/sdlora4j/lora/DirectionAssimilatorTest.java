package io.github.sdlora4j.lora;

import static io.github.sdlora4j.lora.LowRankFixtures.factors;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import io.github.sdlora4j.lora.LowRankFixtures.Factors;
import java.util.Random;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

class DirectionAssimilatorTest {

    private static final int D = 24;

    private static LowRankDirection random(Random rng, int r, DataType dtype, DirectionNorm mode) {
        Factors f = factors(rng, D, r, dtype);
        return LowRankDirection.of(f.b(), f.a(), mode);
    }

    /** A random rank-{@code r} direction in double, normalized by its product (the reference's norm). */
    private static LowRankDirection random(Random rng, int r) {
        return random(rng, r, DataType.DOUBLE, DirectionNorm.PRODUCT);
    }

    /** Factors of Σ w_i d_i (each d_i normalized) as one pair of rank Σ r_i, with norm 1. */
    private static LowRankDirection combination(double[] weights, LowRankDirection... dirs) {
        List<INDArray> bs = new ArrayList<>();
        List<INDArray> as = new ArrayList<>();
        for (int i = 0; i < dirs.length; i++) {
            bs.add(dirs[i].b().castTo(DataType.DOUBLE).mul(weights[i] / dirs[i].norm()));
            as.add(dirs[i].a().castTo(DataType.DOUBLE));
        }
        return new LowRankDirection(Nd4j.hstack(bs), Nd4j.vstack(as), 1.0);
    }

    private static LowRankDirection zeroed(int r) {
        return LowRankDirection.of(Nd4j.zeros(DataType.FLOAT, D, r), Nd4j.zeros(DataType.FLOAT, r, D),
                DirectionNorm.FACTOR_PRODUCT);
    }

    private static void assertNoNaN(Assimilation result) {
        for (double c : result.coefficients()) {
            assertTrue(Double.isFinite(c), Arrays.toString(result.coefficients()));
        }
        assertTrue(Double.isFinite(result.residual()));
    }

    @ParameterizedTest
    @EnumSource(value = DataType.class, names = {"FLOAT", "DOUBLE"})
    void exactCombinationMergesWithCoefficientsAtTheirOwnIndices(DataType dtype) {
        Random rng = new Random(42);
        LowRankDirection d0 = random(rng, 3, dtype, DirectionNorm.FACTOR_PRODUCT);
        LowRankDirection d1 = zeroed(4);
        LowRankDirection d2 = random(rng, 5, dtype, DirectionNorm.FACTOR_PRODUCT);
        LowRankDirection d3 = random(rng, 4, dtype, DirectionNorm.FACTOR_PRODUCT);
        LowRankDirection y = combination(new double[] {0.7, -1.3}, d0, d2);

        Assimilation result = new DirectionAssimilator().assimilate(List.of(d0, d1, d2, d3), y);

        assertTrue(result.merged());
        double[] c = result.coefficients();
        assertEquals(4, c.length);
        assertEquals(0.7, c[0], 1e-9);
        assertEquals(0.0, c[1], 0.0, "the zero direction is excluded and gets exactly 0");
        assertEquals(-1.3, c[2], 1e-9);
        assertEquals(0.0, c[3], 1e-9);
        assertEquals(0.0, result.residual(), 1e-12);
    }

    @Test
    void coefficientsScaleWithTheCurrentNormalization() {
        Random rng = new Random(43);
        LowRankDirection d0 = random(rng, 3);
        LowRankDirection d1 = random(rng, 4);
        LowRankDirection raw = combination(new double[] {0.7, -1.3}, d0, d1);
        LowRankDirection y = LowRankDirection.of(raw.b(), raw.a(), DirectionNorm.PRODUCT);

        Assimilation result = new DirectionAssimilator().assimilate(List.of(d0, d1), y);

        assertTrue(result.merged());
        assertArrayEquals(new double[] {0.7 / y.norm(), -1.3 / y.norm()}, result.coefficients(), 1e-9);
    }

    @Test
    void zeroDirectionIsExcludedWhateverItsFactorsHold() {
        Random rng = new Random(44);
        LowRankDirection d0 = random(rng, 3, DataType.DOUBLE, DirectionNorm.FACTOR_PRODUCT);
        LowRankDirection d1 = random(rng, 3, DataType.DOUBLE, DirectionNorm.FACTOR_PRODUCT);
        LowRankDirection markedZero = new LowRankDirection(d1.b(), d1.a(), 0.0);
        LowRankDirection y = combination(new double[] {0.5, 0.5}, d0, d1);

        Assimilation result = new DirectionAssimilator().assimilate(List.of(d0, markedZero), y);

        assertEquals(0.0, result.coefficients()[1], 0.0);
        assertFalse(result.merged(), "without d1 the fit is only partial");
        LowRankFixtures.Fit direct = LowRankFixtures.directLeastSquares(List.of(d0), y);
        assertEquals(direct.coefficients()[0], result.coefficients()[0], 1e-8);
        assertEquals(direct.residual(), result.residual(), 1e-8);
    }

    @Test
    void directionWithZeroProductButNonZeroFactorNormIsExcluded() {
        Random rng = new Random(54);
        // B = [e0, 0], A = [0; 1ᵀ]: ||B|| ||A|| > 0 but B·A = 0, so the direction is zero in reference mode too.
        INDArray b = Nd4j.zeros(DataType.DOUBLE, D, 2).putScalar(0, 0, 1.0);
        INDArray a = Nd4j.zeros(DataType.DOUBLE, 2, D);
        a.getRow(1).assign(1.0);
        LowRankDirection cancelling = LowRankDirection.of(b, a, DirectionNorm.FACTOR_PRODUCT);
        assertFalse(cancelling.isZero());
        LowRankDirection d1 = random(rng, 3, DataType.DOUBLE, DirectionNorm.FACTOR_PRODUCT);
        LowRankDirection y = combination(new double[] {0.9}, d1);

        Assimilation result = new DirectionAssimilator().assimilate(List.of(cancelling, d1), y);

        assertTrue(result.merged());
        assertArrayEquals(new double[] {0.0, 0.9}, result.coefficients(), 1e-9);
        assertEquals(0.0, result.coefficients()[0], 0.0);
    }

    @Test
    void independentDirectionIsKept() {
        Random rng = new Random(45);
        List<LowRankDirection> previous = List.of(random(rng, 3), random(rng, 5));
        LowRankDirection y = random(rng, 4);

        Assimilation result = new DirectionAssimilator().assimilate(previous, y);

        assertFalse(result.merged());
        LowRankFixtures.Fit direct = LowRankFixtures.directLeastSquares(previous, y);
        assertEquals(direct.residual(), result.residual(), 1e-10);
        assertTrue(result.residual() > 0.5 && result.residual() <= 1.0 + 1e-12, "residual " + result.residual());
    }

    static List<Arguments> modesAndTypes() {
        List<Arguments> args = new ArrayList<>();
        for (DirectionNorm mode : DirectionNorm.values()) {
            args.add(Arguments.of(mode, DataType.DOUBLE));
            args.add(Arguments.of(mode, DataType.FLOAT));
        }
        return args;
    }

    @ParameterizedTest
    @MethodSource("modesAndTypes")
    void gramSolutionEqualsDirectLeastSquaresOnMaterializedDirections(DirectionNorm mode, DataType dtype) {
        Random rng = new Random(46);
        LowRankDirection d0 = random(rng, 3, dtype, mode);
        LowRankDirection d1 = random(rng, 5, dtype, mode);
        LowRankDirection d2 = random(rng, 4, dtype, mode);
        LowRankDirection d3 = random(rng, 3, dtype, mode);
        LowRankDirection noise = random(rng, 3, dtype, DirectionNorm.PRODUCT);
        LowRankDirection y = combination(new double[] {0.5, -0.2, 0.9, 0.3}, d0, d1, d3, noise);
        List<LowRankDirection> previous = List.of(d0, d1, d2, d3);

        Assimilation result = new DirectionAssimilator().assimilate(previous, y);
        LowRankFixtures.Fit direct = LowRankFixtures.directLeastSquares(previous, y);

        assertArrayEquals(direct.coefficients(), result.coefficients(), 1e-8);
        assertEquals(direct.residual(), result.residual(), 1e-8);
        assertTrue(direct.residual() > 1e-2, "the noise keeps the fit inexact: " + direct.residual());
        assertFalse(result.merged());
    }

    @Test
    void linearlyDependentPreviousDirectionsGiveTheMinimumNormSolution() {
        Random rng = new Random(47);
        LowRankDirection d0 = random(rng, 3, DataType.DOUBLE, DirectionNorm.FACTOR_PRODUCT);
        LowRankDirection d1 = random(rng, 4, DataType.DOUBLE, DirectionNorm.FACTOR_PRODUCT);
        // Raw product 2·B0A0: after normalization it is the same direction as d0.
        LowRankDirection d2 = LowRankDirection.of(d0.b().mul(2.0), d0.a(), DirectionNorm.FACTOR_PRODUCT);
        LowRankDirection noise = random(rng, 3);
        LowRankDirection y = combination(new double[] {0.6, 0.4, 0.2}, d0, d1, noise);

        Assimilation result = new DirectionAssimilator().assimilate(List.of(d0, d1, d2), y);
        LowRankFixtures.Fit direct = LowRankFixtures.directLeastSquares(List.of(d0, d1), y);

        assertNoNaN(result);
        double[] c = result.coefficients();
        assertEquals(c[0], c[2], 1e-9, "minimum norm splits the weight evenly between identical directions");
        assertEquals(direct.coefficients()[0], c[0] + c[2], 1e-8);
        assertEquals(direct.coefficients()[1], c[1], 1e-8);
        assertEquals(direct.residual(), result.residual(), 1e-8);

        LowRankDirection inSpan = combination(new double[] {0.6, 0.4}, d0, d1);
        Assimilation exact = new DirectionAssimilator().assimilate(List.of(d0, d1, d2), inSpan);
        assertNoNaN(exact);
        assertTrue(exact.merged());
        assertEquals(0.3, exact.coefficients()[0], 1e-9);
        assertEquals(0.4, exact.coefficients()[1], 1e-9);
        assertEquals(0.3, exact.coefficients()[2], 1e-9);
    }

    @Test
    void dependentCombinationIsOrthogonalToTheNullSpace() {
        Random rng = new Random(48);
        LowRankDirection d0 = random(rng, 3);
        LowRankDirection d1 = random(rng, 4);
        LowRankDirection sum = combination(new double[] {1, 1}, d0, d1);
        LowRankDirection d2 = LowRankDirection.of(sum.b(), sum.a(), DirectionNorm.PRODUCT);
        LowRankDirection noise = random(rng, 5);
        LowRankDirection y = combination(new double[] {-0.4, 1.1, 0.3}, d0, d1, noise);

        Assimilation result = new DirectionAssimilator().assimilate(List.of(d0, d1, d2), y);
        LowRankFixtures.Fit direct = LowRankFixtures.directLeastSquares(List.of(d0, d1), y);

        // d0 + d1 − k·d2 = 0 with k = ||d0 + d1||: the minimum-norm solution has no component along (1, 1, −k).
        double k = d2.norm();
        double[] c = result.coefficients();
        assertEquals(0.0, c[0] + c[1] - k * c[2], 1e-8);
        assertEquals(direct.coefficients()[0], c[0] + c[2] / k, 1e-8);
        assertEquals(direct.coefficients()[1], c[1] + c[2] / k, 1e-8);
        assertEquals(direct.residual(), result.residual(), 1e-8);
    }

    /**
     * Random cases of 1–6 previous directions mixing independent, zero (all-zero factors or marked zero), rescaled
     * copies and combinations of earlier ones, against a current direction in their span, near it or random: the
     * same coefficients and residual as the plain-double minimum-norm reference.
     */
    @Test
    void randomCasesWithZeroAndDependentDirectionsMatchTheMinimumNormReference() {
        int dependentCases = 0;
        int zeroCases = 0;
        for (int seed = 0; seed < 60; seed++) {
            Random rng = new Random(1000 + seed);
            DirectionNorm mode = DirectionNorm.values()[rng.nextInt(DirectionNorm.values().length)];
            DataType dtype = rng.nextBoolean() ? DataType.FLOAT : DataType.DOUBLE;
            int n = 1 + rng.nextInt(6);
            List<LowRankDirection> previous = new ArrayList<>();
            List<LowRankDirection> nonZero = new ArrayList<>();
            boolean dependent = false;
            boolean zero = false;
            for (int i = 0; i < n; i++) {
                int kind = nonZero.isEmpty() ? rng.nextInt(3) : rng.nextInt(5);
                LowRankDirection d;
                if (kind <= 1) {
                    d = random(rng, 1 + rng.nextInt(4), dtype, mode);
                } else if (kind == 2) {
                    LowRankDirection any = random(rng, 2, dtype, mode);
                    d = rng.nextBoolean() ? zeroed(1 + rng.nextInt(3)) : new LowRankDirection(any.b(), any.a(), 0.0);
                    zero = true;
                } else if (kind == 3) {
                    // A power-of-two rescaling is exact in float too, so the copy is exactly ±(the same direction).
                    LowRankDirection of = nonZero.get(rng.nextInt(nonZero.size()));
                    double k = new double[] {2.0, -0.5, -4.0}[rng.nextInt(3)];
                    d = LowRankDirection.of(of.b().mul(k), of.a(), mode);
                    dependent = true;
                } else {
                    LowRankDirection first = nonZero.get(rng.nextInt(nonZero.size()));
                    LowRankDirection second = nonZero.get(rng.nextInt(nonZero.size()));
                    LowRankDirection sum = combination(new double[] {rng.nextGaussian(), rng.nextGaussian()},
                            first, second);
                    d = LowRankDirection.of(sum.b(), sum.a(), mode);
                    dependent = true;
                }
                previous.add(d);
                if (!d.isZero()) {
                    nonZero.add(d);
                }
            }
            LowRankDirection y;
            int target = nonZero.isEmpty() ? 2 : rng.nextInt(3);
            if (target == 2) {
                y = random(rng, 1 + rng.nextInt(4), dtype, mode);
            } else {
                LowRankDirection first = nonZero.get(rng.nextInt(nonZero.size()));
                LowRankDirection second = nonZero.get(rng.nextInt(nonZero.size()));
                LowRankDirection noise = random(rng, 2);
                y = combination(new double[] {rng.nextGaussian(), rng.nextGaussian(), target == 0 ? 0.0 : 0.01},
                        first, second, noise);
            }

            Assimilation result = new DirectionAssimilator().assimilate(previous, y);
            LowRankFixtures.Fit reference = LowRankFixtures.directLeastSquares(previous, y);

            String where = "seed " + (1000 + seed) + ", " + mode + ", " + dtype + ", n = " + n;
            assertArrayEquals(reference.coefficients(), result.coefficients(), 1e-9, where);
            assertEquals(reference.residual(), result.residual(), 1e-9, where);
            for (int i = 0; i < n; i++) {
                if (previous.get(i).isZero()) {
                    assertEquals(0.0, result.coefficients()[i], 0.0, where + ": zero direction " + i);
                }
            }
            dependentCases += dependent ? 1 : 0;
            zeroCases += zero ? 1 : 0;
        }
        assertTrue(dependentCases >= 15 && zeroCases >= 15, dependentCases + " dependent, " + zeroCases + " zero");
    }

    @Test
    void mergesOnlyWhenTheResidualIsStrictlyBelowTheThreshold() {
        Random rng = new Random(49);
        LowRankDirection d0 = random(rng, 3);
        LowRankDirection noise = random(rng, 3);
        LowRankDirection y = combination(new double[] {1.0, 0.02}, d0, noise);
        List<LowRankDirection> previous = List.of(d0);

        double residual = new DirectionAssimilator(1.0).assimilate(previous, y).residual();
        assertTrue(residual > 1e-4 && residual < DirectionAssimilator.DEFAULT_THRESHOLD, "residual " + residual);

        assertFalse(new DirectionAssimilator(residual).assimilate(previous, y).merged(), "res < τ is strict");
        assertTrue(new DirectionAssimilator(Math.nextUp(residual)).assimilate(previous, y).merged());
        assertTrue(new DirectionAssimilator().assimilate(previous, y).merged());

        LowRankDirection farther = combination(new double[] {1.0, 0.05}, d0, noise);
        assertFalse(new DirectionAssimilator().assimilate(previous, farther).merged());
    }

    @Test
    void zeroThresholdNeverMergesANonZeroDirection() {
        Random rng = new Random(50);
        LowRankDirection d0 = random(rng, 3);
        LowRankDirection y = combination(new double[] {0.8}, d0);
        Assimilation result = new DirectionAssimilator(0.0).assimilate(List.of(d0), y);
        assertFalse(result.merged());
        assertEquals(0.8, result.coefficients()[0], 1e-9);
    }

    @Test
    void zeroCurrentDirectionIsAlwaysMergedWithNothingToAdd() {
        Random rng = new Random(51);
        List<LowRankDirection> previous = List.of(random(rng, 3), zeroed(3));
        for (double threshold : new double[] {0.0, DirectionAssimilator.DEFAULT_THRESHOLD}) {
            Assimilation result = new DirectionAssimilator(threshold).assimilate(previous, zeroed(5));
            assertEquals(new Assimilation(new double[2], 0.0, true), result);
        }
        assertEquals(new Assimilation(new double[0], 0.0, true),
                new DirectionAssimilator().assimilate(List.of(), zeroed(5)));
    }

    @Test
    void withoutNonZeroPreviousDirectionsNothingIsMerged() {
        Random rng = new Random(52);
        LowRankDirection y = random(rng, 4, DataType.FLOAT, DirectionNorm.FACTOR_PRODUCT);
        double yy = LowRankProducts.squaredNorm(y.b(), y.a()) / (y.norm() * y.norm());
        assertTrue(yy < 1.0);

        Assimilation none = new DirectionAssimilator().assimilate(List.of(), y);
        assertFalse(none.merged());
        assertEquals(yy, none.residual(), 1e-12);
        assertEquals(0, none.coefficients().length);

        Assimilation allZero = new DirectionAssimilator().assimilate(List.of(zeroed(3), zeroed(2)), y);
        assertFalse(allZero.merged());
        assertEquals(yy, allZero.residual(), 1e-12);
        assertArrayEquals(new double[2], allZero.coefficients(), 0.0);
    }

    @Test
    void validatesThresholdAndArguments() {
        for (double bad : new double[] {-1e-9, Double.NaN, Double.POSITIVE_INFINITY}) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> new DirectionAssimilator(bad));
            assertTrue(e.getMessage().contains("threshold"), e.getMessage());
        }
        Random rng = new Random(53);
        LowRankDirection y = random(rng, 3);
        DirectionAssimilator kd = new DirectionAssimilator();
        assertThrows(IllegalArgumentException.class, () -> kd.assimilate(null, y));
        assertThrows(IllegalArgumentException.class, () -> kd.assimilate(List.of(), null));

        List<LowRankDirection> withNull = new ArrayList<>();
        withNull.add(y);
        withNull.add(null);
        IllegalArgumentException nullElement = assertThrows(IllegalArgumentException.class,
                () -> kd.assimilate(withNull, y));
        assertTrue(nullElement.getMessage().contains("previous direction 1"), nullElement.getMessage());

        Factors f = factors(rng, 16, 2, DataType.DOUBLE);
        LowRankDirection small = LowRankDirection.of(f.b(), f.a(), DirectionNorm.PRODUCT);
        IllegalArgumentException dims = assertThrows(IllegalArgumentException.class,
                () -> kd.assimilate(List.of(y, small), y));
        assertTrue(dims.getMessage().contains("previous direction 1") && dims.getMessage().contains("d = 16")
                && dims.getMessage().contains("d = 24"), dims.getMessage());

        LowRankDirection nonFinite = new LowRankDirection(y.b().dup().putScalar(0, 0, Double.NaN), y.a(), 1.0);
        IllegalArgumentException nan = assertThrows(IllegalArgumentException.class,
                () -> kd.assimilate(List.of(y, nonFinite), y));
        assertTrue(nan.getMessage().contains("previous direction 1"), nan.getMessage());
    }
}
