package io.github.sdlora4j.lora;

import java.util.Arrays;

import io.github.sdlora4j.NativeArrays;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Frobenius inner products and norms of low-rank products {@code B·A} computed from small Gram matrices,
 * without ever forming the {@code d × d} product.
 *
 * <p>Convention: a factor pair has {@code B} of shape {@code [d, r]} and {@code A} of shape {@code [r, d]}.
 * Using {@code <B1 A1, B2 A2>_F = trace(A1ᵀ B1ᵀ B2 A2) = Σ_ij (B1ᵀ B2)_ij (A1 A2ᵀ)_ij}, everything reduces to
 * {@code r1 × r2} matrices. Inputs may be FLOAT or DOUBLE; all arithmetic is done in double.
 */
public final class LowRankProducts {

    private LowRankProducts() {
    }

    /**
     * Frobenius inner product {@code <B1 A1, B2 A2>_F = Σ((B1ᵀ B2) ∘ (A1 A2ᵀ))}.
     *
     * @param b1 first {@code B}, shape {@code [d, r1]}
     * @param a1 first {@code A}, shape {@code [r1, d]}
     * @param b2 second {@code B}, shape {@code [d, r2]}
     * @param a2 second {@code A}, shape {@code [r2, d]}
     * @return the inner product, computed in double
     * @throws IllegalArgumentException if a shape is not as above or the two pairs have different {@code d}
     */
    public static double inner(INDArray b1, INDArray a1, INDArray b2, INDArray a2) {
        requireFactorPair(b1, a1, "first pair");
        requireFactorPair(b2, a2, "second pair");
        if (b1.size(0) != b2.size(0)) {
            throw new IllegalArgumentException("Both factor pairs must act on the same dimension d, got first pair B "
                    + shape(b1) + " and second pair B " + shape(b2));
        }
        INDArray b1d = toDouble(b1);
        INDArray a1d = toDouble(a1);
        INDArray b2d = toDouble(b2);
        INDArray a2d = toDouble(a2);
        INDArray bGram = b1d.transpose().mmul(b2d);
        INDArray aGram = a1d.mmul(a2d.transpose());
        double inner = bGram.muli(aGram).sumNumber().doubleValue();
        NativeArrays.closeCopy(b1d, b1);
        NativeArrays.closeCopy(a1d, a1);
        NativeArrays.closeCopy(b2d, b2);
        NativeArrays.closeCopy(a2d, a2);
        NativeArrays.close(bGram, aGram);
        return inner;
    }

    /**
     * Squared Frobenius norm {@code ||B A||_F² = Σ((Bᵀ B) ∘ (A Aᵀ))}. It is never negative: a tiny negative
     * rounding result (the exact value is a sum over a Schur product of two PSD matrices, hence ≥ 0) is returned
     * as 0.
     *
     * @param b {@code B}, shape {@code [d, r]}
     * @param a {@code A}, shape {@code [r, d]}
     * @return the squared norm, computed in double
     * @throws IllegalArgumentException if a shape is not as above
     */
    public static double squaredNorm(INDArray b, INDArray a) {
        requireFactorPair(b, a, "factor pair");
        INDArray bd = toDouble(b);
        INDArray ad = toDouble(a);
        INDArray bGram = bd.transpose().mmul(bd);
        INDArray aGram = ad.mmul(ad.transpose());
        double squared = bGram.muli(aGram).sumNumber().doubleValue();
        NativeArrays.closeCopy(bd, b);
        NativeArrays.closeCopy(ad, a);
        NativeArrays.close(bGram, aGram);
        return Math.max(0.0, squared);
    }

    /**
     * Checks that {@code b} is {@code [d, r]} and {@code a} is {@code [r, d]} with matching {@code d} and {@code r}.
     *
     * @param what names the pair in the error message
     */
    static void requireFactorPair(INDArray b, INDArray a, String what) {
        if (b == null || a == null) {
            throw new IllegalArgumentException(what + ": B and A must not be null, got B "
                    + (b == null ? "null" : shape(b)) + " and A " + (a == null ? "null" : shape(a)));
        }
        boolean ok = b.rank() == 2 && a.rank() == 2
                && b.size(0) == a.size(1) && b.size(1) == a.size(0)
                && b.size(0) > 0 && b.size(1) > 0;
        if (!ok) {
            throw new IllegalArgumentException(what + ": expected B of shape [d, r] and A of shape [r, d] (d, r >= 1),"
                    + " got B " + shape(b) + " and A " + shape(a));
        }
        if (!b.dataType().isFPType() || !a.dataType().isFPType()) {
            throw new IllegalArgumentException(what + ": B and A must be floating point, got B "
                    + b.dataType() + " and A " + a.dataType());
        }
    }

    static String shape(INDArray x) {
        return Arrays.toString(x.shape());
    }

    /** {@code ||x||_F} computed in double. */
    static double frobeniusNorm(INDArray x) {
        INDArray wide = toDouble(x);
        double norm = wide.norm2Number().doubleValue();
        NativeArrays.closeCopy(wide, x);
        return norm;
    }

    static INDArray toDouble(INDArray x) {
        return x.dataType() == DataType.DOUBLE ? x : x.castTo(DataType.DOUBLE);
    }
}
