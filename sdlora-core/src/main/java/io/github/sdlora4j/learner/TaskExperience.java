package io.github.sdlora4j.learner;

import org.nd4j.linalg.dataset.api.iterator.DataSetIterator;

/**
 * One task of a class-incremental stream, as a learner sees it when the task starts: which task it is, which
 * incremental classes it brings, and the data the harness will train it on, so that a method can look at that data
 * before training (statistics, subspaces, prototypes).
 *
 * @param index        the task's index, from 0
 * @param firstClass   its first incremental class (the classes of all earlier tasks come before it)
 * @param newClasses   how many classes it brings: labels {@code firstClass .. firstClass + newClasses - 1}
 * @param trainingData the batches {@link ClassIncrementalLearner#train} will get for this task (the learner's
 *                     {@link ClassIncrementalLearner#trainingScope() scope} and
 *                     {@link ClassIncrementalLearner#trainingTransform() transform}), or null when the caller has
 *                     none (e.g. {@link ClassIncrementalLearner#beforeTask(int)})
 */
public record TaskExperience(int index, int firstClass, int newClasses, DataSetIterator trainingData) {

    /** Validates. */
    public TaskExperience {
        if (index < 0) {
            throw new IllegalArgumentException("A task index must be >= 0, got " + index);
        }
        if (firstClass < 0) {
            throw new IllegalArgumentException("A task's first class must be >= 0, got " + firstClass);
        }
        if (newClasses < 1) {
            throw new IllegalArgumentException("A task must bring at least one class, got " + newClasses);
        }
    }

    /** A task without data: for callers that only know its size. */
    public static TaskExperience withoutData(int index, int firstClass, int newClasses) {
        return new TaskExperience(index, firstClass, newClasses, null);
    }

    /** One past the task's last incremental class. */
    public int endClass() {
        return firstClass + newClasses;
    }

    /** Whether the caller passed the task's training data. */
    public boolean hasTrainingData() {
        return trainingData != null;
    }

    /**
     * The task's training data, reset (where the iterator supports it) so that it starts at its first batch.
     *
     * @param method names the method that needs it, for the message
     * @throws IllegalStateException when the caller passed none
     */
    public DataSetIterator requireTrainingData(String method) {
        if (trainingData == null) {
            throw new IllegalStateException(method + " looks at a task's training data when the task starts, but task "
                    + index + " came without any: call beforeTask(TaskExperience) with the task's training iterator,"
                    + " not beforeTask(int)");
        }
        if (trainingData.resetSupported()) {
            trainingData.reset();
        }
        return trainingData;
    }
}
