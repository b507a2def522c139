package io.github.sdlora4j.data;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class TaskSplitTest {

    @Test
    void cifar100TenByTen() {
        TaskSplit s = new TaskSplit(100, 10, 10);
        assertArrayEquals(new int[] {10, 10, 10, 10, 10, 10, 10, 10, 10, 10}, s.increments());
        assertEquals(new ClassRange(90, 100), s.task(9));
        assertEquals(new ClassRange(30, 40), s.task(3));
    }

    @Test
    void imagenetR200InFiveTasksOfForty() {
        TaskSplit s = new TaskSplit(200, 40, 40);
        assertArrayEquals(new int[] {40, 40, 40, 40, 40}, s.increments());
        assertEquals(new ClassRange(160, 200), s.task(4));
        assertArrayEquals(new int[] {20, 20, 20, 20, 20, 20, 20, 20, 20, 20}, new TaskSplit(200, 20, 20).increments());
        assertEquals(20, new TaskSplit(200, 10, 10).numTasks());
    }

    @Test
    void domainNet345InFiveTasksOfSixtyNine() {
        TaskSplit s = new TaskSplit(345, 69, 69);
        assertArrayEquals(new int[] {69, 69, 69, 69, 69}, s.increments());
        assertEquals(new ClassRange(276, 345), s.task(4));
    }

    @Test
    void remainderBecomesALastSmallerTask() {
        assertArrayEquals(new int[] {30, 20, 20, 20, 10}, new TaskSplit(100, 30, 20).increments());
        assertArrayEquals(new int[] {3, 3, 1}, new TaskSplit(7, 3, 3).increments());
        assertArrayEquals(new int[] {50, 25, 25}, new TaskSplit(100, 50, 25).increments());
        assertArrayEquals(new int[] {100}, new TaskSplit(100, 100, 10).increments());
        assertEquals(new ClassRange(90, 100), new TaskSplit(100, 30, 20).task(4));
    }

    @Test
    void rejectsImpossibleSplits() {
        assertThrows(IllegalArgumentException.class, () -> new TaskSplit(100, 0, 10));
        assertThrows(IllegalArgumentException.class, () -> new TaskSplit(100, 101, 10));
        assertThrows(IllegalArgumentException.class, () -> new TaskSplit(100, 10, 0));
        assertThrows(IndexOutOfBoundsException.class, () -> new TaskSplit(100, 10, 10).task(10));
    }
}
