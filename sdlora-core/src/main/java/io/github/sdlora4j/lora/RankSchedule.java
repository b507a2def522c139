package io.github.sdlora4j.lora;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonProperty;

/**
 * LoRA rank per 0-based task for SD-LoRA-RR (spec section 1.7): {@code initialRank} for tasks before {@code mu},
 * {@code muRank} for tasks {@code mu .. nu-1}, {@code nuRank} from task {@code nu} on.
 *
 * <p>The reference schedule ({@link #DEFAULT_REDUCTION}) is 10 for tasks 0–3, 8 for tasks 4–7 and 6 from task 8
 * on. Serializes to JSON as its five components.
 *
 * @param initialRank rank of tasks {@code 0 .. mu-1}, {@code >= 1}
 * @param mu          first task of the second phase, {@code >= 1}
 * @param muRank      rank of tasks {@code mu .. nu-1}, {@code >= 1}
 * @param nu          first task of the third phase, {@code > mu}
 * @param nuRank      rank of tasks {@code nu ..}, {@code >= 1}
 */
public record RankSchedule(int initialRank, int mu, int muRank, int nu, int nuRank) {

    /** The reference rank reduction: μ=4, ν=8, ranks 10/8/6 (LIB {@code rank_reduction: [_, 4, 8, 8, 6]}). */
    public static final RankSchedule DEFAULT_REDUCTION = reduction(10, 4, 8, 8, 6);

    /**
     * Validates the schedule.
     *
     * @param initialRank rank of tasks {@code 0 .. mu-1}
     * @param mu          first task of the second phase
     * @param muRank      rank of tasks {@code mu .. nu-1}
     * @param nu          first task of the third phase
     * @param nuRank      rank from task {@code nu} on
     * @throws IllegalArgumentException if a rank is below 1, {@code mu < 1} or {@code mu >= nu}
     */
    @JsonCreator
    public RankSchedule(@JsonProperty("initialRank") int initialRank, @JsonProperty("mu") int mu,
                        @JsonProperty("muRank") int muRank, @JsonProperty("nu") int nu,
                        @JsonProperty("nuRank") int nuRank) {
        requireRank("initialRank", initialRank);
        requireRank("muRank", muRank);
        requireRank("nuRank", nuRank);
        if (mu < 1 || mu >= nu) {
            throw new IllegalArgumentException("RankSchedule needs 1 <= mu < nu (task indices where the rank changes),"
                    + " got mu = " + mu + ", nu = " + nu);
        }
        this.initialRank = initialRank;
        this.mu = mu;
        this.muRank = muRank;
        this.nu = nu;
        this.nuRank = nuRank;
    }

    /**
     * The same rank for every task (SD-LoRA without rank reduction).
     *
     * @param rank the rank, {@code >= 1}
     * @return a schedule whose three phases share {@code rank}
     */
    public static RankSchedule constant(int rank) {
        return new RankSchedule(rank, 1, rank, 2, rank);
    }

    /**
     * A three-phase rank reduction.
     *
     * @param initial rank of tasks {@code 0 .. mu-1}
     * @param mu      first task with rank {@code rMu}
     * @param rMu     rank of tasks {@code mu .. nu-1}
     * @param nu      first task with rank {@code rNu}
     * @param rNu     rank from task {@code nu} on
     * @return the schedule
     */
    public static RankSchedule reduction(int initial, int mu, int rMu, int nu, int rNu) {
        return new RankSchedule(initial, mu, rMu, nu, rNu);
    }

    /**
     * @param task 0-based task index, {@code >= 0}
     * @return the LoRA rank of that task
     * @throws IllegalArgumentException if {@code task < 0}
     */
    public int rankFor(int task) {
        if (task < 0) {
            throw new IllegalArgumentException("Task index must be >= 0, got " + task);
        }
        if (task >= nu) {
            return nuRank;
        }
        return task >= mu ? muRank : initialRank;
    }

    private static void requireRank(String name, int rank) {
        if (rank < 1) {
            throw new IllegalArgumentException("RankSchedule " + name + " must be >= 1, got " + rank);
        }
    }
}
