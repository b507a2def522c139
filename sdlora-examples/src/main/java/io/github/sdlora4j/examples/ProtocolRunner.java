package io.github.sdlora4j.examples;

import com.fasterxml.jackson.databind.JsonNode;
import io.github.sdlora4j.data.ClassIncrementalBenchmark;
import io.github.sdlora4j.data.ClassRange;
import io.github.sdlora4j.data.DataCheck;
import io.github.sdlora4j.data.DatasetFormatException;
import io.github.sdlora4j.data.DatasetIdentity;
import io.github.sdlora4j.data.DatasetSpec;
import io.github.sdlora4j.data.DatasetSplit;
import io.github.sdlora4j.io.ClassifierMetadata;
import io.github.sdlora4j.io.IoConsumer;
import io.github.sdlora4j.learner.ClassIncrementalLearner;
import io.github.sdlora4j.learner.EpochLoop;
import io.github.sdlora4j.learner.SdLoraLearner;
import io.github.sdlora4j.learner.TaskExperience;
import io.github.sdlora4j.learner.TaskSeeds;
import io.github.sdlora4j.learner.TrainingMonitor;
import io.github.sdlora4j.learner.TrainingScope;
import io.github.sdlora4j.learner.TrainingTransform;
import io.github.sdlora4j.metrics.AccuracyMatrix;
import io.github.sdlora4j.vit.VitConfig;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.dataset.api.iterator.DataSetIterator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Locale;

/**
 * Runs the class-incremental protocol of a {@link RunConfig} for each of its seeds and writes the results to an
 * output folder (see {@link RunOutputs} for the file names).
 *
 * <p>Per seed: the benchmark with the seed's class order; per task t: {@code beforeTask} (with the task's training
 * data, which the learner may look at first), {@code epochs} passes over
 * the task's training data (or every seen task's, when the learner's training scope asks for it; augmented, or with
 * the test preprocessing when the learner's training transform asks for that), {@code afterTask},
 * then one pass over the test data of all seen classes that yields both the accuracy on each seen task (a matrix row)
 * and on all seen classes together. After every task the learner and a {@link RunState} are checkpointed atomically;
 * with {@code checkpointEverySteps} also every N steps inside a task (with the optimizer state). {@code --resume}
 * continues the first unfinished task from its last step snapshot, or restarts it from the last task checkpoint.
 * Training is deterministic per (seed, task):
 * the data order and augmentation come from a seed derived from both, the learner's initialisation from its own
 * per-task streams, so a resumed run ends with the same figures as an uninterrupted one.
 */
final class ProtocolRunner {

    private static final Logger log = LoggerFactory.getLogger(ProtocolRunner.class);

    private final RunConfig config;
    private final Methods.Method method;
    private final RunOutputs outputs;
    private final PrintStream console;
    private final JsonNode effective;
    private final Invocation invocation;

    ProtocolRunner(RunConfig config, Path outDir, PrintStream console) {
        this(config, outDir, console, null);
    }

    /** @param invocation the tool's command line, for the manifest; null when not started from one */
    ProtocolRunner(RunConfig config, Path outDir, PrintStream console, Invocation invocation) {
        this(config, Methods.require(config.method().name()), outDir, console, invocation);
    }

    /** As above with the method given rather than looked up by the config's name. */
    ProtocolRunner(RunConfig config, Methods.Method method, Path outDir, PrintStream console, Invocation invocation) {
        this.invocation = invocation;
        this.config = config;
        this.method = method;
        this.outputs = new RunOutputs(outDir);
        this.console = console;
        this.effective = ConfigLoader.effective(config);
    }

