package io.github.sdlora4j.fused;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * The element-wise passes of the step, on column-major heap arrays ({@code x[col * rows + row]}), so that a
 * per-row reduction is a sweep of whole columns and vectorises over rows.
 *
 * <p>Buffers must be direct. The Vector API's buffer loads and stores share one type profile in the JDK, whoever
 * calls them; once a heap buffer has passed through it, a kernel C2 compiles afterwards may keep those accesses on
 * their element-by-element fallback, depending on which ran first (measured in benchmarks/RESULTS.md).
 */
final class VectorKernels {

    private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    private static final int W = S.length();
    private static final ByteOrder ORDER = ByteOrder.nativeOrder();
    // Abramowitz & Stegun 7.1.26 (|error| ≤ 1.5e-7, below float32's resolution near erf's range).
    private static final float P = 0.3275911f;
    private static final float A1 = 0.254829592f;
    private static final float A2 = -0.284496736f;
    private static final float A3 = 1.421413741f;
    private static final float A4 = -1.453152027f;
    private static final float A5 = 1.061405429f;
    private static final float TWO_OVER_SQRT_PI = 1.1283791671f;
    // exp by Cody-Waite reduction and a degree-7 Taylor polynomial, from exactly rounded operations only.
    private static final float LOG2E = 1.44269504f;
    private static final float LN2_HI = 0.693145752f;
    private static final float LN2_LO = 1.42860677e-6f;
    private static final float EXP_MIN = -87f;
    /** 1.5·2²³: adding it rounds a float of magnitude below 2²² to an integer, held in the low mantissa bits. */
    private static final float ROUND_SHIFT = 12582912f;

    private VectorKernels() {
    }

    /**
     * LayerNorm without gain and bias, {@code xhat = (x − mean)·rstd} per row (two-pass variance, as PyTorch), reading
     * {@code x} from native memory.
     *
     * @param pendingBias if not null, added to {@code x[c, n]} first, in place: a bias the previous GEMM left out
     * @param mean        scratch of {@code rows}
     * @param rstd        receives 1/√(var + eps) per row
     * @param xhatCopy    if not null, also receives {@code xhat}
     */
    static void normalize(ByteBuffer x, float[] pendingBias, int rows, int cols, float eps, float[] mean, float[] rstd,
                          float[] xhat, ByteBuffer xhatCopy) {
        requireDirect(x);
        if (xhatCopy != null) {
            requireDirect(xhatCopy);
        }
        java.util.Arrays.fill(mean, 0, rows, 0f);
        java.util.Arrays.fill(rstd, 0, rows, 0f);
        for (int c = 0; c < cols; c++) {
            int o = c * rows;
            float bias = pendingBias == null ? 0f : pendingBias[c];
            int n = 0;
            for (; n < S.loopBound(rows); n += W) {
                FloatVector v = FloatVector.fromByteBuffer(S, x, (o + n) * 4, ORDER);
                if (pendingBias != null) {
                    v = v.add(bias);
                    v.intoByteBuffer(x, (o + n) * 4, ORDER);
                }
                v.add(FloatVector.fromArray(S, mean, n)).intoArray(mean, n);
            }
            for (; n < rows; n++) {
                float v = x.getFloat((o + n) * 4) + bias;
                x.putFloat((o + n) * 4, v);
                mean[n] += v;
            }
        }
        scale(mean, rows, 1f / cols);
        for (int c = 0; c < cols; c++) {
            int o = c * rows;
            int n = 0;
            for (; n < S.loopBound(rows); n += W) {
                FloatVector d = FloatVector.fromByteBuffer(S, x, (o + n) * 4, ORDER).sub(FloatVector.fromArray(S, mean, n));
                d.fma(d, FloatVector.fromArray(S, rstd, n)).intoArray(rstd, n);
            }
            for (; n < rows; n++) {
                float d = x.getFloat((o + n) * 4) - mean[n];
                rstd[n] += d * d;
            }
        }
        for (int n = 0; n < rows; n++) {
            rstd[n] = (float) (1.0 / Math.sqrt(rstd[n] / cols + eps));
        }
        for (int c = 0; c < cols; c++) {
            int o = c * rows;
            int n = 0;
            for (; n < S.loopBound(rows); n += W) {
                FloatVector v = FloatVector.fromByteBuffer(S, x, (o + n) * 4, ORDER).sub(FloatVector.fromArray(S, mean, n))
                        .mul(FloatVector.fromArray(S, rstd, n));
                v.intoArray(xhat, o + n);
                if (xhatCopy != null) {
                    v.intoByteBuffer(xhatCopy, (o + n) * 4, ORDER);
                }
            }
            for (; n < rows; n++) {
                xhat[o + n] = (x.getFloat((o + n) * 4) - mean[n]) * rstd[n];
                if (xhatCopy != null) {
                    xhatCopy.putFloat((o + n) * 4, xhat[o + n]);
                }
            }
        }
    }

