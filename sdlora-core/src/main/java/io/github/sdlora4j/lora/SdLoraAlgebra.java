package io.github.sdlora4j.lora;

import io.github.sdlora4j.vit.Projection;

/**
 * SD-LoRA's algebra for one state, direction norm and training mode, decided once: per block and projection the
 * terms {@code Σ_{i≠c} (α_i + β_i)·B_iA_i/n_i + α_c·B_cA_c} with their per-row scales ({@link ProjectionTerms}),
 * which of them are folded into the weight and so which gradient form they take ({@link #foldsFinished}), the
 * magnitudes α, and the names of the tensors. The SameDiff graph ({@link SdLoraAdapterGraph}), the fused step and
 * the merged backbone ({@link AdapterMerger}) execute it; none of them derives a term, a scale or a fold itself.
 *
 * <p>The arrays of the state are referenced, not copied: the algebra describes the state as it was built and is
 * rebuilt when the state changes.
 */
public final class SdLoraAlgebra {

    /** Name of the magnitude vector α, shape [tasks], in graphs, optimizer state and checkpoints. */
    public static final String MAGNITUDE = "sdlora.magnitude";

    /**
     * Which parts train.
     *
     * @param factors    whether the current task's A and B train
     * @param magnitudes whether α trains (plain LoRA fine-tuning keeps it fixed at 1)
     * @param factorA    with {@code factors}, whether A trains too; false trains B only (InfLoRA's designed A)
     */
    public record Training(boolean factors, boolean magnitudes, boolean factorA) {
        /** Inference: everything is constant. */
        public static final Training NONE = new Training(false, false);
        /** SD-LoRA: the current factors and the magnitudes train. */
        public static final Training ALL = new Training(true, true);

        /** The current task's A and B both train when {@code factors} does. */
        public Training(boolean factors, boolean magnitudes) {
            this(factors, magnitudes, factors);
        }
    }

    /** How the gradients of a projection's stacked rows are formed; both are exact. */
    public enum GradientForm {
        /** Every row's through {@code X·Aᵀ}: O(N·d·R) FLOPs a step for N input rows, growing with every task. */
        LOW_RANK,
        /**
         * The finished rows' through the weight gradient {@code Xᵀ·dY}, which α's gradient needs once they are in the
         * weight: O(N·d²), whatever the number of tasks. An executor may take the current rows' from it too.
         */
        WEIGHT
    }

    private final Training training;
    private final int numTasks;
    private final int currentTask;
    private final double[] magnitudes;
    private final ProjectionTerms[][] terms;

    private SdLoraAlgebra(SdLoraState state, DirectionNorm norm, Training training) {
        this.training = training;
        this.numTasks = state.numTasks();
        this.currentTask = state.currentTask();
        this.magnitudes = state.magnitudes();
        this.terms = new ProjectionTerms[state.depth()][Projection.values().length];
        for (int l = 0; l < state.depth(); l++) {
            for (Projection p : Projection.values()) {
                terms[l][p.ordinal()] = new ProjectionTerms(AdapterTerm.of(state, norm, l, p));
            }
        }
    }

    /**
     * The algebra of {@code state} normalized with {@code norm}.
     *
     * @throws IllegalArgumentException if an argument is null
     * @throws IllegalStateException    if {@code training} trains factors but the state has no current task
     */
    public static SdLoraAlgebra of(SdLoraState state, DirectionNorm norm, Training training) {
        if (state == null || norm == null || training == null) {
            throw new IllegalArgumentException("SD-LoRA algebra needs a state, a direction norm and a training mode, got "
                    + state + ", " + norm + ", " + training);
        }
        if (training.factors() && state.currentTask() < 0) {
            throw new IllegalStateException("No current task to train: call beforeTask first");
        }
        return new SdLoraAlgebra(state, norm, training);
    }

    /**
     * The one fold rule: finished tasks of summed rank {@code finishedRank} go into the weight of a projection of
     * width {@code dim} once that rank passes {@code dim/4}, where the {@link GradientForm#LOW_RANK} cost
     * {@code 8·N·d·R} overtakes the {@link GradientForm#WEIGHT} cost {@code 2·N·d²}. The current task always keeps
     * its own factors: its A and B train.
     */
    public static boolean foldsFinished(long dim, int finishedRank) {
        return finishedRank > dim / 4;
    }

    /** {@code sdlora.blocks.{block}.attn.{q|v}.task{task}.{A|B}}: a factor's name in graphs, optimizer state and files. */
    public static String factorName(int block, Projection p, int task, String factor) {
        return "sdlora.blocks." + block + ".attn." + p.key() + ".task" + task + "." + factor;
    }

    /** The terms of one block and projection. */
    public ProjectionTerms terms(int block, Projection p) {
        return terms[block][p.ordinal()];
    }

    public Training training() {
        return training;
    }

    /** Whether {@code term}'s factors train (the current task's, when factors train). */
    public boolean trains(AdapterTerm term) {
        return training.factors() && term.current();
    }

    /** Whether {@code term}'s A trains: its factors train, and not B only. */
    public boolean trainsA(AdapterTerm term) {
        return trains(term) && training.factorA();
    }

    public int depth() {
        return terms.length;
    }

    public int numTasks() {
        return numTasks;
    }

    /** The task whose term is unnormalized, -1 if none. */
    public int currentTask() {
        return currentTask;
    }

    /** A copy of α as the state held it. */
    public double[] magnitudes() {
        return magnitudes.clone();
    }
}
