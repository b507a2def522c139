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
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Runs several methods on one config and set of seeds, each exactly as {@code sdlora run} would (a
 * {@link ProtocolRunner} writing to {@code OUT/runs/<method>/}), then writes the comparison of their results.json
 * figures: {@code comparison.csv}, {@code comparison.md} ({@link ComparisonTable}) and {@code comparison.png}
 * ({@link ComparisonChart}).
 *
 * <p>Everything that can be refused is refused before any training: a folder that already holds a run (without
 * resume), and with resume a method folder whose run used another configuration. With resume a finished method is
 * skipped (its results.json is read), an interrupted one continues as {@code run --resume} does, and a method not
 * started yet starts.
 */
final class ComparisonRun {

    static final String RUNS_DIR = "runs";
    static final String CSV = "comparison.csv";
    static final String MARKDOWN = "comparison.md";
    static final String CHART = "comparison.png";

    /** What to do with one method. */
    enum Action { START, CONTINUE, SKIP }

    /**
     * One method's place in the comparison.
     *
     * @param method the method name
     * @param config the config of its run (the loaded one with the method and seed overrides)
     * @param dir    its run folder
     * @param action start, continue (resume) or skip (finished)
     */
    record Planned(String method, RunConfig config, Path dir, Action action) {
    }

    private final RunConfig loaded;
    private final List<String> methods;
    private final List<Long> seeds;
    private final Path out;
    private final PrintStream console;
    private final List<String> commandLine;

    /**
     * @param loaded      the config as read
     * @param methods     the methods to compare, valid names, no repeats
     * @param seeds       the {@code --seed} override, or null/empty for the config's seeds
     * @param out         the comparison folder
     * @param console     progress and summary
     * @param commandLine the tool's arguments, recorded in each method's manifest; null when not started from the
     *                    command line
     */
    ComparisonRun(RunConfig loaded, List<String> methods, List<Long> seeds, Path out, PrintStream console,
                  List<String> commandLine) {
        if (methods.isEmpty()) {
            throw new IllegalArgumentException("no method to compare");
        }
        this.loaded = loaded;
        this.methods = List.copyOf(methods);
        this.seeds = seeds == null ? null : List.copyOf(seeds);
        this.out = out;
        this.console = console;
        this.commandLine = commandLine == null ? null : List.copyOf(commandLine);
    }

    /** The folder of one method's run. */
    static Path runDir(Path out, String method) {
        return out.resolve(RUNS_DIR).resolve(method);
    }

    /** Checks the folders against the request and says what each method needs; trains nothing. */
    List<Planned> plan(boolean resume) throws IOException {
        if (Files.exists(out) && !Files.isDirectory(out)) {
            throw new IllegalArgumentException("--out " + out + " is a file, not a folder");
        }
        if (!resume) {
            for (String name : new String[]{CSV, MARKDOWN, CHART}) {
                if (Files.exists(out.resolve(name))) {
                    throw new IllegalArgumentException(out + " already holds a comparison (" + name
                            + "); pass --resume to continue it or choose another --out");
                }
            }
        }
        List<Planned> plan = new ArrayList<>();
        for (String method : methods) {
            RunConfig config = RunOptions.withOverrides(loaded, method, seeds);
            Path dir = runDir(out, method);
            boolean hasState = Files.isRegularFile(dir.resolve(RunOutputs.STATE));
            boolean hasResults = Files.exists(dir.resolve(RunOutputs.RESULTS_JSON));
            Action action = Action.START;
            if (hasState || hasResults) {
                if (!resume) {
                    throw new IllegalArgumentException(dir + " already holds a run; pass --resume to continue the"
                            + " comparison or choose another --out");
                }
                // The same check (and message) as run --resume: a method's folder must hold this very config.
                RunState state = new RunOutputs(dir).prepare(true, ConfigLoader.effective(config));
                boolean finished = hasResults && state.current() == null
                        && state.completed().size() == config.seeds().size();
                action = finished ? Action.SKIP : Action.CONTINUE;
            }
            plan.add(new Planned(method, config, dir, action));
        }
        if (resume && plan.stream().allMatch(p -> p.action() == Action.START)) {
            throw new IllegalArgumentException("nothing to resume in " + out + " (no run under " + RUNS_DIR
                    + "/<method>/); run without --resume");
        }
        return plan;
    }

    /** Plans, runs what is unfinished, writes the comparison; returns its table. */
    ComparisonTable run(boolean resume, DataCheck.Depth dataCheck) throws IOException {
        List<Planned> plan = plan(resume);
        Map<String, List<SeedResult>> results = new LinkedHashMap<>();
        for (int i = 0; i < plan.size(); i++) {
            Planned p = plan.get(i);
            String which = String.format(Locale.ROOT, "method %s (%d of %d)", p.method(), i + 1, plan.size());
            if (p.action() == Action.SKIP) {
                console.printf("%s: finished in %s, skipped%n", which, p.dir());
            } else {
                console.printf("%n%s: %s in %s%n", which, p.action() == Action.CONTINUE ? "continuing" : "running",
                        p.dir());
                RunOptions.printSummary(new ProtocolRunner(p.config(), p.dir(), console, commandLine)
                        .run(p.action() == Action.CONTINUE, dataCheck), console);
            }
            results.put(p.method(), readResults(p.dir()));
        }
        ComparisonTable table = ComparisonTable.of("method", results);
        RunConfig first = plan.get(0).config();
        String title = String.format(Locale.ROOT, "%s, %d tasks, seeds %s", first.dataset().format(),
                table.rows().get(0).seenAccuracy().size(), first.seeds());
        write(out.resolve(CSV), table.csv());
        write(out.resolve(MARKDOWN), "# " + title + "\n\nAccuracy in %: mean ± sample std (n − 1) over seeds."
                + " Each method's outputs are in " + RUNS_DIR + "/<method>/.\n\n" + table.markdown());
        ComparisonChart.write(out.resolve(CHART), title, table);
        console.printf("%n%s%n%s%nOutputs in %s: %s, %s, %s, %s/<method>/%n", title, table.markdown(),
                out.toAbsolutePath(), CSV, MARKDOWN, CHART, RUNS_DIR);
        return table;
    }

    /** The per-seed results a run folder's results.json holds. */
    static List<SeedResult> readResults(Path runDir) throws IOException {
        Path file = runDir.resolve(RunOutputs.RESULTS_JSON);
        JsonNode runs = ConfigLoader.JSON.readTree(file.toFile()).get("runs");
        if (runs == null || !runs.isArray() || runs.isEmpty()) {
            throw new IllegalArgumentException(file + " holds no \"runs\"");
        }
        return ConfigLoader.JSON.readerForListOf(SeedResult.class).readValue(runs);
    }

    private static void write(Path file, String text) throws IOException {
        byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
        AtomicFiles.write(file, o -> o.write(bytes));
    }
}