    /**
     * Runs (or resumes) every seed and writes the outputs; returns the per-seed results. The folder, backbone and
     * data are checked before anything is written.
     */
    List<SeedResult> run(boolean resume, DataCheck.Depth dataCheck) throws IOException {
        RunState state = outputs.prepare(resume, effective);
        long firstSeed = config.seeds().get(0);
        BackboneFiles.Loaded backbone = BackboneFiles.load(config.backbone(), config.vitConfig(), firstSeed);
        checkInputShape(backbone.weights().config());
        DatasetIdentity dataset;
        try (ClassIncrementalBenchmark bench = Benchmarks.open(config.datasetFor(firstSeed),
                config.trainImagesPerClass())) {
            DataPreflight.check(bench.dataset(), config.dataset(), dataCheck, System.console() != null);
            dataset = DatasetIdentity.of(config.datasetFor(firstSeed), bench.dataset());
        }
        outputs.start(state);
        ManifestOnce manifest = new ManifestOnce(backbone, dataset);
        List<SeedResult> done = new ArrayList<>(state.completed());
        RunState.Partial partial = state.current();
        for (long seed : config.seeds()) {
            if (done.stream().anyMatch(r -> r.seed() == seed)) {
                console.printf("seed %d: already finished, skipped%n", seed);
                continue;
            }
            RunState.Partial resumeFrom = partial != null && partial.seed() == seed ? partial : null;
            SeedResult r = runSeed(seed, backbone, done, resumeFrom, manifest);
            done.add(r);
            partial = null;
            outputs.writeState(new RunState(effective, done, null));
            outputs.cleanSeed(seed);
        }
        outputs.writeResults(config, method, done);
        return done;
    }

    private void checkInputShape(VitConfig vit) {
        int size = config.dataset().preprocessing().imageSize();
        if (size != vit.imageSize()) {
            throw new IllegalArgumentException("dataset.preprocessing.imageSize is " + size + " but the backbone takes "
                    + vit.imageSize() + "x" + vit.imageSize() + " images; set dataset.preprocessing.imageSize: "
                    + vit.imageSize());
        }
        if (config.dataset().preprocessing().channels() != vit.channels()) {
            throw new IllegalArgumentException("dataset.preprocessing.channels is "
                    + config.dataset().preprocessing().channels() + " but the backbone takes " + vit.channels());
        }
    }

