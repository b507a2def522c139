package io.github.sdlora4j.spark;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.github.sdlora4j.examples.ComparisonRun;
import io.github.sdlora4j.examples.ComparisonTable;
import io.github.sdlora4j.examples.Invocation;
import io.github.sdlora4j.examples.RunConfig;
import org.apache.spark.api.java.JavaSparkContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * A seed × method sweep: every (method, seed) pair is one run in {@code OUT/runs/<method>/seed-<S>/}, planned on the
 * driver with {@link ComparisonRun#plan} (what {@code compare} does in one JVM), run as its own Spark job of one
 * task ({@link SweepTask}), so Spark retries a failed task and a run that fails for good stops no other run; then
 * {@code summary.json}, {@code summary.csv} and {@code summary.md} of the finished runs, in {@link ComparisonTable}'s
 * format (per method: n and mean ± std of final accuracy, AAA and forgetting).
 */
final class Sweep {

    static final String JSON = "summary.json";
    static final String CSV = "summary.csv";
    static final String MARKDOWN = "summary.md";
    static final List<String> REPORTS = List.of(JSON, CSV, MARKDOWN);
    /** Where a run's outputs are, as the report says it. */
    static final String LAYOUT = ComparisonRun.RUNS_DIR + "/<method>/seed-<S>/";

    private static final Logger log = LoggerFactory.getLogger(Sweep.class);
    private static final ObjectMapper MAPPER = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    /**
     * How one run ended.
     *
     * @param entry  the run
     * @param status finished (this sweep ran it), skipped (finished before, --resume) or failed
     * @param error  why it failed (after Spark's retries), else null
     * @param failedAttempts the errors of the attempts Spark retried (or gave up on)
     */
    record Outcome(ComparisonRun.Entry entry, String status, String error, List<String> failedAttempts) {
    }

    private Sweep() {
    }

    /** The folder of one run. */
    static Path runDir(Path out, String method, long seed) {
        return out.resolve(ComparisonRun.RUNS_DIR).resolve(method).resolve("seed-" + seed);
    }

    /**
     * Every (method, seed) run, method-major, checked against the folders; trains and starts nothing.
     *
     * @param seeds the seeds (null or empty: the config's)
     */
    static List<ComparisonRun.Planned> plan(RunConfig loaded, List<String> methods, List<Long> seeds, Path out,
                                            boolean resume) throws IOException {
        List<Long> all = seeds == null || seeds.isEmpty() ? loaded.seeds() : seeds;
        List<ComparisonRun.Entry> entries = new ArrayList<>();
        for (String method : methods) {
            for (long seed : all) {
                entries.add(ComparisonRun.Entry.of(loaded, method, List.of(seed), runDir(out, method, seed)));
            }
        }
        return ComparisonRun.plan(entries, out, REPORTS, resume);
    }

    /**
     * Runs the unfinished runs of {@code plan} on Spark, all submitted at once (Spark runs as many at a time as
     * it has task slots), logs a line per finished run, writes the summaries of the finished ones.
     *
     * @param configName the config file (for messages and the summary)
     * @param configText its content, which the tasks parse again
     * @param invocation the sweep's command line (the driver's), for each run's manifest; null when not started from
     *                   one
     * @return every run's outcome, in plan order
     */
    static List<Outcome> run(JavaSparkContext sc, List<ComparisonRun.Planned> plan, String configName,
                             String configText, boolean verifyData, Invocation invocation, Path out,
                             PrintStream console) throws IOException {
        List<ComparisonRun.Planned> todo = plan.stream()
                .filter(p -> p.action() != ComparisonRun.Action.SKIP).toList();
        console.printf("sweep: %d runs (%d to run, %d finished before) on %s, %d task slots; each run's output in"
                        + " %s/%s%n", plan.size(), todo.size(), plan.size() - todo.size(), sc.master(),
                sc.defaultParallelism(), out.toAbsolutePath(), LAYOUT);
        Map<ComparisonRun.Planned, SweepTask> tasks = new LinkedHashMap<>();
        for (ComparisonRun.Planned p : todo) {
            tasks.put(p, new SweepTask(configName, configText, p.entry().label(), p.entry().config().seeds().get(0),
                    p.entry().dir().toAbsolutePath().toString(), verifyData, invocation));
        }
        Map<ComparisonRun.Planned, CompletableFuture<Double>> running = new LinkedHashMap<>();
        SweepListener listener = new SweepListener();
        sc.sc().addSparkListener(listener);
        ExecutorService submitters = Executors.newFixedThreadPool(Math.max(1, todo.size()));
        try {
            for (ComparisonRun.Planned p : todo) {
                SweepTask task = tasks.get(p);
                long start = System.nanoTime();
                CompletableFuture<Double> f = CompletableFuture.supplyAsync(() -> submit(sc, task), submitters);
                f.whenComplete((accuracy, error) -> {
                    double s = (System.nanoTime() - start) / 1e9;
                    if (error == null) {
                        log.info(String.format(Locale.ROOT, "run %s finished, %.1f s after it was submitted: final accuracy %.2f",
                                task.label(), s, accuracy));
                    } else {
                        log.warn("run {} failed after Spark's retries: {}", task.label(), message(error));
                    }
                });
                running.put(p, f);
            }
            List<Outcome> outcomes = new ArrayList<>();
            for (ComparisonRun.Planned p : plan) {
                CompletableFuture<Double> f = running.get(p);
                if (f == null) {
                    outcomes.add(new Outcome(p.entry(), "skipped", null, List.of()));
                    continue;
                }
                String label = tasks.get(p).label();
                try {
                    f.join();
                    outcomes.add(new Outcome(p.entry(), "finished", null, listener.failedAttempts(label)));
                } catch (RuntimeException e) {
                    outcomes.add(new Outcome(p.entry(), "failed", message(e), listener.failedAttempts(label)));
                }
            }
            writeSummaries(outcomes, configName, sc.master(), out, console);
            return outcomes;
        } finally {
            submitters.shutdownNow();
            sc.sc().removeSparkListener(listener);
        }
    }

    /** One run as one Spark job of one task, named after the run (its job group: see {@link SweepListener}). */
    private static double submit(JavaSparkContext sc, SweepTask task) {
        sc.setJobGroup(SweepListener.GROUP_PREFIX + task.label(), "sdlora sweep: " + task.label(), false);
        return sc.parallelize(List.of(task), 1).map(SweepTask::run).collect().get(0);
    }

    /** The summaries of the finished (and skipped) runs; nothing when none finished. */
    private static void writeSummaries(List<Outcome> outcomes, String configName, String master, Path out,
                                       PrintStream console) throws IOException {
        List<ComparisonRun.Entry> done = outcomes.stream().filter(o -> o.error() == null).map(Outcome::entry)
                .toList();
        if (done.isEmpty()) {
            return;
        }
        ComparisonTable table = ComparisonRun.table(done);
        String title = ComparisonRun.title(done, table);
        ObjectNode json = MAPPER.createObjectNode();
        json.put("title", title);
        json.put("config", configName);
        json.put("master", master);
        ArrayNode runs = json.putArray("runs");
        for (Outcome o : outcomes) {
            ObjectNode r = runs.addObject();
            r.put("method", o.entry().label());
            r.put("seed", o.entry().config().seeds().get(0));
            r.put("dir", out.relativize(o.entry().dir()).toString());
            r.put("status", o.status());
            if (o.error() != null) {
                r.put("error", o.error());
            }
            ArrayNode attempts = r.putArray("failed_attempts");
            o.failedAttempts().forEach(attempts::add);
        }
        json.set("rows", table.json().get("rows"));
        ComparisonRun.write(out.resolve(JSON), MAPPER.writeValueAsString(json) + "\n");
        ComparisonRun.write(out.resolve(CSV), table.csv());
        ComparisonRun.write(out.resolve(MARKDOWN), ComparisonRun.markdown(title, table, LAYOUT));
        console.printf("%n%s%n%s%nOutputs in %s: %s, %s, %s, %s%n", title, table.markdown(), out.toAbsolutePath(),
                JSON, CSV, MARKDOWN, LAYOUT);
    }

    /** The innermost message of a failed job (Spark wraps the task's exception in its own). */
    static String message(Throwable e) {
        Throwable t = e;
        while (t.getCause() != null && t.getCause() != t) {
            t = t.getCause();
        }
        String m = t.getMessage() == null ? t.toString() : t.getMessage();
        // Spark's job-abort message carries the task's exception as text; its first line says it all.
        int newline = m.indexOf('\n');
        return newline < 0 ? m : m.substring(0, newline);
    }
}
