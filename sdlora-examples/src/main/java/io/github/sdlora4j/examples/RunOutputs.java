package io.github.sdlora4j.examples;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.github.sdlora4j.data.ClassIncrementalBenchmark;
import io.github.sdlora4j.data.DatasetIdentity;
import io.github.sdlora4j.data.DatasetSpec;
import io.github.sdlora4j.io.ClassifierMetadata;
import io.github.sdlora4j.io.AtomicFiles;
import io.github.sdlora4j.learner.AbstractClassIncrementalLearner;
import io.github.sdlora4j.learner.ClassIncrementalLearner;
import io.github.sdlora4j.learner.EpochLoop;
import io.github.sdlora4j.metrics.SeedStatistics;
import io.github.sdlora4j.transforms.PreprocessingSpec;
import org.nd4j.linalg.factory.Nd4j;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.TreeMap;
import java.util.function.Function;
import java.util.function.ToDoubleFunction;
import java.util.stream.IntStream;

/**
 * The files of a run's output folder. Names are fixed, other tools read them:
 * <pre>
 * results.json              per-seed results ("runs"), their "mean" and "std"; with one seed also its fields at the top
 * results.csv               one row per (seed, task)
 * manifest.json             command line, effective config, versions, git commit and dirty flag, backend, backbone
 *                           hash, dataset identity
 * accuracy.png              accuracy on all seen classes after each task, and the accuracy matrix as a heat map
 * magnitudes.png            SD-LoRA methods: the learned magnitudes of every task after each task
 * learner.safetensors       the last seed's final learner (SD-LoRA methods; the baselines keep none)
 * learner.classes.json      class names, class order and preprocessing of that learner (read by `predict`)
 * checkpoint/run-state.json what --resume needs; checkpoint/seed-S-task-T.safetensors the learner after task T
 * </pre>
 * Every file is written atomically (temporary file, fsync, rename).
 */
final class RunOutputs {

    static final String RESULTS_JSON = "results.json";
    static final String RESULTS_CSV = "results.csv";
    static final String MANIFEST = "manifest.json";
    static final String CHART = "accuracy.png";
    static final String MAGNITUDE_CHART = "magnitudes.png";
    static final String LEARNER = "learner.safetensors";
    static final String CHECKPOINT_DIR = "checkpoint";
    static final String STATE = CHECKPOINT_DIR + "/run-state.json";

    private final Path dir;

    RunOutputs(Path dir) {
        this.dir = dir;
    }

    Path resolve(String name) {
        return dir.resolve(name);
    }

    static String taskCheckpointName(long seed, int task) {
        return CHECKPOINT_DIR + "/seed-" + seed + "-task-" + task + ".safetensors";
    }

    /**
     * The every-N-steps snapshot of a task in progress; its name records where training stands, so the file alone
     * (written atomically) says where to resume: {@code seed-S-task-T-at-E-B-I.safetensors} = epoch E, B batches of
     * it done, I steps in all.
     */
    Path stepSnapshot(long seed, int task, EpochLoop.Position at) {
        return dir.resolve(CHECKPOINT_DIR + "/seed-" + seed + "-task-" + task + "-at-" + at.epoch() + "-"
                + at.batchesDone() + "-" + at.iteration() + ".safetensors");
    }

    /** The step snapshot of (seed, task) and its position, if one exists. */
    Optional<Map.Entry<Path, EpochLoop.Position>> findStepSnapshot(long seed, int task) throws IOException {
        Pattern name = Pattern.compile("seed-" + seed + "-task-" + task + "-at-(\\d+)-(\\d+)-(\\d+)\\.safetensors");
        try (DirectoryStream<Path> files = Files.newDirectoryStream(dir.resolve(CHECKPOINT_DIR))) {
            for (Path f : files) {
                Matcher m = name.matcher(f.getFileName().toString());
                if (m.matches()) {
                    return Optional.of(Map.entry(f, new EpochLoop.Position(Integer.parseInt(m.group(1)),
                            Integer.parseInt(m.group(2)), Integer.parseInt(m.group(3)))));
                }
            }
        }
        return Optional.empty();
    }

