package io.github.sdlora4j.examples;

import io.github.sdlora4j.data.ClassRange;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.factory.Nd4j;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class TaskAccuraciesTest {

    @Test
    void taskIlRestrictsTheArgmaxToTheImagesOwnTask() {
        // Two tasks: classes {0, 1} and {2, 3}.
        TaskAccuracies acc = new TaskAccuracies(List.of(new ClassRange(0, 2), new ClassRange(2, 4)));
        float[][] logits = {
            {5, 1, 0, 0},   // label 0: right either way
            {3, 2, 9, 0},   // label 1: class-IL says 2 (wrong); within task 1, 0 beats 1 (wrong)
            {0, 4, 1, 0},   // label 0: class-IL says 1 (wrong); task-IL also 1 (wrong)
            {0, 9, 1, 2},   // label 3: class-IL says 1 (wrong); within task 2, 3 wins (right)
            {0, 0, 1, 1},   // label 2: a tie, the first (2) wins as in ND4J's argMax: right either way
            {8, 0, 2, 1},   // label 2: class-IL wrong, task-IL right
        };
        acc.add(Nd4j.createFromArray(logits), new int[]{0, 1, 0, 3, 2, 2});
        assertArrayEquals(new double[]{100.0 / 3, 100.0 / 3}, acc.classIl(), 1e-12);
        assertArrayEquals(new double[]{100.0 / 3, 100.0}, acc.taskIl(), 1e-12);
        assertEquals(100.0 * 2 / 6, acc.classIlSeen(), 1e-12);
        assertEquals(100.0 * 4 / 6, acc.taskIlSeen(), 1e-12);
    }

    @Test
    void aTaskWithoutTestImagesAndALabelOutsideTheTasksAreErrors() {
        TaskAccuracies acc = new TaskAccuracies(List.of(new ClassRange(0, 1), new ClassRange(1, 2)));
        acc.add(Nd4j.createFromArray(new float[][]{{1, 0}}), new int[]{0});
        assertThrows(IllegalStateException.class, acc::taskIl);
        assertThrows(IllegalStateException.class,
                () -> acc.add(Nd4j.createFromArray(new float[][]{{1, 0}}), new int[]{2}));
    }
}