    private SeedResult runSeed(long seed, BackboneFiles.Loaded backbone, List<SeedResult> done,
                               RunState.Partial resumeFrom, ManifestOnce manifest) throws IOException {
        DatasetSpec spec = config.datasetFor(seed);
        try (ClassIncrementalBenchmark bench = Benchmarks.open(spec, config.trainImagesPerClass())) {
            int tasks = bench.numTasks();
            ClassIncrementalLearner learner;
            AccuracyMatrix matrix = new AccuracyMatrix();
            AccuracyMatrix taskIl = new AccuracyMatrix();
            List<Double> wall = new ArrayList<>();
            List<List<Double>> losses = new ArrayList<>();
            ClassifierMetadata classes = RunOutputs.classifierMetadata(bench);
            Magnitudes magnitudes = null;
            boolean fromCheckpoint = resumeFrom != null && resumeFrom.learnerFile() != null && method.store() != null;
            int first = fromCheckpoint ? resumeFrom.tasksDone() : 0;
            // A step snapshot of the first unfinished task supersedes the task checkpoint: only one is loaded.
            Optional<Map.Entry<Path, EpochLoop.Position>> snapshot = resumeFrom != null && method.store() != null
                    ? outputs.findStepSnapshot(seed, first) : Optional.empty();
            learner = snapshot.isPresent()
                    ? method.load(snapshot.get().getKey(), config, backbone.weights(), seed, tasks)
                    : fromCheckpoint
                    ? method.load(outputs.resolve(resumeFrom.learnerFile()), config, backbone.weights(), seed, tasks)
                    : method.create(config, backbone.weights(), seed, tasks);
            if (fromCheckpoint) {
                if (resumeFrom.taskIlRows() == null || resumeFrom.epochTrainLoss() == null
                        || learner instanceof SdLoraLearner && resumeFrom.magnitudes() == null) {
                    throw new IllegalArgumentException("cannot resume " + outputs.resolve(RunOutputs.STATE) + ": it was"
                            + " written by an sdlora4j without task-IL accuracies or magnitudes; rerun into another"
                            + " --out");
                }
                for (int i = 0; i < resumeFrom.tasksDone(); i++) {
                    matrix.addRow(resumeFrom.rows().get(i), resumeFrom.seen().get(i));
                    taskIl.addRow(resumeFrom.taskIlRows().get(i), resumeFrom.taskIlSeen().get(i));
                }
                losses.addAll(resumeFrom.epochTrainLoss());
                wall.addAll(resumeFrom.wallSeconds());
                magnitudes = resumeFrom.magnitudes();
                console.printf("seed %d: resuming after task %d of %d%n", seed, first, tasks);
            } else if (resumeFrom != null && method.store() == null) {
                console.printf("seed %d: method %s keeps no checkpoint; restarting the seed%n", seed, method.name());
            }
            console.printf("seed %d: %s on %s, %d tasks, classes %s%n", seed, method.name(), spec.format(), tasks,
                    bench.classNames().size() <= 20 ? bench.classNames() : bench.classNames().size() + " classes");
            String previousFile = resumeFrom == null ? null : resumeFrom.learnerFile();
            EpochLoop.Position from = EpochLoop.Position.START;
            if (snapshot.isPresent()) {
                from = snapshot.get().getValue();
                console.printf("seed %d: resuming task %d at epoch %d, batch %d (step %d)%n", seed, first + 1,
                        from.epoch(), from.batchesDone(), from.iteration());
            }
            manifest.write(learner);
            for (int t = first; t < tasks; t++) {
                long start = System.nanoTime();
                losses.add(trainTask(bench, learner, seed, t, t == first ? from : EpochLoop.Position.START,
                        classes));
                magnitudes = Magnitudes.append(magnitudes, learner);
                TaskAccuracies acc = evaluate(bench, learner, t);
                matrix.addRow(acc.classIl(), acc.classIlSeen());
                taskIl.addRow(acc.taskIl(), acc.taskIlSeen());
                wall.add((System.nanoTime() - start) / 1e9);
                console.println(rowLine(t, tasks, acc.classIl(), acc.classIlSeen(), wall.get(t)));
                previousFile = checkpoint(learner, seed, t, new Progress(matrix, taskIl, wall, losses, magnitudes),
                        previousFile, done, classes);
            }
            SeedResult r = SeedResult.of(seed, method.name(), bench.classOrder(), bench.classNames(),
                    taskClasses(bench), matrix, wall.stream().mapToDouble(Double::doubleValue).toArray(), taskIl,
                    losses, magnitudes);
            if (method.store() != null) {
                outputs.saveFinalLearner(method.store(), learner, seed, bench, spec);
            }
            return r;
        }
    }

    /** Trains task t; returns the mean loss of each epoch (null for epochs a resume split, empty if it trains not). */
    private List<Double> trainTask(ClassIncrementalBenchmark bench, ClassIncrementalLearner learner, long seed, int t,
                                   EpochLoop.Position from, ClassifierMetadata classes) {
        long dataSeed = TaskSeeds.data(seed, t);
        DataSetIterator data;
        long images;
        if (learner.trainingScope() == TrainingScope.ALL_SEEN_CLASSES) {
            List<DataSetIterator> sources = new ArrayList<>();
            for (int j = 0; j <= t; j++) {
                sources.add(trainSource(bench, learner, j, config.batchSize(), TaskSeeds.dataSource(seed, t, j)));
            }
            data = new MixedTaskIterator(sources, config.batchSize(), dataSeed);
            images = trainImages(bench, new ClassRange(0, bench.taskClasses(t).end()));
        } else {
            data = trainSource(bench, learner, t, config.batchSize(), dataSeed);
            images = trainImages(bench, bench.taskClasses(t));
        }
        ClassRange range = bench.taskClasses(t);
        TaskExperience experience = new TaskExperience(t, range.start(), range.size(), data);
        if (from.equals(EpochLoop.Position.START)) {
            learner.beforeTask(experience);
        } else if (learner.currentTask() != t) {
            throw new IllegalStateException("the step snapshot of task " + t + " holds task " + learner.currentTask());
        } else {
            learner.resumeTask(experience);
        }
        int epochs = method.trains() ? config.epochs() : 1;
        String label = String.format(Locale.ROOT, "seed %d task %d/%d", seed, t + 1, bench.numTasks());
        TrainingMonitor steps = config.checkpointEverySteps() > 0 && method.store() != null
                ? new StepSnapshots(config.checkpointEverySteps(), file -> method.store().save(learner, file, classes),
                outputs, seed, from)
                : TrainingMonitor.NONE;
        EpochLosses losses = new EpochLosses(epochs, from);
        StepPosition position = new StepPosition();
        ProgressMonitor progress = new ProgressMonitor(label, images, position.then(losses).then(steps));
        try {
            EpochLoop.run(data, epochs, t, learner::trainStep, progress, from);
        } catch (DatasetFormatException e) {
            throw e; // a data error (exit 1, naming the file), not a training stop
        } catch (RuntimeException e) {
            throw new TrainingStoppedException(seed, t, position.epoch, position.nextStep, e);
        } finally {
            progress.closeQuietly();
        }
        learner.afterTask();
        return method.trains() ? losses.means() : List.of();
    }