    /** Removes the step snapshots of (seed, task) but {@code keep} (null: all, once the task checkpoint is in place). */
    void deleteStepSnapshots(long seed, int task, Path keep) throws IOException {
        try (DirectoryStream<Path> files = Files.newDirectoryStream(dir.resolve(CHECKPOINT_DIR),
                "seed-" + seed + "-task-" + task + "-at-*.safetensors")) {
            for (Path f : files) {
                if (!f.equals(keep)) {
                    Files.deleteIfExists(f);
                }
            }
        }
    }

    /** The side file of a learner checkpoint: {@code X.safetensors} → {@code X.classes.json}. */
    static Path classesFile(Path learner) {
        String name = learner.getFileName().toString();
        String base = name.endsWith(".safetensors") ? name.substring(0, name.length() - ".safetensors".length()) : name;
        return learner.resolveSibling(base + ".classes.json");
    }

    /**
     * Checks that a run can start, or be resumed, in the folder; writes nothing, so a run that fails before it trains
     * blocks no rerun. A folder whose run never trained (no finished task, no step snapshot, no results: what a start
     * that failed left) counts as empty, with or without {@code --resume}.
     *
     * @return the state to continue from (empty for a new run); {@link #start} writes it
     */
    RunState prepare(boolean resume, JsonNode effective) throws IOException {
        Path state = dir.resolve(STATE);
        RunState found = Files.isRegularFile(state) ? ConfigLoader.JSON.readValue(state.toFile(), RunState.class)
                : null;
        boolean trained = Files.exists(dir.resolve(RESULTS_JSON)) || hasStepSnapshots()
                || found != null && (!found.completed().isEmpty() || found.current() != null);
        if (resume) {
            if (found == null && !trained) {
                throw new IllegalArgumentException("nothing to resume in " + dir + " (no " + STATE
                        + "); run without --resume");
            }
            if (trained && found != null && RunState.olderShape(found.config())) {
                return resumeOlder(state, found, effective);
            }
            if (trained && (found == null || !found.config().equals(effective))) {
                throw new IllegalArgumentException("cannot resume " + dir + ": the configuration differs from the"
                        + " interrupted run's in " + (found == null ? "[all keys: no " + STATE + "]"
                        : differences(found.config(), effective)) + " (use the same config file and options)");
            }
            return trained ? found : new RunState(effective, List.of(), null);
        }
        if (trained) {
            throw new IllegalArgumentException(dir + " already holds a run; pass --resume to continue it or choose"
                    + " another --out");
        }
        return new RunState(effective, List.of(), null);
    }

    /**
     * A run state written by a version before the method block and the engine key: resumed when its settings, read
     * in today's shape, are this run's (the state is then carried on in today's shape), else refused with what to do.
     */
    private RunState resumeOlder(Path state, RunState found, JsonNode effective) {
        JsonNode upgraded = RunState.inCurrentShape(found.config());
        if (!upgraded.equals(effective)) {
            throw new IllegalArgumentException("cannot resume " + dir + ": " + state + " was written by an older"
                    + " sdlora4j (before the 'method:' block and 'engine:'), and even read in today's shape its"
                    + " settings differ from this run's in " + differences(upgraded, effective) + ". Resume it with"
                    + " the config it was started with, rewritten for this version: a top-level 'kdThreshold: X'"
                    + " becomes 'method: {name: sdlora-kd, kdThreshold: X}' and the engine stays auto; or finish it"
                    + " with the older version, or start over in another --out");
        }
        return new RunState(effective, found.completed(), found.current());
    }

    /** Creates the folder and, for a new run, writes its empty state: called once the run is about to train. */
    void start(RunState s) throws IOException {
        Files.createDirectories(dir.resolve(CHECKPOINT_DIR));
        if (s.completed().isEmpty() && s.current() == null) {
            writeState(s);
        }
    }

    private boolean hasStepSnapshots() throws IOException {
        Path checkpoints = dir.resolve(CHECKPOINT_DIR);
        if (!Files.isDirectory(checkpoints)) {
            return false;
        }
        try (DirectoryStream<Path> files = Files.newDirectoryStream(checkpoints, "seed-*-task-*-at-*.safetensors")) {
            return files.iterator().hasNext();
        }
    }

