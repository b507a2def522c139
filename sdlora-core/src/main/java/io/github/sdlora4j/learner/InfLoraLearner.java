package io.github.sdlora4j.learner;

import io.github.sdlora4j.inflora.InputSubspace;
import io.github.sdlora4j.inflora.LayerInputs;
import io.github.sdlora4j.inflora.SubspaceMemory;
import io.github.sdlora4j.lora.AdapterMerger;
import io.github.sdlora4j.lora.DirectionNorm;
import io.github.sdlora4j.lora.LoraFactors;
import io.github.sdlora4j.lora.SdLoraAlgebra;
import io.github.sdlora4j.lora.SdLoraState;
import io.github.sdlora4j.lora.TaskAdapter;
import io.github.sdlora4j.vit.Projection;
import io.github.sdlora4j.vit.VitConfig;
import io.github.sdlora4j.vit.VitWeights;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.dataset.api.iterator.DataSetIterator;
import org.nd4j.linalg.factory.Nd4j;

import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * InfLoRA (Liang and Li, CVPR 2024): per task one low-rank adapter {@code B·A} on q and v whose A is designed, not
 * trained. When a task starts, every block's q/v input over the task's training data is taken through the current
 * model (earlier tasks merged into the weights), its component in the memory M of earlier tasks' inputs is removed,
 * and A's rows are the leading directions of what is left ({@link InputSubspace}): A·x = 0 on M, so the new update
 * does not disturb what earlier tasks' inputs produce. B starts at zero and trains with the new head rows on the
 * current task's classes, as in the other methods of this library; when the task ends, {@code B·A} is merged into the
 * weights and M takes the task's inputs through the updated model ({@link SubspaceMemory}, DualGPM with the
 * threshold ε of {@link InfLoraConfig#threshold()}).
 *
 * <p>Where this differs from the paper's code: the paper adapts k and v, this learner q and v as SD-LoRA does, so
 * the comparison with SD-LoRA is like for like (A is designed from the same block input either way); the reference
 * keeps every task's factors and sums them in the forward, this learner merges them, the same function. The
 * reference's per-task classifiers with a loss on the current task's classes are the growing head here.
 *
 * <p>The data of a task is read three times: once before training (the pass a fresh iterator stands at, which the
 * training epochs, each starting with a reset, never use), the training epochs, and once more after them.
 */
public final class InfLoraLearner extends AbstractClassIncrementalLearner implements MergeableLearner {

    /** The method's name in messages. */
    public static final String NAME = "InfLoRA";
    private static final DataType TYPE = DataType.FLOAT;
    private static final int HEAD_ROWS = 1;

    private final InfLoraConfig config;
    private VitWeights merged;
    private final SubspaceMemory[] memory;
    private final ClassifierHead head;
    /** The unfinished task's adapter, the only task of its state (α = 1, unnormalized); null between tasks. */
    private SdLoraState adapter;
    private final CurrentTraining training = new CurrentTraining();
    private MergedInference inference;

    private InfLoraLearner(InfLoraConfig config, VitWeights merged, SubspaceMemory[] memory, ClassifierHead head,
                           TaskAdapter unfinished, List<Integer> taskClasses) {
        super(config.seed(), taskClasses, unfinished != null);
        this.config = config;
        this.merged = merged.castTo(TYPE);
        this.memory = memory.clone();
        this.head = head;
        this.adapter = unfinished == null ? null : stateOf(unfinished);
    }

    /** A learner with no task yet, on a frozen {@code backbone} that must match {@code config.vit()}. */
    public static InfLoraLearner create(InfLoraConfig config, VitWeights backbone) {
        requireShape(config, backbone);
        SubspaceMemory[] empty = new SubspaceMemory[config.vit().depth()];
        Arrays.fill(empty, SubspaceMemory.empty(config.vit().dim()));
        return new InfLoraLearner(config, backbone, empty, ClassifierHead.empty(config.vit().dim(), TYPE), null,
                List.of());
    }

    /**
     * Restores a learner from saved parts (see {@code InfLoraCheckpoint}).
     *
     * @param merged         the backbone with every finished task merged in
     * @param memory         per block, the memory of the finished tasks' inputs
     * @param unfinished     the adapter of a task started and not ended, or null between tasks
     * @param optimizerState that task's optimizer state (empty before its first step, or between tasks)
     */
    public static InfLoraLearner restore(InfLoraConfig config, VitWeights merged, List<SubspaceMemory> memory,
                                         ClassifierHead head, List<Integer> taskClasses, TaskAdapter unfinished,
                                         Map<String, INDArray> optimizerState) {
        requireShape(config, merged);
        if (memory.size() != config.vit().depth() || memory.stream().anyMatch(m -> m.dim() != config.vit().dim())) {
            throw new IllegalArgumentException("Expected " + config.vit().depth() + " memories of width "
                    + config.vit().dim() + ", got " + memory.size());
        }
        if (unfinished == null && !optimizerState.isEmpty()) {
            throw new IllegalArgumentException("Optimizer state given for a learner between tasks");
        }
        if (unfinished != null && (unfinished.rank() != config.rank() || unfinished.depth() != config.vit().depth())) {
            throw new IllegalArgumentException("The unfinished task's adapter has rank " + unfinished.rank() + " and "
                    + unfinished.depth() + " blocks, the configuration rank " + config.rank() + " and "
                    + config.vit().depth() + " blocks");
        }
        int total = taskClasses.stream().mapToInt(Integer::intValue).sum();
        if (total != head.numClasses()) {
            throw new IllegalArgumentException("Inconsistent learner state: tasks with " + taskClasses
                    + " classes, head with " + head.numClasses() + " rows");
        }
        InfLoraLearner learner = new InfLoraLearner(config, merged, memory.toArray(new SubspaceMemory[0]), head,
                unfinished, taskClasses);
        learner.training.resumeFrom(optimizerState);
        return learner;
    }

    private static void requireShape(InfLoraConfig config, VitWeights backbone) {
        if (!backbone.config().equals(config.vit())) {
            throw new IllegalArgumentException("The backbone is a " + backbone.config() + ", the InfLoRA configuration"
                    + " expects " + config.vit());
        }
    }

    private static SdLoraState stateOf(TaskAdapter unfinished) {
        SdLoraState s = new SdLoraState(unfinished.depth());
        s.addTask(unfinished);
        s.setMagnitudes(new double[]{1.0});
        return s;
    }

    @Override
    protected void startTask(TaskExperience task) {
        INDArray[] inputs = new LayerInputs(merged, TYPE).meanOuterProducts(firstPass(task));
        int depth = config.vit().depth();
        int dim = config.vit().dim();
        LoraFactors[][] factors = new LoraFactors[depth][Projection.values().length];
        for (int l = 0; l < depth; l++) {
            INDArray a = InputSubspace.design(inputs[l], memory[l], config.rank(), TYPE);
            for (Projection p : Projection.values()) {
                factors[l][p.ordinal()] = new LoraFactors(a.dup('c'), Nd4j.zeros(TYPE, dim, config.rank()));
            }
        }
        adapter = stateOf(TaskAdapter.of(config.rank(), factors));
        head.grow(task.newClasses(), random(task.index(), HEAD_ROWS));
        training.stop();
        inference = MergedInference.release(inference);
    }

    /** The task's data where it stands (a fresh iterator's first pass), or from its start once it was used up. */
    private static DataSetIterator firstPass(TaskExperience task) {
        if (!task.hasTrainingData()) {
            return task.requireTrainingData(NAME); // throws, saying why
        }
        DataSetIterator data = task.trainingData();
        if (!data.resetSupported()) {
            throw new IllegalArgumentException(NAME + " reads a task's training data before and after training it: "
                    + "the iterator of task " + task.index() + " must support reset()");
        }
        if (!data.hasNext()) {
            data.reset();
        }
        return data;
    }

    /**
     * Attaches SameDiff listeners to the training steps, as {@link SdLoraLearner#addListeners} does.
     */
    public void addListeners(org.nd4j.autodiff.listeners.Listener... added) {
        training.addListeners(added);
    }

    @Override
    protected double trainOn(DataSet batch, int epoch, int step) {
        int known = knownClasses();
        DataSet mapped = new DataSet(batch.getFeatures(),
                TaskLabels.slice(batch.getLabels(), known, currentExperience().newClasses()));
        double loss = training.step(listeners -> {
            List<LossTerm> terms = lossTerms(currentExperience());
            return trainingEngine(TYPE, terms).start(merged, adapter, DirectionNorm.FACTOR_PRODUCT, head, known,
                    config.optimizer(), TYPE, false, false, listeners, terms, threads());
        }, mapped, epoch, step, adapter, head, known);
        inference = MergedInference.release(inference);
        return loss;
    }

    /** Merges the task's {@code B·A} into the weights, then adds the task's inputs through them to the memory. */
    @Override
    protected void endTask(TaskExperience task) {
        VitWeights next = AdapterMerger.merge(merged, adapter, DirectionNorm.FACTOR_PRODUCT);
        INDArray[] inputs = new LayerInputs(next, TYPE).meanOuterProducts(task.requireTrainingData(NAME));
        double epsilon = config.threshold().at(task.index(), config.tasks());
        SubspaceMemory[] updated = new SubspaceMemory[memory.length];
        for (int l = 0; l < memory.length; l++) {
            updated[l] = memory[l].updated(inputs[l], epsilon);
        }
        System.arraycopy(updated, 0, memory, 0, memory.length);
        merged = next;
        adapter = null;
        training.stop();
        inference = MergedInference.release(inference);
    }

    @Override
    public INDArray logits(INDArray images) {
        requireClasses();
        if (inference == null) {
            inference = mergedInference(adapter == null ? merged
                    : AdapterMerger.merge(merged, adapter, DirectionNorm.FACTOR_PRODUCT), head);
        }
        return inference.logits(images);
    }

    @Override
    protected void inferenceSettingsChanged() {
        inference = MergedInference.release(inference);
    }

    @Override
    public int numClasses() {
        return head.numClasses();
    }

    public InfLoraConfig config() {
        return config;
    }

    /** The backbone with every finished task's {@code B·A} merged into q and v (live; do not modify). */
    @Override
    public VitWeights mergedBackbone() {
        return merged;
    }

    @Override
    public String methodName() {
        return NAME;
    }

    @Override
    public VitConfig vitConfig() {
        return config.vit();
    }

    /** Block {@code l}'s memory of the finished tasks' inputs. */
    public SubspaceMemory memory(int block) {
        return memory[block];
    }

    /** The unfinished task's adapter (live; do not modify), or null between tasks. */
    public TaskAdapter unfinishedAdapter() {
        return adapter == null ? null : adapter.task(0);
    }

    /** The classifier (live; do not modify). */
    @Override
    public ClassifierHead head() {
        return head;
    }

    /**
     * The unfinished task's optimizer state, named {@code sdlora.optimizer.<variable>.<key>} after the adapter's
     * tensors ({@link SdLoraAlgebra#factorName} with task index 0); empty between tasks or before a first step.
     */
    public Map<String, INDArray> optimizerState() {
        return training.optimizerState();
    }
}