    /** {@code out[c, n] = xhat[c, n]·gain[c] + bias[c]}, into native memory. */
    static void affine(float[] xhat, int rows, int cols, float[] gain, float[] bias, ByteBuffer out) {
        requireDirect(out);
        for (int c = 0; c < cols; c++) {
            int o = c * rows;
            FloatVector g = FloatVector.broadcast(S, gain[c]);
            FloatVector b = FloatVector.broadcast(S, bias[c]);
            int n = 0;
            for (; n < S.loopBound(rows); n += W) {
                FloatVector.fromArray(S, xhat, o + n).fma(g, b).intoByteBuffer(out, (o + n) * 4, ORDER);
            }
            for (; n < rows; n++) {
                out.putFloat((o + n) * 4, xhat[o + n] * gain[c] + bias[c]);
            }
        }
    }

    /**
     * LayerNorm's backward, added into {@code dx}: with {@code g = dy·gain},
     * {@code dx += rstd·(g − mean(g) − xhat·mean(g·xhat))} per row; {@code dy} is read from native memory.
     *
     * @param gain   null for a LayerNorm whose gain was folded into the next weight
     * @param m1     scratch of {@code rows}
     * @param m2     scratch of {@code rows}
     * @param g      scratch of {@code rows·cols}
     * @param dxCopy if not null, also receives the updated {@code dx}
     */
    static void normalizeBackward(ByteBuffer dy, float[] xhat, float[] rstd, int rows, int cols, float[] gain,
                                  float[] m1, float[] m2, float[] g, float[] dx, ByteBuffer dxCopy) {
        requireDirect(dy);
        if (dxCopy != null) {
            requireDirect(dxCopy);
        }
        java.util.Arrays.fill(m1, 0, rows, 0f);
        java.util.Arrays.fill(m2, 0, rows, 0f);
        for (int c = 0; c < cols; c++) {
            int o = c * rows;
            float gainC = gain == null ? 1f : gain[c];
            int n = 0;
            for (; n < S.loopBound(rows); n += W) {
                FloatVector gv = FloatVector.fromByteBuffer(S, dy, (o + n) * 4, ORDER).mul(gainC);
                gv.intoArray(g, o + n);
                gv.add(FloatVector.fromArray(S, m1, n)).intoArray(m1, n);
                gv.fma(FloatVector.fromArray(S, xhat, o + n), FloatVector.fromArray(S, m2, n)).intoArray(m2, n);
            }
            for (; n < rows; n++) {
                float gv = dy.getFloat((o + n) * 4) * gainC;
                g[o + n] = gv;
                m1[n] += gv;
                m2[n] += gv * xhat[o + n];
            }
        }
        scale(m1, rows, 1f / cols);
        scale(m2, rows, 1f / cols);
        for (int c = 0; c < cols; c++) {
            int o = c * rows;
            int n = 0;
            for (; n < S.loopBound(rows); n += W) {
                FloatVector t = FloatVector.fromArray(S, g, o + n).sub(FloatVector.fromArray(S, m1, n))
                        .sub(FloatVector.fromArray(S, xhat, o + n).mul(FloatVector.fromArray(S, m2, n)));
                FloatVector v = t.fma(FloatVector.fromArray(S, rstd, n), FloatVector.fromArray(S, dx, o + n));
                v.intoArray(dx, o + n);
                if (dxCopy != null) {
                    v.intoByteBuffer(dxCopy, (o + n) * 4, ORDER);
                }
            }
            for (; n < rows; n++) {
                dx[o + n] += rstd[n] * (g[o + n] - m1[n] - xhat[o + n] * m2[n]);
                if (dxCopy != null) {
                    dxCopy.putFloat((o + n) * 4, dx[o + n]);
                }
            }
        }
    }