    /**
     * The engine {@code learner} trains with ({@code fused} or {@code samediff}), {@code none} for a method that
     * minimises no loss, null for a learner that does not say (one not built on {@link AbstractClassIncrementalLearner}).
     */
    static String trainingEngine(ClassIncrementalLearner learner) {
        if (!(learner instanceof AbstractClassIncrementalLearner l)) {
            return null;
        }
        return l.plannedEngine().map(e -> e.name().toLowerCase(Locale.ROOT)).orElse("none");
    }

    private static String differences(JsonNode a, JsonNode b) {
        List<String> keys = new ArrayList<>();
        Iterator<String> names = a.fieldNames();
        while (names.hasNext()) {
            String k = names.next();
            if (!a.get(k).equals(b.get(k))) {
                keys.add(k);
            }
        }
        b.fieldNames().forEachRemaining(k -> {
            if (!a.has(k)) {
                keys.add(k);
            }
        });
        return keys.toString();
    }

    void writeState(RunState s) throws IOException {
        writeJson(dir.resolve(STATE), ConfigLoader.JSON.valueToTree(s));
    }

    /** Removes a finished seed's task checkpoints (its results are in the run state now). */
    void cleanSeed(long seed) throws IOException {
        // Also the temporary file of a write that a kill interrupted (AtomicFiles names it .<target>.<random>.tmp).
        for (String glob : new String[]{"seed-" + seed + "-*.safetensors", ".seed-" + seed + "-*.tmp"}) {
            try (DirectoryStream<Path> files = Files.newDirectoryStream(dir.resolve(CHECKPOINT_DIR), glob)) {
                for (Path f : files) {
                    Files.deleteIfExists(f);
                }
            }
        }
    }

    /**
     * Writes manifest.json.
     *
     * @param learner     the learner the run trains first (built with the run's options), asked which engine trains it
     * @param dataset     the identity of the data the run reads
     * @param invocation  the command line the tool was started with, or null when not started from one
     */
    void writeManifest(RunConfig config, JsonNode effective, Methods.Method method, ClassIncrementalLearner learner,
                       BackboneFiles.Loaded backbone, DatasetIdentity dataset, Invocation invocation)
            throws IOException {
        ObjectNode m = ConfigLoader.JSON.createObjectNode();
        m.put("tool", "sdlora4j");
        m.put("written", Instant.now().toString());
        if (invocation != null) {
            ArrayNode args = m.putArray("command_line");
            args.add("sdlora");
            invocation.args().forEach(args::add);
            m.put("working_directory", invocation.workingDirectory());
        }
        ObjectNode versions = m.putObject("versions");
        versions.put("sdlora4j", Versions.sdlora4j());
        versions.put("dl4j", Versions.dl4j());
        versions.put("java", Versions.java());
        GitCheckout git = GitCheckout.find(dir);
        m.put("git_commit", git == null ? null : git.commit());
        if (git != null && git.dirty() != null) {
            m.put("git_dirty", git.dirty());
        }
        ObjectNode backend = m.putObject("backend");
        backend.put("class", Nd4j.getBackend().getClass().getName());
        backend.put("OMP_NUM_THREADS", System.getenv("OMP_NUM_THREADS"));
        backend.put("training_engine", trainingEngine(learner));
        backend.put("available_processors", Runtime.getRuntime().availableProcessors());
        backend.put("max_heap_bytes", Runtime.getRuntime().maxMemory());
        ObjectNode env = backend.putObject("environment");
        Map<Object, Object> info = new TreeMap<>(java.util.Comparator.comparing(String::valueOf));
        info.putAll(Nd4j.getExecutioner().getEnvironmentInformation());
        info.forEach((k, v) -> env.put(String.valueOf(k), String.valueOf(v)));
        ObjectNode bb = m.putObject("backbone");
        bb.put("name", config.backbone());
        bb.put("source", backbone.source());
        bb.put("file", backbone.file() == null ? null : config.backbone().equals(BackboneFiles.BUNDLED)
                ? "classpath:" + BackboneFiles.BUNDLED_RESOURCE : backbone.file().toAbsolutePath().toString());
        bb.put("sha256", backbone.file() == null ? null : sha256(backbone.file()));
        bb.set("vit", ConfigLoader.JSON.valueToTree(backbone.weights().config()));
        bb.put("parameters", backbone.weights().parameterCount());
        m.set("dataset", ConfigLoader.JSON.valueToTree(dataset));
        ObjectNode me = m.putObject("method");
        me.put("name", method.name());
        me.put("description", method.description());
        me.put("checkpoint", method.store() != null
                ? "learner.safetensors and per-task checkpoints (" + method.store().format() + ")"
                : "none: this baseline's state cannot be saved; --resume restarts an unfinished seed from task 1");
        m.set("config", effective);
        writeJson(dir.resolve(MANIFEST), m);
    }

