package io.github.sdlora4j.learner;

import org.junit.jupiter.api.Test;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.dataset.api.iterator.DataSetIterator;
import org.nd4j.linalg.factory.Nd4j;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class TaskExperienceTest {

    @Test
    void validates() {
        assertThrows(IllegalArgumentException.class, () -> TaskExperience.withoutData(-1, 0, 2));
        assertThrows(IllegalArgumentException.class, () -> TaskExperience.withoutData(0, -1, 2));
        assertThrows(IllegalArgumentException.class, () -> TaskExperience.withoutData(0, 0, 0));
        assertEquals(5, TaskExperience.withoutData(1, 3, 2).endClass());
    }

    @Test
    void trainingDataIsResetOrRefusedNamingTheMethod() {
        DataSet a = new DataSet(Nd4j.ones(1, 2), Nd4j.ones(1, 1));
        DataSet b = new DataSet(Nd4j.zeros(1, 2), Nd4j.ones(1, 1));
        DataSetIterator data = TemplateData.iterator(DataSet.merge(List.of(a, b)), 1);
        data.next();
        TaskExperience task = new TaskExperience(0, 0, 1, data);
        assertSame(data, task.requireTrainingData("m"));
        assertEquals(a.getFeatures(), data.next().getFeatures(), "reset to its first batch");

        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> TaskExperience.withoutData(2, 4, 2).requireTrainingData("InfLoRA"));
        assertTrue(e.getMessage().contains("InfLoRA") && e.getMessage().contains("task 2"), e.getMessage());
    }
}
