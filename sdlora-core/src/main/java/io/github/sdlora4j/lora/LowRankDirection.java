package io.github.sdlora4j.lora;

import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * The normalized direction {@code B·A / norm} of one LoRA factor pair, kept in factored form.
 *
 * <p>The record holds the given arrays (not copies) and never modifies them. A norm of 0 marks a zero direction,
 * for example a task whose factors were zeroed by a knowledge-distillation merge; such a direction stands for the
 * zero matrix whatever {@code b} and {@code a} hold.
 *
 * @param b    {@code B}, shape {@code [d, r]}, FLOAT or DOUBLE
 * @param a    {@code A}, shape {@code [r, d]}, FLOAT or DOUBLE
 * @param norm the normalizer, finite and {@code >= 0} (see {@link DirectionNorm})
 */
public record LowRankDirection(INDArray b, INDArray a, double norm) {

    /**
     * Validates the factor shapes and the norm.
     *
     * @param b    {@code B}, shape {@code [d, r]}
     * @param a    {@code A}, shape {@code [r, d]}
     * @param norm the normalizer
     * @throws IllegalArgumentException if the shapes are not {@code [d, r]} / {@code [r, d]} or the norm is negative,
     *                                  NaN or infinite
     */
    public LowRankDirection {
        LowRankProducts.requireFactorPair(b, a, "LowRankDirection");
        if (!Double.isFinite(norm) || norm < 0) {
            throw new IllegalArgumentException("LowRankDirection norm must be finite and >= 0, got " + norm);
        }
    }

    /**
     * Builds the direction of {@code B·A} normalized with the given mode.
     *
     * @param b    {@code B}, shape {@code [d, r]}
     * @param a    {@code A}, shape {@code [r, d]}
     * @param mode how to compute the norm
     * @return the direction; zero if the mode's norm is 0
     */
    public static LowRankDirection of(INDArray b, INDArray a, DirectionNorm mode) {
        if (mode == null) {
            throw new IllegalArgumentException("LowRankDirection.of: direction norm mode must not be null");
        }
        return new LowRankDirection(b, a, mode.of(b, a));
    }

    /** @return {@code true} when {@code norm == 0}, i.e. the direction is the zero matrix */
    public boolean isZero() {
        return norm == 0.0;
    }

    /** @return the dimension {@code d} the update acts on */
    public long dimension() {
        return b.size(0);
    }

    /** @return the rank {@code r} of the factor pair */
    public long rank() {
        return b.size(1);
    }
}
