package io.github.sdlora4j.fused;

import jdk.incubator.vector.FloatVector;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class VectorKernelsTest {

    private static final int W = FloatVector.SPECIES_PREFERRED.length();

    @Test
    void expOfNonPositiveArgumentsIsWithinTwoUlpOfMathExp() {
        float[] x = new float[W];
        float[] y = new float[W];
        float worstUlps = 0f;
        float worstX = 0f;
        for (int i = 0; i <= 870_000; i += W) {
            for (int l = 0; l < W; l++) {
                x[l] = -(i + l) * 1e-4f;
            }
            VectorKernels.expNonPositive(FloatVector.fromArray(FloatVector.SPECIES_PREFERRED, x, 0)).intoArray(y, 0);
            for (int l = 0; l < W; l++) {
                if (x[l] < -87f) {
                    continue; // flushed to zero by design, checked below
                }
                float exact = (float) Math.exp(x[l]);
                float ulps = Math.abs(y[l] - exact) / Math.ulp(exact);
                if (ulps > worstUlps) {
                    worstUlps = ulps;
                    worstX = x[l];
                }
            }
        }
        assertTrue(worstUlps <= 2f, "worst error " + worstUlps + " ulp, at exp(" + worstX + ")");
    }

    @Test
    void expUnderflowsToZeroBelowItsRangeAndIsOneAtZero() {
        float[] x = new float[W];
        float[] y = new float[W];
        x[0] = 0f;
        for (int l = 1; l < W; l++) {
            x[l] = -88f - l;
        }
        VectorKernels.expNonPositive(FloatVector.fromArray(FloatVector.SPECIES_PREFERRED, x, 0)).intoArray(y, 0);
        assertEquals(1f, y[0]);
        for (int l = 1; l < W; l++) {
            assertEquals(0f, y[l], "exp(" + x[l] + ")");
        }
    }
}
