package io.github.sdlora4j.learner;

import io.github.sdlora4j.lora.AdapterMerger;
import io.github.sdlora4j.lora.Assimilation;
import io.github.sdlora4j.lora.DirectionAssimilator;
import io.github.sdlora4j.lora.LoraFactors;
import io.github.sdlora4j.lora.LowRankDirection;
import io.github.sdlora4j.lora.SdLoraAdapterGraph;
import io.github.sdlora4j.lora.SdLoraState;
import io.github.sdlora4j.lora.TaskAdapter;
import io.github.sdlora4j.vit.Projection;
import io.github.sdlora4j.vit.VitConfig;
import io.github.sdlora4j.vit.VitWeights;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * SD-LoRA (Wu et al., ICLR 2025) as a class-incremental learner on a frozen SameDiff ViT.
 *
 * <p>Per task: {@link #beforeTask(TaskExperience)} grows the head, adds this task's adapters (A kaiming-uniform, B zero, rank from
 * the {@link io.github.sdlora4j.lora.RankSchedule}) and sets the magnitudes per {@link SdLoraMode}; training updates
 * only the current A/B, the magnitudes and the new head rows; {@link #afterTask()} freezes the adapters and, with KD,
 * assimilates the new direction into earlier ones when a least-squares fit explains it. Prediction folds every
 * adapter into W_q and W_v ({@link AdapterMerger}) and runs a plain ViT.
 */
public final class SdLoraLearner extends AbstractClassIncrementalLearner implements MergeableLearner {

    /** The method's name in messages (its variants included). */
    public static final String NAME = "SD-LoRA";
    private static final Logger log = LoggerFactory.getLogger(SdLoraLearner.class);
    private static final DataType TYPE = DataType.FLOAT;

    private final SdLoraConfig config;
    private final VitWeights backbone;
    private final SdLoraState state;
    private final ClassifierHead head;
    private final CurrentTraining training = new CurrentTraining();
    private MergedInference mergedGraph;
    private ClassifierGraph unmergedGraph;

    private SdLoraLearner(SdLoraConfig config, VitWeights backbone, SdLoraState state, ClassifierHead head,
                          List<Integer> taskClasses, boolean inTask) {
        super(config.seed(), taskClasses, inTask);
        if (!backbone.config().equals(config.vit())) {
            throw new IllegalArgumentException("Backbone is " + backbone.config() + " but the SD-LoRA config expects "
                    + config.vit());
        }
        this.config = config;
        this.backbone = backbone.castTo(TYPE);
        this.state = state;
        this.head = head;
    }

    /** A learner with no task yet, on a frozen {@code backbone} that must match {@code config.vit()}. */
    public static SdLoraLearner create(SdLoraConfig config, VitWeights backbone) {
        return new SdLoraLearner(config, backbone, new SdLoraState(config.vit().depth()),
                ClassifierHead.empty(config.vit().dim(), TYPE), List.of(), false);
    }

    /**
     * Restores a learner from saved parts (see {@code LearnerCheckpoint}). {@code inTask} tells whether the last task
     * was started but not ended.
     */
    public static SdLoraLearner restore(SdLoraConfig config, VitWeights backbone, SdLoraState state,
                                        ClassifierHead head, List<Integer> taskClasses, boolean inTask) {
        return restore(config, backbone, state, head, taskClasses, inTask, Map.of());
    }

    /**
     * As above, with the optimizer state of an unfinished task ({@link #optimizerState()}), so its training
     * continues exactly where it stopped.
     */
    public static SdLoraLearner restore(SdLoraConfig config, VitWeights backbone, SdLoraState state,
                                        ClassifierHead head, List<Integer> taskClasses, boolean inTask,
                                        Map<String, INDArray> optimizerState) {
        if (!inTask && !optimizerState.isEmpty()) {
            throw new IllegalArgumentException("Optimizer state given for a learner between tasks");
        }
        int total = taskClasses.stream().mapToInt(Integer::intValue).sum();
        if (taskClasses.size() != state.numTasks() || total != head.numClasses()) {
            throw new IllegalArgumentException("Inconsistent learner state: " + state.numTasks() + " adapters, tasks with "
                    + taskClasses + " classes, head with " + head.numClasses() + " rows");
        }
        SdLoraLearner learner = new SdLoraLearner(config, backbone, state, head, taskClasses, inTask);
        learner.training.resumeFrom(optimizerState);
        return learner;
    }

    @Override
    protected void startTask(TaskExperience task) {
        int t = task.index();
        head.grow(task.newClasses(), random(t, 1));
        state.addTask(TaskAdapter.initial(config.vit().depth(), config.vit().dim(), config.ranks().rankFor(t),
                random(t, 2), TYPE));
        double[] previous = state.magnitudes();
        double[] alpha = new double[t + 1];
        Arrays.fill(alpha, config.initialMagnitude());
        if (!config.mode().resetsMagnitudes()) {
            System.arraycopy(previous, 0, alpha, 0, Math.min(previous.length, t));
        }
        state.setMagnitudes(alpha);
        training.stop();
        invalidateInference();
    }

    /**
     * The current task's optimizer state (momentum or Adam moments per trainable tensor), named
     * {@code sdlora.optimizer.<variable>.<key>}; empty between tasks or before the task's first step.
     */
    public Map<String, INDArray> optimizerState() {
        return training.optimizerState();
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
        invalidateInference();
    }

    @Override
    protected double trainOn(DataSet batch, int epoch, int step) {
        int knownClasses = knownClasses();
        int newClasses = currentExperience().newClasses();
        DataSet mapped = new DataSet(batch.getFeatures(), TaskLabels.slice(batch.getLabels(), knownClasses, newClasses));
        double loss = training.step(listeners -> {
            List<LossTerm> terms = lossTerms(currentExperience());
            return trainingEngine(TYPE, terms).start(backbone, state, config.mode().norm(), head, knownClasses,
                    config.optimizer(), TYPE, true, listeners, terms, threads());
        }, mapped, epoch, step, state, head, knownClasses);
        invalidateInference();
        return loss;
    }

    @Override
    protected void endTask(TaskExperience task) {
        int t = task.index();
        training.stop();
        if (config.knowledgeDistillation() && t > 0) {
            assimilate(t);
        }
        invalidateInference();
    }

    /** The adapters or head changed: prediction graphs are released now and rebuilt on next use. */
    private void invalidateInference() {
        mergedGraph = MergedInference.release(mergedGraph);
        unmergedGraph = ClassifierGraph.release(unmergedGraph);
    }

    /** SD-LoRA-KD, corrected: explicit residual, coefficients at their own index, zero directions left out. */
    private void assimilate(int t) {
        DirectionAssimilator kd = new DirectionAssimilator(config.kdThreshold());
        int merges = 0;
        for (int l = 0; l < state.depth(); l++) {
            for (Projection p : Projection.values()) {
                List<LowRankDirection> previous = new ArrayList<>();
                for (int i = 0; i < t; i++) {
                    previous.add(direction(state.task(i).get(l, p)));
                }
                Assimilation fit = kd.assimilate(previous, direction(state.task(t).get(l, p)));
                if (fit.merged()) {
                    double[] c = fit.coefficients();
                    for (int i = 0; i < c.length; i++) {
                        state.addAssimilated(l, p, i, c[i]);
                    }
                    state.task(t).set(l, p, state.task(t).zeroPair(TYPE));
                    merges++;
                    log.info("KD: block {} {} of task {} merged into earlier directions (residual {}, coefficients {})",
                            l, p.key(), t, fit.residual(), Arrays.toString(c));
                }
            }
        }
        log.info("KD after task {}: {} of {} directions merged", t, merges, 2 * state.depth());
    }

    private LowRankDirection direction(LoraFactors f) {
        return new LowRankDirection(f.b(), f.a(), config.mode().norm().of(f.b(), f.a()));
    }

    @Override
    public INDArray logits(INDArray images) {
        requireClasses();
        if (mergedGraph == null) {
            mergedGraph = mergedInference(backbone, state, config.mode().norm(), head);
        }
        return mergedGraph.logits(images);
    }

    /** Logits computed with every adapter as a separate low-rank path (no merging); equal to {@link #logits}. */
    public INDArray logitsUnmerged(INDArray images) {
        requireClasses();
        if (unmergedGraph == null) {
            unmergedGraph = new ClassifierGraph(backbone, new SdLoraAdapterGraph(state, config.mode().norm(), false, TYPE),
                    head, TYPE);
        }
        return unmergedGraph.logits(images);
    }

    /** The backbone with every adapter folded into W_q and W_v (a new copy). */
    @Override
    public VitWeights mergedBackbone() {
        return AdapterMerger.merge(backbone, state, config.mode().norm());
    }

    @Override
    public String methodName() {
        return NAME;
    }

    @Override
    public VitConfig vitConfig() {
        return config.vit();
    }

    @Override
    public int numClasses() {
        return head.numClasses();
    }

    public SdLoraConfig config() {
        return config;
    }

    /** The frozen backbone (not merged). */
    public VitWeights backbone() {
        return backbone;
    }

    /** The adapters and magnitudes (live; do not modify). */
    public SdLoraState state() {
        return state;
    }

    /** The classifier (live; do not modify). */
    @Override
    public ClassifierHead head() {
        return head;
    }

    /** Parameters trained during task {@code t}: its factors, the magnitudes and its head rows. */
    public long trainableParameterCount(int t) {
        return state.task(t).parameterCount() + (t + 1) + (long) taskClasses().get(t) * (config.vit().dim() + 1);
    }
}
