package io.github.sdlora4j.data;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ForkJoinPool;
import java.util.stream.IntStream;

/**
 * Checks every image of a dataset's splits before training, so that a corrupt file is reported when the run starts
 * and not when a later task first draws it, and all of them at once. {@link Depth#HEADERS} reads each file's header
 * (see {@link ImageDecoder#checkHeader}); {@link Depth#FULL_DECODE} decodes every image.
 */
public final class DataCheck {

    /** How thoroughly each image is checked. */
    public enum Depth {
        /** Format, dimensions and a complete ending of every file; in-memory splits are trusted as read. */
        HEADERS,
        /** Every image decoded. */
        FULL_DECODE
    }

    /**
     * One unusable image.
     *
     * @param split   {@code train} or {@code test}
     * @param index   its index in the split
     * @param message what is wrong, naming the file
     */
    public record Problem(String split, int index, String message) {
    }

    /**
     * What a check found.
     *
     * @param dataset  the dataset's name
     * @param checked  images checked, over both splits
     * @param problems the unusable images, train before test, each in split order
     */
    public record Report(String dataset, int checked, List<Problem> problems) {

        /** Copies the list. */
        public Report {
            problems = List.copyOf(problems);
        }

        /** @return whether every image can be used */
        public boolean ok() {
            return problems.isEmpty();
        }

        /**
         * @param limit how many problems to list one per line; the rest are counted
         * @return e.g. "2 of 48 images cannot be used (train 2, test 0):" and the listed problems
         */
        public String describe(int limit) {
            long train = problems.stream().filter(p -> p.split().equals("train")).count();
            StringBuilder b = new StringBuilder().append(problems.size()).append(" of ").append(checked)
                    .append(" images cannot be used (train ").append(train)
                    .append(", test ").append(problems.size() - train).append("):");
            problems.stream().limit(limit).forEach(p -> b.append("\n  ").append(p.message()));
            if (problems.size() > limit) {
                b.append("\n  ... and ").append(problems.size() - limit).append(" more");
            }
            return b.toString();
        }
    }

    private DataCheck() {
    }

    /**
     * Checks both splits of {@code data}.
     *
     * @param threads  threads checking images in parallel (&gt;= 1)
     * @param progress called once per image checked, from any of the threads
     */
    public static Report check(LabeledDataset data, Depth depth, int threads, Runnable progress) {
        Objects.requireNonNull(depth, "depth");
        Objects.requireNonNull(progress, "progress");
        if (threads < 1) {
            throw new IllegalArgumentException("threads must be >= 1, got " + threads);
        }
        ConcurrentLinkedQueue<Problem> found = new ConcurrentLinkedQueue<>();
        ForkJoinPool pool = new ForkJoinPool(threads);
        try {
            check(pool, "train", data.train(), depth, progress, found);
            check(pool, "test", data.test(), depth, progress, found);
        } finally {
            pool.shutdownNow();
        }
        List<Problem> problems = new ArrayList<>(found);
        problems.sort(Comparator.comparing((Problem p) -> !p.split().equals("train")).thenComparingInt(Problem::index));
        return new Report(data.name(), data.train().size() + data.test().size(), problems);
    }

    private static void check(ForkJoinPool pool, String name, DatasetSplit split, Depth depth, Runnable progress,
                              ConcurrentLinkedQueue<Problem> found) {
        boolean decode = depth == Depth.FULL_DECODE;
        try {
            pool.submit(() -> IntStream.range(0, split.size()).parallel().forEach(i -> {
                try {
                    split.verify(i, decode);
                } catch (DatasetFormatException e) {
                    found.add(new Problem(name, i, e.getMessage()));
                }
                progress.run();
            })).get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while checking the " + name + " split", e);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof RuntimeException re) {
                throw re;
            }
            throw new IllegalStateException("checking the " + name + " split failed", e.getCause());
        }
    }
}
