package io.github.sdlora4j.fused;

import jdk.incubator.vector.FloatVector;
import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class VectorKernelsTest {

    private static final int W = FloatVector.SPECIES_PREFERRED.length();
    // Abramowitz & Stegun 7.1.26, the kernel's erf, here in double with Math.exp.
    private static final double P = 0.3275911;
    private static final double[] A = {0.254829592, -0.284496736, 1.421413741, -1.453152027, 1.061405429};

    private static double erf(double z) {
        double t = 1 / (1 + P * Math.abs(z));
        double poly = t * (A[0] + t * (A[1] + t * (A[2] + t * (A[3] + t * A[4]))));
        double y = 1 - poly * Math.exp(-z * z);
        return z < 0 ? -y : y;
    }

    /** {@code gelu} on one column of {@code z} (bias 0): the activations, and the derivatives into {@code deriv}. */
    private static float[] gelu(float[] z, float[] deriv) {
        ByteBuffer u = ByteBuffer.allocateDirect(z.length * 4).order(ByteOrder.nativeOrder());
        u.asFloatBuffer().put(z);
        VectorKernels.gelu(u, z.length, 1, new float[]{0f}, deriv);
        float[] act = new float[z.length];
        u.asFloatBuffer().get(act);
        return act;
    }

    @Test
    void geluAndItsDerivativeFollowTheirFormulaInDouble() {
        int n = 24_000 / W * W + 3; // whole vectors and a scalar tail
        float[] z = new float[n];
        for (int i = 0; i < n; i++) {
            z[i] = -12f + 24f * i / n;
        }
        float[] deriv = new float[n];
        float[] act = gelu(z, deriv);
        double worstAct = 0;
        double worstDeriv = 0;
        for (int i = 0; i < n; i++) {
            double erf = erf(z[i]);
            double a = z[i] * (1 + erf);
            double d = 1 + erf + z[i] * 2 / Math.sqrt(Math.PI) * Math.exp(-(double) z[i] * z[i]);
            worstAct = Math.max(worstAct, Math.abs(act[i] - a) / Math.max(1, Math.abs(a)));
            worstDeriv = Math.max(worstDeriv, Math.abs(deriv[i] - d));
        }
        assertTrue(worstAct < 2e-7, "activation: worst relative error " + worstAct);
        assertTrue(worstDeriv < 6e-7, "derivative: worst error " + worstDeriv);
    }

    @Test
    void heapBuffersAreRefused() {
        ByteBuffer heap = ByteBuffer.allocate(W * 4).order(ByteOrder.nativeOrder());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> VectorKernels.gelu(heap, W, 1, new float[]{0f}, null));
        assertTrue(e.getMessage().contains("direct buffers"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> VectorKernels.normalize(heap, null, W, 1, 1e-6f,
                new float[W], new float[W], new float[W], null));
    }

    @Test
    void pastExpsRangeGeluIsTheIdentityOrZeroAndAtZeroItsSlopeIsOne() {
        float[] z = new float[2 * W + 1];
        for (int i = 0; i < z.length; i++) {
            z[i] = (i % 2 == 0 ? 1 : -1) * (9.5f + i); // -z² below -87: exp(-z²) flushes to 0
        }
        z[z.length - 1] = 0f;
        z[W] = 0f;
        float[] deriv = new float[z.length];
        float[] act = gelu(z, deriv);
        for (int i = 0; i < z.length; i++) {
            if (z[i] == 0f) {
                assertEquals(0f, act[i], "gelu(0)");
                assertEquals(1f, deriv[i], "gelu'(0)");
            } else if (z[i] > 0) {
                assertEquals(2 * z[i], act[i], "gelu(" + z[i] + ")");
                assertEquals(2f, deriv[i], "gelu'(" + z[i] + ")");
            } else {
                assertEquals(0f, Math.abs(act[i]), "gelu(" + z[i] + ")");
                assertEquals(0f, Math.abs(deriv[i]), "gelu'(" + z[i] + ")");
            }
        }
    }

    @Test
    void eachColumnTakesItsOwnBiasAndInferenceWritesTheSameActivations() {
        int rows = 2 * W + 3;
        int cols = 3;
        float[] bias = {0.5f, -1.25f, 2f};
        float[] u = new float[rows * cols];
        for (int i = 0; i < u.length; i++) {
            u[i] = -3f + 6f * i / u.length;
        }
        ByteBuffer train = ByteBuffer.allocateDirect(u.length * 4).order(ByteOrder.nativeOrder());
        train.asFloatBuffer().put(u);
        ByteBuffer infer = ByteBuffer.allocateDirect(u.length * 4).order(ByteOrder.nativeOrder());
        infer.asFloatBuffer().put(u);
        float[] deriv = new float[u.length];
        VectorKernels.gelu(train, rows, cols, bias, deriv);
        VectorKernels.gelu(infer, rows, cols, bias, null);
        for (int c = 0; c < cols; c++) {
            float[] z = new float[rows];
            for (int n = 0; n < rows; n++) {
                z[n] = u[c * rows + n] + bias[c];
            }
            float[] columnDeriv = new float[rows];
            float[] columnAct = gelu(z, columnDeriv);
            for (int n = 0; n < rows; n++) {
                int at = c * rows + n;
                assertEquals(columnAct[n], train.getFloat(at * 4), "activation, column " + c + ", row " + n);
                assertEquals(columnAct[n], infer.getFloat(at * 4), "inference activation, column " + c + ", row " + n);
                assertEquals(columnDeriv[n], deriv[at], "derivative, column " + c + ", row " + n);
            }
        }
    }
}
