package io.github.sdlora4j.benchmark;

import io.github.sdlora4j.vit.VitConfig;

import java.util.List;
import java.util.Objects;

/**
 * How much the suite measures. {@link #full()} is the published configuration; {@link #quick()} keeps every W1
 * figure but measures fewer steps, only tasks 1 and 20 and no ViT-B/16, for CI; {@link #smoke()} shrinks the model
 * so a unit test can run the whole suite in seconds; {@link #gpu()} is the full plan at batch 64 for the CUDA backend.
 * Every plan ends with a many-task run of its model in a child JVM for the memory figures (20 tasks; the smoke
 * plan's 6 only check the section).
 *
 * @param name            {@code full}, {@code quick}, {@code gpu} or {@code smoke}; written to the report
 * @param vit             the W1 model
 * @param batch           W1 batch size
 * @param rank            LoRA rank of every task
 * @param classesPerTask  classes each task brings
 * @param warmup          untimed steps after the first (graph-building) step
 * @param steps           timed steps; the median is reported
 * @param taskPoints      task indices of the scaling section, ascending, starting at 1
 * @param inferenceBatch  images per prediction call
 * @param inferenceRuns   timed prediction calls per variant
 * @param sgemmMinRuns    minimum GEMMs per shape
 * @param sgemmMinSeconds minimum total time per shape
 * @param squareSize      side of the square sgemm probe (2048)
 * @param vitB16Batch     ViT-B/16 batch; 0 skips that section
 * @param vitB16Steps     timed ViT-B/16 steps after the first
 * @param longRun         the many-task run whose resident memory is sampled
 */
public record BenchmarkPlan(String name, VitConfig vit, int batch, int rank, int classesPerTask, int warmup, int steps,
                            List<Integer> taskPoints, int inferenceBatch, int inferenceRuns, int sgemmMinRuns,
                            double sgemmMinSeconds, int squareSize, int vitB16Batch, int vitB16Steps, LongRun longRun) {

    /**
     * A whole class-incremental run of the W1 model in a fresh JVM, its resident memory sampled task by task.
     *
     * @param tasks        tasks learned (20 in the published plans)
     * @param batch        training and evaluation batch
     * @param stepsPerTask optimizer steps per task
     * @param heapMib      the child JVM's heap, fixed and resident from the start ({@link LongRunMemory}), so that
     *                     the Java heap's growth, which the JVM keeps, does not pass for a leak: what grows is native
     *                     memory
     */
    public record LongRun(int tasks, int batch, int stepsPerTask, int heapMib) {

        /** The task whose memory the later tasks are compared with (1-based). */
        public static final int BASELINE_TASK = 5;

        /** Validates. */
        public LongRun {
            if (tasks < BASELINE_TASK || batch < 1 || stepsPerTask < 1 || heapMib < 64) {
                throw new IllegalArgumentException("Long run: need tasks >= " + BASELINE_TASK + ", batch >= 1, "
                        + "stepsPerTask >= 1 and heapMib >= 64, got " + tasks + ", " + batch + ", " + stepsPerTask
                        + ", " + heapMib);
            }
        }
    }

    /** Validates. */
    public BenchmarkPlan {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(vit, "vit");
        Objects.requireNonNull(longRun, "longRun");
        taskPoints = List.copyOf(taskPoints);
        if (batch < 1 || rank < 1 || classesPerTask < 1 || warmup < 0 || steps < 1 || inferenceBatch < 1
                || inferenceRuns < 1 || sgemmMinRuns < 1 || squareSize < 1 || vitB16Batch < 0 || vitB16Steps < 1) {
            throw new IllegalArgumentException("Benchmark plan '" + name + "': sizes and counts must be positive "
                    + "(warmup and vitB16Batch may be 0)");
        }
        if (taskPoints.isEmpty() || taskPoints.get(0) < 1) {
            throw new IllegalArgumentException("Benchmark plan '" + name + "': taskPoints must start at a task >= 1, got "
                    + taskPoints);
        }
        for (int i = 1; i < taskPoints.size(); i++) {
            if (taskPoints.get(i) <= taskPoints.get(i - 1)) {
                throw new IllegalArgumentException("Benchmark plan '" + name + "': taskPoints must ascend, got "
                        + taskPoints);
            }
        }
    }

    /** The published configuration: W1 as specified in issue 6, tasks 1/5/10/20, ViT-B/16 at batch 8. */
    public static BenchmarkPlan full() {
        // Three ViT-B/16 steps a side: a median of two is their mean, and one disturbed step moved it by 10 %.
        return new BenchmarkPlan("full", VitConfig.VIT_TINY, 32, 10, 10, 2, 7, List.of(1, 5, 10, 20), 64, 15, 5, 0.5,
                2048, 8, 3, new LongRun(20, 16, 3, 1024));
    }

    /**
     * The CUDA backend's plan: W1 and ViT-B/16 at batch 64, tasks 1 and 20, everything else as in {@link #full()}.
     * Meant for {@code SDLORA_BACKEND=cuda ./sdlora bench --gpu} on a GPU the backend supports (up to sm_89).
     */
    public static BenchmarkPlan gpu() {
        return new BenchmarkPlan("gpu", VitConfig.VIT_TINY, 64, 10, 10, 2, 7, List.of(1, 20), 64, 15, 5, 0.5, 4096, 64,
                2, new LongRun(20, 16, 3, 1024));
    }

    /** CI's plan: the W1 model with few steps, tasks 1 and 20, small inference, no ViT-B/16. */
    public static BenchmarkPlan quick() {
        return new BenchmarkPlan("quick", VitConfig.VIT_TINY, 32, 10, 10, 1, 2, List.of(1, 20), 16, 2, 3, 0.1,
                1024, 0, 1, new LongRun(20, 8, 2, 1024));
    }

    /** A miniature of the whole suite (width 64, 2 blocks, batch 8) for unit tests; its numbers mean nothing. */
    public static BenchmarkPlan smoke() {
        VitConfig small = new VitConfig(32, 4, 3, 64, 2, 2, 256, VitConfig.TIMM_LAYER_NORM_EPS);
        return new BenchmarkPlan("smoke", small, 8, 4, 5, 1, 2, List.of(1, 20), 8, 2, 2, 0.01, 256, 0, 1,
                new LongRun(6, 4, 1, 256));
    }

    /** The predefined plan called {@code name} ({@code full}, {@code quick}, {@code gpu} or {@code smoke}). */
    public static BenchmarkPlan named(String name) {
        return switch (name) {
            case "full" -> full();
            case "quick" -> quick();
            case "gpu" -> gpu();
            case "smoke" -> smoke();
            default -> throw new IllegalArgumentException("No benchmark plan '" + name + "'; known: full, quick, gpu, "
                    + "smoke");
        };
    }

    /** Whether the scaling section measures both task 1 and task 20 (the headline ratio). */
    boolean hasTask20Ratio() {
        return taskPoints.contains(1) && taskPoints.contains(20);
    }
}
