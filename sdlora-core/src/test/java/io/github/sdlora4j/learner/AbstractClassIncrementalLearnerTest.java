package io.github.sdlora4j.learner;

import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.dataset.api.iterator.DataSetIterator;
import org.nd4j.linalg.factory.Nd4j;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class AbstractClassIncrementalLearnerTest {

    /** A method that only records what the lifecycle hands it. */
    static class Recording extends AbstractClassIncrementalLearner {
        final List<TaskExperience> started = new ArrayList<>();
        final List<Integer> stepsAtClasses = new ArrayList<>();
        boolean failEnd;

        Recording(long seed) {
            super(seed);
        }

        Recording(List<Integer> taskClasses, boolean inTask) {
            super(7, taskClasses, inTask);
        }

        @Override
        protected void startTask(TaskExperience task) {
            started.add(task);
        }

        @Override
        protected double trainOn(DataSet batch, int epoch, int step) {
            stepsAtClasses.add(knownClasses());
            return 0;
        }

        @Override
        protected void endTask(TaskExperience task) {
            if (failEnd) {
                throw new IllegalStateException("cannot end");
            }
        }

        @Override
        public INDArray logits(INDArray images) {
            return Nd4j.zeros(images.size(0), numClasses());
        }

        @Override
        public int numClasses() {
            return taskClasses().stream().mapToInt(Integer::intValue).sum();
        }
    }

    private static DataSet batch() {
        return new DataSet(Nd4j.ones(1, 2), Nd4j.ones(1, 5));
    }

    @Test
    void countsTasksAndClassesAndHandsTheExperienceOn() {
        Recording r = new Recording(1);
        assertEquals(-1, r.currentTask());
        r.beforeTask(2);
        assertEquals(TaskExperience.withoutData(0, 0, 2), r.started.get(0), "beforeTask(int) builds it from the counters");
        r.trainStep(batch(), 0, 0);
        r.afterTask();
        DataSetIterator data = TemplateData.iterator(batch(), 1);
        r.beforeTask(new TaskExperience(1, 2, 3, data));
        assertSame(data, r.started.get(1).trainingData());
        assertSame(data, r.currentExperience().trainingData());
        r.trainStep(batch(), 0, 0);
        assertEquals(List.of(0, 2), r.stepsAtClasses, "known classes exclude the current task's");
        assertEquals(1, r.currentTask());
        assertEquals(List.of(2, 3), r.taskClasses());
        r.afterTask();
        assertEquals(5, r.knownClasses());
        assertNull(r.currentExperience());
    }

    @Test
    void guardsTheLifecycle() {
        Recording r = new Recording(1);
        assertThrows(IllegalStateException.class, () -> r.trainStep(batch(), 0, 0));
        assertThrows(IllegalStateException.class, r::afterTask);
        IllegalArgumentException skipped = assertThrows(IllegalArgumentException.class,
                () -> r.beforeTask(TaskExperience.withoutData(1, 0, 2)));
        assertTrue(skipped.getMessage().contains("Expected task 0"), skipped.getMessage());
        assertThrows(IllegalArgumentException.class, () -> r.beforeTask(TaskExperience.withoutData(0, 3, 2)));
        assertTrue(r.started.isEmpty(), "a refused task never reaches the method");
        r.beforeTask(2);
        assertThrows(IllegalStateException.class, () -> r.beforeTask(2));
        assertThrows(IllegalArgumentException.class, () -> r.trainStep(new DataSet(), 0, 0));
        r.failEnd = true;
        assertThrows(IllegalStateException.class, r::afterTask);
        assertTrue(r.inTask(), "a failed end leaves the task in progress");
        assertEquals(0, r.knownClasses());
    }

    @Test
    void restoresCountersAndSeedsStreamsPerTask() {
        Recording mid = new Recording(List.of(2, 3), true);
        assertEquals(1, mid.currentTask());
        assertEquals(2, mid.knownClasses());
        assertEquals(TaskExperience.withoutData(1, 2, 3), mid.currentExperience());
        mid.afterTask();
        assertFalse(mid.inTask());
        assertEquals(5, mid.knownClasses());
        assertThrows(IllegalArgumentException.class, () -> new Recording(List.of(), true));

        assertEquals(new java.util.SplittableRandom(TaskSeeds.learner(7, 1, 2)).nextLong(),
                mid.random(1, 2).nextLong());
    }

    @Test
    void plannedEngineIsTheOneThisMethodWouldTrainWith() {
        assertEquals(Optional.of(TrainingEngine.FUSED), new Recording(1).plannedEngine(),
                "the tests run with the vector module");
        Recording noFusedStep = new Recording(1) {
            @Override
            protected String fusedEngineMissing() {
                return "has no step for this test's method";
            }
        };
        assertEquals(Optional.of(TrainingEngine.SAMEDIFF), noFusedStep.plannedEngine(), "auto falls back");
        noFusedStep.useEngine(EngineChoice.FUSED);
        IllegalStateException refused = assertThrows(IllegalStateException.class, noFusedStep::plannedEngine);
        assertTrue(refused.getMessage().contains("has no step for this test's method"), refused.getMessage());

        Recording noLoss = new Recording(1) {
            @Override
            protected String lossTermRefusal() {
                return "it minimises no loss";
            }
        };
        noLoss.useEngine(EngineChoice.FUSED);
        assertEquals(Optional.empty(), noLoss.plannedEngine(), "no engine trains a method without a loss");
    }
}
