package io.github.sdlora4j.examples;

import io.github.sdlora4j.data.ClassRange;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.util.List;

/**
 * Counts test predictions per seen task in both class-incremental settings: class-IL (argmax over every seen class,
 * no task id) and task-IL (the task id given: argmax over the classes of the image's own task only). A class-IL hit
 * is always a task-IL hit, so task-IL accuracy is never lower.
 */
final class TaskAccuracies {

    private final List<ClassRange> tasks;
    private final long[] total;
    private final long[] classIlCorrect;
    private final long[] taskIlCorrect;

    /** @param tasks the incremental labels of each seen task, in task order */
    TaskAccuracies(List<ClassRange> tasks) {
        this.tasks = List.copyOf(tasks);
        this.total = new long[tasks.size()];
        this.classIlCorrect = new long[tasks.size()];
        this.taskIlCorrect = new long[tasks.size()];
    }

    /**
     * Adds one batch.
     *
     * @param logits {@code [N, seen classes]}
     * @param labels incremental label of each image
     */
    void add(INDArray logits, int[] labels) {
        float[][] z = logits.castTo(DataType.FLOAT).toFloatMatrix();
        int seen = tasks.get(tasks.size() - 1).end();
        for (int i = 0; i < labels.length; i++) {
            if (z[i].length != seen) {
                throw new IllegalStateException("logits have " + z[i].length + " columns, expected " + seen);
            }
            int task = taskOf(labels[i]);
            ClassRange own = tasks.get(task);
            total[task]++;
            if (argmax(z[i], 0, seen) == labels[i]) {
                classIlCorrect[task]++;
            }
            if (argmax(z[i], own.start(), own.end()) == labels[i]) {
                taskIlCorrect[task]++;
            }
        }
    }

    /** Class-IL accuracy (%) on each task's test images. */
    double[] classIl() {
        return percent(classIlCorrect);
    }

    /** Class-IL accuracy (%) on all seen test images. */
    double classIlSeen() {
        return percentOfAll(classIlCorrect);
    }

    /** Task-IL accuracy (%) on each task's test images. */
    double[] taskIl() {
        return percent(taskIlCorrect);
    }

    /** Task-IL accuracy (%) on all seen test images. */
    double taskIlSeen() {
        return percentOfAll(taskIlCorrect);
    }

    private int taskOf(int label) {
        for (int j = 0; j < tasks.size(); j++) {
            if (tasks.get(j).contains(label)) {
                return j;
            }
        }
        throw new IllegalStateException("test label " + label + " belongs to no task up to " + (tasks.size() - 1));
    }

    /** First index of the largest value in {@code [from, to)}, as ND4J's argMax picks it. */
    private static int argmax(float[] row, int from, int to) {
        int best = from;
        for (int k = from + 1; k < to; k++) {
            if (row[k] > row[best]) {
                best = k;
            }
        }
        return best;
    }

    private double[] percent(long[] correct) {
        double[] out = new double[correct.length];
        for (int j = 0; j < correct.length; j++) {
            if (total[j] == 0) {
                throw new IllegalStateException("task " + j + " has no test images");
            }
            out[j] = 100.0 * correct[j] / total[j];
        }
        return out;
    }

    private double percentOfAll(long[] correct) {
        long c = 0;
        long n = 0;
        for (int j = 0; j < correct.length; j++) {
            c += correct[j];
            n += total[j];
        }
        return 100.0 * c / n;
    }
}
