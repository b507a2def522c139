package io.github.sdlora4j.examples;

import me.tongfei.progressbar.ConsoleProgressBarConsumer;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarRenderer;
import me.tongfei.progressbar.ProgressState;

import java.io.PrintStream;
import java.time.Duration;
import java.util.Locale;

/**
 * The tool's progress bar line: {@code task  45% [====      ] 900/2000 img 0:05 eta 0:06 180.2 img/s extra}. It
 * keeps the bar at least {@value #MIN_BAR} characters wide by dropping the times, then shortening the task name and
 * the message, when the line would not fit, takes
 * {@value #FALLBACK_WIDTH} columns where the terminal reports fewer than {@value #MIN_WIDTH}, and computes the rate
 * from the elapsed nanoseconds, so it shows from the first step (progressbar's own rounds to whole seconds, showing
 * "?" for the first one).
 */
final class ProgressLine implements ProgressBarRenderer {

    static final int FALLBACK_WIDTH = 80;
    static final int MIN_WIDTH = 20;
    static final int MIN_BAR = 10;

    private final String unit;

    private ProgressLine(String unit) {
        this.unit = unit;
    }

    /** A bar on {@code out} counting {@code max} {@code unit}s ({@code max <= 0}: unknown). */
    static ProgressBar open(String task, long max, String unit, PrintStream out) {
        return new ProgressBarBuilder().setTaskName(task).setInitialMax(max).setRenderer(new ProgressLine(unit))
                .setConsumer(new FittingConsumer(out, 0)).build();
    }

    @Override
    public String render(ProgressState s, int maxLength) {
        return line(s.getTaskName(), s.getCurrent(), s.getMax(), s.getCurrent() - s.getStart(),
                s.getElapsedAfterStart(), s.getExtraMessage(), unit, maxLength);
    }

    /**
     * @param done    units counted since the bar started (the rate's numerator)
     * @param elapsed time since the bar started
     * @param width   columns available; below {@value #MIN_WIDTH}, {@value #FALLBACK_WIDTH} less a margin column
     */
    static String line(String task, long current, long max, long done, Duration elapsed, String extra, String unit,
                       int width) {
        int columns = usableWidth(width);
        double seconds = elapsed.toNanos() / 1e9;
        String pct = max > 0 ? String.format(Locale.ROOT, "%3d%%", Math.min(100, current * 100 / max)) : "  ?%";
        String prefix = task + " " + pct + " [";
        String count = "] " + current + (max > 0 ? "/" + max : "") + " " + unit;
        String rate = done > 0 && seconds > 0
                ? String.format(Locale.ROOT, " %.1f %s/s", done / seconds, unit) : " ? " + unit + "/s";
        String time = " " + clock(seconds);
        String eta = max > 0 && done > 0 && current <= max
                ? " eta " + clock(seconds / done * (max - current)) : "";
        String tail = extra == null ? "" : extra;
        String[][] layouts = {{count, time, eta, rate, tail}, {count, time, rate, tail}, {count, rate, tail}};
        for (String[] parts : layouts) {
            String suffix = String.join("", parts);
            int bar = columns - prefix.length() - suffix.length();
            if (bar >= MIN_BAR) {
                return prefix + bar(bar, current, max) + suffix;
            }
        }
        // Nothing fits beside a minimal bar: shorten the task name, then cut the message.
        String marks = " " + pct + " [";
        int room = Math.max(0, columns - marks.length() - MIN_BAR - count.length() - rate.length());
        String squeezed = task.substring(0, Math.min(task.length(), room)) + marks + bar(MIN_BAR, current, max)
                + count + rate + tail;
        return squeezed.length() <= columns ? squeezed : squeezed.substring(0, columns);
    }

    static int usableWidth(int reported) {
        return reported < MIN_WIDTH ? FALLBACK_WIDTH - 1 : reported;
    }

    private static String bar(int width, long current, long max) {
        int filled = max > 0 ? (int) Math.min(width, width * current / max) : 0;
        return "=".repeat(filled) + " ".repeat(width - filled);
    }

    private static String clock(double seconds) {
        long s = Math.round(seconds);
        return s >= 3600 ? String.format(Locale.ROOT, "%d:%02d:%02d", s / 3600, s / 60 % 60, s % 60)
                : String.format(Locale.ROOT, "%d:%02d", s / 60, s % 60);
    }

    /** progressbar's console output, with {@link #usableWidth} applied to what the terminal reports. */
    static final class FittingConsumer extends ConsoleProgressBarConsumer {

        /** @param width columns to use; 0 asks the terminal */
        FittingConsumer(PrintStream out, int width) {
            super(out, width);
        }

        @Override
        public int getMaxRenderedLength() {
            return usableWidth(super.getMaxRenderedLength());
        }
    }
}