    /** Task {@code j}'s training batches with the preprocessing the learner asks for (augmented, or the test one). */
    static DataSetIterator trainSource(ClassIncrementalBenchmark bench, ClassIncrementalLearner learner, int j,
                                       int batchSize, long seed) {
        return learner.trainingTransform() == TrainingTransform.TEST
                ? bench.trainIteratorWithTestTransform(j, batchSize)
                : bench.trainIterator(j, batchSize, seed);
    }

    /** One pass over the seen classes' test data: accuracy per seen task, class-IL and task-IL. */
    private TaskAccuracies evaluate(ClassIncrementalBenchmark bench, ClassIncrementalLearner learner, int t) {
        List<ClassRange> tasks = new ArrayList<>();
        for (int j = 0; j <= t; j++) {
            tasks.add(bench.taskClasses(j));
        }
        TaskAccuracies acc = new TaskAccuracies(tasks);
        DataSetIterator test = bench.testIteratorSeen(t, config.evalBatchSize());
        while (test.hasNext()) {
            DataSet batch = test.next();
            acc.add(learner.logits(batch.getFeatures()), batch.getLabels().argMax(1).toIntVector());
        }
        return acc;
    }

    /** A seed's figures so far. */
    private record Progress(AccuracyMatrix matrix, AccuracyMatrix taskIl, List<Double> wall,
                            List<List<Double>> losses, Magnitudes magnitudes) {
    }

    private String checkpoint(ClassIncrementalLearner learner, long seed, int t, Progress p, String previousFile,
                              List<SeedResult> done, ClassifierMetadata classes) throws IOException {
        String file = null;
        if (method.store() != null) {
            file = RunOutputs.taskCheckpointName(seed, t);
            method.store().save(learner, outputs.resolve(file), classes);
        }
        outputs.writeState(new RunState(effective, done, new RunState.Partial(seed, t + 1, List.of(p.matrix().rows()),
                boxed(p.matrix().seenAccuracies()), List.copyOf(p.wall()), file, List.of(p.taskIl().rows()),
                boxed(p.taskIl().seenAccuracies()), List.copyOf(p.losses()), p.magnitudes())));
        // Only now that the state points at the new checkpoint may the previous one and the task's snapshots go.
        if (previousFile != null && !previousFile.equals(file)) {
            Files.deleteIfExists(outputs.resolve(previousFile));
        }
        outputs.deleteStepSnapshots(seed, t, null);
        return file;
    }

    private static List<Double> boxed(double[] values) {
        return Arrays.stream(values).boxed().toList();
    }

    private static long trainImages(ClassIncrementalBenchmark bench, ClassRange range) {
        DatasetSplit train = bench.dataset().train();
        int[] order = bench.classOrder();
        boolean[] in = new boolean[order.length];
        for (int k = range.start(); k < range.end(); k++) {
            in[order[k]] = true;
        }
        long n = 0;
        for (int i = 0; i < train.size(); i++) {
            if (in[train.label(i)]) {
                n++;
            }
        }
        return n;
    }

