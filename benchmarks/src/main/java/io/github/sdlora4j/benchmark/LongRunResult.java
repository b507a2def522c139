package io.github.sdlora4j.benchmark;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What the long-run child reported, task by task, and the flatness of its memory: how far the peak resident memory
 * of the tasks from the baseline task on strays from the baseline task's.
 *
 * @param tasks the tasks in order, 1-based and without gaps
 */
record LongRunResult(List<Task> tasks) {

    private static final String PREFIX = "sdlora-long-run ";
    private static final Pattern LINE = Pattern.compile(Pattern.quote(PREFIX)
            + "task=(\\d+) peak_rss=(\\d+) rss_after=(\\d+) hwm=(\\d+) seconds=([0-9.]+)");
    private static final double MIB = 1024.0 * 1024.0;

    /**
     * One task of the run.
     *
     * @param task          1-based
     * @param peakBytes     highest resident size sampled during the task
     * @param rssAfterBytes resident size after it
     * @param hwmBytes      the process's VmHWM after it (its peak since start)
     * @param seconds       the task's wall time
     */
    record Task(int task, long peakBytes, long rssAfterBytes, long hwmBytes, double seconds) {
    }

    /** Validates. */
    LongRunResult {
        tasks = List.copyOf(tasks);
        for (int i = 0; i < tasks.size(); i++) {
            if (tasks.get(i).task() != i + 1) {
                throw new IllegalArgumentException("Long run: expected task " + (i + 1) + " at position " + i + ", got "
                        + tasks.get(i).task());
            }
        }
    }

    /** The child's line for one task. */
    static String line(Task t) {
        return String.format(Locale.ROOT, PREFIX + "task=%d peak_rss=%d rss_after=%d hwm=%d seconds=%.3f", t.task(),
                t.peakBytes(), t.rssAfterBytes(), t.hwmBytes(), t.seconds());
    }

    /** The tasks among {@code output}'s lines (other lines, such as log output, are skipped). */
    static LongRunResult parse(List<String> output) {
        List<Task> tasks = new ArrayList<>();
        for (String l : output) {
            Matcher m = LINE.matcher(l.trim());
            if (m.matches()) {
                tasks.add(new Task(Integer.parseInt(m.group(1)), Long.parseLong(m.group(2)), Long.parseLong(m.group(3)),
                        Long.parseLong(m.group(4)), Double.parseDouble(m.group(5))));
            }
        }
        return new LongRunResult(tasks);
    }

    /** Whether {@code line} is one of the child's task lines. */
    static boolean isTaskLine(String line) {
        return line.trim().startsWith(PREFIX);
    }

    /** Task {@code t} (1-based), if the run got that far. */
    Optional<Task> task(int t) {
        return t >= 1 && t <= tasks.size() ? Optional.of(tasks.get(t - 1)) : Optional.empty();
    }

    /** Task {@code t}'s peak resident memory in MiB. */
    Optional<Double> peakMib(int t) {
        return task(t).map(k -> k.peakBytes() / MIB);
    }

    /**
     * The lowest and highest peak(t) / peak(baseline) over tasks {@code baseline} to the last: 1 and 1 for perfectly
     * flat memory; empty when the run did not reach the baseline.
     */
    Optional<Range> rangeOver(int baseline) {
        Optional<Task> base = task(baseline);
        if (base.isEmpty() || base.get().peakBytes() <= 0) {
            return Optional.empty();
        }
        double ref = base.get().peakBytes();
        double min = Double.POSITIVE_INFINITY;
        double max = 0;
        for (Task k : tasks.subList(baseline - 1, tasks.size())) {
            min = Math.min(min, k.peakBytes() / ref);
            max = Math.max(max, k.peakBytes() / ref);
        }
        return Optional.of(new Range(min, max));
    }

    /**
     * Peaks relative to the baseline task's.
     *
     * @param min the lowest ratio (at most 1)
     * @param max the highest ratio (at least 1)
     */
    record Range(double min, double max) {

        /** The largest distance from 1 of either end: 0.10 when some task is 10 % above or below the baseline. */
        double deviation() {
            return Math.max(max - 1, 1 - min);
        }
    }
}
