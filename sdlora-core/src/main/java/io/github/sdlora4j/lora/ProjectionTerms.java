package io.github.sdlora4j.lora;

import java.util.List;

/**
 * SD-LoRA's terms on one block's q or v projection, {@code Σ_{i≠c} (α_i + β_i)·B_iA_i/n_i + α_c·B_cA_c}, split
 * once by {@link SdLoraAlgebra#foldsFinished the fold rule} into the terms that go into the projection's weight
 * ({@link #inWeight}) and those kept as a low-rank product of the input ({@link #lowRank}).
 */
public final class ProjectionTerms {

    private final StackedTerms all;
    private final StackedTerms inWeight;
    private final StackedTerms lowRank;
    private final boolean foldsFinished;

    ProjectionTerms(List<AdapterTerm> terms) {
        int finishedRank = terms.stream().filter(t -> !t.current()).mapToInt(t -> t.factors().rank()).sum();
        foldsFinished = !terms.isEmpty() && SdLoraAlgebra.foldsFinished(terms.get(0).factors().dim(), finishedRank);
        all = new StackedTerms(terms);
        inWeight = new StackedTerms(foldsFinished ? terms.stream().filter(t -> !t.current()).toList() : List.of());
        lowRank = foldsFinished ? new StackedTerms(terms.stream().filter(AdapterTerm::current).toList()) : all;
    }

    /** Whether the finished tasks' terms go into the weight (their summed rank passes d/4). */
    public boolean foldsFinished() {
        return foldsFinished;
    }

    /**
     * How the gradients of the stacked rows are formed: {@link SdLoraAlgebra.GradientForm#WEIGHT} when the finished
     * terms are folded, {@link SdLoraAlgebra.GradientForm#LOW_RANK} otherwise.
     */
    public SdLoraAlgebra.GradientForm gradientForm() {
        return foldsFinished ? SdLoraAlgebra.GradientForm.WEIGHT : SdLoraAlgebra.GradientForm.LOW_RANK;
    }

    /** Every term, in task order. */
    public StackedTerms all() {
        return all;
    }

    /** The finished terms when folded, else none. */
    public StackedTerms inWeight() {
        return inWeight;
    }

    /** The terms not in {@link #inWeight}: the current task's, plus the finished ones when they are not folded. */
    public StackedTerms lowRank() {
        return lowRank;
    }

    public boolean isEmpty() {
        return all.isEmpty();
    }
}
