package io.github.sdlora4j.learner;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class TaskSeedsTest {

    /** These numbers seed every published run: changing them changes every result. */
    @Test
    void seedsArePinned() {
        assertEquals(1_993_005_980L, TaskSeeds.learner(1993, 0, 1));
        assertEquals(1_993_006_043L, TaskSeeds.learner(1993, 2, 2));
        assertEquals(1_993_005_982L, TaskSeeds.data(1993, 3));
        assertEquals(61_783_185_443L, TaskSeeds.dataSource(1993, 3, 1));
        assertEquals(1_993_005_979L + 7, TaskSeeds.derive(1993, 7));
    }

    @Test
    void purposesStayInsideTheirTask() {
        assertThrows(IllegalArgumentException.class, () -> TaskSeeds.learner(1, 0, 31));
        assertThrows(IllegalArgumentException.class, () -> TaskSeeds.learner(1, 0, -1));
    }
}
