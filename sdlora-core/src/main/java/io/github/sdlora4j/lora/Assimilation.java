package io.github.sdlora4j.lora;

import java.util.Arrays;

/**
 * Result of fitting the current task's direction on the previous directions (SD-LoRA-KD, spec section 1.8).
 *
 * @param coefficients least-squares coefficient per previous direction, indexed like the {@code previous} list given
 *                     to {@link DirectionAssimilator#assimilate}; exactly 0 at zero (excluded) directions. When
 *                     {@code merged}, these are the increments {@code Δα_k} to add to the previous magnitudes.
 * @param residual     {@code ||P c − y||_F²}, the squared distance between the fit and the current direction
 * @param merged       whether the current direction is absorbed into the previous ones (and should be dropped)
 */
public record Assimilation(double[] coefficients, double residual, boolean merged) {

    /**
     * Validates and defensively copies the coefficients.
     *
     * @param coefficients coefficient per previous direction
     * @param residual     squared residual
     * @param merged       merge decision
     * @throws IllegalArgumentException if coefficients are null or not finite, or the residual is negative or not
     *                                  finite
     */
    public Assimilation {
        if (coefficients == null) {
            throw new IllegalArgumentException("Assimilation coefficients must not be null");
        }
        coefficients = coefficients.clone();
        for (int i = 0; i < coefficients.length; i++) {
            if (!Double.isFinite(coefficients[i])) {
                throw new IllegalArgumentException("Assimilation coefficient " + i + " must be finite, got "
                        + coefficients[i]);
            }
        }
        if (!Double.isFinite(residual) || residual < 0) {
            throw new IllegalArgumentException("Assimilation residual must be finite and >= 0, got " + residual);
        }
    }

    /** @return a copy of the coefficients */
    @Override
    public double[] coefficients() {
        return coefficients.clone();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Assimilation other
                && Arrays.equals(coefficients, other.coefficients)
                && Double.compare(residual, other.residual) == 0
                && merged == other.merged;
    }

    @Override
    public int hashCode() {
        return 31 * (31 * Arrays.hashCode(coefficients) + Double.hashCode(residual)) + Boolean.hashCode(merged);
    }

    @Override
    public String toString() {
        return "Assimilation[coefficients=" + Arrays.toString(coefficients) + ", residual=" + residual
                + ", merged=" + merged + "]";
    }
}