    static List<List<Integer>> taskClasses(ClassIncrementalBenchmark bench) {
        int[] order = bench.classOrder();
        List<List<Integer>> out = new ArrayList<>();
        for (int t = 0; t < bench.numTasks(); t++) {
            List<Integer> classes = new ArrayList<>();
            ClassRange r = bench.taskClasses(t);
            for (int k = r.start(); k < r.end(); k++) {
                classes.add(order[k]);
            }
            out.add(classes);
        }
        return out;
    }

    private static String rowLine(int t, int tasks, double[] row, double seen, double seconds) {
        StringBuilder b = new StringBuilder(String.format(Locale.ROOT, "  after task %d/%d:", t + 1, tasks));
        for (double a : row) {
            b.append(String.format(Locale.ROOT, " %6.2f", a));
        }
        return b.append(String.format(Locale.ROOT, "   | all seen %6.2f  (%.1f s)", seen, seconds)).toString();
    }

    /**
     * Writes the manifest with the first learner this process trains, before it trains: the learner says which
     * engine trains the run (the method, its loss terms and this JVM decide, the same for every seed). When every
     * seed had finished before, no learner is built and the manifest of the process that trained them stays.
     */
    private final class ManifestOnce {
        private final BackboneFiles.Loaded backbone;
        private final DatasetIdentity dataset;
        private boolean written;

        ManifestOnce(BackboneFiles.Loaded backbone, DatasetIdentity dataset) {
            this.backbone = backbone;
            this.dataset = dataset;
        }

        void write(ClassIncrementalLearner learner) throws IOException {
            if (!written) {
                outputs.writeManifest(config, effective, method, learner, backbone, dataset, invocation);
                written = true;
            }
        }
    }

    /** Remembers where training is, so a failure inside a step can be located. */
    private static final class StepPosition implements TrainingMonitor {
        private int epoch;
        private int nextStep;

        @Override
        public void epochStarted(int task, int e) {
            epoch = e;
        }

        @Override
        public void stepDone(int task, int e, int iteration, double loss, int batchSize) {
            nextStep = iteration + 1;
        }
    }

    /**
     * Keeps the mean loss of each epoch; epochs trained before a resume from a step snapshot, and the one it split,
     * have none (null): their earlier steps ran in another process.
     */
    private static final class EpochLosses implements TrainingMonitor {
        private final List<Double> means;
        private final EpochLoop.Position from;

        EpochLosses(int epochs, EpochLoop.Position from) {
            this.means = new ArrayList<>(Collections.nCopies(epochs, (Double) null));
            this.from = from;
        }

        List<Double> means() {
            return Collections.unmodifiableList(new ArrayList<>(means));
        }

        @Override
        public void epochDone(int task, int e, double meanLoss) {
            boolean split = e == from.epoch() && from.batchesDone() > 0;
            means.set(e, split || !Double.isFinite(meanLoss) ? null : meanLoss);
        }
    }

    /**
     * Writes a snapshot of the learner (with its optimizer state) every N optimizer steps, named after its position,
     * and drops the previous one, so a killed run resumes from the last snapshot exactly.
     */
    private static final class StepSnapshots implements TrainingMonitor {
        private final int every;
        private final IoConsumer<Path> save;
        private final RunOutputs outputs;
        private final long seed;
        private int batchesDone;

        /** @param save writes the learner, with its optimizer state, to the file it is given */
        StepSnapshots(int every, IoConsumer<Path> save, RunOutputs outputs, long seed, EpochLoop.Position from) {
            this.every = every;
            this.save = save;
            this.outputs = outputs;
            this.seed = seed;
            this.batchesDone = from.batchesDone();
        }

        @Override
        public void stepDone(int task, int epoch, int iteration, double loss, int batchSize) {
            batchesDone++;
            if ((iteration + 1) % every == 0) {
                Path file = outputs.stepSnapshot(seed, task, new EpochLoop.Position(epoch, batchesDone, iteration + 1));
                try {
                    save.accept(file);
                    outputs.deleteStepSnapshots(seed, task, file);
                } catch (IOException e) {
                    log.warn("could not write the step snapshot {}: {}", file, e.getMessage());
                }
            }
        }

        @Override
        public void epochDone(int task, int epoch, double meanLoss) {
            batchesDone = 0;
        }
    }
}
