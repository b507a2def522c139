package io.github.sdlora4j.learner;

import org.nd4j.evaluation.classification.Evaluation;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.dataset.api.iterator.DataSetIterator;

/**
 * A class-incremental learner: tasks arrive one after another, each bringing new classes; after each task the
 * learner predicts over every class seen so far without a task id. Data use incremental labels (one-hot over all
 * classes of the benchmark, class k = the k-th class in the benchmark's order), so a task's classes follow
 * those of earlier tasks.
 *
 * <p>Lifecycle per task: {@link #beforeTask(TaskExperience)}, then {@link #train} (or {@link #trainStep}) any number
 * of times, then {@link #afterTask}. Prediction is allowed whenever no task is half-started.
 * {@link AbstractClassIncrementalLearner} implements this lifecycle once; a method extends it.
 */
public interface ClassIncrementalLearner {

    /**
     * Starts {@code task}, which must be the next one (index {@code currentTask() + 1}, first class the number of
     * classes learned so far). The harness passes the task's training data, so that a method can look at it first.
     *
     * @throws IllegalStateException    if the previous task has not ended
     * @throws IllegalArgumentException if {@code task} is not the next task
     */
    void beforeTask(TaskExperience task);

    /**
     * Starts the next task, which brings {@code newClasses} classes (labels {@code numClasses() .. +newClasses-1}),
     * without showing its data: methods that look at a task's data before training refuse it.
     */
    default void beforeTask(int newClasses) {
        beforeTask(TaskExperience.withoutData(currentTask() + 1, numClasses(), newClasses));
    }

    /**
     * Gives a learner restored inside a task (from a checkpoint taken between two steps) that task's experience
     * again, its training data included, as {@link #beforeTask(TaskExperience)} gave it before the checkpoint: a
     * method that reads the data when the task ends needs it. Does nothing unless a method needs it.
     *
     * @throws IllegalArgumentException if {@code task} is not the unfinished task
     */
    default void resumeTask(TaskExperience task) {
    }

    /** One optimizer step on a batch; returns the batch loss. */
    double trainStep(DataSet batch, int epoch, int step);

    /**
     * Trains the current task for {@code epochs} passes over {@code data} (reset before each epoch).
     *
     * @return the mean loss of the last epoch
     */
    default double train(DataSetIterator data, int epochs, TrainingMonitor monitor) {
        return EpochLoop.run(data, epochs, currentTask(), this::trainStep, monitor);
    }

    /** Which data the harness must pass to {@link #train} for a task; the protocol's own is the current task's. */
    default TrainingScope trainingScope() {
        return TrainingScope.CURRENT_TASK;
    }

    /** Which preprocessing the images passed to {@link #train} must have; most learners train on augmented ones. */
    default TrainingTransform trainingTransform() {
        return TrainingTransform.AUGMENTED;
    }

    /** Ends the current task. */
    void afterTask();

    /** Logits over all classes seen so far, [N, knownClasses()], for NCHW images. */
    INDArray logits(INDArray images);

    /** Classes learned so far (including the current task's once it has started). */
    int numClasses();

    /** Index of the task in progress or last finished, -1 before the first. */
    int currentTask();

    /** Predicted incremental class per image. */
    default int[] predict(INDArray images) {
        return logits(images).argMax(1).toIntVector();
    }

    /**
     * Top-1 evaluation over all classes seen so far; labels may be one-hot over all classes of the benchmark and
     * are cut to the seen ones.
     */
    default Evaluation evaluate(DataSetIterator data) {
        int c = numClasses();
        Evaluation eval = new Evaluation(c);
        if (data.resetSupported()) {
            data.reset();
        }
        while (data.hasNext()) {
            DataSet ds = data.next();
            INDArray labels = ds.getLabels();
            if (labels.size(1) < c) {
                throw new IllegalArgumentException("Labels have " + labels.size(1) + " columns, but " + c
                        + " classes have been seen");
            }
            INDArray seen = labels.get(org.nd4j.linalg.indexing.NDArrayIndex.all(),
                    org.nd4j.linalg.indexing.NDArrayIndex.interval(0, c));
            if (seen.sum(1).minNumber().doubleValue() < 0.999) {
                throw new IllegalArgumentException("A test label lies beyond the " + c + " classes seen so far");
            }
            eval.eval(seen, logits(ds.getFeatures()));
        }
        return eval;
    }
}
