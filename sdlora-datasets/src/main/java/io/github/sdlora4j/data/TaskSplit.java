package io.github.sdlora4j.data;

import java.util.ArrayList;
import java.util.List;

/**
 * How the classes (in incremental order) are cut into tasks, exactly as the reference
 * {@code DataManager}: the first task has {@code initialClasses}, every later task
 * {@code classesPerTask}, and whatever is left (fewer than {@code classesPerTask}) forms a last,
 * smaller task.
 *
 * @param numClasses     total number of classes, &gt; 0
 * @param initialClasses classes in task 0, in 1..numClasses
 * @param classesPerTask classes in each later task, &gt; 0
 */
public record TaskSplit(int numClasses, int initialClasses, int classesPerTask) {

    /** Validates the counts. */
    public TaskSplit {
        if (numClasses <= 0) {
            throw new IllegalArgumentException("numClasses must be > 0, got " + numClasses);
        }
        if (initialClasses <= 0 || initialClasses > numClasses) {
            throw new IllegalArgumentException("initialClasses must be in 1.." + numClasses + ", got " + initialClasses);
        }
        if (classesPerTask <= 0) {
            throw new IllegalArgumentException("classesPerTask must be > 0, got " + classesPerTask);
        }
    }

    /** @return classes per task, e.g. {@code [10, 10, ..., 10]} or {@code [30, 20, 20, 20, 10]} */
    public int[] increments() {
        List<Integer> inc = new ArrayList<>();
        inc.add(initialClasses);
        int sum = initialClasses;
        while (sum + classesPerTask < numClasses) {
            inc.add(classesPerTask);
            sum += classesPerTask;
        }
        if (numClasses - sum > 0) {
            inc.add(numClasses - sum);
        }
        return inc.stream().mapToInt(Integer::intValue).toArray();
    }

    /** @return number of tasks */
    public int numTasks() {
        return increments().length;
    }

    /** @return the incremental labels of task {@code t} */
    public ClassRange task(int t) {
        int[] inc = increments();
        if (t < 0 || t >= inc.length) {
            throw new IndexOutOfBoundsException("task " + t + " does not exist; tasks are 0.." + (inc.length - 1));
        }
        int start = 0;
        for (int i = 0; i < t; i++) {
            start += inc[i];
        }
        return new ClassRange(start, start + inc[t]);
    }
}
