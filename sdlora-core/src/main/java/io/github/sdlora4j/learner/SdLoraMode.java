package io.github.sdlora4j.learner;

import io.github.sdlora4j.lora.DirectionNorm;

/**
 * The two behaviours the project offers (spec section 8). Both train the current task's term unnormalized
 * ({@code α_t·B_t·A_t}: B starts at zero, so it cannot be normalized) and differ in what happens at a task boundary.
 */
public enum SdLoraMode {
    /**
     * Reproduces the published numbers: finished directions divided by {@code ||B||·||A||}, every magnitude
     * re-created at the initial value (0.8) at each new task, SGD with momentum 0.9.
     */
    REFERENCE(DirectionNorm.FACTOR_PRODUCT, true, 0.8),
    /**
     * The paper: finished directions divided by {@code ||B·A||}, learned magnitudes kept across tasks (only the new
     * task's magnitude starts at the initial value), Adam.
     */
    PAPER(DirectionNorm.PRODUCT, false, 1.0);

    private final DirectionNorm norm;
    private final boolean resetsMagnitudes;
    private final double defaultInitialMagnitude;

    SdLoraMode(DirectionNorm norm, boolean resetsMagnitudes, double defaultInitialMagnitude) {
        this.norm = norm;
        this.resetsMagnitudes = resetsMagnitudes;
        this.defaultInitialMagnitude = defaultInitialMagnitude;
    }

    /** How finished directions are normalized. */
    public DirectionNorm norm() {
        return norm;
    }

    /** Whether every magnitude is re-created at the initial value when a task starts. */
    public boolean resetsMagnitudes() {
        return resetsMagnitudes;
    }

    /** 0.8 (reference code) or 1.0 (paper). */
    public double defaultInitialMagnitude() {
        return defaultInitialMagnitude;
    }
}
