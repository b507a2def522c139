package io.github.sdlora4j.benchmark;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * Memory over a long run: {@link LongRunMemory} in a fresh JVM (so nothing the other sections allocated is
 * counted, and the heap limit is the plan's), its per-task peak resident memory reported, and the headline
 * {@code rss_task5_mb} / {@code rss_task20_mb}.
 */
final class LongRunBenchmark {

    private static final long TIMEOUT_MINUTES = 20;
    private static final int KEPT_LOG_LINES = 15;

    private LongRunBenchmark() {
    }

    /** Runs the child and reports; a child that fails is reported as not measured, with its last output. */
    static Optional<LongRunResult> run(BenchmarkPlan plan, BenchmarkReport report) {
        BenchmarkPlan.LongRun longRun = plan.longRun();
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(LongRunMemory.childJvmOptions(ManagementFactory.getRuntimeMXBean().getInputArguments(),
                longRun.heapMib()));
        command.add("-cp");
        command.add(System.getProperty("java.class.path"));
        command.add(LongRunMemory.class.getName());
        command.add(plan.name());
        List<String> taskLines = new ArrayList<>();
        Deque<String> log = new ArrayDeque<>();
        long start = System.nanoTime();
        int status;
        try {
            Process child = new ProcessBuilder(command).redirectErrorStream(true).start();
            try (BufferedReader out = new BufferedReader(new InputStreamReader(child.getInputStream(),
                    StandardCharsets.UTF_8))) {
                for (String line; (line = out.readLine()) != null; ) {
                    if (LongRunResult.isTaskLine(line)) {
                        taskLines.add(line);
                    } else {
                        log.addLast(line);
                        if (log.size() > KEPT_LOG_LINES) {
                            log.removeFirst();
                        }
                    }
                }
            }
            if (!child.waitFor(TIMEOUT_MINUTES, TimeUnit.MINUTES)) {
                child.destroyForcibly();
                throw new IOException("did not finish in " + TIMEOUT_MINUTES + " minutes");
            }
            status = child.exitValue();
        } catch (IOException e) {
            report.notMeasured("long_run", "the child JVM could not run: " + e.getMessage());
            return Optional.empty();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            report.notMeasured("long_run", "interrupted");
            return Optional.empty();
        }
        double wall = (System.nanoTime() - start) / 1e9;
        LongRunResult result = LongRunResult.parse(taskLines);
        if (status != 0 || result.tasks().size() != longRun.tasks()) {
            report.notMeasured("long_run", "the child JVM exited with status " + status + " after "
                    + result.tasks().size() + " of " + longRun.tasks() + " tasks; its last output: "
                    + String.join(" | ", log));
            return Optional.empty();
        }
        String how = "peak VmRSS sampled every 5 ms during the task (beforeTask, " + longRun.stepsPerTask()
                + " steps at batch " + longRun.batch() + ", afterTask, one merged-model evaluation batch) in a child JVM "
                + "whose " + longRun.heapMib() + " MiB heap is resident from the start";
        for (int t : List.of(1, BenchmarkPlan.LongRun.BASELINE_TASK, 10, 15, 20)) {
            result.peakMib(t).ifPresent(mib -> report.add("long_run", "long_run_task" + t + "_peak_rss_mib", mib,
                    "MiB", how));
        }
        LongRunResult.Task last = result.tasks().get(result.tasks().size() - 1);
        report.add("long_run", "long_run_hwm_mib", last.hwmBytes() / (1024.0 * 1024.0), "MiB",
                "the child's VmHWM after task " + last.task() + " (its peak since start)");
        result.rangeOver(BenchmarkPlan.LongRun.BASELINE_TASK).ifPresent(r -> {
            String over = " over tasks " + BenchmarkPlan.LongRun.BASELINE_TASK + ".." + last.task();
            report.add("long_run", "long_run_min_over_task5", r.min(), "ratio", "lowest peak(t) / peak(task 5)" + over);
            report.add("long_run", "long_run_max_over_task5", r.max(), "ratio", "highest peak(t) / peak(task 5)" + over);
        });
        report.add("long_run", "long_run_wall_s", wall, "s", longRun.tasks() + " tasks, JVM start included");
        return Optional.of(result);
    }
}
