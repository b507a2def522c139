package io.github.sdlora4j.learner;

import io.github.sdlora4j.vit.VitWeights;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;

import java.util.ArrayList;
import java.util.List;

/**
 * Baseline: SimpleCIL (Zhou et al., 2023). The backbone stays frozen and each class is its mean feature
 * (prototype); an image is scored by the cosine similarity of its feature to every prototype. Nothing is trained,
 * so there is nothing to forget; it measures how much the frozen backbone alone gives. As in the paper's code, the
 * prototypes are the means of un-augmented training images ({@link TrainingTransform#TEST}).
 */
public final class SimpleCilLearner extends AbstractClassIncrementalLearner {

    private final VitWeights backbone;
    private MergedInference features;
    private final int dim;
    private final List<INDArray> prototypes = new ArrayList<>();
    private INDArray sums;
    private INDArray counts;
    private INDArray prototypeMatrix;

    public SimpleCilLearner(VitWeights backbone) {
        super(0); // draws no random numbers
        this.backbone = backbone;
        this.dim = backbone.config().dim();
    }

    @Override
    protected void startTask(TaskExperience task) {
        sums = Nd4j.zeros(DataType.DOUBLE, task.newClasses(), dim);
        counts = Nd4j.zeros(DataType.DOUBLE, task.newClasses(), 1);
    }

    /** Accumulates the batch's features into its classes' sums; returns 0 (there is no loss). */
    @Override
    protected double trainOn(DataSet batch, int epoch, int step) {
        int newClasses = currentExperience().newClasses();
        INDArray y = TaskLabels.slice(batch.getLabels(), knownClasses(), newClasses).castTo(DataType.DOUBLE);
        INDArray f = features().features(batch.getFeatures()).castTo(DataType.DOUBLE);
        sums.addi(y.transpose().mmul(f));
        counts.addi(y.sum(0).reshape(newClasses, 1));
        return 0.0;
    }

    @Override
    protected void endTask(TaskExperience task) {
        if (counts.minNumber().doubleValue() == 0) {
            throw new IllegalStateException("Task " + task.index() + " saw no training image of some of its classes");
        }
        INDArray mean = sums.divi(counts);
        prototypes.add(mean.diviColumnVector(mean.norm2(1).reshape(task.newClasses(), 1)).castTo(DataType.FLOAT));
        prototypeMatrix = Nd4j.concat(0, prototypes.toArray(new INDArray[0]));
        sums = null;
        counts = null;
    }

    /** The frozen backbone's features, by the engine and threads this learner asks for. */
    private MergedInference features() {
        if (features == null) {
            features = mergedInference(backbone, null);
        }
        return features;
    }

    @Override
    protected void inferenceSettingsChanged() {
        features = MergedInference.release(features);
    }

    @Override
    protected String lossTermRefusal() {
        return "SimpleCIL averages features and minimises no loss";
    }

    /** Prototypes are class means of the training images with the test preprocessing, not of augmented ones. */
    @Override
    public TrainingTransform trainingTransform() {
        return TrainingTransform.TEST;
    }

    /** A copy of the prototypes of every finished task's classes, [classes, dim], each row of unit length. */
    public INDArray prototypes() {
        if (prototypeMatrix == null) {
            throw new IllegalStateException("No task finished yet");
        }
        return prototypeMatrix.dup();
    }

    /** Cosine similarity to each class prototype. */
    @Override
    public INDArray logits(INDArray images) {
        if (prototypeMatrix == null) {
            throw new IllegalStateException("No task finished yet");
        }
        INDArray f = features().features(images);
        f.diviColumnVector(f.norm2(1).addi(1e-12).reshape(f.size(0), 1));
        return f.mmul(prototypeMatrix.transpose());
    }

    /** Classes of the finished tasks: a task's prototypes exist only once it has ended. */
    @Override
    public int numClasses() {
        return knownClasses();
    }
}