    /** Writes the final learner of a seed and its class side file. */
    void saveFinalLearner(Methods.Store store, ClassIncrementalLearner learner, long seed,
                          ClassIncrementalBenchmark bench, DatasetSpec spec) throws IOException {
        Path file = dir.resolve(LEARNER);
        store.save(learner, file, classifierMetadata(bench));
        ObjectNode c = ConfigLoader.JSON.createObjectNode();
        c.put("seed", seed);
        c.set("class_names", ConfigLoader.JSON.valueToTree(bench.classNames()));
        c.set("class_order", ConfigLoader.JSON.valueToTree(bench.classOrder()));
        c.set("preprocessing", ConfigLoader.JSON.valueToTree(spec.preprocessing()));
        writeJson(classesFile(file), c);
    }

    /** The benchmark's class names, order and test preprocessing, as learner checkpoints and exports record them. */
    static ClassifierMetadata classifierMetadata(ClassIncrementalBenchmark bench) {
        PreprocessingSpec p = bench.preprocessing();
        return new ClassifierMetadata(bench.classNames(), IntStream.of(bench.classOrder()).boxed().toList(),
                new ClassifierMetadata.Preprocessing(p.channels(), p.resizeSize(), p.imageSize(),
                        p.testInterpolation().name().toLowerCase(Locale.ROOT), p.mean(), p.std()));
    }

    void writeResults(RunConfig config, Methods.Method method, List<SeedResult> results) throws IOException {
        ObjectNode root = ConfigLoader.JSON.createObjectNode();
        root.put("method", method.name());
        root.put("dataset", config.dataset().format());
        root.set("seeds", ConfigLoader.JSON.valueToTree(results.stream().map(SeedResult::seed).toList()));
        if (results.size() == 1) {
            root.setAll((ObjectNode) ConfigLoader.JSON.valueToTree(results.get(0)));
        }
        root.set("runs", ConfigLoader.JSON.valueToTree(results));
        ObjectNode mean = root.putObject("mean");
        ObjectNode std = root.putObject("std");
        figure(results, "final_accuracy", SeedResult::finalAccuracy, mean, std);
        figure(results, "average_anytime_accuracy", SeedResult::averageAnytimeAccuracy, mean, std);
        figure(results, "forgetting", SeedResult::forgetting, mean, std);
        figure(results, "bwt", SeedResult::bwt, mean, std);
        lowerTriangle(results, "seen_accuracy", "accuracy_matrix", SeedResult::seenAccuracy,
                SeedResult::accuracyMatrix, mean, std);
        figure(results, "task_il_final_accuracy", SeedResult::taskIlFinalAccuracy, mean, std);
        figure(results, "task_il_average_anytime_accuracy", SeedResult::taskIlAverageAnytimeAccuracy, mean, std);
        lowerTriangle(results, "task_il_seen_accuracy", "task_il_accuracy_matrix", SeedResult::taskIlSeenAccuracy,
                SeedResult::taskIlAccuracyMatrix, mean, std);
        mean.put("n", results.size());
        std.put("n", results.size());
        writeJson(dir.resolve(RESULTS_JSON), root);
        writeCsv(results);
        AccuracyChart.write(dir.resolve(CHART), method.name(), results);
        if (MagnitudeChart.applies(results)) {
            MagnitudeChart.write(dir.resolve(MAGNITUDE_CHART), method.name(), results);
        }
    }

