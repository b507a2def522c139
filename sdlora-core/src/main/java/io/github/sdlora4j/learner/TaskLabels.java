package io.github.sdlora4j.learner;

import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.indexing.NDArrayIndex;

import java.util.Arrays;

/**
 * Turns labels one-hot over all classes (incremental order) into one-hot over the current task's classes,
 * {@code y − known}, which is all the sliced cross-entropy needs.
 */
final class TaskLabels {

    private TaskLabels() {
    }

    /** Columns {@code [known, known + newClasses)} of {@code labels}; a label outside them is an error. */
    static INDArray slice(INDArray labels, int known, int newClasses) {
        if (labels == null || labels.rank() != 2 || labels.size(1) < known + newClasses) {
            throw new IllegalArgumentException("Labels must be one-hot [N, classes] with at least " + (known + newClasses)
                    + " columns (incremental label order), got "
                    + (labels == null ? "none" : Arrays.toString(labels.shape())));
        }
        INDArray slice = labels.get(NDArrayIndex.all(), NDArrayIndex.interval(known, known + newClasses)).dup('c');
        INDArray rowSums = slice.sum(1);
        if (rowSums.minNumber().doubleValue() < 0.999 || rowSums.maxNumber().doubleValue() > 1.001) {
            throw new IllegalArgumentException("A training label lies outside the current task's classes [" + known + ", "
                    + (known + newClasses) + "): each task trains on its own classes only");
        }
        return slice;
    }
}
