package io.github.sdlora4j.learner;

import io.github.sdlora4j.fused.FusedThreads;
import io.github.sdlora4j.lora.AdapterMerger;
import io.github.sdlora4j.lora.DirectionNorm;
import io.github.sdlora4j.lora.SdLoraState;
import io.github.sdlora4j.vit.VitWeights;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.dataset.DataSet;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.SplittableRandom;

/**
 * The lifecycle every class-incremental learner shares, written once: the task counter, the classes each task
 * brought, the guards (no task started twice, no step or end outside a task, the experience must be the next task)
 * and the per-task random streams, and the training options every method has: the engine it asks for
 * ({@link #useEngine}), the fused engine's threads ({@link #setThreads}) and the terms added to its loss
 * ({@link #addLossTerm}). A method supplies only what differs:
 * what happens when a task starts ({@link #startTask}), one training step ({@link #trainOn}) and what happens when it
 * ends ({@link #endTask}); one without a fused training step says so ({@link #fusedEngineMissing}).
 */
public abstract class AbstractClassIncrementalLearner implements ClassIncrementalLearner {

    private final long seed;
    private final List<Integer> taskClasses;
    private int knownClasses;
    private TaskExperience current;
    private final List<LossTerm> addedTerms = new ArrayList<>();
    private EngineChoice engine = EngineChoice.AUTO;
    /** The fused engine's threads, 0 for {@link FusedThreads#defaultThreads()}. */
    private int threads;

    /** A learner with no task yet; {@code seed} seeds its per-task streams ({@link #random}). */
    protected AbstractClassIncrementalLearner(long seed) {
        this(seed, List.of(), false);
    }

    /**
     * A learner restored after {@code taskClasses.size()} tasks (the classes each brought); {@code inTask} tells
     * whether the last one was started and not ended.
     */
    protected AbstractClassIncrementalLearner(long seed, List<Integer> taskClasses, boolean inTask) {
        if (taskClasses.stream().anyMatch(n -> n == null || n < 1)) {
            throw new IllegalArgumentException("Every task must have brought at least one class, got " + taskClasses);
        }
        if (inTask && taskClasses.isEmpty()) {
            throw new IllegalArgumentException("A learner cannot be inside a task before its first task");
        }
        this.seed = seed;
        this.taskClasses = new ArrayList<>(taskClasses);
        int total = taskClasses.stream().mapToInt(Integer::intValue).sum();
        int last = taskClasses.isEmpty() ? 0 : taskClasses.get(taskClasses.size() - 1);
        this.knownClasses = inTask ? total - last : total;
        this.current = inTask ? TaskExperience.withoutData(taskClasses.size() - 1, knownClasses, last) : null;
    }

    /**
     * What this method does when a task starts (grow the head, add adapters, look at the task's data); the counters
     * already say the previous task ended, and change only if this returns normally.
     */
    protected abstract void startTask(TaskExperience task);

    /** One training step of the current task (a task is in progress, the batch has features); returns its loss. */
    protected abstract double trainOn(DataSet batch, int epoch, int step);

    /** What this method does when the current task ends; {@link #knownClasses()} still excludes its classes. */
    protected abstract void endTask(TaskExperience task);

    @Override
    public final void beforeTask(TaskExperience task) {
        Objects.requireNonNull(task, "task");
        if (inTask()) {
            throw new IllegalStateException("Task " + currentTask() + " has not ended: call afterTask first");
        }
        if (task.index() != taskClasses.size() || task.firstClass() != knownClasses) {
            throw new IllegalArgumentException("Expected task " + taskClasses.size() + " starting at class "
                    + knownClasses + ", got task " + task.index() + " starting at class " + task.firstClass());
        }
        startTask(task);
        taskClasses.add(task.newClasses());
        current = task;
    }

    @Override
    public final void resumeTask(TaskExperience task) {
        Objects.requireNonNull(task, "task");
        requireTask();
        if (task.index() != current.index() || task.firstClass() != current.firstClass()
                || task.newClasses() != current.newClasses()) {
            throw new IllegalArgumentException("Expected to resume task " + current.index() + " (classes "
                    + current.firstClass() + ".." + (current.endClass() - 1) + "), got task " + task.index()
                    + " (classes " + task.firstClass() + ".." + (task.endClass() - 1) + ")");
        }
        current = task;
    }

    @Override
    public final double trainStep(DataSet batch, int epoch, int step) {
        requireTask();
        if (batch == null || batch.getFeatures() == null) {
            throw new IllegalArgumentException("Training batch has no features");
        }
        return trainOn(batch, epoch, step);
    }

    @Override
    public final void afterTask() {
        requireTask();
        endTask(current);
        knownClasses += current.newClasses();
        current = null;
    }

    private void requireTask() {
        if (!inTask()) {
            throw new IllegalStateException("No task in progress: call beforeTask first");
        }
    }

    @Override
    public final int currentTask() {
        return taskClasses.size() - 1;
    }

    /** Classes of the tasks before the current one (of all finished tasks between tasks). */
    public final int knownClasses() {
        return knownClasses;
    }

    /** Whether a task was started and not yet ended. */
    public final boolean inTask() {
        return current != null;
    }

    /** Number of classes each task brought, in order (including the current task's). */
    public final List<Integer> taskClasses() {
        return Collections.unmodifiableList(taskClasses);
    }

