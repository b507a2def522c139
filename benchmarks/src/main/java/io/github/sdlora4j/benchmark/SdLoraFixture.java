package io.github.sdlora4j.benchmark;

import io.github.sdlora4j.learner.ClassifierHead;
import io.github.sdlora4j.learner.SdLoraConfig;
import io.github.sdlora4j.learner.SdLoraLearner;
import io.github.sdlora4j.lora.LoraFactors;
import io.github.sdlora4j.lora.RankSchedule;
import io.github.sdlora4j.lora.SdLoraState;
import io.github.sdlora4j.lora.TaskAdapter;
import io.github.sdlora4j.vit.Projection;
import io.github.sdlora4j.vit.VitConfig;
import io.github.sdlora4j.vit.VitWeights;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;

/**
 * A learner in the middle of task {@code finishedTasks} (0-based), built directly from its parts so that a benchmark
 * at task 20 does not have to train 20 tasks first. Finished tasks get random non-zero B factors (as trained ones
 * have), so their normalized terms are really computed; the current task starts as a new one does (B = 0).
 */
record SdLoraFixture(SdLoraLearner learner, int classesPerTask, int finishedTasks, int rank) {

    static final DataType TYPE = DataType.FLOAT;

    /**
     * @param backbone       frozen ViT (random weights are fine: speed does not depend on their values)
     * @param finishedTasks  tasks already learned; the learner trains task index {@code finishedTasks}
     * @param classesPerTask classes each task brings
     * @param rank           LoRA rank of every task
     */
    static SdLoraFixture create(VitWeights backbone, int finishedTasks, int classesPerTask, int rank, long seed) {
        if (finishedTasks < 0 || classesPerTask < 1) {
            throw new IllegalArgumentException("Need finishedTasks >= 0 and classesPerTask >= 1, got " + finishedTasks
                    + " and " + classesPerTask);
        }
        VitConfig vit = backbone.config();
        SdLoraConfig config = SdLoraConfig.reference(vit).withRanks(RankSchedule.constant(rank)).withSeed(seed);
        SplittableRandom rng = new SplittableRandom(seed);
        SdLoraState state = new SdLoraState(vit.depth());
        for (int t = 0; t <= finishedTasks; t++) {
            TaskAdapter adapter = TaskAdapter.initial(vit.depth(), vit.dim(), rank, rng.split(), TYPE);
            if (t < finishedTasks) {
                for (int l = 0; l < vit.depth(); l++) {
                    for (Projection p : Projection.values()) {
                        INDArray a = adapter.get(l, p).a();
                        adapter.set(l, p, new LoraFactors(a, uniform(rng, vit.dim(), rank, 0.05)));
                    }
                }
            }
            state.addTask(adapter);
        }
        double[] magnitudes = new double[finishedTasks + 1];
        Arrays.fill(magnitudes, config.initialMagnitude());
        state.setMagnitudes(magnitudes);
        int classes = classesPerTask * (finishedTasks + 1);
        ClassifierHead head = new ClassifierHead(uniform(rng, classes, vit.dim(), Math.sqrt(3.0 / vit.dim())),
                Nd4j.zeros(TYPE, classes));
        List<Integer> taskClasses = new ArrayList<>();
        for (int t = 0; t <= finishedTasks; t++) {
            taskClasses.add(classesPerTask);
        }
        SdLoraLearner learner = SdLoraLearner.restore(config, backbone, state, head, taskClasses, true);
        return new SdLoraFixture(learner, classesPerTask, finishedTasks, rank);
    }

    /** A batch of uniform [0, 1) images with labels among the current task's classes (one-hot over all classes). */
    DataSet batch(int size, long seed) {
        return batch(learner.config().vit(), size, learner.knownClasses(), classesPerTask, learner.numClasses(), seed);
    }

    /**
     * A batch of {@code size} uniform [0, 1) images for {@code vit}, labelled among classes {@code known ..
     * known + newClasses - 1}, one-hot over {@code totalClasses}.
     */
    static DataSet batch(VitConfig vit, int size, int known, int newClasses, int totalClasses, long seed) {
        SplittableRandom rng = new SplittableRandom(seed);
        double[] pixels = new double[size * vit.channels() * vit.imageSize() * vit.imageSize()];
        for (int i = 0; i < pixels.length; i++) {
            pixels[i] = rng.nextDouble();
        }
        INDArray images = Nd4j.create(pixels, new long[]{size, vit.channels(), vit.imageSize(), vit.imageSize()}, 'c')
                .castTo(TYPE);
        INDArray labels = Nd4j.zeros(TYPE, size, totalClasses);
        for (int i = 0; i < size; i++) {
            labels.putScalar(i, known + rng.nextInt(newClasses), 1.0);
        }
        return new DataSet(images, labels);
    }

    /** One optimizer step through the learner's public API; returns the loss. */
    double step(DataSet batch, int iteration) {
        return learner.trainStep(batch, 0, iteration);
    }

    /** R: summed rank of all tasks' terms in one projection. */
    int totalRank() {
        return rank * (finishedTasks + 1);
    }

    /** FLOPs of one step on {@code batch} images, per {@link StepFlops}. */
    double stepFlops(int batch) {
        return StepFlops.trainingStep(learner.config().vit(), batch, totalRank(), rank, classesPerTask);
    }

    private static INDArray uniform(SplittableRandom rng, int rows, int cols, double bound) {
        double[] v = new double[rows * cols];
        for (int i = 0; i < v.length; i++) {
            v[i] = (2 * rng.nextDouble() - 1) * bound;
        }
        return Nd4j.create(v, new long[]{rows, cols}, 'c').castTo(TYPE);
    }
}
