package io.github.sdlora4j.learner;

import io.github.sdlora4j.lora.DirectionNorm;
import io.github.sdlora4j.lora.SdLoraState;
import io.github.sdlora4j.lora.TaskAdapter;
import io.github.sdlora4j.vit.VitWeights;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;

import java.util.List;


/**
 * Plain LoRA fine-tuning of one adapter on q and v (rank of task 0, magnitude fixed at 1) that keeps training
 * across tasks, with a growing head. The baselines differ only in which classes a task's loss covers.
 */
abstract class LoraFineTuneLearner extends AbstractClassIncrementalLearner {

    private static final DataType TYPE = DataType.FLOAT;

    private final SdLoraConfig config;
    private final VitWeights backbone;
    private final SdLoraState state;
    private final ClassifierHead head;
    private final CurrentTraining training = new CurrentTraining();
    private MergedInference inference;

    LoraFineTuneLearner(SdLoraConfig config, VitWeights backbone) {
        super(config.seed());
        this.config = config;
        this.backbone = backbone.castTo(TYPE);
        this.state = new SdLoraState(config.vit().depth());
        this.head = ClassifierHead.empty(config.vit().dim(), TYPE);
    }

    /** First class whose head row and loss column this task trains. */
    abstract int firstTrainedClass(int known);

    @Override
    protected void startTask(TaskExperience task) {
        head.grow(task.newClasses(), random(task.index(), 1));
        if (state.numTasks() == 0) {
            state.addTask(TaskAdapter.initial(config.vit().depth(), config.vit().dim(), config.ranks().rankFor(0),
                    random(0, 2), TYPE));
            state.setMagnitudes(new double[]{1.0});
        }
        training.stop();
        inference = MergedInference.release(inference);
    }

    /**
     * Attaches SameDiff {@link org.nd4j.autodiff.listeners.Listener}s (as DL4J users attach them to
     * {@code SameDiff.fit}): every training step calls their {@code iterationStart} and {@code iterationDone}, the
     * latter with the step's loss (named {@code "loss"}, the value {@link #trainStep} returns), on either training
     * engine; the SameDiff engine also runs their per-op hooks, the fused engine passes no graph ({@code sd} is
     * {@code null}). Next to the {@link TrainingMonitor} of {@link #train}; listeners added between steps hear the next.
     */
    public void addListeners(org.nd4j.autodiff.listeners.Listener... added) {
        training.addListeners(added);
    }

    @Override
    protected void inferenceSettingsChanged() {
        inference = MergedInference.release(inference);
    }

    @Override
    protected double trainOn(DataSet batch, int epoch, int step) {
        int first = firstTrainedClass(knownClasses());
        INDArray labels = TaskLabels.slice(batch.getLabels(), first, currentExperience().endClass() - first);
        double loss = training.step(listeners -> {
            List<LossTerm> terms = lossTerms(currentExperience());
            return trainingEngine(TYPE, terms).start(backbone, state, DirectionNorm.FACTOR_PRODUCT, head, first,
                    config.optimizer(), TYPE, false, listeners, terms, threads());
        }, new DataSet(batch.getFeatures(), labels), epoch, step, state, head, first);
        inference = MergedInference.release(inference);
        return loss;
    }

    @Override
    protected void endTask(TaskExperience task) {
        training.stop();
    }

    @Override
    public INDArray logits(INDArray images) {
        requireClasses();
        if (inference == null) {
            inference = mergedInference(backbone, state, DirectionNorm.FACTOR_PRODUCT, head);
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
}