    /**
     * Asks for a training engine (default {@link EngineChoice#AUTO}); it applies from the next training start (a
     * task's first step). The system property {@value TrainingEngine#PROPERTY}, when set, overrides it.
     */
    public final void useEngine(EngineChoice choice) {
        engine = Objects.requireNonNull(choice, "engine");
        inferenceSettingsChanged();
    }

    /**
     * Sets the fused engine's threads for training (from the next training start) and prediction (from the next
     * prediction); 0, the initial setting, means the default {@link FusedThreads#defaultThreads()}
     * ({@value FusedThreads#ENV}, else every processor), as a run config's {@code threads: 0} does. SameDiff
     * ignores it.
     *
     * @throws IllegalArgumentException if {@code threads} is negative
     */
    public final void setThreads(int threads) {
        this.threads = FusedThreads.requireSetting(threads, "setThreads");
        inferenceSettingsChanged();
    }

    /** The fused engine's threads set with {@link #setThreads}, or 0 for the default. */
    public final int threads() {
        return threads;
    }

    /**
     * Called when an option that prediction uses ({@link #useEngine}, {@link #setThreads}) changes: a method that
     * keeps its prediction graph drops it here.
     */
    protected void inferenceSettingsChanged() {
    }

    /**
     * Prediction through a plain (merged) backbone and {@code head} (null for features only): the fused forward
     * where the engine this learner asks for is the fused one, the SameDiff graph otherwise.
     */
    final MergedInference mergedInference(VitWeights mergedBackbone, ClassifierHead head) {
        return new MergedInference(TrainingEngine.resolve(engine, DataType.FLOAT, null), mergedBackbone, head, threads);
    }

    /**
     * As above for {@link AdapterMerger#merge}'s {@code backbone} with {@code state} folded in; the merged weights are
     * released once built into the forward (both forwards keep their own transposed copies of every weight matrix).
     */
    final MergedInference mergedInference(VitWeights backbone, SdLoraState state, DirectionNorm norm,
                                          ClassifierHead head) {
        VitWeights merged = AdapterMerger.merge(backbone, state, norm);
        MergedInference inference = mergedInference(merged, head);
        AdapterMerger.release(merged, backbone);
        return inference;
    }

    /** The engine this learner asks for. */
    public final EngineChoice engineChoice() {
        return engine;
    }

    /**
     * Adds {@code term} to the loss of every task trained from now on (from the next training start).
     *
     * @throws UnsupportedOperationException if this method minimises no loss
     */
    public final void addLossTerm(LossTerm term) {
        Objects.requireNonNull(term, "term");
        String refusal = lossTermRefusal();
        if (refusal != null) {
            throw new UnsupportedOperationException("Cannot add the loss term '" + term.name() + "': " + refusal);
        }
        addedTerms.add(term);
    }

    /**
     * The terms added to {@code task}'s loss: those of {@link #addLossTerm}; a method that penalises something per
     * task adds its own to these.
     */
    protected List<LossTerm> lossTerms(TaskExperience task) {
        return List.copyOf(addedTerms);
    }

    /** Null when this method takes loss terms, else why not (e.g. it trains nothing by gradient). */
    protected String lossTermRefusal() {
        return null;
    }

    /**
     * Null when the fused engine can train this method, else why not, completing "the fused engine ..." (e.g.
     * "has no step for InfLoRA's gradient projection"): {@code auto} then trains with SameDiff and {@code fused}
     * is refused with this reason.
     */
    protected String fusedEngineMissing() {
        return null;
    }

    /** Throws unless some task brought classes: prediction needs head rows. */
    protected final void requireClasses() {
        if (numClasses() == 0) {
            throw new IllegalStateException("No classes learned yet: call beforeTask first");
        }
    }

    /** The engine that trains with {@code terms}: the one asked for, where this method and the terms allow it. */
    protected final TrainingEngine trainingEngine(DataType type, List<LossTerm> terms) {
        String missing = fusedEngineMissing();
        return TrainingEngine.resolve(engine, type, missing != null ? missing : TrainingEngine.cannotDifferentiate(terms));
    }

    /**
     * The engine this learner's training would use now: the one asked for ({@link #useEngine}, or the property
     * {@value TrainingEngine#PROPERTY}), where this method ({@link #fusedEngineMissing}), the terms added to its loss
     * and this JVM allow it. A method's own per-task terms count only inside a task.
     *
     * @return empty for a method that minimises no loss ({@link #lossTermRefusal}), which no engine trains
     * @throws IllegalStateException if {@code fused} is asked for where it cannot train this learner
     */
    public final Optional<TrainingEngine> plannedEngine() {
        if (lossTermRefusal() != null) {
            return Optional.empty();
        }
        // Every learner here trains in float.
        return Optional.of(trainingEngine(DataType.FLOAT, current != null ? lossTerms(current)
                : List.copyOf(addedTerms)));
    }

    /** The task in progress (its training data only when the caller passed it), or null between tasks. */
    protected final TaskExperience currentExperience() {
        return current;
    }

    /** The seed of this learner's per-task streams. */
    protected final long seed() {
        return seed;
    }

    /** Independent streams per task and purpose, so a resumed run draws the same numbers ({@link TaskSeeds}). */
    protected final SplittableRandom random(int task, int purpose) {
        return new SplittableRandom(TaskSeeds.learner(seed, task, purpose));
    }
}
