package io.github.sdlora4j.lora;

import io.github.sdlora4j.vit.Projection;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.factory.Nd4j;

import java.util.SplittableRandom;

/** One task's SD-LoRA factors: an A/B pair for q and for v in every block, all of one rank. */
public final class TaskAdapter {

    private final int rank;
    private final LoraFactors[][] factors; // [block][projection ordinal]

    private TaskAdapter(int rank, LoraFactors[][] factors) {
        this.rank = rank;
        this.factors = factors;
    }

    /**
     * A new task's adapters as PyTorch initialises {@code nn.Linear}: A from kaiming-uniform with a=√5, i.e.
     * U(±1/√d) drawn independently per block and projection, B zero.
     */
    public static TaskAdapter initial(int depth, int dim, int rank, SplittableRandom rng, DataType type) {
        if (rank < 1 || rank > dim) {
            throw new IllegalArgumentException("LoRA rank must be in [1, " + dim + "], got " + rank);
        }
        double bound = 1.0 / Math.sqrt(dim);
        LoraFactors[][] f = new LoraFactors[depth][Projection.values().length];
        for (int l = 0; l < depth; l++) {
            for (Projection p : Projection.values()) {
                double[] a = new double[rank * dim];
                for (int i = 0; i < a.length; i++) {
                    a[i] = (2 * rng.nextDouble() - 1) * bound;
                }
                f[l][p.ordinal()] = new LoraFactors(Nd4j.create(a, new long[]{rank, dim}, 'c').castTo(type),
                        Nd4j.zeros(type, dim, rank));
            }
        }
        return new TaskAdapter(rank, f);
    }

    /** Wraps factors read from a file; every pair must have rank {@code rank}. */
    public static TaskAdapter of(int rank, LoraFactors[][] factors) {
        for (LoraFactors[] perBlock : factors) {
            for (LoraFactors f : perBlock) {
                if (f.rank() != rank) {
                    throw new IllegalArgumentException("Task adapter mixes ranks " + rank + " and " + f.rank());
                }
            }
        }
        return new TaskAdapter(rank, factors);
    }

    public int rank() {
        return rank;
    }

    public int depth() {
        return factors.length;
    }

    public LoraFactors get(int block, Projection p) {
        return factors[block][p.ordinal()];
    }

    /** Replaces one pair (after training, or when KD merges it away). */
    public void set(int block, Projection p, LoraFactors f) {
        if (f.rank() != rank) {
            throw new IllegalArgumentException("Expected rank " + rank + ", got " + f.rank());
        }
        factors[block][p.ordinal()] = f;
    }

    /** Trainable parameters of this task: 2 · depth · 2 · d · r (36,864·r for ViT-B/16). */
    public long parameterCount() {
        long n = 0;
        for (LoraFactors[] perBlock : factors) {
            for (LoraFactors f : perBlock) {
                n += f.a().length() + f.b().length();
            }
        }
        return n;
    }

    /** Deep copy. */
    public TaskAdapter copy() {
        LoraFactors[][] f = new LoraFactors[factors.length][];
        for (int l = 0; l < factors.length; l++) {
            f[l] = new LoraFactors[factors[l].length];
            for (int p = 0; p < factors[l].length; p++) {
                f[l][p] = factors[l][p].copy();
            }
        }
        return new TaskAdapter(rank, f);
    }

    /** A zero pair of this adapter's shape (what KD leaves behind for a merged direction). */
    public LoraFactors zeroPair(DataType type) {
        int dim = factors[0][0].dim();
        return new LoraFactors(Nd4j.zeros(type, rank, dim), Nd4j.zeros(type, dim, rank));
    }

}
