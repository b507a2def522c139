package io.github.sdlora4j.lora;

import io.github.sdlora4j.vit.Projection;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;

/**
 * Everything SD-LoRA adds to a frozen ViT: every task's factors, one magnitude per task shared by all blocks and by
 * q and v, the per-projection magnitudes assimilated by KD, and which task's term is still unnormalized.
 *
 * <p>The forward it represents (see {@link SdLoraAlgebra}) is, for block l and projection p,
 * {@code Δ = Σ_{i≠c} (α_i + β_{l,p,i}) · B_i A_i / n_i + α_c · B_c A_c}, where c is {@link #currentTask()},
 * n_i the {@link DirectionNorm} of a finished task and terms with n_i = 0 (merged or untrained) are skipped.
 */
public final class SdLoraState {

    private final int depth;
    private final List<TaskAdapter> tasks = new ArrayList<>();
    private double[] magnitudes = new double[0];
    private final List<double[][]> assimilated = new ArrayList<>(); // per task: [block][projection]
    private int currentTask = -1;

    /** An empty state for a backbone of {@code depth} blocks. */
    public SdLoraState(int depth) {
        if (depth < 1) {
            throw new IllegalArgumentException("depth must be positive, got " + depth);
        }
        this.depth = depth;
    }

    public int depth() {
        return depth;
    }

    /** Number of tasks that own factors. */
    public int numTasks() {
        return tasks.size();
    }

    public TaskAdapter task(int t) {
        return tasks.get(t);
    }

    public List<TaskAdapter> tasks() {
        return Collections.unmodifiableList(tasks);
    }

    /** Index of the task whose term is unnormalized (the one being or last trained), -1 if none. */
    public int currentTask() {
        return currentTask;
    }

    /** A copy of the magnitudes α_0..α_{T-1}. */
    public double[] magnitudes() {
        return magnitudes.clone();
    }

    /** KD's extra magnitude β for task {@code t}'s direction in one block and projection. */
    public double assimilated(int block, Projection p, int t) {
        return assimilated.get(t)[block][p.ordinal()];
    }

    /** Adds a new task's adapter and makes it the current (unnormalized) one. */
    public void addTask(TaskAdapter adapter) {
        if (adapter.depth() != depth) {
            throw new IllegalArgumentException("Adapter has " + adapter.depth() + " blocks, backbone has " + depth);
        }
        tasks.add(adapter);
        assimilated.add(new double[depth][Projection.values().length]);
        currentTask = tasks.size() - 1;
    }

    /** Sets all magnitudes; the length must equal the number of tasks. */
    public void setMagnitudes(double[] values) {
        if (values.length != tasks.size()) {
            throw new IllegalArgumentException("Expected " + tasks.size() + " magnitudes, got " + values.length);
        }
        for (double v : values) {
            if (!Double.isFinite(v)) {
                throw new IllegalArgumentException("Magnitudes must be finite, got " + Arrays.toString(values));
            }
        }
        magnitudes = values.clone();
    }

    /** Adds {@code delta} to KD's assimilated magnitude of task {@code t} in one block and projection. */
    public void addAssimilated(int block, Projection p, int t, double delta) {
        assimilated.get(t)[block][p.ordinal()] += delta;
    }

    /** Sets KD's assimilated magnitude (used when loading). */
    public void setAssimilated(int block, Projection p, int t, double value) {
        assimilated.get(t)[block][p.ordinal()] = value;
    }

    /** Restores which task is unnormalized (used when loading); -1 for none. */
    public void setCurrentTask(int t) {
        if (t < -1 || t >= tasks.size()) {
            throw new IllegalArgumentException("current task " + t + " is not in [-1, " + (tasks.size() - 1) + "]");
        }
        currentTask = t;
    }

    /** Deep copy. */
    public SdLoraState copy() {
        SdLoraState s = new SdLoraState(depth);
        for (TaskAdapter t : tasks) {
            s.tasks.add(t.copy());
        }
        for (double[][] a : assimilated) {
            double[][] c = new double[a.length][];
            for (int i = 0; i < a.length; i++) {
                c[i] = a[i].clone();
            }
            s.assimilated.add(c);
        }
        s.magnitudes = magnitudes.clone();
        s.currentTask = currentTask;
        return s;
    }
}