    /**
     * With {@code z = u + bias[c]} (u already scaled by 1/√2): {@code act = z·(1 + erf z)}, which is √2·GELU(√2·z),
     * written over {@code u} in place in native memory, and its derivative {@code 1 + erf z + z·2/√π·exp(−z²)} into
     * {@code deriv} unless it is null (inference). Working on ND4J's buffer directly spares two copies of the largest
     * activation.
     *
     * <p>Each column takes two passes, {@code exp(−z²)} into a column of scratch, then erf, the output and the
     * derivative. Both passes are above C2's hot-inlining size, so each is compiled on its own: one loop doing
     * all of it made 33 Vector API calls a vector, near C2's node budget for one compile, and in some processes its
     * stores stayed on the element-by-element fallback (measured in benchmarks/RESULTS.md). Within a pass every
     * call is inlined: a helper taking and returning vectors, which C2 does not always inline, would box every vector.
     *
     * <p>The exp is Cody-Waite reduction and a degree-7 Taylor polynomial from multiplies, adds, fused multiply-adds
     * and integer shifts only, which round the same way in every JIT tier (the Vector API's {@code EXP} calls a
     * vector math library whose results differ by an ulp from the interpreter's {@code Math.exp}); it flushes to 0
     * below −87. The output is {@code z + |z|·erf|z|}, which needs no sign select.
     */
    static void gelu(ByteBuffer u, int rows, int cols, float[] bias, float[] deriv) {
        requireDirect(u);
        float[] expMinusZ2 = new float[rows];
        for (int c = 0; c < cols; c++) {
            expOfMinusSquare(u, c * rows, rows, bias[c], expMinusZ2);
            geluColumn(u, c * rows, rows, bias[c], expMinusZ2, deriv);
        }
    }

    /** {@code out[n] = exp(−z²)} for the column of {@code z = u + bias} at element offset {@code o}. */
    private static void expOfMinusSquare(ByteBuffer u, int o, int rows, float bias, float[] out) {
        FloatVector zero = FloatVector.zero(S);
        FloatVector one = FloatVector.broadcast(S, 1f);
        FloatVector expMin = FloatVector.broadcast(S, EXP_MIN);
        FloatVector log2e = FloatVector.broadcast(S, LOG2E);
        FloatVector roundShift = FloatVector.broadcast(S, ROUND_SHIFT);
        FloatVector minusLn2Hi = FloatVector.broadcast(S, -LN2_HI);
        FloatVector minusLn2Lo = FloatVector.broadcast(S, -LN2_LO);
        FloatVector c5040 = FloatVector.broadcast(S, 1f / 5040f);
        FloatVector c720 = FloatVector.broadcast(S, 1f / 720f);
        FloatVector c120 = FloatVector.broadcast(S, 1f / 120f);
        FloatVector c24 = FloatVector.broadcast(S, 1f / 24f);
        FloatVector c6 = FloatVector.broadcast(S, 1f / 6f);
        FloatVector half = FloatVector.broadcast(S, 0.5f);
        IntVector exponentBias = one.reinterpretAsInts().broadcast(127 - Float.floatToRawIntBits(ROUND_SHIFT));
        FloatVector b = FloatVector.broadcast(S, bias);
        int n = 0;
        for (; n < S.loopBound(rows); n += W) {
            FloatVector z = FloatVector.fromByteBuffer(S, u, (o + n) * 4, ORDER).add(b);
            FloatVector minusZ2 = z.neg().mul(z);
            FloatVector arg = minusZ2.max(expMin);
            // k = round(arg·log2 e) lands in the low mantissa bits of ROUND_SHIFT + arg·log2 e; a float-to-int
            // conversion would do the same but JDK 17 does not compile it to vector code on every shape.
            FloatVector shifted = arg.fma(log2e, roundShift);
            FloatVector kf = shifted.sub(roundShift);
            FloatVector r = kf.fma(minusLn2Lo, kf.fma(minusLn2Hi, arg));
            r.fma(c5040, c720).fma(r, c120).fma(r, c24).fma(r, c6).fma(r, half).fma(r, one).fma(r, one)
                    .mul(shifted.reinterpretAsInts().add(exponentBias).lanewise(VectorOperators.LSHL, 23)
                            .reinterpretAsFloats())
                    .blend(zero, minusZ2.lt(expMin))
                    .intoArray(out, n);
        }
        for (; n < rows; n++) {
            float z = u.getFloat((o + n) * 4) + bias;
            out[n] = (float) Math.exp(-(double) z * z);
        }
    }