    /** Mean and std over seeds of a per-task figure and of its matrix, entry by entry. */
    private static void lowerTriangle(List<SeedResult> results, String seenName, String matrixName,
                                      Function<SeedResult, double[]> seen,
                                      Function<SeedResult, double[][]> matrix, ObjectNode mean,
                                      ObjectNode std) {
        int tasks = seen.apply(results.get(0)).length;
        ArrayNode meanSeen = mean.putArray(seenName);
        ArrayNode stdSeen = std.putArray(seenName);
        ArrayNode meanMatrix = mean.putArray(matrixName);
        ArrayNode stdMatrix = std.putArray(matrixName);
        for (int i = 0; i < tasks; i++) {
            final int row = i;
            SeedStatistics s = stats(results, r -> seen.apply(r)[row]);
            meanSeen.add(s.mean());
            stdSeen.add(s.std());
            ArrayNode mr = meanMatrix.addArray();
            ArrayNode sr = stdMatrix.addArray();
            for (int j = 0; j <= i; j++) {
                final int col = j;
                SeedStatistics c = stats(results, r -> matrix.apply(r)[row][col]);
                mr.add(c.mean());
                sr.add(c.std());
            }
        }
    }

    private static void figure(List<SeedResult> results, String name, ToDoubleFunction<SeedResult> f, ObjectNode mean,
                               ObjectNode std) {
        SeedStatistics s = stats(results, f);
        mean.put(name, s.mean());
        std.put(name, s.std());
    }

    private static SeedStatistics stats(List<SeedResult> results, ToDoubleFunction<SeedResult> f) {
        return SeedResult.statistics(results, f);
    }

    /**
     * One row per (seed, task): class-IL then wall time, then task-IL (appended, so the earlier columns keep their
     * places for readers of older files).
     */
    private void writeCsv(List<SeedResult> results) throws IOException {
        int tasks = results.get(0).seenAccuracy().length;
        StringBuilder b = new StringBuilder("seed,task");
        csvHeader(b, "accuracy", tasks);
        b.append(",wall_seconds");
        csvHeader(b, "task_il_accuracy", tasks);
        b.append('\n');
        for (SeedResult r : results) {
            for (int i = 0; i < tasks; i++) {
                b.append(r.seed()).append(',').append(i + 1);
                csvRow(b, r.seenAccuracy()[i], r.accuracyMatrix()[i], tasks);
                b.append(',').append(num(r.taskWallSeconds()[i]));
                csvRow(b, r.taskIlSeenAccuracy()[i], r.taskIlAccuracyMatrix()[i], tasks);
                b.append('\n');
            }
        }
        byte[] bytes = b.toString().getBytes(StandardCharsets.UTF_8);
        AtomicFiles.write(dir.resolve(RESULTS_CSV), out -> out.write(bytes));
    }

    /** {@code ,P_seen,P_task_1,...,P_task_T}. */
    private static void csvHeader(StringBuilder b, String prefix, int tasks) {
        b.append(',').append(prefix).append("_seen");
        for (int j = 0; j < tasks; j++) {
            b.append(',').append(prefix).append("_task_").append(j + 1);
        }
    }

    /** The all-seen accuracy and one accuracy-matrix row, padded with empty cells to {@code tasks} columns. */
    private static void csvRow(StringBuilder b, double seen, double[] row, int tasks) {
        b.append(',').append(num(seen));
        for (int j = 0; j < tasks; j++) {
            b.append(',');
            if (j < row.length) {
                b.append(num(row[j]));
            }
        }
    }

    private static String num(double v) {
        return String.format(Locale.ROOT, "%.4f", v);
    }

    static void writeJson(Path file, JsonNode node) throws IOException {
        byte[] bytes = ConfigLoader.JSON.writeValueAsBytes(node);
        AtomicFiles.write(file, out -> {
            out.write(bytes);
            out.write('\n');
        });
    }

    static String sha256(Path file) throws IOException {
        try (InputStream in = Files.newInputStream(file)) {
            MessageDigest d = MessageDigest.getInstance("SHA-256");
            byte[] buffer = new byte[1 << 16];
            for (int n; (n = in.read(buffer)) > 0; ) {
                d.update(buffer, 0, n);
            }
            return HexFormat.of().formatHex(d.digest());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
