package io.github.sdlora4j.examples;

import com.fasterxml.jackson.databind.JsonNode;
import io.github.sdlora4j.data.ClassIncrementalBenchmark;
import io.github.sdlora4j.data.ClassRange;
import io.github.sdlora4j.data.DatasetSpec;
import io.github.sdlora4j.data.DatasetSplit;
import io.github.sdlora4j.learner.ClassIncrementalLearner;
import io.github.sdlora4j.learner.EpochLoop;
import io.github.sdlora4j.learner.TrainingMonitor;
import io.github.sdlora4j.learner.TrainingScope;
import io.github.sdlora4j.learner.TrainingTransform;
import io.github.sdlora4j.metrics.AccuracyMatrix;
import io.github.sdlora4j.vit.VitConfig;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.dataset.api.iterator.DataSetIterator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Locale;

/**
 * Runs the class-incremental protocol of a {@link RunConfig} for each of its seeds and writes the results to an
 * output folder (see {@link RunOutputs} for the file names).
 *
 * <p>Per seed: the benchmark with the seed's class order; per task t: {@code beforeTask}, {@code epochs} passes over
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

    ProtocolRunner(RunConfig config, Path outDir, PrintStream console) {
        this.config = config;
        this.method = Methods.require(config.method());
        this.outputs = new RunOutputs(outDir);
        this.console = console;
        this.effective = ConfigLoader.effective(config);
    }

    /** Runs (or resumes) every seed and writes the outputs; returns the per-seed results. */
    List<SeedResult> run(boolean resume) throws IOException {
        RunState state = outputs.prepare(resume, effective);
        long firstSeed = config.seeds().get(0);
        BackboneFiles.Loaded backbone = BackboneFiles.load(config.backbone(), config.vitConfig(), firstSeed);
        checkInputShape(backbone.weights().config());
        outputs.writeManifest(config, effective, method, backbone);
        List<SeedResult> done = new ArrayList<>(state.completed());
        RunState.Partial partial = state.current();
        for (long seed : config.seeds()) {
            if (done.stream().anyMatch(r -> r.seed() == seed)) {
                console.printf("seed %d: already finished, skipped%n", seed);
                continue;
            }
            RunState.Partial resumeFrom = partial != null && partial.seed() == seed ? partial : null;
            SeedResult r = runSeed(seed, backbone, done, resumeFrom);
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
                               RunState.Partial resumeFrom) throws IOException {
        DatasetSpec spec = config.datasetFor(seed);
        try (ClassIncrementalBenchmark bench = Benchmarks.open(spec, config.trainImagesPerClass())) {
            int tasks = bench.numTasks();
            ClassIncrementalLearner learner;
            AccuracyMatrix matrix = new AccuracyMatrix();
            List<Double> wall = new ArrayList<>();
            int first = 0;
            if (resumeFrom != null && resumeFrom.learnerFile() != null && method.store() != null) {
                learner = method.store().load(outputs.resolve(resumeFrom.learnerFile()), config,
                        backbone.weights(), seed);
                for (int i = 0; i < resumeFrom.tasksDone(); i++) {
                    matrix.addRow(resumeFrom.rows().get(i), resumeFrom.seen().get(i));
                }
                wall.addAll(resumeFrom.wallSeconds());
                first = resumeFrom.tasksDone();
                console.printf("seed %d: resuming after task %d of %d%n", seed, first, tasks);
            } else {
                if (resumeFrom != null) {
                    console.printf("seed %d: method %s keeps no checkpoint; restarting the seed%n", seed,
                            method.name());
                }
                learner = method.factory().create(config, backbone.weights(), seed);
            }
            console.printf("seed %d: %s on %s, %d tasks, classes %s%n", seed, method.name(), spec.format(), tasks,
                    bench.classNames().size() <= 20 ? bench.classNames() : bench.classNames().size() + " classes");
            String previousFile = resumeFrom == null ? null : resumeFrom.learnerFile();
            EpochLoop.Position from = EpochLoop.Position.START;
            if (resumeFrom != null && method.store() != null) {
                Optional<Map.Entry<Path, EpochLoop.Position>> snapshot = outputs.findStepSnapshot(seed, first);
                if (snapshot.isPresent()) {
                    learner = method.store().load(snapshot.get().getKey(), config, backbone.weights(), seed);
                    from = snapshot.get().getValue();
                    console.printf("seed %d: resuming task %d at epoch %d, batch %d (step %d)%n", seed, first + 1,
                            from.epoch(), from.batchesDone(), from.iteration());
                }
            }
            for (int t = first; t < tasks; t++) {
                long start = System.nanoTime();
                trainTask(bench, learner, seed, t, t == first ? from : EpochLoop.Position.START);
                double[] row = new double[t + 1];
                double seen = evaluate(bench, learner, t, row);
                matrix.addRow(row, seen);
                wall.add((System.nanoTime() - start) / 1e9);
                console.println(rowLine(t, tasks, row, seen, wall.get(t)));
                previousFile = checkpoint(learner, seed, t, matrix, wall, previousFile, done);
            }
            SeedResult r = SeedResult.of(seed, method.name(), bench.classOrder(), bench.classNames(),
                    taskClasses(bench), matrix, wall.stream().mapToDouble(Double::doubleValue).toArray());
            if (method.store() != null) {
                outputs.saveFinalLearner(method.store(), learner, seed, bench, spec);
            }
            return r;
        }
    }

    private void trainTask(ClassIncrementalBenchmark bench, ClassIncrementalLearner learner, long seed, int t,
                           EpochLoop.Position from) {
        if (from.equals(EpochLoop.Position.START)) {
            learner.beforeTask(bench.taskClasses(t).size());
        } else if (learner.currentTask() != t) {
            throw new IllegalStateException("the step snapshot of task " + t + " holds task " + learner.currentTask());
        }
        long dataSeed = seed * 1_000_003L + t;
        DataSetIterator data;
        long images;
        if (learner.trainingScope() == TrainingScope.ALL_SEEN_CLASSES) {
            List<DataSetIterator> sources = new ArrayList<>();
            for (int j = 0; j <= t; j++) {
                sources.add(trainSource(bench, learner, j, config.batchSize(), dataSeed * 31 + j));
            }
            data = new MixedTaskIterator(sources, config.batchSize(), dataSeed);
            images = trainImages(bench, new ClassRange(0, bench.taskClasses(t).end()));
        } else {
            data = trainSource(bench, learner, t, config.batchSize(), dataSeed);
            images = trainImages(bench, bench.taskClasses(t));
        }
        int epochs = method.trains() ? config.epochs() : 1;
        String label = String.format(Locale.ROOT, "seed %d task %d/%d", seed, t + 1, bench.numTasks());
        TrainingMonitor steps = config.checkpointEverySteps() > 0 && method.store() != null
                ? new StepSnapshots(config.checkpointEverySteps(), learner, method.store(), outputs, seed, from)
                : TrainingMonitor.NONE;
        StepPosition position = new StepPosition(steps);
        ProgressMonitor progress = new ProgressMonitor(label, images, position);
        try {
            EpochLoop.run(data, epochs, t, learner::trainStep, progress, from);
        } catch (RuntimeException e) {
            throw new TrainingStoppedException(seed, t, position.epoch, position.nextStep, e);
        } finally {
            progress.closeQuietly();
        }
        learner.afterTask();
    }

    /** Task {@code j}'s training batches with the preprocessing the learner asks for (augmented, or the test one). */
    static DataSetIterator trainSource(ClassIncrementalBenchmark bench, ClassIncrementalLearner learner, int j,
                                       int batchSize, long seed) {
        return learner.trainingTransform() == TrainingTransform.TEST
                ? bench.trainIteratorWithTestTransform(j, batchSize)
                : bench.trainIterator(j, batchSize, seed);
    }

    /** One pass over the seen classes' test data: fills {@code perTask[j]} and returns the all-seen accuracy. */
    private double evaluate(ClassIncrementalBenchmark bench, ClassIncrementalLearner learner, int t, double[] perTask) {
        long[] correct = new long[t + 1];
        long[] total = new long[t + 1];
        DataSetIterator test = bench.testIteratorSeen(t, config.evalBatchSize());
        while (test.hasNext()) {
            DataSet batch = test.next();
            int[] predicted = learner.predict(batch.getFeatures());
            INDArray labels = batch.getLabels().argMax(1);
            for (int i = 0; i < predicted.length; i++) {
                int label = labels.getInt(i);
                int task = taskOf(bench, label, t);
                total[task]++;
                if (predicted[i] == label) {
                    correct[task]++;
                }
            }
        }
        long allCorrect = 0;
        long all = 0;
        for (int j = 0; j <= t; j++) {
            if (total[j] == 0) {
                throw new IllegalStateException("task " + j + " has no test images");
            }
            perTask[j] = 100.0 * correct[j] / total[j];
            allCorrect += correct[j];
            all += total[j];
        }
        return 100.0 * allCorrect / all;
    }

    private static int taskOf(ClassIncrementalBenchmark bench, int label, int lastTask) {
        for (int j = 0; j <= lastTask; j++) {
            if (bench.taskClasses(j).contains(label)) {
                return j;
            }
        }
        throw new IllegalStateException("test label " + label + " belongs to no task up to " + lastTask);
    }

    private String checkpoint(ClassIncrementalLearner learner, long seed, int t, AccuracyMatrix matrix,
                              List<Double> wall, String previousFile, List<SeedResult> done) throws IOException {
        String file = null;
        if (method.store() != null) {
            file = RunOutputs.taskCheckpointName(seed, t);
            method.store().save(learner, outputs.resolve(file));
        }
        List<double[]> rows = List.of(matrix.rows());
        List<Double> seen = new ArrayList<>();
        for (double s : matrix.seenAccuracies()) {
            seen.add(s);
        }
        outputs.writeState(new RunState(effective, done, new RunState.Partial(seed, t + 1, rows, seen,
                List.copyOf(wall), file)));
        // Only now that the state points at the new checkpoint may the previous one and the task's snapshots go.
        if (previousFile != null && !previousFile.equals(file)) {
            Files.deleteIfExists(outputs.resolve(previousFile));
        }
        outputs.deleteStepSnapshots(seed, t, null);
        return file;
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

    /** Remembers where training is, so a failure inside a step can be located; forwards every event. */
    private static final class StepPosition implements TrainingMonitor {
        private final TrainingMonitor next;
        private int epoch;
        private int nextStep;

        StepPosition(TrainingMonitor next) {
            this.next = next;
        }

        @Override
        public void epochStarted(int task, int e) {
            epoch = e;
            next.epochStarted(task, e);
        }

        @Override
        public void stepDone(int task, int e, int iteration, double loss, int batchSize) {
            nextStep = iteration + 1;
            next.stepDone(task, e, iteration, loss, batchSize);
        }

        @Override
        public void epochDone(int task, int e, double meanLoss) {
            next.epochDone(task, e, meanLoss);
        }
    }

    /**
     * Writes a snapshot of the learner (with its optimizer state) every N optimizer steps, named after its position,
     * and drops the previous one, so a killed run resumes from the last snapshot exactly.
     */
    private static final class StepSnapshots implements TrainingMonitor {
        private final int every;
        private final ClassIncrementalLearner learner;
        private final Methods.Store store;
        private final RunOutputs outputs;
        private final long seed;
        private int batchesDone;

        StepSnapshots(int every, ClassIncrementalLearner learner, Methods.Store store, RunOutputs outputs, long seed,
                      EpochLoop.Position from) {
            this.every = every;
            this.learner = learner;
            this.store = store;
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
                    store.save(learner, file);
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
