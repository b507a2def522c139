package io.github.sdlora4j.lora;

import java.util.Arrays;
import java.util.stream.Collectors;

import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * How the direction {@code B·A / n} of a finished task is normalized (spec section 3, bug 1).
 *
 * <p>{@link #FACTOR_PRODUCT} is what the reference code does and is needed to reproduce the published numbers;
 * {@link #PRODUCT} is what the paper describes. Since {@code ||BA||_F <= ||B||_F ||A||_F}, factor-product
 * directions have norm at most 1.
 */
public enum DirectionNorm {

    /** {@code n = ||B||_F · ||A||_F}, as in the reference code; metadata name {@code "factor_product"}. */
    FACTOR_PRODUCT("factor_product"),

    /** {@code n = ||B·A||_F}, as in the paper, from {@code r × r} Gram matrices; metadata name {@code "product"}. */
    PRODUCT("product");

    private final String metadataName;

    DirectionNorm(String metadataName) {
        this.metadataName = metadataName;
    }

    /** @return the stable name used in saved metadata */
    public String metadataName() {
        return metadataName;
    }

    /**
     * Parses a name written by {@link #metadataName()}.
     *
     * @param name the metadata name
     * @return the matching mode
     * @throws IllegalArgumentException if the name is null or unknown; the message lists the valid names
     */
    public static DirectionNorm fromMetadataName(String name) {
        for (DirectionNorm mode : values()) {
            if (mode.metadataName.equals(name)) {
                return mode;
            }
        }
        String valid = Arrays.stream(values()).map(m -> '"' + m.metadataName + '"').collect(Collectors.joining(", "));
        throw new IllegalArgumentException("Unknown direction norm " + (name == null ? "null" : '"' + name + '"')
                + "; valid names are " + valid);
    }

    /**
     * Computes the normalizer {@code n} of the update {@code B·A}, in double.
     *
     * <p>It is 0 exactly when the norm's defining quantity is 0: for {@link #PRODUCT} when {@code B·A = 0}, for
     * {@link #FACTOR_PRODUCT} when {@code B} or {@code A} is zero (a merged task). Such a direction counts as zero.
     *
     * @param b {@code B}, shape {@code [d, r]}, FLOAT or DOUBLE
     * @param a {@code A}, shape {@code [r, d]}, FLOAT or DOUBLE
     * @return the normalizer, finite and {@code >= 0} for finite inputs
     * @throws IllegalArgumentException if the shapes are not {@code [d, r]} and {@code [r, d]}
     */
    public double of(INDArray b, INDArray a) {
        LowRankProducts.requireFactorPair(b, a, "direction norm " + metadataName);
        return switch (this) {
            case FACTOR_PRODUCT -> LowRankProducts.frobeniusNorm(b) * LowRankProducts.frobeniusNorm(a);
            case PRODUCT -> Math.sqrt(LowRankProducts.squaredNorm(b, a));
        };
    }
}
