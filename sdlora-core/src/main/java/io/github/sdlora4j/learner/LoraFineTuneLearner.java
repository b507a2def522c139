package io.github.sdlora4j.learner;

import io.github.sdlora4j.lora.DirectionNorm;
import io.github.sdlora4j.fused.FusedThreads;
import io.github.sdlora4j.lora.AdapterMerger;
import io.github.sdlora4j.lora.SdLoraState;
import io.github.sdlora4j.lora.TaskAdapter;
import io.github.sdlora4j.vit.VitWeights;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;

import java.util.SplittableRandom;

/**
 * Plain LoRA fine-tuning of one adapter on q and v (rank of task 0, magnitude fixed at 1) that keeps training
 * across tasks, with a growing head. The baselines differ only in which classes a task's loss covers.
 */
abstract class LoraFineTuneLearner implements ClassIncrementalLearner {

    private static final DataType TYPE = DataType.FLOAT;

    private final SdLoraConfig config;
    private final VitWeights backbone;
    private final SdLoraState state;
    private final ClassifierHead head;
    private final StepListeners listeners = new StepListeners();
    private int knownClasses;
    private int newClasses;
    private int task = -1;
    private boolean inTask;
    private TaskTraining training;
    private MergedInference inference;
    /** The fused engine's threads, 0 for the default. */
    private int threads;

    LoraFineTuneLearner(SdLoraConfig config, VitWeights backbone) {
        this.config = config;
        this.backbone = backbone.castTo(TYPE);
        this.state = new SdLoraState(config.vit().depth());
        this.head = ClassifierHead.empty(config.vit().dim(), TYPE);
    }

    /** First class whose head row and loss column this task trains. */
    abstract int firstTrainedClass(int known);

    @Override
    public void beforeTask(int classes) {
        if (inTask) {
            throw new IllegalStateException("Task " + task + " has not ended: call afterTask first");
        }
        task++;
        head.grow(classes, new SplittableRandom(config.seed() * 1_000_003L + task * 31L + 1));
        if (state.numTasks() == 0) {
            state.addTask(TaskAdapter.initial(config.vit().depth(), config.vit().dim(), config.ranks().rankFor(0),
                    new SplittableRandom(config.seed() * 1_000_003L + 2), TYPE));
            state.setMagnitudes(new double[]{1.0});
        }
        newClasses = classes;
        inTask = true;
        training = null;
        inference = null;
    }

    /**
     * Attaches SameDiff {@link org.nd4j.autodiff.listeners.Listener}s (as DL4J users attach them to
     * {@code SameDiff.fit}): every training step calls their {@code iterationStart} and {@code iterationDone}, the
     * latter with the step's loss (named {@code "loss"}, the value {@link #trainStep} returns), on either training
     * engine; the SameDiff engine also runs their per-op hooks, the fused engine passes no graph ({@code sd} is
     * {@code null}). Next to the {@link TrainingMonitor} of {@link #train}; listeners added between steps hear the next.
     */
    public void addListeners(org.nd4j.autodiff.listeners.Listener... added) {
        listeners.add(added);
    }

    /**
     * Threads of the fused engine's training and prediction (default {@link FusedThreads#defaultThreads()}), from the
     * next task's training and the next prediction on.
     */
    public void setThreads(int threads) {
        this.threads = FusedThreads.require(threads, "setThreads");
        inference = null;
    }

    @Override
    public double trainStep(DataSet batch, int epoch, int step) {
        if (!inTask) {
            throw new IllegalStateException("No task in progress: call beforeTask first");
        }
        int first = firstTrainedClass(knownClasses);
        if (training == null) {
            training = TrainingEngine.selected(TYPE).start(backbone, state, DirectionNorm.FACTOR_PRODUCT, head, first,
                    config.optimizer(), TYPE, false, listeners.list(), threads);
        }
        INDArray labels = TaskLabels.slice(batch.getLabels(), first, knownClasses + newClasses - first);
        double loss;
        try {
            loss = training.step(new DataSet(batch.getFeatures(), labels), epoch, step);
        } catch (NonFiniteLossException e) {
            training = null; // its arrays took the bad update; the state still holds the last good step
            throw e;
        }
        training.copyBack(state, head, first);
        inference = null;
        return loss;
    }

    @Override
    public void afterTask() {
        if (!inTask) {
            throw new IllegalStateException("No task in progress: call beforeTask first");
        }
        knownClasses += newClasses;
        inTask = false;
        training = null;
    }

    @Override
    public INDArray logits(INDArray images) {
        if (head.numClasses() == 0) {
            throw new IllegalStateException("No classes learned yet: call beforeTask first");
        }
        if (inference == null) {
            inference = new MergedInference(AdapterMerger.merge(backbone, state, DirectionNorm.FACTOR_PRODUCT), head,
                    threads);
        }
        return inference.logits(images);
    }

    /** The adapter (live; do not modify). */
    SdLoraState state() {
        return state;
    }

    /** The classifier (live; do not modify). */
    ClassifierHead head() {
        return head;
    }

    @Override
    public int numClasses() {
        return head.numClasses();
    }

    @Override
    public int currentTask() {
        return task;
    }
}
