package io.github.sdlora4j.lora;

import io.github.sdlora4j.vit.Projection;

import java.util.ArrayList;
import java.util.List;

/**
 * One task's contribution to one projection: {@code (α_task + assimilated) · invNorm · B·A}.
 * {@link #of} lists the terms that enter the forward; {@link SdLoraAlgebra} stacks them for every executor.
 *
 * @param task       the task index, which selects α
 * @param factors    the task's A and B for this block and projection
 * @param invNorm    1/n for a finished task, 1 for the current (unnormalized) one
 * @param assimilated KD's extra magnitude for this block and projection (0 for the current task)
 * @param current    whether this is the current task's (unnormalized, possibly trainable) term
 */
public record AdapterTerm(int task, LoraFactors factors, double invNorm, double assimilated, boolean current) {

    /** The terms of {@code state} for one block and projection; finished directions of norm 0 are skipped. */
    public static List<AdapterTerm> of(SdLoraState state, DirectionNorm norm, int block, Projection p) {
        List<AdapterTerm> terms = new ArrayList<>();
        for (int t = 0; t < state.numTasks(); t++) {
            LoraFactors f = state.task(t).get(block, p);
            if (t == state.currentTask()) {
                terms.add(new AdapterTerm(t, f, 1.0, 0.0, true));
            } else {
                double n = norm.of(f.b(), f.a());
                if (n > 0) {
                    terms.add(new AdapterTerm(t, f, 1.0 / n, state.assimilated(block, p, t), false));
                }
            }
        }
        return terms;
    }

    /** The scalar in front of {@code B·A} for magnitudes {@code alpha}. */
    public double scale(double[] alpha) {
        return (alpha[task] + assimilated) * invNorm;
    }
}