    /** One column's GELU output over {@code u} and its derivative into {@code deriv}, given its {@code exp(−z²)}. */
    private static void geluColumn(ByteBuffer u, int o, int rows, float bias, float[] expMinusZ2, float[] deriv) {
        FloatVector zero = FloatVector.zero(S);
        FloatVector one = FloatVector.broadcast(S, 1f);
        FloatVector p = FloatVector.broadcast(S, P);
        FloatVector minusA1 = FloatVector.broadcast(S, -A1);
        FloatVector minusA2 = FloatVector.broadcast(S, -A2);
        FloatVector minusA3 = FloatVector.broadcast(S, -A3);
        FloatVector minusA4 = FloatVector.broadcast(S, -A4);
        FloatVector minusA5 = FloatVector.broadcast(S, -A5);
        FloatVector twoOverSqrtPi = FloatVector.broadcast(S, TWO_OVER_SQRT_PI);
        FloatVector b = FloatVector.broadcast(S, bias);
        int n = 0;
        for (; n < S.loopBound(rows); n += W) {
            FloatVector z = FloatVector.fromByteBuffer(S, u, (o + n) * 4, ORDER).add(b);
            FloatVector e = FloatVector.fromArray(S, expMinusZ2, n);
            FloatVector az = z.abs();
            FloatVector t = one.div(az.fma(p, one));
            // erf|z| = 1 − poly·e, and z·(1 + erf z) = z + |z|·erf|z|.
            FloatVector erfAbs = t.fma(minusA5, minusA4).fma(t, minusA3).fma(t, minusA2).fma(t, minusA1).mul(t)
                    .fma(e, one);
            az.fma(erfAbs, z).intoByteBuffer(u, (o + n) * 4, ORDER);
            if (deriv != null) {
                FloatVector onePlusErf = erfAbs.blend(erfAbs.neg(), z.lt(zero)).add(one);
                z.mul(twoOverSqrtPi).fma(e, onePlusErf).intoArray(deriv, o + n);
            }
        }
        for (; n < rows; n++) {
            float z = u.getFloat((o + n) * 4) + bias;
            float onePlusErf = 1f + erf(z, expMinusZ2[n]);
            u.putFloat((o + n) * 4, z * onePlusErf);
            if (deriv != null) {
                deriv[o + n] = onePlusErf + z * TWO_OVER_SQRT_PI * expMinusZ2[n];
            }
        }
    }

    private static float erf(float z, float expMinusZ2) {
        float az = Math.abs(z);
        float t = 1f / (1f + P * az);
        float y = 1f - t * (A1 + t * (A2 + t * (A3 + t * (A4 + t * A5)))) * expMinusZ2;
        return z < 0 ? -y : y;
    }

    /** {@code x[i] *= y[i]}, {@code x} in native memory. */
    static void multiply(ByteBuffer x, float[] y, int length) {
        requireDirect(x);
        int i = 0;
        for (; i < S.loopBound(length); i += W) {
            FloatVector.fromByteBuffer(S, x, i * 4, ORDER).mul(FloatVector.fromArray(S, y, i)).intoByteBuffer(x, i * 4, ORDER);
        }
        for (; i < length; i++) {
            x.putFloat(i * 4, x.getFloat(i * 4) * y[i]);
        }
    }

    /** Softmax's backward per row of {@code len}: {@code ds = p·(dp − Σ p·dp)}, written over {@code dp}. */
    static void softmaxBackward(float[] p, float[] dp, int rowCount, int len) {
        int bound = S.loopBound(len);
        float[] lanes = new float[W];
        for (int r = 0; r < rowCount; r++) {
            int o = r * len;
            FloatVector acc = FloatVector.zero(S);
            int j = 0;
            for (; j < bound; j += W) {
                acc = FloatVector.fromArray(S, p, o + j).fma(FloatVector.fromArray(S, dp, o + j), acc);
            }
            // Lane by lane, not reduceLanes: its compiled and interpreted forms add the lanes in different orders.
            acc.intoArray(lanes, 0);
            float dot = 0f;
            for (float lane : lanes) {
                dot += lane;
            }
            for (; j < len; j++) {
                dot += p[o + j] * dp[o + j];
            }
            j = 0;
            for (; j < bound; j += W) {
                FloatVector.fromArray(S, dp, o + j).sub(dot).mul(FloatVector.fromArray(S, p, o + j)).intoArray(dp, o + j);
            }
            for (; j < len; j++) {
                dp[o + j] = p[o + j] * (dp[o + j] - dot);
            }
        }
    }

    private static void requireDirect(ByteBuffer b) {
        if (!b.isDirect()) {
            throw new IllegalArgumentException("The fused kernels take direct buffers only, got a heap buffer");
        }
    }

    private static void scale(float[] x, int length, float factor) {
        for (int i = 0; i < length; i++) {
            x[i] *= factor;
        }
    }
}
