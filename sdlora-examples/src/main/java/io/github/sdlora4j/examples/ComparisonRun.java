package io.github.sdlora4j.examples;

import com.fasterxml.jackson.databind.JsonNode;
import io.github.sdlora4j.data.DataCheck;
import io.github.sdlora4j.io.AtomicFiles;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Several runs, one table. Compare's case: several methods on one config and set of seeds, each run exactly as
 * {@code sdlora run} would (a {@link ProtocolRunner} writing to {@code OUT/runs/<method>/}) one after the other in
 * this JVM, then the comparison of their results.json figures: {@code comparison.csv}, {@code comparison.md}
 * ({@link ComparisonTable}) and {@code comparison.png} ({@link ComparisonChart}). The static methods are the parts a
 * distributed sweep shares: {@link #plan planning} any list of {@link Entry runs}, {@link #execute running} one, and
 * the {@link #table table} and {@link #markdown report} of their results.
 *
 * <p>Everything that can be refused is refused before any training: a folder that already holds a run (without
 * resume), and with resume a run folder whose run used another configuration. With resume a finished run is
 * skipped (its results.json is read), an interrupted one continues as {@code run --resume} does, and a run not
 * started yet starts.
 */
public final class ComparisonRun {

    /** The folder under the comparison's output folder that holds the runs. */
    public static final String RUNS_DIR = "runs";
    static final String CSV = "comparison.csv";
    static final String MARKDOWN = "comparison.md";
    static final String CHART = "comparison.png";

    /** What to do with one run. */
    public enum Action { START, CONTINUE, SKIP }

    /**
     * One run of a comparison.
     *
     * @param label  the table row it counts for (its method)
     * @param config its config (the loaded one with the method and seed overrides)
     * @param dir    its run folder
     */
    public record Entry(String label, RunConfig config, Path dir) {

        /**
         * A run of {@code method} (a valid name) on {@code loaded} with the {@code --seed} override {@code seeds}
         * (null or empty: the config's), as {@code run --method --seed} makes it.
         */
        public static Entry of(RunConfig loaded, String method, List<Long> seeds, Path dir) {
            return new Entry(method, RunOptions.withOverrides(loaded, method, seeds), dir);
        }
    }

    /**
     * One run's place in the comparison.
     *
     * @param entry  the run
     * @param action start, continue (resume) or skip (finished)
     */
    public record Planned(Entry entry, Action action) {
    }

    private final RunConfig loaded;
    private final List<String> methods;
    private final List<Long> seeds;
    private final Path out;
    private final PrintStream console;
    private final Invocation invocation;

    /**
     * @param loaded      the config as read
     * @param methods     the methods to compare, valid names, no repeats
     * @param seeds       the {@code --seed} override, or null/empty for the config's seeds
     * @param out         the comparison folder
     * @param console     progress and summary
     * @param invocation  the tool's command line, recorded in each method's manifest; null when not started from
     *                    one
     */
    ComparisonRun(RunConfig loaded, List<String> methods, List<Long> seeds, Path out, PrintStream console,
                  Invocation invocation) {
        if (methods.isEmpty()) {
            throw new IllegalArgumentException("no method to compare");
        }
        this.loaded = loaded;
        this.methods = List.copyOf(methods);
        this.seeds = seeds == null ? null : List.copyOf(seeds);
        this.out = out;
        this.console = console;
        this.invocation = invocation;
    }

    /** The folder of one method's run. */
    static Path runDir(Path out, String method) {
        return out.resolve(RUNS_DIR).resolve(method);
    }

    /** Checks the folders against the request and says what each method needs; trains nothing. */
    List<Planned> plan(boolean resume) throws IOException {
        List<Entry> entries = new ArrayList<>();
        for (String method : methods) {
            entries.add(Entry.of(loaded, method, seeds, runDir(out, method)));
        }
        return plan(entries, out, List.of(CSV, MARKDOWN, CHART), resume);
    }

    /**
     * Checks the folders of several runs against the request and says what each needs; trains nothing.
     *
     * @param entries the runs
     * @param out     the comparison folder
     * @param reports the names of the files the comparison writes to {@code out}: without resume, one that exists
     *                means the folder already holds a comparison
     * @throws IllegalArgumentException for an occupied folder (without resume), a run folder that holds another
     *                                  configuration, or nothing to resume
     */
    public static List<Planned> plan(List<Entry> entries, Path out, List<String> reports, boolean resume)
            throws IOException {
        if (Files.exists(out) && !Files.isDirectory(out)) {
            throw new IllegalArgumentException("--out " + out + " is a file, not a folder");
        }
        if (!resume) {
            for (String name : reports) {
                if (Files.exists(out.resolve(name))) {
                    throw new IllegalArgumentException(out + " already holds a comparison (" + name
                            + "); pass --resume to continue it or choose another --out");
                }
            }
        }
        List<Planned> plan = new ArrayList<>();
        for (Entry entry : entries) {
            plan.add(plan(entry, resume));
        }
        if (resume && plan.stream().allMatch(p -> p.action() == Action.START)) {
            throw new IllegalArgumentException("nothing to resume in " + out + " (no run under " + RUNS_DIR
                    + "/); run without --resume");
        }
        return plan;
    }

    /**
     * What one run needs: start (its folder holds no run), or with resume continue or skip (finished).
     *
     * @throws IllegalArgumentException if the folder holds a run and {@code resume} is off, or a run of another
     *                                  configuration
     */
    public static Planned plan(Entry entry, boolean resume) throws IOException {
        Path dir = entry.dir();
        boolean hasState = Files.isRegularFile(dir.resolve(RunOutputs.STATE));
        boolean hasResults = Files.exists(dir.resolve(RunOutputs.RESULTS_JSON));
        if (!hasState && !hasResults) {
            return new Planned(entry, Action.START);
        }
        if (!resume) {
            throw new IllegalArgumentException(dir + " already holds a run; pass --resume to continue the"
                    + " comparison or choose another --out");
        }
        // The same check (and message) as run --resume: a run's folder must hold this very config.
        RunState state = new RunOutputs(dir).prepare(true, ConfigLoader.effective(entry.config()));
        boolean finished = hasResults && state.current() == null
                && state.completed().size() == entry.config().seeds().size();
        return new Planned(entry, finished ? Action.SKIP : Action.CONTINUE);
    }

    /**
     * Runs a planned run as {@code run} (with {@code --resume} for CONTINUE) does, and prints its summary; a SKIP
     * only reads its results.
     *
     * @param invocation the tool's command line, recorded in the run's manifest; null when not started from one
     * @return the run's per-seed results
     */
    public static List<SeedResult> execute(Planned p, DataCheck.Depth dataCheck, Invocation invocation,
                                           PrintStream console) throws IOException {
        if (p.action() == Action.SKIP) {
            return readResults(p.entry().dir());
        }
        List<SeedResult> results = new ProtocolRunner(p.entry().config(), p.entry().dir(), console, invocation)
                .run(p.action() == Action.CONTINUE, dataCheck);
        RunOptions.printSummary(results, console);
        return results;
    }

    /** Plans, runs what is unfinished, writes the comparison; returns its table. */
    ComparisonTable run(boolean resume, DataCheck.Depth dataCheck) throws IOException {
        List<Planned> plan = plan(resume);
        for (int i = 0; i < plan.size(); i++) {
            Planned p = plan.get(i);
            String which = String.format(Locale.ROOT, "method %s (%d of %d)", p.entry().label(), i + 1, plan.size());
            if (p.action() == Action.SKIP) {
                console.printf("%s: finished in %s, skipped%n", which, p.entry().dir());
            } else {
                console.printf("%n%s: %s in %s%n", which, p.action() == Action.CONTINUE ? "continuing" : "running",
                        p.entry().dir());
                execute(p, dataCheck, invocation, console);
            }
        }
        List<Entry> entries = plan.stream().map(Planned::entry).toList();
        ComparisonTable table = table(entries);
        String title = title(entries, table);
        write(out.resolve(CSV), table.csv());
        write(out.resolve(MARKDOWN), markdown(title, table, RUNS_DIR + "/<method>/"));
        ComparisonChart.write(out.resolve(CHART), title, table);
        console.printf("%n%s%n%s%nOutputs in %s: %s, %s, %s, %s/<method>/%n", title, table.markdown(),
                out.toAbsolutePath(), CSV, MARKDOWN, CHART, RUNS_DIR);
        return table;
    }

    /**
     * The table of finished runs' results.json figures: one row per label, in the order labels first appear, over
     * the seeds of all its runs.
     */
    public static ComparisonTable table(List<Entry> finished) throws IOException {
        Map<String, List<SeedResult>> results = new LinkedHashMap<>();
        for (Entry e : finished) {
            results.computeIfAbsent(e.label(), k -> new ArrayList<>()).addAll(readResults(e.dir()));
        }
        return ComparisonTable.of("method", results);
    }

    /** The heading of a comparison: benchmark, number of tasks and the seeds of its runs. */
    public static String title(List<Entry> entries, ComparisonTable table) {
        Set<Long> seeds = new LinkedHashSet<>();
        entries.forEach(e -> seeds.addAll(e.config().seeds()));
        return String.format(Locale.ROOT, "%s, %d tasks, seeds %s", entries.get(0).config().dataset().format(),
                table.rows().get(0).seenAccuracy().size(), List.copyOf(seeds));
    }

    /**
     * The Markdown report: the title, what the figures are, where the runs' outputs are ({@code layout}, e.g.
     * {@code runs/<method>/}) and the table.
     */
    public static String markdown(String title, ComparisonTable table, String layout) {
        return "# " + title + "\n\nAccuracy in %: mean ± sample std (n − 1) over seeds. Each method's outputs are in "
                + layout + ".\n\n" + table.markdown();
    }

    /** The per-seed results a run folder's results.json holds. */
    public static List<SeedResult> readResults(Path runDir) throws IOException {
        Path file = runDir.resolve(RunOutputs.RESULTS_JSON);
        JsonNode runs = ConfigLoader.JSON.readTree(file.toFile()).get("runs");
        if (runs == null || !runs.isArray() || runs.isEmpty()) {
            throw new IllegalArgumentException(file + " holds no \"runs\"");
        }
        return ConfigLoader.JSON.readerForListOf(SeedResult.class).readValue(runs);
    }

    /** Writes a text file atomically (UTF-8). */
    public static void write(Path file, String text) throws IOException {
        byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
        AtomicFiles.write(file, o -> o.write(bytes));
    }
}
